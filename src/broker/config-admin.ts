// Altering configs for AlterConfigs (replace every override of a resource) and
// IncrementalAlterConfigs (SET/DELETE/APPEND/SUBTRACT), per resource, as Kafka does: the broker-side
// checks of ConfigAdminManager, then the merge rules of the controller's ConfigurationControlManager.
// TOPIC overrides are stored through the LogManager, BROKER ones in the dynamic-config store,
// BROKER_LOGGER levels are applied to the running logger (never persisted, as in Kafka).
import { brokerConfigDefinitionsByName, validateBrokerConfigChange } from '../config/broker-config-catalog.js'
import { topicConfigDefinitionsByName, validateTopicConfigs } from '../config/topic-configs.js'
import type { Logger } from '../logger.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import type { LogManager } from '../storage/log-manager.js'
import { validateTopicName } from '../storage/topic-names.js'
import { DynamicConfigScope } from './dynamic-configs.js'
import type { BrokerServices } from './services.js'

/** ConfigResource.Type codes. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const

/** AlterConfigOp.OpType codes (IncrementalAlterConfigs). */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const

/** Broker configs Kafka only accepts per broker, never as a cluster-wide default. */
const PER_BROKER_ONLY = new Set(['listeners', 'advertised.listeners', 'listener.security.protocol.map'])

/** The one logger a Brook process has, under log4j's name for it. */
export const ROOT_LOGGER = 'root'
const LOG4J_LEVELS = ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'TRACE', 'WARN'] as const

export interface ConfigChange {
  name: string
  value: string | null
  /** AlterConfigOp code; AlterConfigs (replace mode) uses SET for every entry. */
  op: number
}

export interface ConfigResourceChange {
  resourceType: number
  resourceName: string
  configs: ConfigChange[]
}

export interface ResourceOutcome {
  errorCode: number
  errorMessage: string | null
}

export interface AlterConfigsOptions {
  /** 'replace': AlterConfigs (unlisted overrides are removed); 'incremental': IncrementalAlterConfigs. */
  mode: 'replace' | 'incremental'
  validateOnly: boolean
}

const OK: ResourceOutcome = { errorCode: ErrorCode.NONE, errorMessage: null }

/** What AlterConfigs and IncrementalAlterConfigs requests have in common. */
export interface AlterConfigsLikeRequest<Entry extends { name: string; value: string | null }> {
  resources: { resourceType: number; resourceName: string; configs: Entry[] }[]
  validateOnly: boolean
}

/** What their responses have in common (one result per resource, in request order). */
export interface AlterConfigsLikeResponse {
  throttleTimeMs: number
  responses: (ResourceOutcome & { resourceType: number; resourceName: string })[]
}

/**
 * Answers an AlterConfigs (`mode: 'replace'`) or IncrementalAlterConfigs request; `opOf` gives
 * the AlterConfigOp of one config entry (always SET for AlterConfigs).
 */
export async function alterConfigsResponse<Entry extends { name: string; value: string | null }>(
  services: BrokerServices,
  req: AlterConfigsLikeRequest<Entry>,
  opts: { mode: AlterConfigsOptions['mode']; opOf: (entry: Entry) => number },
): Promise<AlterConfigsLikeResponse> {
  const outcomes = await alterConfigResources(
    services,
    req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: r.configs.map((c) => ({ name: c.name, value: c.value, op: opts.opOf(c) })),
    })),
    { mode: opts.mode, validateOnly: req.validateOnly },
  )
  return {
    throttleTimeMs: 0,
    responses: req.resources.map((r, i) => ({ ...outcomes[i], resourceType: r.resourceType, resourceName: r.resourceName })),
  }
}

/** The same error for every resource (a whole-request KafkaError). */
export function alterConfigsErrorResponse(req: AlterConfigsLikeRequest<{ name: string; value: string | null }>, errorCode: number): AlterConfigsLikeResponse {
  return {
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
  }
}

/** One outcome per resource, in request order; a failing resource never fails the others. */
export async function alterConfigResources(
  services: BrokerServices,
  resources: readonly ConfigResourceChange[],
  opts: AlterConfigsOptions,
): Promise<ResourceOutcome[]> {
  const key = (r: ConfigResourceChange) => `${r.resourceType}/${r.resourceName}`
  const counts = new Map<string, number>()
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1)
  const out: ResourceOutcome[] = []
  for (const r of resources) {
    if (counts.get(key(r))! > 1) {
      out.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' })
      continue
    }
    out.push(await alterOne(services, r, opts))
  }
  return out
}

