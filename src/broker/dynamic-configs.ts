// Dynamic broker configs (Kafka's KIP-226 layer): cluster-wide defaults (AlterConfigs on the
// BROKER resource named '') and this broker's own overrides (resource named by the node id),
// persisted atomically in <dataDir>/broker-configs.json and loaded at start. Memory-only brokers
// keep them in memory. The static layer is what the broker was started with, under Kafka's names.
import type { BrokerConfig } from '../config/broker-config.js'
import { brokerConfigDefinitionsByName, brokerConfigSynonyms } from '../config/broker-config-catalog.js'
import { brokerConfigToProperties } from '../config/broker-properties.js'
import {
  type BrokerConfigLayers,
  canonicalConfigString,
  effectiveBrokerConfigs,
} from '../config/topic-config-catalog-describe.js'
import type { Logger } from '../logger.js'
import { type FileSystem, writeFileAtomic } from '../storage/fs/file-system.js'
import { NodeFileSystem } from '../storage/fs/node-file-system.js'

export const BROKER_CONFIGS_FILE = 'broker-configs.json'

/** Which dynamic layer: cluster-wide default (resource name '') or this broker (its node id). */
export const DynamicConfigScope = { CLUSTER_DEFAULT: 'clusterDefault', BROKER: 'broker' } as const
export type DynamicConfigScope = (typeof DynamicConfigScope)[keyof typeof DynamicConfigScope]

/** On-disk shape (version 1). Values are strings under Kafka's names. */
interface BrokerConfigsFileV1 {
  version: 1
  clusterDefault: Record<string, string>
  broker: Record<string, string>
}

export interface DynamicConfigsLoadOptions {
  dataDir: string | null
  config: BrokerConfig
  logger?: Logger
  /** Tests: another file-system port. Default: node's. */
  fileSystem?: FileSystem
}

type Layers = Record<DynamicConfigScope, Record<string, string>>
type Listener = (layers: BrokerConfigLayers) => void

export class DynamicBrokerConfigs {
  private chain: Promise<unknown> = Promise.resolve()
  private readonly listeners = new Set<Listener>()

  private constructor(
    private readonly fs: FileSystem | null,
    /** null: memory only */
    readonly path: string | null,
    /** Kafka-named settings the broker was started with (only those that differ from Kafka's defaults). */
    readonly staticConfigs: Readonly<Record<string, string>>,
    private layersByScope: Layers,
    private readonly logger: Logger | undefined,
  ) {}

  static async load(opts: DynamicConfigsLoadOptions): Promise<DynamicBrokerConfigs> {
    const staticConfigs = staticBrokerProperties(opts.config)
    if (opts.dataDir === null) return new DynamicBrokerConfigs(null, null, staticConfigs, emptyLayers(), opts.logger)
    const fs = opts.fileSystem ?? new NodeFileSystem()
    const path = `${opts.dataDir}/${BROKER_CONFIGS_FILE}`
    const layers = await readConfigsFile(fs, path)
    const store = new DynamicBrokerConfigs(fs, path, staticConfigs, layers, opts.logger)
    const count = Object.keys(layers.clusterDefault).length + Object.keys(layers.broker).length
    if (count > 0) opts.logger?.info({ path, clusterDefault: layers.clusterDefault, broker: layers.broker }, 'loaded dynamic broker configs')
    return store
  }

  /** A store that is never persisted (memory-only brokers, handler tests). */
  static inMemory(config: BrokerConfig): DynamicBrokerConfigs {
    return new DynamicBrokerConfigs(null, null, staticBrokerProperties(config), emptyLayers(), undefined)
  }

  /** The dynamic configs of one layer (a copy). */
  get(scope: DynamicConfigScope): Record<string, string> {
    return { ...this.layersByScope[scope] }
  }

  /** Static, cluster-default and per-broker values, as the describe helpers take them. */
  layers(): BrokerConfigLayers {
    return { static: { ...this.staticConfigs }, dynamicDefault: this.get('clusterDefault'), dynamicBroker: this.get('broker') }
  }

  /** The broker's effective Kafka-named configs: per-broker over cluster default over static. */
  effective(): Record<string, string> {
    return effectiveBrokerConfigs(this.layers())
  }

