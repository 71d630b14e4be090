import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32c, crc32cUpdate } from '../../src/protocol/crc32c.js'
import {
  Attributes,
  BATCH_HEADER_SIZE,
  BatchHeaderOffset,
  LOG_OVERHEAD,
  buildRecordBatch,
  computeBatchCrc,
  isBatchCrcValid,
  iterateBatches,
  iterateRecords,
  readBatchHeader,
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  updateBatchCrc,
  setAttributes,
} from '../../src/protocol/record-batch.js'
import { DecodeError } from '../../src/protocol/reader.js'

const require = createRequire(import.meta.url)

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa)
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43)
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e)
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c)
    expect(crc32c(Buffer.alloc(0))).toBe(0)
  })

  it('honours start/end and can be continued', () => {
    const data = Buffer.from('xx123456789yy')
    expect(crc32c(data, 2, 11)).toBe(0xe3069283)
    expect(crc32cUpdate(crc32c(data, 2, 6), data, 6, 11)).toBe(0xe3069283)
    expect(() => crc32c(data, 5, 100)).toThrow(RangeError)
  })

  it('agrees with a bitwise reference and with kafkajs on random data', () => {
    const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number
    const bitwise = (buf: Uint8Array): number => {
      let c = 0xffffffff
      for (const byte of buf) {
        c ^= byte
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
      }
      return (c ^ 0xffffffff) >>> 0
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes)
        expect(crc32c(buf)).toBe(bitwise(buf))
        expect(crc32c(buf)).toBe(kafkajsCrc(buf))
      }),
      { numRuns: 300 },
    )
  })
})

