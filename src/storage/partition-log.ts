// One partition's log: validation, offset assignment and the serialized append queue (writes are
// coalesced: everything queued while a write/fsync is in flight goes out in the next single
// writev, and in fsync mode one fsync covers it all: group commit). Readers read up to the high
// watermark without taking the queue.
import type { Logger } from '../logger.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { crc32c } from '../protocol/record-batch.js'
import {
  ATTRIBUTES,
  CONTROL_MASK,
  CRC,
  incrementSequence,
  INT32_MAX,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  TIMESTAMP_TYPE_MASK,
  writeInt64,
} from './batch-format.js'
import { type BatchInfo, validateBatches } from './batch-validator.js'
import type { FileSystem } from './fs/file-system.js'
import type { HandleCache } from './handle-cache.js'
import type { LogConfig } from './log-config.js'
import { LogSegment } from './log-segment.js'
import { AppendWriter, type PendingAppend } from './append-writer.js'
import { checkProducerBatch, ProducerStateEntry, ProducerStateManager } from './producer-state.js'
import { findMaxTimestamp, findOffsetForTimestamp } from './timestamp-lookup.js'

export interface AppendResult {
  errorCode: number
  errorMessage: string | null
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

export interface AppendOptions {
  requiredAcks: number
  /** Produce API version (v3+: exactly one batch). Omitted for broker-internal appends. */
  produceVersion?: number
  /** Broker-internal append (coordinator logs): no client-only checks (baseOffset, control batches, sequences). */
  internal?: boolean
}

export interface ReadResult {
  errorCode: number
  records: Buffer | null
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
}

export interface SegmentInfo {
  baseOffset: number
  /** Offset after the segment's last batch (the next segment's base for inactive segments). */
  endOffset: number
  sizeBytes: number
  /** Largest record timestamp (-1 when unknown/empty). */
  maxTimestamp: number
  lastModifiedMs: number
  active: boolean
}

export interface PartitionLogDeps {
  fs: FileSystem
  dir: string
  topicName: string
  partitionIndex: number
  topicId: string
  config: () => LogConfig
  logger: Logger
  now: () => number
  handles: HandleCache
  /** Log start offset or recovery point moved: the manager rewrites its checkpoint files. */
  onCheckpointChange: () => void
}

export interface PartitionLogState {
  segments: LogSegment[]
  logStartOffset: number
  producers: ProducerStateManager
  recoveryPoint: number
  /** Offsets of the producer snapshot files present, ascending. */
  snapshotOffsets: number[]
}

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
  private readonly listeners = new Set<() => void>()
  private readonly writer: AppendWriter
  private state: 'open' | 'closed' | 'deleted' = 'open'

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
      onAcknowledged: (hw) => this.advanceHighWatermark(hw),
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

  get activeSegment(): LogSegment {
    return this.segmentList[this.segmentList.length - 1]
  }

  /** Partition is offline after a write error (KAFKA_STORAGE_ERROR) until restart. */
  get isOffline(): boolean {
    return this.writer.failed !== null
  }