async function alterOne(services: BrokerServices, r: ConfigResourceChange, opts: AlterConfigsOptions): Promise<ResourceOutcome> {
  try {
    checkShape(r, opts)
    switch (r.resourceType) {
      case ConfigResourceType.TOPIC:
        await alterTopic(services, r, opts)
        break
      case ConfigResourceType.BROKER:
        await alterBroker(services, r, opts)
        break
      case ConfigResourceType.BROKER_LOGGER:
        // The legacy API never supported logger levels.
        if (opts.mode === 'replace') throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${r.resourceType}`)
        alterLoggers(services, r, opts)
        break
      case ConfigResourceType.GROUP:
      case ConfigResourceType.CLIENT_METRICS:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Brook does not support configs of resource type ${r.resourceType === ConfigResourceType.GROUP ? 'GROUP' : 'CLIENT_METRICS'}`)
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${r.resourceType}`)
    }
    if (!opts.validateOnly) {
      services.logger.info({ resourceType: r.resourceType, resourceName: r.resourceName, configs: loggable(r) }, 'altered configs')
    }
    return OK
  } catch (err) {
    if (err instanceof KafkaError) return { errorCode: err.errorCode, errorMessage: err.message }
    services.logger.error({ err, resourceType: r.resourceType, resourceName: r.resourceName }, 'unexpected error altering configs')
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'Unexpected error; see the broker log.' }
  }
}

/** Request-shape checks Kafka makes before looking at the resource. */
function checkShape(r: ConfigResourceChange, opts: AlterConfigsOptions): void {
  const names = new Set<string>()
  for (const c of r.configs) {
    if (names.has(c.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
    names.add(c.name)
  }
  const nulls = r.configs.filter((c) => c.value === null && (opts.mode === 'replace' || c.op !== AlterConfigOp.DELETE))
  if (nulls.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.map((c) => c.name).join(', ')}`)
  }
  if (r.resourceType === ConfigResourceType.BROKER_LOGGER) return // its own op checks
  for (const c of r.configs) {
    if (c.op < AlterConfigOp.SET || c.op > AlterConfigOp.SUBTRACT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operations type ${c.op}`)
    }
  }
}

function loggable(r: ConfigResourceChange): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const c of r.configs) {
    const sensitive = (topicConfigDefinitionsByName.get(c.name) ?? brokerConfigDefinitionsByName.get(c.name))?.type === 'PASSWORD'
    out[c.name] = c.op === AlterConfigOp.DELETE ? null : sensitive ? '[hidden]' : c.value
  }
  return out
}

function listParts(value: string | null | undefined): string[] {
  if (value === null || value === undefined) return []
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** APPEND adds the values not present yet; SUBTRACT removes one occurrence of each (Kafka's controller). */
function mergeList(current: string | null | undefined, op: number, value: string): string {
  const parts = listParts(current)
  for (const v of value.split(',').map((s) => s.trim())) {
    if (op === AlterConfigOp.APPEND) {
      if (!parts.includes(v)) parts.push(v)
    } else {
      const i = parts.indexOf(v)
      if (i >= 0) parts.splice(i, 1)
    }
  }
  return parts.join(',')
}

/**
 * The new override set of a resource. APPEND/SUBTRACT start from the current override, else the
 * config's built-in default; `listError` is the error for a config that is not a LIST.
 */
function applyChanges(
  current: Record<string, string>,
  r: ConfigResourceChange,
  opts: AlterConfigsOptions,
  listDefault: (name: string) => string | null | undefined,
  listError: (op: string, name: string) => KafkaError,
): Record<string, string> {
  if (opts.mode === 'replace') return Object.fromEntries(r.configs.map((c) => [c.name, c.value as string]))
  const next = { ...current }
  for (const c of r.configs) {
    if (c.op === AlterConfigOp.SET) next[c.name] = c.value as string
    else if (c.op === AlterConfigOp.DELETE) delete next[c.name]
    else {
      const dflt = listDefault(c.name)
      if (dflt === undefined) throw listError(OP_NAMES[c.op], c.name)
      next[c.name] = mergeList(next[c.name] ?? dflt, c.op, c.value as string)
    }
  }
  return next
}

// ---- TOPIC ----

// Read-modify-write of a topic's overrides is serialized per LogManager, so two concurrent
// incremental changes cannot lose one another.
const topicChains = new WeakMap<LogManager, Promise<unknown>>()

function serializeTopicChange<T>(logs: LogManager, fn: () => Promise<T>): Promise<T> {
  const run = (topicChains.get(logs) ?? Promise.resolve()).then(fn)
  topicChains.set(logs, run.catch(() => undefined))
  return run
}

async function alterTopic(services: BrokerServices, r: ConfigResourceChange, opts: AlterConfigsOptions): Promise<void> {
  const name = r.resourceName
  const nameError = validateTopicName(name)
  if (nameError !== null) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError)
  const { logs } = services
  await serializeTopicChange(logs, async () => {
    const topic = logs.getTopic(name)
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
    const next = applyChanges(
      topic.configs,
      r,
      opts,
      (n) => {
        const def = topicConfigDefinitionsByName.get(n)
        return def?.type === 'LIST' ? def.defaultValue : undefined
      },
      (op, n) => new KafkaError(ErrorCode.INVALID_CONFIG, `Can't ${op} to key ${n} because its type is not LIST.`),
    )
    const error = validateTopicConfigs(next, { brokerDefaults: services.dynamicConfigs.effective() })
    if (error !== null) throw new KafkaError(ErrorCode.INVALID_CONFIG, error.message)
    if (!opts.validateOnly) await logs.alterTopicConfigs(name, next)
  })
}

