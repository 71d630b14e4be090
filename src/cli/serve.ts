// `brook serve`: resolve the configuration, start the broker, stop gracefully on SIGINT/SIGTERM.
import type { BrokerConfig, LogLevel } from '../config/broker-config.js'
import { parseListeners } from '../config/listeners.js'
import { resolveBrokerConfig } from '../config/resolve.js'
import { Broker } from '../broker/broker.js'
import { createLogger } from '../logger.js'
import type { ServeArgs } from './args.js'

export async function serve(args: ServeArgs, env: Record<string, string | undefined>): Promise<Broker> {
  const overrides: Partial<BrokerConfig> = {
    host: args.host,
    port: args.port,
    dataDir: args.memory ? null : args.dataDir,
    nodeId: args.nodeId,
    logLevel: args.logLevel as LogLevel | undefined,
    fsync: args.fsync ? true : undefined,
    advertisedListeners:
      args.advertisedListeners === undefined ? undefined : parseListeners(args.advertisedListeners, '--advertised-listeners'),
  }
  const resolved = resolveBrokerConfig({
    configFile: args.configFile,
    env,
    properties: Object.keys(args.overrides).length > 0 ? args.overrides : undefined,
    overrides,
  })
  const config = resolved.config
  const logger = createLogger(config.logLevel)
  for (const w of resolved.warnings) logger.warn(w)
  if (resolved.ignored.length > 0) logger.info({ ignored: resolved.ignored }, 'ignoring Kafka settings that do not apply to Brook')

  const broker = await Broker.start({ config, logger })

  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal, exiting now')
      process.exit(1)
    }
    logger.info({ signal }, 'shutting down')
    broker.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return broker
}
