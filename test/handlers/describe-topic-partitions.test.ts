// DescribeTopicPartitions (75) pagination, as Kafka pages: topics in name order, at most
// responsePartitionLimit partitions per response, a cursor to the next partition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import {
  DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsRequestCursor as Cursor,
} from '../../src/protocol/generated/describe-topic-partitions-request.js'
import { DescribeTopicPartitionsResponse } from '../../src/protocol/generated/describe-topic-partitions-response.js'
import { startTestBroker, type TestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { createTopic } from '../helpers/admin.js'

let tb: TestBroker
let client: RawKafkaClient

beforeAll(async () => {
  tb = await startTestBroker({ memory: true })
  client = await RawKafkaClient.connect(tb.port)
  // Created out of order: responses are in name order.
  await createTopic(tb, 'dtp-c', 2)
  await createTopic(tb, 'dtp-a', 3)
  await createTopic(tb, 'dtp-b', 1)
})
afterAll(async () => {
  client.close()
  await tb.stop()
})

function describeTopics(names: string[], limit: number, cursor: Cursor | null = null) {
  return client.request(DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, 0, {
    topics: names.map((name) => ({ name })),
    responsePartitionLimit: limit,
    cursor,
  })
}

describe('DescribeTopicPartitions', () => {
  it('describes topics with their partitions, leader and replicas', async () => {
    const res = await describeTopics(['dtp-b', 'dtp-a'], 100)
    expect(res.nextCursor).toBeNull()
    expect(res.topics.map((t) => t.name)).toEqual(['dtp-a', 'dtp-b'])
    const a = res.topics[0]
    expect(a).toMatchObject({ errorCode: ErrorCode.NONE, isInternal: false, topicId: tb.broker.services.logs.getTopic('dtp-a')!.topicId })
    expect(a.partitions).toHaveLength(3)
    expect(a.partitions[1]).toEqual({
      errorCode: ErrorCode.NONE,
      partitionIndex: 1,
      leaderId: 1,
      leaderEpoch: 0,
      replicaNodes: [1],
      isrNodes: [1],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    })
    expect(a.topicAuthorizedOperations).toBeGreaterThan(0)
  })

  it('pages through every partition of every topic with the cursor', async () => {
    const seen: string[] = []
    let cursor: Cursor | null = null
    let pages = 0
    do {
      const res = await describeTopics(['dtp-a', 'dtp-b', 'dtp-c'], 2, cursor)
      const count = res.topics.reduce((n, t) => n + t.partitions.length, 0)
      expect(count).toBeLessThanOrEqual(2)
      for (const t of res.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`)
      cursor = res.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(seen).toEqual(['dtp-a-0', 'dtp-a-1', 'dtp-a-2', 'dtp-b-0', 'dtp-c-0', 'dtp-c-1'])
    expect(pages).toBe(3)
  })

  it('points the cursor at the next topic when a page ends on a topic boundary', async () => {
    const res = await describeTopics(['dtp-a', 'dtp-b'], 3)
    expect(res.topics.map((t) => t.name)).toEqual(['dtp-a'])
    expect(res.nextCursor).toEqual({ topicName: 'dtp-b', partitionIndex: 0 })
  })

  it('lists all topics when none are named, skipping unknown ones', async () => {
    const res = await describeTopics([], 2000)
    const names = res.topics.map((t) => t.name ?? '')
    expect(names).toEqual([...names].sort())
    expect(names.filter((n) => !n.startsWith('__'))).toEqual(['dtp-a', 'dtp-b', 'dtp-c'])
    // Internal topics (such as the coordinator's __consumer_offsets) are listed too, flagged as such.
    expect(res.topics.filter((t) => t.name!.startsWith('__')).every((t) => t.isInternal)).toBe(true)
    const fromCursor = await describeTopics([], 2000, { topicName: 'dtp-b', partitionIndex: 0 })
    expect(fromCursor.topics.map((t) => t.name)).toEqual(['dtp-b', 'dtp-c'])
  })

  it('reports unknown and invalid named topics', async () => {
    const res = await describeTopics(['dtp-zzz', 'bad name!'], 10)
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['dtp-zzz', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ])
  })

  it('rejects a cursor topic missing from the named topics, or a negative cursor partition', async () => {
    const res = await describeTopics(['dtp-c'], 10, { topicName: 'dtp-a', partitionIndex: 0 })
    expect(res.topics).toEqual([expect.objectContaining({ name: 'dtp-c', errorCode: ErrorCode.INVALID_REQUEST })])
    const negative = await describeTopics(['dtp-a'], 10, { topicName: 'dtp-a', partitionIndex: -1 })
    expect(negative.topics[0].errorCode).toBe(ErrorCode.INVALID_REQUEST)
  })
})
