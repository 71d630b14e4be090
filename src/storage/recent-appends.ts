// The most recent appends of an active segment, kept in memory so that consumers at the tail of
// the log, typically a long-poll fetch woken by the append, are answered without a file read and
// its thread-pool round trip. Small appends (the latency-sensitive case) are copied into chunks
// this segment owns: the appended buffer is a view of a request frame, which the network layer
// may reuse once the append is done. Larger appends are not kept (readers go to the file).
// Bounded per segment and across all segments; when over budget the oldest entries go and reads
// fall back to the file. Only whole appends are kept and they stay contiguous up to the
// segment's written size, so a read served from here returns exactly the bytes the file would.
import { batchSize, HEADER_SIZE, LAST_OFFSET_DELTA, readInt64 } from './batch-format.js'

/** Appends up to this size are kept (copied); a larger one empties the cache. */
const APPEND_MAX_BYTES = 64 * 1024
/** Copies go into chunks of this size (one allocation for many small appends). */
const CHUNK_BYTES = 64 * 1024
/** Bytes one segment may hold (plus up to one partly used chunk). */
const SEGMENT_MAX_BYTES = 1024 * 1024
/** Bytes all segments together may hold. */
const TOTAL_MAX_BYTES = 16 * 1024 * 1024

const EMPTY = Buffer.alloc(0)
let totalBytes = 0

interface Entry {
  /** File position of buf[0]. */
  position: number
  buf: Buffer
  baseOffset: number
  lastOffset: number
  cost: number
}

export interface RecentRead {
  records: Buffer
  tooLarge: boolean
}

/** Bytes held by all RecentAppends (diagnostics and tests). */
export function recentAppendsBytes(): number {
  return totalBytes
}

export class RecentAppends {
  private entries: Entry[] = []
  private bytes = 0
  /** The chunk small appends are copied into, and how much of it is used. */
  private chunk: Buffer | null = null
  private chunkUsed = 0

  /** Records an append that was just written at `position` (whole batches, offsets assigned). */
  add(appended: Buffer, position: number, baseOffset: number, lastOffset: number): void {
    if (appended.length > APPEND_MAX_BYTES) {
      this.clear()
      return
    }
    const n = this.entries.length
    // Entries must stay contiguous: after a gap, start over from this append.
    if (n > 0) {
      const last = this.entries[n - 1]
      if (last.position + last.buf.length !== position) this.clear()
    }
    const buf = this.copy(appended)
    const cost = buf.length
    this.entries.push({ position, buf, baseOffset, lastOffset, cost })
    this.bytes += cost
    totalBytes += cost
    while (this.entries.length > 0 && (this.bytes > SEGMENT_MAX_BYTES || totalBytes > TOTAL_MAX_BYTES)) {
      const e = this.entries.shift()!
      this.bytes -= e.cost
      totalBytes -= e.cost
    }
  }

  clear(): void {
    totalBytes -= this.bytes
    this.bytes = 0
    this.entries = []
    this.chunk = null
    this.chunkUsed = 0
  }

  private copy(appended: Buffer): Buffer {
    const n = appended.length
    if (this.chunk === null || this.chunk.length - this.chunkUsed < n) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES)
      this.chunkUsed = 0
    }
    const at = this.chunkUsed
    appended.copy(this.chunk, at)
    this.chunkUsed = at + n
    return this.chunk.subarray(at, at + n)
  }

  /**
   * LogSegment.read from memory: whole batches from the one containing `target`, at most maxBytes
   * (the first batch whole when allowLargerFirst), never past `limit` (the readable size).
   * undefined: not covered here, read the file. null: no readable batch at or after target.
   */
  read(target: number, maxBytes: number, allowLargerFirst: boolean, limit: number): RecentRead | null | undefined {
    const entries = this.entries
    const n = entries.length
    if (n === 0 || target < entries[0].baseOffset) return undefined
    if (entries[n - 1].lastOffset < target) return null
    // Tailing readers want the newest entries: search from the end.
    let k = n - 1
    while (k > 0 && entries[k - 1].lastOffset >= target) k--
    const first = entries[k]
    let off = 0
    for (;;) {
      if (off + HEADER_SIZE > first.buf.length) return undefined
      if (readInt64(first.buf, off) + first.buf.readInt32BE(off + LAST_OFFSET_DELTA) >= target) break
      const size = batchSize(first.buf, off)
      if (size < HEADER_SIZE) return undefined
      off += size
    }
    const start = first.position + off
    if (start >= limit) return null
    const firstSize = batchSize(first.buf, off)
    if (firstSize > maxBytes && !allowLargerFirst) return { records: EMPTY, tooLarge: true }
    const wanted = Math.min(limit - start, Math.max(maxBytes, firstSize))

    // Whole batches from start while they fit `wanted`, across entries.
    const pieces: Buffer[] = []
    let total = 0
    let e = k
    let from = off
    let done = false
    while (!done && e < n) {
      const buf = entries[e].buf
      let to = from
      while (to + HEADER_SIZE <= buf.length) {
        const size = batchSize(buf, to)
        if (size < HEADER_SIZE || total + (to - from) + size > wanted) {
          done = true
          break
        }
        to += size
      }
      if (to > from) {
        pieces.push(from === 0 && to === buf.length ? buf : buf.subarray(from, to))
        total += to - from
      }
      e++
      from = 0
    }
    if (pieces.length === 0) return { records: EMPTY, tooLarge: false }
    return { records: pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, total), tooLarge: false }
  }
}
