// InitProducerId (22): a fresh producer id with epoch 0 for idempotent producers. Kafka does the
// same without a transactional id, whatever producerId/epoch the request carries (idempotent
// clients bump their epoch themselves, KIP-360). Transactions are not supported: a request with
// a transactional id gets COORDINATOR_NOT_AVAILABLE, as from a cluster whose transaction
// coordinator is unavailable.
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js'
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js'

function failure(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }
}

export const handler: ApiHandler<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: 22,
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  minVersion: 0,
  maxVersion: 5,

  handle(ctx, req) {
    if (req.transactionalId !== null) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ctx.broker.logs.producerIds.nextProducerId(), producerEpoch: 0 }
  },

  errorResponse: (_ctx, _req, errorCode) => failure(errorCode),
}
