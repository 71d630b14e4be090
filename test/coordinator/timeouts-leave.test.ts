import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { GroupState } from '../../src/coordinator/group-state.js'
import { flush, joinReq, joinWithMemberIdRequired, makeCoordinator, stableGroup, syncReq, track } from './harness.js'

const hb = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
  ({ groupId: 'g', generationId, memberId, groupInstanceId })

describe('session and rebalance timeouts', () => {
  it('removes a member whose session expires and rebalances the rest', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 2, { sessionTimeoutMs: 10_000 })
    const [alive, crashed] = memberIds
    h.timer.advance(6000)
    expect((await h.coordinator.heartbeat(hb(alive, generationId))).errorCode).toBe(0)
    h.timer.advance(4000) // the crashed member's session (10 s since the sync) is over
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    expect((await h.coordinator.heartbeat(hb(crashed, generationId))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await h.coordinator.heartbeat(hb(alive, generationId))).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    const rejoin = await h.coordinator.joinGroup(joinReq({ memberId: alive }))
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: generationId + 1, leader: alive })
    expect(rejoin.members.map((m) => m.memberId)).toEqual([alive])
  })

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 2, { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 })
    const join = track(h.coordinator.joinGroup(joinReq({ memberId: memberIds[0], sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 })))
    await flush()
    expect(join.done).toBe(false)
    h.timer.advance(19_999)
    await flush()
    expect(join.done).toBe(false)
    h.timer.advance(1)
    await flush()
    expect(join.value).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
    expect(join.value?.members).toHaveLength(1)
  })

  it('expires a pending member (MEMBER_ID_REQUIRED) that never rejoins', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 1, { sessionTimeoutMs: 30_000 })
    const pending = await h.coordinator.joinGroup(joinReq({ requireKnownMemberId: true, sessionTimeoutMs: 10_000 }))
    expect(pending.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    // The existing member triggers a rebalance by rejoining (as leader); the pending member blocks completion.
    const join = track(h.coordinator.joinGroup(joinReq({ memberId: memberIds[0], sessionTimeoutMs: 30_000 })))
    await flush()
    expect(join.done).toBe(false)
    h.timer.advance(10_000)
    await flush()
    expect(join.value).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
    expect(join.value?.members).toHaveLength(1)
    const late = await h.coordinator.joinGroup(joinReq({ memberId: pending.memberId, requireKnownMemberId: true }))
    expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('removes members that never send SyncGroup and rebalances', async () => {
    const h = await makeCoordinator()
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a', rebalanceTimeoutMs: 5000 })))
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b', rebalanceTimeoutMs: 5000 })))
    h.timer.advance(0)
    await flush()
    const leader = a.value!.leader
    const follower = [a.value!.memberId, b.value!.memberId].find((m) => m !== leader)!
    await h.coordinator.syncGroup(syncReq(leader, 1, [{ memberId: leader, assignment: Buffer.from('x') }]))
    await flush()
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
    h.timer.advance(5000)
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    expect((await h.coordinator.heartbeat(hb(follower, 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('expires a new member parked in JoinGroup after group.new.member.join.timeout', async () => {
    const h = await makeCoordinator({ config: { groupNewMemberJoinTimeoutMs: 50_000 } })
    const { memberIds } = await stableGroup(h, 1, { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 120_000 })
    const newcomer = track(h.coordinator.joinGroup(joinReq({ clientId: 'n', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 120_000 })))
    await flush()
    // The old member keeps its session alive but never rejoins.
    for (let t = 0; t < 50_000; t += 10_000) {
      h.timer.advance(10_000)
      await h.coordinator.heartbeat(hb(memberIds[0], 1))
    }
    await flush()
    expect(newcomer.value?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })
})

describe('generation fencing', () => {
  it('fences heartbeats, syncs and commits of a stale generation', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 1)
    const m = memberIds[0]
    expect((await h.coordinator.heartbeat(hb(m, generationId - 1))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect((await h.coordinator.heartbeat(hb('other', generationId))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await h.coordinator.heartbeat({ ...hb(m, generationId), groupId: 'nope' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await h.coordinator.heartbeat({ ...hb(m, generationId), groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    const commit = await h.coordinator.commitOffsets({
      groupId: 'g', generationId: generationId - 1, memberId: m, groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
      reportGroupIdNotFound: true,
    })
    expect(commit.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
  })
})

describe('LeaveGroup', () => {
  it('a leader that leaves hands leadership to a remaining member after the rebalance', async () => {
    const h = await makeCoordinator()
    const { memberIds, leader, generationId } = await stableGroup(h, 3)
    const res = await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: leader, groupInstanceId: null, reason: 'bye' }] })
    expect(res.members).toEqual([{ memberId: leader, groupInstanceId: null, errorCode: 0 }])
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    const others = memberIds.filter((m) => m !== leader)
    const joins = others.map((memberId) => track(h.coordinator.joinGroup(joinReq({ memberId }))))
    await flush()
    const newLeader = joins[0].value!.leader
    expect(others).toContain(newLeader)
    expect(joins.every((j) => j.value?.generationId === generationId + 1)).toBe(true)
    const leaderResult = joins.find((j) => j.value!.memberId === newLeader)!.value!
    expect(leaderResult.members.map((m) => m.memberId).sort()).toEqual([...others].sort())
  })

  it('handles batched members with per-member errors (v3+)', async () => {
    const h = await makeCoordinator()
    const { memberIds } = await stableGroup(h, 2)
    const res = await h.coordinator.leaveGroup({
      groupId: 'g',
      members: [
        { memberId: memberIds[0], groupInstanceId: null, reason: null },
        { memberId: 'unknown', groupInstanceId: null, reason: null },
        { memberId: memberIds[1], groupInstanceId: null, reason: null },
      ],
    })
    expect(res.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID, 0])
    // Everyone left: the rebalance completes at once into Empty.
    expect(h.coordinator.groupState('g')).toBe(GroupState.EMPTY)
    const missing = await h.coordinator.leaveGroup({ groupId: 'none', members: [{ memberId: 'x', groupInstanceId: null, reason: null }] })
    expect(missing.members[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('removes a pending member and a member parked in JoinGroup', async () => {
    const h = await makeCoordinator()
    const { memberIds } = await stableGroup(h, 1)
    const pending = await h.coordinator.joinGroup(joinReq({ requireKnownMemberId: true }))
    const parked = track(h.coordinator.joinGroup(joinReq({ memberId: memberIds[0] })))
    await flush()
    const res = await h.coordinator.leaveGroup({ groupId: 'g', members: [
      { memberId: pending.memberId, groupInstanceId: null, reason: null },
      { memberId: memberIds[0], groupInstanceId: null, reason: null },
    ] })
    await flush()
    expect(res.members.map((m) => m.errorCode)).toEqual([0, 0])
    expect(parked.value?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(h.coordinator.groupState('g')).toBe(GroupState.EMPTY)
  })

  it('empties the group after the last member leaves during PreparingRebalance', async () => {
    const h = await makeCoordinator()
    const { memberIds } = await joinWithMemberIdRequired(h).then(async ({ memberId, join }) => {
      h.timer.advance(0); await flush(); await h.coordinator.syncGroup(syncReq(memberId, 1, [])); await join.promise
      return { memberIds: [memberId] }
    })
    await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[0], groupInstanceId: null, reason: null }] })
    expect(h.coordinator.groupState('g')).toBe(GroupState.EMPTY)
    expect((await h.coordinator.describeGroups(['g']))[0]).toMatchObject({ groupState: 'Empty', members: [] })
  })
})

describe('regressions found by the property test', () => {
  it('parked SyncGroup of a member that leaves is answered (was never answered)', async () => {
    const h = await makeCoordinator()
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a' })))
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b' })))
    h.timer.advance(0)
    await flush()
    const follower = a.value!.leader === a.value!.memberId ? b.value!.memberId : a.value!.memberId
    const parked = track(h.coordinator.syncGroup(syncReq(follower, 1)))
    await flush()
    await h.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: follower, groupInstanceId: null, reason: null }] })
    await flush()
    expect(parked.value?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('a second JoinGroup while one is parked answers the first (was never answered)', async () => {
    const h = await makeCoordinator()
    const { memberIds } = await stableGroup(h, 2)
    const first = track(h.coordinator.joinGroup(joinReq({ memberId: memberIds[0] })))
    await flush()
    const second = track(h.coordinator.joinGroup(joinReq({ memberId: memberIds[0] })))
    await flush()
    expect(first.value?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(second.done).toBe(false)
    await h.coordinator.joinGroup(joinReq({ memberId: memberIds[1] }))
    await flush()
    expect(second.value).toMatchObject({ errorCode: 0, generationId: 2 })
  })
})
