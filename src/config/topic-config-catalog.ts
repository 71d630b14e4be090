// Every topic-level config Kafka 4.x documents, with its type, default, validator, the broker
// configs that supply its default (in priority order) and a description in Brook's own words.
// Read from Kafka's LogConfig / TopicConfig / ServerTopicConfigSynonyms; nothing copied.
//
// One deliberate deviation: Kafka 4.0 raised segment.bytes' minimum to 1 MiB (KIP-1030). Brook
// keeps the older 14-byte floor so that tests and small deployments can roll segments quickly.

import {
  type ConfigDefinition,
  type ConfigSynonym,
  type ConfigValidator,
  atLeast,
  between,
  listOf,
  oneOf,
} from './topic-config-catalog-types.js'

export const LONG_MAX_STRING = '9223372036854775807'

export const CLEANUP_POLICIES = ['compact', 'delete'] as const
export const TOPIC_COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const
export const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const

const gzipLevel: ConfigValidator = (v) =>
  typeof v === 'number' && (v > 9 || (v < 1 && v !== -1)) ? 'Value must be between 1 and 9 or equal to -1' : null

function throttledReplicas(name: string): ConfigValidator {
  return (v) => {
    if (!Array.isArray(v)) return null
    const items = v.map((s) => s.trim())
    if (items.every((s) => /^(\d+:\d+)?$/.test(s)) || items.join('') === '*') return null
    return `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`
  }
}

type Def = Omit<ConfigDefinition, 'importance'> & { importance?: ConfigDefinition['importance'] }
const def = (d: Def): ConfigDefinition => ({ importance: 'medium', ...d })

