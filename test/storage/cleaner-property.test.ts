// Property test of the cleaner against a model. Random keyed records (tombstones included), random
// codecs, some batches from an idempotent producer, spread over many small segments; cleaning
// passes and clock ticks at random points. After every pass:
//   - offsets strictly increase and every record is the one written at that offset;
//   - every batch keeps its base offset, last offset, producer id and base sequence (and codec);
//   - nothing at or past the cleaner checkpoint changed; the active segment is untouched;
//   - below the checkpoint, one record per key: the latest one below it, unless it is a tombstone
//     whose delete horizon (first clean covering it + delete.retention.ms) a later pass reached;
//   - the producer's last batch is still there (its sequence survives).
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { buildBatch, readBatchRecords } from '../../src/records/index.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { cleanupTmpDirs, openManager, servedBatches } from './helpers.js'

afterAll(cleanupTmpDirs)

const DELETE_RETENTION_MS = 1000
const PRODUCER_ID = 777

type Op =
  | { kind: 'append'; records: { key: string; value: string | null }[]; codec: number; idempotent: boolean }
  | { kind: 'clean' }
  | { kind: 'tick'; ms: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      records: fc.array(
        fc.record({
          key: fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'),
          value: fc.option(fc.string({ maxLength: 40 }), { freq: 4, nil: null }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      codec: fc.constantFrom(0, 0, 1, 2, 3, 4),
      idempotent: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'clean' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1500 }).map((ms) => ({ kind: 'tick' as const, ms })) },
)

interface Written {
  key: string
  value: string | null
}
interface BatchMeta {
  lastOffset: number
  producerId: number
  baseSequence: number
  codec: number
}
interface ReadRec {
  offset: number
  key: string | null
  value: string | null
}
interface ReadBatch extends BatchMeta {
  baseOffset: number
  records: ReadRec[]
}

async function readAll(log: PartitionLog): Promise<ReadBatch[]> {
  const out: ReadBatch[] = []
  for await (const { header: h, bytes, lastOffset, fromOffset } of servedBatches(log)) {
    if (lastOffset >= fromOffset) {
      const records = (await readBatchRecords(bytes)).map((x) => ({ offset: x.offset, key: x.key?.toString() ?? null, value: x.value?.toString() ?? null }))
      out.push({ baseOffset: h.baseOffset, lastOffset, producerId: h.producerId, baseSequence: h.baseSequence, codec: h.attributes & 7, records })
    }
  }
  return out
}

async function run(ops: Op[]): Promise<void> {
  let clock = 1_700_000_000_000
  const logs = await openManager(null, {}, { now: () => clock, brokerConfigLayers: { static: { 'log.cleaner.enable': 'false' } } })
  try {
    const topic = await logs.createTopic(
      {
        name: 'prop',
        numPartitions: 1,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': '300', 'delete.retention.ms': String(DELETE_RETENTION_MS), 'file.delete.delay.ms': '0' },
      },
      { validateOnly: false },
    )
    const log = topic.partitions[0]
    const cleaner = logs.policies.cleaner
    const written = new Map<number, Written>()
    const batches = new Map<number, BatchMeta>()
    const horizon = new Map<number, number>() // tombstone offset -> delete horizon once stamped
    const passTimes: { time: number; endOffset: number }[] = []
    let sequence = 0
    let lastProducerBatch = -1

    const check = async (): Promise<void> => {
      const read = await readAll(log)
      const records = read.flatMap((b) => b.records)
      const cp = cleaner.checkpoint(log) ?? 0
      for (let i = 1; i < records.length; i++) expect(records[i].offset).toBeGreaterThan(records[i - 1].offset)
      for (const r of records) expect({ key: r.key, value: r.value }).toEqual(written.get(r.offset))
      for (const b of read) {
        const orig = batches.get(b.baseOffset)!
        expect(orig).toBeDefined()
        expect(b.lastOffset).toBe(orig.lastOffset)
        expect(b.producerId).toBe(orig.producerId)
        expect(b.baseSequence).toBe(orig.baseSequence)
        if (b.records.length > 0) expect(b.codec).toBe(orig.codec)
      }
      // at and past the checkpoint: untouched
      const tail = [...written.keys()].filter((o) => o >= cp)
      expect(records.filter((r) => r.offset >= cp).map((r) => r.offset)).toEqual(tail)
      // below it: the latest record of each key, tombstones until a pass reached their horizon
      const latest = new Map<string, number>()
      for (const [o, w] of written) if (o < cp && o > (latest.get(w.key) ?? -1)) latest.set(w.key, o)
      const below = records.filter((r) => r.offset < cp)
      expect(new Set(below.map((r) => r.key)).size).toBe(below.length)
      for (const [key, o] of latest) {
        const present = below.some((r) => r.offset === o)
        if (written.get(o)!.value !== null) {
          expect(present, `latest value of ${key} at ${o}`).toBe(true)
        } else {
          const h = horizon.get(o)!
          const removed = passTimes.some((p) => p.time >= h && p.endOffset > o)
          expect(present, `tombstone of ${key} at ${o} (horizon ${h})`).toBe(!removed)
        }
      }
      for (const r of below) expect(latest.get(r.key!)).toBe(r.offset)
      if (lastProducerBatch >= 0) expect(read.some((b) => b.baseOffset === lastProducerBatch)).toBe(true)
    }

    for (const op of ops) {
      if (op.kind === 'tick') {
        clock += op.ms
      } else if (op.kind === 'append') {
        const producer = op.idempotent ? { producerId: PRODUCER_ID, producerEpoch: 0, baseSequence: sequence } : {}
        const batch = await buildBatch(
          op.records.map((r, i) => ({ offsetDelta: i, timestampMs: clock, key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })),
          { baseOffset: 0, compression: op.codec, ...producer },
        )
        const res = await log.append(batch, { requiredAcks: -1, produceVersion: 9 })
        expect(res.errorCode).toBe(ErrorCode.NONE)
        op.records.forEach((r, i) => written.set(res.baseOffset + i, r))
        batches.set(res.baseOffset, {
          lastOffset: res.baseOffset + op.records.length - 1,
          producerId: op.idempotent ? PRODUCER_ID : -1,
          baseSequence: op.idempotent ? sequence : -1,
          codec: op.codec,
        })
        if (op.idempotent) {
          sequence += op.records.length
          lastProducerBatch = res.baseOffset
        }
      } else {
        const active = log.activeSegment
        const activeBefore = (await readAll(log)).filter((b) => b.baseOffset >= active.baseOffset)
        const pass = await cleaner.cleanLog(log)
        expect(log.activeSegment).toBe(active)
        expect((await readAll(log)).filter((b) => b.baseOffset >= active.baseOffset)).toEqual(activeBefore)
        if (pass) {
          for (const [o, w] of written) if (w.value === null && o < pass.endOffset && !horizon.has(o)) horizon.set(o, clock + DELETE_RETENTION_MS)
          passTimes.push({ time: clock, endOffset: pass.endOffset })
        }
        await check()
      }
    }
    // a final pass after the horizon of everything
    clock += DELETE_RETENTION_MS * 2
    const pass = await cleaner.cleanLog(log)
    if (pass) {
      for (const [o, w] of written) if (w.value === null && o < pass.endOffset && !horizon.has(o)) horizon.set(o, clock + DELETE_RETENTION_MS)
      passTimes.push({ time: clock, endOffset: pass.endOffset })
    }
    await check()
  } finally {
    await logs.close()
  }
}

describe('cleaner property', () => {
  it('the compacted log agrees with the model after any sequence of appends, passes and ticks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 70 }), run),
      { numRuns: 60 },
    )
  }, 240_000)
})
