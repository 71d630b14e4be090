// Broker lifecycle: open storage and the group coordinator, listen; stop gracefully.
import type { BrokerConfig } from '../config/broker-config.js'
import { formatHostPort } from '../config/listeners.js'
import { handlers as defaultHandlers } from '../handlers/index.js'
import { silentLogger, type Logger } from '../logger.js'
import { NetworkServer } from '../network/server.js'
import { LogManager } from '../storage/log-manager.js'
import { advertisedAddress } from './advertised.js'
import { Dispatcher } from './dispatcher.js'
import { DynamicBrokerConfigs } from './dynamic-configs.js'
import { openGroupCoordinator, type GroupCoordinator } from './group-coordinator-port.js'
import type { ApiHandler } from './handler.js'
import { HandlerRegistry } from './registry.js'
import type { BrokerServices } from './services.js'

export interface BrokerStartOptions {
  config: BrokerConfig
  logger?: Logger
  /** defaults to every handler in src/handlers/index.ts */
  handlers?: readonly ApiHandler[]
  /** injected clock (ms since epoch) */
  now?: () => number
}

export interface BrokerStopOptions {
  /** how long in-flight requests may take before connections are closed (default 5000 ms) */
  timeoutMs?: number
}

export class Broker implements AsyncDisposable {
  private stopping: Promise<void> | null = null

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    readonly services: BrokerServices,
    private readonly server: NetworkServer,
    private readonly address: { host: string; port: number },
    /** Stops forwarding dynamic broker config changes to storage. */
    private readonly detachConfigs: () => void,
  ) {}

  static async start(opts: BrokerStartOptions): Promise<Broker> {
    const config = opts.config
    const logger = opts.logger ?? silentLogger()
    const now = opts.now ?? Date.now
    const registry = new HandlerRegistry(opts.handlers ?? defaultHandlers)
    // Dynamic broker configs (AlterConfigs on BROKER resources) persisted in the data dir.
    const dynamicConfigs = await DynamicBrokerConfigs.load({ dataDir: config.dataDir, config, logger })
    // Topics default to the broker's Kafka-named configs (static, then dynamic layers), now and
    // after every AlterConfigs on the broker.
    const logs = await LogManager.open({ dataDir: config.dataDir, config, logger, now, brokerConfigLayers: dynamicConfigs.layers() })
    const detachConfigs = dynamicConfigs.onChange((layers) => logs.setBrokerConfigLayers(layers))
    let server: NetworkServer | undefined
    let groups: GroupCoordinator | undefined
    try {
      groups = await openGroupCoordinator({ config, logs, logger, now })
      const services: BrokerServices = {
        config,
        logger,
        logs,
        nodeId: config.nodeId,
        // generated on first start and kept in meta.properties by storage
        clusterId: logs.clusterId,
        advertisedAddress: (ctx) => advertisedAddress(config, ctx.connection),
        groups,
        dynamicConfigs,
        now,
        apiVersions: () => registry.apiVersions(),
      }
      const dispatcher = new Dispatcher({ registry, services, logger })
      server = new NetworkServer({
        host: config.host,
        port: config.port,
        maxRequestBytes: config.socketRequestMaxBytes,
        idleTimeoutMs: config.connectionsMaxIdleMs,
        processor: dispatcher.process,
        logger,
      })
      const address = await server.listen()
      const broker = new Broker(config, logger, services, server, address, detachConfigs)
      logger.info(
        { nodeId: config.nodeId, clusterId: services.clusterId, listener: formatHostPort(address.host, address.port), dataDir: config.dataDir ?? '(memory)' },
        'Brook started',
      )
      return broker
    } catch (err) {
      detachConfigs()
      await server?.stop({ timeoutMs: 0 }).catch(() => {})
      await groups?.close().catch(() => {})
      await logs.close().catch(() => {})
      throw err
    }
  }

  /** The address the listener is bound to. */
  get host(): string {
    return this.address.host
  }

  get port(): number {
    return this.address.port
  }

  /** host:port for clients on this machine (a wildcard bind address becomes loopback). */
  get bootstrap(): string {
    return formatHostPort(loopbackFor(this.address.host), this.address.port)
  }

  get dataDir(): string | null {
    return this.config.dataDir
  }

  get clusterId(): string {
    return this.services.clusterId
  }

  get connectionCount(): number {
    return this.server.connectionCount
  }

  /** Stops accepting, finishes in-flight requests (until the deadline), then closes storage. Idempotent. */
  stop(opts: BrokerStopOptions = {}): Promise<void> {
    this.stopping ??= this.doStop(opts)
    return this.stopping
  }

  private async doStop(opts: BrokerStopOptions): Promise<void> {
    // Stop taking requests first, then close the coordinator: parked JoinGroup/SyncGroup
    // long-polls are answered at once (NOT_COORDINATOR) instead of holding the deadline.
    const serverStopped = this.server.stop({ timeoutMs: opts.timeoutMs ?? 5000 })
    await this.services.groups.close()
    await serverStopped
    this.detachConfigs()
    await this.services.logs.close()
    this.logger.info('Brook stopped')
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }
}

function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '::1'
  return host
}
