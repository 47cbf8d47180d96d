/**
 * Kafka protocol error codes, as data.
 *
 * - `ErrorCode` is every code the protocol defines, named as in Apache Kafka's
 *   `Errors` enum (trunk at 1eb7644, the commit `shared/kafka-protocol` was
 *   taken from): -1 through 128, no gaps.
 * - Retriable means what it means in Kafka: the exception class behind the
 *   code extends `RetriableException`, so clients retry it on their own
 *   (usually after refreshing metadata or finding the coordinator again).
 * - The default messages are our own short wording, not Kafka's.
 * - Storage and coordinators throw `new KafkaError(ErrorCode.X)`; handlers
 *   catch with `toKafkaError` and write `code` into the response's errorCode
 *   and `errorMessage` into its ErrorMessage field, if it has one.
 */

/** Every Kafka protocol error code by its Kafka name. */
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  REPLICA_NOT_AVAILABLE: 9,
  MESSAGE_TOO_LARGE: 10,
  STALE_CONTROLLER_EPOCH: 11,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTION_COORDINATOR_FENCED: 52,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SECURITY_DISABLED: 54,
  OPERATION_NOT_ATTEMPTED: 55,
  KAFKA_STORAGE_ERROR: 56,
  LOG_DIR_NOT_FOUND: 57,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  REASSIGNMENT_IN_PROGRESS: 60,
  DELEGATION_TOKEN_AUTH_DISABLED: 61,
  DELEGATION_TOKEN_NOT_FOUND: 62,
  DELEGATION_TOKEN_OWNER_MISMATCH: 63,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 64,
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 65,
  DELEGATION_TOKEN_EXPIRED: 66,
  INVALID_PRINCIPAL_TYPE: 67,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  LISTENER_NOT_FOUND: 72,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  STALE_BROKER_EPOCH: 77,
  OFFSET_NOT_AVAILABLE: 78,
  MEMBER_ID_REQUIRED: 79,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_RECORD: 87,
  UNSTABLE_OFFSET_COMMIT: 88,
  THROTTLING_QUOTA_EXCEEDED: 89,
  PRODUCER_FENCED: 90,
  RESOURCE_NOT_FOUND: 91,
  DUPLICATE_RESOURCE: 92,
  UNACCEPTABLE_CREDENTIAL: 93,
  INCONSISTENT_VOTER_SET: 94,
  INVALID_UPDATE_VERSION: 95,
  FEATURE_UPDATE_FAILED: 96,
  PRINCIPAL_DESERIALIZATION_FAILURE: 97,
  SNAPSHOT_NOT_FOUND: 98,
  POSITION_OUT_OF_RANGE: 99,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  BROKER_ID_NOT_REGISTERED: 102,
  INCONSISTENT_TOPIC_ID: 103,
  INCONSISTENT_CLUSTER_ID: 104,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  FETCH_SESSION_TOPIC_ID_ERROR: 106,
  INELIGIBLE_REPLICA: 107,
  NEW_LEADER_ELECTED: 108,
  OFFSET_MOVED_TO_TIERED_STORAGE: 109,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  MISMATCHED_ENDPOINT_TYPE: 114,
  UNSUPPORTED_ENDPOINT_TYPE: 115,
  UNKNOWN_CONTROLLER_ID: 116,
  UNKNOWN_SUBSCRIPTION_ID: 117,
  TELEMETRY_TOO_LARGE: 118,
  INVALID_REGISTRATION: 119,
  TRANSACTION_ABORTABLE: 120,
  INVALID_RECORD_STATE: 121,
  SHARE_SESSION_NOT_FOUND: 122,
  INVALID_SHARE_SESSION_EPOCH: 123,
  FENCED_STATE_EPOCH: 124,
  INVALID_VOTER_KEY: 125,
  DUPLICATE_VOTER: 126,
  VOTER_NOT_FOUND: 127,
  INVALID_REGULAR_EXPRESSION: 128,
} as const;

/** A Kafka error name, e.g. `'NOT_LEADER_OR_FOLLOWER'`. */
export type ErrorCodeName = keyof typeof ErrorCode;

