// The background storage policies of a LogManager: time/size retention and the log cleaner.
// Both read their settings (Kafka-named broker configs, topic LogConfigs) on every cycle, so
// AlterConfigs changes apply without reopening logs.
import type { Logger } from '../logger.js'
import { retentionSettings } from './cleaner/cleaner-settings.js'
import { LogCleaner } from './cleaner/log-cleaner.js'
import type { FileSystem } from './fs/file-system.js'
import type { PartitionLog } from './partition-log.js'
import { RetentionManager } from './retention-manager.js'

export interface StoragePoliciesHost {
  fs: FileSystem
  root: string
  logger: Logger
  now: () => number
  /** Every open partition log. */
  logs: () => PartitionLog[]
  /** The broker's effective Kafka-named configs. */
  brokerProperties: () => Record<string, string>
}

export class StoragePolicies {
  readonly retention: RetentionManager
  readonly cleaner: LogCleaner
  private started = false

  constructor(host: StoragePoliciesHost) {
    const logs = (): PartitionLog[] => host.logs().filter((l) => l !== undefined && l.status === 'open')
    this.retention = new RetentionManager({
      logger: host.logger,
      now: host.now,
      logs,
      settings: () => retentionSettings(host.brokerProperties()),
    })
    this.cleaner = new LogCleaner({ ...host, logs })
  }

  /** Loads the cleaner checkpoint and starts both background loops. */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    await this.cleaner.init()
    this.retention.start()
    this.cleaner.start()
  }

  /** Broker or topic configs changed: re-arm timers, let the cleaner look again. */
  configsChanged(): void {
    this.retention.reschedule()
    this.cleaner.wake()
  }

  /** Before partitions are deleted: stop cleaning them, drop their cleaner checkpoints. */
  async abort(logs: readonly PartitionLog[]): Promise<void> {
    if (this.started) await this.cleaner.abort(logs)
  }

  async stop(): Promise<void> {
    await Promise.all([this.retention.stop(), this.cleaner.stop()])
  }
}
