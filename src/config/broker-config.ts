// Typed broker configuration. Kafka's property names at the edge (server.properties, BROOK_* env
// vars, CLI flags), camelCase fields inside. int64 settings are JS numbers (safe up to 2^53).
import { ConfigError, KEEP, PROPERTY_DEFINITIONS, findProperty, type PropertyDefinition } from './properties.js'
import { parseListeners, type ListenerAddress } from './listeners.js'
import { extraPropertyActedOn, extraPropertyDefinition, validateExtraProperties, validateExtraProperty } from './extra-properties.js'

export { ConfigError } from './properties.js'
export type { ListenerAddress } from './listeners.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export const MAX_INT32 = 2147483647

export interface BrokerConfig {
  /** Interface the listener binds to (from `listeners=PLAINTEXT://host:port`). */
  host: string
  /** Listener port; 0 picks a free port. */
  port: number
  /** Directory for segments and metadata; null = memory-only storage. */
  dataDir: string | null
  nodeId: number
  /** null: storage generates one and persists it in meta.properties. */
  clusterId: string | null
  /** Addresses given to clients in Metadata; empty = the local address the client connected to. */
  advertisedListeners: ListenerAddress[]
  numPartitions: number
  defaultReplicationFactor: number
  autoCreateTopicsEnable: boolean
  logSegmentBytes: number
  logRollMs: number
  logRetentionMs: number
  logRetentionBytes: number
  messageMaxBytes: number
  logFlushIntervalMessages: number
  logFlushIntervalMs: number
  /** fsync before acknowledging writes (group commit). */
  fsync: boolean
  socketRequestMaxBytes: number
  connectionsMaxIdleMs: number
  groupInitialRebalanceDelayMs: number
  groupMinSessionTimeoutMs: number
  groupMaxSessionTimeoutMs: number
  groupMaxSize: number
  offsetsRetentionMinutes: number
  logIndexIntervalBytes: number
  logLevel: LogLevel
  /**
   * Broker configs of Kafka's catalogue without a field above (log.cleanup.policy, log.cleaner.*,
   * log.retention.check.interval.ms, ...), under Kafka's names, validated with the catalogue's
   * types. Part of the static broker config layer that topics and DescribeConfigs see.
   */
  extraProperties: Record<string, string>
}

const DAY_MS = 24 * 60 * 60 * 1000

export function defaultBrokerConfig(): BrokerConfig {
  return {
    host: '127.0.0.1',
    port: 9092,
    dataDir: './data',
    nodeId: 1,
    clusterId: null,
    advertisedListeners: [],
    numPartitions: 1,
    defaultReplicationFactor: 1,
    autoCreateTopicsEnable: true,
    logSegmentBytes: 1073741824,
    logRollMs: 7 * DAY_MS,
    logRetentionMs: 7 * DAY_MS,
    logRetentionBytes: -1,
    messageMaxBytes: 1048588,
    // Kafka's defaults: never force a flush; the OS decides (durability = reached the OS).
    logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
    logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
    fsync: false,
    socketRequestMaxBytes: 104857600,
    connectionsMaxIdleMs: 600000,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1800000,
    groupMaxSize: MAX_INT32,
    offsetsRetentionMinutes: 10080,
    logIndexIntervalBytes: 4096,
    logLevel: 'info',
    extraProperties: {},
  }
}

/**
 * `base` overlaid with `values`; extraProperties are merged key by key (a later source adds to or
 * replaces single properties, never the whole set).
 */
export function overlayBrokerConfig<T extends Partial<BrokerConfig>>(base: T, values: Partial<BrokerConfig>): T {
  const out = { ...base, ...values }
  if (base.extraProperties && values.extraProperties) out.extraProperties = { ...base.extraProperties, ...values.extraProperties }
  return out
}

/**
 * Parses Java-properties text (`key=value` or `key: value`, `#`/`!` comments, trailing-backslash
 * continuation lines, basic escapes). Later keys win.
 */
export function parseServerProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {}
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^\s+/, '')
    }
    const m = /^((?:\\.|[^=:\s\\])*)\s*(?:[=:]\s*|\s+|$)(.*)$/s.exec(line)
    if (!m) continue
    props[unescapeProperty(m[1])] = unescapeProperty(m[2].replace(/\s+$/, ''))
  }
  return props
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16))
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c
  })
}

export interface PropertiesResult {
  /** Settings named by the properties (only those present). */
  values: Partial<BrokerConfig>
  /** Kafka settings that Brook accepts but does not act on (e.g. thread counts). */
  ignored: string[]
}

/**
 * Converts Kafka-named properties into typed settings. Unknown keys and invalid values throw a
 * ConfigError naming the key (and `source`, e.g. the file name, when given).
 */
