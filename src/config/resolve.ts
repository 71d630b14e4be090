// Layers configuration sources, lowest to highest:
//   defaults < server.properties file < BROOK_* env vars < explicit settings (CLI flags / embedding).
import { readFileSync } from 'node:fs'
import {
  ConfigError,
  defaultBrokerConfig,
  overlayBrokerConfig,
  parseServerProperties,
  propertiesToConfig,
  validateBrokerConfig,
  type BrokerConfig,
} from './broker-config.js'
import { envToProperties } from './env.js'

export interface ResolveConfigOptions {
  /** path of a Kafka-style server.properties file (overrides BROOK_CONFIG) */
  configFile?: string
  /** environment to read BROOK_* variables from; default: none */
  env?: Record<string, string | undefined>
  /** Kafka-named properties given explicitly (e.g. `--override key=value`) */
  properties?: Record<string, string>
  /** typed settings with the highest precedence (CLI flags, embedding options) */
  overrides?: Partial<BrokerConfig>
}

export interface ResolvedConfig {
  config: BrokerConfig
  /** Kafka properties accepted but not acted on (still reported by DescribeConfigs) */
  ignored: string[]
  /** non-fatal problems worth logging (e.g. unknown BROOK_* variables) */
  warnings: string[]
  configFile: string | undefined
}

export function resolveBrokerConfig(opts: ResolveConfigOptions = {}): ResolvedConfig {
  const warnings: string[] = []
  const ignored: string[] = []
  let config = defaultBrokerConfig()
  const env = envToProperties(opts.env ?? {})
  const configFile = opts.configFile ?? env.configFile

  if (configFile !== undefined) {
    let text: string
    try {
      text = readFileSync(configFile, 'utf8')
    } catch (err) {
      throw new ConfigError('--config', `Cannot read config file ${configFile}: ${(err as Error).message}`)
    }
    const fromFile = propertiesToConfig(parseServerProperties(text), { source: configFile })
    config = overlayBrokerConfig(config, fromFile.values)
    ignored.push(...fromFile.ignored)
  }

  // Env vars are applied one by one so an error names the variable, not the property.
  for (const [key, value] of Object.entries(env.props)) {
    const fromEnv = propertiesToConfig({ [key]: value }, { source: `environment variable ${env.sources[key]}` })
    config = overlayBrokerConfig(config, fromEnv.values)
    ignored.push(...fromEnv.ignored)
  }
  for (const name of env.unknown) warnings.push(`Ignoring unknown environment variable ${name}`)

  if (opts.properties) {
    const fromProps = propertiesToConfig(opts.properties, { source: '--override' })
    config = overlayBrokerConfig(config, fromProps.values)
    ignored.push(...fromProps.ignored)
  }
  if (opts.overrides) config = overlayBrokerConfig(config, definedOnly(opts.overrides))
  return { config: validateBrokerConfig(config), ignored, warnings, configFile }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}
