// Cross-checks the generated codecs against kafkajs's own encoders/decoders (it speaks only the
// old, non-flexible versions): requests kafkajs encodes must decode with every byte consumed and
// re-encode to the same bytes; responses Brook encodes must decode in kafkajs to the same values.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { MessageCodec } from '../../src/protocol/codec.js'
import * as g from '../../src/protocol/generated/index.js'
import { buildRecordBatch, iterateRecords } from '../../src/protocol/record-batch.js'
import { Writer } from '../../src/protocol/writer.js'
import { decodeExactly } from '../helpers/codec-round-trip.js'

const require = createRequire(import.meta.url)

interface KafkajsProtocol {
  request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> }
  response: { decode(raw: Buffer): Promise<Record<string, unknown>> }
}
type KafkajsApi = { versions: string[]; protocol(opts: { version: number }): (args: Record<string, unknown>) => KafkajsProtocol }

function kafkajs(api: string): KafkajsApi {
  return require(`kafkajs/src/protocol/requests/${api}`) as KafkajsApi
}

function versionsIn(api: string, codec: MessageCodec<unknown>): number[] {
  return kafkajs(api).versions.map(Number).filter((v) => v >= codec.minVersion && v <= codec.maxVersion)
}

/** kafkajs request bytes -> Brook message (all bytes consumed, and re-encoding gives the same bytes). */
async function decodeKafkajsRequest<T>(api: string, codec: MessageCodec<T>, version: number, args: Record<string, unknown>): Promise<T> {
  const { request } = kafkajs(api).protocol({ version })(args)
  expect(request.apiKey).toBe(codec.apiKey)
  expect(request.apiVersion).toBe(version)
  return decodeExactly(codec, version, (await request.encode()).buffer)
}

/** Brook response -> kafkajs decoded object. */
async function kafkajsDecodeResponse<T>(api: string, codec: MessageCodec<T>, version: number, msg: T): Promise<Record<string, unknown>> {
  const w = new Writer()
  codec.encode(w, msg, version)
  const { response } = kafkajs(api).protocol({ version })({ topics: [], groupId: '', topicData: [] } as Record<string, unknown>)
  return response.decode(w.toBuffer())
}

const batch = buildRecordBatch([
  { key: Buffer.from('k'), value: Buffer.from('v'), timestampMs: 1_000, headers: [{ key: 'h', value: Buffer.from('x') }] },
  { key: null, value: Buffer.from('w'), timestampMs: 1_001 },
], { baseOffset: 40 })

