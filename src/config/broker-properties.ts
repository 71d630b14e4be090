// BrokerConfig -> Kafka-named broker properties (the reverse of propertiesToConfig), e.g. as the
// `brokerDefaults` that topic configs fall back to, or for DescribeConfigs on the broker.
import { defaultBrokerConfig, type BrokerConfig } from './broker-config.js'
import { formatHostPort } from './listeners.js'
import { PROPERTY_DEFINITIONS } from './properties.js'

const LONG_MAX_STRING = '9223372036854775807'

/**
 * Kafka-named values of the settings. By default only those that differ from Brook's defaults
 * (what an operator set, i.e. Kafka's STATIC_BROKER_CONFIG); `includeDefaults` adds the rest.
 * extraProperties (catalogue configs without a typed field) are always included: they were set.
 */
export function brokerConfigToProperties(config: BrokerConfig, opts: { includeDefaults?: boolean } = {}): Record<string, string> {
  const defaults = defaultBrokerConfig() as unknown as Record<string, unknown>
  const values = config as unknown as Record<string, unknown>
  const include = (field: string) => opts.includeDefaults === true || JSON.stringify(values[field]) !== JSON.stringify(defaults[field])
  const out: Record<string, string> = {}
  for (const def of PROPERTY_DEFINITIONS) {
    if (def.kind !== 'value' || def.alias || def.names[0].startsWith('brook.')) continue
    const v = values[def.field]
    if (v === null || v === undefined || !include(def.field)) continue
    // Kafka's "never" is Long.MAX_VALUE; ours is the largest safe integer.
    out[def.names[0]] = v === Number.MAX_SAFE_INTEGER ? LONG_MAX_STRING : String(v)
  }
  if (include('host') || include('port')) out.listeners = `PLAINTEXT://${formatHostPort(config.host, config.port)}`
  if (config.advertisedListeners.length > 0) {
    out['advertised.listeners'] = config.advertisedListeners.map((l) => `${l.name}://${formatHostPort(l.host, l.port)}`).join(',')
  }
  if (config.dataDir !== null && include('dataDir')) out['log.dirs'] = config.dataDir
  return { ...out, ...config.extraProperties }
}
