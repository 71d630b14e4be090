// ListOffsets (2): earliest / latest / max-timestamp / by-timestamp offsets per partition.
// No tiered storage: earliest-local is the log start offset and latest-tiered is "none" (-1).
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { ListOffsetsRequest, type ListOffsetsRequestListOffsetsPartition as PartitionRequest } from '../protocol/generated/list-offsets-request.js'
import {
  ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse as PartitionResponse,
} from '../protocol/generated/list-offsets-response.js'
import type { PartitionLog } from '../storage/partition-log.js'

/** Special timestamps (Kafka's ListOffsetsRequest constants). */
export const OffsetSpec = {
  LATEST: -1,
  EARLIEST: -2,
  MAX_TIMESTAMP: -3,
  EARLIEST_LOCAL: -4,
  LATEST_TIERED: -5,
} as const

const READ_COMMITTED = 1

function answer(partitionIndex: number, errorCode: number, offset = -1, timestamp = -1): PartitionResponse {
  return { partitionIndex, errorCode, timestamp, offset, leaderEpoch: offset >= 0 ? 0 : -1 }
}

async function lookup(log: PartitionLog, p: PartitionRequest, readCommitted: boolean): Promise<PartitionResponse> {
  const i = p.partitionIndex
  switch (p.timestamp) {
    case OffsetSpec.EARLIEST:
    case OffsetSpec.EARLIEST_LOCAL:
      return answer(i, ErrorCode.NONE, log.logStartOffset)
    case OffsetSpec.LATEST:
      return answer(i, ErrorCode.NONE, readCommitted ? log.lastStableOffset : log.highWatermark)
    case OffsetSpec.LATEST_TIERED:
      return answer(i, ErrorCode.NONE)
    case OffsetSpec.MAX_TIMESTAMP: {
      const found = await log.maxTimestamp()
      return found ? answer(i, ErrorCode.NONE, found.offset, found.timestamp) : answer(i, ErrorCode.NONE)
    }
    default: {
      const found = await log.offsetForTimestamp(p.timestamp)
      return found ? answer(i, ErrorCode.NONE, found.offset, found.timestamp) : answer(i, ErrorCode.NONE)
    }
  }
}

async function one(ctx: RequestContext, topicName: string, p: PartitionRequest, readCommitted: boolean): Promise<PartitionResponse> {
  const topic = ctx.broker.logs.getTopic(topicName)
  const log = topic && p.partitionIndex >= 0 ? topic.partitions[p.partitionIndex] : undefined
  if (!log) return answer(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  // currentLeaderEpoch (v4+): -1 = not checked.
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== log.leaderEpoch) {
    return answer(p.partitionIndex, p.currentLeaderEpoch > log.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH)
  }
  return lookup(log, p, readCommitted)
}

export const handler: ApiHandler<ListOffsetsRequest, ListOffsetsResponse> = {
  apiKey: 2,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  minVersion: 1,
  maxVersion: 10,

  async handle(ctx, req) {
    const readCommitted = req.isolationLevel === READ_COMMITTED
    // A partition asked twice is answered INVALID_REQUEST each time, as Kafka does.
    const counts = new Map<string, number>()
    for (const t of req.topics) for (const p of t.partitions) counts.set(`${t.name}\0${p.partitionIndex}`, (counts.get(`${t.name}\0${p.partitionIndex}`) ?? 0) + 1)
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map((p) =>
            counts.get(`${t.name}\0${p.partitionIndex}`)! > 1 ? answer(p.partitionIndex, ErrorCode.INVALID_REQUEST) : one(ctx, t.name, p, readCommitted),
          ),
        ),
      })),
    )
    return { throttleTimeMs: 0, topics }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => answer(p.partitionIndex, errorCode)) })),
  }),
}
