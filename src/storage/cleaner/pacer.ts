// Keeps the cleaner a good neighbour on the shared event loop: it yields (setImmediate) once it
// has run for a time slice, throttles to log.cleaner.io.max.bytes.per.second, and throws
// CleanerAbortedError at the next check once cleaning of the log was aborted.
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises'

export class CleanerAbortedError extends Error {
  constructor(reason: string) {
    super(`log cleaning aborted: ${reason}`)
    this.name = 'CleanerAbortedError'
  }
}

export class CleanerPacer {
  private sliceStart = performance.now()
  private windowStart = performance.now()
  private windowBytes = 0
  private abortReason: string | null = null

  constructor(
    private readonly opts: {
      /** Longest stretch of cleaner CPU work between two yields. */
      sliceMs: number
      /** Read + write throughput limit (Infinity = none). */
      maxBytesPerSecond: () => number
    },
  ) {}

  abort(reason: string): void {
    this.abortReason ??= reason
  }

  get aborted(): boolean {
    return this.abortReason !== null
  }

  checkAborted(): void {
    if (this.abortReason !== null) throw new CleanerAbortedError(this.abortReason)
  }

  /** Accounts `bytes` of cleaner I/O; yields or sleeps when due. */
  async tick(bytes: number): Promise<void> {
    this.windowBytes += bytes
    const rate = this.opts.maxBytesPerSecond()
    if (rate !== Infinity && rate > 0) {
      const elapsedMs = performance.now() - this.windowStart
      const dueMs = (this.windowBytes / rate) * 1000
      if (dueMs > elapsedMs + 1) {
        await sleep(dueMs - elapsedMs)
        this.sliceStart = performance.now()
      }
      if (elapsedMs > 1000) {
        this.windowStart = performance.now()
        this.windowBytes = 0
      }
    }
    if (performance.now() - this.sliceStart >= this.opts.sliceMs) {
      await yieldToLoop()
      this.sliceStart = performance.now()
    }
    this.checkAborted()
  }
}
