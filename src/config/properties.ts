// The table of configuration properties Brook understands, by Kafka name (plus a few `brook.*`
// names for settings Kafka has no name for). One table drives parsing, env-var mapping and
// validation, so a new setting is one entry here plus a field in BrokerConfig.

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** parse() result meaning "valid, but leaves the setting unchanged" */
export const KEEP: unique symbol = Symbol('keep')

const INT32_MAX = 2147483647
const INT64_MAX = 9223372036854775807n
const INT16_MAX = 32767
const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

type ValueField =
  | 'host' | 'port' | 'nodeId' | 'clusterId' | 'numPartitions' | 'defaultReplicationFactor' | 'autoCreateTopicsEnable'
  | 'logSegmentBytes' | 'logRollMs' | 'logRetentionMs' | 'logRetentionBytes' | 'messageMaxBytes'
  | 'logFlushIntervalMessages' | 'logFlushIntervalMs' | 'fsync' | 'socketRequestMaxBytes' | 'connectionsMaxIdleMs'
  | 'groupInitialRebalanceDelayMs' | 'groupMinSessionTimeoutMs' | 'groupMaxSessionTimeoutMs' | 'groupMaxSize'
  | 'offsetsRetentionMinutes' | 'logIndexIntervalBytes' | 'logLevel' | 'dataDir'

export type PropertyDefinition =
  | {
      kind: 'value'
      names: string[]
      field: ValueField
      expected: string
      /** raw string -> value, undefined when invalid */
      parse: (raw: string) => unknown
      /** checks a typed value (also used for configs given programmatically) */
      valid: (value: unknown) => boolean
      /** a unit conversion of another key for the same field: not validated separately */
      alias?: boolean
    }
  | { kind: 'listeners' | 'advertised.listeners' | 'log.dirs'; names: string[] }
  | { kind: 'ignored'; names: string[] }

