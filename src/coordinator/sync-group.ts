// SyncGroup, Heartbeat and LeaveGroup for classic groups (Kafka's GroupMetadataManager
// classic paths). The leader's SyncGroup is answered, with every follower parked on it,
// only once the assignment is written to the group log.
import type { ClassicGroup, ClassicGroupMember } from './classic-group.js'
import { GroupErrorCode } from './error-codes.js'
import { errorToAppendCode, heartbeatKey, joinError, type GroupMachine } from './group-machine.js'
import { GroupState } from './group-state.js'
import { validateMember } from './join-group.js'
import type { HeartbeatRequest, HeartbeatResult, LeaveGroupRequest, LeaveGroupResult, SyncGroupRequest, SyncGroupResult } from './types.js'

const EMPTY_BUFFER = Buffer.alloc(0)

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER }
}

// Both given and different; a null on either side is not a mismatch.
function isProtocolInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current
}

export function syncGroup(machine: GroupMachine, req: SyncGroupRequest, respond: (r: SyncGroupResult) => void): void {
  if (req.groupId === '') return respond(syncError(GroupErrorCode.INVALID_GROUP_ID))
  const group = machine.groups.get(req.groupId)
  if (!group || group.isEmpty) return respond(syncError(GroupErrorCode.UNKNOWN_MEMBER_ID))
  if (group.is(GroupState.DEAD)) return respond(syncError(GroupErrorCode.COORDINATOR_NOT_AVAILABLE))
  const validation = validateMember(group, req.memberId, req.groupInstanceId)
  if (validation !== GroupErrorCode.NONE) return respond(syncError(validation))
  if (req.generationId !== group.generationId) return respond(syncError(GroupErrorCode.ILLEGAL_GENERATION))
  if (isProtocolInconsistent(req.protocolType, group.protocolType) || isProtocolInconsistent(req.protocolName, group.protocolName)) {
    return respond(syncError(GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  }
  const member = group.member(req.memberId) as ClassicGroupMember

  switch (group.state) {
    case GroupState.PREPARING_REBALANCE:
      return respond(syncError(GroupErrorCode.REBALANCE_IN_PROGRESS))
    case GroupState.COMPLETING_REBALANCE:
      // A duplicate SyncGroup replaces the earlier one, which is told to rejoin.
      member.awaitingSync?.(syncError(GroupErrorCode.REBALANCE_IN_PROGRESS))
      member.awaitingSync = respond
      machine.removePendingSyncMember(group, req.memberId)
      if (group.isLeader(req.memberId)) completeSyncWithLeaderAssignment(machine, group, req)
      return
    case GroupState.STABLE:
      // Already stable (e.g. a follower syncing after the leader): the stored assignment.
      machine.removePendingSyncMember(group, req.memberId)
      return respond({ errorCode: GroupErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment })
    default:
      return respond(syncError(GroupErrorCode.UNKNOWN_MEMBER_ID))
  }
}

function completeSyncWithLeaderAssignment(machine: GroupMachine, group: ClassicGroup, req: SyncGroupRequest): void {
  const assignment = new Map<string, Buffer>()
  for (const a of req.assignments) assignment.set(a.memberId, a.assignment)
  const missing: string[] = []
  for (const m of group.members.values()) {
    if (!assignment.has(m.memberId)) { assignment.set(m.memberId, EMPTY_BUFFER); missing.push(m.memberId) }
  }
  if (missing.length > 0) machine.logger.warn({ groupId: group.groupId, members: missing }, 'leader sent no assignment for some members')
  const generationId = group.generationId
  machine.persistGroup(group, assignment).then(() => {
    // Another member may have joined while the write was in flight.
    if (!machine.isCurrent(group) || !group.is(GroupState.COMPLETING_REBALANCE) || group.generationId !== generationId) return
    machine.setAndPropagateAssignment(group, assignment)
    group.transitionTo(GroupState.STABLE)
  }, (err) => {
    if (!machine.isCurrent(group) || !group.is(GroupState.COMPLETING_REBALANCE) || group.generationId !== generationId) return
    const errorCode = errorToAppendCode(err)
    machine.resetAndPropagateAssignmentWithError(group, errorCode)
    machine.maybePrepareRebalanceOrCompleteJoin(group, `error ${errorCode} storing the group assignment`)
  })
}

export function heartbeat(machine: GroupMachine, req: HeartbeatRequest): HeartbeatResult {
  if (req.groupId === '') return { errorCode: GroupErrorCode.INVALID_GROUP_ID }
  const group = machine.groups.get(req.groupId)
  if (!group) return { errorCode: GroupErrorCode.UNKNOWN_MEMBER_ID }
  if (group.is(GroupState.DEAD)) return { errorCode: GroupErrorCode.COORDINATOR_NOT_AVAILABLE }
  const validation = validateMember(group, req.memberId, req.groupInstanceId)
  if (validation !== GroupErrorCode.NONE) return { errorCode: validation }
  if (req.generationId !== group.generationId) return { errorCode: GroupErrorCode.ILLEGAL_GENERATION }
  const member = group.member(req.memberId) as ClassicGroupMember
  switch (group.state) {
    case GroupState.PREPARING_REBALANCE:
      // Tells the member to rejoin; its session stays alive meanwhile.
      machine.rescheduleHeartbeat(group, member)
      return { errorCode: GroupErrorCode.REBALANCE_IN_PROGRESS }
    case GroupState.COMPLETING_REBALANCE:
    case GroupState.STABLE:
      machine.rescheduleHeartbeat(group, member)
      return { errorCode: GroupErrorCode.NONE }
    default:
      return { errorCode: GroupErrorCode.UNKNOWN_MEMBER_ID }
  }
}

export function leaveGroup(machine: GroupMachine, req: LeaveGroupRequest): LeaveGroupResult {
  if (req.groupId === '') return { errorCode: GroupErrorCode.INVALID_GROUP_ID, members: [] }
  const group = machine.groups.get(req.groupId)
  if (!group) {
    return { errorCode: GroupErrorCode.NONE, members: req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: GroupErrorCode.UNKNOWN_MEMBER_ID })) }
  }
  if (group.is(GroupState.DEAD)) return { errorCode: GroupErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }

  const results: LeaveGroupResult['members'] = []
  let removedAny = false
  for (const identity of req.members) {
    const reason = identity.reason ?? 'not provided'
    let errorCode: number = GroupErrorCode.NONE
    if (identity.memberId === '') {
      // Admin removal of a static member by its instance id alone.
      const staticId = identity.groupInstanceId !== null ? group.staticMemberId(identity.groupInstanceId) : undefined
      if (staticId !== undefined) removeCurrentMember(machine, group, staticId, reason)
      else errorCode = GroupErrorCode.UNKNOWN_MEMBER_ID
    } else if (group.isPendingMember(identity.memberId)) {
      group.remove(identity.memberId)
      machine.timer.cancel(heartbeatKey(group.groupId, identity.memberId))
    } else {
      errorCode = validateMember(group, identity.memberId, identity.groupInstanceId)
      if (errorCode === GroupErrorCode.NONE) removeCurrentMember(machine, group, identity.memberId, reason)
    }
    if (errorCode === GroupErrorCode.NONE) removedAny = true
    results.push({ memberId: identity.memberId, groupInstanceId: identity.groupInstanceId, errorCode })
  }

  if (removedAny) {
    if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)) {
      machine.maybePrepareRebalanceOrCompleteJoin(group, 'members left the group')
    } else if (group.is(GroupState.PREPARING_REBALANCE)) {
      machine.maybeCompleteJoinPhase(group)
    }
  }
  return { errorCode: GroupErrorCode.NONE, members: results }
}

function removeCurrentMember(machine: GroupMachine, group: ClassicGroup, memberId: string, reason: string): void {
  const member = group.member(memberId)
  if (!member) return
  machine.timer.cancel(heartbeatKey(group.groupId, memberId))
  machine.logger.info({ groupId: group.groupId, memberId, reason }, 'member left the group')
  // Answer a JoinGroup it may still have parked, so that client can retry.
  group.completeJoin(member, joinError('', GroupErrorCode.UNKNOWN_MEMBER_ID))
  group.remove(memberId)
}
