// CreatePartitions, DeleteRecords, OffsetForLeaderEpoch, DescribeLogDirs, DescribeProducers,
// ListPartitionReassignments and ElectLeaders on the wire, with raw requests.
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js'
import { CreatePartitionsRequest } from '../../src/protocol/generated/create-partitions-request.js'
import { CreatePartitionsResponse } from '../../src/protocol/generated/create-partitions-response.js'
import { DeleteRecordsRequest } from '../../src/protocol/generated/delete-records-request.js'
import { DeleteRecordsResponse } from '../../src/protocol/generated/delete-records-response.js'
import { DescribeLogDirsRequest } from '../../src/protocol/generated/describe-log-dirs-request.js'
import { DescribeLogDirsResponse } from '../../src/protocol/generated/describe-log-dirs-response.js'
import { DescribeProducersRequest } from '../../src/protocol/generated/describe-producers-request.js'
import { DescribeProducersResponse } from '../../src/protocol/generated/describe-producers-response.js'
import { ElectLeadersRequest } from '../../src/protocol/generated/elect-leaders-request.js'
import { ElectLeadersResponse } from '../../src/protocol/generated/elect-leaders-response.js'
import { ListPartitionReassignmentsRequest } from '../../src/protocol/generated/list-partition-reassignments-request.js'
import { ListPartitionReassignmentsResponse } from '../../src/protocol/generated/list-partition-reassignments-response.js'
import { OffsetForLeaderEpochRequest } from '../../src/protocol/generated/offset-for-leader-epoch-request.js'
import { OffsetForLeaderEpochResponse } from '../../src/protocol/generated/offset-for-leader-epoch-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { appendRecords, createTopic } from '../helpers/admin.js'

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker()
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client.close()
  await tb.stop()
})

const logs = () => tb.broker.services.logs

describe('ApiVersions', () => {
  it('advertises the admin APIs with the versions versions.md gives', async () => {
    const res = await client.request(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'brook-test', clientSoftwareVersion: '1' })
    const range = (key: number) => {
      const k = res.apiKeys.find((a) => a.apiKey === key)
      return k ? [k.minVersion, k.maxVersion] : null
    }
    expect(range(32)).toEqual([1, 4])
    expect(range(33)).toEqual([0, 2])
    expect(range(44)).toEqual([0, 1])
    expect(range(37)).toEqual([0, 3])
    expect(range(21)).toEqual([0, 2])
    expect(range(23)).toEqual([2, 4])
    expect(range(35)).toEqual([1, 4])
    expect(range(75)).toEqual([0, 0])
    expect(range(61)).toEqual([0, 0])
    expect(range(46)).toEqual([0, 0])
    expect(range(43)).toEqual([0, 2])
  })
})

