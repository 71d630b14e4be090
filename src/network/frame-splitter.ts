// Splits a TCP byte stream into Kafka request frames (int32 size prefix + payload).
//
// The size prefix is checked before anything is buffered for the frame: a negative size or one
// above the limit throws FrameSizeError at once. Bytes are kept as the chunks the socket gave us
// and copied into one Buffer only when a frame spans chunks (a frame inside one chunk is a
// zero-copy view).

export class FrameSizeError extends Error {
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(size < 0 ? `negative frame size ${size}` : `frame size ${size} exceeds socket.request.max.bytes ${maxBytes}`)
    this.name = 'FrameSizeError'
  }
}

export class FrameSplitter {
  private chunks: Buffer[] = []
  private buffered = 0
  /** size of the frame being collected, -1 while waiting for a size prefix */
  private frameSize = -1

  constructor(private readonly maxBytes: number) {}

  /** bytes received but not yet returned as frames */
  get bufferedBytes(): number {
    return this.buffered
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  /** The next complete frame (payload without the size prefix), or null if more bytes are needed. */
  next(): Buffer | null {
    if (this.frameSize < 0) {
      if (this.buffered < 4) return null
      const size = this.readInt32()
      if (size < 0 || size > this.maxBytes) throw new FrameSizeError(size, this.maxBytes)
      this.frameSize = size
    }
    if (this.buffered < this.frameSize) return null
    const frame = this.take(this.frameSize)
    this.frameSize = -1
    return frame
  }

  private readInt32(): number {
    const head = this.chunks[0]
    if (head.length >= 4) {
      const v = head.readInt32BE(0)
      this.consume(4)
      return v
    }
    return this.take(4).readInt32BE(0)
  }

  private take(n: number): Buffer {
    const head = this.chunks[0]
    if (n === 0) return Buffer.alloc(0)
    if (head.length >= n) {
      const out = head.subarray(0, n)
      this.consume(n)
      return out
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]
      const k = Math.min(c.length, n - filled)
      c.copy(out, filled, 0, k)
      filled += k
      this.consume(k)
    }
    return out
  }

  private consume(n: number): void {
    const head = this.chunks[0]
    if (n === head.length) this.chunks.shift()
    else this.chunks[0] = head.subarray(n)
    this.buffered -= n
  }
}
