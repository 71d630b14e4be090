// All partition logs of the broker, the topic metadata store and the data-dir root files.
// Metadata operations (create/delete topics, add partitions, alter configs) are serialized.
import type { BrokerConfig } from '../config/broker-config.js'
import { normalizeTopicConfigs } from '../config/topic-configs.js'
import type { Logger } from '../logger.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { type FileSystem, writeFileAtomic } from './fs/file-system.js'
import { MemoryFileSystem } from './fs/memory-file-system.js'
import { NodeFileSystem } from './fs/node-file-system.js'
import { HandleCache } from './handle-cache.js'
import { brokerConfigDefaults, type LogConfig, resolveLogConfig } from './log-config.js'
import {
  CLEAN_SHUTDOWN_FILE,
  cleanShutdownContent,
  formatOffsetCheckpoint,
  formatPartitionMetadata,
  LOG_START_OFFSET_FILE,
  META_PROPERTIES_FILE,
  parsePartitionMetadata,
  PARTITION_METADATA_FILE,
  PRODUCER_IDS_FILE,
  randomKafkaUuid,
  readMetaProperties,
  readOffsetCheckpoint,
  readTopicsFile,
  RECOVERY_POINT_FILE,
  type StoredTopic,
  TOPICS_FILE,
  uuidToKafkaBase64,
  writeMetaProperties,
  writeTopicsFile,
} from './metadata-files.js'
import { openPartitionLog, type PartitionLoadOptions } from './partition-loader.js'
import type { PartitionLog } from './partition-log.js'
import { ProducerIdManager } from './producer-id-manager.js'
import { isInternalTopicName, validateNewTopic } from './topic-names.js'
import type { BrokerConfigLayers } from '../config/topic-config-catalog-describe.js'
import { recoverSegmentSwaps } from './cleaner/segment-swap.js'
import { StoragePolicies } from './retention-policies.js'
import { settleAll } from './settle-all.js'

export interface LogManagerOptions {
  dataDir: string | null /* null = memory only */
  config: BrokerConfig
  logger: Logger
  now?: () => number
  /** Tests: a file-system port (e.g. one that counts fsyncs). Default: node's, or memory when dataDir is null. */
  fileSystem?: FileSystem
  /** Open segment files kept across all partitions (default 1024). */
  maxOpenSegmentFiles?: number
  /** Kafka-named broker configs over BrokerConfig (static extras, dynamic layers); see setBrokerConfigLayers. */
  brokerConfigLayers?: BrokerConfigLayers
}

export interface Topic {
  name: string
  /** 36-char lowercase UUID. */
  topicId: string
  partitions: PartitionLog[]
  /** Overrides only, Kafka names. */
  configs: Record<string, string>
  isInternal: boolean
  /** = partitions.length (also set on the validateOnly result, whose partitions are empty). */
  numPartitions: number
  replicationFactor: number
}

export interface CreateTopicRequest {
  name: string
  numPartitions: number
  replicationFactor: number
  configs: Record<string, string>
}

interface TopicEntry {
  topic: Topic
  logConfig: LogConfig
}

