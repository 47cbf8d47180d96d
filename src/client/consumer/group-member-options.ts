/**
 * The options and callback shapes of GroupMember, and how it classifies the
 * coordinator's error codes.
 */
import type { Logger } from '../cluster.ts';
import { ErrorCode } from '../errors.ts';
/** A protocol the member supports, with its metadata. */
export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

/** A member as the leader's `assign` sees it. */
export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What `onAssigned` gets after each completed rebalance. */
export interface GroupAssignment {
  assignment: Buffer;
  generationId: number;
  memberId: string;
  leaderId: string;
  isLeader: boolean;
  protocol: string;
}

/** The member's current generation (for OffsetCommit and transactions). */
export interface MemberGeneration {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocol: string | null;
}

export interface GroupMemberOptions {
  groupId: string;
  protocolType: string;
  /** The protocols in order of preference; a function is called before every JoinGroup. */
  protocols: GroupProtocol[] | (() => GroupProtocol[] | Promise<GroupProtocol[]>);
  /** Default 45000. */
  sessionTimeoutMs?: number;
  /** Default 300000. */
  rebalanceTimeoutMs?: number;
  /** Default 3000. */
  heartbeatIntervalMs?: number;
  groupInstanceId?: string;
  /** Runs on the leader: an assignment per member id (members left out get an empty one). */
  assign: (members: JoinedMember[], protocol: string) => Map<string, Buffer> | Promise<Map<string, Buffer>>;
  onAssigned: (a: GroupAssignment) => void | Promise<void>;
  /** Before rejoining after an assignment, and on stop; `lost` when the generation was lost instead. */
  onRevoked?: (info: { lost: boolean }) => void | Promise<void>;
  /** A fatal error after start() resolved; the member has stopped. */
  onError?: (err: Error) => void;
  /** Backoff after failed joins; default 100 (doubling up to 1000). */
  retryBackoffMs?: number;
  logger?: Logger;
}

export const FATAL: ReadonlySet<number> = new Set([
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  ErrorCode.GROUP_MAX_SIZE_REACHED,
  ErrorCode.INVALID_SESSION_TIMEOUT,
  ErrorCode.INVALID_GROUP_ID,
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
]);

/** Errors after which the member joins again at once, without a backoff. */
export const REJOIN_NOW: ReadonlySet<number> = new Set([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
]);
