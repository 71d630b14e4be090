// The background log cleaner (Kafka's LogCleaner thread + LogCleanerManager): picks the dirtiest
// compacted partition, cleans it, checkpoints how far it got, repeats; sleeps log.cleaner.backoff.ms
// when nothing needs cleaning. One partition at a time, on the event loop, paced (see pacer.ts).
// A partition whose data cannot be cleaned (malformed records) is skipped until restart.
import { performance } from 'node:perf_hooks'
import type { Logger } from '../../logger.js'
import { MAX_TIMESTAMP, readInt64 } from '../batch-format.js'
import type { FileSystem } from '../fs/file-system.js'
import type { LogSegment } from '../log-segment.js'
import type { PartitionLog } from '../partition-log.js'
import { type CleanableLogView, groupSegmentsBySize, logToClean, type LogToClean, needsCleaning, segmentsInRange } from './cleanable.js'
import { CleanerCheckpoints } from './cleaner-checkpoint.js'
import { type CleanerSettings, cleanerSettings } from './cleaner-settings.js'
import { buildOffsetMap, cleanGroup, type CleanerStats, emptyStats, type MapSegment } from './clean-segments.js'
import { OffsetMap } from './offset-map.js'
import { CleanerAbortedError, CleanerPacer } from './pacer.js'
import { replaceSegments, type SwapStepHook, SwapAbortedError } from './segment-swap.js'

export interface LogCleanerHost {
  fs: FileSystem
  /** Data-dir root (memory root in memory mode). */
  root: string
  logger: Logger
  now: () => number
  /** Every open partition log. */
  logs: () => PartitionLog[]
  /** Effective Kafka-named broker configs. */
  brokerProperties: () => Record<string, string>
}

export interface CleaningPass {
  topic: string
  partition: number
  /** First offset not cleaned (the new checkpoint). */
  endOffset: number
  stats: CleanerStats
  elapsedMs: number
  mapElapsedMs: number
  segmentsBefore: number
  segmentsAfter: number
}

/** Cleaner-thread time slice between yields to the event loop. */
const SLICE_MS = 1

export class LogCleaner {
  private checkpoints!: CleanerCheckpoints
  private loop: Promise<void> | null = null
  private stopped = false
  private wakeUp: (() => void) | null = null
  private current: { log: PartitionLog; pacer: CleanerPacer; done: Promise<unknown> } | null = null
  private readonly uncleanable = new WeakSet<PartitionLog>()
  private readonly listeners = new Set<(pass: CleaningPass) => void>()
  readonly totals = { passes: 0, bytesRead: 0, bytesWritten: 0, elapsedMs: 0 }
  /** Test hook into the swap steps (crash tests stop the process there). */
  onSwapStep: SwapStepHook | undefined

  constructor(private readonly host: LogCleanerHost) {}

  async init(): Promise<void> {
    this.checkpoints = await CleanerCheckpoints.load(this.host.fs, this.host.root)
  }

  settings(): CleanerSettings {
    return cleanerSettings(this.host.brokerProperties())
  }

  /** The first dirty offset recorded for `log` (undefined before its first clean). */
  checkpoint(log: PartitionLog): number | undefined {
    return this.checkpoints.get(log)
  }

  onPass(listener: (pass: CleaningPass) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): void {
    if (this.loop || this.stopped) return
    this.loop = this.run()
  }