describe('buildRecordBatch / iterateRecords', () => {
  const records = [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), timestampMs: 1_700_000_000_000, headers: [{ key: 'h', value: Buffer.from('x') }] },
    { key: null, value: null, timestampMs: 1_700_000_000_500 },
    { key: Buffer.alloc(0), value: Buffer.alloc(2000, 1), timestampMs: 1_699_999_999_000, headers: [{ key: 'ü', value: null }] },
  ]

  it('writes a valid magic-2 header with a correct CRC', () => {
    const batch = buildRecordBatch(records, { baseOffset: 0, producerId: 42, producerEpoch: 3, baseSequence: 7 })
    const h = readBatchHeader(batch, 0)
    expect(h).toMatchObject({
      baseOffset: 0, batchLength: batch.length - LOG_OVERHEAD, partitionLeaderEpoch: -1, magic: 2, attributes: 0,
      lastOffsetDelta: 2, baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_500,
      producerId: 42, producerEpoch: 3, baseSequence: 7, recordsCount: 3,
    })
    expect(h.crc).toBe(computeBatchCrc(batch, 0))
    expect(isBatchCrcValid(batch, 0)).toBe(true)
  })

  it('round-trips records', () => {
    const batch = buildRecordBatch(records, { baseOffset: 100 })
    const out = [...iterateRecords(batch)]
    expect(out).toEqual([
      { offset: 100, timestampMs: 1_700_000_000_000, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: [{ key: 'h', value: Buffer.from('x') }] },
      { offset: 101, timestampMs: 1_700_000_000_500, key: null, value: null, headers: [] },
      { offset: 102, timestampMs: 1_699_999_999_000, key: Buffer.alloc(0), value: Buffer.alloc(2000, 1), headers: [{ key: 'ü', value: null }] },
    ])
  })

  it('round-trips random records (property)', () => {
    const recordArb = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), { nil: null }),
      timestampMs: fc.integer({ min: 0, max: 2 ** 45 }),
      headers: fc.array(fc.record({ key: fc.string(), value: fc.option(fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)), { nil: null }) }), { maxLength: 3 }),
    })
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 10 }), fc.maxSafeInteger().map(Math.abs), (recs, baseOffset) => {
        const batch = buildRecordBatch(recs, { baseOffset })
        expect(isBatchCrcValid(batch, 0)).toBe(true)
        const out = [...iterateRecords(batch)]
        expect(out).toEqual(recs.map((r, i) => ({ ...r, offset: baseOffset + i })))
      }),
      { numRuns: 200 },
    )
  })

  it('setters for baseOffset and leader epoch leave the CRC valid', () => {
    const batch = buildRecordBatch(records)
    setBaseOffset(batch, 0, 2 ** 40)
    setPartitionLeaderEpoch(batch, 0, 5)
    expect(isBatchCrcValid(batch, 0)).toBe(true)
    expect(readBatchHeader(batch, 0)).toMatchObject({ baseOffset: 2 ** 40, partitionLeaderEpoch: 5 })
    expect([...iterateRecords(batch)].map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1, 2 ** 40 + 2])
  })

  it('LogAppendTime: attributes and maxTimestamp need a new CRC; records take maxTimestamp', () => {
    const batch = buildRecordBatch(records)
    setAttributes(batch, 0, Attributes.TIMESTAMP_TYPE)
    setMaxTimestamp(batch, 0, 123)
    expect(isBatchCrcValid(batch, 0)).toBe(false)
    updateBatchCrc(batch, 0)
    expect(isBatchCrcValid(batch, 0)).toBe(true)
    expect([...iterateRecords(batch)].map((r) => r.timestampMs)).toEqual([123, 123, 123])
  })

  it('compressed batches need a decompress hook', () => {
    const batch = buildRecordBatch(records)
    const compressed = Buffer.from(batch)
    setAttributes(compressed, 0, 1)
    expect(() => [...iterateRecords(compressed)]).toThrow(DecodeError)
    // identity "codec": the hook receives the bytes after the header
    const out = [...iterateRecords(compressed, { decompress: (codec, data) => (codec === 1 ? data : Buffer.alloc(0)) })]
    expect(out).toHaveLength(3)
  })

  it('malformed batches throw DecodeError only', () => {
    const batch = buildRecordBatch(records)
    expect(() => readBatchHeader(batch.subarray(0, 60), 0)).toThrow(DecodeError)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), (edits, cut) => {
        const copy = Buffer.from(batch)
        for (const [pos, byte] of edits) copy[pos % copy.length] = byte
        try {
          ;[...iterateRecords(copy.subarray(0, Math.max(BATCH_HEADER_SIZE, cut % (copy.length + 1))))]
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('iterateBatches', () => {
  it('walks concatenated batches and stops at a truncated tail', () => {
    const a = buildRecordBatch([{ key: null, value: Buffer.from('a'), timestampMs: 1 }], { baseOffset: 0 })
    const b = buildRecordBatch([{ key: null, value: Buffer.from('bb'), timestampMs: 2 }], { baseOffset: 1 })
    const blob = Buffer.concat([a, b, b.subarray(0, b.length - 1)])
    const seen = [...iterateBatches(blob)]
    expect(seen.map((x) => [x.position, x.size, x.header.baseOffset])).toEqual([[0, a.length, 0], [a.length, b.length, 1]])
  })
})

describe('kafkajs interop', () => {
  type KafkajsEncoder = { buffer: Buffer }
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (opts: Record<string, unknown>) => Promise<KafkajsEncoder> }
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: Record<string, unknown>) => KafkajsEncoder
  const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{ records: { key: Buffer | null; value: Buffer | null; offset: string; timestamp: string; headers: Record<string, Buffer> }[] }>
  const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown

  it('reads a batch written by kafkajs (CRC included)', async () => {
    const encoder = await RecordBatch({
      firstOffset: 0,
      firstTimestamp: 1000,
      maxTimestamp: 1005,
      lastOffsetDelta: 1,
      producerId: -1,
      records: [
        Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('1'), headers: { h: 'v' } }),
        Record({ offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from('2') }),
      ],
    })
    const batch = encoder.buffer
    expect(isBatchCrcValid(batch, 0)).toBe(true)
    const out = [...iterateRecords(batch)]
    expect(out).toEqual([
      { offset: 0, timestampMs: 1000, key: Buffer.from('a'), value: Buffer.from('1'), headers: [{ key: 'h', value: Buffer.from('v') }] },
      { offset: 1, timestampMs: 1005, key: null, value: Buffer.from('2'), headers: [] },
    ])
  })

  it('kafkajs reads a batch built by buildRecordBatch', async () => {
    const batch = buildRecordBatch(
      [
        { key: Buffer.from('a'), value: Buffer.from('1'), timestampMs: 5000, headers: [{ key: 'h', value: Buffer.from('v') }] },
        { key: null, value: Buffer.from('2'), timestampMs: 5001 },
      ],
      { baseOffset: 10 },
    )
    const decoded = await RecordBatchDecoder(new Decoder(batch))
    expect(decoded.records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).toEqual([
      ['10', '5000', Buffer.from('a'), Buffer.from('1'), { h: Buffer.from('v') }],
      ['11', '5001', null, Buffer.from('2'), {}],
    ])
  })
})

describe('header layout constants', () => {
  it('match the documented offsets', () => {
    expect(BatchHeaderOffset).toMatchObject({ BASE_OFFSET: 0, BATCH_LENGTH: 8, PARTITION_LEADER_EPOCH: 12, MAGIC: 16, CRC: 17, ATTRIBUTES: 21, RECORDS_COUNT: 57 })
    expect(BATCH_HEADER_SIZE).toBe(61)
    expect(LOG_OVERHEAD).toBe(12)
  })
})