/** Name reported by {@link errorInfo} for a code this table does not know (say, from a newer broker). */
export const UNRECOGNIZED_ERROR = 'UNRECOGNIZED';

/** What the table knows about one error code. */
export interface ErrorInfo {
  readonly name: ErrorCodeName | typeof UNRECOGNIZED_ERROR;
  readonly code: number;
  readonly retriable: boolean;
  readonly message: string;
}

// Codes whose Kafka exception class extends RetriableException (directly, or
// through InvalidMetadataException, which tells clients to refresh metadata).
const RETRIABLE: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'CONCURRENT_TRANSACTIONS',
  'KAFKA_STORAGE_ERROR',
  'FETCH_SESSION_ID_NOT_FOUND',
  'INVALID_FETCH_SESSION_EPOCH',
  'LISTENER_NOT_FOUND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'PREFERRED_LEADER_NOT_AVAILABLE',
  'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  'ELECTION_NOT_NEEDED',
  'UNSTABLE_OFFSET_COMMIT',
  'THROTTLING_QUOTA_EXCEEDED',
  'UNKNOWN_TOPIC_ID',
  'INCONSISTENT_TOPIC_ID',
  'FETCH_SESSION_TOPIC_ID_ERROR',
  'SHARE_SESSION_NOT_FOUND',
  'INVALID_SHARE_SESSION_EPOCH',
]);