export function propertiesToConfig(props: Record<string, string>, opts: { source?: string } = {}): PropertiesResult {
  const values: Record<string, unknown> = {}
  const extra: Record<string, string> = {}
  const ignored: string[] = []
  // Coarser units first so that the finer-grained key wins, as in Kafka (ms > minutes > hours).
  const keys = Object.keys(props).sort((a, b) => unitRank(a) - unitRank(b))
  for (const key of keys) {
    const raw = props[key]
    if (extraPropertyDefinition(key)) {
      extra[key] = validateExtraProperty(key, raw, opts.source)
      if (!extraPropertyActedOn(key)) ignored.push(key)
      continue
    }
    const def = findProperty(key)
    if (!def) throw new ConfigError(key, `Unknown configuration "${key}"${from(opts.source)}`)
    if (def.kind === 'ignored') {
      ignored.push(key)
      continue
    }
    applyProperty(values, def, key, raw.trim(), opts.source)
  }
  if (Object.keys(extra).length > 0) values.extraProperties = extra
  return { values: values as Partial<BrokerConfig>, ignored }
}

function unitRank(key: string): number {
  if (key.endsWith('.hours')) return 0
  if (key.endsWith('.minutes')) return 1
  return 2
}

function from(source: string | undefined): string {
  return source ? ` (in ${source})` : ''
}

function applyProperty(out: Record<string, unknown>, def: PropertyDefinition, key: string, raw: string, source?: string): void {
  if (def.kind === 'listeners') {
    const listeners = parseListeners(raw, key)
    const chosen = listeners.find((l) => l.name === 'PLAINTEXT') ?? listeners.find((l) => l.name !== 'CONTROLLER')
    if (!chosen) throw new ConfigError(key, `${key} has no PLAINTEXT listener${from(source)}`)
    out.host = chosen.host === '' ? '0.0.0.0' : chosen.host
    out.port = chosen.port
    return
  }
  if (def.kind === 'advertised.listeners') {
    const listeners = parseListeners(raw, key).filter((l) => l.name !== 'CONTROLLER')
    for (const l of listeners) {
      if (l.host === '') throw new ConfigError(key, `${key} needs a host in "${l.name}://${l.host}:${l.port}"${from(source)}`)
    }
    out.advertisedListeners = listeners
    return
  }
  if (def.kind === 'log.dirs') {
    const dirs = raw.split(',').map((d) => d.trim()).filter((d) => d !== '')
    if (dirs.length !== 1) throw new ConfigError(key, `${key} must name exactly one directory, got "${raw}"${from(source)}`)
    out.dataDir = dirs[0]
    return
  }
  if (def.kind !== 'value') return
  const value = def.parse(raw)
  if (value === undefined) {
    throw new ConfigError(key, `Invalid value "${raw}" for configuration "${key}"${from(source)}: expected ${def.expected}`)
  }
  if (value !== KEEP) out[def.field] = value
}

/** Defaults overlaid with Kafka-named properties (see propertiesToConfig), validated. */
export function configFromProperties(props: Record<string, string>, base: BrokerConfig = defaultBrokerConfig()): BrokerConfig {
  return validateBrokerConfig(overlayBrokerConfig(base, propertiesToConfig(props).values))
}

/** Checks every field (types, ranges, cross-field rules); returns the config or throws ConfigError. */
export function validateBrokerConfig(config: BrokerConfig): BrokerConfig {
  const known = defaultBrokerConfig()
  for (const key of Object.keys(config)) {
    if (!(key in known)) throw new ConfigError(key, `Unknown configuration field "${key}"`)
  }
  for (const def of PROPERTY_DEFINITIONS) {
    if (def.kind !== 'value' || def.alias) continue
    const value = (config as unknown as Record<string, unknown>)[def.field]
    if (!def.valid(value)) {
      throw new ConfigError(def.names[0], `Invalid value ${JSON.stringify(value)} for ${def.field} (${def.names[0]}): expected ${def.expected}`)
    }
  }
  if (typeof config.host !== 'string' || config.host === '') throw new ConfigError('listeners', `Invalid host ${JSON.stringify(config.host)}`)
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new ConfigError('listeners', `Invalid port ${JSON.stringify(config.port)}: expected an integer in [0, 65535]`)
  }
  if (config.dataDir !== null && (typeof config.dataDir !== 'string' || config.dataDir === '')) {
    throw new ConfigError('log.dirs', `Invalid data directory ${JSON.stringify(config.dataDir)}`)
  }
  if (config.clusterId !== null && (typeof config.clusterId !== 'string' || config.clusterId === '')) {
    throw new ConfigError('cluster.id', `Invalid cluster id ${JSON.stringify(config.clusterId)}`)
  }
  if (!Array.isArray(config.advertisedListeners)) {
    throw new ConfigError('advertised.listeners', 'advertisedListeners must be an array of { name, host, port }')
  }
  for (const l of config.advertisedListeners) {
    if (!l || typeof l.host !== 'string' || l.host === '' || !Number.isInteger(l.port) || l.port < 1 || l.port > 65535) {
      throw new ConfigError('advertised.listeners', `Invalid advertised listener ${JSON.stringify(l)}`)
    }
  }
  validateExtraProperties(config.extraProperties)
  if (config.groupMinSessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
    throw new ConfigError(
      'group.min.session.timeout.ms',
      `group.min.session.timeout.ms (${config.groupMinSessionTimeoutMs}) must not exceed group.max.session.timeout.ms (${config.groupMaxSessionTimeoutMs})`,
    )
  }
  return config
}
