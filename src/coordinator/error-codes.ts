// The coordinator's only protocol import: Kafka's wire error codes.
import { ErrorCode } from '../protocol/errors.js'

export const GroupErrorCode = ErrorCode

// Kafka maps log-append failures of the group log to what group clients understand.
export function appendErrorToResponseError(code: number): number {
  switch (code) {
    case GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case GroupErrorCode.NOT_ENOUGH_REPLICAS:
    case GroupErrorCode.REQUEST_TIMED_OUT:
      return GroupErrorCode.COORDINATOR_NOT_AVAILABLE
    case GroupErrorCode.NOT_LEADER_OR_FOLLOWER:
    case GroupErrorCode.KAFKA_STORAGE_ERROR:
      return GroupErrorCode.NOT_COORDINATOR
    case GroupErrorCode.MESSAGE_TOO_LARGE:
    case GroupErrorCode.RECORD_LIST_TOO_LARGE:
    case GroupErrorCode.INVALID_FETCH_SIZE:
      return GroupErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return code
  }
}
