import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readBatchHeader } from '../../src/protocol/record-batch.js'
import { batch, batchBaseOffsets, cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

afterAll(cleanupTmpDirs)

const produce = { requiredAcks: -1, produceVersion: 9 }

describe('segments and indexes', () => {
  it('rolls by segment.bytes into Kafka-named files and reads across segments', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'roll', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '2000' } }, { validateOnly: false })
    const log = topic.partitions[0]
    const size = batch(5, { valueBytes: 50 }).length
    for (let i = 0; i < 40; i++) await log.append(batch(5, { valueBytes: 50 }), produce)
    const segs = log.segments()
    expect(segs.length).toBeGreaterThan(5)
    for (const s of segs) expect(s.sizeBytes).toBeLessThanOrEqual(2000)
    expect(segs[0].baseOffset).toBe(0)
    expect(segs[1].baseOffset).toBe(Math.floor(2000 / size) * 5)
    expect(segs.at(-1)!.active).toBe(true)
    expect(segs.at(-1)!.endOffset).toBe(200)
    for (let i = 1; i < segs.length; i++) expect(segs[i].baseOffset).toBe(segs[i - 1].endOffset)
    await logs.close()

    const files = (await readdir(join(dir, 'roll-0'))).sort()
    expect(files).toContain('00000000000000000000.log')
    expect(files).toContain('00000000000000000000.index')
    expect(files).toContain('00000000000000000000.timeindex')
    expect(files).toContain(`${String(segs[1].baseOffset).padStart(20, '0')}.log`)
    expect(files).toContain('partition.metadata')

    const reopened = await openManager(dir)
    const again = reopened.getPartition('roll', 0)!
    let next = 0
    const seen: number[] = []
    while (next < 200) {
      const r = await again.read(next, { maxBytes: 3000, minOneMessage: true })
      const recs = recordsOf(r.records, next)
      expect(recs.length).toBeGreaterThan(0)
      seen.push(...recs.map((x) => x.offset))
      next = recs.at(-1)!.offset + 1
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i))
    await reopened.close()
  })

  it('writes sparse Kafka-format .index and .timeindex entries every index.interval.bytes', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'idx', numPartitions: 1, replicationFactor: 1, configs: { 'index.interval.bytes': '1000' } }, { validateOnly: false })
    const log = topic.partitions[0]
    const t0 = Date.now() - 100_000
    for (let i = 0; i < 30; i++) await log.append(batch(4, { valueBytes: 100, timestampMs: t0 + i * 10 }), produce)
    await logs.close()
    const base = join(dir, 'idx-0', '00000000000000000000')
    const logBytes = await readFile(`${base}.log`)
    const index = await readFile(`${base}.index`)
    const timeIndex = await readFile(`${base}.timeindex`)
    expect(index.length % 8).toBe(0)
    expect(index.length / 8).toBeGreaterThan(3)
    expect(timeIndex.length % 12).toBe(0)
    let prevRel = -1
    for (let p = 0; p < index.length; p += 8) {
      const rel = index.readInt32BE(p)
      const pos = index.readInt32BE(p + 4)
      expect(rel).toBeGreaterThan(prevRel)
      prevRel = rel
      // Kafka's entry: last offset of the batch that starts at `pos`
      const h = readBatchHeader(logBytes, pos)
      expect(h.baseOffset + h.lastOffsetDelta).toBe(rel)
    }
    let prevTs = -1
    for (let p = 0; p < timeIndex.length; p += 12) {
      const ts = Number(timeIndex.readBigInt64BE(p))
      expect(ts).toBeGreaterThan(prevTs)
      prevTs = ts
    }
    // The closing entry carries the segment's max timestamp.
    const lastTs = Number(timeIndex.readBigInt64BE(timeIndex.length - 12))
    expect(lastTs).toBe(t0 + 29 * 10 + 3)
    expect(timeIndex.readInt32BE(timeIndex.length - 4)).toBe(119)
    expect((await stat(`${base}.log`)).size).toBe(logBytes.length)
  })

  it('rolls by segment.ms using batch timestamps', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'ms', numPartitions: 1, replicationFactor: 1, configs: { 'segment.ms': '1000' } }, { validateOnly: false })
    const log = topic.partitions[0]
    const now = Date.now()
    await log.append(batch(1, { timestampMs: now - 5000 }), produce)
    await log.append(batch(1, { timestampMs: now - 4500 }), produce)
    expect(log.segments().length).toBe(1)
    await log.append(batch(1, { timestampMs: now - 3000 }), produce)
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0, 2])
    await logs.close()
  })

  it('looks up offsets through the index in a large segment', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'lookup', numPartitions: 1, replicationFactor: 1, configs: { 'index.interval.bytes': '512' } }, { validateOnly: false })
    const log = topic.partitions[0]
    for (let i = 0; i < 300; i++) await log.append(batch(3, { valueBytes: 64 }), produce)
    for (const target of [0, 1, 2, 3, 450, 451, 452, 899]) {
      const r = await log.read(target, { maxBytes: 200, minOneMessage: true })
      const bases = batchBaseOffsets(r.records)
      expect(bases.length).toBe(1)
      expect(bases[0]).toBe(target - (target % 3))
    }
    await logs.close()
  })

  it('deletes the oldest segments and moves the log start offset', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir)
    const topic = await logs.createTopic({ name: 'ret', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '1000' } }, { validateOnly: false })
    const log = topic.partitions[0]
    for (let i = 0; i < 20; i++) await log.append(batch(5, { valueBytes: 40 }), produce)
    const before = log.segments()
    expect(await log.deleteOldestSegments(2)).toBe(2)
    expect(log.logStartOffset).toBe(before[2].baseOffset)
    expect((await log.read(0, { maxBytes: 1000, minOneMessage: true })).errorCode).toBe(1)
    expect((await readdir(join(dir, 'ret-0'))).filter((f) => f.endsWith('.log')).length).toBe(before.length - 2)
    await log.setLogStartOffset(before[3].baseOffset + 1)
    expect(log.logStartOffset).toBe(before[3].baseOffset + 1)
    expect(log.segments()[0].baseOffset).toBe(before[3].baseOffset)
    await logs.close()
    const reopened = await openManager(dir)
    expect(reopened.getPartition('ret', 0)!.logStartOffset).toBe(before[3].baseOffset + 1)
    await reopened.close()
  })
})

