// DescribeProducers (61): the idempotent producers a partition remembers (its producer state):
// id, epoch, last sequence and timestamp. Brook has no transaction coordinator yet, so
// coordinatorEpoch and currentTxnStartOffset are always -1.
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { DescribeProducersRequest } from '../protocol/generated/describe-producers-request.js'
import {
  DescribeProducersResponse,
  type DescribeProducersResponsePartitionResponse as PartitionResult,
  type DescribeProducersResponseProducerState as ProducerState,
} from '../protocol/generated/describe-producers-response.js'
import type { PartitionLog } from '../storage/partition-log.js'
import type { Topic } from '../storage/log-manager.js'

function failed(partitionIndex: number, errorCode: number): PartitionResult {
  return { partitionIndex, errorCode, errorMessage: null, activeProducers: [] }
}

function activeProducers(log: PartitionLog): ProducerState[] {
  return log.activeProducers().map((p) => ({
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    lastSequence: p.lastSequence,
    lastTimestamp: p.lastTimestamp,
    coordinatorEpoch: -1,
    currentTxnStartOffset: -1,
  }))
}

function describe(topic: Topic | undefined, partitionIndex: number): PartitionResult {
  const log = topic && partitionIndex >= 0 && partitionIndex < topic.partitions.length ? topic.partitions[partitionIndex] : undefined
  if (!log) return failed(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (log.isOffline) return failed(partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR)
  return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: activeProducers(log) }
}

export const handler: ApiHandler<DescribeProducersRequest, DescribeProducersResponse> = {
  apiKey: 61,
  request: DescribeProducersRequest,
  response: DescribeProducersResponse,
  minVersion: 0,
  maxVersion: 0,

  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const topic = ctx.broker.logs.getTopic(t.name)
        return { name: t.name, partitions: t.partitionIndexes.map((p) => describe(topic, p)) }
      }),
    }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => failed(p, errorCode)) })),
  }),
}
