// OffsetDelete (47): removes committed offsets of topics the group no longer consumes.
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { OffsetDeleteRequest } from '../protocol/generated/offset-delete-request.js'
import { OffsetDeleteResponse } from '../protocol/generated/offset-delete-response.js'

export const handler: ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse> = {
  apiKey: 47,
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  minVersion: 0,
  maxVersion: 0,

  async handle(ctx, req) {
    const errors = new Map<string, number>()
    const known: { name: string; partitions: number[] }[] = []
    for (const topic of req.topics) {
      const count = ctx.broker.logs.getTopic(topic.name)?.partitions.length ?? -1
      const valid: number[] = []
      for (const p of topic.partitions) {
        if (p.partitionIndex >= 0 && p.partitionIndex < count) valid.push(p.partitionIndex)
        else errors.set(`${topic.name}\0${p.partitionIndex}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      }
      known.push({ name: topic.name, partitions: valid })
    }
    const result = await ctx.broker.groups.deleteOffsets({ groupId: req.groupId, topics: known })
    if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] }
    for (const t of result.topics) for (const p of t.partitions) errors.set(`${t.name}\0${p.partitionIndex}`, p.errorCode)
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(`${t.name}\0${p.partitionIndex}`) ?? ErrorCode.NONE })),
      })),
    }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
}
