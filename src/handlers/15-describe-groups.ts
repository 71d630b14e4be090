// DescribeGroups (15): state, protocol and members of each group.
import type { ApiHandler } from '../broker/handler.js'
import { DescribeGroupsRequest } from '../protocol/generated/describe-groups-request.js'
import { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js'

// No authorizer: a client that asks may do every group operation (READ, DELETE, DESCRIBE).
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8)
const OMITTED = -2147483648

export const handler: ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse> = {
  apiKey: 15,
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  minVersion: 0,
  maxVersion: 5,

  async handle(ctx, req) {
    const authorizedOperations = ctx.apiVersion >= 3 && req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : OMITTED
    const groups = await ctx.broker.groups.describeGroups(req.groups)
    return { throttleTimeMs: 0, groups: groups.map((g) => ({ ...g, authorizedOperations })) }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OMITTED })),
  }),
}
