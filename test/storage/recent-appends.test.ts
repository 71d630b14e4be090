import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { RecentAppends, recentAppendsBytes } from '../../src/storage/recent-appends.js'
import { batch, batchBaseOffsets, cleanupTmpDirs, makeTmpDir, openManager } from './helpers.js'

afterAll(cleanupTmpDirs)

const produce = { requiredAcks: 1, produceVersion: 9 }

describe('reads at the tail served from recent appends', () => {
  it('return exactly what a file read returns, for any offset and byte limit', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'tail', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const log = topic.partitions[0]
    // Small appends (written on the event loop) and one large one (thread pool) mixed.
    const sizes = [1, 3, 1, 7, 2, 1, 900, 1, 4, 2, 1, 1, 5, 3, 1]
    for (const [i, n] of sizes.entries()) await log.append(batch(n, { valueBytes: i === 6 ? 120 : 30 }), produce)
    expect(recentAppendsBytes()).toBeGreaterThan(0)
    const end = log.logEndOffset
    const probes = fc.sample(fc.tuple(fc.integer({ min: 0, max: end }), fc.integer({ min: 0, max: 150_000 }), fc.boolean()), { numRuns: 300, seed: 7 })
    const fromMemory = []
    for (const [offset, maxBytes, minOneMessage] of probes) fromMemory.push(await log.read(offset, { maxBytes, minOneMessage }))
    await logs.close()

    // Reopened: nothing in memory, every read goes to the file.
    const reopened = await openManager(dir)
    const again = reopened.getPartition('tail', 0)!
    for (const [i, [offset, maxBytes, minOneMessage]] of probes.entries()) {
      const fromFile = await again.read(offset, { maxBytes, minOneMessage })
      expect(fromMemory[i].errorCode).toBe(fromFile.errorCode)
      expect(fromMemory[i].highWatermark).toBe(fromFile.highWatermark)
      expect(Buffer.compare(fromMemory[i].records ?? Buffer.alloc(0), fromFile.records ?? Buffer.alloc(0))).toBe(0)
    }
    await reopened.close()
  })

  it('a tailing reader gets each new append at once', async () => {
    const logs = await openManager(null)
    const topic = await logs.createTopic({ name: 'follow', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    const log = topic.partitions[0]
    for (let i = 0; i < 50; i++) {
      const r = await log.append(batch(2), produce)
      const read = await log.read(r.baseOffset, { maxBytes: 1 << 20, minOneMessage: true })
      expect(batchBaseOffsets(read.records)).toEqual([r.baseOffset])
      const past = await log.read(r.baseOffset + 2, { maxBytes: 1 << 20, minOneMessage: true })
      expect(past.records?.length ?? 0).toBe(0)
    }
    await logs.close()
  })
})

describe('RecentAppends', () => {
  it('starts over after a gap and stays within its byte budget', () => {
    const r = new RecentAppends()
    const b = batch(1)
    const before = recentAppendsBytes()
    r.add(b, 0, 0, 0)
    expect(r.read(0, 1000, true, b.length)).toEqual({ records: b, tooLarge: false })
    // Not contiguous with the first entry: offset 0 is no longer covered, so the file is read.
    const c = batch(1)
    c.writeInt32BE(5, 4) // baseOffset 5 (low word)
    r.add(c, b.length + 10, 5, 5)
    expect(r.read(0, 1000, true, 10_000)).toBeUndefined()
    expect(r.read(5, 1000, true, 10_000)?.records.equals(c)).toBe(true)
    // A read below what is readable: nothing yet.
    expect(r.read(5, 1000, true, b.length + 10)).toBeNull()
    // The first batch larger than maxBytes without minOneMessage.
    expect(r.read(5, 1, false, 10_000)).toEqual({ records: Buffer.alloc(0), tooLarge: true })
    for (let i = 0; i < 100; i++) r.add(Buffer.alloc(64 * 1024), b.length + 10 + c.length + i * 65536, 6 + i, 6 + i)
    expect(recentAppendsBytes() - before).toBeLessThanOrEqual(1024 * 1024)
    r.clear()
    expect(recentAppendsBytes()).toBe(before)
  })

  it('keeps its own copy: the appended buffer (a request frame) may be reused afterwards', () => {
    const r = new RecentAppends()
    const frame = Buffer.concat([Buffer.alloc(7, 1), batch(3)])
    const records = frame.subarray(7)
    const expected = Buffer.from(records)
    r.add(records, 0, 0, 2)
    frame.fill(0xaa)
    expect(r.read(1, 1 << 20, true, expected.length)?.records.equals(expected)).toBe(true)
    r.clear()
  })

  it('does not keep appends larger than 64 KiB (they are read from the file)', () => {
    const r = new RecentAppends()
    const small = batch(1)
    r.add(small, 0, 0, 0)
    r.add(Buffer.alloc(64 * 1024 + 1), small.length, 1, 1)
    expect(r.read(0, 1000, true, 1 << 20)).toBeUndefined()
    expect(r.read(1, 1000, true, 1 << 20)).toBeUndefined()
  })
})
