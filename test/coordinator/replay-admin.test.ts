import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { GroupState } from '../../src/coordinator/group-state.js'
import {
  decodeGroupRecord, encodeGroupMetadataValue, groupMetadataKey, GroupRecordError, offsetCommitRecord,
} from '../../src/coordinator/records.js'
import { flush, joinReq, makeCoordinator, stableGroup, syncReq, track } from './harness.js'

const commit = (groupId: string, generationId: number, memberId: string, offset: number, metadata: string | null = 'm') => ({
  groupId, generationId, memberId, groupInstanceId: null, retentionTimeMs: -1, reportGroupIdNotFound: true,
  topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 7, committedMetadata: metadata }] }],
})

describe('replay after restart', () => {
  it('a new coordinator on the same log has the offsets, groups and members', async () => {
    const first = await makeCoordinator()
    const { memberIds, generationId, leader } = await stableGroup(first, 2, { sessionTimeoutMs: 10_000 })
    await first.coordinator.commitOffsets(commit('g', generationId, memberIds[0], 42, 'meta-ü'))
    await first.coordinator.commitOffsets(commit('simple', -1, '', 7, null))
    await first.coordinator.commitOffsets(commit('gone', -1, '', 1))
    await first.coordinator.deleteGroups(['gone'])
    await first.coordinator.close()

    const second = await makeCoordinator({ log: first.log, startMs: first.timer.now() + 1000 })
    const [g, simple, gone] = await second.coordinator.fetchOffsets([
      { groupId: 'g', topics: null }, { groupId: 'simple', topics: null }, { groupId: 'gone', topics: null },
    ])
    expect(g.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 7, metadata: 'meta-ü', errorCode: 0 }] }])
    expect(simple.topics[0].partitions[0]).toMatchObject({ committedOffset: 7, metadata: '' })
    expect(gone.topics).toEqual([])
    expect(second.coordinator.groupState('g')).toBe(GroupState.STABLE)
    expect(second.coordinator.groupState('gone')).toBeUndefined()
    const [described] = await second.coordinator.describeGroups(['g'])
    expect(described).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described.members.map((m) => m.memberId).sort()).toEqual([...memberIds].sort())
    expect(described.members.find((m) => m.memberId === leader)?.memberAssignment.toString()).toBe(`assign-${leader}`)

    // The members carry on in the same generation after the restart.
    second.timer.advance(5000)
    expect((await second.coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0], groupInstanceId: null })).errorCode).toBe(0)
    // The one that never heartbeats again is expired and the group rebalances.
    second.timer.advance(5000)
    expect(second.coordinator.groupState('g')).toBe(GroupState.PREPARING_REBALANCE)
    const rejoin = await second.coordinator.joinGroup(joinReq({ memberId: memberIds[0] }))
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: generationId + 1 })
  })

  it('replays the empty state of a group whose members all left, and its generation', async () => {
    const first = await makeCoordinator()
    const { memberIds, generationId } = await stableGroup(first, 1)
    await first.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[0], groupInstanceId: null, reason: null }] })
    await flush()
    const second = await makeCoordinator({ log: first.log })
    expect(second.coordinator.groupState('g')).toBe(GroupState.EMPTY)
    const join = track(second.coordinator.joinGroup(joinReq()))
    second.timer.advance(0)
    await flush()
    expect(join.value?.generationId).toBe(generationId + 2) // +1 for the empty generation, +1 now
  })

  it('answers COORDINATOR_LOAD_IN_PROGRESS before start and NOT_COORDINATOR after close', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq()))
    await flush()
    await h.coordinator.close()
    await flush()
    expect(join.value?.errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect((await h.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'x', groupInstanceId: null })).errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    const { GroupCoordinator } = await import('../../src/coordinator/group-coordinator.js')
    const { InMemoryGroupLog } = await import('../../src/coordinator/group-log.js')
    const notStarted = new GroupCoordinator({ log: new InMemoryGroupLog() })
    expect((await notStarted.joinGroup(joinReq())).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  })
})

