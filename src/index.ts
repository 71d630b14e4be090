// Embedding API: start a Brook broker inside a Node process (tests, dev servers).
//
//   import { startBroker } from 'brook'
//   await using broker = await startBroker()          // memory-only, random port
//   const kafka = new Kafka({ brokers: [broker.bootstrap] })
//
// Defaults differ from the `brook` command on purpose: port 0 (a free port, so parallel test
// files never collide) and memory-only storage (fast, nothing left behind) unless `dataDir` is
// given. BROOK_* environment variables are not read here; pass `config` instead.
import { Broker } from './broker/broker.js'
import { defaultBrokerConfig, validateBrokerConfig, type BrokerConfig, type LogLevel } from './config/broker-config.js'
import { createLogger, type Logger } from './logger.js'

export { Broker } from './broker/broker.js'
export type { BrokerStopOptions, BrokerStartOptions } from './broker/broker.js'
export type { BrokerConfig, ListenerAddress, LogLevel } from './config/broker-config.js'
export { ConfigError, defaultBrokerConfig } from './config/broker-config.js'
export type { Logger } from './logger.js'

export interface StartBrokerOptions {
  /** port to listen on; 0 (default) picks a free port, see `broker.port` */
  port?: number
  /** interface to listen on (default 127.0.0.1) */
  host?: string
  /** directory for topic data; null/undefined (default) = memory-only storage */
  dataDir?: string | null
  /** any other setting (camelCase BrokerConfig fields); host/port/dataDir above win */
  config?: Partial<BrokerConfig>
  /** default 'warn'; ignored when `logger` is given */
  logLevel?: LogLevel
  /** a pino logger to use instead of creating one */
  logger?: Logger
  /** injected clock (ms since epoch), for tests */
  now?: () => number
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<Broker> {
  const config = validateBrokerConfig({
    ...defaultBrokerConfig(),
    port: 0,
    dataDir: null,
    logLevel: 'warn',
    ...withoutUndefined(opts.config ?? {}),
    ...(opts.logLevel !== undefined ? { logLevel: opts.logLevel } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
  })
  const logger = opts.logger ?? createLogger(config.logLevel)
  return Broker.start({ config, logger, now: opts.now })
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
