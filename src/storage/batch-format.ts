// Byte offsets of the magic-v2 batch header (RECORD-BATCH.md §2) and int64 access as JS numbers.
// Storage reads header fields straight from the buffer (no per-batch header object on hot paths).
// int64 values are JS numbers: offsets, timestamps and producer ids stay below 2^53.

export const BASE_OFFSET = 0
export const LENGTH = 8
export const PARTITION_LEADER_EPOCH = 12
export const MAGIC = 16
export const CRC = 17
export const ATTRIBUTES = 21
export const LAST_OFFSET_DELTA = 23
export const BASE_TIMESTAMP = 27
export const MAX_TIMESTAMP = 35
export const PRODUCER_ID = 43
export const PRODUCER_EPOCH = 51
export const BASE_SEQUENCE = 53
export const RECORDS_COUNT = 57
export const HEADER_SIZE = 61
export const LOG_OVERHEAD = 12
/** Smallest `Length` value a reader accepts before it can see the magic byte (Kafka's legacy v0 overhead). */
export const MIN_RECORD_OVERHEAD = 14

export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_MASK = 0x10
export const CONTROL_MASK = 0x20
export const COMPRESSION_ZSTD = 4

export const INT32_MAX = 2147483647
const TWO_32 = 4294967296

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4)
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32)
  buf.writeInt32BE(hi, pos)
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4)
}

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
