/**
 * The consumer and the classic group member.
 *
 * | file                | what                                                         |
 * |---------------------|--------------------------------------------------------------|
 * | consumer.ts         | Consumer: subscribe/assign, poll, seeks, commits, callbacks  |
 * | fetcher.ts          | Fetch loop per broker, prefetch, fetch errors                |
 * | fetch-records.ts    | batches → records, control batches, aborted transactions     |
 * | partition-state.ts  | positions, prefetched records, pause, pending revocation     |
 * | positions.ts        | start positions (committed, else autoOffsetReset), time seeks |
 * | ownership.ts        | assign/revoke under a group, commits across rebalances       |
 * | offsets.ts          | ListOffsets, OffsetFetch, OffsetCommit                       |
 * | group-member.ts     | GroupMember: classic group protocol for any protocol type    |
 * | group-member-options.ts | its options, callbacks and error classes                 |
 * | classic.ts          | the 'consumer' protocol type on GroupMember, eager/cooperative |
 * | consumer-protocol.ts| ConsumerProtocolSubscription/Assignment encoding             |
 * | assignors/          | range, roundrobin, cooperative-sticky                        |
 * | kip848.ts           | KIP-848 ConsumerGroupHeartbeat membership                    |
 * | membership.ts       | the seam between the consumer and its group protocol         |
 */
export { ASSIGNORS, type Assignor, type AssignorMember, sortMembers } from './assignors/index.ts';
export { Consumer } from './consumer.ts';
export {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type Subscription,
} from './consumer-protocol.ts';
export {
  type GroupAssignment,
  GroupMember,
  type GroupMemberOptions,
  type GroupProtocol,
  type JoinedMember,
  type MemberGeneration,
} from './group-member.ts';
export type {
  AssignorName,
  ConsumerGroupMetadata,
  ConsumerOptions,
  ConsumerRecord,
  PartitionsCallback,
  TopicPartition,
  TopicPartitionOffset,
} from './types.ts';
