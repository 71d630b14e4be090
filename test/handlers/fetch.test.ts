// Fetch (1) over the wire: versions, byte limits, topic ids, long-poll wake-up, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js'
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js'
import { buildRecordBatch, iterateBatches, iterateRecords } from '../../src/protocol/record-batch.js'
import type { Topic } from '../../src/storage/log-manager.js'
import { createTopic } from '../helpers/admin.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { consumerFetch, fetchPartition } from '../helpers/fetch-request.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'

let tb: TestBroker
let client: RawKafkaClient
let topic: Topic

beforeAll(async () => {
  tb = await startTestBroker()
  topic = await createTopic(tb, 'f', 3)
  for (let i = 0; i < 5; i++) await append(0, 4, `a${i}`)
  client = await RawKafkaClient.connect(tb.port)
})
afterAll(async () => {
  client?.close()
  await tb?.stop()
})

async function append(partition: number, n: number, prefix: string, valueBytes = 0): Promise<void> {
  const batch = buildRecordBatch(
    Array.from({ length: n }, (_, i) => ({ key: null, value: valueBytes ? Buffer.alloc(valueBytes, 1) : Buffer.from(`${prefix}-${i}`), timestampMs: Date.now() })),
  )
  const r = await topic.partitions[partition].append(batch, { requiredAcks: -1 })
  expect(r.errorCode).toBe(0)
}

function values(records: Buffer | null): string[] {
  if (!records) return []
  const out: string[] = []
  for (const { position, size } of iterateBatches(records)) for (const r of iterateRecords(records.subarray(position, position + size))) out.push(r.value!.toString())
  return out
}

interface PartReq {
  partition: number
  fetchOffset: number
  partitionMaxBytes?: number
  currentLeaderEpoch?: number
}

function fetch(version: number, parts: PartReq[], opts: Partial<FetchRequest> & { topicName?: string; topicId?: string } = {}): Promise<FetchResponse> {
  const { topicName, topicId, ...rest } = opts
  const partitions = parts.map((p) => fetchPartition(p.partition, p.fetchOffset, { partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch }))
  return client.request(FetchRequest, FetchResponse, version, consumerFetch([{ topic: topicName ?? 'f', topicId: topicId ?? topic.topicId, partitions }], rest))
}

describe('Fetch', () => {
  for (const version of [4, 7, 11, 12, 13, 15, 17]) {
    it(`returns stored batches with offsets and watermarks (v${version})`, async () => {
      const res = await fetch(version, [{ partition: 0, fetchOffset: 5 }])
      expect(res.errorCode).toBe(0)
      expect(res.sessionId).toBe(0)
      const p = res.responses[0].partitions[0]
      expect(p).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 20, lastStableOffset: 20, preferredReadReplica: -1 })
      if (version >= 5) expect(p.logStartOffset).toBe(0)
      expect(p.abortedTransactions).toBeNull()
      const got = values(p.records)
      expect(got[0]).toBe('a1-0') // the batch containing offset 5 starts at 4
      expect(got.length).toBe(16)
      if (version >= 13) expect(res.responses[0].topicId).toBe(topic.topicId)
    })
  }

  it('answers UNKNOWN_TOPIC_ID for an unknown id (v13+) and UNKNOWN_TOPIC_OR_PARTITION by name', async () => {
    const byId = await fetch(13, [{ partition: 0, fetchOffset: 0 }], { topicId: '11111111-2222-4333-8444-555555555555' })
    expect(byId.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID)
    const byName = await fetch(12, [{ partition: 0, fetchOffset: 0 }], { topicName: 'nope' })
    expect(byName.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const badPartition = await fetch(12, [{ partition: 9, fetchOffset: 0 }, { partition: 0, fetchOffset: 0 }])
    expect(badPartition.responses[0].partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE])
  })

  it('answers OFFSET_OUT_OF_RANGE past the end, and checks the leader epoch', async () => {
    const res = await fetch(12, [{ partition: 0, fetchOffset: 21 }])
    expect(res.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1 })
    const fenced = await fetch(12, [{ partition: 0, fetchOffset: 0, currentLeaderEpoch: 5 }])
    expect(fenced.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH)
  })

  it('keeps to partition and response byte limits, whole batches, first batch always (KIP-74)', async () => {
    await append(1, 10, 'big', 200) // one ~2 KB batch
    await append(1, 10, 'big', 200)
    const res = await fetch(12, [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 100 }])
    expect(values(res.responses[0].partitions[0].records).length).toBe(10)
    const both = await fetch(12, [{ partition: 0, fetchOffset: 0 }, { partition: 1, fetchOffset: 0 }], { maxBytes: 500 })
    const [p0, p1] = both.responses[0].partitions
    expect(values(p0.records).length).toBeGreaterThan(0)
    expect(p1.records!.length).toBe(0) // over the response budget
    expect(p1.errorCode).toBe(0)
  })

  it('long-polls an empty fetch until data arrives', async () => {
    const log = topic.partitions[2]
    const start = Date.now()
    const pending = fetch(12, [{ partition: 2, fetchOffset: log.highWatermark }], { maxWaitMs: 10_000 })
    setTimeout(() => void append(2, 1, 'late'), 150)
    const res = await pending
    const elapsed = Date.now() - start
    expect(values(res.responses[0].partitions[0].records)).toEqual(['late-0'])
    expect(elapsed).toBeGreaterThanOrEqual(100)
    expect(elapsed).toBeLessThan(5000)
  })

  it('waits maxWaitMs when nothing arrives, then answers empty', async () => {
    const log = topic.partitions[2]
    const start = Date.now()
    const res = await fetch(12, [{ partition: 2, fetchOffset: log.highWatermark }], { maxWaitMs: 300 })
    expect(Date.now() - start).toBeGreaterThanOrEqual(280)
    expect(res.responses[0].partitions[0].records!.length).toBe(0)
    expect(res.responses[0].partitions[0].errorCode).toBe(0)
  })

  it('waits for minBytes', async () => {
    const log = topic.partitions[2]
    const pending = fetch(12, [{ partition: 2, fetchOffset: log.highWatermark }], { maxWaitMs: 10_000, minBytes: 300 })
    await append(2, 1, 'x') // ~70 bytes: not enough
    let settled = false
    void pending.then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(settled).toBe(false)
    await append(2, 5, 'y', 100)
    const res = await pending
    expect(values(res.responses[0].partitions[0].records).length).toBe(6)
  })

  it('has no fetch sessions', async () => {
    const res = await fetch(12, [{ partition: 0, fetchOffset: 0 }], { sessionId: 42, sessionEpoch: 1 })
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    const created = await fetch(12, [{ partition: 0, fetchOffset: 0 }], { sessionId: 0, sessionEpoch: 0 })
    expect(created.errorCode).toBe(0)
    expect(created.sessionId).toBe(0)
  })

  it('read_committed: LSO = high watermark and no aborted transactions', async () => {
    const res = await fetch(12, [{ partition: 0, fetchOffset: 0 }], { isolationLevel: 1 })
    expect(res.responses[0].partitions[0]).toMatchObject({ lastStableOffset: 20, abortedTransactions: [] })
  })
})
