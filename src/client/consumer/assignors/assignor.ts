/**
 * The interface of the classic protocol's client-side assignors, which the
 * group leader runs over every member's subscription.
 */
import type { Subscription } from '../consumer-protocol.ts';
import type { TopicPartition } from '../types.ts';

/** A member as an assignor sees it. */
export interface AssignorMember extends Subscription {
  memberId: string;
  groupInstanceId: string | null;
}

/** A client-side partition assignor. */
export interface Assignor {
  /** The protocol name in JoinGroup ('range', 'roundrobin', 'cooperative-sticky'). */
  readonly name: string;
  /** Whether it supports incremental cooperative rebalancing (KIP-429). */
  readonly cooperative: boolean;
  /**
   * Partitions per member id. `partitionsPerTopic` holds every subscribed
   * topic that exists, with its partition count; every member gets an entry.
   */
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly AssignorMember[],
  ): Map<string, TopicPartition[]>;
}

/**
 * Members in Kafka's order (MemberInfo.compareTo): static members by
 * instance id first, then dynamic members by member id.
 */
export function sortMembers<T extends { memberId: string; groupInstanceId: string | null }>(
  members: readonly T[],
): T[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...members].sort((a, b) => {
    if (a.groupInstanceId !== null && b.groupInstanceId !== null) return cmp(a.groupInstanceId, b.groupInstanceId);
    if (a.groupInstanceId !== null) return -1;
    if (b.groupInstanceId !== null) return 1;
    return cmp(a.memberId, b.memberId);
  });
}

/** An empty assignment for every member. */
export function emptyAssignment(members: readonly AssignorMember[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}
