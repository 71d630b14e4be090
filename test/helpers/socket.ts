// Raw TCP helpers for network tests: length-prefixed frames over a plain socket.
import { connect, type Socket } from 'node:net'

export function sizePrefixed(payload: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length)
  return Buffer.concat([size, payload])
}

export function connectTo(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host }, () => {
      s.off('error', reject)
      resolve(s)
    })
    s.once('error', reject)
  })
}

/** Collects size-prefixed frames arriving on a socket. */
export class FrameReader {
  private buf = Buffer.alloc(0)
  private readonly frames: Buffer[] = []
  private waiters: (() => void)[] = []
  closed = false

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d])
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0)
        this.frames.push(this.buf.subarray(4, 4 + n))
        this.buf = this.buf.subarray(4 + n)
      }
      this.wake()
    })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
    socket.on('error', () => {})
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  get received(): number {
    return this.frames.length
  }

  /** Resolves with the next `count` frames; rejects if the socket closes first or on timeout. */
  async next(count = 1, timeoutMs = 5000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs
    while (this.frames.length < count) {
      if (this.closed) throw new Error(`socket closed after ${this.frames.length} of ${count} frames`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${count} frames (got ${this.frames.length})`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.frames.splice(0, count)
  }
}

/** Resolves true when the socket is closed by the peer within timeoutMs. */
export function waitForClose(socket: Socket, timeoutMs = 5000): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true)
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs)
    const done = () => {
      clearTimeout(t)
      resolve(true)
    }
    socket.once('close', done)
    socket.once('end', done)
    socket.resume()
  })
}