describe('group records', () => {
  it('round-trip and reject malformed input', () => {
    const rec = offsetCommitRecord('g', 'topic', 3, { committedOffset: 2 ** 40, leaderEpoch: -1, metadata: null, commitTimestampMs: 123, expireTimestampMs: null })
    expect(decodeGroupRecord(rec.key, rec.value)).toEqual({
      type: 'offset', groupId: 'g', topic: 'topic', partition: 3,
      value: { committedOffset: 2 ** 40, leaderEpoch: -1, metadata: null, commitTimestampMs: 123, expireTimestampMs: null },
    })
    const value = encodeGroupMetadataValue({
      protocolType: 'consumer', generationId: 5, protocolName: 'range', leader: 'm1', currentStateTimestampMs: 99,
      members: [{ memberId: 'm1', groupInstanceId: 'i', clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 1, sessionTimeoutMs: 2,
        protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }], assignment: Buffer.from([3]) }],
    })
    const decoded = decodeGroupRecord(groupMetadataKey('g'), value)
    expect(decoded).toMatchObject({ type: 'group', groupId: 'g', value: { generationId: 5, leader: 'm1', members: [{ groupInstanceId: 'i' }] } })
    expect(decodeGroupRecord(groupMetadataKey('g'), null)).toEqual({ type: 'group', groupId: 'g', value: null })
    expect(() => decodeGroupRecord(groupMetadataKey('g'), value.subarray(0, value.length - 2))).toThrow(GroupRecordError)
    expect(() => decodeGroupRecord(Buffer.from([0]), null)).toThrow(GroupRecordError)
    expect(decodeGroupRecord(Buffer.from([0, 9, 0, 0]), null)).toBeNull() // unknown key type: skipped
  })
})

describe('ListGroups and DescribeGroups', () => {
  it('lists with state and type filters, case-insensitively', async () => {
    const h = await makeCoordinator()
    await stableGroup(h, 1, { groupId: 'stable' })
    await h.coordinator.commitOffsets(commit('simple', -1, '', 1))
    const all = await h.coordinator.listGroups({ statesFilter: [], typesFilter: [] })
    expect(all.groups).toEqual([
      { groupId: 'stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ])
    expect((await h.coordinator.listGroups({ statesFilter: ['empty'], typesFilter: [] })).groups.map((g) => g.groupId)).toEqual(['simple'])
    expect((await h.coordinator.listGroups({ statesFilter: ['STABLE', 'Empty'], typesFilter: ['Classic'] })).groups).toHaveLength(2)
    expect((await h.coordinator.listGroups({ statesFilter: [], typesFilter: ['consumer'] })).groups).toHaveLength(0)
  })

  it('describes members, their metadata once stable, and unknown groups as Dead', async () => {
    const h = await makeCoordinator()
    const join = track(h.coordinator.joinGroup(joinReq({ clientId: 'cli', groupInstanceId: 'inst' })))
    h.timer.advance(0)
    await flush()
    const memberId = join.value!.memberId
    const [completing] = await h.coordinator.describeGroups(['g'])
    expect(completing).toMatchObject({ groupState: 'CompletingRebalance', protocolData: '' })
    expect(completing.members[0].memberMetadata.length).toBe(0)
    await h.coordinator.syncGroup({ ...syncReq(memberId, 1, [{ memberId, assignment: Buffer.from('as') }]), groupInstanceId: 'inst' })
    const [stable, missing] = await h.coordinator.describeGroups(['g', 'missing'])
    expect(stable).toMatchObject({ groupId: 'g', errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(stable.members[0]).toMatchObject({ memberId, groupInstanceId: 'inst', clientId: 'cli', clientHost: '/127.0.0.1' })
    expect(stable.members[0].memberMetadata.length).toBeGreaterThan(0)
    expect(stable.members[0].memberAssignment.toString()).toBe('as')
    expect(missing).toEqual({ groupId: 'missing', errorCode: 0, groupState: 'Dead', protocolType: '', protocolData: '', members: [] })
  })
})
