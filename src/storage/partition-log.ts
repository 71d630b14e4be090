// One partition's log: validation, offset assignment and the serialized append queue (writes are
// coalesced: everything queued while a write/fsync is in flight goes out in the next single
// writev, and in fsync mode one fsync covers it all: group commit). Readers read up to the high
// watermark without taking the queue.
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { applyLogAppendTime, assignOffsets, checkProducers } from './append-prepare.js'
import { needsTransform, transformBatches } from './append-transforms.js'
import { AppendWriter, type PendingAppend } from './append-writer.js'
import { INT32_MAX } from './batch-format.js'
import { type BatchInfo, validateBatches, type ValidationLimits } from './batch-validator.js'
import type { LogConfig } from './log-config.js'
import { LogSegment } from './log-segment.js'
import type {
  AppendOptions,
  AppendResult,
  PartitionLogDeps,
  PartitionLogState,
  ReadResult,
  SegmentInfo,
} from './partition-types.js'
import type { ActiveProducer, ProducerStateManager } from './producer-state.js'
import { findMaxTimestamp, findOffsetForTimestamp } from './timestamp-lookup.js'
import { segmentSwapInProgress, waitForSegmentSwaps } from './cleaner/segment-swap.js'
import { deleteSegmentsLater } from './retention-file-delete.js'

export type { AppendOptions, AppendResult, PartitionLogDeps, PartitionLogState, ReadResult, SegmentInfo } from './partition-types.js'

const EMPTY = Buffer.alloc(0)
const NO_RECORD_ERRORS: AppendResult['recordErrors'] = []

function errorResult(errorCode: number, errorMessage: string | null): AppendResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: NO_RECORD_ERRORS }
}

export class PartitionLog {
  readonly topicName: string
  readonly partitionIndex: number
  readonly topicId: string
  leaderEpoch = 0

  /** @internal */ readonly deps: PartitionLogDeps
  /** @internal */ segmentList: LogSegment[]
  /** @internal */ producers: ProducerStateManager
  /** @internal */ recoveryPoint: number
  private _logStartOffset: number
  /** Next offset to assign (includes queued appends). */
  private nextOffset: number
  private hw: number
  private ackedBytes = 0
  private readonly listeners = new Set<() => void>()
  private readonly writer: AppendWriter
  private state: 'open' | 'closed' | 'deleted' = 'open'
  private transformChain: Promise<void> = Promise.resolve()
  private transformsPending = 0

  constructor(deps: PartitionLogDeps, loaded: PartitionLogState) {
    this.deps = deps
    this.topicName = deps.topicName
    this.partitionIndex = deps.partitionIndex
    this.topicId = deps.topicId
    this.segmentList = loaded.segments
    this.producers = loaded.producers
    this.recoveryPoint = loaded.recoveryPoint
    const active = this.activeSegment
    this.nextOffset = active.nextOffset
    this.hw = this.nextOffset
    this._logStartOffset = Math.min(loaded.logStartOffset, this.nextOffset)
    this.writer = new AppendWriter(this, {
      onAcknowledged: (hw, bytes) => {
        this.ackedBytes += bytes
        this.advanceHighWatermark(hw)
      },
      onFailed: (err) => deps.logger.error({ err, topic: this.topicName, partition: this.partitionIndex }, 'log write failed; partition is offline'),
    })
    this.writer.snapshotOffsets = loaded.snapshotOffsets
  }

  get logStartOffset(): number {
    return this._logStartOffset
  }

  get logEndOffset(): number {
    return this.nextOffset
  }

  get highWatermark(): number {
    return this.hw
  }

  get lastStableOffset(): number {
    return this.hw
  }

  /** Bytes made readable since this log was opened (a monotonic counter for fetch long-polls). */
  get bytesAppended(): number {
    return this.ackedBytes
  }

  get activeSegment(): LogSegment {
    return this.segmentList[this.segmentList.length - 1]
  }

  /** The idempotent producers this partition remembers (Kafka's UnifiedLog.activeProducers). */
  activeProducers(): ActiveProducer[] {
    return this.producers.activeProducers()
  }

  /** Partition is offline after a write error (KAFKA_STORAGE_ERROR) until restart. */
  get isOffline(): boolean {
    return this.writer.failed !== null
  }

