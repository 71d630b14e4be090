import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { GroupState } from '../../src/coordinator/group-state.js'
import { consumerProtocols, flush, joinReq, joinWithMemberIdRequired, makeCoordinator, stableGroup, syncReq, track } from './harness.js'

describe('JoinGroup / SyncGroup', () => {
  it('walks Empty -> PreparingRebalance -> CompletingRebalance -> Stable with MEMBER_ID_REQUIRED first', async () => {
    const h = await makeCoordinator()
    const { memberId, join } = await joinWithMemberIdRequired(h)
    expect(memberId).toBe('client-uuid1')
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    expect(join.done).toBe(false) // the initial rebalance completes on its (0 ms) delay timer
    h.timer.advance(0)
    await flush()
    expect(join.value).toMatchObject({ errorCode: 0, generationId: 1, leader: memberId, memberId, protocolName: 'range', protocolType: 'consumer' })
    expect(join.value?.members.map((m) => m.memberId)).toEqual([memberId])
    expect(h.coordinator.groupState('g')).toBe(GroupState.COMPLETING_REBALANCE)

    const sync = await h.coordinator.syncGroup(syncReq(memberId, 1, [{ memberId, assignment: Buffer.from('a1') }]))
    expect(sync).toMatchObject({ errorCode: 0, protocolName: 'range', protocolType: 'consumer' })
    expect(sync.assignment.toString()).toBe('a1')
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })

  it('adds a member directly when the client cannot handle MEMBER_ID_REQUIRED (v0-3)', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq()))
    h.timer.advance(0)
    await flush()
    expect(join.value).toMatchObject({ errorCode: 0, generationId: 1 })
  })

  it('rejects bad session timeouts, empty group ids and inconsistent protocols', async () => {
    const h = await makeCoordinator({ config: { groupMinSessionTimeoutMs: 1000, groupMaxSessionTimeoutMs: 5000 } })
    expect((await h.coordinator.joinGroup(joinReq({ sessionTimeoutMs: 999 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await h.coordinator.joinGroup(joinReq({ sessionTimeoutMs: 5001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await h.coordinator.joinGroup(joinReq({ groupId: '', sessionTimeoutMs: 2000 }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
    expect((await h.coordinator.joinGroup(joinReq({ protocols: [], sessionTimeoutMs: 2000 }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    await stableGroup(h, 1, { sessionTimeoutMs: 2000 })
    const otherType = await h.coordinator.joinGroup(joinReq({ protocolType: 'connect', sessionTimeoutMs: 2000 }))
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    const noCommon = await h.coordinator.joinGroup(joinReq({ protocols: consumerProtocols(['t'], ['sticky']), sessionTimeoutMs: 2000 }))
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  })

  it('answers UNKNOWN_MEMBER_ID to a member id for a group that does not exist', async () => {
    const h = await makeCoordinator()
    const r = await h.coordinator.joinGroup(joinReq({ memberId: 'ghost' }))
    expect(r.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('selects the protocol by vote among the protocols every member supports', async () => {
    const h = await makeCoordinator()
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a', protocols: consumerProtocols(['t'], ['range', 'roundrobin', 'sticky']) })))
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b', protocols: consumerProtocols(['t'], ['sticky', 'roundrobin']) })))
    const c = track(h.coordinator.joinGroup(joinReq({ clientId: 'c', protocols: consumerProtocols(['t'], ['roundrobin', 'sticky']) })))
    h.timer.advance(0)
    await flush()
    // candidates: roundrobin, sticky; votes: a->roundrobin, b->sticky, c->roundrobin
    expect(a.value?.protocolName).toBe('roundrobin')
    expect(b.value?.protocolName).toBe('roundrobin')
    expect(c.value?.errorCode).toBe(0)
  })

  it('gives the leader the member list and followers none; followers wait for the leader assignment', async () => {
    const h = await makeCoordinator()
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a' })))
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b' })))
    h.timer.advance(0)
    await flush()
    const leader = a.value!.leader
    expect(leader).toBe(a.value!.memberId)
    expect(a.value!.members).toHaveLength(2)
    expect(b.value!.members).toHaveLength(0)
    const followerSync = track(h.coordinator.syncGroup(syncReq(b.value!.memberId, 1)))
    await flush()
    expect(followerSync.done).toBe(false)
    const leaderSync = await h.coordinator.syncGroup(syncReq(leader, 1, [
      { memberId: leader, assignment: Buffer.from('A') }, { memberId: b.value!.memberId, assignment: Buffer.from('B') },
    ]))
    await flush()
    expect(leaderSync.assignment.toString()).toBe('A')
    expect(followerSync.value?.assignment.toString()).toBe('B')
    // A late sync in Stable gets the stored assignment.
    const again = await h.coordinator.syncGroup(syncReq(b.value!.memberId, 1))
    expect(again.assignment.toString()).toBe('B')
  })

  it('releases SyncGroup only after the assignment is written', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq()))
    h.timer.advance(0)
    await flush()
    const memberId = join.value!.memberId
    const release = h.log.holdAppends()
    const sync = track(h.coordinator.syncGroup(syncReq(memberId, 1, [{ memberId, assignment: Buffer.from('x') }])))
    await flush()
    expect(sync.done).toBe(false)
    expect(h.coordinator.groupState('g')).toBe(GroupState.COMPLETING_REBALANCE)
    release()
    await flush()
    expect(sync.value?.errorCode).toBe(0)
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })

  it('fails the sync with a coordinator error when the assignment cannot be written', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq()))
    h.timer.advance(0)
    await flush()
    const memberId = join.value!.memberId
    h.log.failNextAppends = { count: 1, errorCode: ErrorCode.KAFKA_STORAGE_ERROR }
    const sync = await h.coordinator.syncGroup(syncReq(memberId, 1, [{ memberId, assignment: Buffer.from('x') }]))
    expect(sync.errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
  })

  it('checks SyncGroup generation, member and protocol (v5)', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 1)
    const m = memberIds[0]
    expect((await h.coordinator.syncGroup(syncReq(m, generationId + 1))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    expect((await h.coordinator.syncGroup(syncReq('nobody', generationId))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await h.coordinator.syncGroup(syncReq(m, generationId, [], 'nogroup'))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    expect((await h.coordinator.syncGroup({ ...syncReq(m, generationId), protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await h.coordinator.syncGroup({ ...syncReq(m, generationId), protocolName: 'roundrobin' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    expect((await h.coordinator.syncGroup({ ...syncReq(m, generationId), protocolType: 'consumer', protocolName: 'range' })).errorCode).toBe(0)
    expect((await h.coordinator.syncGroup({ ...syncReq(m, generationId), groupId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID)
  })

  it('rebalances when a member joins a Stable group; heartbeats answer REBALANCE_IN_PROGRESS meanwhile', async () => {
    const h = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(h, 2)
    const newcomer = track(h.coordinator.joinGroup(joinReq({ clientId: 'new' })))
    await flush()
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    expect((await h.coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0], groupInstanceId: null })).errorCode)
      .toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    const rejoins = memberIds.map((memberId) => track(h.coordinator.joinGroup(joinReq({ memberId }))))
    await flush()
    expect(newcomer.value).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
    for (const r of rejoins) expect(r.value).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
    expect(h.coordinator.groupState('g')).toBe(GroupState.COMPLETING_REBALANCE)
    // Heartbeats during CompletingRebalance are fine.
    expect((await h.coordinator.heartbeat({ groupId: 'g', generationId: generationId + 1, memberId: memberIds[1], groupInstanceId: null })).errorCode).toBe(0)
  })

  it('restarts the rebalance when a member joins during CompletingRebalance, failing parked syncs', async () => {
    const h = await makeCoordinator()
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a' })))
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b' })))
    h.timer.advance(0)
    await flush()
    const followerId = a.value!.leader === a.value!.memberId ? b.value!.memberId : a.value!.memberId
    const leaderId = a.value!.leader
    const followerSync = track(h.coordinator.syncGroup(syncReq(followerId, 1)))
    await flush()
    expect(followerSync.done).toBe(false)
    const c = track(h.coordinator.joinGroup(joinReq({ clientId: 'c' })))
    await flush()
    expect(followerSync.value?.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS)
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    // A member that rejoins with unchanged metadata during CompletingRebalance gets the current generation.
    const r1 = track(h.coordinator.joinGroup(joinReq({ memberId: leaderId })))
    const r2 = track(h.coordinator.joinGroup(joinReq({ memberId: followerId })))
    await flush()
    expect(c.value?.generationId).toBe(2)
    expect(r1.value?.generationId).toBe(2)
    expect(r2.value?.generationId).toBe(2)
    const again = await h.coordinator.joinGroup(joinReq({ memberId: followerId }))
    expect(again).toMatchObject({ errorCode: 0, generationId: 2, members: [] })
  })

  it('a leader rejoining a Stable group forces a rebalance, a follower with unchanged metadata does not', async () => {
    const h = await makeCoordinator()
    const { memberIds, leader, generationId } = await stableGroup(h, 2)
    const follower = memberIds.find((m) => m !== leader)!
    const followerJoin = await h.coordinator.joinGroup(joinReq({ memberId: follower }))
    expect(followerJoin).toMatchObject({ errorCode: 0, generationId, leader })
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
    const leaderJoin = track(h.coordinator.joinGroup(joinReq({ memberId: leader })))
    await flush()
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    expect(leaderJoin.done).toBe(false)
  })

  it('waits for the initial rebalance delay and extends it for each new member', async () => {
    const h = await makeCoordinator({ config: { groupInitialRebalanceDelayMs: 3000 } })
    const a = track(h.coordinator.joinGroup(joinReq({ clientId: 'a' })))
    h.timer.advance(2000)
    const b = track(h.coordinator.joinGroup(joinReq({ clientId: 'b' })))
    h.timer.advance(1000) // first delay ends, but b extended it
    await flush()
    expect(a.done).toBe(false)
    h.timer.advance(3000)
    await flush()
    expect(a.value?.generationId).toBe(1)
    expect(b.value?.generationId).toBe(1)
    expect(a.value?.members).toHaveLength(2)
  })

  it('enforces group.max.size', async () => {
    const h = await makeCoordinator({ config: { groupMaxSize: 2 } })
    await stableGroup(h, 2)
    const third = await h.coordinator.joinGroup(joinReq({ clientId: 'c' }))
    expect(third.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED)
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })
})
