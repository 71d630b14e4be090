// Record iteration over one magic-2 batch, whatever its codec. Off the hot path: the cleaner,
// LogAppendTime/recompression, the compacted-topic key check, the HTTP API.
//
// The records-section parser (lazy BatchRecord: key-only readers never touch values or headers)
// lives in protocol/record-batch.ts; this module adds decompression around it.
import { decompress, decompressSync, type DecompressOptions } from '../codecs/index.js'
import { BATCH_HEADER_SIZE, checkedBatchHeader, iterateRecordsSection, type BatchRecord } from '../protocol/record-batch.js'

export { BatchRecord, checkedBatchHeader, iterateRecordsSection, type RecordHeader } from '../protocol/record-batch.js'

/** The batch's records section, decompressed (a view for uncompressed batches). */
export async function recordsSection(batch: Buffer, opts: DecompressOptions = {}): Promise<Buffer> {
  const h = checkedBatchHeader(batch)
  const raw = batch.subarray(BATCH_HEADER_SIZE, h.size)
  return h.compression === 0 ? raw : decompress(h.compression, raw, opts)
}

/** Synchronous variant; zstd batches need `await initCodecs()` first. */
export function recordsSectionSync(batch: Buffer, opts: DecompressOptions = {}): Buffer {
  const h = checkedBatchHeader(batch)
  const raw = batch.subarray(BATCH_HEADER_SIZE, h.size)
  return h.compression === 0 ? raw : decompressSync(h.compression, raw, opts)
}

/** All records of the batch at batch[0] (decompressing as needed). */
export async function readBatchRecords(batch: Buffer, opts: DecompressOptions = {}): Promise<BatchRecord[]> {
  const header = checkedBatchHeader(batch)
  return [...iterateRecordsSection(header, await recordsSection(batch, opts))]
}

/** Synchronous generator over the batch at batch[0]; zstd needs `await initCodecs()` first. */
export function* iterateBatchRecords(batch: Buffer, opts: DecompressOptions = {}): Generator<BatchRecord> {
  const header = checkedBatchHeader(batch)
  yield* iterateRecordsSection(header, recordsSectionSync(batch, opts))
}

/**
 * Index of the first record with a null key, or -1. Compacted topics reject such batches with
 * INVALID_RECORD; only keys are read.
 */
export async function firstRecordWithoutKey(batch: Buffer, opts: DecompressOptions = {}): Promise<number> {
  const header = checkedBatchHeader(batch)
  let i = 0
  for (const record of iterateRecordsSection(header, await recordsSection(batch, opts))) {
    if (record.key === null) return i
    i++
  }
  return -1
}