export const topicConfigDefinitions: readonly ConfigDefinition[] = [
  def({
    name: 'cleanup.policy', type: 'LIST', defaultValue: 'delete', validValues: '[compact, delete]',
    validator: listOf(CLEANUP_POLICIES),
    documentation:
      'How old log segments are disposed of: "delete" removes whole segments once they exceed the retention time or size; ' +
      '"compact" keeps only the most recent record for each key (a null value deletes the key); both may be given, comma separated.',
  }),
  def({
    name: 'compression.gzip.level', type: 'INT', defaultValue: '-1', validValues: '[1,...,9] or -1', validator: gzipLevel,
    documentation: 'Compression level used when compression.type is gzip (-1 lets zlib pick its default).',
  }),
  def({
    name: 'compression.lz4.level', type: 'INT', defaultValue: '9', validValues: '[1,...,17]', validator: between(1, 17),
    documentation: 'Compression level used when compression.type is lz4.',
  }),
  def({
    name: 'compression.type', type: 'STRING', defaultValue: 'producer', validValues: `[${TOPIC_COMPRESSION_TYPES.join(', ')}]`,
    validator: oneOf(TOPIC_COMPRESSION_TYPES),
    documentation:
      'Codec of the batches stored for this topic. "producer" stores batches exactly as the producer compressed them; ' +
      '"uncompressed", "gzip", "snappy", "lz4" or "zstd" make the broker recompress incoming batches with that codec when they differ.',
  }),
  def({
    name: 'compression.zstd.level', type: 'INT', defaultValue: '3', validValues: '[-131072,...,22]', validator: between(-131072, 22),
    documentation: 'Compression level used when compression.type is zstd.',
  }),
  def({
    name: 'delete.retention.ms', type: 'LONG', defaultValue: '86400000', validValues: '[0,...]', validator: atLeast(0),
    documentation:
      'On compacted topics, how long a tombstone (a record with a null value) survives after the cleaner first reaches it, ' +
      'so that slow consumers still observe the deletion. Also bounds how long a consumer starting from the beginning may take to see a consistent snapshot.',
  }),
  def({
    name: 'file.delete.delay.ms', type: 'LONG', defaultValue: '60000', validValues: '[0,...]', validator: atLeast(0),
    documentation: 'Grace period between a segment being dropped from the log (retention, compaction) and its files being removed from disk.',
  }),
  def({
    name: 'flush.messages', type: 'LONG', defaultValue: LONG_MAX_STRING, validValues: '[1,...]', validator: atLeast(1),
    documentation:
      'Force an fsync of the log after this many records have been appended. Normally left unset: durability comes from ' +
      'the operating system and replication; setting 1 syncs after every write.',
  }),
  def({
    name: 'flush.ms', type: 'LONG', defaultValue: LONG_MAX_STRING, validValues: '[0,...]', validator: atLeast(0),
    documentation: 'Force an fsync of the log when this much time has passed since the last one. Normally left unset.',
  }),
  def({
    name: 'follower.replication.throttled.replicas', type: 'LIST', defaultValue: '', validValues: '[partitionId]:[brokerId],[partitionId]:[brokerId],...',
    validator: throttledReplicas('follower.replication.throttled.replicas'),
    documentation:
      'Replicas whose follower-side replication is throttled, as partition:broker pairs, or "*" for all. ' +
      'Accepted for compatibility; a single-node broker has nothing to throttle.',
  }),
  def({
    name: 'index.interval.bytes', type: 'INT', defaultValue: '4096', validValues: '[0,...]', validator: atLeast(0),
    documentation:
      'Bytes of log between two entries in the sparse offset index. Smaller values make lookups by offset land closer ' +
      'to the target at the cost of a larger index.',
  }),
  def({
    name: 'leader.replication.throttled.replicas', type: 'LIST', defaultValue: '', validValues: '[partitionId]:[brokerId],[partitionId]:[brokerId],...',
    validator: throttledReplicas('leader.replication.throttled.replicas'),
    documentation:
      'Replicas whose leader-side replication is throttled, as partition:broker pairs, or "*" for all. ' +
      'Accepted for compatibility; a single-node broker has nothing to throttle.',
  }),
  def({
    name: 'local.retention.bytes', type: 'LONG', defaultValue: '-2', validValues: '[-2,...]', validator: atLeast(-2),
    documentation:
      'With tiered storage, the size a partition may keep on local disk before segments already copied to remote storage ' +
      'are removed locally. -2 means use retention.bytes. Brook has no tiered storage.',
  }),
  def({
    name: 'local.retention.ms', type: 'LONG', defaultValue: '-2', validValues: '[-2,...]', validator: atLeast(-2),
    documentation:
      'With tiered storage, how long segments stay on local disk once copied to remote storage. -2 means use retention.ms. ' +
      'Brook has no tiered storage.',
  }),
  def({
    name: 'max.compaction.lag.ms', type: 'LONG', defaultValue: LONG_MAX_STRING, validValues: '[1,...]', validator: atLeast(1),
    documentation: 'Upper bound on how long a record may stay uncompacted: past it a segment becomes eligible for cleaning whatever the dirty ratio.',
  }),
  def({
    name: 'max.message.bytes', type: 'INT', defaultValue: '1048588', validValues: '[0,...]', validator: atLeast(0),
    documentation:
      'Largest record batch, after compression, that the broker accepts for this topic. Consumers must be able to fetch ' +
      'batches at least this large.',
  }),
  def({
    name: 'message.timestamp.after.max.ms', type: 'LONG', defaultValue: '3600000', validValues: '[0,...]', validator: atLeast(0),
    documentation:
      'With CreateTime timestamps, how far into the future (relative to the broker clock) a record timestamp may be ' +
      'before the batch is rejected.',
  }),
  def({
    name: 'message.timestamp.before.max.ms', type: 'LONG', defaultValue: LONG_MAX_STRING, validValues: '[0,...]', validator: atLeast(0),
    documentation:
      'With CreateTime timestamps, how far into the past (relative to the broker clock) a record timestamp may be ' +
      'before the batch is rejected.',
  }),
  def({
    name: 'message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', validValues: '[CreateTime, LogAppendTime]',
    validator: oneOf(TIMESTAMP_TYPES),
    documentation:
      'Which timestamp records carry: "CreateTime" keeps the producer\'s timestamp, "LogAppendTime" replaces it with the ' +
      'broker\'s clock at the moment the batch is appended.',
  }),
  def({
    name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', defaultValue: '0.5', validValues: '[0,...,1]', validator: between(0, 1),
    documentation:
      'The cleaner compacts a log only when the uncleaned part makes up at least this fraction of it. Lower values ' +
      'clean more often and waste less space; higher values clean less often.',
  }),
  def({
    name: 'min.compaction.lag.ms', type: 'LONG', defaultValue: '0', validValues: '[0,...]', validator: atLeast(0),
    documentation: 'Minimum age of a record before the cleaner may compact it away.',
  }),
  def({
    name: 'min.insync.replicas', type: 'INT', defaultValue: '1', validValues: '[1,...]', validator: atLeast(1),
    documentation:
      'With acks=all, the number of in-sync replicas that must hold a write before it is acknowledged. ' +
      'A single node has one replica, so only 1 is ever satisfiable.',
  }),
  def({
    name: 'preallocate', type: 'BOOLEAN', defaultValue: 'false', validValues: '', validator: null,
    documentation: 'Whether a new segment file is allocated at its full size on disk when it is created.',
  }),
  def({
    name: 'remote.log.copy.disable', type: 'BOOLEAN', defaultValue: 'false', validValues: '', validator: null,
    documentation: 'With tiered storage, stops copying new segments to remote storage while keeping what is there readable. Brook has no tiered storage.',
  }),
  def({
    name: 'remote.log.delete.on.disable', type: 'BOOLEAN', defaultValue: 'false', validValues: '', validator: null,
    documentation: 'With tiered storage, confirms that remote data is deleted when remote storage is turned off for the topic. Brook has no tiered storage.',
  }),
  def({
    name: 'remote.storage.enable', type: 'BOOLEAN', defaultValue: 'false', validValues: '', validator: null,
    documentation: 'Turns on tiered storage for the topic. Brook has no tiered storage, so only false is accepted.',
  }),
  def({
    name: 'retention.bytes', type: 'LONG', defaultValue: '-1', validValues: '', validator: null,
    documentation:
      'Per partition, the size the log may grow to before its oldest segments are deleted (with the "delete" policy). ' +
      '-1 means no size limit.',
  }),
  def({
    name: 'retention.ms', type: 'LONG', defaultValue: '604800000', validValues: '[-1,...]', validator: atLeast(-1),
    documentation:
      'How long a segment is kept, judged by its newest record timestamp, before it is deleted (with the "delete" policy). ' +
      '-1 keeps data forever.',
  }),
  def({
    name: 'segment.bytes', type: 'INT', defaultValue: '1073741824', validValues: '[14,...]', validator: atLeast(14),
    documentation:
      'Size at which the active segment file is closed and a new one started. Retention and compaction work on whole ' +
      'segments, so this also sets their granularity.',
  }),
  def({
    name: 'segment.index.bytes', type: 'INT', defaultValue: '10485760', validValues: '[4,...]', validator: atLeast(4),
    documentation: 'Largest size of a segment\'s offset and time index files; a full index also rolls the segment.',
  }),
  def({
    name: 'segment.jitter.ms', type: 'LONG', defaultValue: '0', validValues: '[0,...]', validator: atLeast(0),
    documentation: 'Random amount subtracted from segment.ms per segment so that many partitions do not roll at the same instant.',
  }),
  def({
    name: 'segment.ms', type: 'LONG', defaultValue: '604800000', validValues: '[1,...]', validator: atLeast(1),
    documentation:
      'Age after which the active segment is rolled even if it is not full, so that retention and compaction can reach ' +
      'its records.',
  }),
  def({
    name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false', validValues: '', validator: null,
    documentation:
      'Whether a replica that is not in sync may become leader as a last resort, trading possible data loss for ' +
      'availability. Irrelevant on a single node.',
  }),
]

