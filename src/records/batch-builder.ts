// Writing magic-2 batches: building one from records with any codec (the cleaner, recompression),
// recompressing an existing batch without re-encoding its records, and the LogAppendTime rewrite
// (attribute bit 3 + maxTimestamp + CRC, records untouched).
import { compress, compressSync, decompress, decompressSync, type CompressOptions } from '../codecs/index.js'
import {
  Attributes,
  BATCH_HEADER_SIZE,
  BatchHeaderOffset,
  checkedBatchHeader,
  encodeRecordsSection,
  LOG_OVERHEAD,
  setAttributes,
  setMaxTimestamp,
  updateBatchCrc,
  writeBatchHeader,
  type RecordToEncode,
} from '../protocol/record-batch.js'

/** A record to write, with its offset delta (the records-section encoder's input). */
export type RecordToWrite = RecordToEncode

export const TimestampType = { CREATE_TIME: 'CreateTime', LOG_APPEND_TIME: 'LogAppendTime' } as const
export type TimestampTypeName = (typeof TimestampType)[keyof typeof TimestampType]

export interface BatchOptions {
  baseOffset: number
  /** codec id (0 none .. 4 zstd) */
  compression?: number
  compressionLevel?: number
  timestampType?: TimestampTypeName
  /** LogAppendTime batches: the append time, stored as maxTimestamp */
  logAppendTimeMs?: number
  /** CreateTime: store this maxTimestamp instead of the records' largest (e.g. an empty batch) */
  maxTimestampMs?: number
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControl?: boolean
  partitionLeaderEpoch?: number
  /**
   * Cleaner: when set (>= 0) the delete-horizon attribute is set and baseTimestamp carries it
   * (record timestamp deltas are relative to it, as Kafka writes them).
   */
  deleteHorizonMs?: number
  /**
   * Keep this lastOffsetDelta instead of the last record's delta: the cleaner preserves a batch's
   * last offset so the producer's last sequence survives compaction.
   */
  lastOffsetDelta?: number
}

interface Prepared {
  header: Buffer
  section: Buffer
  compression: number
}

function prepare(records: readonly RecordToWrite[], opts: BatchOptions): Prepared {
  const compression = opts.compression ?? 0
  const logAppendTime = opts.timestampType === TimestampType.LOG_APPEND_TIME
  const hasHorizon = opts.deleteHorizonMs !== undefined && opts.deleteHorizonMs >= 0
  let baseTimestamp = records.length > 0 ? records[0].timestampMs : -1
  if (hasHorizon) baseTimestamp = opts.deleteHorizonMs as number
  let maxTimestamp = -1
  for (const r of records) if (r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs
  if (opts.maxTimestampMs !== undefined) maxTimestamp = opts.maxTimestampMs
  if (logAppendTime) {
    if (opts.logAppendTimeMs === undefined) throw new RangeError('LogAppendTime batches need logAppendTimeMs')
    maxTimestamp = opts.logAppendTimeMs
  }
  let lastOffsetDelta = opts.lastOffsetDelta
  if (lastOffsetDelta === undefined) lastOffsetDelta = records.length > 0 ? records[records.length - 1].offsetDelta : 0
  let attributes = compression & Attributes.COMPRESSION_MASK
  if (logAppendTime) attributes |= Attributes.TIMESTAMP_TYPE
  if (opts.isTransactional) attributes |= Attributes.TRANSACTIONAL
  if (opts.isControl) attributes |= Attributes.CONTROL
  if (hasHorizon) attributes |= Attributes.DELETE_HORIZON

  const header = Buffer.alloc(BATCH_HEADER_SIZE)
  writeBatchHeader(header, {
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    attributes,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    recordsCount: records.length,
  })
  return { header, section: encodeRecordsSection(records, baseTimestamp), compression }
}

function assemble(header: Buffer, body: Buffer): Buffer {
  const batch = Buffer.concat([header, body])
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchHeaderOffset.BATCH_LENGTH)
  updateBatchCrc(batch, 0)
  return batch
}

function levelOf(opts: BatchOptions): CompressOptions {
  return opts.compressionLevel === undefined ? {} : { level: opts.compressionLevel }
}

/**
 * Builds one magic-2 batch (any codec) with a correct CRC. Records keep the offset deltas they
 * are given. An empty `records` list writes an empty batch header (as the cleaner keeps for
 * producer state), which is always uncompressed.
 */
export async function buildBatch(records: readonly RecordToWrite[], opts: BatchOptions): Promise<Buffer> {
  const p = prepare(records, records.length === 0 ? { ...opts, compression: 0 } : opts)
  const body = p.compression === 0 ? p.section : await compress(p.compression, p.section, levelOf(opts))
  return assemble(p.header, body)
}

/** Synchronous buildBatch; zstd needs `await initCodecs()` first. */
export function buildBatchSync(records: readonly RecordToWrite[], opts: BatchOptions): Buffer {
  const p = prepare(records, records.length === 0 ? { ...opts, compression: 0 } : opts)
  const body = p.compression === 0 ? p.section : compressSync(p.compression, p.section, levelOf(opts))
  return assemble(p.header, body)
}

/**
 * Rewrites the batch at batch[0] with codec `compression`: same header fields, same records
 * (the records section is codec-independent, so records are not re-encoded), new CRC.
 */
export async function recompressBatch(batch: Buffer, compression: number, opts: CompressOptions = {}): Promise<Buffer> {
  const h = checkedBatchHeader(batch)
  const raw = batch.subarray(BATCH_HEADER_SIZE, h.size)
  const section = h.compression === 0 ? raw : await decompress(h.compression, raw)
  const body = compression === 0 ? section : await compress(compression, section, opts)
  return withCodec(batch, body, compression)
}

export function recompressBatchSync(batch: Buffer, compression: number, opts: CompressOptions = {}): Buffer {
  const h = checkedBatchHeader(batch)
  const raw = batch.subarray(BATCH_HEADER_SIZE, h.size)
  const section = h.compression === 0 ? raw : decompressSync(h.compression, raw)
  const body = compression === 0 ? section : compressSync(compression, section, opts)
  return withCodec(batch, body, compression)
}

function withCodec(batch: Buffer, body: Buffer, compression: number): Buffer {
  const header = Buffer.from(batch.subarray(0, BATCH_HEADER_SIZE))
  const attributes = header.readInt16BE(BatchHeaderOffset.ATTRIBUTES)
  setAttributes(header, 0, (attributes & ~Attributes.COMPRESSION_MASK) | (compression & Attributes.COMPRESSION_MASK))
  return assemble(header, body)
}

/**
 * LogAppendTime, in place: sets the timestamp-type attribute and maxTimestamp = appendTimeMs, and
 * recomputes the CRC. Records are not parsed or changed (readers use maxTimestamp for every record).
 */
export function applyLogAppendTime(batch: Buffer, pos: number, appendTimeMs: number): void {
  const attributes = batch.readInt16BE(pos + BatchHeaderOffset.ATTRIBUTES)
  setAttributes(batch, pos, attributes | Attributes.TIMESTAMP_TYPE)
  setMaxTimestamp(batch, pos, appendTimeMs)
  updateBatchCrc(batch, pos)
}
