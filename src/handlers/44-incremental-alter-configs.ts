// IncrementalAlterConfigs (44): SET/DELETE/APPEND/SUBTRACT on TOPIC and BROKER configs (APPEND and
// SUBTRACT only on LIST configs), and log levels on BROKER_LOGGER. Outcomes are per resource.
import { alterConfigsErrorResponse, alterConfigsResponse } from '../broker/config-admin.js'
import type { ApiHandler } from '../broker/handler.js'
import { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js'
import { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js'

export const handler: ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: 44,
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  minVersion: 0,
  maxVersion: 1,

  handle: (ctx, req) => alterConfigsResponse(ctx.broker, req, { mode: 'incremental', opOf: (c) => c.configOperation }),

  errorResponse: (_ctx, req, errorCode) => alterConfigsErrorResponse(req, errorCode),
}
