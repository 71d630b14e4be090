// OffsetCommit, OffsetFetch, OffsetDelete and offset expiry (Kafka's OffsetMetadataManager
// for classic groups, without transactions).
import type { ClassicGroup } from './classic-group.js'
import { GroupErrorCode } from './error-codes.js'
import { errorToAppendCode, type GroupMachine } from './group-machine.js'
import { GroupState } from './group-state.js'
import { validateMember } from './join-group.js'
import type { OffsetAndMetadata, OffsetStore } from './offset-store.js'
import { offsetCommitRecord, type GroupLogRecord } from './records.js'
import type {
  OffsetCommitRequest, OffsetCommitResult, OffsetDeleteRequest, OffsetDeleteResult, OffsetFetchGroupRequest,
  OffsetFetchGroupResult, OffsetFetchPartition,
} from './types.js'

export interface OffsetsContext { machine: GroupMachine; store: OffsetStore }

interface PendingWrite { groupId: string; topic: string; partition: number; written: OffsetAndMetadata | null; previous: OffsetAndMetadata | undefined }

// Applies offset writes now, appends their records, and undoes them if the append fails.
export function writeOffsets(ctx: OffsetsContext, writes: { groupId: string; topic: string; partition: number; value: OffsetAndMetadata | null }[]): Promise<void> {
  const records: GroupLogRecord[] = []
  const applied: PendingWrite[] = []
  for (const w of writes) {
    records.push(offsetCommitRecord(w.groupId, w.topic, w.partition, w.value))
    const previous = w.value === null ? ctx.store.remove(w.groupId, w.topic, w.partition) : ctx.store.put(w.groupId, w.topic, w.partition, w.value)
    applied.push({ groupId: w.groupId, topic: w.topic, partition: w.partition, written: w.value, previous })
  }
  if (records.length === 0) return Promise.resolve()
  return ctx.machine.persist(records).catch((err) => {
    for (const a of applied.reverse()) ctx.store.restore(a.groupId, a.topic, a.partition, a.written, a.previous)
    throw err
  })
}

function commitError(req: OffsetCommitRequest, errorCode: number): OffsetCommitResult {
  return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) }
}

function validateOffsetCommit(group: ClassicGroup, req: OffsetCommitRequest): number {
  if (group.is(GroupState.DEAD)) return GroupErrorCode.COORDINATOR_NOT_AVAILABLE
  // generation -1 comes from admin tools and consumers without group management; an
  // empty group accepts their commits.
  if (req.generationId < 0 && group.isEmpty) return GroupErrorCode.NONE
  if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
    const validation = validateMember(group, req.memberId, req.groupInstanceId)
    if (validation !== GroupErrorCode.NONE) return validation
    if (req.generationId !== group.generationId) return GroupErrorCode.ILLEGAL_GENERATION
  } else if (!group.isEmpty) {
    return GroupErrorCode.UNKNOWN_MEMBER_ID
  }
  // The member has the new generation from JoinGroup but no assignment yet.
  if (group.is(GroupState.COMPLETING_REBALANCE)) return GroupErrorCode.REBALANCE_IN_PROGRESS
  return GroupErrorCode.NONE
}

export async function commitOffsets(ctx: OffsetsContext, req: OffsetCommitRequest): Promise<OffsetCommitResult> {
  const { machine } = ctx
  let group = machine.groups.get(req.groupId)
  if (!group) {
    if (req.generationId >= 0) {
      return commitError(req, req.reportGroupIdNotFound ? GroupErrorCode.GROUP_ID_NOT_FOUND : GroupErrorCode.ILLEGAL_GENERATION)
    }
    // A "simple" group: offsets without membership.
    group = machine.getOrCreateGroup(req.groupId)
  }
  const validation = validateOffsetCommit(group, req)
  if (validation !== GroupErrorCode.NONE) return commitError(req, validation)

  // A commit keeps a classic member's session alive.
  if (group.is(GroupState.STABLE) || group.is(GroupState.PREPARING_REBALANCE)) {
    const member = group.member(req.memberId)
    if (member) machine.rescheduleHeartbeat(group, member)
  }

  const nowMs = machine.now()
  const expireTimestampMs = req.retentionTimeMs >= 0 ? nowMs + req.retentionTimeMs : null
  const result: OffsetCommitResult = { topics: [] }
  const writes: Parameters<typeof writeOffsets>[1] = []
  const accepted: { errorCode: number }[] = []
  for (const topic of req.topics) {
    const partitions: { partitionIndex: number; errorCode: number }[] = []
    result.topics.push({ name: topic.name, partitions })
    for (const p of topic.partitions) {
      if (p.committedMetadata !== null && p.committedMetadata.length > machine.config.offsetMetadataMaxBytes) {
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: GroupErrorCode.OFFSET_METADATA_TOO_LARGE })
        continue
      }
      const entry = { partitionIndex: p.partitionIndex, errorCode: GroupErrorCode.NONE as number }
      partitions.push(entry)
      accepted.push(entry)
      writes.push({
        groupId: req.groupId, topic: topic.name, partition: p.partitionIndex,
        value: {
          committedOffset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch,
          // Kafka stores a null metadata string as empty.
          metadata: p.committedMetadata ?? '', commitTimestampMs: nowMs, expireTimestampMs,
        },
      })
    }
  }
  try {
    await writeOffsets(ctx, writes)
  } catch (err) {
    const errorCode = errorToAppendCode(err)
    for (const entry of accepted) entry.errorCode = errorCode
  }
  return result
}

