import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { GroupState } from '../../src/coordinator/group-state.js'
import type { OffsetCommitRequest } from '../../src/coordinator/types.js'
import { consumerProtocols, flush, joinReq, makeCoordinator, stableGroup, syncReq, track } from './harness.js'

function commitReq(overrides: Partial<OffsetCommitRequest> & { offsets?: [string, number, number, string | null][] } = {}): OffsetCommitRequest {
  const offsets = overrides.offsets ?? [['t', 0, 10, 'meta']]
  const topics = new Map<string, OffsetCommitRequest['topics'][number]>()
  for (const [name, partitionIndex, committedOffset, committedMetadata] of offsets) {
    if (!topics.has(name)) topics.set(name, { name, partitions: [] })
    topics.get(name)!.partitions.push({ partitionIndex, committedOffset, committedLeaderEpoch: 3, committedMetadata })
  }
  const { offsets: _omit, ...rest } = overrides
  return { groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [...topics.values()], reportGroupIdNotFound: true, ...rest }
}

const errors = (r: { topics: { partitions: { errorCode: number }[] }[] }) => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))

describe('offset commit and fetch', () => {
  it('accepts simple-consumer commits on a new group and round-trips metadata', async () => {
    const h = await makeCoordinator()
    const res = await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 0, 10, 'hello'], ['t', 1, 20, null], ['u', 0, 5, '']] }))
    expect(errors(res)).toEqual([0, 0, 0])
    expect(h.coordinator.groupState('g')).toBe(GroupState.EMPTY)
    const [some] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1, 2] }, { name: 'x', partitionIndexes: [0] }] }])
    expect(some.topics).toEqual([
      { name: 't', partitions: [
        { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'hello', errorCode: 0 },
        { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
        { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ] },
      { name: 'x', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
    ])
    const [all] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }])
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([['t', [10, 20]], ['u', [5]]])
    const [none] = await h.coordinator.fetchOffsets([{ groupId: 'unknown', topics: null }])
    expect(none).toEqual({ groupId: 'unknown', errorCode: 0, topics: [] })
  })

  it('validates generations and members like Kafka', async () => {
    const h = await makeCoordinator()
    expect(errors(await h.coordinator.commitOffsets(commitReq({ groupId: 'nope', generationId: 3, memberId: 'm' })))).toEqual([ErrorCode.GROUP_ID_NOT_FOUND])
    expect(errors(await h.coordinator.commitOffsets(commitReq({ groupId: 'nope', generationId: 3, memberId: 'm', reportGroupIdNotFound: false })))).toEqual([ErrorCode.ILLEGAL_GENERATION])
    const { memberIds, generationId } = await stableGroup(h, 1)
    expect(errors(await h.coordinator.commitOffsets(commitReq()))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    expect(errors(await h.coordinator.commitOffsets(commitReq({ generationId, memberId: 'x' })))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID])
    expect(errors(await h.coordinator.commitOffsets(commitReq({ generationId, memberId: memberIds[0] })))).toEqual([0])
    const big = 'x'.repeat(4097)
    expect(errors(await h.coordinator.commitOffsets(commitReq({ generationId, memberId: memberIds[0], offsets: [['t', 0, 1, big], ['t', 1, 1, 'ok']] }))))
      .toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, 0])
  })

  it('answers REBALANCE_IN_PROGRESS to a commit during CompletingRebalance and keeps sessions alive on commit', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq({ sessionTimeoutMs: 10_000 })))
    h.timer.advance(0)
    await flush()
    const memberId = join.value!.memberId
    expect(errors(await h.coordinator.commitOffsets(commitReq({ generationId: 1, memberId })))).toEqual([ErrorCode.REBALANCE_IN_PROGRESS])
    await h.coordinator.syncGroup(syncReq(memberId, 1, []))
    for (let i = 0; i < 5; i++) {
      h.timer.advance(8000)
      expect(errors(await h.coordinator.commitOffsets(commitReq({ generationId: 1, memberId })))).toEqual([0])
    }
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })

  it('answers a commit only after the append, and reports append failures', async () => {
    const h = await makeCoordinator()
    const release = h.log.holdAppends()
    const commit = track(h.coordinator.commitOffsets(commitReq()))
    const stable = track(h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }], { requireStable: true }))
    await flush()
    expect(commit.done).toBe(false)
    expect(stable.done).toBe(false)
    release()
    await flush()
    expect(errors(commit.value!)).toEqual([0])
    expect(stable.value![0].topics[0].partitions[0].committedOffset).toBe(10)

    h.log.failNextAppends = { count: 1, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }
    const failed = await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 0, 99, null]] }))
    expect(errors(failed)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE])
    const [after] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }])
    expect(after.topics[0].partitions[0].committedOffset).toBe(10)
  })
})

