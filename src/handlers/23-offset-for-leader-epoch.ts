// OffsetForLeaderEpoch (23): the end offset of a leader epoch, used by consumers to validate their
// position after a leader change (KIP-320). Brook's single node has led every partition since
// offset 0 in one epoch (PartitionLog.leaderEpoch), so its leader-epoch cache has one entry:
// (leaderEpoch, logStartOffset). Lookups follow Kafka's LeaderEpochFileCache.endOffsetFor.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import {
  OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochRequestOffsetForLeaderPartition as PartitionRequest,
} from '../protocol/generated/offset-for-leader-epoch-request.js'
import {
  OffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochResponseEpochEndOffset as EpochEndOffset,
} from '../protocol/generated/offset-for-leader-epoch-response.js'
import type { PartitionLog } from '../storage/partition-log.js'
import type { Topic } from '../storage/log-manager.js'

const UNDEFINED_EPOCH = -1
const UNDEFINED_EPOCH_OFFSET = -1
/** currentLeaderEpoch -1: the client does not know the epoch, skip the fencing check. */
const NO_CURRENT_EPOCH = -1

function answer(partition: number, errorCode: number, leaderEpoch = UNDEFINED_EPOCH, endOffset = UNDEFINED_EPOCH_OFFSET): EpochEndOffset {
  return { errorCode, partition, leaderEpoch, endOffset }
}

/**
 * Kafka's endOffsetFor over the one-entry cache: the current epoch ends at the log end offset;
 * an epoch older than it (and not -1) ends where the current one starts; an unknown newer epoch
 * or -1 gives (-1, -1).
 */
export function endOffsetForEpoch(log: Pick<PartitionLog, 'leaderEpoch' | 'logStartOffset' | 'logEndOffset'>, requestedEpoch: number): { leaderEpoch: number; endOffset: number } {
  if (requestedEpoch === UNDEFINED_EPOCH || requestedEpoch > log.leaderEpoch) {
    return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
  }
  if (requestedEpoch === log.leaderEpoch) return { leaderEpoch: requestedEpoch, endOffset: log.logEndOffset }
  return { leaderEpoch: requestedEpoch, endOffset: log.logStartOffset }
}

function lookup(topic: Topic | undefined, p: PartitionRequest): EpochEndOffset {
  const log = topic && p.partition >= 0 && p.partition < topic.partitions.length ? topic.partitions[p.partition] : undefined
  if (!log) return answer(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (log.isOffline) return answer(p.partition, ErrorCode.KAFKA_STORAGE_ERROR)
  if (p.currentLeaderEpoch !== NO_CURRENT_EPOCH) {
    if (p.currentLeaderEpoch < log.leaderEpoch) return answer(p.partition, ErrorCode.FENCED_LEADER_EPOCH)
    if (p.currentLeaderEpoch > log.leaderEpoch) return answer(p.partition, ErrorCode.UNKNOWN_LEADER_EPOCH)
  }
  const found = endOffsetForEpoch(log, p.leaderEpoch)
  return answer(p.partition, ErrorCode.NONE, found.leaderEpoch, found.endOffset)
}

function topicsOf(ctx: RequestContext, req: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse['topics'] {
  return req.topics.map((t) => {
    const topic = ctx.broker.logs.getTopic(t.topic)
    return { topic: t.topic, partitions: t.partitions.map((p) => lookup(topic, p)) }
  })
}

export const handler: ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  apiKey: 23,
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  minVersion: 2,
  maxVersion: 4,

  handle(ctx, req) {
    return { throttleTimeMs: 0, topics: topicsOf(ctx, req) }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => answer(p.partition, errorCode)) })),
  }),
}
