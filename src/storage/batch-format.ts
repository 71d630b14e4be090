// Byte offsets of the magic-v2 batch header (RECORD-BATCH.md §2) and int64 access as JS numbers.
// Storage reads header fields straight from the buffer (no per-batch header object on hot paths).
// int64 values are JS numbers: offsets, timestamps and producer ids stay below 2^53.
import { Attributes, BATCH_HEADER_SIZE, BatchHeaderOffset, CompressionType, LOG_OVERHEAD, readInt64, writeInt64 } from '../protocol/record-batch.js'

// One source of truth for the layout: src/protocol/record-batch.ts; these are flat aliases.
export const BASE_OFFSET = BatchHeaderOffset.BASE_OFFSET
export const LENGTH = BatchHeaderOffset.BATCH_LENGTH
export const PARTITION_LEADER_EPOCH = BatchHeaderOffset.PARTITION_LEADER_EPOCH
export const MAGIC = BatchHeaderOffset.MAGIC
export const CRC = BatchHeaderOffset.CRC
export const ATTRIBUTES = BatchHeaderOffset.ATTRIBUTES
export const LAST_OFFSET_DELTA = BatchHeaderOffset.LAST_OFFSET_DELTA
export const BASE_TIMESTAMP = BatchHeaderOffset.BASE_TIMESTAMP
export const MAX_TIMESTAMP = BatchHeaderOffset.MAX_TIMESTAMP
export const PRODUCER_ID = BatchHeaderOffset.PRODUCER_ID
export const PRODUCER_EPOCH = BatchHeaderOffset.PRODUCER_EPOCH
export const BASE_SEQUENCE = BatchHeaderOffset.BASE_SEQUENCE
export const RECORDS_COUNT = BatchHeaderOffset.RECORDS_COUNT
export const HEADER_SIZE = BATCH_HEADER_SIZE
export { LOG_OVERHEAD, readInt64, writeInt64 }
/** Smallest `Length` value a reader accepts before it can see the magic byte (Kafka's legacy v0 overhead). */
export const MIN_RECORD_OVERHEAD = 14

export const COMPRESSION_MASK = Attributes.COMPRESSION_MASK
export const TIMESTAMP_TYPE_MASK = Attributes.TIMESTAMP_TYPE
export const TRANSACTIONAL_MASK = Attributes.TRANSACTIONAL
export const CONTROL_MASK = Attributes.CONTROL
export const COMPRESSION_ZSTD = CompressionType.ZSTD

export const INT32_MAX = 2147483647

/** Total bytes of the batch starting at pos (Length + 12); the caller checks pos + 12 <= length. */
export function batchSize(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + LENGTH) + LOG_OVERHEAD
}

export function lastOffsetOf(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BASE_OFFSET) + buf.readInt32BE(pos + LAST_OFFSET_DELTA)
}

/** Sequence arithmetic wraps at INT32_MAX back to 0 (DefaultRecordBatch.incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1
  return sequence + increment
}

export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1
  return sequence - decrement
}

/** Kafka's 20-digit zero-padded file name stem for a base offset. */
export function offsetFileStem(offset: number): string {
  return String(offset).padStart(20, '0')
}
