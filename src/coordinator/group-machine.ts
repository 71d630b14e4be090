// The rebalance core of the classic group protocol, shared by the JoinGroup, SyncGroup,
// Heartbeat and LeaveGroup paths (join-group.ts, sync-group.ts, heartbeat-leave.ts).
// Every method is synchronous: it mutates the group, schedules timers and answers parked
// requests through their callbacks. The only asynchronous step is a log append, whose
// continuation re-checks the group before acting (as Kafka's append futures do).
import { ClassicGroup, type ClassicGroupMember } from './classic-group.js'
import { GroupErrorCode, appendErrorToResponseError } from './error-codes.js'
import { GroupLogAppendError } from './group-log.js'
import { GroupState } from './group-state.js'
import { groupMetadataRecord, type GroupLogRecord, type GroupMetadataValue } from './records.js'
import type { CoordinatorTimer } from './timer.js'
import type { GroupCoordinatorConfig, JoinGroupResult } from './types.js'

export interface GroupLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

const EMPTY_BUFFER = Buffer.alloc(0)
const SEP = '\u0000'

export function heartbeatKey(groupId: string, memberId: string): string { return `heartbeat${SEP}${groupId}${SEP}${memberId}` }
export function joinKey(groupId: string): string { return `join${SEP}${groupId}` }
export function syncKey(groupId: string): string { return `sync${SEP}${groupId}` }

export function errorToAppendCode(err: unknown): number {
  return err instanceof GroupLogAppendError ? appendErrorToResponseError(err.errorCode) : GroupErrorCode.UNKNOWN_SERVER_ERROR
}

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] }
}

export function groupMetadataValue(group: ClassicGroup, assignment: Map<string, Buffer>): GroupMetadataValue {
  return {
    protocolType: group.protocolType,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leader: group.leaderId,
    currentStateTimestampMs: group.currentStateTimestampMs,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs,
      protocols: m.supportedProtocols, assignment: assignment.get(m.memberId) ?? EMPTY_BUFFER,
    })),
  }
}

export class GroupMachine {
  readonly groups = new Map<string, ClassicGroup>()

  constructor(
    readonly config: GroupCoordinatorConfig,
    readonly timer: CoordinatorTimer,
    readonly persist: (records: GroupLogRecord[]) => Promise<void>,
    readonly newUuid: () => string,
    readonly logger: GroupLogger,
  ) {}

  now(): number { return this.timer.now() }

