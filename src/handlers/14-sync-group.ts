// SyncGroup (14): the leader hands in the assignment; every member gets its share once the
// assignment is stored (a long-poll for followers).
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { SyncGroupRequest } from '../protocol/generated/sync-group-request.js'
import { SyncGroupResponse } from '../protocol/generated/sync-group-response.js'

const EMPTY = Buffer.alloc(0)

export const handler: ApiHandler<SyncGroupRequest, SyncGroupResponse> = {
  apiKey: 14,
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  minVersion: 0,
  maxVersion: 5,

  async handle(ctx, req) {
    const v = ctx.apiVersion
    // From v5 the protocol type and name are mandatory.
    if (v >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: EMPTY }
    }
    const result = await ctx.broker.groups.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
    })
    return { throttleTimeMs: 0, ...result }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY }),
}
