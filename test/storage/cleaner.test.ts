// The log cleaner: dirty-section selection and grouping (pure), then cleaning passes on real
// segments: latest value per key, offsets unchanged, tombstones and their delete horizon, the
// active segment untouched, producer state kept, codecs kept, checkpoints, the background loop.
import { readdir } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { Attributes, readBatchHeader } from '../../src/protocol/record-batch.js'
import { buildBatch, readBatchRecords } from '../../src/records/index.js'
import { groupSegmentsBySize, logToClean, needsCleaning, type CleanableSegment } from '../../src/storage/cleaner/cleanable.js'
import { OffsetMap } from '../../src/storage/cleaner/offset-map.js'
import type { LogManager } from '../../src/storage/log-manager.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { cleanupTmpDirs, makeTmpDir, openManager, servedBatches } from './helpers.js'

afterAll(cleanupTmpDirs)

interface ReadRecord {
  offset: number
  key: string | null
  value: string | null
  timestampMs: number
}

interface ReadBatch {
  baseOffset: number
  lastOffset: number
  attributes: number
  producerId: number
  baseSequence: number
  baseTimestamp: number
  records: ReadRecord[]
}

/** Every batch from the log start offset to the high watermark, through the fetch path. */
async function readAll(log: PartitionLog): Promise<ReadBatch[]> {
  const out: ReadBatch[] = []
  for await (const { header: h, bytes, lastOffset, fromOffset } of servedBatches(log)) {
    const records = (await readBatchRecords(bytes)).map((rec) => ({
      offset: rec.offset,
      key: rec.key?.toString() ?? null,
      value: rec.value?.toString() ?? null,
      timestampMs: rec.timestampMs,
    }))
    if (lastOffset >= fromOffset) {
      out.push({ baseOffset: h.baseOffset, lastOffset, attributes: h.attributes, producerId: h.producerId, baseSequence: h.baseSequence, baseTimestamp: h.baseTimestamp, records })
    }
  }
  return out
}

const recordsIn = (batches: ReadBatch[]): ReadRecord[] => batches.flatMap((b) => b.records)

async function produce(log: PartitionLog, entries: [string, string | null][], opts: { compression?: number; timestampMs?: number; producerId?: number; baseSequence?: number } = {}): Promise<number> {
  const ts = opts.timestampMs ?? Date.now()
  const batch = await buildBatch(
    entries.map(([k, v], i) => ({ offsetDelta: i, timestampMs: ts, key: Buffer.from(k), value: v === null ? null : Buffer.from(v) })),
    { baseOffset: 0, compression: opts.compression ?? 0, producerId: opts.producerId ?? -1, producerEpoch: opts.producerId === undefined ? -1 : 0, baseSequence: opts.baseSequence ?? -1 },
  )
  const r = await log.append(batch, { requiredAcks: -1, produceVersion: 9 })
  expect(r.errorCode).toBe(ErrorCode.NONE)
  return r.baseOffset
}

async function compactedLog(logs: LogManager, name: string, configs: Record<string, string> = {}): Promise<PartitionLog> {
  const t = await logs.createTopic(
    { name, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'file.delete.delay.ms': '0', ...configs } },
    { validateOnly: false },
  )
  return t.partitions[0]
}

const NO_BACKGROUND = { static: { 'log.cleaner.enable': 'false' } }

