/**
 * Consumer group coordinator: classic protocol (JoinGroup/SyncGroup/
 * Heartbeat/LeaveGroup), committed offsets in the compacted
 * `__consumer_offsets` topic. Other code imports this folder only through
 * this file.
 */
export type { GroupState, JoinResult, Protocol, SyncResult } from './classic-group.ts';
export type { JoinRequest, LeavingMember, SyncRequest } from './classic-protocol.ts';
export type { GroupConfig } from './config.ts';
export {
  type DescribedGroup,
  GroupCoordinator,
  type ListedGroup,
  type TxnOffsetCommit,
  type TxnOffsetResult,
} from './coordinator.ts';
export type { FetchedOffsets, OffsetApis, OffsetCommitInput, PartitionErrors } from './offset-apis.ts';
export { OFFSETS_TOPIC } from './offsets-topic.ts';
export { javaStringHashCode, partitionFor } from './records.ts';
