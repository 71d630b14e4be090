// The serialized write side of a partition log. Appends are queued with their offsets and
// segment positions already assigned; one drain loop writes everything queued so far with one
// writev per segment, fsyncs once when the flush policy asks (group commit), then acknowledges
// the whole round and advances the high watermark. Rolled segments are finalized (indexes
// written, fsynced, producer snapshot) off the hot path, in roll order.
import { ErrorCode } from '../protocol/errors.js'
import type { BatchInfo } from './batch-validator.js'
import { offsetFileStem } from './batch-format.js'
import { writeFileAtomic } from './fs/file-system.js'
import type { LogSegment } from './log-segment.js'
import type { AppendResult, PartitionLog } from './partition-log.js'
import type { ProducerSnapshotFile } from './producer-state.js'

export const PRODUCER_SNAPSHOT_SUFFIX = '.brook-producers'
/** Rounds up to this size are written synchronously (see writeRound). */
const SYNC_WRITE_MAX_BYTES = 64 * 1024
const SNAPSHOTS_TO_KEEP = 2

export interface PendingAppend {
  /** null: a barrier that carries no bytes (duplicate batch, flush request). */
  segment: LogSegment | null
  buf: Buffer | null
  position: number
  batches: BatchInfo[] | null
  baseOffset: number
  nextOffset: number
  result: AppendResult
  flush: boolean
  resolve: ((r: AppendResult) => void) | null
}

export interface AppendWriterHooks {
  /** `bytes`: record-batch bytes made visible by this advance. */
  onAcknowledged(highWatermark: number, bytes: number): void
  onFailed(err: Error): void
}

export class AppendWriter {
  failed: Error | null = null
  unflushedMessages = 0
  lastFlushMs: number
  /** Offsets of the producer snapshot files present, ascending. */
  snapshotOffsets: number[] = []
  private pending: PendingAppend[] = []
  private draining = false
  private idleWaiters: (() => void)[] = []
  private rolled: { segment: LogSegment; snapshot: ProducerSnapshotFile }[] = []
  private finalizeChain: Promise<void> = Promise.resolve()

  constructor(
    private readonly log: PartitionLog,
    private readonly hooks: AppendWriterHooks,
  ) {
    this.lastFlushMs = log.deps.now()
  }

  enqueue(item: PendingAppend): Promise<AppendResult> {
    return new Promise((resolve) => {
      item.resolve = resolve
      this.pending.push(item)
      this.kick()
    })
  }

  /** Resolves with `result` once everything queued before it is acknowledged. */
  enqueueBarrier(result: AppendResult): Promise<AppendResult> {
    return this.enqueue(barrier(result, false))
  }

  /** fsync of everything appended so far. */
  flush(): Promise<void> {
    return this.enqueue(barrier(okResult(), true)).then((r) => {
      if (r.errorCode !== ErrorCode.NONE) throw this.failed ?? new Error(r.errorMessage ?? 'flush failed')
    })
  }