function intRange(min: number, max: number) {
  const valid = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
  return {
    expected: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`,
    parse: (raw: string) => {
      if (!/^[+-]?\d+$/.test(raw)) return undefined
      let n = Number(raw)
      // int64 settings: Kafka's Long.MAX_VALUE ("never") becomes our largest safe integer.
      if (max === Number.MAX_SAFE_INTEGER && n > max && BigInt(raw) <= INT64_MAX) n = max
      return valid(n) ? n : undefined
    },
    valid,
  }
}

function scaled(factor: number, min: number) {
  const base = intRange(min, Math.floor(Number.MAX_SAFE_INTEGER / factor))
  return {
    expected: base.expected,
    parse: (raw: string) => {
      const n = base.parse(raw) as number | undefined
      return n === undefined ? undefined : n < 0 ? n : n * factor
    },
    valid: () => true,
    alias: true,
  }
}

const bool = {
  expected: 'true or false',
  parse: (raw: string) => (/^true$/i.test(raw) ? true : /^false$/i.test(raw) ? false : undefined),
  valid: (v: unknown) => typeof v === 'boolean',
}

const nonEmptyString = {
  expected: 'a non-empty string',
  parse: (raw: string) => (raw === '' ? undefined : raw),
  valid: (v: unknown) => typeof v === 'string' && v !== '',
}

const nullableString = {
  expected: 'a non-empty string',
  parse: (raw: string) => (raw === '' ? undefined : raw),
  valid: (v: unknown) => v === null || (typeof v === 'string' && v !== ''),
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const logLevel = {
  expected: LEVELS.join(', '),
  parse: (raw: string) => (LEVELS.includes(raw.toLowerCase()) ? raw.toLowerCase() : undefined),
  valid: (v: unknown) => typeof v === 'string' && LEVELS.includes(v),
}

const LONG = Number.MAX_SAFE_INTEGER

function value(names: string[], field: ValueField, t: Omit<Extract<PropertyDefinition, { kind: 'value' }>, 'kind' | 'names' | 'field'>): PropertyDefinition {
  return { kind: 'value', names, field, ...t }
}

export const PROPERTY_DEFINITIONS: readonly PropertyDefinition[] = [
  { kind: 'listeners', names: ['listeners'] },
  { kind: 'advertised.listeners', names: ['advertised.listeners'] },
  { kind: 'log.dirs', names: ['log.dirs', 'log.dir'] },
  value(['node.id', 'broker.id'], 'nodeId', intRange(0, INT32_MAX)),
  value(['cluster.id'], 'clusterId', nullableString),
  value(['num.partitions'], 'numPartitions', intRange(1, INT32_MAX)),
  value(['default.replication.factor'], 'defaultReplicationFactor', intRange(1, INT16_MAX)),
  value(['auto.create.topics.enable'], 'autoCreateTopicsEnable', bool),
  // 14 = Kafka's minimum (the smallest legacy record)
  value(['log.segment.bytes'], 'logSegmentBytes', intRange(14, INT32_MAX)),
  value(['log.roll.ms'], 'logRollMs', intRange(1, LONG)),
  value(['log.roll.hours'], 'logRollMs', scaled(HOUR_MS, 1)),
  value(['log.retention.ms'], 'logRetentionMs', intRange(-1, LONG)),
  value(['log.retention.minutes'], 'logRetentionMs', scaled(MINUTE_MS, -1)),
  value(['log.retention.hours'], 'logRetentionMs', scaled(HOUR_MS, -1)),
  value(['log.retention.bytes'], 'logRetentionBytes', intRange(-1, LONG)),
  value(['message.max.bytes'], 'messageMaxBytes', intRange(0, INT32_MAX)),
  value(['log.flush.interval.messages'], 'logFlushIntervalMessages', intRange(1, LONG)),
  value(['log.flush.interval.ms'], 'logFlushIntervalMs', intRange(0, LONG)),
  value(['socket.request.max.bytes'], 'socketRequestMaxBytes', intRange(1, INT32_MAX)),
  value(['connections.max.idle.ms'], 'connectionsMaxIdleMs', intRange(1, LONG)),
  value(['group.initial.rebalance.delay.ms'], 'groupInitialRebalanceDelayMs', intRange(0, INT32_MAX)),
  value(['group.min.session.timeout.ms'], 'groupMinSessionTimeoutMs', intRange(0, INT32_MAX)),
  value(['group.max.session.timeout.ms'], 'groupMaxSessionTimeoutMs', intRange(0, INT32_MAX)),
  value(['group.max.size'], 'groupMaxSize', intRange(1, INT32_MAX)),
  value(['offsets.retention.minutes'], 'offsetsRetentionMinutes', intRange(1, INT32_MAX)),
  value(['log.index.interval.bytes'], 'logIndexIntervalBytes', intRange(0, INT32_MAX)),
  // Brook's own names (what BROOK_HOST, BROOK_FSYNC, ... map to)
  // host/port/dataDir are validated by validateBrokerConfig itself (alias: skip the table check)
  value(['brook.host'], 'host', { ...nonEmptyString, alias: true }),
  value(['brook.port'], 'port', { ...intRange(0, 65535), alias: true }),
  value(['brook.data.dir'], 'dataDir', { ...nonEmptyString, alias: true }),
  value(['brook.memory'], 'dataDir', {
    expected: 'true or false',
    // true -> memory-only (dataDir null); false leaves dataDir as set elsewhere
    parse: (raw) => {
      const b = bool.parse(raw)
      return b === true ? null : b === false ? KEEP : undefined
    },
    valid: () => true,
    alias: true,
  }),
  value(['brook.fsync'], 'fsync', bool),
  value(['brook.log.level'], 'logLevel', logLevel),
  {
    kind: 'ignored',
    // Kafka settings outside the broker config catalogue with no meaning for a single-process
    // broker; accepted so that a stock server.properties file loads. (Catalogue names without a
    // field above, e.g. num.io.threads or log.cleanup.policy, are kept as `extraProperties`.)
    names: [
      'controller.quorum.voters', 'controller.quorum.bootstrap.servers', 'controller.listener.names',
      'inter.broker.listener.name', 'zookeeper.connect', 'zookeeper.connection.timeout.ms',
      'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr',
    ],
  },
]

const BY_NAME = new Map<string, PropertyDefinition>()
for (const def of PROPERTY_DEFINITIONS) for (const name of def.names) BY_NAME.set(name, def)

export function findProperty(name: string): PropertyDefinition | undefined {
  return BY_NAME.get(name)
}

/** All property names Brook accepts (for help texts and error hints). */
export function knownPropertyNames(): string[] {
  return [...BY_NAME.keys()]
}
