import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js'
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js'
import { DeleteTopicsRequest } from '../../src/protocol/generated/delete-topics-request.js'
import { DeleteTopicsResponse } from '../../src/protocol/generated/delete-topics-response.js'
import { DescribeClusterRequest } from '../../src/protocol/generated/describe-cluster-request.js'
import { DescribeClusterResponse } from '../../src/protocol/generated/describe-cluster-response.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker({ config: { numPartitions: 2 } })
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client.close()
  await tb.stop()
})

interface TopicSpec {
  name: string
  numPartitions?: number
  replicationFactor?: number
  assignments?: { partitionIndex: number; brokerIds: number[] }[]
  configs?: { name: string; value: string | null }[]
}

function createTopics(version: number, topics: TopicSpec[], validateOnly = false) {
  return client.request(CreateTopicsRequest, CreateTopicsResponse, version, {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      assignments: t.assignments ?? [],
      configs: t.configs ?? [],
    })),
    timeoutMs: 5000,
    validateOnly,
  })
}

async function topicNames(): Promise<string[]> {
  const res = await client.request(MetadataRequest, MetadataResponse, 12, {
    topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  })
  return res.topics.map((t) => t.name!)
}

describe('CreateTopics', () => {
  it.each([2, 3, 4, 5, 6, 7])('v%i creates topics with defaults for -1', async (version) => {
    const res = await createTopics(version, [{ name: `created-v${version}` }])
    expect(res.topics[0]).toMatchObject({ name: `created-v${version}`, errorCode: ErrorCode.NONE })
    if (version >= 5) expect(res.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 })
    if (version >= 7) expect(res.topics[0].topicId).not.toBe(ZERO_UUID)
    expect(await topicNames()).toContain(`created-v${version}`)
  })

  it('reports configs with their sources (v5+)', async () => {
    const res = await createTopics(7, [{ name: 'with-configs', numPartitions: 4, configs: [{ name: 'retention.ms', value: '1234' }] }])
    const t = res.topics[0]
    expect(t).toMatchObject({ errorCode: 0, numPartitions: 4 })
    const retention = t.configs!.find((c) => c.name === 'retention.ms')
    expect(retention).toMatchObject({ value: '1234', configSource: 1 })
    const segment = t.configs!.find((c) => c.name === 'segment.bytes')
    expect(segment).toMatchObject({ value: '1073741824', configSource: 5 })
  })

  it('answers TOPIC_ALREADY_EXISTS', async () => {
    await createTopics(4, [{ name: 'twice' }])
    const res = await createTopics(4, [{ name: 'twice' }])
    expect(res.topics[0].errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS)
    expect(res.topics[0].errorMessage).toBeTruthy()
  })

  it('validateOnly creates nothing', async () => {
    const res = await createTopics(7, [{ name: 'validated-only' }], true)
    expect(res.topics[0].errorCode).toBe(ErrorCode.NONE)
    expect(await topicNames()).not.toContain('validated-only')
  })

  it('keeps per-topic outcomes apart', async () => {
    const res = await createTopics(7, [
      { name: 'good-one' },
      { name: 'bad/name' },
      { name: 'bad-config', configs: [{ name: 'no.such.config', value: '1' }] },
      { name: 'bad-partitions', numPartitions: 0 },
      { name: 'bad-replication', replicationFactor: 3 },
      { name: 'dup' },
      { name: 'dup' },
    ])
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['good-one', ErrorCode.NONE],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['bad-config', ErrorCode.INVALID_CONFIG],
      ['bad-partitions', ErrorCode.INVALID_PARTITIONS],
      ['bad-replication', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['dup', ErrorCode.INVALID_REQUEST],
    ])
  })

  it('honours assignments that name only this broker', async () => {
    const ok = await createTopics(7, [
      { name: 'assigned', assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [1] })) },
    ])
    expect(ok.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 3, replicationFactor: 1 })
    const bad = await createTopics(7, [
      { name: 'assigned-elsewhere', assignments: [{ partitionIndex: 0, brokerIds: [2] }] },
      { name: 'assigned-gap', assignments: [{ partitionIndex: 1, brokerIds: [1] }] },
      { name: 'assigned-and-count', numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
    ])
    expect(bad.topics.map((t) => t.errorCode)).toEqual([
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REQUEST,
    ])
  })
})

describe('DeleteTopics', () => {
  it('deletes by name (v1-v5)', async () => {
    for (const version of [1, 4, 5]) {
      const name = `delete-me-v${version}`
      await createTopics(7, [{ name }])
      const res = await client.request(DeleteTopicsRequest, DeleteTopicsResponse, version, { topics: [], topicNames: [name, 'never-existed'], timeoutMs: 5000 })
      expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
        [name, ErrorCode.NONE],
        ['never-existed', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ])
      expect(await topicNames()).not.toContain(name)
    }
  })

  it('deletes by topic id (v6)', async () => {
    const created = await createTopics(7, [{ name: 'delete-by-id' }])
    const topicId = created.topics[0].topicId
    const res = await client.request(DeleteTopicsRequest, DeleteTopicsResponse, 6, {
      topics: [{ name: null, topicId }, { name: null, topicId: '11111111-2222-3333-4444-555555555555' }],
      topicNames: [],
      timeoutMs: 5000,
    })
    expect(res.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
      ['delete-by-id', topicId, ErrorCode.NONE],
      [null, '11111111-2222-3333-4444-555555555555', ErrorCode.UNKNOWN_TOPIC_ID],
    ])
    expect(await topicNames()).not.toContain('delete-by-id')
  })

  it('lets a deleted topic be created again', async () => {
    await createTopics(7, [{ name: 'reborn' }])
    await client.request(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name: 'reborn', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 })
    const again = await createTopics(7, [{ name: 'reborn' }])
    expect(again.topics[0].errorCode).toBe(ErrorCode.NONE)
  })
})

describe('DescribeCluster', () => {
  it.each([0, 1])('v%i describes this broker', async (version) => {
    const res = await client.request(DescribeClusterRequest, DescribeClusterResponse, version, { includeClusterAuthorizedOperations: false, endpointType: 1 })
    expect(res).toMatchObject({
      errorCode: 0,
      clusterId: tb.broker.clusterId,
      controllerId: 1,
      brokers: [{ brokerId: 1, host: '127.0.0.1', port: tb.port, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    })
  })

  it('rejects the controller endpoint type', async () => {
    const res = await client.request(DescribeClusterRequest, DescribeClusterResponse, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 })
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE)
  })
})
