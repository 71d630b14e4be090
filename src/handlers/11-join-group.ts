// JoinGroup (11): a long-poll answered when the group's join phase completes.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { JoinGroupRequest } from '../protocol/generated/join-group-request.js'
import { JoinGroupResponse } from '../protocol/generated/join-group-response.js'

// Kafka reports the client as InetAddress.toString(): "/<ip>".
export function clientHost(ctx: RequestContext): string {
  const address = ctx.connection.remoteAddress
  return `/${address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address}`
}

export const handler: ApiHandler<JoinGroupRequest, JoinGroupResponse> = {
  apiKey: 11,
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  minVersion: 0,
  maxVersion: 9,

  async handle(ctx, req) {
    const v = ctx.apiVersion
    const result = await ctx.broker.groups.joinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: v >= 5 ? req.groupInstanceId : null,
      sessionTimeoutMs: req.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout serves as both.
      rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      reason: v >= 8 ? req.reason : null,
      clientId: ctx.clientId ?? '',
      clientHost: clientHost(ctx),
      requireKnownMemberId: v >= 4,
      supportsSkipAssignment: v >= 9,
    })
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Not nullable before v7.
      protocolName: v >= 7 ? result.protocolName : result.protocolName ?? '',
      leader: result.leader,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    }
  },

  errorResponse: (ctx, req, errorCode) => ({
    throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: ctx.apiVersion >= 7 ? null : '',
    leader: '', skipAssignment: false, memberId: req.memberId, members: [],
  }),
}
