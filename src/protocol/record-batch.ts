// Record batch (magic 2) header view, in-place setters, the records-section encoder and parser
// (src/records builds any-codec batches on them), and a builder/iterator for uncompressed batches.
// Layout: ../shared/kafka-protocol/RECORD-BATCH.md. int64 fields are JS numbers (exact within
// +-2^53, which offsets, timestamps and producer ids never leave).
import { crc32c } from './crc32c.js'
import { DecodeError, Reader } from './reader.js'

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

/** int64 as a JS number (exact below 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4)
}

export function writeInt64(buf: Buffer, at: number, v: number): void {
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

export type BatchHeaderFields = Omit<BatchHeader, 'batchLength' | 'magic' | 'crc'>

/** Writes a magic-2 header at buf[0]; batchLength and the CRC are the caller's (updateBatchCrc). */
export function writeBatchHeader(buf: Buffer, h: BatchHeaderFields): void {
  writeInt64(buf, BatchHeaderOffset.BASE_OFFSET, h.baseOffset)
  buf.writeInt32BE(h.partitionLeaderEpoch, BatchHeaderOffset.PARTITION_LEADER_EPOCH)
  buf.writeInt8(CURRENT_MAGIC, BatchHeaderOffset.MAGIC)
  buf.writeInt16BE(h.attributes, BatchHeaderOffset.ATTRIBUTES)
  buf.writeInt32BE(h.lastOffsetDelta, BatchHeaderOffset.LAST_OFFSET_DELTA)
  writeInt64(buf, BatchHeaderOffset.BASE_TIMESTAMP, h.baseTimestamp)
  writeInt64(buf, BatchHeaderOffset.MAX_TIMESTAMP, h.maxTimestamp)
  writeInt64(buf, BatchHeaderOffset.PRODUCER_ID, h.producerId)
  buf.writeInt16BE(h.producerEpoch, BatchHeaderOffset.PRODUCER_EPOCH)
  buf.writeInt32BE(h.baseSequence, BatchHeaderOffset.BASE_SEQUENCE)
  buf.writeInt32BE(h.recordsCount, BatchHeaderOffset.RECORDS_COUNT)
}

/** Header of the batch at batch[0], checked enough to iterate its records safely. */
export function checkedBatchHeader(batch: Buffer): BatchHeader & { size: number; compression: number } {
  const header = readBatchHeader(batch, 0)
  if (header.magic !== CURRENT_MAGIC) throw new DecodeError(`unsupported record batch magic ${header.magic}`)
  const size = header.batchLength + LOG_OVERHEAD
  if (size < BATCH_HEADER_SIZE || size > batch.length) throw new DecodeError(`record batch length ${header.batchLength} does not fit`)
  return { ...header, size, compression: header.attributes & Attributes.COMPRESSION_MASK }
}

export interface RecordHeader {
  key: string
  value: Buffer | null
}

// ---- Records section (RECORD-BATCH.md §5): the one encoder and the one parser of records. ----

export interface RecordToEncode {
  /** offset - batch baseOffset */
  offsetDelta: number
  timestampMs: number
  key: Buffer | null
  value: Buffer | null
  headers?: readonly RecordHeader[]
}

function zigzag64(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1
}

function uvarintSize(u: number): number {
  let n = 1
  while (u >= 0x80) {
    u = Math.floor(u / 0x80)
    n++
  }
  return n
}

const varintSize = (v: number): number => uvarintSize(zigzag64(v))

function writeVarint(buf: Buffer, pos: number, v: number): number {
  let u = zigzag64(v)
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80
    u = Math.floor(u / 0x80)
  }
  buf[pos++] = u
  return pos
}

function writeVarBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1)
  pos = writeVarint(buf, pos, b.length)
  b.copy(buf, pos)
  return pos + b.length
}

/**
 * Encodes `records` (uncompressed) with timestamps relative to `baseTimestamp`. Sizes are computed
 * first so the section is one allocation. Int64 values are JS numbers.
 */
export function encodeRecordsSection(records: readonly RecordToEncode[], baseTimestamp: number): Buffer {
  const bodySizes = new Array<number>(records.length)
  const headerKeys: Buffer[][] = []
  let total = 0
  records.forEach((r, i) => {
    const headers = r.headers ?? []
    const keys = headers.map((h) => Buffer.from(h.key, 'utf8'))
    headerKeys.push(keys)
    let size = 1 + varintSize(r.timestampMs - baseTimestamp) + varintSize(r.offsetDelta)
    size += r.key === null ? 1 : varintSize(r.key.length) + r.key.length
    size += r.value === null ? 1 : varintSize(r.value.length) + r.value.length
    size += varintSize(headers.length)
    headers.forEach((h, j) => {
      size += varintSize(keys[j].length) + keys[j].length
      size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length
    })
    bodySizes[i] = size
    total += varintSize(size) + size
  })
  const out = Buffer.allocUnsafe(total)
  let pos = 0
  records.forEach((r, i) => {
    pos = writeVarint(out, pos, bodySizes[i])
    out[pos++] = 0 // record attributes
    pos = writeVarint(out, pos, r.timestampMs - baseTimestamp)
    pos = writeVarint(out, pos, r.offsetDelta)
    pos = writeVarBytes(out, pos, r.key)
    pos = writeVarBytes(out, pos, r.value)
    const headers = r.headers ?? []
    pos = writeVarint(out, pos, headers.length)
    headers.forEach((h, j) => {
      pos = writeVarBytes(out, pos, headerKeys[i][j])
      pos = writeVarBytes(out, pos, h.value)
    })
  })
  return out
}

