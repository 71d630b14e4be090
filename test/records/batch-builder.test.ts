import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { initCodecs } from '../../src/codecs/index.js'
import {
  Attributes,
  buildRecordBatch,
  isBatchCrcValid,
  iterateRecords,
  readBatchHeader,
} from '../../src/protocol/record-batch.js'
import {
  applyLogAppendTime,
  buildBatch,
  buildBatchSync,
  checkedBatchHeader,
  firstRecordWithoutKey,
  iterateBatchRecords,
  readBatchRecords,
  recompressBatch,
  type RecordToWrite,
} from '../../src/records/index.js'

beforeAll(async () => {
  await initCodecs()
})

const sample: RecordToWrite[] = [
  { offsetDelta: 0, timestampMs: 1000, key: Buffer.from('a'), value: Buffer.from('one'), headers: [{ key: 'h', value: Buffer.from('x') }] },
  { offsetDelta: 3, timestampMs: 900, key: Buffer.from('b'), value: null },
  { offsetDelta: 7, timestampMs: 1500, key: null, value: Buffer.from('three'), headers: [{ key: 'n', value: null }] },
]

const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)), { nil: null }),
  timestampMs: fc.integer({ min: 0, max: 2 ** 42 }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), { nil: null }) }), { maxLength: 3 }),
})

describe('buildBatch', () => {
  it.each([0, 1, 2, 3, 4])('codec %i: header fields, CRC and records read back', async (compression) => {
    const batch = await buildBatch(sample, {
      baseOffset: 2 ** 40, compression, producerId: 77, producerEpoch: 3, baseSequence: 10, isTransactional: true, partitionLeaderEpoch: 5,
    })
    expect(isBatchCrcValid(batch, 0)).toBe(true)
    const h = checkedBatchHeader(batch)
    expect(h).toMatchObject({
      baseOffset: 2 ** 40, compression, lastOffsetDelta: 7, recordsCount: 3, baseTimestamp: 1000, maxTimestamp: 1500,
      producerId: 77, producerEpoch: 3, baseSequence: 10, partitionLeaderEpoch: 5, size: batch.length,
    })
    expect(h.attributes & Attributes.TRANSACTIONAL).toBeTruthy()
    const records = await readBatchRecords(batch)
    expect(records.map((r) => [r.offset - 2 ** 40, r.timestampMs, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [0, 1000, 'a', 'one'], [3, 900, 'b', null], [7, 1500, null, 'three'],
    ])
    expect(records[0].headers).toEqual([{ key: 'h', value: Buffer.from('x') }])
    expect(records[1].isTombstone).toBe(true)
    expect(records[2].headers).toEqual([{ key: 'n', value: null }])
    expect(await firstRecordWithoutKey(batch)).toBe(2)
  })

  it('uncompressed output is byte-identical to the protocol builder', async () => {
    const records = sample.map((r, i) => ({ ...r, offsetDelta: i, headers: r.headers ?? [] }))
    const ours = await buildBatch(records, { baseOffset: 0 })
    expect(ours.equals(buildRecordBatch(records.map(({ key, value, timestampMs, headers }) => ({ key, value, timestampMs, headers: [...headers] }))))).toBe(true)
  })

  it('property: any records, any codec, read back by the protocol iterator too', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 4 }), (rs, compression) => {
        const records = rs.map((r, i) => ({ ...r, offsetDelta: i * 2 }))
        const batch = buildBatchSync(records, { baseOffset: 100, compression })
        const back = [...iterateBatchRecords(batch)]
        expect(back.map((r) => ({ key: r.key, value: r.value, timestampMs: r.timestampMs, headers: r.headers, offsetDelta: r.offsetDelta })))
          .toEqual(records.map((r) => ({ key: r.key, value: r.value, timestampMs: r.timestampMs, headers: r.headers, offsetDelta: r.offsetDelta })))
        if (compression === 0) expect([...iterateRecords(batch)].map((r) => r.offset)).toEqual(records.map((r) => 100 + r.offsetDelta))
      }),
      { numRuns: 100 },
    )
  })

  it('cleaner options: delete horizon as base timestamp, preserved last offset, empty header', async () => {
    const batch = await buildBatch(sample.slice(0, 2), { baseOffset: 50, compression: 3, deleteHorizonMs: 5000, lastOffsetDelta: 9 })
    const h = checkedBatchHeader(batch)
    expect(h.attributes & Attributes.DELETE_HORIZON).toBeTruthy()
    expect(h.baseTimestamp).toBe(5000)
    expect(h.lastOffsetDelta).toBe(9)
    expect((await readBatchRecords(batch)).map((r) => r.timestampMs)).toEqual([1000, 900])

    const empty = await buildBatch([], { baseOffset: 50, compression: 4, lastOffsetDelta: 9, maxTimestampMs: 1234, producerId: 8, producerEpoch: 1, baseSequence: 0 })
    expect(checkedBatchHeader(empty)).toMatchObject({ recordsCount: 0, lastOffsetDelta: 9, compression: 0, baseTimestamp: -1, maxTimestamp: 1234, producerId: 8, size: 61 })
    expect(isBatchCrcValid(empty, 0)).toBe(true)
  })

  it('LogAppendTime builds carry the append time as maxTimestamp and for every record', async () => {
    const batch = await buildBatch(sample, { baseOffset: 0, compression: 1, timestampType: 'LogAppendTime', logAppendTimeMs: 99 })
    expect(checkedBatchHeader(batch).maxTimestamp).toBe(99)
    expect((await readBatchRecords(batch)).map((r) => r.timestampMs)).toEqual([99, 99, 99])
  })
})