  append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.state !== 'open') {
      const code = this.state === 'deleted' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NOT_LEADER_OR_FOLLOWER
      return Promise.resolve(errorResult(code, null))
    }
    if (this.writer.failed) return Promise.resolve(errorResult(ErrorCode.KAFKA_STORAGE_ERROR, this.writer.failed.message))
    const cfg = this.deps.config()
    const now = this.deps.now()
    const internal = opts.internal === true
    const batches: BatchInfo[] = []
    const validBytes = validateBatches(
      records,
      {
        maxMessageBytes: cfg.maxMessageBytes,
        segmentBytes: cfg.segmentBytes,
        produceVersion: opts.produceVersion,
        internal,
        nowMs: now,
        timestampAfterMaxMs: cfg.timestampAfterMaxMs,
        timestampBeforeMaxMs: cfg.timestampBeforeMaxMs,
        logAppendTime: cfg.logAppendTime,
      },
      batches,
    )
    if (typeof validBytes !== 'number') return Promise.resolve(errorResult(validBytes.errorCode, validBytes.message))

    // Idempotence: check every batch before changing any state.
    let staged: Map<number, ProducerStateEntry> | null = null
    for (const b of batches) {
      if (b.producerId < 0) continue
      const lastSequence = b.baseSequence < 0 ? -1 : incrementSequence(b.baseSequence, b.lastOffsetDelta)
      const current = staged?.get(b.producerId) ?? this.producers.get(b.producerId)
      const check = checkProducerBatch(current, { ...b, lastSequence }, { checkSequence: !internal })
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
      if (batches.length > 1) {
        staged ??= new Map()
        const e = current ? current.clone() : new ProducerStateEntry(b.producerId)
        e.addBatch(b.producerEpoch, lastSequence, 0, b.lastOffsetDelta, b.maxTimestamp)
        staged.set(b.producerId, e)
      }
    }

    let maxTimestamp = -1
    if (cfg.logAppendTime) {
      for (const b of batches) {
        const p = b.position
        records.writeInt16BE((b.attributes | TIMESTAMP_TYPE_MASK) & 0xffff, p + ATTRIBUTES)
        writeInt64(records, p + MAX_TIMESTAMP, now)
        records.writeUInt32BE(crc32c(records, p + ATTRIBUTES, p + b.size), p + CRC)
        b.maxTimestamp = now
      }
    }
    for (const b of batches) if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp

    let segment = this.activeSegment
    if (this.shouldRoll(segment, cfg, validBytes, maxTimestamp, this.lastOffsetAfter(batches), now)) segment = this.rollSegment(now)

    const baseOffset = this.nextOffset
    let offset = baseOffset
    for (const b of batches) {
      const p = b.position
      writeInt64(records, p, offset)
      records.writeInt32BE(this.leaderEpoch, p + PARTITION_LEADER_EPOCH)
      const batchLast = offset + b.lastOffsetDelta
      if (b.producerId >= 0 && (records.readInt16BE(p + ATTRIBUTES) & CONTROL_MASK) === 0) {
        let entry = this.producers.get(b.producerId)
        if (!entry) {
          entry = new ProducerStateEntry(b.producerId)
          this.producers.set(entry)
        }
        const lastSeq = b.baseSequence < 0 ? -1 : incrementSequence(b.baseSequence, b.lastOffsetDelta)
        entry.addBatch(b.producerEpoch, lastSeq, batchLast, b.lastOffsetDelta, b.maxTimestamp)
      }
      offset = batchLast + 1
    }
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

  async read(fetchOffset: number, opts: { maxBytes: number; minOneMessage: boolean }): Promise<ReadResult> {
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
        records = await this.readFromSegments(fetchOffset, Math.max(0, opts.maxBytes), opts.minOneMessage)
      } catch (err) {
        if (fetchOffset < this._logStartOffset) {
          return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset: this._logStartOffset }
        }
        throw err
      }
    }
    return { errorCode: ErrorCode.NONE, records, highWatermark: this.hw, lastStableOffset: this.hw, logStartOffset: this._logStartOffset }
  }

  private async readFromSegments(fetchOffset: number, maxBytes: number, minOneMessage: boolean): Promise<Buffer> {
    let seg: LogSegment | undefined = this.segmentFor(fetchOffset)
    while (seg) {
      const r = await seg.read(fetchOffset, maxBytes, minOneMessage)
      if (r) return r.records
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
    let n = 0
    while (n < this.segmentList.length - 1 && this.segmentList[n + 1].baseOffset <= offset) n++
    if (n > 0) await this.removeOldestSegments(n)
    this.deps.onCheckpointChange()
  }

  /** Deletes up to `count` oldest inactive segments; the log start offset moves to the first one left. */
  async deleteOldestSegments(count: number): Promise<number> {
    const n = Math.min(count, this.segmentList.length - 1)
    if (n <= 0) return 0
    await this.removeOldestSegments(n)
    const first = this.segmentList[0].baseOffset
    if (first > this._logStartOffset) {
      this._logStartOffset = first
      this.producers.evictBelow(first)
    }
    this.deps.onCheckpointChange()
    return n
  }

  private async removeOldestSegments(n: number): Promise<void> {
    const removed = this.segmentList.splice(0, n)
    await this.writer.waitFinalized(removed)
    await Promise.all(removed.map((s) => s.delete()))
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
