// FindCoordinator (10): this single node coordinates every group. v0-3 ask for one key,
// v4+ for a batch of keys. Transaction coordinators do not exist yet.
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { FindCoordinatorRequest } from '../protocol/generated/find-coordinator-request.js'
import { FindCoordinatorResponse, type FindCoordinatorResponseCoordinator } from '../protocol/generated/find-coordinator-response.js'

const KeyType = { GROUP: 0, TRANSACTION: 1 } as const

function coordinatorFor(ctx: RequestContext, key: string, keyType: number): FindCoordinatorResponseCoordinator {
  if (keyType === KeyType.GROUP) {
    const { host, port } = ctx.broker.advertisedAddress(ctx)
    return { key, nodeId: ctx.broker.nodeId, host, port, errorCode: ErrorCode.NONE, errorMessage: null }
  }
  if (keyType === KeyType.TRANSACTION) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'Transactions are not supported yet.' }
  }
  return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator key type ${keyType}.` }
}

function response(ctx: RequestContext, coordinators: FindCoordinatorResponseCoordinator[]): FindCoordinatorResponse {
  if (ctx.apiVersion >= 4) {
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0, coordinators }
  }
  const c = coordinators[0]
  return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port, coordinators: [] }
}

export const handler: ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse> = {
  apiKey: 10,
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  minVersion: 0,
  maxVersion: 6,

  handle(ctx, req) {
    const keys = ctx.apiVersion >= 4 ? req.coordinatorKeys : [req.key]
    return response(ctx, keys.map((key) => coordinatorFor(ctx, key, req.keyType)))
  },

  errorResponse: (ctx, req, errorCode) => {
    const keys = ctx.apiVersion >= 4 ? req.coordinatorKeys : [req.key]
    return response(ctx, keys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null })))
  },
}
