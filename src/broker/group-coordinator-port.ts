// Where the broker meets the group coordinator (src/coordinator, coordinator engineer): the type
// handlers see as ctx.broker.groups, and how the broker opens one.
import type { BrokerConfig } from '../config/broker-config.js'
import { createGroupCoordinator } from '../coordinator/create.js'
import type { GroupCoordinator } from '../coordinator/index.js'
import type { Logger } from '../logger.js'
import type { LogManager } from '../storage/log-manager.js'

export type { GroupCoordinator } from '../coordinator/index.js'

export interface OpenGroupCoordinatorOptions {
  config: BrokerConfig
  logs: LogManager
  logger: Logger
  now: () => number
}

/** Opens the coordinator on the internal offsets topic and replays it (before the listener opens). */
export function openGroupCoordinator(opts: OpenGroupCoordinatorOptions): Promise<GroupCoordinator> {
  return createGroupCoordinator({
    logs: opts.logs,
    config: opts.config,
    logger: opts.logger.child({ module: 'groups' }),
    now: opts.now,
  })
}
