// Topic configs: validation (CreateTopics, AlterConfigs, IncrementalAlterConfigs) and resolution of
// a topic's effective, typed config from its overrides and the broker's defaults.
//
// Overrides and broker configs use Kafka's names ('retention.ms', 'log.retention.hours'); the
// resolved TopicConfig is camelCase. int64 values are JS numbers (Long.MAX_VALUE sentinels are
// only compared against, never used in arithmetic that needs exactness).

import {
  type ConfigDefinition,
  type ParsedValue,
  ConfigValueError,
  parseAndValidate,
  parseConfigValue,
} from './topic-config-catalog-types.js'
import {
  REMOVED_TOPIC_CONFIGS,
  topicConfigDefinitions,
  topicConfigDefinitionsByName,
  topicConfigSynonyms,
} from './topic-config-catalog.js'

export { topicConfigDefinitions, topicConfigDefinitionsByName, topicConfigSynonyms, REMOVED_TOPIC_CONFIGS }
export type { ConfigDefinition } from './topic-config-catalog-types.js'

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete' | ''
export type TimestampType = 'CreateTime' | 'LogAppendTime'
export type TopicCompressionType = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export interface TopicConfig {
  /** Normalised: 'compact,delete' whatever order was given; '' when the list is empty (neither). */
  cleanupPolicy: CleanupPolicy
  compact: boolean
  delete: boolean
  retentionMs: number
  retentionBytes: number
  segmentBytes: number
  segmentMs: number
  segmentJitterMs: number
  segmentIndexBytes: number
  indexIntervalBytes: number
  flushMessages: number
  flushMs: number
  maxMessageBytes: number
  messageTimestampType: TimestampType
  messageTimestampBeforeMaxMs: number
  messageTimestampAfterMaxMs: number
  compressionType: TopicCompressionType
  compressionGzipLevel: number
  compressionLz4Level: number
  compressionZstdLevel: number
  deleteRetentionMs: number
  minCompactionLagMs: number
  maxCompactionLagMs: number
  minCleanableDirtyRatio: number
  fileDeleteDelayMs: number
  minInsyncReplicas: number
  uncleanLeaderElectionEnable: boolean
  preallocate: boolean
  remoteStorageEnable: boolean
  localRetentionMs: number
  localRetentionBytes: number
  remoteLogCopyDisable: boolean
  remoteLogDeleteOnDisable: boolean
  leaderReplicationThrottledReplicas: string[]
  followerReplicationThrottledReplicas: string[]
}

export interface TopicConfigError {
  /** The offending key (first one when several are at fault). */
  name: string
  /** Kafka-shaped message for INVALID_CONFIG (e.g. "Unknown topic config name: x"). */
  message: string
}

export interface ValidateTopicConfigsOptions {
  /** Effective broker configs, used for cross-field checks (min vs max compaction lag). */
  brokerDefaults?: Record<string, string>
  /** When altering with IncrementalAlterConfigs: the topic's current overrides to merge under `configs`. */
  existing?: Record<string, string>
}

/**
 * Checks topic config overrides as Kafka's controller does. Returns null when valid, else the
 * first problem. Configs that Kafka 4 removed (REMOVED_TOPIC_CONFIGS) pass; drop them with
 * normalizeTopicConfigs before storing.
 */
export function validateTopicConfigs(
  configs: Record<string, string | null>,
  opts: ValidateTopicConfigsOptions = {},
): TopicConfigError | null {
  const nullKeys = Object.keys(configs).filter((k) => configs[k] === null || configs[k] === undefined)
  if (nullKeys.length > 0) {
    return { name: nullKeys[0], message: `Null value not supported for topic configs: ${nullKeys.join(',')}` }
  }
  for (const name of Object.keys(configs)) {
    if (!topicConfigDefinitionsByName.has(name) && !REMOVED_TOPIC_CONFIGS.has(name)) {
      return { name, message: `Unknown topic config name: ${name}` }
    }
  }
  for (const [name, raw] of Object.entries(configs)) {
    const def = topicConfigDefinitionsByName.get(name)
    if (!def) continue
    try {
      parseAndValidate(def, raw as string)
    } catch (err) {
      if (err instanceof ConfigValueError) return { name, message: err.message }
      throw err
    }
  }
  const merged = { ...(opts.existing ?? {}), ...(configs as Record<string, string>) }
  const resolved = resolveTopicConfig(merged, opts.brokerDefaults ?? {})
  if (resolved.minCompactionLagMs > resolved.maxCompactionLagMs) {
    return {
      name: 'min.compaction.lag.ms',
      message:
        `conflict topic config setting min.compaction.lag.ms (${effectiveString(merged, opts, 'min.compaction.lag.ms')}) > ` +
        `max.compaction.lag.ms (${effectiveString(merged, opts, 'max.compaction.lag.ms')})`,
    }
  }
  if (resolved.remoteStorageEnable) {
    return {
      name: 'remote.storage.enable',
      message: 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    }
  }
  return null
}

