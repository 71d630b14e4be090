// CreatePartitions (37): grows topics (never shrinks them). Explicit assignments must name this
// node, once per new partition. New partitions are usable when the response is sent.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import {
  CreatePartitionsRequest,
  type CreatePartitionsRequestCreatePartitionsTopic as TopicRequest,
} from '../protocol/generated/create-partitions-request.js'
import {
  CreatePartitionsResponse,
  type CreatePartitionsResponseCreatePartitionsTopicResult as TopicResult,
} from '../protocol/generated/create-partitions-response.js'

/** Kafka's controller cap on partitions created by one request. */
const MAX_PARTITIONS_PER_REQUEST = 10_000

function result(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, errorCode, errorMessage }
}

/** Kafka's manual-assignment checks for a single-node cluster (replication factor 1). */
function assignmentError(ctx: RequestContext, topic: TopicRequest, additional: number): string | null {
  const assignments = topic.assignments
  if (assignments === null) return null
  if (assignments.length !== additional) {
    return `Attempted to add ${additional} additional partition(s), but only ${assignments.length} assignment(s) were specified.`
  }
  const nodeId = ctx.broker.nodeId
  for (const a of assignments) {
    if (a.brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.'
    const seen = new Set<number>()
    for (const id of a.brokerIds) {
      if (seen.has(id)) return `The manual partition assignment includes the broker ${id} more than once.`
      seen.add(id)
      if (id !== nodeId) return `The manual partition assignment includes broker ${id}, but no broker with that id is registered.`
    }
  }
  return null
}

async function createOne(ctx: RequestContext, topic: TopicRequest, validateOnly: boolean, budget: { left: number }): Promise<TopicResult> {
  const { logs } = ctx.broker
  try {
    // The count checks (unknown topic, not an increase) come first, as in Kafka.
    await logs.createPartitions(topic.name, topic.count, { validateOnly: true })
    const current = logs.getTopic(topic.name)?.partitions.length ?? 0
    const additional = topic.count - current
    const assignmentProblem = assignmentError(ctx, topic, additional)
    if (assignmentProblem !== null) return result(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, assignmentProblem)
    if (additional > budget.left) return result(topic.name, ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.')
    budget.left -= additional
    if (!validateOnly) {
      await logs.createPartitions(topic.name, topic.count, { validateOnly: false })
      ctx.broker.logger.info({ topic: topic.name, partitions: topic.count, clientId: ctx.clientId }, 'added partitions')
    }
    return result(topic.name, ErrorCode.NONE, null)
  } catch (err) {
    if (err instanceof KafkaError) return result(topic.name, err.errorCode, err.message)
    ctx.broker.logger.error({ err, topic: topic.name, clientId: ctx.clientId }, 'unexpected error adding partitions')
    return result(topic.name, ErrorCode.UNKNOWN_SERVER_ERROR, 'Unexpected error; see the broker log.')
  }
}

export const handler: ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse> = {
  apiKey: 37,
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  minVersion: 0,
  maxVersion: 3,

  async handle(ctx, req) {
    const counts = new Map<string, number>()
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const budget = { left: MAX_PARTITIONS_PER_REQUEST }
    const results: TopicResult[] = []
    const reported = new Set<string>()
    for (const t of req.topics) {
      if (counts.get(t.name)! > 1) {
        if (!reported.has(t.name)) results.push(result(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
        reported.add(t.name)
        continue
      }
      results.push(await createOne(ctx, t, req.validateOnly, budget))
    }
    return { throttleTimeMs: 0, results }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.topics.map((t) => result(t.name, errorCode, null)),
  }),
}
