// AlterConfigs (33): replaces every override of each resource (TOPIC, BROKER) with the ones given;
// validateOnly checks without changing anything. Outcomes are per resource.
import { AlterConfigOp, alterConfigResources } from '../broker/config-admin.js'
import type { ApiHandler } from '../broker/handler.js'
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js'
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js'

export const handler: ApiHandler<AlterConfigsRequest, AlterConfigsResponse> = {
  apiKey: 33,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  minVersion: 0,
  maxVersion: 2,

  async handle(ctx, req) {
    const outcomes = await alterConfigResources(
      ctx.broker,
      req.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: r.configs.map((c) => ({ name: c.name, value: c.value, op: AlterConfigOp.SET })),
      })),
      { mode: 'replace', validateOnly: req.validateOnly },
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