// ---- BROKER ----

/** '' = cluster default; otherwise it must be this node's id (Kafka's messages). */
function brokerScope(resourceName: string, nodeId: number): DynamicConfigScope {
  if (resourceName === '') return DynamicConfigScope.CLUSTER_DEFAULT
  const id = parseJavaInt(resourceName)
  if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${resourceName}`)
  if (id !== nodeId) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId}, but received ${resourceName}`)
  return DynamicConfigScope.BROKER
}

/** Integer.parseInt: optional sign, decimal digits, int32 range; null otherwise. */
export function parseJavaInt(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null
  const n = Number(s)
  return n >= -2147483648 && n <= 2147483647 ? n : null
}

async function alterBroker(services: BrokerServices, r: ConfigResourceChange, opts: AlterConfigsOptions): Promise<void> {
  const scope = brokerScope(r.resourceName, services.nodeId)
  const setting = r.configs.filter((c) => opts.mode === 'replace' || c.op !== AlterConfigOp.DELETE)
  for (const c of setting) {
    if (!brokerConfigDefinitionsByName.has(c.name)) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown broker config name: ${c.name}`)
  }
  if (scope === DynamicConfigScope.CLUSTER_DEFAULT) {
    const perBroker = setting.filter((c) => PER_BROKER_ONLY.has(c.name)).map((c) => c.name)
    if (perBroker.length > 0) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs at default cluster level, broker id must be specified: ${perBroker.join(',')}`)
    }
  }
  await services.dynamicConfigs.update(scope, (current) => {
    const next = applyChanges(
      current,
      r,
      opts,
      (n) => {
        const def = brokerConfigDefinitionsByName.get(n)
        return def?.type === 'LIST' ? def.defaultValue : undefined
      },
      (op, n) => new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${op.toLowerCase()} is not allowed for config key: ${n}`),
    )
    // Kafka answers a broker config that cannot be applied with INVALID_REQUEST (KAFKA-13609).
    const error = validateBrokerConfigChange(next)
    if (error !== null) throw new KafkaError(ErrorCode.INVALID_REQUEST, error.message)
    return opts.validateOnly ? null : next
  })
}

// ---- BROKER_LOGGER ----

/** The logger levels DescribeConfigs reports for BROKER_LOGGER (log4j names and levels). */
export function loggerLevels(logger: Logger): Record<string, string> {
  const level = logger.level === 'silent' ? 'OFF' : logger.level.toUpperCase()
  return { [ROOT_LOGGER]: level }
}

function alterLoggers(services: BrokerServices, r: ConfigResourceChange, opts: AlterConfigsOptions): void {
  const id = parseJavaInt(r.resourceName)
  if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${r.resourceName}`)
  if (id !== services.nodeId) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected node id. Expected ${services.nodeId}, but got ${id}`)
  const levels = loggerLevels(services.logger)
  let newLevel: string | null = null
  for (const c of r.configs) {
    if (c.op === AlterConfigOp.APPEND || c.op === AlterConfigOp.SUBTRACT) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `${OP_NAMES[c.op]} operation is not allowed for the BROKER_LOGGER resource`)
    }
    if (c.op !== AlterConfigOp.SET && c.op !== AlterConfigOp.DELETE) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operation type ${c.op} is not allowed for the BROKER_LOGGER resource`)
    }
    if (!(c.name in levels)) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Logger ${c.name} does not exist!`)
    if (c.op === AlterConfigOp.DELETE) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed')
    }
    if (c.value === null || !(LOG4J_LEVELS as readonly string[]).includes(c.value)) {
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `Cannot set the log level of ${c.name} to ${c.value} as it is not a supported log level. Valid log levels are ${LOG4J_LEVELS.join(', ')}`,
      )
    }
    newLevel = c.value
  }
  // Like Kafka's log4j changes: immediate, and gone after a restart.
  if (!opts.validateOnly && newLevel !== null) services.logger.level = newLevel.toLowerCase()
}