function varBytes(r: Reader): Buffer | null {
  const n = r.varint()
  if (n < -1) throw new DecodeError(`invalid length ${n}`)
  return n === -1 ? null : r.slice(n)
}

/**
 * One record of a records section. Parsed lazily: `value` and `headers` are decoded on first
 * access, so key-only readers (the cleaner's key map, the null-key check) skip them. Keys and
 * values are views into the section, never copies.
 */
export class BatchRecord {
  /** @internal */
  constructor(
    private readonly data: Buffer,
    /** start of the record's fields (after its length varint) */
    private readonly fieldsStart: number,
    private readonly valueLengthPos: number,
    /** end of the record */
    private readonly end: number,
    readonly offsetDelta: number,
    readonly offset: number,
    readonly timestampDelta: number,
    readonly timestampMs: number,
    readonly key: Buffer | null,
    /** bytes of the encoded record including its length prefix */
    readonly sizeInBytes: number,
  ) {}

  private valueCache: Buffer | null | undefined
  private headersCache: RecordHeader[] | undefined
  private headersStart = -1

  get value(): Buffer | null {
    if (this.valueCache === undefined) {
      const r = new Reader(this.data, this.valueLengthPos, this.end)
      this.valueCache = varBytes(r)
      this.headersStart = r.offset
    }
    return this.valueCache
  }

  /** True when the value is null (a tombstone on compacted topics), without decoding the value. */
  get isTombstone(): boolean {
    const r = new Reader(this.data, this.valueLengthPos, this.end)
    return r.varint() === -1
  }

  get headers(): RecordHeader[] {
    if (this.headersCache === undefined) {
      if (this.headersStart < 0) void this.value
      const r = new Reader(this.data, this.headersStart, this.end)
      const count = r.varint()
      if (count < 0 || count > r.remaining()) throw new DecodeError(`record header count ${count} does not fit`)
      const headers: RecordHeader[] = []
      for (let i = 0; i < count; i++) {
        const keyLength = r.varint()
        if (keyLength < 0) throw new DecodeError('record header key is null')
        const key = r.slice(keyLength).toString('utf8')
        headers.push({ key, value: varBytes(r) })
      }
      if (r.offset !== this.end) throw new DecodeError(`record at offset ${this.offset} has ${this.end - r.offset} trailing bytes`)
      this.headersCache = headers
    }
    return this.headersCache
  }

  /** The encoded record fields (attributes .. headers), e.g. to copy it unchanged. */
  get fields(): Buffer {
    return this.data.subarray(this.fieldsStart, this.end)
  }
}

/**
 * Iterates the records encoded in `section` (an uncompressed or decompressed records section) of
 * the batch `header`. With LogAppendTime every record carries the batch maxTimestamp, as Kafka's
 * readers do. Malformed bytes throw DecodeError.
 */
export function* iterateRecordsSection(header: BatchHeader, section: Buffer): Generator<BatchRecord> {
  const r = new Reader(section)
  const logAppendTime = (header.attributes & Attributes.TIMESTAMP_TYPE) !== 0
  if (header.recordsCount < 0 || header.recordsCount > r.remaining()) {
    throw new DecodeError(`record batch claims ${header.recordsCount} records`)
  }
  for (let i = 0; i < header.recordsCount; i++) {
    const start = r.offset
    const length = r.varint()
    if (length < 0 || length > r.remaining()) throw new DecodeError(`record length ${length} does not fit`)
    const fieldsStart = r.offset
    const end = fieldsStart + length
    const fields = new Reader(section, fieldsStart, end)
    fields.int8() // record attributes: unused
    const timestampDelta = fields.varlong()
    const offsetDelta = fields.varint()
    const key = varBytes(fields)
    const valueLengthPos = fields.offset
    if (fields.remaining() < 1) throw new DecodeError(`record ${i} is truncated`)
    r.offset = end
    yield new BatchRecord(
      section,
      fieldsStart,
      valueLengthPos,
      end,
      offsetDelta,
      header.baseOffset + offsetDelta,
      timestampDelta,
      logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      end - start,
    )
  }
}

// ---- Whole uncompressed batches: thin wrappers over the section encoder/parser above. ----

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
  const section = encodeRecordsSection(records.map((r, offsetDelta) => ({ ...r, offsetDelta })), baseTimestamp)
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + section.length)
  const { baseOffset = 0, partitionLeaderEpoch = -1, producerId = -1, producerEpoch = -1, baseSequence = -1 } = opts
  const lastOffsetDelta = records.length - 1
  writeBatchHeader(batch, { baseOffset, partitionLeaderEpoch, attributes, lastOffsetDelta, baseTimestamp, maxTimestamp,
    producerId, producerEpoch, baseSequence, recordsCount: records.length })
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchHeaderOffset.BATCH_LENGTH)
  section.copy(batch, BATCH_HEADER_SIZE)
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
 * `decompress` hook is given), fully decoded. With LogAppendTime every record gets the batch
 * maxTimestamp. Malformed bytes throw DecodeError.
 */
export function* iterateRecords(batch: Buffer, opts: IterateRecordsOptions = {}): Generator<RecordEntry> {
  const header = checkedBatchHeader(batch)
  let section = batch.subarray(BATCH_HEADER_SIZE, header.size)
  if (header.compression !== CompressionType.NONE) {
    if (opts.decompress === undefined) throw new DecodeError(`compressed record batch (codec ${header.compression}) needs a decompress hook`)
    section = opts.decompress(header.compression, section)
  }
  for (const record of iterateRecordsSection(header, section)) {
    const { offset, timestampMs, key, value, headers } = record
    yield { offset, timestampMs, key, value, headers }
  }
}
