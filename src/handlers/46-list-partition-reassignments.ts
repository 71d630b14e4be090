// ListPartitionReassignments (46): a single node never reassigns replicas, so the answer is
// always "none in progress" (Kafka ignores unknown topics here too).
import type { ApiHandler } from '../broker/handler.js'
import { ErrorCode } from '../protocol/errors.js'
import { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js'
import { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js'

export const handler: ApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse> = {
  apiKey: 46,
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  minVersion: 0,
  maxVersion: 0,

  handle: () => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }),

  errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] }),
}
