// ListOffsets (2) and InitProducerId (22) over the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js'
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js'
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js'
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js'
import { buildRecordBatch } from '../../src/protocol/record-batch.js'
import { createTopic } from '../helpers/admin.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

let tb: TestBroker
let client: RawKafkaClient
const base = Date.now() - 60_000

beforeAll(async () => {
  tb = await startTestBroker()
  const t = await createTopic(tb, 'lo', 2)
  // offsets 0..9 at base + 10*i, except offset 7 which carries the largest timestamp
  const ts = Array.from({ length: 10 }, (_, i) => (i === 7 ? base + 5000 : base + 10 * i))
  await t.partitions[0].append(buildRecordBatch(ts.slice(0, 5).map((timestampMs) => ({ key: null, value: null, timestampMs }))), { requiredAcks: -1 })
  await t.partitions[0].append(buildRecordBatch(ts.slice(5).map((timestampMs) => ({ key: null, value: null, timestampMs }))), { requiredAcks: -1 })
  await t.partitions[0].setLogStartOffset(2)
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client?.close()
  await tb?.stop()
})

function listOffsets(version: number, partitions: { partitionIndex: number; timestamp: number }[], topic = 'lo', isolationLevel = 0) {
  return client.request(ListOffsetsRequest, ListOffsetsResponse, version, {
    replicaId: -1,
    isolationLevel,
    timeoutMs: 1000,
    topics: [{ name: topic, partitions: partitions.map((p) => ({ ...p, currentLeaderEpoch: -1 })) }],
  })
}

describe('ListOffsets', () => {
  for (const version of [1, 4, 7, 10]) {
    it(`answers earliest, latest and by-timestamp (v${version})`, async () => {
      const res = await listOffsets(version, [
        { partitionIndex: 0, timestamp: -2 },
        { partitionIndex: 1, timestamp: -1 },
      ])
      const [earliest, latest] = res.topics[0].partitions
      expect(earliest).toMatchObject({ errorCode: 0, offset: 2, timestamp: -1 })
      expect(latest).toMatchObject({ errorCode: 0, offset: 0, timestamp: -1 })
      if (version >= 4) expect(earliest.leaderEpoch).toBe(0)
      const latest0 = await listOffsets(version, [{ partitionIndex: 0, timestamp: -1 }])
      expect(latest0.topics[0].partitions[0].offset).toBe(10)
      const byTime = await listOffsets(version, [{ partitionIndex: 0, timestamp: base + 25 }])
      expect(byTime.topics[0].partitions[0]).toMatchObject({ errorCode: 0, offset: 3, timestamp: base + 30 })
    })
  }

  it('answers max timestamp (-3) with the offset of that record', async () => {
    const res = await listOffsets(7, [{ partitionIndex: 0, timestamp: -3 }])
    expect(res.topics[0].partitions[0]).toMatchObject({ offset: 7, timestamp: base + 5000 })
    const empty = await listOffsets(7, [{ partitionIndex: 1, timestamp: -3 }])
    expect(empty.topics[0].partitions[0]).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 })
  })

  it('answers earliest-local (-4) and latest-tiered (-5) without tiered storage', async () => {
    const res = await listOffsets(9, [
      { partitionIndex: 0, timestamp: -4 },
      { partitionIndex: 1, timestamp: -5 },
    ])
    expect(res.topics[0].partitions[0].offset).toBe(2)
    expect(res.topics[0].partitions[1]).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 })
  })

  it('answers -1/-1 for a timestamp after every record, and never below the log start offset', async () => {
    const late = await listOffsets(7, [{ partitionIndex: 0, timestamp: Date.now() }])
    expect(late.topics[0].partitions[0]).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 })
    const early = await listOffsets(7, [{ partitionIndex: 0, timestamp: 0 }])
    expect(early.topics[0].partitions[0].offset).toBe(2)
  })

  it('reports unknown partitions and duplicates', async () => {
    const unknown = await listOffsets(7, [{ partitionIndex: 0, timestamp: -1 }], 'missing')
    expect(unknown.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1 })
    const dup = await listOffsets(7, [
      { partitionIndex: 0, timestamp: -1 },
      { partitionIndex: 0, timestamp: -2 },
    ])
    expect(dup.topics[0].partitions.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
  })
})

describe('InitProducerId', () => {
  for (const version of [0, 2, 3, 5]) {
    it(`hands out new producer ids with epoch 0 (v${version})`, async () => {
      const req = { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }
      const a = await client.request(InitProducerIdRequest, InitProducerIdResponse, version, req)
      const b = await client.request(InitProducerIdRequest, InitProducerIdResponse, version, { ...req, producerId: a.producerId, producerEpoch: 0 })
      expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 })
      expect(b.producerId).toBeGreaterThan(a.producerId)
      expect(b.producerEpoch).toBe(0)
    })
  }

  it('answers COORDINATOR_NOT_AVAILABLE for a transactional id (no transactions)', async () => {
    const res = await client.request(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: 'tx-1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
    expect(res).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 })
  })
})