describe('rewrites', () => {
  it('applyLogAppendTime patches attributes, maxTimestamp and CRC in place without touching records', async () => {
    const batch = await buildBatch(sample, { baseOffset: 0, compression: 2 })
    const blob = Buffer.concat([Buffer.alloc(5), batch])
    const before = Buffer.from(blob.subarray(5 + 61))
    applyLogAppendTime(blob, 5, 123456789)
    const h = readBatchHeader(blob, 5)
    expect(h.attributes & Attributes.TIMESTAMP_TYPE).toBeTruthy()
    expect(h.maxTimestamp).toBe(123456789)
    expect(isBatchCrcValid(blob, 5)).toBe(true)
    expect(blob.subarray(5 + 61).equals(before)).toBe(true)
    expect((await readBatchRecords(blob.subarray(5))).map((r) => r.timestampMs)).toEqual([123456789, 123456789, 123456789])
  })

  it.each([[0, 4], [4, 1], [1, 2], [2, 3], [3, 0]])('recompress %i -> %i keeps header fields and records', async (from, to) => {
    const batch = await buildBatch(sample, { baseOffset: 42, compression: from, producerId: 5, producerEpoch: 0, baseSequence: 3 })
    const out = await recompressBatch(batch, to)
    expect(isBatchCrcValid(out, 0)).toBe(true)
    const a = checkedBatchHeader(batch)
    const b = checkedBatchHeader(out)
    expect(b.compression).toBe(to)
    expect({ ...b, compression: 0, attributes: 0, crc: 0, size: 0, batchLength: 0 }).toEqual({ ...a, compression: 0, attributes: 0, crc: 0, size: 0, batchLength: 0 })
    const keys = (await readBatchRecords(out)).map((r) => [r.offset, r.key?.toString() ?? null])
    expect(keys).toEqual([[42, 'a'], [45, 'b'], [49, null]])
  })
})

describe('lazy access', () => {
  it('reads keys without decoding values or headers, and reports malformed headers on access', async () => {
    const batch = await buildBatch(sample, { baseOffset: 0 })
    // corrupt the first record's header count varint (last bytes of record 0): key iteration still works
    const records = [...iterateBatchRecords(batch)]
    const fields = records[0].fields
    const at = fields.byteOffset - batch.byteOffset + fields.length - 1 - 2 - 1 - 1 // header count position
    const broken = Buffer.from(batch)
    broken[at] = 0x7f // claims many headers
    const lazy = [...iterateBatchRecords(broken)]
    expect(lazy.map((r) => r.key?.toString() ?? null)).toEqual(['a', 'b', null])
    expect(() => lazy[0].headers).toThrow()
  })

  it('rejects malformed batches with DecodeError', async () => {
    const batch = await buildBatch(sample, { baseOffset: 0 })
    expect(() => [...iterateBatchRecords(batch.subarray(0, 70))]).toThrow(/does not fit/)
    const wrongMagic = Buffer.from(batch)
    wrongMagic[16] = 1
    expect(() => [...iterateBatchRecords(wrongMagic)]).toThrow(/magic/)
    const badCount = Buffer.from(batch)
    badCount.writeInt32BE(1000, 57)
    expect(() => [...iterateBatchRecords(badCount)]).toThrow()
  })
})