  /**
   * Replaces one layer with what `compute` returns for its current contents; null leaves it as it
   * is (validateOnly). Updates are serialized, so a read-modify-write never loses another one.
   * `compute` may throw (validation): nothing changes then. The file is written before the new
   * values become visible.
   */
  update(scope: DynamicConfigScope, compute: (current: Record<string, string>) => Record<string, string> | null): Promise<void> {
    const run = this.chain.then(async () => {
      const next = compute(this.get(scope))
      if (next === null) return
      const layers: Layers = { ...this.layersByScope, [scope]: { ...next } }
      if (this.fs && this.path) await writeConfigsFile(this.fs, this.path, layers)
      this.layersByScope = layers
      this.logger?.info({ scope, configs: next }, 'dynamic broker configs changed')
      const snapshot = this.layers()
      for (const l of this.listeners) {
        try {
          l(snapshot)
        } catch (err) {
          this.logger?.error({ err }, 'dynamic config listener failed')
        }
      }
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Called after every change with the new layers (e.g. to recompute topic defaults). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }
}

function emptyLayers(): Layers {
  return { clusterDefault: {}, broker: {} }
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${what}.${k} is not a string`)
    out[k] = v
  }
  return out
}

async function readConfigsFile(fs: FileSystem, path: string): Promise<Layers> {
  if (!(await fs.stat(path))) return emptyLayers()
  const text = (await fs.readFile(path)).toString('utf8')
  try {
    const parsed = JSON.parse(text) as Partial<BrokerConfigsFileV1>
    if (parsed.version !== 1) throw new Error(`unsupported version ${String(parsed.version)}`)
    return { clusterDefault: stringRecord(parsed.clusterDefault, 'clusterDefault'), broker: stringRecord(parsed.broker, 'broker') }
  } catch (err) {
    // Refuse to start rather than silently dropping configs an operator set.
    throw new Error(`${path}: cannot read dynamic broker configs: ${(err as Error).message}`)
  }
}

async function writeConfigsFile(fs: FileSystem, path: string, layers: Layers): Promise<void> {
  const body: BrokerConfigsFileV1 = { version: 1, clusterDefault: sorted(layers.clusterDefault), broker: sorted(layers.broker) }
  await writeFileAtomic(fs, path, `${JSON.stringify(body, null, 1)}\n`)
}

function sorted(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

// ---- static layer ----

const UNIT_MS: readonly [suffix: string, ms: bigint][] = [
  ['.hours', 3_600_000n],
  ['.minutes', 60_000n],
  ['.ms', 1n],
]

function unitMs(name: string): bigint | null {
  return UNIT_MS.find(([suffix]) => name.endsWith(suffix))?.[1] ?? null
}

function toBigInt(s: string | null): bigint | null {
  if (s === null || !/^[+-]?\d+$/.test(s.trim())) return null
  return BigInt(s.trim())
}

/**
 * Whether `value` is what Kafka would use for `name` when it is not set: the catalogue default,
 * or for names without one (log.retention.ms, log.roll.ms, ...) the default of the synonym that
 * then applies, converted between hours/minutes/ms.
 */
function isKafkaDefault(name: string, value: string): boolean {
  const def = brokerConfigDefinitionsByName.get(name)
  if (!def) return false
  if (def.defaultValue !== null) return canonicalConfigString(def, value) === canonicalConfigString(def, def.defaultValue)
  const group = brokerConfigSynonyms(name)
  const fallback = group.slice(group.indexOf(name) + 1).find((n) => brokerConfigDefinitionsByName.get(n)?.defaultValue != null)
  if (!fallback) return false
  const own = toBigInt(value)
  const dflt = toBigInt(brokerConfigDefinitionsByName.get(fallback)!.defaultValue)
  const ownUnit = unitMs(name)
  const fallbackUnit = unitMs(fallback)
  if (own === null || dflt === null || ownUnit === null || fallbackUnit === null) return false
  return own * ownUnit === dflt * fallbackUnit
}

/**
 * The broker's start-up settings under Kafka's names. Typed fields are kept only when they differ
 * from Kafka's own defaults (Brook cannot tell whether they were set); extraProperties always, as
 * they were set explicitly. DescribeConfigs reports these as STATIC_BROKER_CONFIG, the rest as
 * DEFAULT_CONFIG; storage takes them as the static layer of topic defaults.
 */
export function staticBrokerProperties(config: BrokerConfig): Record<string, string> {
  const all = brokerConfigToProperties({ ...config, extraProperties: {} }, { includeDefaults: true })
  // KRaft brokers report broker.id = node.id.
  all['broker.id'] = String(config.nodeId)
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(all)) if (!isKafkaDefault(name, value)) out[name] = value
  return { ...out, ...config.extraProperties }
}
