// Broker configs that DescribeConfigs reports for the BROKER resource: Kafka's names, types and
// defaults (Kafka 4.x), whether Kafka lets them change at run time (readOnly = not dynamic), and a
// description in Brook's own words. Many only exist for tool compatibility; `brook` says which
// ones Brook acts on. Values come from the running broker (see broker-config-catalog-describe.ts).

import {
  type ConfigDefinition,
  type ConfigTypeName,
  type ConfigValidator,
  ConfigValueError,
  atLeast,
  between,
  listOf,
  oneOf,
  parseAndValidate,
} from './topic-config-catalog-types.js'
import { CLEANUP_POLICIES, LONG_MAX_STRING, TIMESTAMP_TYPES, TOPIC_COMPRESSION_TYPES } from './topic-config-catalog.js'

export interface BrokerConfigDefinition extends ConfigDefinition {
  /** Kafka allows changing it with (Incremental)AlterConfigs without a restart. */
  dynamic: boolean
  /** Brook acts on it (others are accepted and reported for compatibility only). */
  brook: boolean
}

const INT_MAX = '2147483647'
const DOUBLE_MAX = '1.7976931348623157E308'

type Row = [
  name: string,
  type: ConfigTypeName,
  defaultValue: string | null,
  flags: { dynamic?: boolean; brook?: boolean; validator?: ConfigValidator; validValues?: string; importance?: ConfigDefinition['importance'] },
  documentation: string,
]

