// Keyed one-shot timers: scheduling a key again replaces the previous timer, as Kafka's
// coordinator timer does. The state machine only sees this interface, so tests drive
// time with ManualTimer and production uses SystemTimer.
export interface CoordinatorTimer {
  now(): number
  schedule(key: string, delayMs: number, task: () => void): void
  cancel(key: string): void
  isScheduled(key: string): boolean
  cancelAll(): void
}

export class SystemTimer implements CoordinatorTimer {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  constructor(
    private readonly clock: () => number = Date.now,
    // A failing task must not become an uncaught exception that takes the broker down.
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  now(): number {
    return this.clock()
  }

  schedule(key: string, delayMs: number, task: () => void): void {
    this.cancel(key)
    const handle = setTimeout(() => {
      if (this.timers.get(key) === handle) this.timers.delete(key)
      try {
        task()
      } catch (err) {
        this.onError(err)
      }
    }, Math.max(0, delayMs))
    // Group timers must never keep a process alive on their own.
    handle.unref()
    this.timers.set(key, handle)
  }

  cancel(key: string): void {
    const handle = this.timers.get(key)
    if (handle !== undefined) {
      clearTimeout(handle)
      this.timers.delete(key)
    }
  }

  isScheduled(key: string): boolean {
    return this.timers.has(key)
  }

  cancelAll(): void {
    for (const handle of this.timers.values()) clearTimeout(handle)
    this.timers.clear()
  }
}

interface ManualTask { key: string; deadlineMs: number; seq: number; task: () => void }

// Deterministic time for tests: nothing fires until advance() moves the clock past it.
export class ManualTimer implements CoordinatorTimer {
  private tasks = new Map<string, ManualTask>()
  private seq = 0
  constructor(private currentMs = 0) {}

  now(): number {
    return this.currentMs
  }

  schedule(key: string, delayMs: number, task: () => void): void {
    this.tasks.set(key, { key, deadlineMs: this.currentMs + Math.max(0, delayMs), seq: this.seq++, task })
  }

  cancel(key: string): void {
    this.tasks.delete(key)
  }

  isScheduled(key: string): boolean {
    return this.tasks.has(key)
  }

  cancelAll(): void {
    this.tasks.clear()
  }

  deadlineOf(key: string): number | undefined {
    return this.tasks.get(key)?.deadlineMs
  }

  // Fires every task due up to now + ms in deadline order (tasks scheduled while firing
  // count too if they fall inside the window).
  advance(ms: number): void {
    const target = this.currentMs + ms
    for (;;) {
      let next: ManualTask | undefined
      for (const t of this.tasks.values()) {
        if (t.deadlineMs <= target && (next === undefined || t.deadlineMs < next.deadlineMs ||
          (t.deadlineMs === next.deadlineMs && t.seq < next.seq))) next = t
      }
      if (next === undefined) break
      this.tasks.delete(next.key)
      this.currentMs = Math.max(this.currentMs, next.deadlineMs)
      next.task()
    }
    this.currentMs = target
  }
}
