// OffsetFetch (9): one group (v0-7) or a batch of groups (v8+); null topics = all of them.
import type { ApiHandler } from '../broker/handler.js'
import type { OffsetFetchGroupResult } from '../coordinator/types.js'
import { ErrorCode } from '../protocol/errors.js'
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js'
import { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js'

function singleGroupResponse(version: number, group: OffsetFetchGroupResult): OffsetFetchResponse {
  // v0-1 have no group-level error: it goes on every partition.
  const partitionError = version < 2 ? group.errorCode : ErrorCode.NONE
  return {
    throttleTimeMs: 0,
    errorCode: group.errorCode,
    groups: [],
    topics: group.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ ...p, errorCode: p.errorCode !== ErrorCode.NONE ? p.errorCode : partitionError })),
    })),
  }
}

export const handler: ApiHandler<OffsetFetchRequest, OffsetFetchResponse> = {
  apiKey: 9,
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  minVersion: 1,
  maxVersion: 9,

  async handle(ctx, req) {
    const v = ctx.apiVersion
    const requireStable = v >= 7 && req.requireStable
    if (v < 8) {
      const [group] = await ctx.broker.groups.fetchOffsets(
        [{ groupId: req.groupId, topics: req.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null }],
        { requireStable },
      )
      return singleGroupResponse(v, group)
    }
    const groups = await ctx.broker.groups.fetchOffsets(
      req.groups.map((g) => ({ groupId: g.groupId, topics: g.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null })),
      { requireStable },
    )
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [], groups }
  },

  errorResponse: (ctx, req, errorCode) => {
    if (ctx.apiVersion < 8) {
      return singleGroupResponse(ctx.apiVersion, {
        groupId: req.groupId, errorCode,
        topics: (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })) })),
      })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [], groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode, topics: [] })) }
  },
}
