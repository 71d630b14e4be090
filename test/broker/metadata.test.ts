import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const OMITTED = -2147483648

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker({ memory: true, config: { numPartitions: 3 } })
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client.close()
  await tb.stop()
})

function metadata(version: number, topics: { name: string | null; topicId?: string }[] | null, opts: Partial<MetadataRequest> = {}) {
  return client.request(MetadataRequest, MetadataResponse, version, {
    topics: topics === null ? null : topics.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_UUID })),
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
    ...opts,
  })
}

describe('Metadata', () => {
  it('describes this broker as the whole cluster and its controller', async () => {
    const res = await metadata(12, [])
    expect(res.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: tb.port, rack: null }])
    expect(res.controllerId).toBe(1)
    expect(res.clusterId).toBe(tb.broker.clusterId)
    expect(res.topics).toEqual([])
  })

  it('auto-creates a requested topic and answers it at once', async () => {
    const res = await metadata(12, [{ name: 'auto-created' }])
    expect(res.topics).toHaveLength(1)
    const t = res.topics[0]
    expect(t.errorCode).toBe(ErrorCode.NONE)
    expect(t.name).toBe('auto-created')
    expect(t.topicId).not.toBe(ZERO_UUID)
    expect(t.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2])
    expect(t.partitions[0]).toEqual({
      errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [],
    })
    expect(t.topicAuthorizedOperations).toBe(OMITTED)
  })

  it('does not auto-create when the request forbids it', async () => {
    const res = await metadata(12, [{ name: 'not-created' }], { allowAutoTopicCreation: false })
    expect(res.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect((await metadata(12, null)).topics.map((t) => t.name)).not.toContain('not-created')
  })

  it('always auto-creates for versions before 4 (no flag yet)', async () => {
    const res = await metadata(3, [{ name: 'old-client-topic' }], { allowAutoTopicCreation: false })
    expect(res.topics[0].errorCode).toBe(ErrorCode.NONE)
  })

  it('answers INVALID_TOPIC_EXCEPTION for an illegal name', async () => {
    const res = await metadata(9, [{ name: 'bad name!' }])
    expect(res.topics[0]).toMatchObject({ name: 'bad name!', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, partitions: [] })
  })

  it('lists all topics for a null list (v1+) and for an empty list in v0', async () => {
    await metadata(12, [{ name: 'listed' }])
    expect((await metadata(1, null)).topics.map((t) => t.name)).toContain('listed')
    expect((await metadata(0, [])).topics.map((t) => t.name)).toContain('listed')
    expect((await metadata(1, [])).topics).toEqual([])
  })

  it('looks topics up by id (v12)', async () => {
    const created = (await metadata(12, [{ name: 'by-id' }])).topics[0]
    const res = await metadata(12, [{ name: null, topicId: created.topicId }])
    expect(res.topics[0]).toMatchObject({ name: 'by-id', topicId: created.topicId, errorCode: 0 })
    const unknown = await metadata(12, [{ name: null, topicId: '11111111-2222-3333-4444-555555555555' }])
    expect(unknown.topics[0]).toMatchObject({ name: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID })
  })

  it('reports authorized operations only when asked', async () => {
    const res = await metadata(10, [{ name: 'ops' }], { includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true })
    expect(res.topics[0].topicAuthorizedOperations).toBeGreaterThan(0)
    expect(res.clusterAuthorizedOperations).toBeGreaterThan(0)
  })

  it('answers every version 0-12', async () => {
    for (let v = 0; v <= 12; v++) {
      const res = await metadata(v, [{ name: `v${v}-topic` }])
      expect(res.topics[0].errorCode, `v${v}`).toBe(ErrorCode.NONE)
      expect(res.brokers[0].port, `v${v}`).toBe(tb.port)
    }
  })

  it('does not auto-create when auto.create.topics.enable is off', async () => {
    const other = await startTestBroker({ memory: true, config: { autoCreateTopicsEnable: false } })
    const c = await RawKafkaClient.connect(other.port)
    const res = await c.request(MetadataRequest, MetadataResponse, 12, {
      topics: [{ name: 'nope', topicId: ZERO_UUID }], allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    })
    c.close()
    await other.stop()
    expect(res.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('advertises advertised.listeners when configured', async () => {
    const other = await startTestBroker({
      memory: true,
      config: { advertisedListeners: [{ name: 'PLAINTEXT', host: 'kafka.example', port: 19092 }] },
    })
    const c = await RawKafkaClient.connect(other.port)
    const res = await c.request(MetadataRequest, MetadataResponse, 12, {
      topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    })
    c.close()
    await other.stop()
    expect(res.brokers).toEqual([{ nodeId: 1, host: 'kafka.example', port: 19092, rack: null }])
  })
})
