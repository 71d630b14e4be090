// Fetch long-poll (Kafka's DelayedFetch): a fetch that found fewer than minBytes parks here until
// appends to its partitions make enough new bytes readable, or maxWaitMs passes. Woken by the
// partitions' onAppend listeners; no polling.

/** What a parked fetch needs from a partition log (PartitionLog satisfies it). */
export interface WatchedLog {
  readonly bytesAppended: number
  readonly status: 'open' | 'closed' | 'deleted'
  onAppend(listener: () => void): () => void
}

export interface DelayedFetchOptions {
  /** Bytes the fetch still needs (minBytes minus what the first read found), at least 1. */
  neededBytes: number
  maxWaitMs: number
  /** Resolves the wait early, e.g. when the connection closes. */
  signal?: AbortSignal
}

/**
 * Resolves when `neededBytes` were appended across `logs` since the call, when one of them is
 * closed or deleted, or after maxWaitMs. Never rejects.
 */
export function waitForAppends(logs: readonly WatchedLog[], opts: DelayedFetchOptions): Promise<void> {
  const unique = [...new Set(logs)]
  if (unique.length === 0 || opts.maxWaitMs <= 0 || opts.signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const start = unique.map((l) => l.bytesAppended)
    const unsubscribers: (() => void)[] = []
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const off of unsubscribers) off()
      opts.signal?.removeEventListener('abort', finish)
      resolve()
    }
    const check = (): void => {
      let appended = 0
      for (let i = 0; i < unique.length; i++) {
        if (unique[i].status !== 'open') return finish()
        appended += unique[i].bytesAppended - start[i]
      }
      if (appended >= opts.neededBytes) finish()
    }
    const timer = setTimeout(finish, opts.maxWaitMs)
    for (const log of unique) unsubscribers.push(log.onAppend(check))
    opts.signal?.addEventListener('abort', finish)
  })
}