  getOrCreateGroup(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId)
    if (!group) {
      group = new ClassicGroup(groupId, () => this.timer.now())
      this.groups.set(groupId, group)
    }
    return group
  }

  // A timer continuation only acts on the group object it was scheduled for.
  isCurrent(group: ClassicGroup): boolean { return this.groups.get(group.groupId) === group }

  persistGroup(group: ClassicGroup, assignment: Map<string, Buffer>): Promise<void> {
    return this.persist([groupMetadataRecord(group.groupId, groupMetadataValue(group, assignment))])
  }

  // ---- heartbeats -------------------------------------------------------------------

  rescheduleHeartbeat(group: ClassicGroup, member: ClassicGroupMember, timeoutMs = member.sessionTimeoutMs): void {
    const memberId = member.memberId
    this.timer.schedule(heartbeatKey(group.groupId, memberId), timeoutMs, () => this.expireHeartbeat(group, memberId))
  }

  schedulePendingMemberExpiry(group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    this.timer.schedule(heartbeatKey(group.groupId, memberId), sessionTimeoutMs, () => this.expireHeartbeat(group, memberId))
  }

  private expireHeartbeat(group: ClassicGroup, memberId: string): void {
    if (!this.isCurrent(group) || group.is(GroupState.DEAD)) return
    if (group.isPendingMember(memberId)) {
      this.logger.info({ groupId: group.groupId, memberId }, 'pending member expired before rejoining')
      group.remove(memberId)
      if (group.is(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) this.completeJoin(group)
      return
    }
    const member = group.member(memberId)
    if (!member || member.hasSatisfiedHeartbeat()) return
    this.logger.info({ groupId: group.groupId, memberId }, 'member session expired, removing it from the group')
    this.removeMemberAndUpdateGroup(group, member, 'session timeout')
  }

  removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicGroupMember, reason: string): void {
    // A new member may still be parked in JoinGroup: answer it so the client rejoins.
    group.completeJoin(member, joinError('', GroupErrorCode.UNKNOWN_MEMBER_ID))
    group.remove(member.memberId)
    this.timer.cancel(heartbeatKey(group.groupId, member.memberId))
    if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)) {
      this.maybePrepareRebalanceOrCompleteJoin(group, reason)
    } else if (group.is(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
      this.completeJoin(group)
    }
  }

  // ---- join phase -------------------------------------------------------------------

  maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason)
    else this.maybeCompleteJoinPhase(group)
  }

  maybeCompleteJoinPhase(group: ClassicGroup): void {
    if (!group.is(GroupState.PREPARING_REBALANCE)) return
    // The initial rebalance completes on its delay timer, never early.
    if (group.previousState === GroupState.EMPTY) return
    if (!group.hasAllMembersJoined()) return
    this.completeJoin(group)
  }

  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is(GroupState.COMPLETING_REBALANCE)) this.resetAndPropagateAssignmentWithError(group, GroupErrorCode.REBALANCE_IN_PROGRESS)
    group.pendingSyncMembers.clear()
    this.timer.cancel(syncKey(group.groupId))

    const isInitialRebalance = group.is(GroupState.EMPTY)
    if (isInitialRebalance) {
      const delayMs = this.config.groupInitialRebalanceDelayMs
      const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0)
      this.timer.schedule(joinKey(group.groupId), delayMs, () => this.tryCompleteInitialRebalance(group, delayMs, remainingMs))
    }
    group.transitionTo(GroupState.PREPARING_REBALANCE)
    this.logger.info({ groupId: group.groupId, generationId: group.generationId, reason }, 'preparing to rebalance group')
    if (!isInitialRebalance) this.maybeCompleteJoinElseSchedule(group)
  }

  private maybeCompleteJoinElseSchedule(group: ClassicGroup): void {
    if (group.hasAllMembersJoined()) {
      this.completeJoin(group)
    } else {
      this.timer.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => {
        if (this.isCurrent(group)) this.completeJoin(group)
      })
    }
  }

  // group.initial.rebalance.delay.ms: each new member during the initial rebalance extends
  // the wait by another delay, bounded by the rebalance timeout.
  private tryCompleteInitialRebalance(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    if (!this.isCurrent(group)) return
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false
      const newDelayMs = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs)
      const newRemainingMs = Math.max(remainingMs - delayMs, 0)
      this.timer.schedule(joinKey(group.groupId), newDelayMs, () => this.tryCompleteInitialRebalance(group, newDelayMs, newRemainingMs))
    } else {
      this.completeJoin(group)
    }
  }

  // Ends the join phase: drops dynamic members that did not rejoin, starts the next
  // generation and answers every parked JoinGroup (the leader gets the member list).
  completeJoin(group: ClassicGroup): void {
    this.timer.cancel(joinKey(group.groupId))
    if (!group.is(GroupState.PREPARING_REBALANCE)) return
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue
      group.remove(m.memberId)
      this.timer.cancel(heartbeatKey(group.groupId, m.memberId))
    }
    if (!group.maybeElectNewJoinedLeader() && group.numMembers > 0) {
      // Only static members that have not rejoined are left: wait for them or their session timeouts.
      this.timer.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => {
        if (this.isCurrent(group)) this.completeJoin(group)
      })
      return
    }
    group.initNextGeneration()
    if (group.is(GroupState.EMPTY)) {
      this.logger.info({ groupId: group.groupId, generationId: group.generationId }, 'group is now empty')
      this.persistGroup(group, new Map()).catch((err) => {
        this.logger.warn({ groupId: group.groupId, err: String(err) }, 'failed to write empty group metadata')
      })
      return
    }
    this.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.numMembers }, 'group completed its join phase')
    const leaderMembers = group.currentMembersForLeader()
    for (const member of [...group.members.values()]) {
      const result: JoinGroupResult = {
        errorCode: GroupErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        skipAssignment: false,
        memberId: member.memberId,
        members: group.isLeader(member.memberId) ? leaderMembers : [],
      }
      group.completeJoin(member, result)
      this.rescheduleHeartbeat(group, member)
      member.isNew = false
      group.pendingSyncMembers.add(member.memberId)
    }
    this.schedulePendingSync(group)
  }

  // ---- sync phase -------------------------------------------------------------------

  private schedulePendingSync(group: ClassicGroup): void {
    const generationId = group.generationId
    this.timer.schedule(syncKey(group.groupId), group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generationId))
  }

  // Members that got their JoinGroup answer but never sent SyncGroup within the
  // rebalance timeout are removed, and the group rebalances without them.
  private expirePendingSync(group: ClassicGroup, generationId: number): void {
    if (!this.isCurrent(group) || generationId !== group.generationId) return
    if (!group.is(GroupState.COMPLETING_REBALANCE) && !group.is(GroupState.STABLE)) return
    if (group.pendingSyncMembers.size === 0) return
    const expired = [...group.pendingSyncMembers]
    for (const memberId of expired) {
      group.remove(memberId)
      this.timer.cancel(heartbeatKey(group.groupId, memberId))
    }
    this.logger.info({ groupId: group.groupId, members: expired }, 'removed members that did not send SyncGroup')
    this.prepareRebalance(group, 'pending sync expired')
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    const allSynced = group.pendingSyncMembers.size === 0
    if (!(group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.STABLE)) || allSynced) {
      this.timer.cancel(syncKey(group.groupId))
    }
  }

  resetAndPropagateAssignmentWithError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_BUFFER
    this.propagateAssignment(group, errorCode)
  }

  setAndPropagateAssignment(group: ClassicGroup, assignment: Map<string, Buffer>): void {
    for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BUFFER
    this.propagateAssignment(group, GroupErrorCode.NONE)
  }

  private propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === GroupErrorCode.NONE
    for (const member of group.members.values()) {
      const answered = group.completeSync(member, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: member.assignment,
      })
      // A session that expired while the member waited for the assignment was ignored,
      // so its heartbeat expectation starts again now.
      if (answered) this.rescheduleHeartbeat(group, member)
    }
  }

  // ---- shutdown ---------------------------------------------------------------------

  // Answers every parked request (the coordinator is going away) and forgets all groups.
  unloadAll(): void {
    for (const group of this.groups.values()) {
      for (const m of [...group.members.values()]) {
        group.completeJoin(m, joinError(m.memberId, GroupErrorCode.NOT_COORDINATOR))
        group.completeSync(m, { errorCode: GroupErrorCode.NOT_COORDINATOR, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER })
      }
      if (!group.is(GroupState.DEAD)) group.transitionTo(GroupState.DEAD)
    }
    this.groups.clear()
    this.timer.cancelAll()
  }
}
