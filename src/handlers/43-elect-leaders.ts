// ElectLeaders (43): on one node every partition already has its preferred (and only) replica as
// leader, so there is nothing to elect. Answered as Kafka's controller does: ELECTION_NOT_NEEDED
// per named partition, UNKNOWN_TOPIC_OR_PARTITION for missing ones, and for "all partitions"
// (null) every topic with no partition listed (partitions that need no election are left out).
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js'
import {
  ElectLeadersResponse,
  type ElectLeadersResponsePartitionResult as PartitionResult,
} from '../protocol/generated/elect-leaders-response.js'

/** ElectionType: 0 = PREFERRED, 1 = UNCLEAN (v1+; v0 is always preferred). */
const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const

function partitionResult(partitionId: number, errorCode: number, errorMessage: string | null): PartitionResult {
  return { partitionId, errorCode, errorMessage }
}

export const handler: ApiHandler<ElectLeadersRequest, ElectLeadersResponse> = {
  apiKey: 43,
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  minVersion: 0,
  maxVersion: 2,

  handle(ctx, req) {
    if (req.electionType !== ElectionType.PREFERRED && req.electionType !== ElectionType.UNCLEAN) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown election type ${req.electionType}`)
    }
    const { logs } = ctx.broker
    if (req.topicPartitions === null) {
      const results = logs.listTopics().map((t) => ({ topic: t.name, partitionResult: [] }))
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results }
    }
    const results = req.topicPartitions.map((t) => {
      const topic = logs.getTopic(t.topic)
      return {
        topic: t.topic,
        partitionResult: t.partitions.map((p) => {
          if (!topic) return partitionResult(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${t.topic}`)
          if (p < 0 || p >= topic.partitions.length) {
            return partitionResult(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${t.topic}-${p}`)
          }
          // Preferred: the leader is the preferred replica; unclean: the partition has a leader.
          return partitionResult(p, ErrorCode.ELECTION_NOT_NEEDED, null)
        }),
      }
    })
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((p) => partitionResult(p, errorCode, null)),
    })),
  }),
}
