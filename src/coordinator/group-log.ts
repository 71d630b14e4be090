// Where the coordinator persists its records. The production implementation writes record
// batches to the internal compacted topic (log-backed-group-log.ts); the in-memory one
// serves unit tests and memory-only brokers, and can be handed to a second coordinator to
// test replay.
import type { GroupLogRecord } from './records.js'

export class GroupLogAppendError extends Error {
  constructor(readonly errorCode: number, message?: string) {
    super(message ?? `group log append failed with error ${errorCode}`)
  }
}

export interface GroupLog {
  // Appends the records as one unit, in call order. Resolves once they are acknowledged
  // (under the broker's flush policy); rejects with GroupLogAppendError.
  append(records: GroupLogRecord[]): Promise<void>
  // Visits every stored record in log order (tombstones included).
  replay(visit: (record: GroupLogRecord) => void): Promise<void>
  close(): Promise<void>
}

export class InMemoryGroupLog implements GroupLog {
  readonly records: GroupLogRecord[] = []
  // Tests set this to make the next appends fail with that error code.
  failNextAppends: { count: number; errorCode: number } | null = null
  // Tests may hold appends to observe what waits on them.
  private gate: Promise<void> | null = null
  private tail: Promise<void> = Promise.resolve()

  holdAppends(): () => void {
    let release!: () => void
    this.gate = new Promise((resolve) => { release = resolve })
    return () => { this.gate = null; release() }
  }

  append(records: GroupLogRecord[]): Promise<void> {
    const gate = this.gate
    const next = this.tail.then(async () => {
      if (gate) await gate
      if (this.failNextAppends && this.failNextAppends.count > 0) {
        this.failNextAppends.count--
        throw new GroupLogAppendError(this.failNextAppends.errorCode)
      }
      for (const r of records) this.records.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })
    })
    this.tail = next.catch(() => undefined)
    return next
  }

  async replay(visit: (record: GroupLogRecord) => void): Promise<void> {
    for (const r of this.records) visit(r)
  }

  async close(): Promise<void> {
    await this.tail
  }
}
