// Pooled buffers for the file reads of one Fetch. Each read used to be a fresh ~1 MiB buffer:
// under consume load that external memory made V8 run a full collection every few dozen fetches.
// The response's records are views of these buffers, so they return to the pool only when the
// connection reports the response written (network/response-written.ts); a response that is
// never written leaves them to the GC.
import { FramePool } from '../network/frame-pool.js'
import { ON_RESPONSE_WRITTEN, type ResponseWrittenHook } from '../network/response-written.js'

/** Shared by every connection (the event loop is the only user). */
const readPool = new FramePool()

export class FetchReadBuffers {
  private taken: Buffer[] | null = null

  /** For PartitionLog.read: a buffer of exactly `length` bytes. */
  readonly alloc = (length: number): Buffer => {
    const buf = readPool.acquire(length)
    if (buf === null) return Buffer.allocUnsafe(length)
    ;(this.taken ??= []).push(buf)
    return buf
  }

  /** Hands the buffers taken so far back when `response` has been written. */
  releaseAfterWrite<T extends object>(response: T): T {
    const taken = this.taken
    if (taken === null) return response
    this.taken = null
    ;(response as ResponseWrittenHook)[ON_RESPONSE_WRITTEN] = () => {
      for (const buf of taken) readPool.release(buf)
    }
    return response
  }
}