const NO_OFFSET: Omit<OffsetFetchPartition, 'partitionIndex'> = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: GroupErrorCode.NONE }

function toFetchPartition(partitionIndex: number, o: OffsetAndMetadata | undefined): OffsetFetchPartition {
  if (!o) return { partitionIndex, ...NO_OFFSET }
  return { partitionIndex, committedOffset: o.committedOffset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: GroupErrorCode.NONE }
}

export function fetchOffsets(ctx: OffsetsContext, req: OffsetFetchGroupRequest): OffsetFetchGroupResult {
  const group = ctx.machine.groups.get(req.groupId)
  const known = group !== undefined && !group.is(GroupState.DEAD)
  const offsets = known ? ctx.store.groupOffsets(req.groupId) : undefined
  if (req.topics === null) {
    const topics: OffsetFetchGroupResult['topics'] = []
    if (offsets) {
      for (const [name, partitions] of offsets) {
        topics.push({ name, partitions: [...partitions].map(([index, o]) => toFetchPartition(index, o)) })
      }
    }
    return { groupId: req.groupId, errorCode: GroupErrorCode.NONE, topics }
  }
  return {
    groupId: req.groupId,
    errorCode: GroupErrorCode.NONE,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((i) => toFetchPartition(i, offsets?.get(t.name)?.get(i))),
    })),
  }
}

export async function deleteOffsets(ctx: OffsetsContext, req: OffsetDeleteRequest): Promise<OffsetDeleteResult> {
  if (req.groupId === '') return { errorCode: GroupErrorCode.INVALID_GROUP_ID, topics: [] }
  const group = ctx.machine.groups.get(req.groupId)
  if (!group || group.is(GroupState.DEAD)) return { errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
  if (!group.isEmpty && !group.usesConsumerProtocol) return { errorCode: GroupErrorCode.NON_EMPTY_GROUP, topics: [] }

  const writes: Parameters<typeof writeOffsets>[1] = []
  const result: OffsetDeleteResult = { errorCode: GroupErrorCode.NONE, topics: [] }
  for (const topic of req.topics) {
    // Offsets the group is still consuming cannot be deleted.
    const subscribed = group.isSubscribedToTopic(topic.name)
    result.topics.push({
      name: topic.name,
      partitions: topic.partitions.map((partitionIndex) => ({
        partitionIndex, errorCode: subscribed ? GroupErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : GroupErrorCode.NONE,
      })),
    })
    if (subscribed) continue
    for (const partition of topic.partitions) {
      if (ctx.store.get(req.groupId, topic.name, partition)) writes.push({ groupId: req.groupId, topic: topic.name, partition, value: null })
    }
  }
  try {
    await writeOffsets(ctx, writes)
  } catch (err) {
    return { errorCode: errorToAppendCode(err), topics: [] }
  }
  return result
}

// Which base timestamp an offset's age is measured from, or null when the group's
// offsets do not expire now (Kafka's ClassicGroup.offsetExpirationCondition).
function expirationBase(group: ClassicGroup): ((o: OffsetAndMetadata) => number) | null {
  if (group.protocolType === null) return (o) => o.commitTimestampMs
  if (group.isEmpty) return (o) => group.currentStateTimestampMs ?? o.commitTimestampMs
  if (group.usesConsumerProtocol && group.subscribedTopics !== null && group.is(GroupState.STABLE)) return (o) => o.commitTimestampMs
  return null
}

// Offsets past offsets.retention.minutes, and whether every offset of the group expired.
export function expiredOffsets(ctx: OffsetsContext, group: ClassicGroup, nowMs: number): { expired: { topic: string; partition: number }[]; allExpired: boolean } {
  const offsets = ctx.store.groupOffsets(group.groupId)
  if (!offsets) return { expired: [], allExpired: true }
  const base = expirationBase(group)
  if (base === null) return { expired: [], allExpired: false }
  const retentionMs = ctx.machine.config.offsetsRetentionMinutes * 60_000
  const expired: { topic: string; partition: number }[] = []
  let allExpired = true
  for (const [topic, partitions] of offsets) {
    if (group.isSubscribedToTopic(topic)) { allExpired = false; continue }
    for (const [partition, o] of partitions) {
      const isExpired = o.expireTimestampMs !== null ? nowMs >= o.expireTimestampMs : nowMs - base(o) >= retentionMs
      if (isExpired) expired.push({ topic, partition })
      else allExpired = false
    }
  }
  return { expired, allExpired }
}
