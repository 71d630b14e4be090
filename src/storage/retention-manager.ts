// Background retention (Kafka's LogManager.cleanupLogs): every log.retention.check.interval.ms,
// each partition in turn gets retentionDecision() applied. No record is read; partitions are
// visited one at a time with a yield between them, so produce and fetch never wait on it.
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Logger } from '../logger.js'
import { segmentSwapInProgress, waitForSegmentSwaps } from './cleaner/segment-swap.js'
import { type RetentionSettings } from './cleaner/cleaner-settings.js'
import type { PartitionLog } from './partition-log.js'
import { retentionDecision, type RetentionDecision } from './retention.js'

export interface RetentionHost {
  logger: Logger
  now: () => number
  logs: () => PartitionLog[]
  settings: () => RetentionSettings
}

/** Kafka's InitialTaskDelayMs: the first check runs this long after start (or sooner). */
const INITIAL_DELAY_MS = 30_000

export class RetentionManager {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<number> | null = null
  private stopped = false
  /** Segments deleted since start, by reason. */
  readonly totals = { runs: 0, segmentsDeleted: 0 }

  constructor(private readonly host: RetentionHost) {}

  start(): void {
    if (this.stopped) return
    this.schedule(Math.min(INITIAL_DELAY_MS, this.host.settings().checkIntervalMs))
  }

  /** Re-arms the timer with the current interval (after a config change). */
  reschedule(): void {
    if (this.timer && !this.stopped) this.schedule(this.host.settings().checkIntervalMs)
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.runOnce()
        .catch((err) => this.host.logger.error({ err }, 'retention check failed'))
        .finally(() => {
          if (!this.stopped && !this.timer) this.schedule(this.host.settings().checkIntervalMs)
        })
    }, Math.min(delayMs, 2 ** 31 - 1))
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running?.catch(() => undefined)
  }

  /** One pass over every partition; resolves with the number of segments deleted. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async pass(): Promise<number> {
    let deleted = 0
    for (const log of this.host.logs()) {
      if (this.stopped) break
      try {
        deleted += await this.applyTo(log)
      } catch (err) {
        this.host.logger.error({ err, topic: log.topicName, partition: log.partitionIndex }, 'deleting old segments failed')
      }
      await yieldToLoop()
    }
    this.totals.runs++
    this.totals.segmentsDeleted += deleted
    return deleted
  }

  private decide(log: PartitionLog): RetentionDecision {
    const cfg = log.deps.config()
    return retentionDecision(
      log.segments(),
      { delete: cfg.delete, retentionMs: cfg.retentionMs, retentionBytes: cfg.retentionBytes },
      { nowMs: this.host.now(), highWatermark: log.highWatermark, logStartOffset: log.logStartOffset },
    )
  }

  /** Deletes what retention allows in `log` (Kafka's deleteOldSegments). */
  async applyTo(log: PartitionLog): Promise<number> {
    if (log.isOffline || log.status !== 'open') return 0
    while (segmentSwapInProgress(log)) await waitForSegmentSwaps(log)
    let decision = this.decide(log)
    if (decision.deleteCount === 0) return 0
    if (decision.rollActive) {
      // Everything expired, the active segment too: roll so that an empty one remains.
      await log.roll()
      while (segmentSwapInProgress(log)) await waitForSegmentSwaps(log)
      decision = this.decide(log)
      if (decision.deleteCount === 0) return 0
    }
    // Decided and started in one synchronous step: nothing else changes the segment list between.
    const { counts } = decision
    const deleting = log.deleteOldestSegments(decision.deleteCount)
    this.host.logger.info(
      { topic: log.topicName, partition: log.partitionIndex, segments: decision.deleteCount, byLogStartOffset: counts['log-start-offset'], bySize: counts.size, byTime: counts.time },
      'deleting segments past retention',
    )
    return deleting
  }
}
