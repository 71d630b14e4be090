import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { GroupState } from '../../src/coordinator/group-state.js'
import { consumerProtocols, flush, joinReq, makeCoordinator, syncReq, track, type Harness } from './harness.js'

async function stableStatic(h: Harness, instanceIds: string[], opts: { sessionTimeoutMs?: number } = {}) {
  const joins = instanceIds.map((id) => track(h.coordinator.joinGroup(joinReq({
    groupInstanceId: id, clientId: id, requireKnownMemberId: true, sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
  }))))
  h.timer.advance(0)
  await flush()
  const results = joins.map((j) => j.value!)
  const leader = results[0].leader
  const syncs = results.map((r) => h.coordinator.syncGroup({
    ...syncReq(r.memberId, r.generationId, r.memberId === leader ? results.map((x) => ({ memberId: x.memberId, assignment: Buffer.from(`a-${x.memberId}`) })) : []),
    groupInstanceId: instanceIds[results.indexOf(r)],
  }))
  await flush()
  await Promise.all(syncs)
  return { results, leader, generationId: results[0].generationId }
}

describe('static membership', () => {
  it('static members join without MEMBER_ID_REQUIRED and get ids derived from their instance id', async () => {
    const h = await makeCoordinator()
    const { results } = await stableStatic(h, ['i1', 'i2'])
    expect(results.map((r) => r.errorCode)).toEqual([0, 0])
    expect(results[0].memberId).toMatch(/^i1-/)
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })

  it('replaces a restarted static member without a rebalance and fences the old member id', async () => {
    const h = await makeCoordinator()
    const { results, generationId } = await stableStatic(h, ['i1', 'i2'])
    const follower = results[1]
    const rejoin = await h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i2', clientId: 'i2', requireKnownMemberId: true }))
    expect(rejoin).toMatchObject({ errorCode: 0, generationId, members: [] })
    expect(rejoin.memberId).not.toBe(follower.memberId)
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
    // The new id gets the old member's assignment.
    const sync = await h.coordinator.syncGroup({ ...syncReq(rejoin.memberId, generationId), groupInstanceId: 'i2' })
    expect(sync.assignment.toString()).toBe(`a-${follower.memberId}`)
    // The old id is fenced.
    const stale = await h.coordinator.heartbeat({ groupId: 'g', generationId, memberId: follower.memberId, groupInstanceId: 'i2' })
    expect(stale.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
    const staleCommit = await h.coordinator.commitOffsets({
      groupId: 'g', generationId, memberId: follower.memberId, groupInstanceId: 'i2', retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
      reportGroupIdNotFound: true,
    })
    expect(staleCommit.topics[0].partitions[0].errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
  })

  it('a replaced static leader on v9 gets the members with skipAssignment; older versions do not see themselves as leader', async () => {
    const h = await makeCoordinator()
    const { results } = await stableStatic(h, ['i1', 'i2'])
    const oldLeader = results[0]
    const v9 = await h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i1', clientId: 'i1', requireKnownMemberId: true, supportsSkipAssignment: true }))
    expect(v9).toMatchObject({ errorCode: 0, skipAssignment: true, leader: v9.memberId })
    expect(v9.members).toHaveLength(2)
    const old = await h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i1', clientId: 'i1', requireKnownMemberId: true }))
    expect(old).toMatchObject({ errorCode: 0, skipAssignment: false, leader: v9.memberId, members: [] })
    expect(oldLeader.memberId).not.toBe(v9.memberId)
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
  })

  it('rebalances when the replaced static member changes the selected protocol', async () => {
    const h = await makeCoordinator()
    const first = track(h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i1', protocols: consumerProtocols(['t'], ['range', 'roundrobin']) })))
    h.timer.advance(0)
    await flush()
    const memberId = first.value!.memberId
    await h.coordinator.syncGroup({ ...syncReq(memberId, 1, [{ memberId, assignment: Buffer.from('x') }]), groupInstanceId: 'i1' })
    expect(h.coordinator.groupState('g')).toBe(GroupState.STABLE)
    // Still supports range, but now prefers roundrobin: the vote changes.
    const join = track(h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i1', protocols: consumerProtocols(['t'], ['roundrobin', 'range']) })))
    await flush()
    expect(h.coordinator.groupState('g')).not.toBe(GroupState.STABLE)
    h.timer.advance(0)
    await flush()
    expect(join.value).toMatchObject({ errorCode: 0, generationId: 2, protocolName: 'roundrobin' })
  })

  it('fences a parked JoinGroup of the old static member id', async () => {
    const h = await makeCoordinator()
    const { results } = await stableStatic(h, ['i1', 'i2'])
    // i1 (leader) rejoins to start a rebalance; while parked, a new i1 instance appears.
    const parked = track(h.coordinator.joinGroup(joinReq({ memberId: results[0].memberId, groupInstanceId: 'i1' })))
    await flush()
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    const replacement = track(h.coordinator.joinGroup(joinReq({ groupInstanceId: 'i1' })))
    await flush()
    expect(parked.value?.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
    // i2 rejoins: the join phase completes with the replacement.
    const i2 = track(h.coordinator.joinGroup(joinReq({ memberId: results[1].memberId, groupInstanceId: 'i2' })))
    await flush()
    expect(replacement.value).toMatchObject({ errorCode: 0, generationId: 2 })
    expect(i2.value).toMatchObject({ errorCode: 0, generationId: 2 })
  })

  it('keeps static members that did not rejoin through the join phase, until their session expires', async () => {
    const h = await makeCoordinator()
    const { results } = await stableStatic(h, ['i1', 'i2'], { sessionTimeoutMs: 40_000 })
    const join = track(h.coordinator.joinGroup(joinReq({ memberId: results[0].memberId, groupInstanceId: 'i1', sessionTimeoutMs: 40_000 })))
    h.timer.advance(30_000) // the group's rebalance timeout (the members' maximum)
    await flush()
    // Rebalance timeout: i2 did not rejoin but is static, so it stays in the new generation.
    expect(join.value?.members.map((m) => m.groupInstanceId).sort()).toEqual(['i1', 'i2'])
    const describe = await h.coordinator.describeGroups(['g'])
    expect(describe[0].members).toHaveLength(2)
  })

  it('rejects a static member with an unknown or mismatched member id', async () => {
    const h = await makeCoordinator()
    const { results, generationId } = await stableStatic(h, ['i1'])
    const mismatched = await h.coordinator.joinGroup(joinReq({ memberId: 'someone-else', groupInstanceId: 'i1' }))
    expect(mismatched.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID)
    const unknown = await h.coordinator.heartbeat({ groupId: 'g', generationId, memberId: results[0].memberId, groupInstanceId: 'i9' })
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('LeaveGroup removes a static member by instance id alone', async () => {
    const h = await makeCoordinator()
    await stableStatic(h, ['i1', 'i2'])
    const res = await h.coordinator.leaveGroup({ groupId: 'g', members: [
      { memberId: '', groupInstanceId: 'i2', reason: 'admin' },
      { memberId: '', groupInstanceId: 'i9', reason: null },
    ] })
    expect(res.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID])
    expect(h.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
  })
})
