// JoinGroup for classic groups, following Kafka's GroupMetadataManager: new dynamic members
// (with MEMBER_ID_REQUIRED from v4), new and returning static members (replaced without a
// rebalance when the group's protocol would not change), and existing members rejoining in
// each state. `respond` may be called now or later (the long-poll completes when the join
// phase ends).
import { ClassicGroupMember, type ClassicGroup } from './classic-group.js'
import { GroupErrorCode } from './error-codes.js'
import { errorToAppendCode, heartbeatKey, joinError, type GroupMachine } from './group-machine.js'
import { GroupState } from './group-state.js'
import { groupMetadataRecord } from './records.js'
import type { JoinGroupRequest, JoinGroupResult } from './types.js'

type Respond = (result: JoinGroupResult) => void

export function joinGroup(machine: GroupMachine, req: JoinGroupRequest, respond: Respond): void {
  const { config } = machine
  if (req.groupId === '') return respond(joinError(req.memberId, GroupErrorCode.INVALID_GROUP_ID))
  if (req.sessionTimeoutMs < config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
    return respond(joinError(req.memberId, GroupErrorCode.INVALID_SESSION_TIMEOUT))
  }
  const isUnknownMember = req.memberId === ''
  let group = machine.groups.get(req.groupId)
  const isNewGroup = group === undefined
  if (!group) {
    // A member id for a group that does not exist is stale.
    if (!isUnknownMember) return respond(joinError(req.memberId, GroupErrorCode.UNKNOWN_MEMBER_ID))
    group = machine.getOrCreateGroup(req.groupId)
  }

  if (!acceptJoiningMember(machine, group, req.memberId)) {
    group.remove(req.memberId)
    respond(joinError('', GroupErrorCode.GROUP_MAX_SIZE_REACHED))
  } else if (isUnknownMember) {
    joinNewMember(machine, group, req, respond)
  } else {
    joinExistingMember(machine, group, req, respond)
  }

  if (isNewGroup && machine.isCurrent(group) && group.isEmpty && group.numMembers === 0) {
    // Record the group's existence, as Kafka does for a group created by a join.
    machine.persist([groupMetadataRecord(group.groupId, {
      protocolType: group.protocolType, generationId: group.generationId, protocolName: null, leader: null,
      currentStateTimestampMs: group.currentStateTimestampMs, members: [],
    })]).catch((err) => machine.logger.warn({ groupId: req.groupId, err: String(err) }, 'failed to write new group metadata'))
  }
}

function acceptJoiningMember(machine: GroupMachine, group: ClassicGroup, memberId: string): boolean {
  const max = machine.config.groupMaxSize
  switch (group.state) {
    case GroupState.EMPTY:
    case GroupState.DEAD:
      return true
    case GroupState.PREPARING_REBALANCE:
      // Counting members awaiting join (not the group size) lets a lowered limit shed the
      // last members to rejoin.
      return (group.member(memberId)?.isAwaitingJoin ?? false) || group.numAwaitingJoin < max
    default:
      return group.hasMember(memberId) || group.numMembers < max
  }
}

