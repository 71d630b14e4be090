// How the broker builds its group coordinator: the group log on the internal topic, the
// broker's group settings, started (replayed) before the listener accepts requests.
import { GroupCoordinator, groupCoordinatorConfigFrom } from './group-coordinator.js'
import type { GroupLogger } from './group-machine.js'
import { LogBackedGroupLog, type GroupLogTopics } from './log-backed-group-log.js'
import { SystemTimer } from './timer.js'
import type { GroupCoordinatorConfig } from './types.js'

export interface CreateGroupCoordinatorOptions {
  logs: GroupLogTopics                      // the broker's LogManager
  config: Partial<Pick<GroupCoordinatorConfig, 'groupInitialRebalanceDelayMs' | 'groupMinSessionTimeoutMs' |
    'groupMaxSessionTimeoutMs' | 'groupMaxSize' | 'offsetsRetentionMinutes'>>   // the BrokerConfig
  logger?: GroupLogger
  now?: () => number
}

export async function createGroupCoordinator(opts: CreateGroupCoordinatorOptions): Promise<GroupCoordinator> {
  const now = opts.now ?? Date.now
  const log = await LogBackedGroupLog.open(opts.logs, { now })
  const logger = opts.logger
  const coordinator = new GroupCoordinator({
    log,
    config: groupCoordinatorConfigFrom(opts.config),
    timer: new SystemTimer(now, (err) => logger?.warn({ err: String(err) }, 'group timer task failed')),
    logger,
  })
  await coordinator.start()
  return coordinator
}
