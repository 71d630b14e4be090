// DescribeTopicPartitions (75): topic metadata paginated by partitions, in topic-name order, as
// Kafka's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache.describeTopicResponse do:
// at most responsePartitionLimit partitions (capped at 2000) per response and a cursor where the
// next page starts.
import { TOPIC_AUTHORIZED_OPERATIONS } from '../broker/authorized-operations.js'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { DescribeTopicPartitionsRequest } from '../protocol/generated/describe-topic-partitions-request.js'
import {
  DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseCursor as Cursor,
  type DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic as TopicResult,
} from '../protocol/generated/describe-topic-partitions-response.js'
import type { Topic } from '../storage/log-manager.js'
import { isInternalTopicName, validateTopicName } from '../storage/topic-names.js'
import { ZERO_UUID } from '../broker/topic-names.js'

/** Kafka's max.request.partition.size.limit default. */
const MAX_PARTITIONS_PER_RESPONSE = 2000

function errorTopic(name: string, errorCode: number): TopicResult {
  return {
    errorCode,
    name,
    topicId: ZERO_UUID,
    isInternal: isInternalTopicName(name),
    partitions: [],
    topicAuthorizedOperations: TOPIC_AUTHORIZED_OPERATIONS,
  }
}

function topicPage(ctx: RequestContext, topic: Topic, start: number, limit: number): { result: TopicResult; next: number } {
  const nodeId = ctx.broker.nodeId
  const total = topic.partitions.length
  const end = Math.min(total, start + limit)
  const partitions = []
  for (let i = start; i < end; i++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: nodeId,
      leaderEpoch: topic.partitions[i]?.leaderEpoch ?? 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    })
  }
  return {
    result: {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: topic.isInternal,
      partitions,
      topicAuthorizedOperations: TOPIC_AUTHORIZED_OPERATIONS,
    },
    next: end < total ? end : -1,
  }
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export const handler: ApiHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse> = {
  apiKey: 75,
  request: DescribeTopicPartitionsRequest,
  response: DescribeTopicPartitionsResponse,
  minVersion: 0,
  maxVersion: 0,

  handle(ctx, req) {
    const { logs } = ctx.broker
    const cursor = req.cursor
    const cursorTopic = cursor?.topicName ?? ''
    const fetchAll = req.topics.length === 0
    const names = new Set<string>()
    if (fetchAll) {
      for (const t of logs.listTopics()) if (t.name >= cursorTopic) names.add(t.name)
    } else {
      for (const t of req.topics) if (t.name >= cursorTopic) names.add(t.name)
      if (cursor && !names.has(cursor.topicName)) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `DescribeTopicPartitionsRequest topic list should contain the cursor topic: ${cursor.topicName}`)
      }
    }
    if (cursor && cursor.partitionIndex < 0) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `DescribeTopicPartitionsRequest cursor partition must be valid: ${cursor.topicName}-${cursor.partitionIndex}`)
    }

    let remaining = Math.max(Math.min(MAX_PARTITIONS_PER_RESPONSE, req.responsePartitionLimit), 1)
    const topics: TopicResult[] = []
    let nextCursor: Cursor | null = null
    for (const name of [...names].sort(byName)) {
      if (remaining === 0) {
        // Every partition of the previous topics was returned: the next page starts here.
        nextCursor = { topicName: name, partitionIndex: 0 }
        break
      }
      const topic = logs.getTopic(name)
      if (!topic) {
        // Asked-for topics that do not exist are reported; in "all topics" mode they are skipped.
        if (!fetchAll) topics.push(errorTopic(name, validateTopicName(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION))
        continue
      }
      const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0
      const page = topicPage(ctx, topic, start, remaining)
      topics.push(page.result)
      if (page.next !== -1) {
        nextCursor = { topicName: name, partitionIndex: page.next }
        break
      }
      remaining -= page.result.partitions.length
    }
    return { throttleTimeMs: 0, topics, nextCursor }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => errorTopic(t.name, errorCode)),
    nextCursor: null,
  }),
}
