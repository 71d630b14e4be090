// Record batch (magic 2) header view, in-place setters, and a builder/iterator for uncompressed
// batches. Layout: ../shared/kafka-protocol/RECORD-BATCH.md. int64 fields are JS numbers (exact
// within +-2^53, which offsets, timestamps and producer ids never leave).
import { crc32c } from './crc32c.js'
import { DecodeError, Reader } from './reader.js'
import { Writer } from './writer.js'

export { crc32c, crc32cUpdate } from './crc32c.js'

/** Byte offsets of the header fields, relative to the start of the batch. */
export const BatchHeaderOffset = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
} as const

export const BATCH_HEADER_SIZE = 61
/** baseOffset + batchLength: the bytes of a batch not counted by batchLength */
export const LOG_OVERHEAD = 12
/** the CRC covers [CRC_START, end of batch) */
export const CRC_START = BatchHeaderOffset.ATTRIBUTES
export const CURRENT_MAGIC = 2

export const Attributes = {
  COMPRESSION_MASK: 7,
  TIMESTAMP_TYPE: 8,
  TRANSACTIONAL: 16,
  CONTROL: 32,
  DELETE_HORIZON: 64,
} as const

export const CompressionType = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const

export interface BatchHeader {
  baseOffset: number
  /** bytes after the batchLength field: the whole batch is batchLength + LOG_OVERHEAD */
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  /** unsigned */
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

const TWO_POW_32 = 4294967296

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4)
}

function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32)
  buf.writeInt32BE(hi, at)
  buf.writeUInt32BE(v - hi * TWO_POW_32, at + 4)
}

/** Reads the 61-byte header at buf[pos]. Throws DecodeError if fewer bytes are there. No CRC check. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (pos < 0 || buf.length - pos < BATCH_HEADER_SIZE) {
    throw new DecodeError(`record batch header needs ${BATCH_HEADER_SIZE} bytes at ${pos}, buffer has ${buf.length}`)
  }
  return {
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + 17),
    attributes: buf.readInt16BE(pos + 21),
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: readInt64(buf, pos + 27),
    maxTimestamp: readInt64(buf, pos + 35),
    producerId: readInt64(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount: buf.readInt32BE(pos + 57),
  }
}

/** Outside the CRC: no recomputation needed. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + BatchHeaderOffset.BASE_OFFSET, offset)
}

/** Outside the CRC: no recomputation needed. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BatchHeaderOffset.PARTITION_LEADER_EPOCH)
}

/** Inside the CRC: call updateBatchCrc afterwards (e.g. when applying LogAppendTime). */
export function setMaxTimestamp(buf: Buffer, pos: number, timestampMs: number): void {
  writeInt64(buf, pos + BatchHeaderOffset.MAX_TIMESTAMP, timestampMs)
}

/** Inside the CRC: call updateBatchCrc afterwards. */
export function setAttributes(buf: Buffer, pos: number, attributes: number): void {
  buf.writeInt16BE(attributes, pos + BatchHeaderOffset.ATTRIBUTES)
}

/** CRC-32C the batch at buf[pos] should carry (its length is read from the header). */
export function computeBatchCrc(buf: Buffer, pos: number): number {
  const end = pos + LOG_OVERHEAD + buf.readInt32BE(pos + BatchHeaderOffset.BATCH_LENGTH)
  if (end > buf.length || end < pos + BATCH_HEADER_SIZE) throw new DecodeError(`record batch at ${pos} has an invalid length`)
  return crc32c(buf, pos + CRC_START, end)
}

/** Whether the stored CRC matches the bytes. */
export function isBatchCrcValid(buf: Buffer, pos: number): boolean {
  return computeBatchCrc(buf, pos) === buf.readUInt32BE(pos + BatchHeaderOffset.CRC)
}

/** Recomputes and stores the CRC after changing CRC-covered bytes. */
export function updateBatchCrc(buf: Buffer, pos: number): void {
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + BatchHeaderOffset.CRC)
}

/**
 * Walks the complete batches of a records blob (e.g. a fetch response or a segment slice), stopping
 * silently at a truncated trailing batch as Kafka's readers do. Headers only; nothing is verified.
 */
export function* iterateBatches(buf: Buffer): Generator<{ position: number; size: number; header: BatchHeader }> {
  let pos = 0
  while (buf.length - pos >= BATCH_HEADER_SIZE) {
    const header = readBatchHeader(buf, pos)
    const size = header.batchLength + LOG_OVERHEAD
    if (size < BATCH_HEADER_SIZE) throw new DecodeError(`record batch at ${pos} has length ${header.batchLength}`)
    if (buf.length - pos < size) return
    yield { position: pos, size, header }
    pos += size
  }
}

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface RecordInput {
  key: Buffer | null
  value: Buffer | null
  timestampMs: number
  headers?: RecordHeader[]
}

export interface BuildBatchOptions {
  baseOffset?: number
  partitionLeaderEpoch?: number
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  /** compression bits must be 0: the builder writes uncompressed records */
  attributes?: number
}

function zigzagSize32(v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0
  let n = 1
  while (u >= 0x80) {
    u >>>= 7
    n++
  }
  return n
}

function zigzagSize64(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1
  let n = 1
  while (z >= 0x80) {
    z = Math.floor(z / 0x80)
    n++
  }
  return n
}

