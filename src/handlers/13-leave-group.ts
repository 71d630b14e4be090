// LeaveGroup (13): one member (v0-2) or a batch of members, possibly by instance id (v3+).
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { LeaveGroupRequest } from '../protocol/generated/leave-group-request.js'
import { LeaveGroupResponse } from '../protocol/generated/leave-group-response.js'

export const handler: ApiHandler<LeaveGroupRequest, LeaveGroupResponse> = {
  apiKey: 13,
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  minVersion: 0,
  maxVersion: 5,

  async handle(ctx, req) {
    const v = ctx.apiVersion
    const members = v >= 3
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? m.reason : null }))
      : [{ memberId: req.memberId, groupInstanceId: null, reason: null }]
    const result = await ctx.broker.groups.leaveGroup({ groupId: req.groupId, members })
    if (v < 3) {
      // Before batching, the single member's error is the response's error.
      const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE
      return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError, members: [] }
    }
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
}
