// The group APIs on the wire, version by version, with raw requests (Brook's own codecs).
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { DeleteGroupsRequest } from '../../src/protocol/generated/delete-groups-request.js'
import { DeleteGroupsResponse } from '../../src/protocol/generated/delete-groups-response.js'
import { DescribeGroupsRequest } from '../../src/protocol/generated/describe-groups-request.js'
import { DescribeGroupsResponse } from '../../src/protocol/generated/describe-groups-response.js'
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js'
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js'
import { HeartbeatRequest } from '../../src/protocol/generated/heartbeat-request.js'
import { HeartbeatResponse } from '../../src/protocol/generated/heartbeat-response.js'
import { JoinGroupRequest } from '../../src/protocol/generated/join-group-request.js'
import { JoinGroupResponse } from '../../src/protocol/generated/join-group-response.js'
import { LeaveGroupRequest } from '../../src/protocol/generated/leave-group-request.js'
import { LeaveGroupResponse } from '../../src/protocol/generated/leave-group-response.js'
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js'
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js'
import { OffsetCommitRequest } from '../../src/protocol/generated/offset-commit-request.js'
import { OffsetCommitResponse } from '../../src/protocol/generated/offset-commit-response.js'
import { OffsetDeleteRequest } from '../../src/protocol/generated/offset-delete-request.js'
import { OffsetDeleteResponse } from '../../src/protocol/generated/offset-delete-response.js'
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js'
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js'
import { SyncGroupRequest } from '../../src/protocol/generated/sync-group-request.js'
import { SyncGroupResponse } from '../../src/protocol/generated/sync-group-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

const TOPIC = 'groups-raw'
const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 10, ...Buffer.from('groups-raw'), 0xff, 0xff, 0xff, 0xff]) }]

const join = (groupId: string, memberId = '', extra: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols, reason: null, ...extra,
})
const sync = (groupId: string, generationId: number, memberId: string, extra: Partial<SyncGroupRequest> = {}): SyncGroupRequest => ({
  groupId, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
  assignments: [{ memberId, assignment: Buffer.from('A') }], ...extra,
})
const commit = (groupId: string, generationIdOrMemberEpoch: number, memberId: string, topic = TOPIC): OffsetCommitRequest => ({
  groupId, generationIdOrMemberEpoch, memberId, groupInstanceId: null, retentionTimeMs: -1,
  topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'md' }] }],
})