/** Builds one uncompressed magic-2 batch with offset deltas 0..n-1 and a correct CRC. */
export function buildRecordBatch(records: RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  const attributes = opts.attributes ?? 0
  if ((attributes & Attributes.COMPRESSION_MASK) !== 0) throw new RangeError('buildRecordBatch writes uncompressed batches only')
  let baseTimestamp = -1
  let maxTimestamp = -1
  if (records.length > 0) {
    baseTimestamp = records[0].timestampMs
    for (const r of records) if (r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs
  }
  const w = new Writer(BATCH_HEADER_SIZE + 64 * records.length)
  w.int64(opts.baseOffset ?? 0)
  w.int32(0) // batchLength, patched below
  w.int32(opts.partitionLeaderEpoch ?? -1)
  w.int8(CURRENT_MAGIC)
  w.int32(0) // crc, patched below
  w.int16(attributes)
  w.int32(records.length - 1)
  w.int64(baseTimestamp)
  w.int64(maxTimestamp)
  w.int64(opts.producerId ?? -1)
  w.int16(opts.producerEpoch ?? -1)
  w.int32(opts.baseSequence ?? -1)
  w.int32(records.length)
  records.forEach((r, offsetDelta) => {
    const timestampDelta = r.timestampMs - baseTimestamp
    const headers = r.headers ?? []
    const keyLength = r.key === null ? -1 : r.key.length
    const valueLength = r.value === null ? -1 : r.value.length
    let size = 1 + zigzagSize64(timestampDelta) + zigzagSize32(offsetDelta) +
      zigzagSize32(keyLength) + Math.max(keyLength, 0) + zigzagSize32(valueLength) + Math.max(valueLength, 0) +
      zigzagSize32(headers.length)
    const headerKeys = headers.map((h) => Buffer.from(h.key, 'utf8'))
    headers.forEach((h, i) => {
      const hv = h.value === null ? -1 : h.value.length
      size += zigzagSize32(headerKeys[i].length) + headerKeys[i].length + zigzagSize32(hv) + Math.max(hv, 0)
    })
    w.varint(size)
    w.int8(0)
    w.varlong(timestampDelta)
    w.varint(offsetDelta)
    w.varint(keyLength)
    if (r.key !== null) w.raw(r.key)
    w.varint(valueLength)
    if (r.value !== null) w.raw(r.value)
    w.varint(headers.length)
    headers.forEach((h, i) => {
      w.varint(headerKeys[i].length)
      w.raw(headerKeys[i])
      w.varint(h.value === null ? -1 : h.value.length)
      if (h.value !== null) w.raw(h.value)
    })
  })
  const parts = w.chunks()
  const batch = parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts)
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchHeaderOffset.BATCH_LENGTH)
  updateBatchCrc(batch, 0)
  return batch
}

export interface RecordEntry {
  offset: number
  timestampMs: number
  /** views into the batch (no copy) */
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface IterateRecordsOptions {
  /** Decompresses the records section of a compressed batch (compression = attributes & 7). */
  decompress?: (compression: number, data: Buffer) => Buffer
}

/**
 * Yields the records of the batch that starts at batch[0] (uncompressed, or compressed when a
 * `decompress` hook is given). With LogAppendTime every record gets the batch maxTimestamp.
 * Malformed bytes throw DecodeError.
 */
export function* iterateRecords(batch: Buffer, opts: IterateRecordsOptions = {}): Generator<RecordEntry> {
  const header = readBatchHeader(batch, 0)
  if (header.magic !== CURRENT_MAGIC) throw new DecodeError(`unsupported record batch magic ${header.magic}`)
  const end = header.batchLength + LOG_OVERHEAD
  if (end < BATCH_HEADER_SIZE || end > batch.length) throw new DecodeError(`record batch length ${header.batchLength} does not fit`)
  const compression = header.attributes & Attributes.COMPRESSION_MASK
  let r: Reader
  if (compression === CompressionType.NONE) {
    r = new Reader(batch, BATCH_HEADER_SIZE, end)
  } else {
    if (opts.decompress === undefined) throw new DecodeError(`compressed record batch (codec ${compression}) needs a decompress hook`)
    const data = opts.decompress(compression, batch.subarray(BATCH_HEADER_SIZE, end))
    r = new Reader(data)
  }
  const logAppendTime = (header.attributes & Attributes.TIMESTAMP_TYPE) !== 0
  if (header.recordsCount < 0 || header.recordsCount > r.remaining()) {
    throw new DecodeError(`record batch claims ${header.recordsCount} records`)
  }
  for (let i = 0; i < header.recordsCount; i++) {
    const length = r.varint()
    if (length < 0 || length > r.remaining()) throw new DecodeError(`record length ${length} does not fit`)
    const recordEnd = r.offset + length
    r.int8() // attributes, unused
    const timestampDelta = r.varlong()
    const offsetDelta = r.varint()
    const key = nullableVarBytes(r)
    const value = nullableVarBytes(r)
    const headerCount = r.varint()
    if (headerCount < 0 || headerCount > r.remaining()) throw new DecodeError(`record header count ${headerCount} does not fit`)
    const headers: RecordHeader[] = []
    for (let h = 0; h < headerCount; h++) {
      const keyLength = r.varint()
      if (keyLength < 0) throw new DecodeError('record header key is null')
      const headerKey = r.slice(keyLength).toString('utf8')
      headers.push({ key: headerKey, value: nullableVarBytes(r) })
    }
    if (r.offset !== recordEnd) throw new DecodeError(`record ${i} has ${recordEnd - r.offset} bytes beyond its fields`)
    yield {
      offset: header.baseOffset + offsetDelta,
      timestampMs: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    }
  }
}

function nullableVarBytes(r: Reader): Buffer | null {
  const n = r.varint()
  if (n < 0) {
    if (n === -1) return null
    throw new DecodeError(`invalid length ${n}`)
  }
  return r.slice(n)
}
