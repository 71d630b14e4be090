// DescribeGroups, ListGroups, DeleteGroups, the periodic expiry of offsets and empty
// groups, and removal of the offsets of deleted topics.
import type { ClassicGroup } from './classic-group.js'
import { GroupErrorCode } from './error-codes.js'
import { errorToAppendCode, heartbeatKey, joinKey, syncKey } from './group-machine.js'
import { CLASSIC_GROUP_TYPE, GroupState } from './group-state.js'
import { expiredOffsets, writeOffsets, type OffsetsContext } from './offsets.js'
import { groupMetadataRecord, type GroupLogRecord } from './records.js'
import type { DeleteGroupsResult, DescribedGroup, ListGroupsRequest, ListGroupsResult } from './types.js'

export function describeGroup(ctx: OffsetsContext, groupId: string): DescribedGroup {
  const group = ctx.machine.groups.get(groupId)
  if (!group) {
    return { groupId, errorCode: GroupErrorCode.NONE, groupState: GroupState.DEAD, protocolType: '', protocolData: '', members: [] }
  }
  const stable = group.is(GroupState.STABLE)
  return {
    groupId,
    errorCode: GroupErrorCode.NONE,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? group.protocolName ?? '' : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      // Subscriptions are only meaningful once a protocol is settled.
      memberMetadata: stable ? m.metadata(group.protocolName) : Buffer.alloc(0),
      memberAssignment: m.assignment,
    })),
  }
}

export function listGroups(ctx: OffsetsContext, req: ListGroupsRequest): ListGroupsResult {
  const states = new Set(req.statesFilter.map((s) => s.trim().toLowerCase()))
  const types = new Set(req.typesFilter.map((s) => s.trim().toLowerCase()))
  const groups: ListGroupsResult['groups'] = []
  for (const group of ctx.machine.groups.values()) {
    if (states.size > 0 && !states.has(group.state.toLowerCase())) continue
    if (types.size > 0 && !types.has(CLASSIC_GROUP_TYPE)) continue
    groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: CLASSIC_GROUP_TYPE })
  }
  return { errorCode: GroupErrorCode.NONE, groups }
}

// Forgets a group now; its tombstone is written by the caller. Later requests for the
// id see no group (a join creates a fresh one after the tombstone in the log).
function dropGroup(ctx: OffsetsContext, group: ClassicGroup): void {
  const { machine } = ctx
  group.transitionTo(GroupState.DEAD)
  machine.groups.delete(group.groupId)
  machine.timer.cancel(joinKey(group.groupId))
  machine.timer.cancel(syncKey(group.groupId))
  for (const memberId of group.members.keys()) machine.timer.cancel(heartbeatKey(group.groupId, memberId))
}

function offsetTombstones(ctx: OffsetsContext, groupId: string): { groupId: string; topic: string; partition: number; value: null }[] {
  const writes: { groupId: string; topic: string; partition: number; value: null }[] = []
  const offsets = ctx.store.groupOffsets(groupId)
  if (offsets) for (const [topic, partitions] of offsets) for (const partition of partitions.keys()) writes.push({ groupId, topic, partition, value: null })
  return writes
}

export async function deleteGroups(ctx: OffsetsContext, groupIds: string[]): Promise<DeleteGroupsResult[]> {
  const results: DeleteGroupsResult[] = []
  const deleted: DeleteGroupsResult[] = []
  const writes: Parameters<typeof writeOffsets>[1] = []
  const groupTombstones: GroupLogRecord[] = []
  for (const groupId of groupIds) {
    const group = ctx.machine.groups.get(groupId)
    let errorCode: number = GroupErrorCode.NONE
    if (!group || group.is(GroupState.DEAD)) errorCode = GroupErrorCode.GROUP_ID_NOT_FOUND
    else if (!group.isEmpty) errorCode = GroupErrorCode.NON_EMPTY_GROUP
    const result = { groupId, errorCode }
    results.push(result)
    if (errorCode !== GroupErrorCode.NONE || !group) continue
    writes.push(...offsetTombstones(ctx, groupId))
    groupTombstones.push(groupMetadataRecord(groupId, null))
    dropGroup(ctx, group)
    deleted.push(result)
  }
  if (deleted.length === 0) return results
  try {
    // Offset tombstones first, then the group's: replay never sees offsets of a deleted group.
    await Promise.all([writeOffsets(ctx, writes), ctx.machine.persist(groupTombstones)])
  } catch (err) {
    const errorCode = errorToAppendCode(err)
    for (const r of deleted) r.errorCode = errorCode
  }
  return results
}

// offsets.retention.minutes: removes expired offsets, then groups that are empty and
// have no offsets left.
export async function cleanupGroupMetadata(ctx: OffsetsContext): Promise<number> {
  const { machine } = ctx
  const nowMs = machine.now()
  const writes: Parameters<typeof writeOffsets>[1] = []
  const groupTombstones: GroupLogRecord[] = []
  for (const group of [...machine.groups.values()]) {
    const { expired, allExpired } = expiredOffsets(ctx, group, nowMs)
    for (const e of expired) writes.push({ groupId: group.groupId, topic: e.topic, partition: e.partition, value: null })
    if (allExpired && group.isEmpty && group.numPendingJoinMembers === 0) {
      groupTombstones.push(groupMetadataRecord(group.groupId, null))
      dropGroup(ctx, group)
    }
  }
  if (writes.length === 0 && groupTombstones.length === 0) return 0
  machine.logger.info({ offsets: writes.length, groups: groupTombstones.length }, 'expired group metadata')
  await Promise.all([writeOffsets(ctx, writes), groupTombstones.length > 0 ? machine.persist(groupTombstones) : undefined])
  return writes.length + groupTombstones.length
}

// Offsets of a deleted topic go away in every group.
export async function removeOffsetsOfTopic(ctx: OffsetsContext, topic: string): Promise<number> {
  const writes = ctx.store.partitionsOfTopic(topic).map((p) => ({ groupId: p.groupId, topic, partition: p.partition, value: null }))
  await writeOffsets(ctx, writes)
  return writes.length
}
