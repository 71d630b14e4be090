// OffsetCommit (8): partitions of unknown topics fail here; the rest go to the coordinator,
// which answers once the commit is written.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { OffsetCommitRequest } from '../protocol/generated/offset-commit-request.js'
import { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js'

function partitionCount(ctx: RequestContext, topic: string): number {
  return ctx.broker.logs.getTopic(topic)?.partitions.length ?? -1
}

export const handler: ApiHandler<OffsetCommitRequest, OffsetCommitResponse> = {
  apiKey: 8,
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  minVersion: 2,
  maxVersion: 9,

  async handle(ctx, req) {
    const v = ctx.apiVersion
    const errors = new Map<string, number>() // "topic\0partition" -> error found here
    const known: OffsetCommitRequest['topics'] = []
    for (const topic of req.topics) {
      const count = partitionCount(ctx, topic.name)
      const valid = topic.partitions.filter((p) => {
        if (p.partitionIndex >= 0 && p.partitionIndex < count) return true
        errors.set(`${topic.name}\0${p.partitionIndex}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        return false
      })
      if (valid.length > 0) known.push({ name: topic.name, partitions: valid })
    }
    const result = known.length === 0 ? { topics: [] } : await ctx.broker.groups.commitOffsets({
      groupId: req.groupId,
      generationId: req.generationIdOrMemberEpoch,
      memberId: req.memberId,
      groupInstanceId: v >= 7 ? req.groupInstanceId : null,
      retentionTimeMs: v <= 4 ? req.retentionTimeMs : -1,
      topics: known.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex, committedOffset: p.committedOffset,
          committedLeaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1, committedMetadata: p.committedMetadata,
        })),
      })),
      reportGroupIdNotFound: v >= 9,
    })
    for (const t of result.topics) for (const p of t.partitions) errors.set(`${t.name}\0${p.partitionIndex}`, p.errorCode)
    // Answer in request order.
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(`${t.name}\0${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR })),
      })),
    }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
}