describe('kafkajs requests decode in Brook', () => {
  for (const version of versionsIn('produce', g.ProduceRequest)) {
    it(`Produce v${version}`, async () => {
      const msg = await decodeKafkajsRequest('produce', g.ProduceRequest, version, {
        acks: -1, timeout: 3000, compression: 0, transactionalId: null, producerId: -1, producerEpoch: 0,
        topicData: [{ topic: 'orders', partitions: [{ partition: 2, firstSequence: 0, messages: [{ key: 'k', value: 'v', timestamp: 5_000, headers: { h: 'x' } }] }] }],
      })
      expect(msg).toMatchObject({ acks: -1, timeoutMs: 3000, transactionalId: null })
      const partition = msg.topicData[0].partitionData[0]
      expect([msg.topicData[0].name, partition.index]).toEqual(['orders', 2])
      const records = [...iterateRecords(partition.records!)]
      expect(records.map((r) => [r.key?.toString(), r.value?.toString(), r.timestampMs, r.headers[0].key])).toEqual([['k', 'v', 5_000, 'h']])
    })
  }

  for (const version of versionsIn('fetch', g.FetchRequest)) {
    it(`Fetch v${version}`, async () => {
      const msg = await decodeKafkajsRequest('fetch', g.FetchRequest, version, {
        replicaId: -1, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, forgottenTopics: [], maxWaitTime: 500, minBytes: 1,
        maxBytes: 10_485_760, rackId: '',
        topics: [{ topic: 'orders', partitions: [{ partition: 1, fetchOffset: '12345678901', maxBytes: 1_048_576, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
      })
      expect(msg).toMatchObject({ replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 10_485_760, isolationLevel: 1 })
      expect(msg.topics[0].topic).toBe('orders')
      expect(msg.topics[0].partitions[0]).toMatchObject({ partition: 1, fetchOffset: 12_345_678_901, partitionMaxBytes: 1_048_576 })
    })
  }

  for (const version of versionsIn('metadata', g.MetadataRequest)) {
    it(`Metadata v${version}`, async () => {
      const msg = await decodeKafkajsRequest('metadata', g.MetadataRequest, version, { topics: ['a', 'b'], allowAutoTopicCreation: true })
      expect(msg.topics!.map((t) => t.name)).toEqual(['a', 'b'])
    })
  }

  for (const version of versionsIn('apiVersions', g.ApiVersionsRequest)) {
    it(`ApiVersions v${version}`, async () => {
      await decodeKafkajsRequest('apiVersions', g.ApiVersionsRequest, version, {})
    })
  }

  for (const version of versionsIn('joinGroup', g.JoinGroupRequest)) {
    it(`JoinGroup v${version}`, async () => {
      const msg = await decodeKafkajsRequest('joinGroup', g.JoinGroupRequest, version, {
        groupId: 'g', sessionTimeout: 30_000, rebalanceTimeout: 60_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
        groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
      })
      expect(msg).toMatchObject({ groupId: 'g', sessionTimeoutMs: 30_000, memberId: '', protocolType: 'consumer' })
      expect(msg.protocols[0]).toMatchObject({ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) })
    })
  }

  for (const version of versionsIn('offsetCommit', g.OffsetCommitRequest)) {
    it(`OffsetCommit v${version}`, async () => {
      const msg = await decodeKafkajsRequest('offsetCommit', g.OffsetCommitRequest, version, {
        groupId: 'g', groupGenerationId: 3, memberId: 'm', retentionTime: -1,
        topics: [{ topic: 't', partitions: [{ partition: 0, offset: '99', metadata: null }] }],
      })
      expect(msg).toMatchObject({ groupId: 'g', generationIdOrMemberEpoch: 3, memberId: 'm' })
      expect(msg.topics[0].partitions[0]).toMatchObject({ partitionIndex: 0, committedOffset: 99, committedMetadata: null })
    })
  }

  for (const version of versionsIn('listOffsets', g.ListOffsetsRequest)) {
    it(`ListOffsets v${version}`, async () => {
      const msg = await decodeKafkajsRequest('listOffsets', g.ListOffsetsRequest, version, {
        replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 0, timestamp: -1 }] }],
      })
      expect(msg.topics[0].partitions[0]).toMatchObject({ partitionIndex: 0, timestamp: -1 })
    })
  }

  for (const version of versionsIn('createTopics', g.CreateTopicsRequest)) {
    it(`CreateTopics v${version}`, async () => {
      const msg = await decodeKafkajsRequest('createTopics', g.CreateTopicsRequest, version, {
        topics: [{ topic: 't', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
        timeout: 5000, validateOnly: false,
      })
      expect(msg.topics[0]).toMatchObject({ name: 't', numPartitions: 3, replicationFactor: 1 })
      expect(msg.topics[0].configs).toEqual([{ name: 'retention.ms', value: '1000' }])
    })
  }
})

describe('Brook responses decode in kafkajs', () => {
  for (const version of versionsIn('apiVersions', g.ApiVersionsResponse)) {
    it(`ApiVersions v${version}`, async () => {
      const decoded = await kafkajsDecodeResponse('apiVersions', g.ApiVersionsResponse, version, {
        errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }],
        throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false,
      })
      expect(decoded.apiVersions).toEqual([{ apiKey: 0, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }])
    })
  }

  for (const version of versionsIn('metadata', g.MetadataResponse)) {
    it(`Metadata v${version}`, async () => {
      const decoded = await kafkajsDecodeResponse('metadata', g.MetadataResponse, version, {
        throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }], clusterId: 'c1', controllerId: 1,
        topics: [{
          errorCode: 0, name: 'orders', topicId: '00000000-0000-0000-0000-000000000000', isInternal: false, topicAuthorizedOperations: -2147483648,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        }],
        clusterAuthorizedOperations: -2147483648,
      })
      expect(decoded.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: 'localhost', port: 9092 })])
      const topic = (decoded.topicMetadata as Record<string, unknown>[])[0]
      expect(topic).toMatchObject({ topicErrorCode: 0, topic: 'orders' })
      expect((topic.partitionMetadata as Record<string, unknown>[])[0]).toMatchObject({ partitionId: 0, leader: 1, replicas: [1], isr: [1] })
    })
  }

  for (const version of versionsIn('produce', g.ProduceResponse)) {
    it(`Produce v${version}`, async () => {
      const decoded = await kafkajsDecodeResponse('produce', g.ProduceResponse, version, {
        responses: [{
          name: 'orders',
          partitionResponses: [{
            index: 2, errorCode: 0, baseOffset: 2 ** 40, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null,
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
          }],
        }],
        throttleTimeMs: 0, nodeEndpoints: [],
      })
      const topic = (decoded.topics as Record<string, unknown>[])[0]
      expect(topic.topicName).toBe('orders')
      expect((topic.partitions as Record<string, unknown>[])[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: String(2 ** 40) })
    })
  }

  for (const version of versionsIn('fetch', g.FetchResponse)) {
    it(`Fetch v${version} with a record batch`, async () => {
      const decoded = await kafkajsDecodeResponse('fetch', g.FetchResponse, version, {
        throttleTimeMs: 0, errorCode: 0, sessionId: 0, nodeEndpoints: [],
        responses: [{
          topic: 'orders', topicId: '00000000-0000-0000-0000-000000000000',
          partitions: [{
            partitionIndex: 0, errorCode: 0, highWatermark: 42, lastStableOffset: 42, logStartOffset: 0,
            divergingEpoch: { epoch: -1, endOffset: -1 }, currentLeader: { leaderId: -1, leaderEpoch: -1 }, snapshotId: { endOffset: -1, epoch: -1 },
            abortedTransactions: [], preferredReadReplica: -1, records: batch,
          }],
        }],
      })
      const partition = ((decoded.responses as Record<string, unknown>[])[0].partitions as Record<string, unknown>[])[0]
      expect(partition).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '42' })
      const messages = partition.messages as { offset: string; key: Buffer | null; value: Buffer }[]
      expect(messages.map((m) => [m.offset, m.key?.toString() ?? null, m.value.toString()])).toEqual([['40', 'k', 'v'], ['41', null, 'w']])
    })
  }
})
