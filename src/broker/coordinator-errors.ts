/**
 * How the group and transaction coordinators report a failed write to their
 * internal topic, as Kafka maps log append errors to coordinator errors
 * (TransactionStateManager.appendTransactionToLog,
 * CoordinatorOperationExceptionHelper): clients then find the coordinator
 * again or retry, instead of seeing storage details.
 */
import { ErrorCode } from '../protocol/errors.ts';

/** The coordinator error for a log append error code; other codes pass through. */
export function coordinatorAppendError(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
