// Command-line parsing for `brook` (node:util parseArgs, strict). Imports nothing heavy so that
// --help/--version and usage errors are instant.
import { parseArgs } from 'node:util'

export class UsageError extends Error {
  override name = 'UsageError'
}

export interface ServeArgs {
  command: 'serve'
  host?: string
  port?: number
  dataDir?: string
  memory: boolean
  nodeId?: number
  configFile?: string
  logLevel?: string
  fsync: boolean
  advertisedListeners?: string
  /** --override key=value (Kafka property names), in order */
  overrides: Record<string, string>
}

export type CliCommand = ServeArgs | { command: 'help' } | { command: 'version' }

export const HELP_TEXT = `Usage: brook [serve] [options]

Start a Kafka-compatible broker.

Options:
  --host HOST                   interface to listen on (default 127.0.0.1)
  -p, --port PORT               port to listen on, 0 = any free port (default 9092)
  -d, --data-dir DIR            where topics are stored (default ./data)
      --memory                  keep everything in memory (nothing written to disk)
      --node-id ID              broker node id (default 1)
  -c, --config FILE             Kafka-style server.properties file
      --override KEY=VALUE      set any supported property, e.g. --override num.partitions=3
                                (repeatable)
      --advertised-listeners L  address given to clients, e.g. PLAINTEXT://my-host:9092
                                (default: the address the client connected to)
      --fsync                   fsync before acknowledging writes
      --log-level LEVEL         fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help                    show this help
  -v, --version                 print the version

Precedence, lowest to highest: defaults, --config file, BROOK_* environment variables
(BROOK_PORT, BROOK_HOST, BROOK_DATA_DIR, BROOK_MEMORY, BROOK_LOG_LEVEL, BROOK_FSYNC,
BROOK_CONFIG, and BROOK_<KAFKA_NAME> such as BROOK_NUM_PARTITIONS), then flags.
`

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'data-dir': { type: 'string', short: 'd' },
  memory: { type: 'boolean' },
  'node-id': { type: 'string' },
  config: { type: 'string', short: 'c' },
  override: { type: 'string', multiple: true },
  'advertised-listeners': { type: 'string' },
  fsync: { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

export function parseCliArgs(argv: string[]): CliCommand {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    // parseArgs messages name the flag, e.g. "Unknown option '--prot'".
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return { command: 'help' }
  if (values.version) return { command: 'version' }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'serve')) {
    throw new UsageError(`Unknown command '${positionals.join(' ')}' (the only command is 'serve')`)
  }
  if (values.memory && values['data-dir'] !== undefined) throw new UsageError('--memory and --data-dir cannot be used together')
  return {
    command: 'serve',
    host: nonEmpty('--host', values.host),
    port: values.port === undefined ? undefined : integer('--port', values.port, 0, 65535),
    dataDir: nonEmpty('--data-dir', values['data-dir']),
    memory: values.memory === true,
    nodeId: values['node-id'] === undefined ? undefined : integer('--node-id', values['node-id'], 0, 2147483647),
    configFile: nonEmpty('--config', values.config),
    logLevel: oneOf('--log-level', values['log-level'], LOG_LEVELS),
    fsync: values.fsync === true,
    advertisedListeners: nonEmpty('--advertised-listeners', values['advertised-listeners']),
    overrides: keyValues(values.override ?? []),
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

function oneOf(flag: string, v: string | undefined, allowed: string[]): string | undefined {
  if (v !== undefined && !allowed.includes(v)) throw new UsageError(`Invalid value '${v}' for ${flag}: expected one of ${allowed.join(', ')}`)
  return v
}

function nonEmpty(flag: string, v: string | undefined): string | undefined {
  if (v !== undefined && v.trim() === '') throw new UsageError(`${flag} needs a value`)
  return v
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`Invalid value '${raw}' for ${flag}: expected an integer in [${min}, ${max}]`)
  return n
}

function keyValues(items: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw new UsageError(`Invalid --override '${item}': expected KEY=VALUE, e.g. num.partitions=3`)
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim()
  }
  return out
}