function joinNewMember(machine: GroupMachine, group: ClassicGroup, req: JoinGroupRequest, respond: Respond): void {
  if (group.is(GroupState.DEAD)) return respond(joinError('', GroupErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError('', GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  const newMemberId = `${req.groupInstanceId ?? req.clientId}-${machine.newUuid()}`

  if (req.groupInstanceId !== null) {
    const existingMemberId = group.staticMemberId(req.groupInstanceId)
    if (existingMemberId !== undefined) {
      machine.logger.info({ groupId: group.groupId, groupInstanceId: req.groupInstanceId, existingMemberId, newMemberId },
        'static member rejoined with an unknown member id, replacing the previous member id')
      updateStaticMemberThenRebalanceOrCompleteJoin(machine, group, req, existingMemberId, newMemberId, respond)
    } else {
      addMemberThenRebalanceOrCompleteJoin(machine, group, req, newMemberId, respond)
    }
    return
  }
  if (req.requireKnownMemberId) {
    // The client must come back with this id; until then it is a pending member that
    // expires after its session timeout.
    group.addPendingMember(newMemberId)
    machine.schedulePendingMemberExpiry(group, newMemberId, req.sessionTimeoutMs)
    return respond(joinError(newMemberId, GroupErrorCode.MEMBER_ID_REQUIRED))
  }
  addMemberThenRebalanceOrCompleteJoin(machine, group, req, newMemberId, respond)
}

function currentGenerationResult(group: ClassicGroup, memberId: string, opts: { withMembers: boolean; leader?: string }): JoinGroupResult {
  return {
    errorCode: GroupErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: opts.leader ?? group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: opts.withMembers ? group.currentMembersForLeader() : [],
  }
}

function joinExistingMember(machine: GroupMachine, group: ClassicGroup, req: JoinGroupRequest, respond: Respond): void {
  const memberId = req.memberId
  if (group.is(GroupState.DEAD)) return respond(joinError(memberId, GroupErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError(memberId, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  if (group.isPendingMember(memberId)) {
    // A pending member id is never static: a static member never got MEMBER_ID_REQUIRED.
    if (req.groupInstanceId !== null) return respond(joinError(memberId, GroupErrorCode.UNKNOWN_MEMBER_ID))
    return addMemberThenRebalanceOrCompleteJoin(machine, group, req, memberId, respond)
  }
  const validation = validateMember(group, memberId, req.groupInstanceId)
  if (validation !== GroupErrorCode.NONE) return respond(joinError(memberId, validation))

  const member = group.member(memberId) as ClassicGroupMember
  switch (group.state) {
    case GroupState.PREPARING_REBALANCE:
      return updateMemberThenRebalanceOrCompleteJoin(machine, group, member, req, respond)
    case GroupState.COMPLETING_REBALANCE:
      if (member.matches(req.protocols)) {
        // It probably missed the JoinGroup answer: send the current generation again.
        return respond(currentGenerationResult(group, memberId, { withMembers: group.isLeader(memberId) }))
      }
      return updateMemberThenRebalanceOrCompleteJoin(machine, group, member, req, respond)
    case GroupState.STABLE:
      // The leader rejoining forces a rebalance (e.g. the topics' metadata changed); so
      // does any member whose protocols changed. Others get the current generation.
      if (group.isLeader(memberId) || !member.matches(req.protocols)) {
        return updateMemberThenRebalanceOrCompleteJoin(machine, group, member, req, respond)
      }
      return respond(currentGenerationResult(group, memberId, { withMembers: false }))
    default:
      machine.logger.warn({ groupId: group.groupId, memberId, state: group.state }, 'rejoining member in unexpected group state')
      return respond(joinError(memberId, GroupErrorCode.UNKNOWN_MEMBER_ID))
  }
}

// UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by every member request.
export function validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const existing = group.staticMemberId(groupInstanceId)
    if (existing === undefined) return GroupErrorCode.UNKNOWN_MEMBER_ID
    if (existing !== memberId) return GroupErrorCode.FENCED_INSTANCE_ID
  }
  return group.hasMember(memberId) ? GroupErrorCode.NONE : GroupErrorCode.UNKNOWN_MEMBER_ID
}

function updateMemberThenRebalanceOrCompleteJoin(machine: GroupMachine, group: ClassicGroup, member: ClassicGroupMember,
  req: JoinGroupRequest, respond: Respond): void {
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond)
  machine.maybePrepareRebalanceOrCompleteJoin(group, `member ${member.memberId} rejoined in ${group.state}`)
}

function addMemberThenRebalanceOrCompleteJoin(machine: GroupMachine, group: ClassicGroup, req: JoinGroupRequest,
  memberId: string, respond: Respond): void {
  const member = new ClassicGroupMember(memberId, req.groupInstanceId, req.clientId, req.clientHost,
    req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols)
  member.isNew = true
  // Lets the initial rebalance delay extend once more.
  if (group.is(GroupState.PREPARING_REBALANCE) && group.previousState === GroupState.EMPTY) group.newMemberAdded = true
  group.add(member, respond)
  // A new member cannot heartbeat while its JoinGroup is parked; bound how long it may
  // stay parked so abandoned joins do not accumulate.
  machine.rescheduleHeartbeat(group, member, machine.config.groupNewMemberJoinTimeoutMs)
  machine.maybePrepareRebalanceOrCompleteJoin(group, `adding new member ${memberId}`)
}

function updateStaticMemberThenRebalanceOrCompleteJoin(machine: GroupMachine, group: ClassicGroup, req: JoinGroupRequest,
  oldMemberId: string, newMemberId: string, respond: Respond): void {
  const instanceId = req.groupInstanceId as string
  const currentLeader = group.leaderId ?? ''
  const newMember = group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
  machine.timer.cancel(heartbeatKey(group.groupId, oldMemberId))
  machine.rescheduleHeartbeat(group, newMember)
  const old = { protocols: newMember.supportedProtocols, rebalanceTimeoutMs: newMember.rebalanceTimeoutMs, sessionTimeoutMs: newMember.sessionTimeoutMs }
  group.updateMember(newMember, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond)

  if (group.is(GroupState.STABLE)) {
    if ((group.protocolName ?? '') === group.selectProtocol()) {
      // Same protocol for the next generation: keep the assignment, persist the new
      // member id and answer once it is written. No rebalance.
      const generationId = group.generationId
      machine.persistGroup(group, group.groupAssignment()).then(() => {
        const isLeader = group.isLeader(newMemberId)
        if (req.supportsSkipAssignment) {
          group.completeJoin(newMember, { ...currentGenerationResult(group, newMemberId, { withMembers: isLeader }), skipAssignment: isLeader })
        } else {
          // Older clients must not see themselves as leader or they would reassign.
          group.completeJoin(newMember, currentGenerationResult(group, newMemberId, { withMembers: false, leader: currentLeader }))
        }
      }, (err) => {
        const errorCode = errorToAppendCode(err)
        machine.logger.warn({ groupId: group.groupId, newMemberId, oldMemberId, errorCode }, 'failed to persist replaced static member, reverting')
        if (!group.hasMember(newMemberId) || group.generationId !== generationId) {
          group.completeJoin(newMember, joinError('', errorCode))
          return
        }
        group.updateMember(newMember, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null)
        const reverted = group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
        machine.rescheduleHeartbeat(group, reverted)
        respond({ ...joinError('', errorCode), generationId: group.generationId, protocolType: group.protocolType,
          protocolName: group.protocolName, leader: currentLeader })
      })
      return
    }
    return machine.maybePrepareRebalanceOrCompleteJoin(group, `static member ${newMemberId} joined with a change of protocol`)
  }
  if (group.is(GroupState.COMPLETING_REBALANCE)) {
    // The leader may already be assigning to the old member id: start over.
    return machine.prepareRebalance(group, `static member ${instanceId} replaced during CompletingRebalance`)
  }
  machine.maybeCompleteJoinPhase(group)
}
