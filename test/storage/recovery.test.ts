import { open, readdir, readFile, rm, stat, truncate, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { iterateBatches } from '../../src/protocol/record-batch.js'
import { CLEAN_SHUTDOWN_FILE } from '../../src/storage/metadata-files.js'
import { batch, cleanupTmpDirs, makeTmpDir, openManager, recordsOf } from './helpers.js'

afterAll(cleanupTmpDirs)

const produce = { requiredAcks: -1, produceVersion: 9 }

async function fill(dir: string, batches: number, configs: Record<string, string> = {}): Promise<void> {
  const logs = await openManager(dir)
  const t = await logs.createTopic({ name: 'r', numPartitions: 1, replicationFactor: 1, configs }, { validateOnly: false })
  for (let i = 0; i < batches; i++) await t.partitions[0].append(batch(4, { prefix: `b${i}`, valueBytes: 0 }), produce)
  await logs.close()
}

async function readAll(dir: string): Promise<{ offsets: number[]; leo: number; values: string[] }> {
  const logs = await openManager(dir)
  const log = logs.getPartition('r', 0)!
  const out: { offset: number; value: string }[] = []
  let next = log.logStartOffset
  while (next < log.highWatermark) {
    const r = await log.read(next, { maxBytes: 1 << 16, minOneMessage: true })
    const recs = recordsOf(r.records, next)
    if (recs.length === 0) break
    out.push(...recs)
    next = recs.at(-1)!.offset + 1
  }
  const leo = log.logEndOffset
  await logs.close()
  return { offsets: out.map((r) => r.offset), leo, values: out.map((r) => r.value) }
}

/** Positions of the batches in a segment file. */
async function batchPositions(file: string): Promise<number[]> {
  return [...iterateBatches(await readFile(file))].map((b) => b.position)
}

describe('recovery after an unclean shutdown', () => {
  it('truncates a segment torn mid-batch: everything before the tear is served, nothing after', async () => {
    const dir = await makeTmpDir()
    await fill(dir, 10)
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
    const file = join(dir, 'r-0', '00000000000000000000.log')
    const positions = await batchPositions(file)
    await truncate(file, positions[7] + 30) // batch 7 is torn
    const got = await readAll(dir)
    expect(got.leo).toBe(28)
    expect(got.offsets).toEqual(Array.from({ length: 28 }, (_, i) => i))
    expect((await stat(file)).size).toBe(positions[7])
    // new appends continue at the truncation point
    const logs = await openManager(dir)
    expect((await logs.getPartition('r', 0)!.append(batch(1), produce)).baseOffset).toBe(28)
    await logs.close()
  })

  it('truncates at a batch whose CRC does not match (one flipped byte)', async () => {
    const dir = await makeTmpDir()
    await fill(dir, 10)
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
    const file = join(dir, 'r-0', '00000000000000000000.log')
    const positions = await batchPositions(file)
    const fh = await open(file, 'r+')
    const b = Buffer.alloc(1)
    await fh.read(b, 0, 1, positions[4] + 70)
    b[0] ^= 0x01
    await fh.write(b, 0, 1, positions[4] + 70)
    await fh.close()
    const got = await readAll(dir)
    expect(got.leo).toBe(16)
    expect(got.offsets).toEqual(Array.from({ length: 16 }, (_, i) => i))
    expect(got.values[15]).toBe('b3-3')
  })

  it('drops the segments after a corrupt one that is recovered', async () => {
    const dir = await makeTmpDir()
    await fill(dir, 30, { 'segment.bytes': '600' })
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
    await unlink(join(dir, 'recovery-point-offset-checkpoint')) // no recovery point: every segment is checked
    const logFiles = (await readdir(join(dir, 'r-0'))).filter((f) => f.endsWith('.log')).sort()
    expect(logFiles.length).toBeGreaterThan(3)
    const victim = join(dir, 'r-0', logFiles[1])
    const positions = await batchPositions(victim)
    await truncate(victim, positions[1] + 10)
    const secondBase = Number(logFiles[1].slice(0, 20))
    const got = await readAll(dir)
    expect(got.leo).toBe(secondBase + 4)
    expect(got.offsets).toEqual(Array.from({ length: secondBase + 4 }, (_, i) => i))
    const left = (await readdir(join(dir, 'r-0'))).filter((f) => f.endsWith('.log'))
    expect(left.length).toBe(2)
  })

  it('rebuilds missing index files after a crash', async () => {
    const dir = await makeTmpDir()
    await fill(dir, 50, { 'index.interval.bytes': '200' })
    const idx = join(dir, 'r-0', '00000000000000000000.index')
    const before = await readFile(idx)
    await rm(idx)
    await rm(join(dir, 'r-0', '00000000000000000000.timeindex'))
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE))
    const got = await readAll(dir)
    expect(got.leo).toBe(200)
    expect(got.offsets.length).toBe(200)
    expect(await readFile(idx)).toEqual(before)
  })

  it('keeps acknowledged data of a clean shutdown without a full scan, and ignores garbage index files', async () => {
    const dir = await makeTmpDir()
    await fill(dir, 20, { 'index.interval.bytes': '100' })
    // a corrupt (odd-sized) index on a clean shutdown is rebuilt instead of trusted
    await truncate(join(dir, 'r-0', '00000000000000000000.index'), 13)
    const got = await readAll(dir)
    expect(got.leo).toBe(80)
    expect(got.offsets).toEqual(Array.from({ length: 80 }, (_, i) => i))
  })
})
