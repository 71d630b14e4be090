// Splits a TCP byte stream into request frames when the socket reads into buffers we supply
// (socket-reads.ts): the kernel copies a large frame's bytes straight into the frame's own
// Buffer, and everything else lands in one scratch buffer shared by all connections, from which
// small frames are copied out before the next read. Compared with 'data' events (a fresh 64 KiB
// chunk per read, then a copy into the frame), this allocates only the frames themselves, which
// halves the external memory that drives V8's full collections under produce load.
//
// Limits: a size prefix above maxBytes (or negative) fails at once; a large frame's buffer is
// allocated only once a sixteenth of it has arrived, so declared-but-unsent sizes cost nothing.
import type { FramePool } from './frame-pool.js'
import { FrameSizeError } from './frame-splitter.js'

/** Reads that land in the scratch buffer (Node's own read size). */
const SCRATCH_BYTES = 64 * 1024
/** Frames up to this size are allocated as soon as their size prefix is read. */
const EAGER_FRAME_BYTES = 64 * 1024
/** Read straight into the frame while at least this much of it is missing. */
const DIRECT_READ_MIN_BYTES = 16 * 1024

let scratch: Buffer | null = null

/** The scratch buffer shared by every connection: each read is consumed before the next one. */
function sharedScratch(): Buffer {
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES)
  return scratch
}

const EMPTY = Buffer.alloc(0)

export class FrameAssembler {
  private readonly ready: Buffer[] = []
  private readyBytes = 0
  private readonly head = Buffer.alloc(4)
  private headBytes = 0
  /** size of the frame being collected, -1 while waiting for a size prefix */
  private frameSize = -1
  /** the frame's buffer once allocated */
  private frame: Buffer | null = null
  /** bytes of the frame received so far */
  private filled = 0
  /** bytes received before the frame's buffer was allocated (copies) */
  private early: Buffer[] = []
  /** the last buffer handed out by nextReadBuffer() is a view into `frame` */
  private direct = false
  private error: FrameSizeError | null = null

  /**
   * `pool`: large frames whose API key `pooled` accepts come from it (the connection gives them
   * back when their request has settled).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly pool: { frames: FramePool; pooled: (apiKey: number) => boolean } | null = null,
  ) {}

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.readyBytes + this.headBytes + this.filled
  }

  /** The buffer the next socket read should fill. */
  nextReadBuffer(): Buffer {
    const frame = this.frame
    if (frame !== null && frame.length - this.filled >= DIRECT_READ_MIN_BYTES) {
      this.direct = true
      return frame.subarray(this.filled)
    }
    this.direct = false
    return sharedScratch()
  }

  /** `n` bytes were read into the buffer nextReadBuffer() returned. */
  onRead(n: number): void {
    if (this.error) return
    if (this.direct) {
      this.filled += n
      if (this.filled === this.frameSize) this.finishFrame()
      return
    }
    this.consume(sharedScratch(), n)
  }

  /** The next complete frame (payload without the size prefix), or null. Throws FrameSizeError. */
  next(): Buffer | null {
    const f = this.ready.shift()
    if (f !== undefined) {
      this.readyBytes -= f.length
      return f
    }
    if (this.error) throw this.error
    return null
  }

  /** Copies everything out of `buf[0, n)`: the caller reuses it for the next read. */
  private consume(buf: Buffer, n: number): void {
    let i = 0
    while (i < n) {
      if (this.frameSize < 0) {
        let size: number
        if (this.headBytes === 0 && n - i >= 4) {
          size = buf.readInt32BE(i)
          i += 4
        } else {
          while (this.headBytes < 4 && i < n) this.head[this.headBytes++] = buf[i++]
          if (this.headBytes < 4) return
          size = this.head.readInt32BE(0)
          this.headBytes = 0
        }
        if (size < 0 || size > this.maxBytes) {
          this.error = new FrameSizeError(size, this.maxBytes)
          return
        }
        if (size <= n - i) {
          // The whole frame is here: one exact copy.
          const f = size === 0 ? EMPTY : Buffer.allocUnsafe(size)
          buf.copy(f, 0, i, i + size)
          i += size
          this.ready.push(f)
          this.readyBytes += size
          continue
        }
        this.frameSize = size
        this.filled = 0
        if (size <= EAGER_FRAME_BYTES) this.frame = Buffer.allocUnsafe(size)
      }
      const k = Math.min(n - i, this.frameSize - this.filled)
      if (this.frame !== null) {
        buf.copy(this.frame, this.filled, i, i + k)
      } else {
        this.early.push(Buffer.from(buf.subarray(i, i + k)))
      }
      i += k
      this.filled += k
      if (this.filled === this.frameSize) {
        this.finishFrame()
      } else if (this.frame === null && this.filled * 16 >= this.frameSize) {
        // Enough of it has arrived to believe the size: allocate and read the rest in place.
        const frame = this.allocate(this.frameSize)
        let at = 0
        for (const part of this.early) at += part.copy(frame, at)
        this.early = []
        this.frame = frame
      }
    }
  }

  /** A large frame's buffer, from the pool when its API key (the first two bytes) allows. */
  private allocate(size: number): Buffer {
    if (this.pool !== null) {
      const first = this.early[0]
      const apiKey = first.length >= 2 ? first.readInt16BE(0) : ((first[0] << 24) | (this.early[1][0] << 16)) >> 16
      if (this.pool.pooled(apiKey)) {
        const frame = this.pool.frames.acquire(size)
        if (frame !== null) return frame
      }
    }
    return Buffer.allocUnsafe(size)
  }

  private finishFrame(): void {
    let frame = this.frame
    if (frame === null) {
      frame = Buffer.concat(this.early, this.frameSize)
      this.early = []
    }
    this.ready.push(frame)
    this.readyBytes += frame.length
    this.frame = null
    this.frameSize = -1
    this.filled = 0
  }
}