describe('open file handles', () => {
  it('keeps at most maxOpenSegmentFiles handles and reopens evicted ones on demand', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir, {}, { maxOpenSegmentFiles: 3 })
    const t = await logs.createTopic({ name: 'fd', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '300' } }, { validateOnly: false })
    const log = t.partitions[0]
    for (let i = 0; i < 40; i++) await log.append(batch(2, { valueBytes: 30 }), produce)
    expect(log.segments().length).toBeGreaterThan(10)
    for (let round = 0; round < 2; round++) {
      for (let off = 0; off < 80; off += 7) {
        const r = await log.read(off, { maxBytes: 100, minOneMessage: true })
        expect(recordsOf(r.records, off)[0].offset).toBe(off)
      }
    }
    const open = log.segmentList.filter((s) => s.isOpen).length
    expect(open).toBeLessThanOrEqual(4)
    await logs.close()
  })
})

describe('memory mode', () => {
  it('creates, fills, deletes and recreates topics without touching the disk', async () => {
    const logs = await openManager(null)
    const t = await logs.createTopic({ name: 'mem', numPartitions: 2, replicationFactor: 1, configs: { 'segment.bytes': '500' } }, { validateOnly: false })
    for (let i = 0; i < 20; i++) await t.partitions[1].append(batch(3, { valueBytes: 20 }), produce)
    expect(t.partitions[1].segments().length).toBeGreaterThan(2)
    expect(recordsOf((await t.partitions[1].read(30, { maxBytes: 10_000, minOneMessage: true })).records, 30)[0].offset).toBe(30)
    await logs.deleteTopic('mem')
    const again = await logs.createTopic({ name: 'mem', numPartitions: 1, replicationFactor: 1, configs: {} }, { validateOnly: false })
    expect(again.partitions[0].logEndOffset).toBe(0)
    expect(logs.dataDir).toBeNull()
    await logs.close()
  })
})