const MEMORY_ROOT = '/brook-memory'
const OPEN_CONCURRENCY = 16

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0
  const worker = async (): Promise<void> => {
    while (i < items.length) await fn(items[i++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

export class LogManager {
  readonly clusterId: string
  readonly nodeId: number
  readonly dataDir: string | null
  readonly producerIds: ProducerIdManager
  private readonly topics = new Map<string, TopicEntry>()
  private readonly topicsById = new Map<string, TopicEntry>()
  private brokerDefaults: Record<string, string>
  /** Retention and the log cleaner (background). */
  readonly policies: StoragePolicies
  private metaChain: Promise<unknown> = Promise.resolve()
  private checkpointWriting: Promise<void> | null = null
  private checkpointDirty = false
  private flushTimer: NodeJS.Timeout | null = null
  private closed = false

  private constructor(
    private readonly fs: FileSystem,
    private readonly root: string,
    private readonly opts: LogManagerOptions,
    private readonly now: () => number,
    private readonly handles: HandleCache,
    meta: { clusterId: string; nodeId: number },
    producerIds: ProducerIdManager,
  ) {
    this.dataDir = opts.dataDir
    this.clusterId = meta.clusterId
    this.nodeId = meta.nodeId
    this.producerIds = producerIds
    this.brokerDefaults = brokerConfigDefaults(opts.config, opts.brokerConfigLayers)
    this.policies = new StoragePolicies({ fs, root, logger: opts.logger, now, logs: () => this.listTopics().flatMap((t) => t.partitions), brokerProperties: () => this.brokerDefaults })
  }

  /** Loads topics, recovers logs, rebuilds producer state. */
  static async open(opts: LogManagerOptions): Promise<LogManager> {
    const fs = opts.fileSystem ?? (opts.dataDir === null ? new MemoryFileSystem() : new NodeFileSystem())
    const root = opts.dataDir ?? MEMORY_ROOT
    const now = opts.now ?? Date.now
    const { config, logger } = opts
    await fs.mkdir(root)

    const metaPath = `${root}/${META_PROPERTIES_FILE}`
    const stored = await readMetaProperties(fs, metaPath)
    if (stored?.nodeId !== undefined && stored.nodeId !== config.nodeId) {
      throw new Error(`Stored node id ${stored.nodeId} in ${metaPath} doesn't match the configured node id ${config.nodeId}`)
    }
    if (stored?.clusterId && config.clusterId !== null && stored.clusterId !== config.clusterId) {
      throw new Error(`The cluster id ${config.clusterId} doesn't match the stored cluster id ${stored.clusterId} in ${metaPath}`)
    }
    const clusterId = stored?.clusterId ?? config.clusterId ?? uuidToKafkaBase64(randomKafkaUuid())
    // meta.properties, the clean-shutdown marker and the producer id block are independent files:
    // their round trips to the thread pool overlap (startup of a new data dir pays one, not three).
    const metaWritten = !stored?.clusterId || stored.nodeId === undefined
      ? writeMetaProperties(fs, metaPath, { clusterId, nodeId: config.nodeId, directoryId: stored?.directoryId ?? uuidToKafkaBase64(randomKafkaUuid()) })
      : undefined
    const markerPath = `${root}/${CLEAN_SHUTDOWN_FILE}`
    const markerRemoved = fs.stat(markerPath).then(async (marker) => {
      if (marker === null) return false
      // Gone before any log write (load() below): a crash from here on must not look clean.
      await fs.unlink(markerPath)
      await fs.syncDir(root)
      return true
    })
    const producerIdsOpened = ProducerIdManager.open(opts.dataDir === null ? null : fs, opts.dataDir === null ? null : `${root}/${PRODUCER_IDS_FILE}`, logger)
    const [, cleanShutdown, producerIds] = await settleAll([metaWritten, markerRemoved, producerIdsOpened] as const)
    const manager = new LogManager(fs, root, opts, now, new HandleCache(opts.maxOpenSegmentFiles ?? 1024), { clusterId, nodeId: config.nodeId }, producerIds)
    await manager.load(cleanShutdown)
    await manager.policies.start()
    return manager
  }

  private async load(cleanShutdown: boolean): Promise<void> {
    const { fs, root } = this
    const [storedTopics, storedRecoveryPoints, storedLogStartOffsets] = await settleAll([
      readTopicsFile(fs, `${root}/${TOPICS_FILE}`),
      readOffsetCheckpoint(fs, `${root}/${RECOVERY_POINT_FILE}`),
      readOffsetCheckpoint(fs, `${root}/${LOG_START_OFFSET_FILE}`),
    ] as const)
    const recoveryPoints = storedRecoveryPoints ?? new Map<string, number>()
    const logStartOffsets = storedLogStartOffsets ?? new Map<string, number>()

    const known = new Set<string>()
    for (const t of storedTopics) for (let p = 0; p < t.numPartitions; p++) known.add(`${t.name}-${p}`)
    for (const name of await fs.readdir(root)) {
      if (name.endsWith('-delete') || name.endsWith('.tmp')) {
        await fs.rmdir(`${root}/${name}`)
      } else if (!known.has(name) && (await fs.stat(`${root}/${name}`))?.isDirectory) {
        this.opts.logger.warn({ dir: `${root}/${name}` }, 'directory in the data dir belongs to no known topic; left alone')
      }
    }

    const work: { entry: TopicEntry; partition: number }[] = []
    for (const t of storedTopics) {
      const entry = this.makeEntry(t.name, t.topicId, t.configs, t.numPartitions)
      this.topics.set(t.name, entry)
      this.topicsById.set(t.topicId, entry)
      for (let p = 0; p < t.numPartitions; p++) work.push({ entry, partition: p })
    }
    let maxProducerId = -1
    await forEachLimit(work, OPEN_CONCURRENCY, async ({ entry, partition }) => {
      const dirName = `${entry.topic.name}-${partition}`
      const log = await this.openPartition(entry, partition, {
        cleanShutdown,
        recoveryPoint: recoveryPoints.get(dirName),
        logStartOffset: logStartOffsets.get(dirName),
      })
      entry.topic.partitions[partition] = log
      for (const id of log.producers.entries.keys()) if (id > maxProducerId) maxProducerId = id
    })
    await this.producerIds.ensureAbove(maxProducerId)
    this.updateFlushTimer()
    this.opts.logger.info({ dataDir: this.dataDir, topics: this.topics.size, partitions: work.length, cleanShutdown }, 'logs loaded')
  }

  private makeEntry(name: string, topicId: string, configs: Record<string, string>, numPartitions: number): TopicEntry {
    const topic: Topic = {
      name,
      topicId,
      partitions: new Array<PartitionLog>(numPartitions),
      configs,
      isInternal: isInternalTopicName(name),
      numPartitions,
      replicationFactor: 1,
    }
    return { topic, logConfig: resolveLogConfig(configs, this.opts.config, this.brokerDefaults) }
  }

  private partitionDir(topic: string, partition: number): string {
    return `${this.root}/${topic}-${partition}`
  }

  /** load.created: removeStaleDir just ran, so there is no partition.metadata to compare, no
   * interrupted cleaner swap to recover and no file to list (thread-pool round trips saved). */
  private async openPartition(entry: TopicEntry, partition: number, load: PartitionLoadOptions): Promise<PartitionLog> {
    const dir = this.partitionDir(entry.topic.name, partition)
    await this.fs.mkdir(dir)
    const metaPath = `${dir}/${PARTITION_METADATA_FILE}`
    const existing = !load.created && (await this.fs.stat(metaPath)) ? parsePartitionMetadata((await this.fs.readFile(metaPath)).toString('utf8')) : null
    if (existing !== entry.topic.topicId) {
      if (existing !== null) this.opts.logger.warn({ dir, found: existing, expected: entry.topic.topicId }, 'partition.metadata names another topic id; rewriting it')
      await this.fs.writeFile(metaPath, formatPartitionMetadata(entry.topic.topicId))
    }
    // an interrupted cleaner swap, before the loader sees the files
    if (!load.created) await recoverSegmentSwaps(this.fs, dir, this.opts.logger)
    return openPartitionLog(
      {
        fs: this.fs,
        dir,
        topicName: entry.topic.name,
        partitionIndex: partition,
        topicId: entry.topic.topicId,
        config: () => entry.logConfig,
        logger: this.opts.logger,
        now: this.now,
        handles: this.handles,
        onCheckpointChange: () => this.scheduleCheckpoint(),
      },
      load,
    )
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.metaChain.then(() => {
      if (this.closed) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'the broker is shutting down')
      return fn()
    })
    this.metaChain = run.catch(() => undefined)
    return run
  }

  listTopics(): Topic[] {
    return [...this.topics.values()].map((e) => e.topic)
  }

  getTopic(name: string): Topic | undefined {
    return this.topics.get(name)?.topic
  }

  getTopicById(topicId: string): Topic | undefined {
    return this.topicsById.get(topicId)?.topic
  }

  getPartition(topic: string, partition: number): PartitionLog | undefined {
    const t = this.topics.get(topic)?.topic
    return t && partition >= 0 && partition < t.partitions.length ? t.partitions[partition] : undefined
  }

  /** Throws KafkaError(TOPIC_ALREADY_EXISTS | INVALID_TOPIC_EXCEPTION | INVALID_PARTITIONS | INVALID_REPLICATION_FACTOR | INVALID_CONFIG). */
  createTopic(req: CreateTopicRequest, opts: { validateOnly: boolean }): Promise<Topic> {
    return this.serialize(async () => {
      const { name } = req
      const { numPartitions } = validateNewTopic(req, this.topics.keys(), this.opts.config, this.brokerDefaults)
      const configs = normalizeTopicConfigs(req.configs)
      const topicId = randomKafkaUuid()
      const entry = this.makeEntry(name, topicId, configs, numPartitions)
      if (opts.validateOnly) {
        entry.topic.partitions = []
        return entry.topic
      }
      for (let p = 0; p < numPartitions; p++) await this.removeStaleDir(this.partitionDir(name, p))
      await forEachLimit([...Array(numPartitions).keys()], OPEN_CONCURRENCY, async (p) => {
        entry.topic.partitions[p] = await this.openPartition(entry, p, { cleanShutdown: true, recoveryPoint: 0, logStartOffset: 0, created: true })
      })
      // Broker config layers may have changed while the partitions were opening.
      entry.logConfig = resolveLogConfig(configs, this.opts.config, this.brokerDefaults)
      this.topics.set(name, entry)
      this.topicsById.set(topicId, entry)
      await this.persistTopics()
      this.updateFlushTimer()
      this.opts.logger.info({ topic: name, topicId, partitions: numPartitions }, 'created topic')
      return entry.topic
    })
  }

  /** A partition directory with no topic (left by a crash mid-create/delete) is moved aside and removed. */
  private async removeStaleDir(dir: string): Promise<void> {
    if (!(await this.fs.stat(dir))) return
    this.opts.logger.warn({ dir }, 'removing a stale partition directory')
    await this.fs.rmdir(dir)
  }

  /** Throws KafkaError(UNKNOWN_TOPIC_OR_PARTITION). Files are removed before it resolves. */
  deleteTopic(name: string): Promise<void> {
    return this.serialize(async () => {
      const entry = this.topics.get(name)
      if (!entry) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
      this.topics.delete(name)
      this.topicsById.delete(entry.topic.topicId)
      await this.policies.abort(entry.topic.partitions)
      await Promise.all(entry.topic.partitions.map((p) => p.close({ deleting: true })))
      const suffix = entry.topic.topicId.replace(/-/g, '')
      const moved: string[] = []
      for (let p = 0; p < entry.topic.partitions.length; p++) {
        const dir = this.partitionDir(name, p)
        const target = `${dir}.${suffix}-delete`
        if (await this.fs.stat(dir)) {
          await this.fs.rename(dir, target)
          moved.push(target)
        }
      }
      await this.persistTopics()
      this.scheduleCheckpoint()
      await Promise.all(moved.map((d) => this.fs.rmdir(d)))
      this.updateFlushTimer()
      this.opts.logger.info({ topic: name }, 'deleted topic')
    })
  }

  /** Grows a topic to totalCount partitions. Throws KafkaError(UNKNOWN_TOPIC_OR_PARTITION | INVALID_PARTITIONS). */
  createPartitions(name: string, totalCount: number, opts: { validateOnly: boolean }): Promise<void> {
    return this.serialize(async () => {
      const entry = this.topics.get(name)
      if (!entry) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      const current = entry.topic.partitions.length
      if (totalCount < current) {
        throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${totalCount} would not be an increase.`)
      }
      if (totalCount === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`)
      if (opts.validateOnly) return
      const added: PartitionLog[] = []
      for (let p = current; p < totalCount; p++) {
        await this.removeStaleDir(this.partitionDir(name, p))
        added.push(await this.openPartition(entry, p, { cleanShutdown: true, recoveryPoint: 0, logStartOffset: 0, created: true }))
      }
      entry.topic.partitions.push(...added)
      entry.topic.numPartitions = entry.topic.partitions.length
      await this.persistTopics()
    })
  }

  /**
   * Replaces a topic's config overrides (validated by the caller with validateTopicConfigs;
   * Kafka-4-removed names are dropped). Takes effect for the next append/roll.
   */
  alterTopicConfigs(name: string, configs: Record<string, string>): Promise<void> {
    return this.serialize(async () => {
      const entry = this.topics.get(name)
      if (!entry) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      entry.topic.configs = normalizeTopicConfigs(configs)
      entry.logConfig = resolveLogConfig(entry.topic.configs, this.opts.config, this.brokerDefaults)
      await this.persistTopics()
      this.updateFlushTimer()
      this.policies.configsChanged()
    })
  }

  /** The broker's Kafka-named config layers changed (dynamic AlterConfigs): every topic's defaults follow at once. */
  setBrokerConfigLayers(layers: BrokerConfigLayers): void {
    this.brokerDefaults = brokerConfigDefaults(this.opts.config, layers)
    for (const entry of this.topics.values()) entry.logConfig = resolveLogConfig(entry.topic.configs, this.opts.config, this.brokerDefaults)
    this.updateFlushTimer()
    this.policies.configsChanged()
  }

  /** The effective log settings of a topic (segment size, retention, flush policy, ...). */
  logConfig(name: string): LogConfig | undefined {
    return this.topics.get(name)?.logConfig
  }

  private async persistTopics(): Promise<void> {
    const topics: StoredTopic[] = [...this.topics.values()].map(({ topic }) => ({
      name: topic.name,
      topicId: topic.topicId,
      numPartitions: topic.partitions.length,
      configs: topic.configs,
    }))
    await writeTopicsFile(this.fs, `${this.root}/${TOPICS_FILE}`, topics)
  }

  /** Rewrites the recovery-point and log-start-offset checkpoints (coalesced). */
  private scheduleCheckpoint(): void {
    if (this.checkpointWriting) {
      this.checkpointDirty = true
      return
    }
    this.checkpointWriting = this.writeCheckpoints()
      .catch((err) => this.opts.logger.warn({ err }, 'writing offset checkpoints failed'))
      .finally(() => {
        this.checkpointWriting = null
        if (this.checkpointDirty && !this.closed) {
          this.checkpointDirty = false
          this.scheduleCheckpoint()
        }
      })
  }

  private async writeCheckpoints(): Promise<void> {
    const recovery: { topic: string; partition: number; offset: number }[] = []
    const starts: { topic: string; partition: number; offset: number }[] = []
    for (const { topic } of this.topics.values()) {
      topic.partitions.forEach((log, partition) => {
        recovery.push({ topic: topic.name, partition, offset: log.recoveryPoint })
        starts.push({ topic: topic.name, partition, offset: log.logStartOffset })
      })
    }
    await writeFileAtomic(this.fs, `${this.root}/${RECOVERY_POINT_FILE}`, formatOffsetCheckpoint(recovery))
    await writeFileAtomic(this.fs, `${this.root}/${LOG_START_OFFSET_FILE}`, formatOffsetCheckpoint(starts))
  }

  /** Background fsync for topics with a finite flush.ms. */
  private updateFlushTimer(): void {
    const needed = [...this.topics.values()].some((e) => e.logConfig.flushMs !== Infinity && !e.logConfig.fsyncEachWrite)
    if (needed && !this.flushTimer && !this.closed) {
      this.flushTimer = setInterval(() => {
        const now = this.now()
        for (const { topic } of this.topics.values()) for (const p of topic.partitions) p.flushIfDue(now)
      }, 100)
      this.flushTimer.unref()
    } else if (!needed && this.flushTimer) {
      clearInterval(this.flushTimer)
      this.flushTimer = null
    }
  }

  /** Flushes and closes every log, writes checkpoints and the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return
    await this.metaChain
    this.closed = true
    await this.policies.stop()
    if (this.flushTimer) clearInterval(this.flushTimer)
    this.flushTimer = null
    const logs = [...this.topics.values()].flatMap((e) => e.topic.partitions)
    await forEachLimit(logs, OPEN_CONCURRENCY, (log) => log.close())
    if (this.checkpointWriting) await this.checkpointWriting
    await this.writeCheckpoints()
    if (logs.every((l) => !l.isOffline)) {
      await this.fs.writeFile(`${this.root}/${CLEAN_SHUTDOWN_FILE}`, cleanShutdownContent(), { sync: true })
      await this.fs.syncDir(this.root)
    }
  }
}