describe('CreatePartitions', () => {
  function createPartitions(version: number, topics: { name: string; count: number; assignments?: number[][] | null }[], validateOnly = false) {
    return client.request(CreatePartitionsRequest, CreatePartitionsResponse, version, {
      topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments ? t.assignments.map((brokerIds) => ({ brokerIds })) : null })),
      timeoutMs: 5000,
      validateOnly,
    })
  }

  it.each([0, 1, 2, 3])('v%i grows a topic; the new partitions take records at once', async (version) => {
    const name = `grow-v${version}`
    await createTopic(tb, name, 1)
    const res = await createPartitions(version, [{ name, count: 3 }])
    expect(res.results).toEqual([{ name, errorCode: ErrorCode.NONE, errorMessage: null }])
    expect(logs().getTopic(name)!.partitions).toHaveLength(3)
    expect(await appendRecords(tb, name, 2, 2)).toBe(0)
    expect(logs().getPartition(name, 2)!.highWatermark).toBe(2)
  })

  it('only increases: same or lower count is INVALID_PARTITIONS, unknown topic UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await createTopic(tb, 'grow-two', 2)
    const res = await createPartitions(3, [
      { name: 'grow-two', count: 2 },
      { name: 'grow-missing', count: 4 },
    ])
    expect(res.results[0]).toEqual({ name: 'grow-two', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 2 partition(s).' })
    expect(res.results[1].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const lower = await createPartitions(3, [{ name: 'grow-two', count: 1 }])
    expect(lower.results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'The topic grow-two currently has 2 partition(s); 1 would not be an increase.',
    })
  })

  it('accepts assignments naming this node only, one per new partition', async () => {
    await createTopic(tb, 'grow-assign', 1)
    const bad = await createPartitions(2, [{ name: 'grow-assign', count: 3, assignments: [[1], [2]] }])
    expect(bad.results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'The manual partition assignment includes broker 2, but no broker with that id is registered.',
    })
    const short = await createPartitions(2, [{ name: 'grow-assign', count: 3, assignments: [[1]] }])
    expect(short.results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
    })
    const twice = await createPartitions(2, [{ name: 'grow-assign', count: 2, assignments: [[1, 1]] }])
    expect(twice.results[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    expect(logs().getTopic('grow-assign')!.partitions).toHaveLength(1)
    const ok = await createPartitions(2, [{ name: 'grow-assign', count: 3, assignments: [[1], [1]] }])
    expect(ok.results[0].errorCode).toBe(ErrorCode.NONE)
    expect(logs().getTopic('grow-assign')!.partitions).toHaveLength(3)
  })

  it('validateOnly checks without growing; duplicates and huge counts are refused', async () => {
    await createTopic(tb, 'grow-validate', 1)
    const res = await createPartitions(3, [{ name: 'grow-validate', count: 5 }], true)
    expect(res.results[0].errorCode).toBe(ErrorCode.NONE)
    expect(logs().getTopic('grow-validate')!.partitions).toHaveLength(1)
    const dup = await createPartitions(3, [
      { name: 'grow-validate', count: 2 },
      { name: 'grow-validate', count: 3 },
    ])
    expect(dup.results).toEqual([{ name: 'grow-validate', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' }])
    const huge = await createPartitions(3, [{ name: 'grow-validate', count: 2_000_000_000 }])
    expect(huge.results[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION)
    expect(logs().getTopic('grow-validate')!.partitions).toHaveLength(1)
  })
})

describe('DeleteRecords', () => {
  function deleteRecords(version: number, topic: string, partitions: [partitionIndex: number, offset: number][]) {
    return client.request(DeleteRecordsRequest, DeleteRecordsResponse, version, {
      topics: [{ name: topic, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }],
      timeoutMs: 5000,
    })
  }

  it.each([0, 1, 2])('v%i moves the log start offset and answers the low watermark', async (version) => {
    const name = `delrec-v${version}`
    await createTopic(tb, name, 2)
    await appendRecords(tb, name, 0, 10)
    await appendRecords(tb, name, 1, 5)
    const res = await deleteRecords(version, name, [
      [0, 4],
      [1, -1],
      [2, 0],
    ])
    expect(res.topics[0].partitions).toEqual([
      { partitionIndex: 0, lowWatermark: 4, errorCode: ErrorCode.NONE },
      { partitionIndex: 1, lowWatermark: 5, errorCode: ErrorCode.NONE },
      { partitionIndex: 2, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ])
    expect(logs().getPartition(name, 0)!.logStartOffset).toBe(4)
    // Fetching below the new start is out of range now.
    expect((await logs().getPartition(name, 0)!.read(2, { maxBytes: 1 << 20, minOneMessage: true })).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    // Going back is a no-op that still answers the current low watermark.
    const back = await deleteRecords(version, name, [[0, 1]])
    expect(back.topics[0].partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 4, errorCode: ErrorCode.NONE })
  })

  it('refuses offsets beyond the high watermark, on compacted topics and on unknown topics', async () => {
    await createTopic(tb, 'delrec-range', 1)
    await appendRecords(tb, 'delrec-range', 0, 3)
    const beyond = await deleteRecords(2, 'delrec-range', [[0, 4]])
    expect(beyond.topics[0].partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE })
    const negative = await deleteRecords(2, 'delrec-range', [[0, -7]])
    expect(negative.topics[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE)
    await createTopic(tb, 'delrec-compact', 1, { 'cleanup.policy': 'compact' })
    const compacted = await deleteRecords(2, 'delrec-compact', [[0, 0]])
    expect(compacted.topics[0].partitions[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION)
    const missing = await deleteRecords(2, 'delrec-missing', [[0, 0]])
    expect(missing.topics[0]).toEqual({ name: 'delrec-missing', partitions: [{ partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] })
  })
})

describe('OffsetForLeaderEpoch', () => {
  function epochs(version: number, topic: string, partitions: [partition: number, currentLeaderEpoch: number, leaderEpoch: number][]) {
    return client.request(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, version, {
      replicaId: -1,
      topics: [{ topic, partitions: partitions.map(([partition, currentLeaderEpoch, leaderEpoch]) => ({ partition, currentLeaderEpoch, leaderEpoch })) }],
    })
  }

  it.each([2, 3, 4])('v%i: epoch 0 ends at the log end offset; newer epochs are unknown', async (version) => {
    const name = `ofle-v${version}`
    await createTopic(tb, name, 2)
    await appendRecords(tb, name, 0, 7)
    const res = await epochs(version, name, [
      [0, 0, 0],
      [1, -1, 0],
      [0, 0, 1],
      [0, 0, -1],
      [5, -1, 0],
    ])
    expect(res.topics[0].partitions).toEqual([
      { errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 0, endOffset: 7 },
      { errorCode: ErrorCode.NONE, partition: 1, leaderEpoch: 0, endOffset: 0 },
      { errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: -1, endOffset: -1 },
      { errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: -1, endOffset: -1 },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partition: 5, leaderEpoch: -1, endOffset: -1 },
    ])
  })

  it('checks the current leader epoch: newer is UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH', async () => {
    await createTopic(tb, 'ofle-fence', 1)
    const res = await epochs(4, 'ofle-fence', [
      [0, 3, 0],
      [0, -2, 0],
    ])
    expect(res.topics[0].partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.FENCED_LEADER_EPOCH])
    const missing = await epochs(4, 'ofle-missing', [[0, 0, 0]])
    expect(missing.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })
})

describe('DescribeLogDirs', () => {
  it.each([1, 2, 3, 4])('v%i reports the data dir and partition sizes', async (version) => {
    const name = `logdirs-v${version}`
    await createTopic(tb, name, 2)
    await appendRecords(tb, name, 1, 4)
    const res = await client.request(DescribeLogDirsRequest, DescribeLogDirsResponse, version, { topics: [{ topic: name, partitions: [0, 1, 9] }] })
    expect(res.errorCode).toBe(ErrorCode.NONE)
    expect(res.results).toHaveLength(1)
    const [dir] = res.results
    expect(dir.errorCode).toBe(ErrorCode.NONE)
    expect(dir.logDir).toBe(resolve(tb.dataDir!))
    const size = logs().getPartition(name, 1)!.sizeBytes
    expect(size).toBeGreaterThan(0)
    expect(dir.topics).toEqual([
      {
        name,
        partitions: [
          { partitionIndex: 0, partitionSize: 0, offsetLag: 0, isFutureKey: false },
          { partitionIndex: 1, partitionSize: size, offsetLag: 0, isFutureKey: false },
        ],
      },
    ])
    if (version >= 4) {
      expect(dir.totalBytes).toBeGreaterThan(0)
      expect(dir.usableBytes).toBeGreaterThan(0)
      expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes)
    }
  })

  it('null topics means every partition', async () => {
    await createTopic(tb, 'logdirs-all', 3)
    const res = await client.request(DescribeLogDirsRequest, DescribeLogDirsResponse, 4, { topics: null })
    const t = res.results[0].topics.find((x) => x.name === 'logdirs-all')!
    expect(t.partitions.map((p) => p.partitionIndex).sort()).toEqual([0, 1, 2])
    const none = await client.request(DescribeLogDirsRequest, DescribeLogDirsResponse, 4, { topics: [] })
    expect(none.results[0].topics).toEqual([])
  })

  it('a memory-only broker reports one pseudo dir with unknown volume sizes', async () => {
    const mem = await startTestBroker({ memory: true })
    const memClient = await RawKafkaClient.connect(mem.port)
    try {
      await createTopic(mem, 'logdirs-mem', 1)
      await appendRecords(mem, 'logdirs-mem', 0, 2)
      const res = await memClient.request(DescribeLogDirsRequest, DescribeLogDirsResponse, 4, { topics: [{ topic: 'logdirs-mem', partitions: [0] }] })
      expect(res.results).toEqual([
        {
          errorCode: ErrorCode.NONE,
          logDir: '(memory)',
          topics: [{ name: 'logdirs-mem', partitions: [{ partitionIndex: 0, partitionSize: mem.broker.services.logs.getPartition('logdirs-mem', 0)!.sizeBytes, offsetLag: 0, isFutureKey: false }] }],
          totalBytes: -1,
          usableBytes: -1,
        },
      ])
    } finally {
      memClient.close()
      await mem.stop()
    }
  })
})

describe('DescribeProducers', () => {
  it('lists the idempotent producers of a partition', async () => {
    await createTopic(tb, 'producers', 2)
    await appendRecords(tb, 'producers', 0, 3, { producerId: 4242, producerEpoch: 2, baseSequence: 0 })
    await appendRecords(tb, 'producers', 0, 2, { producerId: 4242, producerEpoch: 2, baseSequence: 3 })
    await appendRecords(tb, 'producers', 0, 1)
    const res = await client.request(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [
        { name: 'producers', partitionIndexes: [0, 1, 7] },
        { name: 'producers-missing', partitionIndexes: [0] },
      ],
    })
    const [p0, p1, p7] = res.topics[0].partitions
    expect(p0).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null })
    expect(p0.activeProducers).toEqual([
      { producerId: 4242, producerEpoch: 2, lastSequence: 4, lastTimestamp: expect.any(Number), coordinatorEpoch: -1, currentTxnStartOffset: -1 },
    ])
    expect(p0.activeProducers[0].lastTimestamp).toBeGreaterThan(0)
    expect(p1).toEqual({ partitionIndex: 1, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: [] })
    expect(p7.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(res.topics[1].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })
})

describe('ListPartitionReassignments', () => {
  it('has none, for all topics or named ones', async () => {
    await createTopic(tb, 'reassign', 1)
    for (const topics of [null, [{ name: 'reassign', partitionIndexes: [0] }, { name: 'reassign-missing', partitionIndexes: [0] }]]) {
      const res = await client.request(ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, 0, { timeoutMs: 1000, topics })
      expect(res).toMatchObject({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] })
    }
  })
})

describe('ElectLeaders', () => {
  it.each([0, 1, 2])('v%i: nothing to elect on one node', async (version) => {
    await createTopic(tb, `elect-v${version}`, 2)
    const res = await client.request(ElectLeadersRequest, ElectLeadersResponse, version, {
      electionType: 0,
      topicPartitions: [
        { topic: `elect-v${version}`, partitions: [0, 1, 4] },
        { topic: 'elect-missing', partitions: [0] },
      ],
      timeoutMs: 1000,
    })
    expect(res.errorCode).toBe(ErrorCode.NONE)
    expect(res.replicaElectionResults).toEqual([
      {
        topic: `elect-v${version}`,
        partitionResult: [
          { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
          { partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
          { partitionId: 4, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as elect-v${version}-4` },
        ],
      },
      { topic: 'elect-missing', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as elect-missing' }] },
    ])
  })

  it('all partitions (null): every topic, no partition listed', async () => {
    const res = await client.request(ElectLeadersRequest, ElectLeadersResponse, 2, { electionType: 1, topicPartitions: null, timeoutMs: 1000 })
    expect(res.errorCode).toBe(ErrorCode.NONE)
    expect(res.replicaElectionResults.length).toBe(logs().listTopics().length)
    expect(res.replicaElectionResults.every((r) => r.partitionResult.length === 0)).toBe(true)
  })
})
