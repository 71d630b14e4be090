import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { updateBatchCrc } from '../../src/protocol/record-batch.js'
import type { LogManager } from '../../src/storage/log-manager.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { batch, cleanupTmpDirs, openManager, recordsOf } from './helpers.js'

let logs: LogManager
let log: PartitionLog

beforeAll(async () => {
  logs = await openManager(null)
  const t = await logs.createTopic({ name: 'v', numPartitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }, { validateOnly: false })
  log = t.partitions[0]
})
afterAll(async () => {
  await logs.close()
  await cleanupTmpDirs()
})

const v9 = { requiredAcks: -1, produceVersion: 9 }

async function code(records: Buffer, opts = v9): Promise<number> {
  return (await log.append(records, opts)).errorCode
}

describe('append validation (RECORD-BATCH.md §7)', () => {
  it('accepts a well-formed batch', async () => {
    expect(await code(batch(3))).toBe(ErrorCode.NONE)
  })

  it('rejects a batch larger than max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    const r = await log.append(batch(1, { valueBytes: 3000 }), v9)
    expect(r).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1, logStartOffset: -1 })
    expect(r.errorMessage).toContain('2000')
  })

  it('rejects a wrong CRC with CORRUPT_MESSAGE', async () => {
    const b = batch(2)
    b[b.length - 1] ^= 0xff
    expect(await code(b)).toBe(ErrorCode.CORRUPT_MESSAGE)
  })

  it('rejects a batch shorter than the 61-byte header with CORRUPT_MESSAGE', async () => {
    const b = batch(1).subarray(0, 40)
    b.writeInt32BE(40 - 12, 8)
    expect(await code(Buffer.from(b))).toBe(ErrorCode.CORRUPT_MESSAGE)
  })

  it('rejects magic != 2 on Produce v3+ with INVALID_RECORD', async () => {
    const b = batch(1)
    b[16] = 1
    expect(await code(b)).toBe(ErrorCode.INVALID_RECORD)
  })

  it('rejects a client batch with a non-zero base offset with INVALID_RECORD', async () => {
    expect(await code(batch(1, { baseOffset: 5 }))).toBe(ErrorCode.INVALID_RECORD)
  })

  it('rejects lastOffsetDelta + 1 != recordsCount with INVALID_RECORD', async () => {
    const b = batch(3)
    b.writeInt32BE(5, 23)
    updateBatchCrc(b, 0)
    expect(await code(b)).toBe(ErrorCode.INVALID_RECORD)
  })

  it('rejects control batches from clients with INVALID_RECORD', async () => {
    expect(await code(batch(1, { attributes: 0x20 }))).toBe(ErrorCode.INVALID_RECORD)
  })

  it('rejects two batches in one Produce v3+ partition with INVALID_RECORD, and none', async () => {
    expect(await code(Buffer.concat([batch(1), batch(1)]))).toBe(ErrorCode.INVALID_RECORD)
    expect(await code(Buffer.alloc(0))).toBe(ErrorCode.INVALID_RECORD)
    expect(await code(batch(1).subarray(0, 50))).toBe(ErrorCode.INVALID_RECORD) // truncated: no whole batch
  })

  it('rejects zstd before Produce v7 with UNSUPPORTED_COMPRESSION_TYPE', async () => {
    const b = batch(1)
    b.writeInt16BE(4, 21)
    updateBatchCrc(b, 0)
    expect(await code(b, { requiredAcks: 1, produceVersion: 6 })).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
  })

  it('rejects an idempotent batch without a sequence with INVALID_RECORD', async () => {
    expect(await code(batch(1, { producerId: 7, producerEpoch: 0, baseSequence: -1 }))).toBe(ErrorCode.INVALID_RECORD)
  })

  it('rejects timestamps more than message.timestamp.after.max.ms ahead with INVALID_TIMESTAMP', async () => {
    expect(await code(batch(1, { timestampMs: Date.now() + 2 * 3600_000 }))).toBe(ErrorCode.INVALID_TIMESTAMP)
  })

  it('never stores rejected batches: the log holds only the accepted ones', async () => {
    const r = await log.read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(recordsOf(r.records).map((x) => x.value)).toEqual(['v-0', 'v-1', 'v-2'])
  })

  it('allows several batches for internal appends (no produce version)', async () => {
    const r = await log.append(Buffer.concat([batch(2), batch(3)]), { requiredAcks: -1, internal: true })
    expect(r.errorCode).toBe(ErrorCode.NONE)
    expect(log.highWatermark).toBe(r.baseOffset + 5)
  })
})

