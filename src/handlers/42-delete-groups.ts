// DeleteGroups (42): removes empty groups and their committed offsets.
import type { ApiHandler } from '../broker/handler.js'
import { DeleteGroupsRequest } from '../protocol/generated/delete-groups-request.js'
import { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js'

export const handler: ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse> = {
  apiKey: 42,
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  minVersion: 0,
  maxVersion: 2,

  async handle(ctx, req) {
    return { throttleTimeMs: 0, results: await ctx.broker.groups.deleteGroups(req.groupsNames) }
  },

  errorResponse: (_ctx, req, errorCode) => ({ throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
}
