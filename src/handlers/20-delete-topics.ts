// DeleteTopics (20): by name (v1-5) or by name or topic id (v6); per-topic outcomes.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ZERO_UUID } from '../broker/topic-names.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js'
import {
  DeleteTopicsResponse,
  type DeleteTopicsResponseDeletableTopicResult as TopicResult,
} from '../protocol/generated/delete-topics-response.js'

interface Target {
  name: string | null
  topicId: string
}

function targets(ctx: RequestContext, req: DeleteTopicsRequest): Target[] {
  if (ctx.apiVersion >= 6) return req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
  return req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
}

function result(ctx: RequestContext, t: Target, errorCode: number, errorMessage: string | null): TopicResult {
  // Before v6 the name is not nullable.
  return { name: t.name ?? (ctx.apiVersion >= 6 ? null : ''), topicId: t.topicId, errorCode, errorMessage }
}

async function deleteOne(ctx: RequestContext, t: Target): Promise<TopicResult> {
  const { logs } = ctx.broker
  if (t.name !== null && t.topicId !== ZERO_UUID) {
    return result(ctx, t, ErrorCode.INVALID_REQUEST, 'A topic must be named by either its name or its id, not both.')
  }
  const topic = t.name !== null ? logs.getTopic(t.name) : logs.getTopicById(t.topicId)
  if (!topic) {
    return t.name !== null
      ? result(ctx, t, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${t.name} does not exist.`)
      : result(ctx, t, ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${t.topicId} does not exist.`)
  }
  const found = { name: topic.name, topicId: topic.topicId }
  if (topic.isInternal) return result(ctx, found, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete internal topic ${topic.name}.`)
  try {
    await logs.deleteTopic(topic.name)
  } catch (err) {
    if (err instanceof KafkaError) return result(ctx, found, err.errorCode, err.message)
    ctx.broker.logger.error({ err, topic: topic.name, clientId: ctx.clientId }, 'unexpected error deleting a topic')
    return result(ctx, found, ErrorCode.UNKNOWN_SERVER_ERROR, 'Unexpected error; see the broker log.')
  }
  // Committed offsets of a deleted topic go with it, as in Kafka; the topic itself is gone either way.
  try {
    await ctx.broker.groups.onTopicDeleted(topic.name)
  } catch (err) {
    ctx.broker.logger.warn({ err, topic: topic.name }, 'could not remove committed offsets of a deleted topic')
  }
  return result(ctx, found, ErrorCode.NONE, null)
}

export const handler: ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> = {
  apiKey: 20,
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  minVersion: 1,
  maxVersion: 6,

  async handle(ctx, req) {
    const all = targets(ctx, req)
    const key = (t: Target) => (t.name !== null ? `n:${t.name}` : `i:${t.topicId}`)
    const counts = new Map<string, number>()
    for (const t of all) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1)
    const responses: TopicResult[] = []
    const reported = new Set<string>()
    for (const t of all) {
      const k = key(t)
      if (counts.get(k)! > 1) {
        if (!reported.has(k)) responses.push(result(ctx, t, ErrorCode.INVALID_REQUEST, 'Duplicate topic name or id.'))
        reported.add(k)
        continue
      }
      responses.push(await deleteOne(ctx, t))
    }
    return { throttleTimeMs: 0, responses }
  },

  errorResponse: (ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    responses: targets(ctx, req).map((t) => result(ctx, t, errorCode, null)),
  }),
}