describe('LogAppendTime topics', () => {
  it('stamps the broker time into MaxTimestamp, sets the attribute bit and a valid CRC', async () => {
    const t = await logs.createTopic({ name: 'lat', numPartitions: 1, replicationFactor: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } }, { validateOnly: false })
    const before = Date.now()
    const r = await t.partitions[0].append(batch(2, { timestampMs: 1000 }), v9)
    expect(r.logAppendTimeMs).toBeGreaterThanOrEqual(before)
    const read = await t.partitions[0].read(0, { maxBytes: 10000, minOneMessage: true })
    const b = read.records!
    expect(b.readInt16BE(21) & 0x08).toBe(0x08)
    expect(Number(b.readBigInt64BE(35))).toBe(r.logAppendTimeMs)
    const { isBatchCrcValid } = await import('../../src/protocol/record-batch.js')
    expect(isBatchCrcValid(b, 0)).toBe(true)
  })
})

describe('topic-level record checks and recompression', () => {
  it('rejects a record without a key on a compacted topic with INVALID_RECORD and a record error', async () => {
    const t = await logs.createTopic({ name: 'compacted', numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }, { validateOnly: false })
    const { buildRecordBatch } = await import('../../src/protocol/record-batch.js')
    const keyed = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestampMs: Date.now() }])
    const unkeyed = buildRecordBatch([
      { key: Buffer.from('k'), value: Buffer.from('v'), timestampMs: Date.now() },
      { key: null, value: Buffer.from('v'), timestampMs: Date.now() },
    ])
    expect((await t.partitions[0].append(keyed, v9)).errorCode).toBe(ErrorCode.NONE)
    const r = await t.partitions[0].append(unkeyed, v9)
    expect(r.errorCode).toBe(ErrorCode.INVALID_RECORD)
    expect(r.recordErrors).toEqual([{ batchIndex: 1, batchIndexErrorMessage: expect.stringContaining('without key') }])
    expect(t.partitions[0].highWatermark).toBe(1)
  })

  it('keeps order across the asynchronous path (pipelined idempotent appends)', async () => {
    const t = await logs.createTopic({ name: 'compacted-order', numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }, { validateOnly: false })
    const { buildRecordBatch } = await import('../../src/protocol/record-batch.js')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.partitions[0].append(buildRecordBatch([{ key: Buffer.from(`k${i}`), value: null, timestampMs: Date.now() }], { producerId: 77, producerEpoch: 0, baseSequence: i }), v9),
      ),
    )
    expect(results.map((r) => r.errorCode)).toEqual(Array(20).fill(0))
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('recompresses batches to the topic compression.type', async () => {
    const t = await logs.createTopic({ name: 'gz', numPartitions: 1, replicationFactor: 1, configs: { 'compression.type': 'gzip' } }, { validateOnly: false })
    const r = await t.partitions[0].append(batch(50, { valueBytes: 100 }), v9)
    expect(r.errorCode).toBe(ErrorCode.NONE)
    const read = await t.partitions[0].read(0, { maxBytes: 1 << 20, minOneMessage: true })
    expect(read.records!.readInt16BE(21) & 7).toBe(1)
    expect(read.records!.length).toBeLessThan(50 * 100)
    const { readBatchRecords } = await import('../../src/records/index.js')
    const records = await readBatchRecords(read.records!)
    expect(records.length).toBe(50)
    expect(records[49].offset).toBe(49)
  })
})
