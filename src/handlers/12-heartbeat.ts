// Heartbeat (12): keeps a member's session alive; tells it to rejoin during a rebalance.
import type { ApiHandler } from '../broker/handler.js'
import { HeartbeatRequest } from '../protocol/generated/heartbeat-request.js'
import { HeartbeatResponse } from '../protocol/generated/heartbeat-response.js'

export const handler: ApiHandler<HeartbeatRequest, HeartbeatResponse> = {
  apiKey: 12,
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  minVersion: 0,
  maxVersion: 4,

  async handle(ctx, req) {
    const { errorCode } = await ctx.broker.groups.heartbeat({
      groupId: req.groupId, generationId: req.generationId, memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= 3 ? req.groupInstanceId : null,
    })
    return { throttleTimeMs: 0, errorCode }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
}
