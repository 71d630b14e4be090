// ListGroups (16): every group, filtered by state (v4+) and type (v5+).
import type { ApiHandler } from '../broker/handler.js'
import { ListGroupsRequest } from '../protocol/generated/list-groups-request.js'
import { ListGroupsResponse } from '../protocol/generated/list-groups-response.js'

export const handler: ApiHandler<ListGroupsRequest, ListGroupsResponse> = {
  apiKey: 16,
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  minVersion: 0,
  maxVersion: 5,

  async handle(ctx, req) {
    const result = await ctx.broker.groups.listGroups({
      statesFilter: ctx.apiVersion >= 4 ? req.statesFilter : [],
      typesFilter: ctx.apiVersion >= 5 ? req.typesFilter : [],
    })
    return { throttleTimeMs: 0, errorCode: result.errorCode, groups: result.groups }
  },

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
}