  /** Re-evaluates now (configs changed, or a test wants a pass). */
  wake(): void {
    this.wakeUp?.()
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const settings = this.settings()
      let cleaned = false
      if (settings.enabled) {
        try {
          cleaned = await this.cleanFilthiest(settings)
        } catch (err) {
          this.host.logger.error({ err }, 'log cleaner failed')
        }
      }
      if (!cleaned && !this.stopped) await this.sleep(settings.backoffMs)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      timer.unref()
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wakeUp = () => {
        this.wakeUp = null
        done()
      }
    })
  }

  /** Stops the loop; a cleaning in progress is aborted (its temp files removed). */
  async stop(): Promise<void> {
    this.stopped = true
    this.current?.pacer.abort('the broker is stopping')
    this.wake()
    await this.loop
    await this.current?.done
  }

  /** Kafka's abortCleaning: stop cleaning these logs (topic deletion) and forget their checkpoints. */
  async abort(logs: readonly PartitionLog[]): Promise<void> {
    const cur = this.current
    if (cur && logs.includes(cur.log)) {
      cur.pacer.abort('the partition is being deleted')
      await cur.done.catch(() => undefined)
    }
    await this.checkpoints.remove(logs)
  }

  private async view(log: PartitionLog, cfgMaxLagMs: number): Promise<CleanableLogView> {
    const segs = log.segmentList.slice()
    // Kafka's max.compaction.lag.ms reads the first batch's timestamp of each dirty segment;
    // segments loaded from disk do not know it yet.
    if (cfgMaxLagMs < Number.MAX_SAFE_INTEGER) {
      // 0 marks "read, no timestamp" (Kafka ignores timestamps <= 0 here).
      for (const s of segs.slice(0, -1)) if (s.firstBatchTimestamp < 0 && s.size > 0) s.firstBatchTimestamp = Math.max(0, await readFirstBatchTimestamp(s))
    }
    return {
      segments: segs.map((s) => ({
        baseOffset: s.baseOffset,
        sizeBytes: s.size,
        largestTimestamp: s.maxTimestamp >= 0 ? s.maxTimestamp : s.lastModifiedMs,
        firstBatchTimestamp: s.firstBatchTimestamp,
      })),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      lastStableOffset: log.lastStableOffset,
    }
  }

  /** The log to clean next and its numbers (Kafka's grabFilthiestCompactedLog). */
  async grabFilthiest(): Promise<{ log: PartitionLog; ltc: LogToClean } | null> {
    const now = this.host.now()
    let best: { log: PartitionLog; ltc: LogToClean } | null = null
    for (const log of this.host.logs()) {
      const cfg = log.deps.config()
      if (!cfg.compact || log.isOffline || this.uncleanable.has(log)) continue
      const ltc = logToClean(await this.view(log, cfg.maxCompactionLagMs), cfg, this.checkpoints.get(log), now)
      if (ltc.forceUpdateCheckpoint) await this.checkpoints.set(log, ltc.firstDirtyOffset)
      if (!needsCleaning(ltc, cfg)) continue
      if (!best || ltc.cleanableRatio > best.ltc.cleanableRatio) best = { log, ltc }
    }
    return best
  }

  private async cleanFilthiest(settings: CleanerSettings): Promise<boolean> {
    const found = await this.grabFilthiest()
    if (!found || this.stopped) return false
    try {
      await this.cleanLog(found.log, found.ltc, settings)
    } catch (err) {
      if (err instanceof CleanerAbortedError || err instanceof SwapAbortedError) {
        this.host.logger.info({ topic: found.log.topicName, partition: found.log.partitionIndex, reason: (err as Error).message }, 'log cleaning aborted')
      } else {
        this.uncleanable.add(found.log)
        this.host.logger.error({ err, topic: found.log.topicName, partition: found.log.partitionIndex }, 'cleaning failed; the partition is marked uncleanable until restart')
      }
    }
    return true
  }

  /**
   * One cleaning pass over `log` up to its first uncleanable offset (tests call it directly;
   * `ltc` defaults to the log's current numbers, ignoring the dirty ratio).
   */
  async cleanLog(log: PartitionLog, ltc?: LogToClean, settings = this.settings()): Promise<CleaningPass | null> {
    // One cleaning at a time (a test's direct call and the background loop).
    while (this.current) await this.current.done
    const cfg = log.deps.config()
    ltc ??= logToClean(await this.view(log, cfg.maxCompactionLagMs), cfg, this.checkpoints.get(log), this.host.now())
    if (ltc.firstDirtyOffset >= ltc.firstUncleanableOffset) return null
    const pacer = new CleanerPacer({ sliceMs: SLICE_MS, maxBytesPerSecond: () => this.settings().ioMaxBytesPerSecond })
    if (this.current) return this.cleanLog(log, undefined, settings)
    const work = this.doClean(log, ltc, settings, pacer)
    this.current = { log, pacer, done: work.catch(() => undefined) }
    try {
      return await work
    } finally {
      this.current = null
    }
  }

  private async doClean(log: PartitionLog, ltc: LogToClean, settings: CleanerSettings, pacer: CleanerPacer): Promise<CleaningPass> {
    const started = performance.now()
    const now = this.host.now()
    const cfg = log.deps.config()
    const stats = emptyStats()
    const chunkBytes = settings.ioBufferBytes
    const segs = log.segmentList.slice()
    const segmentsBefore = segs.length
    const upperBound = ltc.firstUncleanableOffset
    // Rolled segments may still be writing their indexes: let them finish first.
    await log.waitFinalized(segs.filter((s) => s.baseOffset < upperBound))

    const dirtySegs = segmentsInRange(segs, ltc.firstDirtyOffset, upperBound)
    const dirty: MapSegment[] = dirtySegs.map((segment, i) => ({
      segment,
      nextSegmentStartOffset: i + 1 < dirtySegs.length ? dirtySegs[i + 1].baseOffset : upperBound,
    }))
    const map = new OffsetMap(Math.floor(settings.dedupeBufferBytes * settings.dedupeLoadFactor))
    await buildOffsetMap(dirty, ltc.firstDirtyOffset, map, { chunkBytes, pacer, stats })
    const mapElapsedMs = performance.now() - started
    const endOffset = map.latestOffset + 1

    const candidates = segmentsInRange(segs, 0, endOffset).map((segment) => ({ segment, baseOffset: segment.baseOffset, sizeBytes: segment.size }))
    const groups = groupSegmentsBySize(candidates, cfg.segmentBytes, upperBound)
    const lastOffsetOfActiveProducers = new Map<number, number>()
    for (const [id, entry] of log.producers.entries) if (entry.lastOffset >= 0) lastOffsetOfActiveProducers.set(id, entry.lastOffset)

    for (const group of groups) {
      const old = group.map((g) => g.segment)
      const cleaned = await cleanGroup(old, {
        fs: this.host.fs,
        dir: log.deps.dir,
        map,
        nowMs: now,
        deleteRetentionMs: cfg.deleteRetentionMs,
        indexIntervalBytes: cfg.indexIntervalBytes,
        upperBoundOffset: upperBound,
        lastOffsetOfActiveProducers,
        chunkBytes,
        pacer,
        stats,
      })
      await replaceSegments(log, old, cleaned, { fs: this.host.fs, fileDeleteDelayMs: log.deps.config().fileDeleteDelayMs, logger: this.host.logger, onStep: this.onSwapStep })
    }
    await this.checkpoints.set(log, endOffset)

    const elapsedMs = performance.now() - started
    const pass: CleaningPass = {
      topic: log.topicName,
      partition: log.partitionIndex,
      endOffset,
      stats,
      elapsedMs,
      mapElapsedMs,
      segmentsBefore,
      segmentsAfter: log.segmentList.length,
    }
    this.totals.passes++
    this.totals.bytesRead += stats.bytesRead
    this.totals.bytesWritten += stats.bytesWritten
    this.totals.elapsedMs += elapsedMs
    const mb = (n: number) => n / (1024 * 1024)
    this.host.logger.info(
      {
        topic: log.topicName,
        partition: log.partitionIndex,
        endOffset,
        readMB: Number(mb(stats.bytesRead).toFixed(2)),
        writtenMB: Number(mb(stats.bytesWritten).toFixed(2)),
        mbPerSec: Number((mb(stats.bytesRead) / Math.max(elapsedMs / 1000, 1e-6)).toFixed(1)),
        records: `${stats.recordsRead} -> ${stats.recordsWritten}`,
        segments: `${segmentsBefore} -> ${pass.segmentsAfter}`,
      },
      'cleaned log',
    )
    for (const l of this.listeners) l(pass)
    return pass
  }
}

async function readFirstBatchTimestamp(seg: LogSegment): Promise<number> {
  try {
    const h = await seg.acquire()
    try {
      const header = await h.read(0, MAX_TIMESTAMP + 8)
      return header.length === MAX_TIMESTAMP + 8 ? readInt64(header, MAX_TIMESTAMP) : -1
    } finally {
      seg.release()
    }
  } catch {
    return -1
  }
}