  append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.transformsPending === 0 && !needsTransform(this.deps.config())) return this.appendNow(records, opts)
    return this.appendTransformed(records, opts)
  }

  /**
   * Compacted topics (key check) and topics with a compression.type (recompression): the
   * asynchronous record-level step runs in a per-partition chain so appends keep their order.
   */
  private appendTransformed(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    this.transformsPending++
    const step = this.transformChain.then(async (): Promise<{ ack: Promise<AppendResult> }> => {
      const cfg = this.deps.config()
      if (this.state !== 'open' || this.writer.failed || !needsTransform(cfg)) return { ack: this.appendNow(records, opts) }
      const batches: BatchInfo[] = []
      const validBytes = validateBatches(records, this.validationLimits(cfg, opts, this.deps.now()), batches)
      if (typeof validBytes !== 'number') return { ack: Promise.resolve(errorResult(validBytes.errorCode, validBytes.message)) }
      const out = await transformBatches(records.subarray(0, validBytes), batches, cfg, `${this.topicName}-${this.partitionIndex}`)
      if (!Buffer.isBuffer(out)) return { ack: Promise.resolve({ ...errorResult(out.errorCode, out.errorMessage), recordErrors: out.recordErrors }) }
      return { ack: this.appendNow(out, opts) }
    })
    const settled = step.then(
      () => undefined,
      () => undefined,
    )
    this.transformChain = settled
    void settled.then(() => this.transformsPending--)
    return step.then((s) => s.ack)
  }

  private validationLimits(cfg: LogConfig, opts: AppendOptions, now: number): ValidationLimits {
    return {
      maxMessageBytes: cfg.maxMessageBytes,
      segmentBytes: cfg.segmentBytes,
      produceVersion: opts.produceVersion,
      internal: opts.internal === true,
      nowMs: now,
      timestampAfterMaxMs: cfg.timestampAfterMaxMs,
      timestampBeforeMaxMs: cfg.timestampBeforeMaxMs,
      logAppendTime: cfg.logAppendTime,
    }
  }

  /** The synchronous append: validate, check producer state, assign offsets, queue the write. */
  private appendNow(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.state !== 'open') {
      const code = this.state === 'deleted' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER
      return Promise.resolve(errorResult(code, null))
    }
    if (this.writer.failed) return Promise.resolve(errorResult(ErrorCode.KAFKA_STORAGE_ERROR, this.writer.failed.message))
    const cfg = this.deps.config()
    const now = this.deps.now()
    const internal = opts.internal === true
    const batches: BatchInfo[] = []
    const validBytes = validateBatches(records, this.validationLimits(cfg, opts, now), batches)
    if (typeof validBytes !== 'number') return Promise.resolve(errorResult(validBytes.errorCode, validBytes.message))

    // Idempotence: check every batch before changing any state.
    const check = checkProducers(this.producers, batches, internal)
    if (check.kind === 'error') return Promise.resolve(errorResult(check.errorCode, check.message))
    if (check.kind === 'duplicate') {
      const d = check.batch
      return this.writer.enqueueBarrier({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: d.lastOffset - d.offsetDelta,
        logAppendTimeMs: d.timestamp,
        logStartOffset: -1,
        recordErrors: NO_RECORD_ERRORS,
      })
    }

    if (cfg.logAppendTime) applyLogAppendTime(records, batches, now)
    let maxTimestamp = -1
    for (const b of batches) if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp

    let segment = this.activeSegment
    if (this.shouldRoll(segment, cfg, validBytes, maxTimestamp, this.lastOffsetAfter(batches), now)) segment = this.rollSegment(now)

    const baseOffset = this.nextOffset
    const offset = assignOffsets(records, batches, baseOffset, this.leaderEpoch, this.producers)
    this.nextOffset = offset

    const position = segment.assignedSize
    segment.assignedSize += validBytes
    const result: AppendResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset,
      logAppendTimeMs: cfg.logAppendTime ? now : -1,
      logStartOffset: -1,
      recordErrors: NO_RECORD_ERRORS,
    }
    const pending: PendingAppend = {
      segment,
      buf: validBytes === records.length ? records : records.subarray(0, validBytes),
      position,
      batches,
      baseOffset,
      nextOffset: offset,
      result,
      flush: false,
      resolve: null,
    }
    return this.writer.enqueue(pending)
  }

  private lastOffsetAfter(batches: BatchInfo[]): number {
    let n = this.nextOffset
    for (const b of batches) n += b.lastOffsetDelta + 1
    return n - 1
  }

  private shouldRoll(seg: LogSegment, cfg: LogConfig, bytes: number, maxTimestamp: number, lastOffset: number, now: number): boolean {
    if (seg.assignedSize === 0) return false
    if (seg.assignedSize > cfg.segmentBytes - bytes) return true
    const waited = seg.firstBatchTimestamp >= 0 ? maxTimestamp - seg.firstBatchTimestamp : now - seg.createdMs
    if (waited > cfg.segmentMs - seg.rollJitterMs) return true
    if (lastOffset - seg.baseOffset > INT32_MAX) return true
    return (seg.offsetIndex?.entries ?? 0) >= cfg.maxIndexEntries
  }

  /** Starts a new segment at the next offset; the old one is finalized once its queued writes land. */
  private rollSegment(now: number): LogSegment {
    const old = this.activeSegment
    const seg = new LogSegment(this.deps.fs, this.deps.dir, this.nextOffset, () => this.deps.config().indexIntervalBytes, this.deps.handles, now)
    seg.initEmpty()
    const jitter = this.deps.config().segmentJitterMs
    seg.rollJitterMs = jitter > 0 ? Math.floor(Math.random() * jitter) : 0
    this.segmentList.push(seg)
    this.writer.scheduleFinalize(old, this.producers.toSnapshot(this.nextOffset))
    this.deps.logger.debug({ topic: this.topicName, partition: this.partitionIndex, baseOffset: seg.baseOffset }, 'rolled segment')
    return seg
  }

  /** Rolls the active segment if it holds data (retention uses this to make all data deletable). */
  async roll(): Promise<void> {
    if (this.state !== 'open' || this.activeSegment.assignedSize === 0) return
    this.rollSegment(this.deps.now())
    await this.writer.idle()
  }

  private advanceHighWatermark(hw: number): void {
    if (hw <= this.hw) return
    this.hw = hw
    for (const l of this.listeners) {
      try {
        l()
      } catch (err) {
        this.deps.logger.error({ err }, 'onAppend listener failed')
      }
    }
  }

  /** @internal the append result's logStartOffset is filled at acknowledgement */
  currentLogStartOffset(): number {
    return this._logStartOffset
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /**
   * read() without I/O when it needs none: errors, nothing new past the high watermark, or the
   * tail of the active segment held in memory (recent-appends.ts). undefined: use read().
   */
  readNow(fetchOffset: number, opts: { maxBytes: number; minOneMessage: boolean }): ReadResult | undefined {
    const hw = this.hw
    if (this.state !== 'open' || fetchOffset < this._logStartOffset || fetchOffset > this.nextOffset) return undefined
    if (fetchOffset >= hw) return { errorCode: ErrorCode.NONE, records: EMPTY, highWatermark: hw, lastStableOffset: hw, logStartOffset: this._logStartOffset }
    const seg = this.activeSegment
    if (fetchOffset < seg.baseOffset) return undefined
    const r = seg.readRecent(fetchOffset, Math.max(0, opts.maxBytes), opts.minOneMessage)
    if (r === undefined) return undefined
    return { errorCode: ErrorCode.NONE, records: r === null ? EMPTY : r.records, highWatermark: hw, lastStableOffset: hw, logStartOffset: this._logStartOffset }
  }

  /** opts.alloc: buffers for file reads (Fetch passes pooled ones it releases once written). */
  async read(fetchOffset: number, opts: { maxBytes: number; minOneMessage: boolean; alloc?: (length: number) => Buffer }): Promise<ReadResult> {
    const now = this.readNow(fetchOffset, opts)
    if (now !== undefined) return now
    const logStartOffset = this._logStartOffset
    if (this.state !== 'open') {
      const errorCode = this.state === 'deleted' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER
      return { errorCode, records: null, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset }
    }
    if (fetchOffset < logStartOffset || fetchOffset > this.nextOffset) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset }
    }
    let records: Buffer = EMPTY
    if (fetchOffset < this.hw) {
      try {
        records = await this.readFromSegments(fetchOffset, Math.max(0, opts.maxBytes), opts.minOneMessage, opts.alloc)
      } catch (err) {
        // Segments deleted under the read (retention) or the log closed: answer as of now.
        if (fetchOffset < this._logStartOffset) {
          return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset: this._logStartOffset }
        }
        if (this.state !== 'open') return this.read(fetchOffset, opts)
        this.deps.logger.error({ err, topic: this.topicName, partition: this.partitionIndex, fetchOffset }, 'log read failed')
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, records: null, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 }
      }
    }
    return { errorCode: ErrorCode.NONE, records, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset: this._logStartOffset }
  }

  private async readFromSegments(fetchOffset: number, maxBytes: number, minOneMessage: boolean, alloc?: (length: number) => Buffer): Promise<Buffer> {
    let seg: LogSegment | undefined = this.segmentFor(fetchOffset)
    while (seg) {
      const r = await seg.read(fetchOffset, maxBytes, minOneMessage, alloc)
      if (r) return r.records
      // Replaced by a cleaned segment while this read was on its way: start over.
      if (!this.segmentList.includes(seg)) {
        seg = this.segmentFor(fetchOffset)
        continue
      }
      const base: number = seg.baseOffset
      seg = this.segmentList.find((s) => s.baseOffset > base)
      if (seg && seg.baseOffset >= this.hw) break
    }
    return EMPTY
  }

  /** The segment with the largest base offset <= offset (binary search). */
  segmentFor(offset: number): LogSegment | undefined {
    const list = this.segmentList
    let lo = 0
    let hi = list.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid].baseOffset <= offset) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found < 0 ? list[0] : list[found]
  }

  offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestamp: number } | null> {
    if (this.state !== 'open') return Promise.resolve(null)
    return findOffsetForTimestamp(this.segmentList.slice(), timestampMs, this._logStartOffset, this.hw)
  }

  maxTimestamp(): Promise<{ offset: number; timestamp: number } | null> {
    if (this.state !== 'open') return Promise.resolve(null)
    return findMaxTimestamp(this.segmentList.slice(), this._logStartOffset, this.hw)
  }

  /** Segments oldest first, for retention and DescribeLogDirs. */
  segments(): SegmentInfo[] {
    const list = this.segmentList
    return list.map((s, i) => ({
      baseOffset: s.baseOffset,
      endOffset: i === list.length - 1 ? this.nextOffset : list[i + 1].baseOffset,
      sizeBytes: s.assignedSize,
      maxTimestamp: s.maxTimestamp,
      lastModifiedMs: s.lastModifiedMs,
      active: i === list.length - 1,
    }))
  }

  /** Total bytes of all segments. */
  get sizeBytes(): number {
    let n = 0
    for (const s of this.segmentList) n += s.assignedSize
    return n
  }

  /**
   * Raises the log start offset (DeleteRecords, retention). Offsets below it are no longer served;
   * whole segments below it are deleted. Throws KafkaError(OFFSET_OUT_OF_RANGE) beyond the high watermark.
   */
  async setLogStartOffset(offset: number): Promise<void> {
    if (offset > this.hw) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Cannot increment the log start offset to ${offset}: the high watermark is ${this.hw}`)
    if (offset <= this._logStartOffset) return
    this._logStartOffset = offset
    this.producers.evictBelow(offset)
    // A cleaner swap in progress finishes first; counted and spliced in one synchronous step.
    while (segmentSwapInProgress(this)) await waitForSegmentSwaps(this)
    let n = 0
    while (n < this.segmentList.length - 1 && this.segmentList[n + 1].baseOffset <= offset) n++
    if (n > 0) await this.removeOldestSegments(n)
    this.deps.onCheckpointChange()
  }

  /** Deletes up to `count` oldest inactive segments; the log start offset moves to the first one left. */
  async deleteOldestSegments(count: number): Promise<number> {
    const n = Math.min(count, this.segmentList.length - 1)
    if (n <= 0) return 0
    // The start offset moves before the segments go, as in Kafka: reads below it get OFFSET_OUT_OF_RANGE.
    const first = this.segmentList[n].baseOffset
    if (first > this._logStartOffset) {
      this._logStartOffset = first
      this.producers.evictBelow(first)
    }
    await this.removeOldestSegments(n)
    this.deps.onCheckpointChange()
    return n
  }

  private async removeOldestSegments(n: number): Promise<void> {
    const removed = this.segmentList.splice(0, n)
    await this.writer.waitFinalized(removed)
    // Renamed to .deleted now, unlinked after file.delete.delay.ms.
    const { fs, dir, logger } = this.deps
    await deleteSegmentsLater(removed, { fs, dir, delayMs: this.deps.config().fileDeleteDelayMs, logger })
  }

  /** @internal the cleaner: waits until these (rolled) segments are written and finalized. */
  waitFinalized(segments: readonly LogSegment[]): Promise<void> {
    return this.writer.waitFinalized(segments)
  }

  /** Queues an fsync of everything appended so far; resolves when it is done. */
  flush(): Promise<void> {
    return this.writer.flush()
  }

  /** Background flush for flush.ms (called by the manager's timer). */
  flushIfDue(now: number): void {
    const ms = this.deps.config().flushMs
    if (ms !== Infinity && this.writer.unflushedMessages > 0 && now - this.writer.lastFlushMs >= ms) void this.writer.flush().catch(() => undefined)
  }

  /** 'open', 'closed' (broker shutdown) or 'deleted' (topic deleted). */
  get status(): 'open' | 'closed' | 'deleted' {
    return this.state
  }

  /** Stops appends, drains the queue, writes indexes and the producer snapshot, closes files. */
  async close(opts: { deleting?: boolean } = {}): Promise<void> {
    if (this.state !== 'open') return
    this.state = opts.deleting ? 'deleted' : 'closed'
    await this.writer.idle()
    await this.writer.waitFinalized(this.segmentList)
    if (!opts.deleting && !this.writer.failed) {
      const active = this.activeSegment
      await active.writeIndexes({ final: true, sync: true })
      await active.datasync() // also creates the .log of a segment rolled but never written
      await this.writer.writeProducerSnapshot(this.producers.toSnapshot(this.nextOffset))
      this.recoveryPoint = this.nextOffset
    }
    await Promise.all(this.segmentList.map((s) => s.close()))
    // Parked fetches re-check and see the partition gone.
    for (const l of this.listeners) {
      try {
        l()
      } catch {
        // listeners must not block close
      }
    }
    this.listeners.clear()
  }
}