describe('cleanable offsets and grouping', () => {
  const seg = (baseOffset: number, sizeBytes: number, ts = 0): CleanableSegment => ({ baseOffset, sizeBytes, largestTimestamp: ts, firstBatchTimestamp: ts })
  const cfg = { minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, minCleanableDirtyRatio: 0.5 }

  it('dirty ratio over [logStart, first uncleanable segment); never the active segment', () => {
    const view = { segments: [seg(0, 100), seg(10, 100), seg(20, 100), seg(30, 50)], logStartOffset: 0, logEndOffset: 35, lastStableOffset: 35 }
    const fresh = logToClean(view, cfg, undefined, 0)
    expect(fresh).toMatchObject({ firstDirtyOffset: 0, firstUncleanableOffset: 30, cleanBytes: 0, cleanableBytes: 300, cleanableRatio: 1 })
    const half = logToClean(view, cfg, 10, 0)
    expect(half).toMatchObject({ firstDirtyOffset: 10, cleanBytes: 100, cleanableBytes: 200 })
    expect(needsCleaning(half, cfg)).toBe(true)
    const mostlyClean = logToClean(view, cfg, 20, 0)
    expect(mostlyClean.cleanableRatio).toBeCloseTo(1 / 3)
    expect(needsCleaning(mostlyClean, cfg)).toBe(false)
  })

  it('the high watermark and min.compaction.lag.ms bound the dirty section; max.compaction.lag.ms forces a clean', () => {
    const now = 1_000_000
    const view = { segments: [seg(0, 100, now - 5000), seg(10, 100, now - 100), seg(20, 100, now - 50), seg(30, 10, now)], logStartOffset: 0, logEndOffset: 31, lastStableOffset: 25 }
    expect(logToClean(view, cfg, undefined, now).firstUncleanableOffset).toBe(20)
    expect(logToClean(view, { ...cfg, minCompactionLagMs: 1000 }, undefined, now).firstUncleanableOffset).toBe(10)
    const lagged = logToClean(view, { ...cfg, maxCompactionLagMs: 1000, minCleanableDirtyRatio: 0.99 }, 10, now)
    expect(lagged.needCompactionNow).toBe(false) // the dirty segments are younger than 1 s
    const old = logToClean(view, { ...cfg, maxCompactionLagMs: 1000, minCleanableDirtyRatio: 0.99 }, 0, now)
    expect(old.needCompactionNow).toBe(true)
    expect(needsCleaning(old, { ...cfg, minCleanableDirtyRatio: 0.99 })).toBe(true)
  })

  it('an out-of-range checkpoint resets to the log start offset', () => {
    const view = { segments: [seg(50, 100), seg(60, 100)], logStartOffset: 55, logEndOffset: 70, lastStableOffset: 70 }
    expect(logToClean(view, cfg, 10, 0)).toMatchObject({ firstDirtyOffset: 55, forceUpdateCheckpoint: true })
    expect(logToClean(view, cfg, 99, 0)).toMatchObject({ firstDirtyOffset: 55, forceUpdateCheckpoint: true })
  })

  it('groups consecutive segments up to segment.bytes', () => {
    const segs = [seg(0, 300), seg(10, 300), seg(20, 500), seg(30, 100), seg(40, 100), seg(50, 900)]
    expect(groupSegmentsBySize(segs, 1000, 60).map((g) => g.map((s) => s.baseOffset))).toEqual([[0, 10], [20, 30, 40], [50]])
  })

  it('never groups beyond int32 relative offsets', () => {
    const big = 2 ** 31
    const segs = [seg(0, 1), seg(big - 10, 1), seg(big + 10, 1)]
    expect(groupSegmentsBySize(segs, 1000, big + 20).map((g) => g.length)).toEqual([1, 2])
  })

  it('offset map: latest offset per key; budget bounds new keys only; long keys hashed', () => {
    const map = new OffsetMap(200)
    expect(map.put(Buffer.from('a'), 1)).toBe(true)
    expect(map.put(Buffer.from('a'), 5)).toBe(true)
    expect(map.get(Buffer.from('a'))).toBe(5)
    expect(map.get(Buffer.from('b'))).toBe(-1)
    const long = Buffer.alloc(1000, 7)
    expect(map.put(long, 9)).toBe(true)
    expect(map.get(Buffer.from(long))).toBe(9)
    expect(map.put(Buffer.from('c'), 10)).toBe(false)
    expect(map.put(Buffer.from('a'), 11)).toBe(true)
  })
})

