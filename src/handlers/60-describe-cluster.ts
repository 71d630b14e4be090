// DescribeCluster (60): this broker as the whole cluster and its controller.
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS } from '../broker/authorized-operations.js'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { DescribeClusterRequest } from '../protocol/generated/describe-cluster-request.js'
import { DescribeClusterResponse } from '../protocol/generated/describe-cluster-response.js'

/** EndpointType: 1 = brokers, 2 = controllers (v1+) */
const ENDPOINT_TYPE_BROKERS = 1

function response(ctx: RequestContext, req: DescribeClusterRequest, errorCode: number, errorMessage: string | null): DescribeClusterResponse {
  const { host, port } = ctx.broker.advertisedAddress(ctx)
  const ok = errorCode === ErrorCode.NONE
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    endpointType: req.endpointType,
    clusterId: ctx.broker.clusterId,
    controllerId: ok ? ctx.broker.nodeId : -1,
    brokers: ok ? [{ brokerId: ctx.broker.nodeId, host, port, rack: null }] : [],
    clusterAuthorizedOperations: ok && req.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  }
}

export const handler: ApiHandler<DescribeClusterRequest, DescribeClusterResponse> = {
  apiKey: 60,
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    if (req.endpointType !== ENDPOINT_TYPE_BROKERS) {
      return response(ctx, req, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'The broker only supports the BROKER endpoint type')
    }
    return response(ctx, req, ErrorCode.NONE, null)
  },
  errorResponse: (ctx, req, errorCode) => response(ctx, req, errorCode, null),
}
