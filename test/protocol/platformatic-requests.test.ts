// Requests encoded by @platformatic/kafka (which speaks only flexible versions) decode in Brook with
// every byte consumed, and re-encode to the same bytes.
import * as platformatic from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import * as g from '../../src/protocol/generated/index.js'
import { Reader } from '../../src/protocol/reader.js'
import { iterateRecords } from '../../src/protocol/record-batch.js'
import { decodeExactly } from '../helpers/codec-round-trip.js'

type CreateRequest = (...args: unknown[]) => { buffer: Buffer }
const api = (name: string): CreateRequest => (platformatic as unknown as Record<string, { createRequest: CreateRequest }>)[name].createRequest

const TOPIC_ID = '0123abcd-4567-89ef-0011-223344556677'

describe('@platformatic/kafka requests decode in Brook', () => {
  for (const version of [9, 10, 11]) {
    it(`Produce v${version}`, () => {
      const bytes = api(`produceV${version}`)(-1, 2500, [
        { topic: 'orders', partition: 1, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 7_000n, headers: new Map([[Buffer.from('h'), Buffer.from('x')]]) },
        { topic: 'orders', partition: 1, value: Buffer.from('w'), timestamp: 7_001n },
      ], { compression: 'none', producerId: -1n, producerEpoch: -1 }).buffer
      const msg = decodeExactly(g.ProduceRequest, version, bytes)
      expect(msg).toMatchObject({ acks: -1, timeoutMs: 2500 })
      const partition = msg.topicData[0].partitionData[0]
      expect([msg.topicData[0].name, partition.index]).toEqual(['orders', 1])
      const records = [...iterateRecords(partition.records!)]
      expect(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString(), r.timestampMs])).toEqual([[0, 'k', 'v', 7_000], [1, null, 'w', 7_001]])
      expect(records[0].headers).toEqual([{ key: 'h', value: Buffer.from('x') }])
    })
  }

  for (const version of [13, 14, 15, 16, 17]) {
    it(`Fetch v${version}`, () => {
      const bytes = api(`fetchV${version}`)(500, 1, 52_428_800, 1, 0, -1, [
        { topicId: TOPIC_ID, partitions: [{ partition: 3, currentLeaderEpoch: -1, fetchOffset: 12_345_678_901n, lastFetchedEpoch: -1, partitionMaxBytes: 1_048_576 }] },
      ], [], 'rack-a').buffer
      const msg = decodeExactly(g.FetchRequest, version, bytes)
      expect(msg).toMatchObject({ maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 1, sessionEpoch: -1, rackId: 'rack-a' })
      expect(msg.topics[0].topicId).toBe(TOPIC_ID)
      expect(msg.topics[0].partitions[0]).toMatchObject({ partition: 3, fetchOffset: 12_345_678_901, partitionMaxBytes: 1_048_576 })
    })
  }

  // platformatic's Metadata v11 writes IncludeClusterAuthorizedOperations, which only v8-10 have:
  // with includeTopicAuthorizedOperations false, Kafka (and Brook) read the body and leave one
  // trailing byte (with true the stray byte shifts the tagged-field count and parsing fails, as in Kafka)
  it('Metadata v11 (platformatic sends one stray byte)', () => {
    const bytes = api('metadataV11')(['a'], true, false).buffer
    const r = new Reader(bytes)
    const msg = g.MetadataRequest.decode(r, 11)
    expect(r.remaining()).toBe(1)
    expect(msg.topics!.map((t) => t.name)).toEqual(['a'])
    expect(msg.allowAutoTopicCreation).toBe(true)
  })

  for (const version of [9, 10, 12]) {
    it(`Metadata v${version}`, () => {
      const msg = decodeExactly(g.MetadataRequest, version, api(`metadataV${version}`)(['a', 'b'], true, false).buffer)
      expect(msg.topics!.map((t) => t.name)).toEqual(['a', 'b'])
      expect(msg.allowAutoTopicCreation).toBe(true)
    })
  }

  for (const version of [3, 4]) {
    it(`ApiVersions v${version}`, () => {
      const msg = decodeExactly(g.ApiVersionsRequest, version, api(`apiVersionsV${version}`)('plt-kafka', '1.35.0').buffer)
      expect(msg).toEqual({ clientSoftwareName: 'plt-kafka', clientSoftwareVersion: '1.35.0' })
    })
  }

  for (const version of [6, 7, 8, 9]) {
    it(`JoinGroup v${version}`, () => {
      const bytes = api(`joinGroupV${version}`)('g', 30_000, 60_000, '', null, 'consumer', [{ name: 'roundrobin', metadata: Buffer.from([1, 2]) }], 'hello').buffer
      const msg = decodeExactly(g.JoinGroupRequest, version, bytes)
      expect(msg).toMatchObject({ groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: '', groupInstanceId: null, protocolType: 'consumer' })
      expect(msg.protocols).toEqual([{ name: 'roundrobin', metadata: Buffer.from([1, 2]) }])
    })
  }

  for (const version of [4, 5, 6]) {
    it(`FindCoordinator v${version}`, () => {
      const msg = decodeExactly(g.FindCoordinatorRequest, version, api(`findCoordinatorV${version}`)(0, ['g1', 'g2']).buffer)
      expect(msg.coordinatorKeys).toEqual(['g1', 'g2'])
    })
  }

  for (const version of [8, 9]) {
    it(`OffsetFetch v${version}`, () => {
      const bytes = api(`offsetFetchV${version}`)([{ groupId: 'g', memberId: 'm', memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0, 1] }] }], true).buffer
      const msg = decodeExactly(g.OffsetFetchRequest, version, bytes)
      expect(msg.requireStable).toBe(true)
      expect(msg.groups[0]).toMatchObject({ groupId: 'g' })
      expect(msg.groups[0].topics![0]).toMatchObject({ name: 't', partitionIndexes: [0, 1] })
    })
  }
})