describe('cleaning', () => {
  it('keeps the latest value per key at its offset, in cleaned segments; the active segment is untouched', async () => {
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: NO_BACKGROUND })
    const log = await compactedLog(logs, 'basic')
    const written: ReadRecord[] = []
    for (let round = 0; round < 6; round++) {
      for (const k of ['a', 'b', 'c', 'd']) {
        const offset = await produce(log, [[k, `${k}${round}`]])
        written.push({ offset, key: k, value: `${k}${round}`, timestampMs: 0 })
      }
    }
    const active = log.activeSegment
    const activeBefore = recordsIn(await readAll(log)).filter((r) => r.offset >= active.baseOffset)
    const segmentsBefore = log.segments().length
    expect(segmentsBefore).toBeGreaterThan(3)

    const pass = await logs.policies.cleaner.cleanLog(log)
    expect(pass).not.toBeNull()
    expect(pass!.endOffset).toBe(active.baseOffset)
    expect(logs.policies.cleaner.checkpoint(log)).toBe(active.baseOffset)
    expect(log.activeSegment).toBe(active)

    const after = recordsIn(await readAll(log))
    // offsets increase and each record is the one originally written at that offset
    for (let i = 1; i < after.length; i++) expect(after[i].offset).toBeGreaterThan(after[i - 1].offset)
    for (const r of after) expect(written.find((w) => w.offset === r.offset)).toMatchObject({ key: r.key, value: r.value })
    // in the cleaned section one record per key, the latest below the active segment
    const cleaned = after.filter((r) => r.offset < active.baseOffset)
    expect(new Set(cleaned.map((r) => r.key)).size).toBe(cleaned.length)
    for (const r of cleaned) {
      const latest = Math.max(...written.filter((w) => w.key === r.key && w.offset < active.baseOffset).map((w) => w.offset))
      expect(r.offset).toBe(latest)
    }
    expect(after.filter((r) => r.offset >= active.baseOffset)).toEqual(activeBefore)
    // the latest value of every key is still readable
    for (const k of ['a', 'b', 'c', 'd']) expect(after.filter((r) => r.key === k).at(-1)!.value).toBe(`${k}5`)
    // Kafka groups by the sizes before cleaning: the emptied segments merge on the next pass
    for (let round = 6; round < 12; round++) for (const k of ['a', 'b', 'c', 'd']) await produce(log, [[k, `${k}${round}`]])
    const segmentsMid = log.segments().length
    await logs.policies.cleaner.cleanLog(log)
    expect(log.segments().length).toBeLessThan(segmentsMid)
    for (const k of ['a', 'b', 'c', 'd']) expect(recordsIn(await readAll(log)).filter((r) => r.key === k).at(-1)!.value).toBe(`${k}11`)
    await logs.close()
  })

  it('survives a restart: indexes and segments of the cleaned log load back identically', async () => {
    const dir = await makeTmpDir()
    let logs = await openManager(dir, {}, { brokerConfigLayers: NO_BACKGROUND })
    let log = await compactedLog(logs, 'restart')
    for (let i = 0; i < 40; i++) await produce(log, [[`k${i % 7}`, `v${i}`]])
    await logs.policies.cleaner.cleanLog(log)
    const before = await readAll(log)
    const segsBefore = log.segments().map((s) => [s.baseOffset, s.sizeBytes])
    const checkpoint = logs.policies.cleaner.checkpoint(log)
    expect(checkpoint).toBe(log.activeSegment.baseOffset)
    await logs.close()
    logs = await openManager(dir, {}, { brokerConfigLayers: NO_BACKGROUND })
    log = logs.getTopic('restart')!.partitions[0]
    expect(await readAll(log)).toEqual(before)
    expect(log.segments().map((s) => [s.baseOffset, s.sizeBytes])).toEqual(segsBefore)
    expect(logs.policies.cleaner.checkpoint(log)).toBe(checkpoint)
    // reads from inside every cleaned batch still work (offset index of the cleaned segments)
    for (const b of before) {
      const r = await log.read(b.baseOffset, { maxBytes: 100, minOneMessage: true })
      expect(readBatchHeader(r.records!, 0).baseOffset).toBe(b.baseOffset)
    }
    // the old files are gone; no temp files left
    const names = await readdir(`${dir}/restart-0`)
    expect(names.filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([])
    await logs.close()
  })

  it('tombstones survive delete.retention.ms after their first clean, then go', async () => {
    let clock = Date.now()
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: NO_BACKGROUND, now: () => clock })
    const log = await compactedLog(logs, 'tombstones', { 'delete.retention.ms': '10000' })
    await produce(log, [['gone', 'v1']], { timestampMs: clock })
    await produce(log, [['kept', 'v1']], { timestampMs: clock })
    const tombstoneOffset = await produce(log, [['gone', null]], { timestampMs: clock })
    for (let i = 0; i < 12; i++) await produce(log, [[`filler${i}`, 'x'.repeat(40)]], { timestampMs: clock })

    await logs.policies.cleaner.cleanLog(log)
    let rec = recordsIn(await readAll(log))
    expect(rec.find((r) => r.key === 'gone' && r.value === 'v1')).toBeUndefined()
    expect(rec.find((r) => r.offset === tombstoneOffset)).toMatchObject({ key: 'gone', value: null })
    // the first pass stamped the horizon into the batch (KIP-534)
    const stamped = (await readAll(log)).find((b) => b.baseOffset === tombstoneOffset)!
    expect(stamped.attributes & Attributes.DELETE_HORIZON).toBe(Attributes.DELETE_HORIZON)
    expect(stamped.baseTimestamp).toBe(clock + 10_000)
    expect(stamped.records[0].timestampMs).toBe(clock) // record timestamps unchanged

    clock += 9_999
    for (let i = 0; i < 8; i++) await produce(log, [[`more${i}`, 'y'.repeat(40)]], { timestampMs: clock })
    await logs.policies.cleaner.cleanLog(log)
    rec = recordsIn(await readAll(log))
    expect(rec.find((r) => r.offset === tombstoneOffset)).toBeDefined()

    clock += 1
    for (let i = 0; i < 8; i++) await produce(log, [[`more${i}`, 'z'.repeat(40)]], { timestampMs: clock })
    await logs.policies.cleaner.cleanLog(log)
    rec = recordsIn(await readAll(log))
    expect(rec.find((r) => r.offset === tombstoneOffset)).toBeUndefined()
    expect(rec.find((r) => r.key === 'kept')?.value).toBe('v1')
    await logs.close()
  })

  it('keeps codecs, producer ids and sequences; the last batch of an active producer stays even when emptied', async () => {
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: NO_BACKGROUND })
    const log = await compactedLog(logs, 'producers', { 'segment.bytes': '600' })
    const pid = 4242
    let seq = 0
    const codecs = [1, 2, 3, 4]
    let lastProducerBatch = -1
    for (let i = 0; i < 8; i++) {
      lastProducerBatch = await produce(log, [['p', `p${i}`], [`q${i}`, 'q']], { producerId: pid, baseSequence: seq, compression: codecs[i % 4] })
      seq += 2
    }
    // overwrite every producer key with a later non-idempotent write, then fill past the segment
    await produce(log, [['p', 'final']])
    for (let i = 0; i < 8; i++) await produce(log, [[`q${i}`, 'final']])
    for (let i = 0; i < 10; i++) await produce(log, [[`f${i}`, 'x'.repeat(50)]])

    const before = await readAll(log)
    await logs.policies.cleaner.cleanLog(log)
    const after = await readAll(log)
    for (const b of after) {
      const orig = before.find((o) => o.baseOffset === b.baseOffset)!
      expect(b.lastOffset).toBe(orig.lastOffset)
      expect(b.producerId).toBe(orig.producerId)
      expect(b.baseSequence).toBe(orig.baseSequence)
      expect(b.attributes & Attributes.COMPRESSION_MASK).toBe(b.records.length === 0 ? 0 : orig.attributes & Attributes.COMPRESSION_MASK)
    }
    const kept = after.find((b) => b.baseOffset === lastProducerBatch)
    expect(kept).toBeDefined()
    expect(kept!.records).toHaveLength(0)
    expect(after.filter((b) => b.producerId === pid)).toHaveLength(1)
    // the producer can continue its sequence after the clean
    await produce(log, [['p', 'next']], { producerId: pid, baseSequence: seq })
    await logs.close()
  })

  it('a key map that fills up (log.cleaner.dedupe.buffer.size) cleans the log in several passes', async () => {
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: { static: { 'log.cleaner.enable': 'false', 'log.cleaner.dedupe.buffer.size': '1200' } } })
    const log = await compactedLog(logs, 'small-map')
    const written: { offset: number; key: string; value: string }[] = []
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 40; k++) written.push({ offset: await produce(log, [[`key${k}`, `v${round}`]]), key: `key${k}`, value: `v${round}` })
    }
    const active = log.activeSegment.baseOffset
    const checkpoints: number[] = []
    for (let i = 0; i < 30 && (logs.policies.cleaner.checkpoint(log) ?? 0) < active; i++) {
      await logs.policies.cleaner.cleanLog(log)
      checkpoints.push(logs.policies.cleaner.checkpoint(log)!)
    }
    expect(checkpoints.length).toBeGreaterThan(2) // the map covered only part of the dirty section each time
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]).toBeGreaterThan(checkpoints[i - 1])
    expect(checkpoints.at(-1)).toBe(active)
    const rec = recordsIn(await readAll(log))
    for (const r of rec) expect(written.find((w) => w.offset === r.offset)).toMatchObject({ key: r.key, value: r.value })
    const below = rec.filter((r) => r.offset < active)
    expect(new Set(below.map((r) => r.key)).size).toBe(below.length)
    for (let k = 0; k < 40; k++) expect(rec.filter((r) => r.key === `key${k}`).at(-1)?.value).toBe('v2')
    await logs.close()
  })

  it('fetches racing with cleaning passes and swaps never see wrong data or skip a surviving record', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir, {}, { brokerConfigLayers: NO_BACKGROUND, maxOpenSegmentFiles: 2 })
    const log = await compactedLog(logs, 'racing', { 'segment.bytes': '1200' })
    const written = new Map<number, { key: string; value: string }>()
    for (let i = 0; i < 400; i++) {
      const k = i % 3 === 0 ? `u${i}` : `k${i % 17}`
      written.set(await produce(log, [[k, `v${i}`]]), { key: k, value: `v${i}` })
    }
    const reads: { from: number; first: number }[] = []
    let cleaning = true
    const reader = (async () => {
      let n = 0
      while (cleaning) {
        const from = (n++ * 37) % log.highWatermark
        const r = await log.read(from, { maxBytes: 300, minOneMessage: true })
        expect(r.errorCode).toBe(ErrorCode.NONE)
        const buf = r.records!
        const recs = []
        for (let pos = 0; pos < buf.length; pos += readBatchHeader(buf, pos).batchLength + 12) {
          recs.push(...(await readBatchRecords(buf.subarray(pos, pos + readBatchHeader(buf, pos).batchLength + 12))).filter((x) => x.offset >= from))
        }
        const lastOffset = buf.length === 0 ? from - 1 : (() => {
          let pos = 0
          let last = from - 1
          while (pos < buf.length) {
            const h = readBatchHeader(buf, pos)
            last = h.baseOffset + h.lastOffsetDelta
            pos += h.batchLength + 12
          }
          return last
        })()
        for (const x of recs) expect({ key: x.key!.toString(), value: x.value!.toString() }).toEqual(written.get(x.offset))
        // nothing in [from, first) was returned: first record, or past the batches returned
        reads.push({ from, first: recs.length > 0 ? recs[0].offset : lastOffset + 1 })
        if (n % 5 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    for (let pass = 0; pass < 3; pass++) {
      await logs.policies.cleaner.cleanLog(log)
      for (let i = 0; i < 40; i++) written.set(await produce(log, [[`k${i % 17}`, `w${pass}-${i}`]]), { key: `k${i % 17}`, value: `w${pass}-${i}` })
    }
    cleaning = false
    await reader
    expect(reads.length).toBeGreaterThan(20)
    // whatever a read skipped was really compacted away
    const surviving = recordsIn(await readAll(log)).map((r) => r.offset)
    for (const { from, first } of reads) {
      expect(surviving.filter((o) => o >= from && o < first)).toEqual([])
    }
    await logs.close()
  })

  it('drops records without a key (a topic switched from delete to compact)', async () => {
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: NO_BACKGROUND })
    const t = await logs.createTopic({ name: 'switched', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '400', 'file.delete.delay.ms': '0' } }, { validateOnly: false })
    const log = t.partitions[0]
    for (let i = 0; i < 10; i++) {
      const batch = await buildBatch([{ offsetDelta: 0, timestampMs: Date.now(), key: null, value: Buffer.from(`nokey${i}`) }], { baseOffset: 0 })
      expect((await log.append(batch, { requiredAcks: -1 })).errorCode).toBe(ErrorCode.NONE)
      await produce(log, [[`k${i}`, 'v']])
    }
    await logs.alterTopicConfigs('switched', { 'cleanup.policy': 'compact', 'segment.bytes': '400', 'file.delete.delay.ms': '0' })
    await logs.policies.cleaner.cleanLog(log)
    const rec = recordsIn(await readAll(log)).filter((r) => r.offset < log.activeSegment.baseOffset)
    expect(rec.every((r) => r.key !== null)).toBe(true)
    await logs.close()
  })

  it('the background cleaner picks dirty logs by min.cleanable.dirty.ratio after log.cleaner.backoff.ms', async () => {
    const logs = await openManager(await makeTmpDir(), {}, { brokerConfigLayers: { static: { 'log.cleaner.backoff.ms': '20' } } })
    const passes: string[] = []
    logs.policies.cleaner.onPass((p) => passes.push(p.topic))
    const log = await compactedLog(logs, 'background', { 'min.cleanable.dirty.ratio': '0.01' })
    for (let i = 0; i < 30; i++) await produce(log, [[`k${i % 3}`, `v${i}`]])
    const deadline = Date.now() + 5000
    // The checkpoint moves before onPass reports the pass: wait for both (this raced, flakily).
    const done = (): boolean => passes.includes('background') && logs.policies.cleaner.checkpoint(log) === log.activeSegment.baseOffset
    while (!done() && Date.now() < deadline) await sleep(20)
    expect(passes).toContain('background')
    expect(logs.policies.cleaner.checkpoint(log)).toBe(log.activeSegment.baseOffset)
    // nothing dirty left: the cleaner backs off instead of cleaning the same log again
    const count = passes.length
    await sleep(300)
    expect(passes.length).toBe(count)
    await logs.close()
  })

  it('deleting a topic while its log is being cleaned aborts the clean and removes everything', async () => {
    const dir = await makeTmpDir()
    const logs = await openManager(dir, {}, { brokerConfigLayers: NO_BACKGROUND })
    const log = await compactedLog(logs, 'doomed', { 'segment.bytes': '100000' })
    for (let i = 0; i < 300; i++) await produce(log, [[`k${i % 50}`, 'v'.repeat(500)]])
    await log.roll()
    const cleaning = logs.policies.cleaner.cleanLog(log).then(
      () => 'finished',
      (err: Error) => err.name,
    )
    await logs.deleteTopic('doomed')
    expect(['finished', 'CleanerAbortedError', 'SwapAbortedError']).toContain(await cleaning)
    expect((await readdir(dir)).filter((n) => n.startsWith('doomed'))).toEqual([])
    await logs.close()
  })
})
