// Sparse segment indexes kept in memory in their on-disk byte layout (Kafka's .index and
// .timeindex: big-endian, offsets relative to the segment's base offset), so writing them out is
// one write of the used prefix.
import { readInt64, writeInt64 } from './batch-format.js'

const OFFSET_ENTRY = 8
const TIME_ENTRY = 12

function grow(buf: Buffer, needed: number): Buffer {
  if (needed <= buf.length) return buf
  const next = Buffer.alloc(Math.max(needed, buf.length * 2, 256))
  buf.copy(next)
  return next
}

/** relative offset (int32) -> file position (int32). Entry offsets strictly increase. */
export class OffsetIndex {
  private buf: Buffer
  entries = 0

  constructor(
    readonly baseOffset: number,
    data?: Buffer,
  ) {
    this.buf = data ?? Buffer.alloc(0)
    this.entries = data ? Math.floor(data.length / OFFSET_ENTRY) : 0
  }

  /** Parses an index file; null when it is inconsistent (then the segment is rebuilt). */
  static load(baseOffset: number, data: Buffer, logSize: number): OffsetIndex | null {
    if (data.length % OFFSET_ENTRY !== 0) return null
    let prevRel = -1
    let prevPos = -1
    for (let p = 0; p < data.length; p += OFFSET_ENTRY) {
      const rel = data.readInt32BE(p)
      const pos = data.readInt32BE(p + 4)
      if (rel <= prevRel || pos < prevPos || pos >= logSize || rel < 0) return null
      prevRel = rel
      prevPos = pos
    }
    return new OffsetIndex(baseOffset, Buffer.from(data))
  }

  get lastOffset(): number {
    return this.entries === 0 ? this.baseOffset - 1 : this.baseOffset + this.buf.readInt32BE((this.entries - 1) * OFFSET_ENTRY)
  }

  get lastPosition(): number {
    return this.entries === 0 ? 0 : this.buf.readInt32BE((this.entries - 1) * OFFSET_ENTRY + 4)
  }

  append(offset: number, position: number): void {
    if (this.entries > 0 && offset <= this.lastOffset) return
    this.buf = grow(this.buf, (this.entries + 1) * OFFSET_ENTRY)
    const p = this.entries * OFFSET_ENTRY
    this.buf.writeInt32BE(offset - this.baseOffset, p)
    this.buf.writeInt32BE(position, p + 4)
    this.entries++
  }

  /** File position of the largest entry with offset <= target (0 when none). */
  lookup(targetOffset: number): number {
    const rel = targetOffset - this.baseOffset
    let lo = 0
    let hi = this.entries - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.buf.readInt32BE(mid * OFFSET_ENTRY) <= rel) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found < 0 ? 0 : this.buf.readInt32BE(found * OFFSET_ENTRY + 4)
  }

  /** Drops entries at or beyond `position` (after a truncation). */
  truncateToPosition(position: number): void {
    while (this.entries > 0 && this.buf.readInt32BE((this.entries - 1) * OFFSET_ENTRY + 4) >= position) this.entries--
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.entries * OFFSET_ENTRY)
  }
}

/** timestamp (int64) -> relative offset (int32). Timestamps strictly increase. */
export class TimeIndex {
  private buf: Buffer
  entries = 0

  constructor(
    readonly baseOffset: number,
    data?: Buffer,
  ) {
    this.buf = data ?? Buffer.alloc(0)
    this.entries = data ? Math.floor(data.length / TIME_ENTRY) : 0
  }

  static load(baseOffset: number, data: Buffer): TimeIndex | null {
    if (data.length % TIME_ENTRY !== 0) return null
    let prevTs = -Infinity
    let prevRel = -1
    for (let p = 0; p < data.length; p += TIME_ENTRY) {
      const ts = readInt64(data, p)
      const rel = data.readInt32BE(p + 8)
      if (ts <= prevTs || rel < prevRel || rel < 0) return null
      prevTs = ts
      prevRel = rel
    }
    return new TimeIndex(baseOffset, Buffer.from(data))
  }

  lastEntry(): { timestamp: number; offset: number } | null {
    if (this.entries === 0) return null
    const p = (this.entries - 1) * TIME_ENTRY
    return { timestamp: readInt64(this.buf, p), offset: this.baseOffset + this.buf.readInt32BE(p + 8) }
  }

  /** Kafka's maybeAppend: only a timestamp larger than the last entry's is recorded. */
  maybeAppend(timestamp: number, offset: number): void {
    if (this.entries > 0 && timestamp <= readInt64(this.buf, (this.entries - 1) * TIME_ENTRY)) return
    this.buf = grow(this.buf, (this.entries + 1) * TIME_ENTRY)
    const p = this.entries * TIME_ENTRY
    writeInt64(this.buf, p, timestamp)
    this.buf.writeInt32BE(offset - this.baseOffset, p + 8)
    this.entries++
  }

  /** Offset of the largest entry with timestamp <= target (the base offset when none). */
  lookup(timestampMs: number): number {
    let lo = 0
    let hi = this.entries - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (readInt64(this.buf, mid * TIME_ENTRY) <= timestampMs) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.buf.readInt32BE(found * TIME_ENTRY + 8)
  }

  /** Drops entries pointing at or beyond `offset` (after a truncation). */
  truncateToOffset(offset: number): void {
    while (this.entries > 0 && this.baseOffset + this.buf.readInt32BE((this.entries - 1) * TIME_ENTRY + 8) >= offset) this.entries--
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.entries * TIME_ENTRY)
  }
}
