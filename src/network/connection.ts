// One client connection: frame splitting, pipelined requests with responses written strictly in
// request order, backpressure, idle reaping and graceful close.
import { ON_RESPONSE_WRITTEN, type ResponseWrittenHook } from './response-written.js'
import type { Socket } from 'node:net'
import type { Logger } from '../logger.js'
import { FrameAssembler } from './frame-assembler.js'
import { FramePool } from './frame-pool.js'
import { FrameSizeError, FrameSplitter } from './frame-splitter.js'
import { installReadTarget } from './socket-reads.js'

export interface ConnectionInfo {
  id: number
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
}

/**
 * Handles one request frame (without its size prefix). Returns the response frame as chunks
 * (size prefix included), or null for no response (acks=0). Throwing/rejecting closes the
 * connection: that is how malformed frames, unknown api keys and unsupported versions end.
 */
export type RequestProcessor = ((frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null) & {
  /**
   * Optional: API keys whose handling lets go of the frame once the result has settled, so that
   * the frame's buffer can be reused for a later request (see frame-pool.ts).
   */
  releasesFrame?: (apiKey: number) => boolean
}

export interface ConnectionOptions {
  id: number
  maxRequestBytes: number
  idleTimeoutMs: number
  /** requests being processed before we stop reading */
  maxInFlight: number
  /** bytes queued in the socket before we stop reading */
  writeHighWaterMark: number
  processor: RequestProcessor
  logger: Logger
}

/** how long an ended connection may wait for the peer's FIN before it is destroyed */
const END_GRACE_MS = 1000
/** Shared by every connection (the event loop is the only user). */
const framePool = new FramePool()
const MAX_TIMER_MS = 2 ** 31 - 1

interface Slot {
  done: boolean
  chunks: Buffer[] | null
}

export class Connection {
  readonly info: ConnectionInfo
  readonly closed: Promise<void>
  /** Where complete frames come from: reads into our own buffers, or 'data' chunks as a fallback. */
  private readonly frames: { next(): Buffer | null }
  private readonly queue: Slot[] = []
  private paused = false
  private writeBlocked = false
  private closing = false
  private destroyed = false
  private pumping = false

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.info = {
      id: opts.id,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
    }
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.setNoDelay(true)
    // Timers overflow past 2^31-1 ms; anything that long means "never reap".
    socket.setTimeout(opts.idleTimeoutMs > MAX_TIMER_MS ? 0 : opts.idleTimeoutMs)
    const releasesFrame = opts.processor.releasesFrame
    const assembler = new FrameAssembler(opts.maxRequestBytes, releasesFrame ? { frames: framePool, pooled: releasesFrame } : null)
    if (installReadTarget(socket, assembler, () => this.onReadDone())) {
      this.frames = assembler
    } else {
      const splitter = new FrameSplitter(opts.maxRequestBytes)
      this.frames = splitter
      socket.on('data', (chunk: Buffer) => {
        if (this.closing || this.destroyed) return
        splitter.push(chunk)
        this.pump()
      })
    }
    socket.on('drain', () => {
      this.writeBlocked = false
      this.pump()
    })
    socket.on('timeout', () => this.onIdle())
    socket.on('end', () => this.close())
    socket.on('error', (err) => {
      this.opts.logger.debug({ connection: this.info.id, err: err.message }, 'connection error')
      this.destroy()
    })
    socket.on('close', () => {
      this.destroyed = true
      this.queue.length = 0
    })
  }

  get inFlight(): number {
    return this.queue.length
  }

  /** Stops reading, lets in-flight requests finish and be written, then ends the socket. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true
      this.pump()
    }
    return this.closed
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.queue.length = 0
    this.socket.destroy()
  }

  private onReadDone(): void {
    if (this.closing || this.destroyed) return
    this.pump()
  }

  /**
   * Dispatches buffered frames while there is room and writes finished responses in order, then
   * pauses/resumes reading. Re-entrant calls (a handler that answers synchronously) return at once;
   * the outer loop picks up their work, so the stack stays flat.
   */
  private pump(): void {
    if (this.pumping || this.destroyed) return
    this.pumping = true
    // Everything written during one pump leaves in one writev.
    this.socket.cork()
    try {
      for (;;) {
        let progressed = false
        while (!this.destroyed && !this.closing && !this.writeBlocked && this.queue.length < this.opts.maxInFlight) {
          const frame = this.nextFrame()
          if (frame === null) break
          this.dispatch(frame)
          progressed = true
          // Write synchronous answers at once so that writeBlocked can stop the loop.
          if (!this.destroyed && this.queue[0]?.done) this.writeFinished()
        }
        if (!this.destroyed && this.queue.length > 0 && this.queue[0].done) {
          this.writeFinished()
          progressed = true
        }
        if (!progressed) break
      }
    } finally {
      this.pumping = false
      this.socket.uncork()
    }
    if (this.closing) this.endIfIdle()
    this.updateReading()
  }

  private nextFrame(): Buffer | null {
    try {
      return this.frames.next()
    } catch (err) {
      if (!(err instanceof FrameSizeError)) throw err
      this.opts.logger.info({ connection: this.info.id, remote: this.remote(), size: err.size }, `closing connection: ${err.message}`)
      this.destroy()
      return null
    }
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, chunks: null }
    this.queue.push(slot)
    // A pooled frame goes back once its request has settled, whatever became of the connection.
    const pooled = framePool.owns(frame)
    let result: Promise<Buffer[] | null> | Buffer[] | null
    try {
      result = this.opts.processor(frame, this.info)
    } catch (err) {
      if (pooled) framePool.release(frame)
      this.fail(err)
      return
    }
    if (result !== null && typeof (result as Promise<unknown>).then === 'function') {
      ;(result as Promise<Buffer[] | null>).then(
        (chunks) => {
          if (pooled) framePool.release(frame)
          this.complete(slot, chunks)
        },
        (err) => {
          if (pooled) framePool.release(frame)
          this.fail(err)
        },
      )
    } else {
      if (pooled) framePool.release(frame)
      this.complete(slot, result as Buffer[] | null)
    }
  }

  private complete(slot: Slot, chunks: Buffer[] | null): void {
    if (this.destroyed) return
    slot.done = true
    slot.chunks = chunks
    // Only the head of the queue may be written; later responses wait for earlier ones.
    if (this.queue[0] === slot) this.pump()
  }

  /** Writes every finished response at the head of the queue (the caller has corked the socket). */
  private writeFinished(): void {
    while (this.queue.length > 0 && this.queue[0].done) {
      const slot = this.queue.shift()!
      if (slot.chunks === null) continue
      // Chunks go out as they are (records stay zero-copy views).
      const chunks = slot.chunks
      const last = chunks.length - 1
      for (let i = 0; i < last; i++) this.socket.write(chunks[i])
      // Corked chunks leave in one writev whose callbacks run when it completes.
      const written = (chunks as ResponseWrittenHook)[ON_RESPONSE_WRITTEN]
      if (last >= 0) {
        if (written === undefined) this.socket.write(chunks[last])
        else this.socket.write(chunks[last], () => written())
      } else written?.()
    }
    if (this.socket.writableLength > this.opts.writeHighWaterMark) this.writeBlocked = true
  }

  private fail(err: unknown): void {
    if (this.destroyed) return
    this.opts.logger.debug({ connection: this.info.id, remote: this.remote(), err: (err as Error)?.message }, 'closing connection after a rejected request')
    this.destroy()
  }

  private updateReading(): void {
    if (this.destroyed) return
    const shouldPause = this.closing || this.writeBlocked || this.queue.length >= this.opts.maxInFlight
    if (shouldPause && !this.paused) {
      this.paused = true
      this.socket.pause()
    } else if (!shouldPause && this.paused) {
      this.paused = false
      this.socket.resume()
    }
  }

  private endIfIdle(): void {
    if (this.destroyed || this.queue.length > 0 || this.socket.writableEnded) return
    this.socket.end()
    // A peer that never closes its side must not hold a shutdown until the deadline.
    setTimeout(() => this.destroy(), END_GRACE_MS).unref()
  }

  private onIdle(): void {
    // A parked request (e.g. a long-poll fetch) is not idleness.
    if (this.queue.length > 0 || this.destroyed) return
    this.opts.logger.debug({ connection: this.info.id, remote: this.remote(), idleMs: this.opts.idleTimeoutMs }, 'closing idle connection')
    this.destroy()
  }

  private remote(): string {
    return `${this.info.remoteAddress}:${this.info.remotePort}`
  }
}