const rows: Row[] = [
  ['advertised.listeners', 'STRING', null, { dynamic: true, brook: true }, 'Addresses the broker gives to clients in metadata responses, when they differ from the addresses it listens on.'],
  ['auto.create.topics.enable', 'BOOLEAN', 'true', { brook: true }, 'Create a topic with default settings the first time a client produces to it or asks for its metadata.'],
  ['auto.leader.rebalance.enable', 'BOOLEAN', 'true', {}, 'Periodically move leadership back to preferred replicas. Nothing to move on a single node.'],
  ['background.threads', 'INT', '10', { dynamic: true, validator: atLeast(1) }, 'Threads for background housekeeping tasks. Brook runs housekeeping on its event loop.'],
  ['broker.id', 'INT', '-1', {}, 'Identifier of this broker; same as node.id in KRaft mode.'],
  ['broker.rack', 'STRING', null, {}, 'Rack or zone of this broker, used for rack-aware replica placement.'],
  ['compression.gzip.level', 'INT', '-1', { dynamic: true, brook: true }, 'Default gzip level for topics that recompress with gzip.'],
  ['compression.lz4.level', 'INT', '9', { dynamic: true, validator: between(1, 17) }, 'Default lz4 level for topics that recompress with lz4.'],
  ['compression.type', 'STRING', 'producer', { dynamic: true, brook: true, validator: oneOf(TOPIC_COMPRESSION_TYPES) }, 'Default codec for stored batches: "producer" keeps what producers sent, a codec name recompresses.'],
  ['compression.zstd.level', 'INT', '3', { dynamic: true, validator: between(-131072, 22), brook: true }, 'Default zstd level for topics that recompress with zstd.'],
  ['connections.max.idle.ms', 'LONG', '600000', { brook: true }, 'Close client connections that have been silent for this long.'],
  ['controlled.shutdown.enable', 'BOOLEAN', 'true', {}, 'Hand leadership over before shutting down. Nothing to hand over on a single node.'],
  ['default.replication.factor', 'INT', '1', { brook: true }, 'Replication factor of automatically created topics. A single node only supports 1.'],
  ['delete.topic.enable', 'BOOLEAN', 'true', {}, 'Allow topics to be deleted through the admin API.'],
  ['group.coordinator.rebalance.protocols', 'LIST', 'classic,consumer', {}, 'Group rebalance protocols the coordinator offers.'],
  ['group.initial.rebalance.delay.ms', 'INT', '3000', { brook: true }, 'How long the coordinator waits for more members to join a new group before its first rebalance.'],
  ['group.max.session.timeout.ms', 'INT', '1800000', { brook: true }, 'Largest session timeout a consumer group member may ask for.'],
  ['group.max.size', 'INT', INT_MAX, { brook: true, validator: atLeast(1) }, 'Most members a consumer group may have.'],
  ['group.min.session.timeout.ms', 'INT', '6000', { brook: true }, 'Smallest session timeout a consumer group member may ask for.'],
  ['listener.security.protocol.map', 'STRING', 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT', { dynamic: true }, 'Security protocol used by each named listener.'],
  ['listeners', 'STRING', 'PLAINTEXT://:9092', { dynamic: true, brook: true }, 'Addresses the broker listens on, as NAME://host:port entries separated by commas.'],
  ['log.cleaner.backoff.ms', 'LONG', '15000', { dynamic: true, brook: true, validator: atLeast(0) }, 'Pause of the log cleaner when no log needs cleaning.'],
  ['log.cleaner.dedupe.buffer.size', 'LONG', '134217728', { dynamic: true, brook: true }, 'Memory the log cleaner may use for its key-to-offset map.'],
  ['log.cleaner.delete.retention.ms', 'LONG', '86400000', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for delete.retention.ms: how long tombstones survive on compacted topics.'],
  ['log.cleaner.enable', 'BOOLEAN', 'true', { brook: true }, 'Run the log cleaner, which compacts topics whose cleanup.policy includes compact.'],
  ['log.cleaner.io.buffer.load.factor', 'DOUBLE', '0.9', { dynamic: true, brook: true }, 'How full the cleaner\'s key map may become before a cleaning pass stops.'],
  ['log.cleaner.io.buffer.size', 'INT', '524288', { dynamic: true, validator: atLeast(0), brook: true }, 'I/O buffer memory of the log cleaner.'],
  ['log.cleaner.io.max.bytes.per.second', 'DOUBLE', DOUBLE_MAX, { dynamic: true, brook: true }, 'Read-plus-write rate limit of the log cleaner.'],
  ['log.cleaner.max.compaction.lag.ms', 'LONG', LONG_MAX_STRING, { dynamic: true, brook: true, validator: atLeast(1) }, 'Default for max.compaction.lag.ms.'],
  ['log.cleaner.min.cleanable.ratio', 'DOUBLE', '0.5', { dynamic: true, brook: true, validator: between(0, 1) }, 'Default for min.cleanable.dirty.ratio.'],
  ['log.cleaner.min.compaction.lag.ms', 'LONG', '0', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for min.compaction.lag.ms.'],
  ['log.cleaner.threads', 'INT', '1', { dynamic: true, validator: atLeast(0) }, 'Number of log cleaner threads.'],
  ['log.cleanup.policy', 'LIST', 'delete', { dynamic: true, brook: true, validator: listOf(CLEANUP_POLICIES) }, 'Default for cleanup.policy.'],
  ['log.dir', 'STRING', '/tmp/kafka-logs', { brook: true }, 'Data directory, used when log.dirs is not set.'],
  ['log.dirs', 'STRING', null, { brook: true }, 'Data directories (Brook uses exactly one).'],
  ['log.flush.interval.messages', 'LONG', LONG_MAX_STRING, { dynamic: true, brook: true, validator: atLeast(1) }, 'Default for flush.messages.'],
  ['log.flush.interval.ms', 'LONG', null, { dynamic: true, brook: true }, 'Default for flush.ms; when unset, log.flush.scheduler.interval.ms applies.'],
  ['log.flush.offset.checkpoint.interval.ms', 'INT', '60000', { validator: atLeast(0) }, 'How often the recovery point of each log is recorded.'],
  ['log.flush.scheduler.interval.ms', 'LONG', LONG_MAX_STRING, { brook: true }, 'How often logs are checked for a time-based flush.'],
  ['log.flush.start.offset.checkpoint.interval.ms', 'INT', '60000', { validator: atLeast(0) }, 'How often each log\'s start offset is recorded.'],
  ['log.index.interval.bytes', 'INT', '4096', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for index.interval.bytes.'],
  ['log.index.size.max.bytes', 'INT', '10485760', { dynamic: true, validator: atLeast(4), brook: true }, 'Default for segment.index.bytes.'],
  ['log.local.retention.bytes', 'LONG', '-2', { dynamic: true, validator: atLeast(-2) }, 'Default for local.retention.bytes (tiered storage).'],
  ['log.local.retention.ms', 'LONG', '-2', { dynamic: true, validator: atLeast(-2) }, 'Default for local.retention.ms (tiered storage).'],
  ['log.message.timestamp.after.max.ms', 'LONG', '3600000', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for message.timestamp.after.max.ms.'],
  ['log.message.timestamp.before.max.ms', 'LONG', LONG_MAX_STRING, { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for message.timestamp.before.max.ms.'],
  ['log.message.timestamp.type', 'STRING', 'CreateTime', { dynamic: true, brook: true, validator: oneOf(TIMESTAMP_TYPES) }, 'Default for message.timestamp.type.'],
  ['log.preallocate', 'BOOLEAN', 'false', { dynamic: true }, 'Default for preallocate.'],
  ['log.retention.bytes', 'LONG', '-1', { dynamic: true, brook: true }, 'Default for retention.bytes.'],
  ['log.retention.check.interval.ms', 'LONG', '300000', { brook: true, validator: atLeast(1) }, 'How often the broker looks for segments that retention allows it to delete.'],
  ['log.retention.hours', 'INT', '168', { brook: true }, 'Default retention time in hours; log.retention.minutes and log.retention.ms take precedence.'],
  ['log.retention.minutes', 'INT', null, { brook: true }, 'Default retention time in minutes; log.retention.ms takes precedence.'],
  ['log.retention.ms', 'LONG', null, { dynamic: true, brook: true }, 'Default for retention.ms; when unset, the minutes or hours setting applies.'],
  ['log.roll.hours', 'INT', '168', { brook: true, validator: atLeast(1) }, 'Default segment age before a roll, in hours; log.roll.ms takes precedence.'],
  ['log.roll.jitter.hours', 'INT', '0', { validator: atLeast(0), brook: true }, 'Default segment roll jitter in hours; log.roll.jitter.ms takes precedence.'],
  ['log.roll.jitter.ms', 'LONG', null, { dynamic: true, brook: true }, 'Default for segment.jitter.ms.'],
  ['log.roll.ms', 'LONG', null, { dynamic: true, brook: true }, 'Default for segment.ms; when unset, log.roll.hours applies.'],
  ['log.segment.bytes', 'INT', '1073741824', { dynamic: true, brook: true, validator: atLeast(14) }, 'Default for segment.bytes.'],
  ['log.segment.delete.delay.ms', 'LONG', '60000', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for file.delete.delay.ms.'],
  ['max.connection.creation.rate', 'INT', INT_MAX, { dynamic: true }, 'Most new connections per second the broker accepts.'],
  ['max.connections', 'INT', INT_MAX, { dynamic: true, validator: atLeast(0) }, 'Most client connections the broker keeps open at once.'],
  ['max.connections.per.ip', 'INT', INT_MAX, { dynamic: true, validator: atLeast(0) }, 'Most connections from one IP address.'],
  ['max.connections.per.ip.overrides', 'STRING', '', { dynamic: true }, 'Per-address exceptions to max.connections.per.ip, as host:count entries.'],
  ['max.incremental.fetch.session.cache.slots', 'INT', '1000', { validator: atLeast(0) }, 'Most incremental fetch sessions the broker keeps.'],
  ['message.max.bytes', 'INT', '1048588', { dynamic: true, brook: true, validator: atLeast(0) }, 'Default for max.message.bytes: the largest record batch the broker accepts.'],
  ['min.insync.replicas', 'INT', '1', { dynamic: true, validator: atLeast(1) }, 'Default for min.insync.replicas.'],
  ['node.id', 'INT', '-1', { brook: true }, 'Identifier of this node in the cluster.'],
  ['num.io.threads', 'INT', '8', { dynamic: true, validator: atLeast(1) }, 'Request handler threads. Brook handles requests on its event loop.'],
  ['num.network.threads', 'INT', '3', { dynamic: true, validator: atLeast(1) }, 'Network threads. Brook uses Node\'s event loop.'],
  ['num.partitions', 'INT', '1', { brook: true, validator: atLeast(1) }, 'Partition count of topics created without an explicit count.'],
  ['num.recovery.threads.per.data.dir', 'INT', '2', { dynamic: true, validator: atLeast(1) }, 'Threads per data directory for log recovery at start-up.'],
  ['num.replica.fetchers', 'INT', '1', { dynamic: true }, 'Threads fetching from leaders. A single node replicates nothing.'],
  ['offsets.retention.check.interval.ms', 'LONG', '600000', { validator: atLeast(1) }, 'How often expired committed offsets are looked for.'],
  ['offsets.retention.minutes', 'INT', '10080', { brook: true, validator: atLeast(1) }, 'How long committed offsets of an empty group are kept.'],
  ['offsets.topic.num.partitions', 'INT', '50', { validator: atLeast(1) }, 'Partitions of the internal committed-offsets topic.'],
  ['offsets.topic.replication.factor', 'SHORT', '3', { validator: atLeast(1) }, 'Replication factor of the internal committed-offsets topic.'],
  ['offsets.topic.segment.bytes', 'INT', '104857600', { validator: atLeast(1) }, 'Segment size of the internal committed-offsets topic.'],
  ['process.roles', 'LIST', '', { validator: listOf(['broker', 'controller']) }, 'KRaft roles of this node (broker, controller or both).'],
  ['producer.id.expiration.ms', 'INT', '86400000', { dynamic: true, validator: atLeast(1) }, 'How long the broker remembers an idle producer id before forgetting its sequence state.'],
  ['queued.max.requests', 'INT', '500', { validator: atLeast(1) }, 'Requests that may wait for a handler before the network layer stops reading.'],
  ['replica.lag.time.max.ms', 'LONG', '30000', {}, 'How long a follower may lag before it leaves the in-sync set.'],
  ['socket.receive.buffer.bytes', 'INT', '102400', {}, 'SO_RCVBUF of server sockets; -1 keeps the OS default.'],
  ['socket.request.max.bytes', 'INT', '104857600', { brook: true, validator: atLeast(1) }, 'Largest request frame the broker reads; larger ones close the connection.'],
  ['socket.send.buffer.bytes', 'INT', '102400', {}, 'SO_SNDBUF of server sockets; -1 keeps the OS default.'],
  ['transaction.max.timeout.ms', 'INT', '900000', { validator: atLeast(1) }, 'Largest transaction timeout a producer may ask for.'],
  ['transaction.partition.verification.enable', 'BOOLEAN', 'true', { dynamic: true }, 'Check that a partition was added to an open transaction before a transactional write to it.'],
  ['transaction.state.log.min.isr', 'INT', '2', { validator: atLeast(1) }, 'min.insync.replicas of the internal transaction state topic.'],
  ['transaction.state.log.replication.factor', 'SHORT', '3', { validator: atLeast(1) }, 'Replication factor of the internal transaction state topic.'],
  ['transactional.id.expiration.ms', 'INT', '604800000', { validator: atLeast(1) }, 'How long an idle transactional id is remembered.'],
  ['unclean.leader.election.enable', 'BOOLEAN', 'false', { dynamic: true }, 'Default for unclean.leader.election.enable.'],
]

export const brokerConfigDefinitions: readonly BrokerConfigDefinition[] = rows.map(([name, type, defaultValue, f, documentation]) => ({
  name,
  type,
  defaultValue,
  validValues: f.validValues ?? '',
  validator: f.validator ?? null,
  importance: f.importance ?? 'medium',
  documentation,
  dynamic: f.dynamic ?? false,
  brook: f.brook ?? false,
}))

export const brokerConfigDefinitionsByName: ReadonlyMap<string, BrokerConfigDefinition> = new Map(
  brokerConfigDefinitions.map((d) => [d.name, d]),
)

/** Groups of broker configs that set the same thing, highest priority first (Kafka's synonyms). */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
]

/** The broker configs that describe `name` (itself included), highest priority first. */
export function brokerConfigSynonyms(name: string): string[] {
  return [...(SYNONYM_GROUPS.find((g) => g.includes(name)) ?? [name])]
}

export interface BrokerConfigChangeError {
  name: string
  message: string
}

/**
 * Checks a dynamic broker config change (AlterConfigs / IncrementalAlterConfigs on the BROKER
 * resource). A null value means "delete the override" and is always allowed for dynamic configs.
 */
export function validateBrokerConfigChange(configs: Record<string, string | null>): BrokerConfigChangeError | null {
  const readOnly = Object.keys(configs).filter((n) => {
    const def = brokerConfigDefinitionsByName.get(n)
    return def !== undefined && !def.dynamic
  })
  if (readOnly.length > 0) {
    return { name: readOnly[0], message: `Cannot update these configs dynamically: Set(${readOnly.join(', ')})` }
  }
  for (const [name, raw] of Object.entries(configs)) {
    const def = brokerConfigDefinitionsByName.get(name)
    if (!def) return { name, message: `Unknown broker config name: ${name}` }
    if (raw === null) continue
    try {
      parseAndValidate(def, raw)
    } catch (err) {
      if (err instanceof ConfigValueError) return { name, message: err.message }
      throw err
    }
  }
  return null
}
