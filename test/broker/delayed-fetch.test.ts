import { describe, expect, it } from 'vitest'
import { waitForAppends, type WatchedLog } from '../../src/broker/delayed-fetch.js'

class FakeLog implements WatchedLog {
  bytesAppended = 0
  status: 'open' | 'closed' | 'deleted' = 'open'
  readonly listeners = new Set<() => void>()
  onAppend(l: () => void): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }
  append(bytes: number): void {
    this.bytesAppended += bytes
    for (const l of this.listeners) l()
  }
}

describe('waitForAppends', () => {
  it('wakes once enough bytes arrived across the logs, and unsubscribes', async () => {
    const a = new FakeLog()
    const b = new FakeLog()
    const start = Date.now()
    const wait = waitForAppends([a, b, a], { neededBytes: 100, maxWaitMs: 10_000 })
    a.append(60)
    let done = false
    void wait.then(() => (done = true))
    await Promise.resolve()
    expect(done).toBe(false)
    b.append(40)
    await wait
    expect(Date.now() - start).toBeLessThan(1000)
    expect(a.listeners.size + b.listeners.size).toBe(0)
  })

  it('gives up after maxWaitMs', async () => {
    const a = new FakeLog()
    const start = Date.now()
    await waitForAppends([a], { neededBytes: 1, maxWaitMs: 100 })
    expect(Date.now() - start).toBeGreaterThanOrEqual(95)
    expect(a.listeners.size).toBe(0)
  })

  it('wakes when a log is closed or deleted, and on abort', async () => {
    const a = new FakeLog()
    const wait = waitForAppends([a], { neededBytes: 1_000, maxWaitMs: 10_000 })
    a.status = 'deleted'
    for (const l of a.listeners) l()
    await wait
    const ac = new AbortController()
    const aborted = waitForAppends([new FakeLog()], { neededBytes: 1, maxWaitMs: 10_000, signal: ac.signal })
    ac.abort()
    await aborted
    expect(a.listeners.size).toBe(0)
  })

  it('returns at once with nothing to wait for', async () => {
    await waitForAppends([], { neededBytes: 1, maxWaitMs: 10_000 })
    await waitForAppends([new FakeLog()], { neededBytes: 1, maxWaitMs: 0 })
    expect(true).toBe(true)
  })
})
