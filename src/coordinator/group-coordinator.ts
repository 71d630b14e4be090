// The group coordinator the handlers call: one synchronous state machine (GroupMachine)
// driven by requests and timers, committed offsets in memory, and every change written as
// records to the group log, which is replayed by start(). Methods are async only because
// JoinGroup/SyncGroup are long-polls and because answers that depend on a write wait for
// the append.
import { randomUUID } from 'node:crypto'
import { ClassicGroup, ClassicGroupMember } from './classic-group.js'
import { GroupErrorCode } from './error-codes.js'
import { cleanupGroupMetadata, deleteGroups, describeGroup, listGroups, removeOffsetsOfTopic } from './group-admin.js'
import type { GroupLog } from './group-log.js'
import { GroupMachine, joinError, type GroupLogger } from './group-machine.js'
import { GroupState } from './group-state.js'
import { joinGroup } from './join-group.js'
import { OffsetStore } from './offset-store.js'
import { commitOffsets, deleteOffsets, fetchOffsets, type OffsetsContext } from './offsets.js'
import { decodeGroupRecord, type GroupLogRecord, type GroupMetadataValue } from './records.js'
import { heartbeat, leaveGroup, syncGroup } from './sync-group.js'
import { SystemTimer, type CoordinatorTimer } from './timer.js'
import {
  defaultGroupCoordinatorConfig, type DeleteGroupsResult, type DescribedGroup, type GroupCoordinatorConfig, type HeartbeatRequest,
  type HeartbeatResult, type JoinGroupRequest, type JoinGroupResult, type LeaveGroupRequest, type LeaveGroupResult,
  type ListGroupsRequest, type ListGroupsResult, type OffsetCommitRequest, type OffsetCommitResult, type OffsetDeleteRequest,
  type OffsetDeleteResult, type OffsetFetchGroupRequest, type OffsetFetchGroupResult, type SyncGroupRequest, type SyncGroupResult,
} from './types.js'

// Broker-side instrumentation (benchmarks, tests, metrics). Times come from the timer's clock.
export interface GroupCoordinatorObserver {
  joinReceived?(e: { groupId: string; memberId: string; timeMs: number }): void
  joinAnswered?(e: { groupId: string; memberId: string; errorCode: number; generationId: number; timeMs: number }): void
  syncAnswered?(e: { groupId: string; memberId: string; errorCode: number; timeMs: number }): void
}

export interface GroupCoordinatorOptions {
  log: GroupLog
  config?: Partial<GroupCoordinatorConfig>
  timer?: CoordinatorTimer
  newUuid?: () => string
  logger?: GroupLogger
}

const EXPIRATION_KEY = 'expire-group-metadata'
const silentLogger: GroupLogger = { info() {}, warn() {}, debug() {} }

