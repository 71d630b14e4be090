// DescribeConfigs entries for TOPIC and BROKER resources: value, source, synonyms, type and
// documentation, computed as Kafka's broker does (ConfigHelper): synonyms are listed from the most
// specific layer (topic override, per-broker dynamic, cluster-default dynamic, static file,
// built-in default) and the first one is the entry's source.

import {
  type ConfigDefinition,
  ConfigSource,
  ConfigType,
  configValueToString,
  parseConfigValue,
} from './topic-config-catalog-types.js'
import { topicConfigDefinitions, topicConfigSynonyms } from './topic-config-catalog.js'
import { effectiveTopicConfigValue } from './topic-configs.js'
import { brokerConfigDefinitions, brokerConfigDefinitionsByName, brokerConfigSynonyms } from './broker-config-catalog.js'

/** Broker config values by layer, Kafka names, as strings. */
export interface BrokerConfigLayers {
  /** Dynamic overrides for this broker (AlterConfigs on resource name = node id). */
  dynamicBroker?: Record<string, string>
  /** Dynamic cluster-wide defaults (AlterConfigs on resource name ''). */
  dynamicDefault?: Record<string, string>
  /** server.properties / CLI / environment: what the broker was started with. */
  static?: Record<string, string>
}

export interface DescribedConfigSynonym {
  name: string
  value: string | null
  source: number
}

/** Shaped like DescribeConfigsResponse's DescribeConfigsResourceResult (v1+). */
export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
  synonyms: DescribedConfigSynonym[]
  configType: number
  documentation: string | null
}

export interface DescribeOptions {
  includeSynonyms: boolean
  includeDocumentation: boolean
  /** Only these names (null or empty = all). Unknown names are silently absent, as in Kafka. */
  keys?: readonly string[] | null
}

/** The broker's effective configs: per-broker dynamic over cluster dynamic over static. */
export function effectiveBrokerConfigs(layers: BrokerConfigLayers): Record<string, string> {
  return { ...(layers.static ?? {}), ...(layers.dynamicDefault ?? {}), ...(layers.dynamicBroker ?? {}) }
}

function layerList(layers: BrokerConfigLayers): [Record<string, string>, number][] {
  const defaults: Record<string, string> = {}
  for (const d of brokerConfigDefinitions) if (d.defaultValue !== null) defaults[d.name] = d.defaultValue
  return [
    [layers.dynamicBroker ?? {}, ConfigSource.DYNAMIC_BROKER_CONFIG],
    [layers.dynamicDefault ?? {}, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [layers.static ?? {}, ConfigSource.STATIC_BROKER_CONFIG],
    [defaults, ConfigSource.DEFAULT_CONFIG],
  ]
}

/** Kafka's configSynonyms: every layer x synonym that is set, then drop those before `name`. */
function brokerSynonymEntries(name: string, layers: BrokerConfigLayers): DescribedConfigSynonym[] {
  const names = brokerConfigSynonyms(name)
  const out: DescribedConfigSynonym[] = []
  for (const [values, source] of layerList(layers)) {
    for (const n of names) {
      const v = values[n]
      if (v !== undefined && v !== null) out.push({ name: n, value: v, source })
    }
  }
  const first = out.findIndex((s) => s.name === name)
  return first < 0 ? [] : out.slice(first)
}

/** The string DescribeConfigs shows for a raw value (Kafka prints the parsed value). */
export function canonicalConfigString(def: Pick<ConfigDefinition, 'name' | 'type'>, raw: string | null): string | null {
  if (raw === null) return null
  try {
    if (def.type === 'INT' || def.type === 'LONG' || def.type === 'SHORT') return BigInt(raw.trim()).toString()
    return configValueToString(parseConfigValue(def.name, def.type, raw), def.type)
  } catch {
    return raw
  }
}

function wanted(name: string, keys: readonly string[] | null | undefined): boolean {
  return !keys || keys.length === 0 || keys.includes(name)
}

export function describeTopicConfigs(
  overrides: Record<string, string>,
  layers: BrokerConfigLayers,
  opts: DescribeOptions,
): DescribedConfig[] {
  const brokerValues = effectiveBrokerConfigs(layers)
  const out: DescribedConfig[] = []
  for (const def of topicConfigDefinitions) {
    if (!wanted(def.name, opts.keys)) continue
    const eff = effectiveTopicConfigValue(def.name, overrides, brokerValues)
    const value = eff.from === 'topic' || eff.from === 'broker' ? canonicalConfigString(def, eff.value) : eff.value
    const serverName = topicConfigSynonyms[def.name]?.[0]?.name
    const synonyms = serverName ? brokerSynonymEntries(serverName, layers) : []
    if (eff.from === 'topic') synonyms.unshift({ name: def.name, value, source: ConfigSource.TOPIC_CONFIG })
    out.push({
      name: def.name,
      value,
      readOnly: false,
      configSource: synonyms.length > 0 ? synonyms[0].source : ConfigSource.DEFAULT_CONFIG,
      isSensitive: def.type === 'PASSWORD',
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: ConfigType[def.type],
      documentation: opts.includeDocumentation ? def.documentation : null,
    })
  }
  return out
}

/**
 * BROKER resource. `perBroker` is true when the resource name is this node's id (all configs);
 * false for the cluster-default resource (name ''), which lists only dynamic cluster defaults.
 */
export function describeBrokerConfigs(
  layers: BrokerConfigLayers,
  opts: DescribeOptions & { perBroker: boolean },
): DescribedConfig[] {
  const names = opts.perBroker
    ? brokerConfigDefinitions.map((d) => d.name)
    : Object.keys(layers.dynamicDefault ?? {}).sort()
  const out: DescribedConfig[] = []
  for (const name of names) {
    if (!wanted(name, opts.keys)) continue
    const def = brokerConfigDefinitionsByName.get(name)
    let synonyms = brokerSynonymEntries(name, layers)
    if (!opts.perBroker) synonyms = synonyms.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    const own = opts.perBroker
      ? effectiveBrokerConfigs(layers)[name] ?? def?.defaultValue ?? null
      : (layers.dynamicDefault ?? {})[name] ?? null
    const sensitive = def?.type === 'PASSWORD'
    out.push({
      name,
      value: sensitive ? null : def ? canonicalConfigString(def, own) : own,
      readOnly: !(def?.dynamic ?? false),
      configSource: synonyms.length > 0 ? synonyms[0].source : ConfigSource.DEFAULT_CONFIG,
      isSensitive: sensitive,
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: def ? ConfigType[def.type] : ConfigType.UNKNOWN,
      documentation: opts.includeDocumentation ? (def?.documentation ?? null) : null,
    })
  }
  return out
}
