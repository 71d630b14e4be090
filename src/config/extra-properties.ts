// Broker configs of the catalogue (broker-config-catalog.ts) that BrokerConfig has no typed field
// for: log.cleanup.policy, log.cleaner.*, log.retention.check.interval.ms, compression.type,
// num.io.threads, ... They are validated with the catalogue's type and validator and kept under
// their Kafka names, as strings, in BrokerConfig.extraProperties. With the typed fields they form
// the static layer of broker configs: topic defaults (storage) and DescribeConfigs read them.
import { type BrokerConfigDefinition, brokerConfigDefinitionsByName } from './broker-config-catalog.js'
import { ConfigError, findProperty } from './properties.js'
import { ConfigValueError, parseAndValidate } from './topic-config-catalog-types.js'

/** The catalogue entry of `name` when it is an extra property (a broker config without a typed field). */
export function extraPropertyDefinition(name: string): BrokerConfigDefinition | undefined {
  return findProperty(name) === undefined ? brokerConfigDefinitionsByName.get(name) : undefined
}

/**
 * Checks one extra property; returns the value to keep (trimmed). Throws ConfigError naming the
 * key (and `source`, e.g. the file, when given) for an unknown name or an invalid value.
 */
export function validateExtraProperty(name: string, raw: string, source?: string): string {
  const where = source ? ` (in ${source})` : ''
  const def = extraPropertyDefinition(name)
  if (!def) {
    const typed = findProperty(name)
    throw new ConfigError(
      name,
      typed ? `"${name}" has its own setting in BrokerConfig; it cannot be given as an extra property${where}` : `Unknown configuration "${name}"${where}`,
    )
  }
  if (typeof raw !== 'string') throw new ConfigError(name, `Invalid value ${JSON.stringify(raw)} for configuration "${name}"${where}: expected a string`)
  const value = raw.trim()
  try {
    parseAndValidate(def, value)
  } catch (err) {
    if (err instanceof ConfigValueError) {
      throw new ConfigError(name, `Invalid value "${raw}" for configuration "${name}"${where}: ${err.reason}`)
    }
    throw err
  }
  return value
}

/** Checks every entry of a BrokerConfig.extraProperties record (e.g. one given programmatically). */
export function validateExtraProperties(props: unknown): Record<string, string> {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new ConfigError('extraProperties', 'extraProperties must be an object of Kafka-named broker configs to string values')
  }
  for (const [name, raw] of Object.entries(props)) validateExtraProperty(name, raw as string)
  return props as Record<string, string>
}

/** Whether Brook acts on the setting; the others are only reported (DescribeConfigs). */
export function extraPropertyActedOn(name: string): boolean {
  return extraPropertyDefinition(name)?.brook ?? false
}