// The mapped type makes the compiler insist on a message for every code.
const MESSAGES: { readonly [K in ErrorCodeName]: string } = {
  UNKNOWN_SERVER_ERROR: 'The broker hit an unexpected error while handling the request.',
  NONE: 'No error.',
  OFFSET_OUT_OF_RANGE: 'The requested offset is outside the range this partition holds.',
  CORRUPT_MESSAGE: 'The record batch is corrupt (checksum mismatch, bad size, or a null key on a compacted topic).',
  UNKNOWN_TOPIC_OR_PARTITION: 'The topic or partition does not exist on this broker.',
  INVALID_FETCH_SIZE: 'The fetch size in the request is not valid.',
  LEADER_NOT_AVAILABLE: 'The partition has no leader right now, typically because an election is under way.',
  NOT_LEADER_OR_FOLLOWER: 'This broker is not the leader or a replica of the partition; refresh metadata and retry.',
  REQUEST_TIMED_OUT: 'The request did not complete in time.',
  BROKER_NOT_AVAILABLE: 'The broker cannot be reached.',
  REPLICA_NOT_AVAILABLE: 'The replica for this partition is not available on this broker.',
  MESSAGE_TOO_LARGE: 'A record batch is larger than the maximum message size the broker accepts.',
  STALE_CONTROLLER_EPOCH: 'The request came from a controller that is no longer current.',
  OFFSET_METADATA_TOO_LARGE: 'The metadata string attached to the committed offset is too long.',
  NETWORK_EXCEPTION: 'The connection was closed before a response arrived.',
  COORDINATOR_LOAD_IN_PROGRESS: 'The coordinator is still loading its state; retry shortly.',
  COORDINATOR_NOT_AVAILABLE: 'No coordinator is available for this group or transaction.',
  NOT_COORDINATOR: 'This broker is not the coordinator for this group or transaction.',
  INVALID_TOPIC_EXCEPTION: 'The topic name is invalid or the topic cannot be used for this operation.',
  RECORD_LIST_TOO_LARGE: 'The record batch is larger than the log segment size.',
  NOT_ENOUGH_REPLICAS: 'Too few in-sync replicas to accept the write.',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'The write was appended but reached fewer in-sync replicas than required.',
  INVALID_REQUIRED_ACKS: 'The acks value in the produce request is not valid.',
  ILLEGAL_GENERATION: "The generation id does not match the group's current generation.",
  INCONSISTENT_GROUP_PROTOCOL: "None of the member's protocols are compatible with the rest of the group.",
  INVALID_GROUP_ID: 'The group id is empty or otherwise invalid.',
  UNKNOWN_MEMBER_ID: 'The coordinator does not know this member id.',
  INVALID_SESSION_TIMEOUT: 'The session timeout is outside the range set by group.min/max.session.timeout.ms.',
  REBALANCE_IN_PROGRESS: 'The group is rebalancing; the member must rejoin.',
  INVALID_COMMIT_OFFSET_SIZE: 'The size of the offset commit data is not valid.',
  TOPIC_AUTHORIZATION_FAILED: 'Not authorized to access the topic.',
  GROUP_AUTHORIZATION_FAILED: 'Not authorized to access the group.',
  CLUSTER_AUTHORIZATION_FAILED: 'Not authorized to perform this cluster operation.',
  INVALID_TIMESTAMP: 'A record timestamp is outside the accepted range.',
  UNSUPPORTED_SASL_MECHANISM: 'The requested SASL mechanism is not enabled on this broker.',
  ILLEGAL_SASL_STATE: 'The request is not allowed in the current state of SASL authentication.',
  UNSUPPORTED_VERSION: 'This API version is not supported by the broker.',
  TOPIC_ALREADY_EXISTS: 'The topic name is already taken.',
  INVALID_PARTITIONS: 'The partition count is not valid.',
  INVALID_REPLICATION_FACTOR: 'The replication factor must be at least 1 and at most the number of live brokers.',
  INVALID_REPLICA_ASSIGNMENT: 'The requested replica placement cannot be used.',
  INVALID_CONFIG: 'A configuration entry is missing, unknown or has a bad value.',
  NOT_CONTROLLER: 'This node is not the active controller.',
  INVALID_REQUEST: 'The request is malformed or inconsistent; check the client version and request fields.',
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 'The request needs a newer message format than this topic uses.',
  POLICY_VIOLATION: 'The request violates a configured broker policy.',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'The producer sequence number is not the next one expected.',
  DUPLICATE_SEQUENCE_NUMBER: 'The producer sequence number was already written (duplicate batch).',
  INVALID_PRODUCER_EPOCH: 'The producer epoch is older than the current one.',
  INVALID_TXN_STATE: "The transactional operation is not allowed in the transaction's current state.",
  INVALID_PRODUCER_ID_MAPPING: 'The producer id is not currently assigned to this transactional id.',
  INVALID_TRANSACTION_TIMEOUT: 'The transaction timeout exceeds the broker maximum (transaction.max.timeout.ms).',
  CONCURRENT_TRANSACTIONS: 'Another operation on this transaction is still completing; retry shortly.',
  TRANSACTION_COORDINATOR_FENCED: 'The transaction coordinator that sent this request has been superseded.',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'Not authorized to use the transactional id.',
  SECURITY_DISABLED: 'Security features are not enabled on this broker.',
  OPERATION_NOT_ATTEMPTED: 'The operation was skipped because another part of the same request failed.',
  KAFKA_STORAGE_ERROR: 'A disk error occurred while accessing the log.',
  LOG_DIR_NOT_FOUND: 'The requested log directory is not configured on this broker.',
  SASL_AUTHENTICATION_FAILED: 'Authentication with SASL failed.',
  UNKNOWN_PRODUCER_ID: 'The broker has no state for this producer id, e.g. because retention removed its records.',
  REASSIGNMENT_IN_PROGRESS: 'A partition reassignment is under way.',
  DELEGATION_TOKEN_AUTH_DISABLED: 'This cluster has delegation tokens switched off.',
  DELEGATION_TOKEN_NOT_FOUND: 'No such delegation token.',
  DELEGATION_TOKEN_OWNER_MISMATCH: 'The principal is not the owner or a renewer of the delegation token.',
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED:
    "Delegation token requests are not allowed with this connection's authentication.",
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 'Not authorized to perform this delegation token operation.',
  DELEGATION_TOKEN_EXPIRED: 'The delegation token is past its expiry time.',
  INVALID_PRINCIPAL_TYPE: 'The principal type is not supported.',
  NON_EMPTY_GROUP: 'The group still has members.',
  GROUP_ID_NOT_FOUND: 'No group with this id exists.',
  FETCH_SESSION_ID_NOT_FOUND: 'The fetch session id is unknown.',
  INVALID_FETCH_SESSION_EPOCH: 'The fetch session epoch does not match.',
  LISTENER_NOT_FOUND: 'The leader has no listener matching the one this request arrived on.',
  TOPIC_DELETION_DISABLED: 'Topic deletion is disabled on this cluster.',
  FENCED_LEADER_EPOCH: 'The request carries a leader epoch the broker has already moved past.',
  UNKNOWN_LEADER_EPOCH: 'The request carries a leader epoch the broker has not reached yet.',
  UNSUPPORTED_COMPRESSION_TYPE: 'The client cannot read the compression codec used by this partition.',
  STALE_BROKER_EPOCH: 'The broker epoch is out of date.',
  OFFSET_NOT_AVAILABLE: "The offset is not available yet: the new leader's high watermark has not caught up.",
  MEMBER_ID_REQUIRED: 'The member must rejoin with the member id the coordinator assigned to it.',
  PREFERRED_LEADER_NOT_AVAILABLE: 'The preferred replica cannot become leader right now.',
  GROUP_MAX_SIZE_REACHED: 'The group already has the maximum number of members.',
  FENCED_INSTANCE_ID: 'Another member with the same group.instance.id has replaced this one.',
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 'No eligible replica can become leader of the partition.',
  ELECTION_NOT_NEEDED: 'The partition already has the leader an election would pick.',
  NO_REASSIGNMENT_IN_PROGRESS: 'No partition reassignment is under way.',
  GROUP_SUBSCRIBED_TO_TOPIC: 'Cannot delete offsets for a topic the group is actively consuming.',
  INVALID_RECORD: 'The broker rejected a record that failed validation.',
  UNSTABLE_OFFSET_COMMIT: 'Pending transactional offsets must be resolved before offsets can be read.',
  THROTTLING_QUOTA_EXCEEDED: 'The request exceeds the throttling quota.',
  PRODUCER_FENCED: 'A newer producer with the same transactional id has fenced this one.',
  RESOURCE_NOT_FOUND: 'The request refers to a resource that does not exist.',
  DUPLICATE_RESOURCE: 'The request names the same resource more than once.',
  UNACCEPTABLE_CREDENTIAL: 'The credential does not meet the acceptance criteria.',
  INCONSISTENT_VOTER_SET: 'The sender or receiver of this request is not an expected voter.',
  INVALID_UPDATE_VERSION: 'The feature update names a version that cannot be used.',
  FEATURE_UPDATE_FAILED: 'The finalized features could not be updated because of a server error.',
  PRINCIPAL_DESERIALIZATION_FAILURE: "The forwarded request's principal could not be deserialized.",
  SNAPSHOT_NOT_FOUND: 'The requested snapshot does not exist.',
  POSITION_OUT_OF_RANGE: 'The position is negative or beyond the end of the snapshot.',
  UNKNOWN_TOPIC_ID: 'No topic with this id exists on this broker.',
  DUPLICATE_BROKER_REGISTRATION: 'Another broker is already registered with this id.',
  BROKER_ID_NOT_REGISTERED: 'No broker is registered with this id.',
  INCONSISTENT_TOPIC_ID: 'The topic id in the request differs from the one in the log.',
  INCONSISTENT_CLUSTER_ID: "The cluster id in the request differs from this server's.",
  TRANSACTIONAL_ID_NOT_FOUND: 'No transaction with this transactional id exists.',
  FETCH_SESSION_TOPIC_ID_ERROR: 'The fetch session mixed topic ids and topic names inconsistently.',
  INELIGIBLE_REPLICA: 'The proposed ISR includes a replica that is not eligible.',
  NEW_LEADER_ELECTED: 'The partition state was updated, but a new leader has since been elected.',
  OFFSET_MOVED_TO_TIERED_STORAGE: 'The offset now lives in tiered storage.',
  FENCED_MEMBER_EPOCH: 'The member epoch was fenced; the member must drop its partitions and rejoin.',
  UNRELEASED_INSTANCE_ID: 'Another member still holds this instance id; it must leave first.',
  UNSUPPORTED_ASSIGNOR: 'The group does not support this assignor or assignor version.',
  STALE_MEMBER_EPOCH: 'The member epoch is out of date; retry after the next heartbeat response.',
  MISMATCHED_ENDPOINT_TYPE: 'The request reached the wrong kind of endpoint (broker or controller).',
  UNSUPPORTED_ENDPOINT_TYPE: 'This kind of endpoint is not supported.',
  UNKNOWN_CONTROLLER_ID: 'No controller with this id is known.',
  UNKNOWN_SUBSCRIPTION_ID: 'The telemetry subscription id is unknown or outdated.',
  TELEMETRY_TOO_LARGE: 'The telemetry payload exceeds the broker limit.',
  INVALID_REGISTRATION: 'The controller rejected the broker registration.',
  TRANSACTION_ABORTABLE: 'The transaction hit an error; abort it to keep using this transactional id.',
  INVALID_RECORD_STATE: 'The record is not in a state that allows this acknowledgement.',
  SHARE_SESSION_NOT_FOUND: 'The share session id is unknown.',
  INVALID_SHARE_SESSION_EPOCH: 'The share session epoch does not match.',
  FENCED_STATE_EPOCH: "The share-group state epoch does not match the share coordinator's.",
  INVALID_VOTER_KEY: 'The voter key does not match this replica.',
  DUPLICATE_VOTER: 'The voter is already in the voter set.',
  VOTER_NOT_FOUND: 'The voter is not in the voter set.',
  INVALID_REGULAR_EXPRESSION: 'The subscription pattern does not compile as a regular expression.',
};

