// AlterConfigs (33): replaces every override of each resource (TOPIC, BROKER) with the ones given;
// validateOnly checks without changing anything. Outcomes are per resource.
import { AlterConfigOp, alterConfigsErrorResponse, alterConfigsResponse } from '../broker/config-admin.js'
import type { ApiHandler } from '../broker/handler.js'
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js'
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js'

export const handler: ApiHandler<AlterConfigsRequest, AlterConfigsResponse> = {
  apiKey: 33,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  minVersion: 0,
  maxVersion: 2,

  handle: (ctx, req) => alterConfigsResponse(ctx.broker, req, { mode: 'replace', opOf: () => AlterConfigOp.SET }),

  errorResponse: (_ctx, req, errorCode) => alterConfigsErrorResponse(req, errorCode),
}
