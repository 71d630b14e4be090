// Record-level reads inside one batch, for the cold timestamp lookups of ListOffsets only.
// Compressed batches are not decompressed here (timestamp-lookup.ts does that): they answer at
// batch granularity.
import { ATTRIBUTES, BASE_TIMESTAMP, COMPRESSION_MASK, HEADER_SIZE, MAX_TIMESTAMP, readInt64, RECORDS_COUNT, TIMESTAMP_TYPE_MASK } from './batch-format.js'

let cursor = 0

function varlong(buf: Buffer, end: number): number {
  let shift = 0
  let raw = 0
  for (;;) {
    if (cursor >= end || shift > 63) throw new RangeError('malformed varint')
    const b = buf[cursor++]
    raw += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) break
    shift += 7
  }
  // zig-zag: (raw >>> 1) ^ -(raw & 1), done in floating point for values beyond 32 bits
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
}

export interface TimestampAndOffset {
  timestamp: number
  offset: number
}

/**
 * In the batch at buf[off, off+size): the first record with timestamp >= target (mode
 * 'atOrAfter') or === target ('equal') and offset >= minOffset. Compressed batches and
 * LogAppendTime batches answer with the batch's max timestamp at its first eligible offset.
 */
export function findRecordByTimestamp(
  buf: Buffer,
  off: number,
  size: number,
  target: number,
  minOffset: number,
  mode: 'atOrAfter' | 'equal',
): TimestampAndOffset | null {
  const baseOffset = readInt64(buf, off)
  const attributes = buf.readInt16BE(off + ATTRIBUTES)
  const maxTimestamp = readInt64(buf, off + MAX_TIMESTAMP)
  const lastOffset = baseOffset + buf.readInt32BE(off + 23)
  if (lastOffset < minOffset) return null
  if ((attributes & TIMESTAMP_TYPE_MASK) !== 0 || (attributes & COMPRESSION_MASK) !== 0) {
    const ok = mode === 'equal' ? maxTimestamp === target : maxTimestamp >= target
    return ok ? { timestamp: maxTimestamp, offset: Math.max(baseOffset, minOffset) } : null
  }
  const baseTimestamp = readInt64(buf, off + BASE_TIMESTAMP)
  const count = buf.readInt32BE(off + RECORDS_COUNT)
  const end = off + size
  cursor = off + HEADER_SIZE
  try {
    for (let i = 0; i < count && cursor < end; i++) {
      const length = varlong(buf, end)
      const recordEnd = cursor + length
      cursor++ // attributes
      const timestamp = baseTimestamp + varlong(buf, end)
      const offset = baseOffset + varlong(buf, end)
      const ok = mode === 'equal' ? timestamp === target : timestamp >= target
      if (ok && offset >= minOffset) return { timestamp, offset }
      cursor = recordEnd
    }
  } catch {
    return null
  }
  return null
}