const BY_CODE: ReadonlyMap<number, ErrorInfo> = new Map(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => {
    const info: ErrorInfo = Object.freeze({
      name,
      code: ErrorCode[name],
      retriable: RETRIABLE.has(name),
      message: MESSAGES[name],
    });
    return [info.code, info];
  }),
);

/**
 * Name, retriability and default message of an error code. A code the table
 * does not know keeps its number, is named {@link UNRECOGNIZED_ERROR} and is
 * not retriable (as Kafka's clients treat codes newer than themselves).
 */
export function errorInfo(code: number): ErrorInfo {
  return (
    BY_CODE.get(code) ?? {
      name: UNRECOGNIZED_ERROR,
      code,
      retriable: false,
      message: `Unrecognized error code ${code}.`,
    }
  );
}

/** Whether a client may retry after this error code (false for unknown codes). */
export function isRetriable(code: number): boolean {
  return BY_CODE.get(code)?.retriable ?? false;
}

/**
 * A protocol error to report in a response rather than by closing the
 * connection: `new KafkaError(ErrorCode.INVALID_CONFIG, 'retention.ms must be a number')`.
 */
export class KafkaError extends Error {
  override name = 'KafkaError';
  /** The Kafka error code to write into the response. */
  readonly code: number;
  /** Kafka's name for the code. */
  readonly errorName: ErrorInfo['name'];
  /** Whether clients will retry on their own. */
  readonly retriable: boolean;
  /**
   * Text for the response's ErrorMessage field: the message given to the
   * constructor, or null when there is only the default message (Kafka's
   * brokers send null then too; clients fall back to their own text).
   */
  readonly errorMessage: string | null;

  constructor(code: number, message?: string, options?: ErrorOptions) {
    const info = errorInfo(code);
    super(message ?? info.message, options);
    this.code = code;
    this.errorName = info.name;
    this.retriable = info.retriable;
    this.errorMessage = message ?? null;
  }
}

/**
 * Turns anything thrown into a KafkaError: a KafkaError is returned as is,
 * anything else becomes UNKNOWN_SERVER_ERROR with the original as `cause` and
 * no errorMessage, so internal details never reach the client.
 */
export function toKafkaError(err: unknown): KafkaError {
  if (err instanceof KafkaError) return err;
  // Errors from other layers that carry a Kafka code (e.g. RecordBatchError) keep it.
  const code = (err as { code?: unknown } | null)?.code;
  if (
    err instanceof Error &&
    typeof code === 'number' &&
    code !== ErrorCode.UNKNOWN_SERVER_ERROR &&
    BY_CODE.has(code)
  ) {
    return new KafkaError(code, err.message, { cause: err });
  }
  return new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, undefined, { cause: err });
}