export const topicConfigDefinitionsByName: ReadonlyMap<string, ConfigDefinition> = new Map(
  topicConfigDefinitions.map((d) => [d.name, d]),
)

/** Broker configs that provide each topic config's default, highest priority first. */
export const topicConfigSynonyms: Readonly<Record<string, readonly ConfigSynonym[]>> = {
  'segment.bytes': [{ name: 'log.segment.bytes' }],
  'segment.ms': [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', unit: 'hours' }],
  'segment.jitter.ms': [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', unit: 'hours' }],
  'segment.index.bytes': [{ name: 'log.index.size.max.bytes' }],
  'flush.messages': [{ name: 'log.flush.interval.messages' }],
  'flush.ms': [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
  'retention.bytes': [{ name: 'log.retention.bytes' }],
  'retention.ms': [
    { name: 'log.retention.ms' },
    { name: 'log.retention.minutes', unit: 'minutes' },
    { name: 'log.retention.hours', unit: 'hours' },
  ],
  'max.message.bytes': [{ name: 'message.max.bytes' }],
  'index.interval.bytes': [{ name: 'log.index.interval.bytes' }],
  'delete.retention.ms': [{ name: 'log.cleaner.delete.retention.ms' }],
  'min.compaction.lag.ms': [{ name: 'log.cleaner.min.compaction.lag.ms' }],
  'max.compaction.lag.ms': [{ name: 'log.cleaner.max.compaction.lag.ms' }],
  'file.delete.delay.ms': [{ name: 'log.segment.delete.delay.ms' }],
  'min.cleanable.dirty.ratio': [{ name: 'log.cleaner.min.cleanable.ratio' }],
  'cleanup.policy': [{ name: 'log.cleanup.policy' }],
  'unclean.leader.election.enable': [{ name: 'unclean.leader.election.enable' }],
  'min.insync.replicas': [{ name: 'min.insync.replicas' }],
  'compression.type': [{ name: 'compression.type' }],
  'compression.gzip.level': [{ name: 'compression.gzip.level' }],
  'compression.lz4.level': [{ name: 'compression.lz4.level' }],
  'compression.zstd.level': [{ name: 'compression.zstd.level' }],
  preallocate: [{ name: 'log.preallocate' }],
  'message.timestamp.type': [{ name: 'log.message.timestamp.type' }],
  'message.timestamp.before.max.ms': [{ name: 'log.message.timestamp.before.max.ms' }],
  'message.timestamp.after.max.ms': [{ name: 'log.message.timestamp.after.max.ms' }],
  'local.retention.ms': [{ name: 'log.local.retention.ms' }],
  'local.retention.bytes': [{ name: 'log.local.retention.bytes' }],
}

/**
 * Topic configs Kafka removed in 4.0. Old tools still send them; like Kafka 4 they are accepted
 * and dropped rather than failing topic creation (see normalizeTopicConfigs).
 */
export const REMOVED_TOPIC_CONFIGS: ReadonlySet<string> = new Set([
  'message.format.version',
  'message.timestamp.difference.max.ms',
  'message.downconversion.enable',
])
