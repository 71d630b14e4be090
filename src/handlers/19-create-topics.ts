// CreateTopics (19): per-topic outcomes; topics are usable when the response is sent.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { topicConfigEntries } from '../broker/topic-config-entries.js'
import { ZERO_UUID } from '../broker/topic-names.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import {
  CreateTopicsRequest,
  type CreateTopicsRequestCreatableTopic as CreatableTopic,
} from '../protocol/generated/create-topics-request.js'
import {
  CreateTopicsResponse,
  type CreateTopicsResponseCreatableTopicResult as TopicResult,
} from '../protocol/generated/create-topics-response.js'

function result(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  }
}

interface Plan {
  numPartitions: number
  replicationFactor: number
}

/** numPartitions/replicationFactor from the request (or from explicit assignments), or an error. */
function plan(ctx: RequestContext, topic: CreatableTopic): Plan | TopicResult {
  const { nodeId } = ctx.broker
  // -1 = the broker's default; storage resolves it.
  if (topic.assignments.length === 0) return { numPartitions: topic.numPartitions, replicationFactor: topic.replicationFactor }
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return result(
      topic.name,
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    )
  }
  const indexes = topic.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b)
  if (indexes.some((p, i) => p !== i)) {
    return result(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions in the replica assignment must be consecutive, starting from 0.')
  }
  for (const a of topic.assignments) {
    if (a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId) {
      return result(
        topic.name,
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Partition ${a.partitionIndex} is assigned to broker(s) [${a.brokerIds.join(', ')}], but the only broker is ${nodeId}.`,
      )
    }
  }
  return { numPartitions: topic.assignments.length, replicationFactor: 1 }
}

async function createOne(ctx: RequestContext, topic: CreatableTopic, validateOnly: boolean): Promise<TopicResult> {
  const p = plan(ctx, topic)
  if ('errorCode' in p) return p
  const configs: Record<string, string | null> = {}
  for (const c of topic.configs) {
    if (c.name in configs) return result(topic.name, ErrorCode.INVALID_REQUEST, `Duplicate config name: ${c.name}`)
    configs[c.name] = c.value
  }
  // Storage validates the name, counts and configs (null values included) and throws KafkaError.
  try {
    const created = await ctx.broker.logs.createTopic(
      { name: topic.name, numPartitions: p.numPartitions, replicationFactor: p.replicationFactor, configs: configs as Record<string, string> },
      { validateOnly },
    )
    return {
      ...result(topic.name, ErrorCode.NONE, null),
      topicId: created.topicId,
      numPartitions: created.numPartitions,
      replicationFactor: created.replicationFactor,
      configs: topicConfigEntries(created.configs, ctx.broker.dynamicConfigs.layers()),
    }
  } catch (err) {
    if (err instanceof KafkaError) return result(topic.name, err.errorCode, err.message)
    ctx.broker.logger.error({ err, topic: topic.name, clientId: ctx.clientId }, 'unexpected error creating a topic')
    return result(topic.name, ErrorCode.UNKNOWN_SERVER_ERROR, 'Unexpected error; see the broker log.')
  }
}

export const handler: ApiHandler<CreateTopicsRequest, CreateTopicsResponse> = {
  apiKey: 19,
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  minVersion: 2,
  maxVersion: 7,

  async handle(ctx, req) {
    const counts = new Map<string, number>()
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const topics: TopicResult[] = []
    const reportedDuplicates = new Set<string>()
    for (const t of req.topics) {
      if (counts.get(t.name)! > 1) {
        // One result per duplicated name, as Kafka does.
        if (!reportedDuplicates.has(t.name)) topics.push(result(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
        reportedDuplicates.add(t.name)
        continue
      }
      topics.push(await createOne(ctx, t, req.validateOnly))
    }
    return { throttleTimeMs: 0, topics }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => result(t.name, errorCode, null)),
  }),
}