// Reads the broker's config fields (BrokerConfig names) that concern groups.
export function groupCoordinatorConfigFrom(c: Partial<Pick<GroupCoordinatorConfig,
  'groupInitialRebalanceDelayMs' | 'groupMinSessionTimeoutMs' | 'groupMaxSessionTimeoutMs' | 'groupMaxSize' | 'offsetsRetentionMinutes'>>): Partial<GroupCoordinatorConfig> {
  const out: Partial<GroupCoordinatorConfig> = {}
  for (const k of ['groupInitialRebalanceDelayMs', 'groupMinSessionTimeoutMs', 'groupMaxSessionTimeoutMs', 'groupMaxSize', 'offsetsRetentionMinutes'] as const) {
    if (typeof c[k] === 'number') out[k] = c[k]
  }
  return out
}

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig
  observer: GroupCoordinatorObserver | null = null
  private readonly log: GroupLog
  private readonly timer: CoordinatorTimer
  private readonly logger: GroupLogger
  private readonly machine: GroupMachine
  private readonly store = new OffsetStore()
  private readonly ctx: OffsetsContext
  private lastWrite: Promise<void> = Promise.resolve()
  private status: 'loading' | 'active' | 'closed' = 'loading'

  constructor(opts: GroupCoordinatorOptions) {
    this.config = { ...defaultGroupCoordinatorConfig(), ...opts.config }
    this.log = opts.log
    this.logger = opts.logger ?? silentLogger
    this.timer = opts.timer ?? new SystemTimer(Date.now, (err) => this.logger.warn({ err: String(err) }, 'group timer task failed'))
    this.machine = new GroupMachine(this.config, this.timer, (records) => this.persist(records), opts.newUuid ?? randomUUID, this.logger)
    this.ctx = { machine: this.machine, store: this.store }
  }

  // Replays the group log, then resumes sessions of the loaded members and the expiry job.
  async start(): Promise<void> {
    let count = 0
    await this.log.replay((record) => { this.replay(record); count++ })
    for (const group of this.machine.groups.values()) {
      for (const member of group.members.values()) this.machine.rescheduleHeartbeat(group, member)
      if (group.numMembers > this.config.groupMaxSize) this.machine.prepareRebalance(group, 'loaded group is over group.max.size')
    }
    this.scheduleExpiration()
    this.status = 'active'
    this.logger.info({ records: count, groups: this.machine.groups.size }, 'group coordinator loaded')
  }

  async close(): Promise<void> {
    if (this.status === 'closed') return
    this.status = 'closed'
    this.machine.unloadAll()
    await this.lastWrite
    await this.log.close()
  }

  // ---- membership -------------------------------------------------------------------

  joinGroup(req: JoinGroupRequest): Promise<JoinGroupResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return Promise.resolve(joinError(req.memberId, unavailable))
    this.observer?.joinReceived?.({ groupId: req.groupId, memberId: req.memberId, timeMs: this.timer.now() })
    return new Promise((resolve, reject) => {
      try {
        joinGroup(this.machine, req, (result) => {
          this.observer?.joinAnswered?.({ groupId: req.groupId, memberId: result.memberId, errorCode: result.errorCode, generationId: result.generationId, timeMs: this.timer.now() })
          resolve(result)
        })
      } catch (err) {
        reject(err)
      }
    })
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return Promise.resolve({ errorCode: unavailable, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) })
    return new Promise((resolve, reject) => {
      try {
        syncGroup(this.machine, req, (result) => {
          this.observer?.syncAnswered?.({ groupId: req.groupId, memberId: req.memberId, errorCode: result.errorCode, timeMs: this.timer.now() })
          resolve(result)
        })
      } catch (err) {
        reject(err)
      }
    })
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return { errorCode: unavailable }
    return heartbeat(this.machine, req)
  }

  async leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return { errorCode: unavailable, members: [] }
    return leaveGroup(this.machine, req)
  }

  // ---- offsets ----------------------------------------------------------------------

  async commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) {
      return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: unavailable })) })) }
    }
    return commitOffsets(this.ctx, req)
  }

  // requireStable: answer only from offsets whose writes have completed. Without
  // transactions there is never a pending transactional offset, so no UNSTABLE_OFFSET_COMMIT.
  async fetchOffsets(groups: OffsetFetchGroupRequest[], opts: { requireStable: boolean } = { requireStable: false }): Promise<OffsetFetchGroupResult[]> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return groups.map((g) => ({ groupId: g.groupId, errorCode: unavailable, topics: [] }))
    if (opts.requireStable) await this.lastWrite
    return groups.map((g) => fetchOffsets(this.ctx, g))
  }

  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return { errorCode: unavailable, topics: [] }
    return deleteOffsets(this.ctx, req)
  }

  // ---- administration ---------------------------------------------------------------

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) {
      return groupIds.map((groupId) => ({ groupId, errorCode: unavailable, groupState: '', protocolType: '', protocolData: '', members: [] }))
    }
    return groupIds.map((id) => describeGroup(this.ctx, id))
  }

  async listGroups(req: ListGroupsRequest = { statesFilter: [], typesFilter: [] }): Promise<ListGroupsResult> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return { errorCode: unavailable, groups: [] }
    return listGroups(this.ctx, req)
  }

  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    const unavailable = this.unavailableCode()
    if (unavailable !== null) return groupIds.map((groupId) => ({ groupId, errorCode: unavailable }))
    return deleteGroups(this.ctx, groupIds)
  }

  // Called by the topic-deletion path: the topic's committed offsets are removed.
  async onTopicDeleted(topic: string): Promise<void> {
    if (this.status !== 'active') return
    await removeOffsetsOfTopic(this.ctx, topic)
  }

  // Runs the offsets.retention.minutes expiry now (it also runs on its own timer).
  async expireGroupMetadata(): Promise<number> {
    return cleanupGroupMetadata(this.ctx)
  }

  // Test and instrumentation view of a group's state, or undefined.
  groupState(groupId: string): GroupState | undefined {
    return this.machine.groups.get(groupId)?.state
  }

  // ---- internals --------------------------------------------------------------------

  private unavailableCode(): number | null {
    if (this.status === 'loading') return GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS
    if (this.status === 'closed') return GroupErrorCode.NOT_COORDINATOR
    return null
  }

  // Appends resolve in order, so the latest append settling means every earlier one has.
  private persist(records: GroupLogRecord[]): Promise<void> {
    const write = this.log.append(records)
    this.lastWrite = write.then(() => undefined, () => undefined)
    return write
  }

  private scheduleExpiration(): void {
    this.timer.schedule(EXPIRATION_KEY, this.config.offsetsRetentionCheckIntervalMs, () => {
      cleanupGroupMetadata(this.ctx)
        .catch((err) => this.logger.warn({ err: String(err) }, 'group metadata expiry failed'))
        .finally(() => { if (this.status === 'active') this.scheduleExpiration() })
    })
  }

  private replay(record: GroupLogRecord): void {
    const decoded = decodeGroupRecord(record.key, record.value)
    if (decoded === null) return
    const groups = this.machine.groups
    if (decoded.type === 'offset') {
      if (decoded.value === null) {
        this.store.remove(decoded.groupId, decoded.topic, decoded.partition)
      } else {
        // Offsets without a group record belong to a simple group.
        this.machine.getOrCreateGroup(decoded.groupId)
        this.store.put(decoded.groupId, decoded.topic, decoded.partition, decoded.value)
      }
    } else if (decoded.value === null) {
      groups.delete(decoded.groupId)
    } else {
      groups.set(decoded.groupId, this.loadGroup(decoded.groupId, decoded.value))
    }
  }

  private loadGroup(groupId: string, v: GroupMetadataValue): ClassicGroup {
    const group = new ClassicGroup(groupId, () => this.timer.now(), {
      state: v.members.length > 0 ? GroupState.STABLE : GroupState.EMPTY,
      generationId: v.generationId,
      protocolType: v.protocolType === '' ? null : v.protocolType,
      protocolName: v.protocolName,
      leaderId: v.leader,
      currentStateTimestampMs: v.currentStateTimestampMs,
    })
    for (const m of v.members) {
      group.add(new ClassicGroupMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs,
        m.sessionTimeoutMs, v.protocolType ?? '', m.protocols, m.assignment))
    }
    group.subscribedTopics = group.computeSubscribedTopics()
    return group
  }
}
