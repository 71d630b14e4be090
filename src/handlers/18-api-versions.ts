// ApiVersions (18): the version ranges of every registered handler (from the registry).
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js'

// Kafka's rule for ClientSoftwareName/Version (v3+): alphanumerics, '-' and '.', starting and
// ending with an alphanumeric.
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

function response(ctx: RequestContext, errorCode: number): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: ctx.broker.apiVersions().map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion })),
    throttleTimeMs: 0,
    // No feature flags: Brook has no metadata.version / KRaft features to report.
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }
}

export const handler: ApiHandler<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: 18,
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  minVersion: 0,
  maxVersion: 4,
  responseHeaderV0: true,
  // KIP-511: a client newer than us gets a v0 answer listing our ranges and retries with one of them.
  unsupportedVersionResponse: (ctx) => response(ctx, ErrorCode.UNSUPPORTED_VERSION),
  handle(ctx, req) {
    if (ctx.apiVersion >= 3 && !(SOFTWARE_PATTERN.test(req.clientSoftwareName) && SOFTWARE_PATTERN.test(req.clientSoftwareVersion))) {
      return response(ctx, ErrorCode.INVALID_REQUEST)
    }
    return response(ctx, ErrorCode.NONE)
  },
  errorResponse: (ctx, _req, errorCode) => response(ctx, errorCode),
}
