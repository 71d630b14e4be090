// Metadata (3): this broker, the cluster id, and topics with their partitions (this node leads
// every partition). Unknown topics are auto-created synchronously when allowed, and answered
// directly (no LEADER_NOT_AVAILABLE round trip).
import {
  AUTHORIZED_OPERATIONS_OMITTED,
  CLUSTER_AUTHORIZED_OPERATIONS,
  TOPIC_AUTHORIZED_OPERATIONS,
} from '../broker/authorized-operations.js'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ZERO_UUID } from '../broker/topic-names.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { MetadataRequest } from '../protocol/generated/metadata-request.js'
import {
  MetadataResponse,
  type MetadataResponseMetadataResponseTopic as TopicResult,
} from '../protocol/generated/metadata-response.js'
import type { Topic } from '../storage/log-manager.js'
import { validateTopicName } from '../storage/topic-names.js'

function topicResult(ctx: RequestContext, topic: Topic, includeOps: boolean): TopicResult {
  const nodeId = ctx.broker.nodeId
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.partitionIndex,
      leaderId: nodeId,
      leaderEpoch: p.leaderEpoch ?? 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: includeOps ? TOPIC_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  }
}

function errorResult(name: string | null, topicId: string, errorCode: number): TopicResult {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
}

function envelope(ctx: RequestContext, req: MetadataRequest, topics: TopicResult[]): MetadataResponse {
  const { host, port } = ctx.broker.advertisedAddress(ctx)
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.broker.nodeId, host, port, rack: null }],
    clusterId: ctx.broker.clusterId,
    // Admin clients send CreateTopics/DeleteTopics to the controller: that is us.
    controllerId: ctx.broker.nodeId,
    topics,
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  }
}

/** Looks a topic up by name, creating it when auto-creation applies. */
async function topicByName(ctx: RequestContext, req: MetadataRequest, name: string): Promise<TopicResult> {
  const { logs, config } = ctx.broker
  const includeOps = req.includeTopicAuthorizedOperations
  const existing = logs.getTopic(name)
  if (existing) return topicResult(ctx, existing, includeOps)
  if (validateTopicName(name) !== null) return errorResult(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION)
  // allowAutoTopicCreation exists from v4; older clients always allowed it.
  const allowed = (ctx.apiVersion < 4 || req.allowAutoTopicCreation) && config.autoCreateTopicsEnable
  if (!allowed) return errorResult(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  try {
    const created = await logs.createTopic(
      { name, numPartitions: config.numPartitions, replicationFactor: config.defaultReplicationFactor, configs: {} },
      { validateOnly: false },
    )
    ctx.broker.logger.debug({ topic: name, clientId: ctx.clientId }, 'auto-created topic')
    return topicResult(ctx, created, includeOps)
  } catch (err) {
    if (!(err instanceof KafkaError)) throw err
    // Another request created it first.
    const raced = logs.getTopic(name)
    if (raced) return topicResult(ctx, raced, includeOps)
    return errorResult(name, ZERO_UUID, err.errorCode)
  }
}

export const handler: ApiHandler<MetadataRequest, MetadataResponse> = {
  apiKey: 3,
  request: MetadataRequest,
  response: MetadataResponse,
  minVersion: 0,
  maxVersion: 12,

  async handle(ctx, req) {
    const { logs } = ctx.broker
    const includeOps = req.includeTopicAuthorizedOperations
    // v0 has no null list: an empty list meant "all topics" then.
    const allTopics = req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0)
    if (allTopics) {
      return envelope(ctx, req, logs.listTopics().map((t) => topicResult(ctx, t, includeOps)))
    }
    const results: TopicResult[] = []
    const seenNames = new Set<string>()
    const seenIds = new Set<string>()
    for (const requested of req.topics!) {
      if (requested.name !== null) {
        if (seenNames.has(requested.name)) continue
        seenNames.add(requested.name)
        results.push(await topicByName(ctx, req, requested.name))
        continue
      }
      // Lookup by topic id (v12+; a null name is invalid before that).
      if (ctx.apiVersion < 12 || requested.topicId === ZERO_UUID) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Metadata request names a topic by neither name nor id')
      }
      if (seenIds.has(requested.topicId)) continue
      seenIds.add(requested.topicId)
      const topic = logs.getTopicById(requested.topicId)
      results.push(topic ? topicResult(ctx, topic, includeOps) : errorResult(null, requested.topicId, ErrorCode.UNKNOWN_TOPIC_ID))
    }
    return envelope(ctx, req, results)
  },

  errorResponse(ctx, req, errorCode) {
    const topics = (req.topics ?? []).map((t) => errorResult(t.name ?? (ctx.apiVersion >= 12 ? null : ''), t.topicId, errorCode))
    return envelope(ctx, req, topics)
  },
}
