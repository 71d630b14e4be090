// Produce (0) over the wire with a raw client: per-partition outcomes, acks, idempotence.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js'
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { buildRecordBatch, updateBatchCrc } from '../../src/protocol/record-batch.js'
import { createTopic } from '../helpers/admin.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker()
  await createTopic(tb, 'p', 2)
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client?.close()
  await tb?.stop()
})

function records(n: number, opts: { producerId?: number; baseSequence?: number } = {}): Buffer {
  return buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`m${i}`), timestampMs: Date.now() })),
    { producerId: opts.producerId ?? -1, producerEpoch: opts.producerId === undefined ? -1 : 0, baseSequence: opts.baseSequence ?? -1 },
  )
}

function produce(version: number, req: Partial<ProduceRequest> & { topicData: ProduceRequest['topicData'] }): Promise<ProduceResponse> {
  return client.request(ProduceRequest, ProduceResponse, version, { transactionalId: null, acks: -1, timeoutMs: 5000, ...req })
}

describe('Produce', () => {
  for (const version of [3, 7, 9, 11]) {
    it(`appends and answers base offsets (v${version})`, async () => {
      const before = tb.broker.services.logs.getPartition('p', 0)!.highWatermark
      const res = await produce(version, { topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(3) }] }] })
      const part = res.responses[0].partitionResponses[0]
      expect(part).toMatchObject({ index: 0, errorCode: 0, baseOffset: before, logAppendTimeMs: -1 })
      if (version >= 5) expect(part.logStartOffset).toBe(0)
      expect(tb.broker.services.logs.getPartition('p', 0)!.highWatermark).toBe(before + 3)
    })
  }

  it('answers per partition: one bad partition never fails the others', async () => {
    const corrupt = records(1)
    corrupt[corrupt.length - 1] ^= 1
    const res = await produce(9, {
      topicData: [
        { name: 'p', partitionData: [{ index: 0, records: records(1) }, { index: 1, records: corrupt }, { index: 7, records: records(1) }] },
        { name: 'missing', partitionData: [{ index: 0, records: records(1) }] },
      ],
    })
    const [p0, p1, p7] = res.responses[0].partitionResponses
    expect(p0.errorCode).toBe(ErrorCode.NONE)
    expect(p1).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 })
    expect(p7.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(res.responses[1].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    // Produce never auto-creates topics.
    expect(tb.broker.services.logs.getTopic('missing')).toBeUndefined()
  })

  it('rejects acks other than -1, 0, 1 with INVALID_REQUIRED_ACKS', async () => {
    const res = await produce(9, { acks: 2, topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(1) }] }] })
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS)
  })

  it('sends no response for acks=0 but still appends', async () => {
    const log = tb.broker.services.logs.getPartition('p', 1)!
    const before = log.highWatermark
    const { encodeRequest } = await import('../helpers/kafka-raw.js')
    client.write(encodeRequest(ProduceRequest, 9, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 'p', partitionData: [{ index: 1, records: records(4) }] }] }, { correlationId: 999_000 }))
    // The next request's response is the next frame: nothing was sent for the acks=0 one.
    const meta = await client.request(MetadataRequest, MetadataResponse, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    expect(meta.brokers.length).toBe(1)
    await vi.waitFor(() => expect(log.highWatermark).toBe(before + 4))
  })

  it('answers a retried idempotent batch with its first offset, and a gap with OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const pid = tb.broker.services.logs.producerIds.nextProducerId()
    const first = await produce(9, { topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(2, { producerId: pid, baseSequence: 0 }) }] }] })
    const retry = await produce(9, { topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(2, { producerId: pid, baseSequence: 0 }) }] }] })
    expect(retry.responses[0].partitionResponses[0].baseOffset).toBe(first.responses[0].partitionResponses[0].baseOffset)
    const gap = await produce(9, { topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(1, { producerId: pid, baseSequence: 5 }) }] }] })
    expect(gap.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  })

  it('refuses transactional writes (no transaction coordinator)', async () => {
    const res = await produce(9, { transactionalId: 'tx', topicData: [{ name: 'p', partitionData: [{ index: 0, records: records(1) }] }] })
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
    const txBatch = records(1)
    txBatch.writeInt16BE(0x10, 21)
    updateBatchCrc(txBatch, 0)
    const res2 = await produce(9, { topicData: [{ name: 'p', partitionData: [{ index: 0, records: txBatch }] }] })
    expect(res2.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_TXN_STATE)
  })

  it('refuses appends to Kafka internal topics from clients', async () => {
    await createTopic(tb, '__transaction_state', 1)
    const res = await produce(9, { topicData: [{ name: '__transaction_state', partitionData: [{ index: 0, records: records(1) }] }] })
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
  })
})