describe('group APIs on the wire', () => {
  let broker: TestBroker
  let raw: RawKafkaClient
  let admin: Admin

  beforeAll(async () => {
    broker = await startTestBroker({ memory: true })
    admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] })
    raw = await RawKafkaClient.connect(broker.port)
  })

  afterAll(async () => {
    raw?.close()
    await admin?.disconnect()
    await broker?.stop()
  })

  it('removes the committed offsets of a deleted topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'raw-doomed', numPartitions: 1 }] })
    for (const topic of [TOPIC, 'raw-doomed']) {
      const r = await raw.request(OffsetCommitRequest, OffsetCommitResponse, 9, commit('raw-del-group', -1, '', topic))
      expect(r.topics[0].partitions[0].errorCode).toBe(0)
    }
    await admin.deleteTopics({ topics: ['raw-doomed'] })
    const f = await raw.request(OffsetFetchRequest, OffsetFetchResponse, 9, { groupId: '', topics: [], requireStable: true, groups: [
      { groupId: 'raw-del-group', memberId: null, memberEpoch: -1, topics: null },
    ] })
    expect(f.groups[0].topics.map((t) => t.name)).toEqual([TOPIC])
  })

  it('FindCoordinator: single key (v0-3), batched keys (v4+), transaction keys unavailable', async () => {
    const v0 = await raw.request(FindCoordinatorRequest, FindCoordinatorResponse, 0, { key: 'g', keyType: 0, coordinatorKeys: [] })
    expect(v0).toMatchObject({ errorCode: 0, nodeId: broker.broker.config.nodeId, host: '127.0.0.1', port: broker.port })
    const txn = await raw.request(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key: 't', keyType: 1, coordinatorKeys: [] })
    expect(txn.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    const v6 = await raw.request(FindCoordinatorRequest, FindCoordinatorResponse, 6, { key: '', keyType: 0, coordinatorKeys: ['a', 'b'] })
    expect(v6.coordinators.map((c) => [c.key, c.errorCode, c.port])).toEqual([['a', 0, broker.port], ['b', 0, broker.port]])
    const bad = await raw.request(FindCoordinatorRequest, FindCoordinatorResponse, 6, { key: '', keyType: 7, coordinatorKeys: ['a'] })
    expect(bad.coordinators[0].errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })

  it('JoinGroup v0 and SyncGroup v0: no MEMBER_ID_REQUIRED, non-nullable protocol name', async () => {
    const j = await raw.request(JoinGroupRequest, JoinGroupResponse, 0, join('raw-v0'))
    expect(j).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' })
    expect(j.leader).toBe(j.memberId)
    const s = await raw.request(SyncGroupRequest, SyncGroupResponse, 0, sync('raw-v0', 1, j.memberId))
    expect(s).toMatchObject({ errorCode: 0 })
    expect(s.assignment.toString()).toBe('A')
    const hb = await raw.request(HeartbeatRequest, HeartbeatResponse, 0, { groupId: 'raw-v0', generationId: 1, memberId: j.memberId, groupInstanceId: null })
    expect(hb.errorCode).toBe(0)
    const leave = await raw.request(LeaveGroupRequest, LeaveGroupResponse, 0, { groupId: 'raw-v0', memberId: 'nobody', members: [] })
    expect(leave.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID)
    const left = await raw.request(LeaveGroupRequest, LeaveGroupResponse, 1, { groupId: 'raw-v0', memberId: j.memberId, members: [] })
    expect(left.errorCode).toBe(0)
  })

  it('JoinGroup v9 / SyncGroup v5 / Heartbeat v4 / LeaveGroup v5', async () => {
    const first = await raw.request(JoinGroupRequest, JoinGroupResponse, 9, join('raw-v9'))
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED)
    const j = await raw.request(JoinGroupRequest, JoinGroupResponse, 9, join('raw-v9', first.memberId, { reason: 'test' }))
    expect(j).toMatchObject({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', skipAssignment: false })
    const missing = await raw.request(SyncGroupRequest, SyncGroupResponse, 5, sync('raw-v9', 1, j.memberId, { protocolType: null }))
    expect(missing.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    const s = await raw.request(SyncGroupRequest, SyncGroupResponse, 5, sync('raw-v9', 1, j.memberId))
    expect(s).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' })
    const stale = await raw.request(HeartbeatRequest, HeartbeatResponse, 4, { groupId: 'raw-v9', generationId: 0, memberId: j.memberId, groupInstanceId: null })
    expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    const leave = await raw.request(LeaveGroupRequest, LeaveGroupResponse, 5, { groupId: 'raw-v9', memberId: '', members: [
      { memberId: j.memberId, groupInstanceId: null, reason: 'done' }, { memberId: 'x', groupInstanceId: null, reason: null },
    ] })
    expect(leave.errorCode).toBe(0)
    expect(leave.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID])
  })

  it('OffsetCommit v2/v8/v9 and OffsetFetch v1/v7/v8', async () => {
    const simple = await raw.request(OffsetCommitRequest, OffsetCommitResponse, 2, { ...commit('raw-offsets', -1, ''), retentionTimeMs: 60_000 })
    expect(simple.topics[0].partitions[0].errorCode).toBe(0)
    const unknownTopic = await raw.request(OffsetCommitRequest, OffsetCommitResponse, 8, commit('raw-offsets', -1, '', 'no-such-topic'))
    expect(unknownTopic.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const v8 = await raw.request(OffsetCommitRequest, OffsetCommitResponse, 8, commit('raw-missing', 3, 'm'))
    expect(v8.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION)
    const v9 = await raw.request(OffsetCommitRequest, OffsetCommitResponse, 9, commit('raw-missing', 3, 'm'))
    expect(v9.topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND)

    const f1 = await raw.request(OffsetFetchRequest, OffsetFetchResponse, 1, { groupId: 'raw-offsets', topics: [{ name: TOPIC, partitionIndexes: [0, 1] }], groups: [], requireStable: false })
    expect(f1.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([[0, 5, 'md'], [1, -1, '']])
    const f7 = await raw.request(OffsetFetchRequest, OffsetFetchResponse, 7, { groupId: 'raw-offsets', topics: null, groups: [], requireStable: true })
    expect(f7).toMatchObject({ errorCode: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 5 }] }] })
    const f8 = await raw.request(OffsetFetchRequest, OffsetFetchResponse, 8, { groupId: '', topics: [], requireStable: true, groups: [
      { groupId: 'raw-offsets', memberId: null, memberEpoch: -1, topics: null },
      { groupId: 'raw-nothing', memberId: null, memberEpoch: -1, topics: [{ name: TOPIC, partitionIndexes: [0] }] },
    ] })
    expect(f8.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => t.partitions.map((p) => p.committedOffset))])).toEqual([
      ['raw-offsets', 0, [[5]]], ['raw-nothing', 0, [[-1]]],
    ])
  })

  it('DescribeGroups, ListGroups, OffsetDelete and DeleteGroups across versions', async () => {
    await raw.request(OffsetCommitRequest, OffsetCommitResponse, 9, commit('raw-admin', -1, ''))
    const d0 = await raw.request(DescribeGroupsRequest, DescribeGroupsResponse, 0, { groups: ['raw-admin', 'raw-none'], includeAuthorizedOperations: false })
    expect(d0.groups.map((g) => [g.groupId, g.errorCode, g.groupState])).toEqual([['raw-admin', 0, 'Empty'], ['raw-none', 0, 'Dead']])
    const d5 = await raw.request(DescribeGroupsRequest, DescribeGroupsResponse, 5, { groups: ['raw-admin'], includeAuthorizedOperations: true })
    expect(d5.groups[0].authorizedOperations).toBeGreaterThan(0)
    const l0 = await raw.request(ListGroupsRequest, ListGroupsResponse, 0, { statesFilter: [], typesFilter: [] })
    expect(l0.groups.map((g) => g.groupId)).toContain('raw-admin')
    const l4 = await raw.request(ListGroupsRequest, ListGroupsResponse, 4, { statesFilter: ['Stable'], typesFilter: [] })
    expect(l4.groups.map((g) => g.groupId)).not.toContain('raw-admin')
    const l5 = await raw.request(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: ['empty'], typesFilter: ['classic'] })
    expect(l5.groups.find((g) => g.groupId === 'raw-admin')).toEqual({ groupId: 'raw-admin', protocolType: '', groupState: 'Empty', groupType: 'classic' })
    const od = await raw.request(OffsetDeleteRequest, OffsetDeleteResponse, 0, { groupId: 'raw-admin', topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0 }] }, { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
    ] })
    expect(od.topics.map((t) => t.partitions[0].errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const dg = await raw.request(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: ['raw-admin', 'raw-none'] })
    expect(dg.results).toEqual([{ groupId: 'raw-admin', errorCode: 0 }, { groupId: 'raw-none', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }])
  })
})