/** Drops the configs Kafka 4 removed (accepted on input, never stored or described). */
export function normalizeTopicConfigs(configs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(configs)) if (!REMOVED_TOPIC_CONFIGS.has(k)) out[k] = v
  return out
}

function effectiveString(merged: Record<string, string>, opts: ValidateTopicConfigsOptions, name: string): string {
  const found = effectiveTopicConfigValue(name, merged, opts.brokerDefaults ?? {})
  return found.value ?? 'null'
}

/**
 * Where a topic config's effective value comes from: the topic override, the first broker
 * synonym that is set (converted to the topic's unit), or the catalogue default. Invalid stored
 * values are skipped so that a bad file can never stop a topic from loading.
 */
export function effectiveTopicConfigValue(
  name: string,
  overrides: Record<string, string>,
  brokerDefaults: Record<string, string>,
): { value: string | null; parsed: ParsedValue; from: 'topic' | 'broker' | 'default'; synonym?: string } {
  const def = topicConfigDefinitionsByName.get(name)
  if (!def) throw new Error(`not a topic config: ${name}`)
  const own = overrides[name]
  if (own !== undefined && own !== null) {
    const parsed = tryParse(def, own)
    if (parsed !== undefined) return { value: own, parsed, from: 'topic' }
  }
  for (const synonym of topicConfigSynonyms[name] ?? []) {
    const raw = brokerDefaults[synonym.name]
    if (raw === undefined || raw === null) continue
    // Broker values were validated against the broker's own definitions; only the type matters here.
    const parsed = tryParse(def, raw, { typeOnly: true })
    if (parsed === undefined) continue
    if (synonym.unit && typeof parsed === 'number') {
      const ms = parsed * (synonym.unit === 'hours' ? 3_600_000 : 60_000)
      return { value: String(ms), parsed: ms, from: 'broker', synonym: synonym.name }
    }
    return { value: raw.trim(), parsed, from: 'broker', synonym: synonym.name }
  }
  const parsed = def.defaultValue === null ? null : parseConfigValue(def.name, def.type, def.defaultValue)
  return { value: def.defaultValue, parsed, from: 'default' }
}

function tryParse(def: ConfigDefinition, raw: string, opts: { typeOnly?: boolean } = {}): ParsedValue | undefined {
  try {
    return opts.typeOnly ? parseConfigValue(def.name, def.type, raw) : parseAndValidate(def, raw)
  } catch {
    return undefined
  }
}

/** The typed, effective config of a topic. Never throws: invalid values fall back a layer. */
export function resolveTopicConfig(
  overrides: Record<string, string>,
  brokerDefaults: Record<string, string>,
): TopicConfig {
  const get = (name: string): ParsedValue => effectiveTopicConfigValue(name, overrides, brokerDefaults).parsed
  const num = (name: string): number => get(name) as number
  const bool = (name: string): boolean => get(name) as boolean
  const list = (name: string): string[] => (get(name) as string[] | null) ?? []

  const policies = list('cleanup.policy').map((p) => p.toLowerCase())
  const compact = policies.includes('compact')
  const del = policies.includes('delete')
  const cleanupPolicy: CleanupPolicy = compact && del ? 'compact,delete' : compact ? 'compact' : del ? 'delete' : ''

  // Kafka treats any negative broker-level retention as "forever".
  let retentionMs = num('retention.ms')
  if (retentionMs < 0) retentionMs = -1

  const retentionBytes = num('retention.bytes')
  const localRetentionMs = num('local.retention.ms')
  const localRetentionBytes = num('local.retention.bytes')

  return {
    cleanupPolicy,
    compact,
    delete: del,
    retentionMs,
    retentionBytes,
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    segmentJitterMs: num('segment.jitter.ms'),
    segmentIndexBytes: num('segment.index.bytes'),
    indexIntervalBytes: num('index.interval.bytes'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    maxMessageBytes: num('max.message.bytes'),
    messageTimestampType: get('message.timestamp.type') as TimestampType,
    messageTimestampBeforeMaxMs: num('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: num('message.timestamp.after.max.ms'),
    compressionType: get('compression.type') as TopicCompressionType,
    compressionGzipLevel: num('compression.gzip.level'),
    compressionLz4Level: num('compression.lz4.level'),
    compressionZstdLevel: num('compression.zstd.level'),
    deleteRetentionMs: num('delete.retention.ms'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    minInsyncReplicas: num('min.insync.replicas'),
    uncleanLeaderElectionEnable: bool('unclean.leader.election.enable'),
    preallocate: bool('preallocate'),
    remoteStorageEnable: bool('remote.storage.enable'),
    // -2 means "same as the non-local setting".
    localRetentionMs: localRetentionMs === -2 ? retentionMs : localRetentionMs,
    localRetentionBytes: localRetentionBytes === -2 ? retentionBytes : localRetentionBytes,
    remoteLogCopyDisable: bool('remote.log.copy.disable'),
    remoteLogDeleteOnDisable: bool('remote.log.delete.on.disable'),
    leaderReplicationThrottledReplicas: list('leader.replication.throttled.replicas'),
    followerReplicationThrottledReplicas: list('follower.replication.throttled.replicas'),
  }
}
