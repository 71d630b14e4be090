// Record iteration over one magic-2 batch, whatever its codec. Off the hot path: the cleaner,
// LogAppendTime/recompression, the compacted-topic key check, the HTTP API.
//
// Records are parsed lazily: each record's length prefix lets the iterator jump to the next one
// after reading only its timestamp, offset and key, so key-only consumers (the cleaner's key map,
// the "no null keys on compacted topics" check) never touch values or headers. Keys and values
// are views into the (decompressed) records section, never copies.
import { decompress, decompressSync, type DecompressOptions } from '../codecs/index.js'
import { DecodeError, Reader } from '../protocol/reader.js'
import {
  Attributes,
  BATCH_HEADER_SIZE,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  readBatchHeader,
  type BatchHeader,
  type RecordHeader,
} from '../protocol/record-batch.js'

export type { RecordHeader } from '../protocol/record-batch.js'

/** One record of a batch. `value` and `headers` are decoded on first access. */
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

function varBytes(r: Reader): Buffer | null {
  const n = r.varint()
  if (n === -1) return null
  if (n < 0) throw new DecodeError(`invalid length ${n}`)
  return r.slice(n)
}

/** Header of the batch at batch[0], checked enough to iterate safely. */
export function checkedBatchHeader(batch: Buffer): BatchHeader & { size: number; compression: number } {
  const header = readBatchHeader(batch, 0)
  if (header.magic !== CURRENT_MAGIC) throw new DecodeError(`unsupported record batch magic ${header.magic}`)
  const size = header.batchLength + LOG_OVERHEAD
  if (size < BATCH_HEADER_SIZE || size > batch.length) throw new DecodeError(`record batch length ${header.batchLength} does not fit`)
  return { ...header, size, compression: header.attributes & Attributes.COMPRESSION_MASK }
}

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

/**
 * Iterates the records encoded in `section` (a decompressed records section) for the batch
 * `header`. With LogAppendTime every record carries the batch maxTimestamp, as Kafka's readers do.
 * Malformed bytes throw DecodeError.
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
