// IncrementalAlterConfigs (44): SET/DELETE/APPEND/SUBTRACT on TOPIC and BROKER configs (APPEND and
// SUBTRACT only on LIST configs), and log levels on BROKER_LOGGER. Outcomes are per resource.
import { alterConfigResources } from '../broker/config-admin.js'
import type { ApiHandler } from '../broker/handler.js'
import { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js'
import { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js'

export const handler: ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: 44,
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  minVersion: 0,
  maxVersion: 1,

  async handle(ctx, req) {
    const outcomes = await alterConfigResources(
      ctx.broker,
      req.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: r.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation })),
      })),
      { mode: 'incremental', validateOnly: req.validateOnly },
    )
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r, i) => ({ ...outcomes[i], resourceType: r.resourceType, resourceName: r.resourceName })),
    }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
  }),
}