  /** Resolves when the queue is empty and no write is in flight. */
  idle(): Promise<void> {
    if (!this.draining && this.pending.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  scheduleFinalize(segment: LogSegment, snapshot: ProducerSnapshotFile): void {
    this.rolled.push({ segment, snapshot })
    if (!this.draining) this.finalizeReady()
  }

  /** Waits until the given segments' queued writes and finalization are done. */
  async waitFinalized(segments: readonly LogSegment[]): Promise<void> {
    if (this.rolled.some((r) => segments.includes(r.segment))) await this.idle()
    await this.finalizeChain
  }

  private kick(): void {
    if (this.draining) return
    this.draining = true
    void this.drain()
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const items = this.pending
      this.pending = []
      if (this.failed) {
        this.failItems(items)
        continue
      }
      try {
        await this.writeRound(items)
      } catch (err) {
        this.failed = err instanceof Error ? err : new Error(String(err))
        this.hooks.onFailed(this.failed)
        this.failItems(items)
      }
    }
    this.draining = false
    this.finalizeReady()
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }

  private async writeRound(items: PendingAppend[]): Promise<void> {
    const log = this.log
    const now = log.deps.now()
    const touched: LogSegment[] = []
    let flush = false
    let messages = 0
    let highWatermark = -1
    let bytes = 0
    let i = 0
    while (i < items.length) {
      const first = items[i]
      if (first.segment === null) {
        flush ||= first.flush
        i++
        continue
      }
      const seg = first.segment
      const bufs: Buffer[] = []
      let end = first.position
      let j = i
      for (; j < items.length; j++) {
        const x = items[j]
        if (x.segment === null) {
          flush ||= x.flush
          continue
        }
        if (x.segment !== seg) break
        bufs.push(x.buf!)
        end = x.position + x.buf!.length
      }
      const handle = await seg.acquire()
      try {
        // Small rounds are written on the event loop: a page-cache write of a few KiB is cheaper
        // than the thread-pool round trip, and the acknowledgement (and a parked fetch) do not
        // wait for another thread to be scheduled. Large rounds keep the copy off the loop.
        if (end - first.position <= SYNC_WRITE_MAX_BYTES && handle.writevSync !== undefined) handle.writevSync(bufs, first.position)
        else await handle.writev(bufs, first.position)
      } finally {
        seg.release()
      }
      for (let k = i; k < j; k++) {
        const x = items[k]
        if (x.segment === null) continue
        seg.rememberAppend(x.buf!, x.position, x.baseOffset, x.nextOffset - 1)
        let offset = x.baseOffset
        for (const b of x.batches!) {
          const last = offset + b.lastOffsetDelta
          seg.trackBatch(last, x.position + b.position, b.size, b.maxTimestamp)
          messages += b.lastOffsetDelta + 1
          offset = last + 1
        }
        highWatermark = x.nextOffset
      }
      bytes += end - first.position
      seg.size = end
      seg.lastModifiedMs = now
      touched.push(seg)
      i = j
    }

    this.unflushedMessages += messages
    const cfg = log.deps.config()
    if (flush || (touched.length > 0 && (cfg.fsyncEachWrite || this.unflushedMessages >= cfg.flushMessages))) {
      const toSync = new Set(touched)
      if (flush && log.activeSegment.isOpen) toSync.add(log.activeSegment)
      await Promise.all([...toSync].map((s) => s.datasync()))
      if ([...toSync].some((s) => s.needsDirSync)) {
        // A segment created since the last fsync: its directory entry must be durable too.
        await log.deps.fs.syncDir(log.deps.dir)
        for (const s of toSync) s.needsDirSync = false
      }
      if (flush) await this.finalizeChain
      this.unflushedMessages = 0
      this.lastFlushMs = now
    }
    for (const s of touched) s.readableSize = s.size
    if (highWatermark >= 0) this.hooks.onAcknowledged(highWatermark, bytes)
    const logStartOffset = log.currentLogStartOffset()
    for (const x of items) {
      if (x.result.errorCode === ErrorCode.NONE) x.result.logStartOffset = logStartOffset
      x.resolve!(x.result)
    }
    this.finalizeReady()
  }

  private failItems(items: PendingAppend[]): void {
    const message = this.failed?.message ?? 'log is offline'
    for (const x of items) {
      x.resolve!({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: message, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [] })
    }
  }

  /** Starts finalizing rolled segments whose queued bytes are all written. */
  private finalizeReady(): void {
    while (this.rolled.length > 0 && this.rolled[0].segment.size === this.rolled[0].segment.assignedSize) {
      const { segment, snapshot } = this.rolled.shift()!
      this.finalizeChain = this.finalizeChain.then(() => this.finalize(segment, snapshot))
    }
  }

  private async finalize(segment: LogSegment, snapshot: ProducerSnapshotFile): Promise<void> {
    // Rolled: no more appends; readers of its tail go to the file from now on.
    segment.dropRecentAppends()
    if (this.failed) return
    const log = this.log
    try {
      await segment.writeIndexes({ final: true, sync: true })
      if (segment.size > 0) await segment.datasync()
      await this.writeProducerSnapshot(snapshot)
      if (snapshot.offset > log.recoveryPoint) {
        log.recoveryPoint = snapshot.offset
        log.deps.onCheckpointChange()
      }
      segment.dropIndexes()
    } catch (err) {
      log.deps.logger.warn({ err, segment: segment.logPath }, 'finalizing a rolled segment failed; it will be recovered on restart')
    }
  }

  /** Writes `<offset>.brook-producers` and keeps only the newest few. */
  async writeProducerSnapshot(snapshot: ProducerSnapshotFile): Promise<void> {
    const { fs, dir } = this.log.deps
    await writeFileAtomic(fs, `${dir}/${offsetFileStem(snapshot.offset)}${PRODUCER_SNAPSHOT_SUFFIX}`, JSON.stringify(snapshot))
    const offsets = this.snapshotOffsets.filter((o) => o !== snapshot.offset)
    offsets.push(snapshot.offset)
    offsets.sort((a, b) => a - b)
    while (offsets.length > SNAPSHOTS_TO_KEEP) {
      const old = offsets.shift()!
      await fs.unlink(`${dir}/${offsetFileStem(old)}${PRODUCER_SNAPSHOT_SUFFIX}`)
    }
    this.snapshotOffsets = offsets
  }
}

function okResult(): AppendResult {
  return { errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [] }
}

function barrier(result: AppendResult, flush: boolean): PendingAppend {
  return { segment: null, buf: null, position: 0, batches: null, baseOffset: -1, nextOffset: -1, result, flush, resolve: null }
}
