// DeleteRecords (21): moves each partition's log start offset forward (offset -1 = the high
// watermark) and answers the new low watermark. Offsets below it are no longer served; whole
// segments below it are deleted by storage.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import {
  DeleteRecordsRequest,
  type DeleteRecordsRequestDeleteRecordsPartition as PartitionRequest,
} from '../protocol/generated/delete-records-request.js'
import {
  DeleteRecordsResponse,
  type DeleteRecordsResponseDeleteRecordsPartitionResult as PartitionResult,
} from '../protocol/generated/delete-records-response.js'
import type { Topic } from '../storage/log-manager.js'

/** The request's "up to the high watermark" offset. */
const HIGH_WATERMARK = -1

function failed(partitionIndex: number, errorCode: number): PartitionResult {
  return { partitionIndex, lowWatermark: -1, errorCode }
}

async function deleteOne(ctx: RequestContext, topic: Topic | undefined, p: PartitionRequest): Promise<PartitionResult> {
  const log = topic && p.partitionIndex >= 0 && p.partitionIndex < topic.partitions.length ? topic.partitions[p.partitionIndex] : undefined
  if (!topic || !log) return failed(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (topic.isInternal) return failed(p.partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION)
  if (log.isOffline) return failed(p.partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR)
  // Kafka refuses on topics whose cleanup.policy lacks "delete" (compact only); the policy is the
  // one storage applies (topic override, else the broker's static or dynamic default).
  if (ctx.broker.logs.logConfig(topic.name)?.delete === false) {
    return failed(p.partitionIndex, ErrorCode.POLICY_VIOLATION)
  }
  const offset = p.offset === HIGH_WATERMARK ? log.highWatermark : p.offset
  if (offset < 0) return failed(p.partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE)
  try {
    await log.setLogStartOffset(offset)
    return { partitionIndex: p.partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE }
  } catch (err) {
    if (err instanceof KafkaError) return failed(p.partitionIndex, err.errorCode)
    ctx.broker.logger.error({ err, topic: topic.name, partition: p.partitionIndex }, 'unexpected error deleting records')
    return failed(p.partitionIndex, ErrorCode.UNKNOWN_SERVER_ERROR)
  }
}

export const handler: ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse> = {
  apiKey: 21,
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  minVersion: 0,
  maxVersion: 2,

  async handle(ctx, req) {
    const topics = await Promise.all(
      req.topics.map(async (t) => {
        const topic = ctx.broker.logs.getTopic(t.name)
        // Partitions are independent: delete them concurrently.
        const partitions = await Promise.all(t.partitions.map((p) => deleteOne(ctx, topic, p)))
        return { name: t.name, partitions }
      }),
    )
    return { throttleTimeMs: 0, topics }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, errorCode)) })),
  }),
}
