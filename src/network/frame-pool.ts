// Reusable buffers for large request frames whose handler lets go of the request bytes once it
// has settled (Produce: the records are written before its promise resolves). Under produce
// load every request is a fresh ~1 MiB buffer otherwise: page faults to map it, and external
// memory that triggers V8's full collections. A frame comes back only through release(), which
// the connection calls when the processor's result for that frame has settled.

/** Pooled buffers come in multiples of this. */
const CLASS_BYTES = 256 * 1024
/** Frames up to this size are pooled (larger ones are allocated as usual). */
export const POOLED_FRAME_MAX_BYTES = 8 * 1024 * 1024
/** Idle buffers kept across all classes, per pool: enough for a few connections' in-flight frames
 * without holding much memory in an idle broker. */
const MAX_IDLE_BYTES = 8 * 1024 * 1024

export class FramePool {
  private readonly free = new Map<number, ArrayBuffer[]>()
  private idleBytes = 0
  /** Backing stores currently handed out: release() accepts only these, once. */
  private readonly outstanding = new WeakSet<ArrayBuffer>()

  /** A frame of exactly `size` bytes (a view on a pooled buffer), or null when not pooled. */
  acquire(size: number): Buffer | null {
    if (size > POOLED_FRAME_MAX_BYTES || size <= 0) return null
    const cap = Math.ceil(size / CLASS_BYTES) * CLASS_BYTES
    const list = this.free.get(cap)
    let ab = list?.pop()
    if (ab !== undefined) this.idleBytes -= cap
    else ab = Buffer.allocUnsafeSlow(cap).buffer as ArrayBuffer
    this.outstanding.add(ab)
    return Buffer.from(ab, 0, size)
  }

  /** Whether `frame` came from acquire() and has not been released. */
  owns(frame: Buffer): boolean {
    return this.outstanding.has(frame.buffer as ArrayBuffer)
  }

  /** Takes a frame back for reuse: nothing may read or write it afterwards. */
  release(frame: Buffer): void {
    const ab = frame.buffer as ArrayBuffer
    if (!this.outstanding.delete(ab)) return
    const cap = ab.byteLength
    if (this.idleBytes + cap > MAX_IDLE_BYTES) return
    let list = this.free.get(cap)
    if (list === undefined) {
      list = []
      this.free.set(cap, list)
    }
    list.push(ab)
    this.idleBytes += cap
  }

  get idle(): number {
    return this.idleBytes
  }
}
