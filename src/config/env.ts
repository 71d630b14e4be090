// BROOK_* environment variables -> property names.
//
// Mapping: drop the BROOK_ prefix, lower-case, `_` -> `.`; the result is looked up as a Kafka
// name first, then as `brook.<name>`. Examples:
//   BROOK_HOST=0.0.0.0             -> brook.host         (bind address)
//   BROOK_PORT=9093                -> brook.port
//   BROOK_DATA_DIR=/var/lib/brook  -> brook.data.dir
//   BROOK_MEMORY=true              -> brook.memory       (memory-only storage)
//   BROOK_FSYNC=true               -> brook.fsync
//   BROOK_LOG_LEVEL=debug          -> brook.log.level
//   BROOK_NODE_ID=2                -> node.id
//   BROOK_NUM_PARTITIONS=3         -> num.partitions
//   BROOK_ADVERTISED_LISTENERS=PLAINTEXT://my-host:9092 -> advertised.listeners
//   BROOK_LOG_CLEANUP_POLICY=compact -> log.cleanup.policy (a catalogue config, see extra-properties.ts)
//   BROOK_LOG_SEGMENT_BYTES, BROOK_AUTO_CREATE_TOPICS_ENABLE, ... likewise for every Kafka name.
//   BROOK_CONFIG=/etc/brook/server.properties -> the properties file (when --config is not given)
import { extraPropertyDefinition } from './extra-properties.js'
import { findProperty } from './properties.js'

export const ENV_PREFIX = 'BROOK_'
export const CONFIG_FILE_ENV = 'BROOK_CONFIG'

export interface EnvProperties {
  /** property name -> value */
  props: Record<string, string>
  /** property name -> the variable it came from (for error messages) */
  sources: Record<string, string>
  /** BROOK_* variables that name no setting */
  unknown: string[]
  configFile: string | undefined
}

export function envToProperties(env: Record<string, string | undefined>): EnvProperties {
  const props: Record<string, string> = {}
  const sources: Record<string, string> = {}
  const unknown: string[] = []
  let configFile: string | undefined
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue
    if (name === CONFIG_FILE_ENV) {
      configFile = value
      continue
    }
    const key = envNameToProperty(name)
    if (key === undefined) {
      unknown.push(name)
      continue
    }
    props[key] = value
    sources[key] = name
  }
  return { props, sources, unknown, configFile }
}

export function envNameToProperty(name: string): string | undefined {
  const dotted = name.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '.')
  if (findProperty(dotted) || extraPropertyDefinition(dotted)) return dotted
  if (findProperty(`brook.${dotted}`)) return `brook.${dotted}`
  return undefined
}
