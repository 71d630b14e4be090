// What handlers may use: the broker's modules and facts, injected through RequestContext.broker.
import type { BrokerConfig } from '../config/broker-config.js'
import type { Logger } from '../logger.js'
import type { LogManager } from '../storage/log-manager.js'
import type { DynamicBrokerConfigs } from './dynamic-configs.js'
import type { GroupCoordinator } from './group-coordinator-port.js'
import type { RequestContext } from './handler.js'
import type { ApiVersionRange } from './registry.js'

export interface BrokerServices {
  config: BrokerConfig
  logger: Logger
  logs: LogManager
  nodeId: number
  clusterId: string
  /** Host/port clients should use for this broker, as seen from this request's connection. */
  advertisedAddress(ctx: RequestContext): { host: string; port: number }
  groups: GroupCoordinator
  /** Static and dynamic broker configs under Kafka's names (AlterConfigs/DescribeConfigs on BROKER). */
  dynamicConfigs: DynamicBrokerConfigs
  now(): number
  /** The ranges ApiVersions advertises (built from the handler registry). */
  apiVersions(): readonly ApiVersionRange[]
}