describe('OffsetDelete and DeleteGroups', () => {
  it('refuses to delete offsets of a topic the group consumes', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 1, { protocols: consumerProtocols(['t']) })
    await h.coordinator.commitOffsets(commitReq({ generationId, memberId: memberIds[0], offsets: [['t', 0, 1, null], ['old', 0, 2, null]] }))
    const res = await h.coordinator.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }, { name: 'old', partitions: [0, 1] }] })
    expect(res).toEqual({ errorCode: 0, topics: [
      { name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      { name: 'old', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] },
    ] })
    const [all] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }])
    expect(all.topics.map((t) => t.name)).toEqual(['t'])
    expect((await h.coordinator.deleteOffsets({ groupId: 'missing', topics: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND)
    expect((await h.coordinator.deleteOffsets({ groupId: '', topics: [] })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
  })

  it('refuses OffsetDelete on an active group of another protocol type', async () => {
    const h = await makeCoordinator()
    await stableGroup(h, 1, { protocolType: 'connect', protocols: [{ name: 'v1', metadata: Buffer.from('x') }] })
    expect((await h.coordinator.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0] }] })).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP)
  })

  it('deletes empty groups with their offsets and refuses active or unknown ones', async () => {
    const h = await makeCoordinator()
    await h.coordinator.commitOffsets(commitReq({ groupId: 'simple' }))
    await stableGroup(h, 1, { groupId: 'active' })
    const res = await h.coordinator.deleteGroups(['simple', 'active', 'missing'])
    expect(res).toEqual([
      { groupId: 'simple', errorCode: 0 },
      { groupId: 'active', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ])
    expect(h.coordinator.groupState('simple')).toBeUndefined()
    const [fetched] = await h.coordinator.fetchOffsets([{ groupId: 'simple', topics: null }])
    expect(fetched.topics).toEqual([])
    expect((await h.coordinator.listGroups()).groups.map((g) => g.groupId)).toEqual(['active'])
  })

  it('removes the offsets of a deleted topic from every group', async () => {
    const h = await makeCoordinator()
    await h.coordinator.commitOffsets(commitReq({ groupId: 'a', offsets: [['t', 0, 1, null], ['keep', 0, 2, null]] }))
    await h.coordinator.commitOffsets(commitReq({ groupId: 'b', offsets: [['t', 3, 1, null]] }))
    await h.coordinator.onTopicDeleted('t')
    const res = await h.coordinator.fetchOffsets([{ groupId: 'a', topics: null }, { groupId: 'b', topics: null }])
    expect(res.map((g) => g.topics.map((t) => t.name))).toEqual([['keep'], []])
  })
})

describe('offsets.retention.minutes', () => {
  it('expires offsets of an empty group counted from when it became empty, then the group', async () => {
    const h = await makeCoordinator({ config: { offsetsRetentionMinutes: 10, offsetsRetentionCheckIntervalMs: 60_000 } })
    const { memberIds, generationId } = await stableGroup(h, 1, { sessionTimeoutMs: 1_500_000 })
    await h.coordinator.commitOffsets(commitReq({ generationId, memberId: memberIds[0] }))
    h.timer.advance(20 * 60_000 - 1000) // old commit, but the group is still active (and subscribed to t)
    await h.coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0], groupInstanceId: null })
    await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[0], groupInstanceId: null, reason: null }] })
    expect(h.coordinator.groupState('g')).toBe(GroupState.EMPTY)
    h.timer.advance(9 * 60_000)
    await flush()
    expect((await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }]))[0].topics).toHaveLength(1)
    h.timer.advance(2 * 60_000)
    await flush()
    expect((await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }]))[0].topics).toHaveLength(0)
    expect(h.coordinator.groupState('g')).toBeUndefined()
  })

  it('expires simple-group offsets by commit time and honours an explicit retention time (v2-4)', async () => {
    const h = await makeCoordinator({ config: { offsetsRetentionMinutes: 10, offsetsRetentionCheckIntervalMs: 3_600_000 } })
    await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 0, 1, null]] }))
    h.timer.advance(5 * 60_000)
    await h.coordinator.commitOffsets(commitReq({ offsets: [['t', 1, 1, null]] }))
    await h.coordinator.commitOffsets(commitReq({ groupId: 'short', retentionTimeMs: 60_000 }))
    h.timer.advance(5 * 60_000)
    expect(await h.coordinator.expireGroupMetadata()).toBe(3) // t-0 of g, and short's offset + group
    const [g] = await h.coordinator.fetchOffsets([{ groupId: 'g', topics: null }])
    expect(g.topics[0].partitions.map((p) => p.partitionIndex)).toEqual([1])
    expect(h.coordinator.groupState('short')).toBeUndefined()
  })
})
