/**
 * A KIP-848 consumer group in memory: members with their epochs and
 * subscriptions, the target assignment computed by the server-side assignor,
 * and who holds each partition right now (Kafka's ConsumerGroup and
 * CurrentAssignmentBuilder, for one node).
 *
 * - The group epoch bumps on every membership, subscription or metadata
 *   change; the target assignment is recomputed when it lags the group epoch.
 * - A member moves to the target one step at a time: partitions it must give
 *   up are revoked first (its epoch stays until its heartbeat no longer lists
 *   them), partitions still held by another member are handed over only once
 *   released (UnreleasedPartitions), then it is Stable at the target epoch.
 */
import { ErrorCode } from '../../protocol/errors.ts';

/** A partition as `${topicId}:${partition}`. */
export type PartitionKey = string;

/** The key of a topic partition. */
export function partitionKey(topicId: string, partition: number): PartitionKey {
  return `${topicId}:${partition}`;
}

/** Groups partition keys by topic id, partitions sorted. */
export function byTopic(keys: Iterable<PartitionKey>): Array<{ topicId: string; partitions: number[] }> {
  const m = new Map<string, number[]>();
  for (const k of keys) {
    const at = k.lastIndexOf(':');
    const id = k.slice(0, at);
    let a = m.get(id);
    if (!a) m.set(id, (a = []));
    a.push(Number(k.slice(at + 1)));
  }
  return [...m].map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((x, y) => x - y) }));
}

/** Epoch of a static member that left temporarily (Kafka's LEAVE_GROUP_STATIC_MEMBER_EPOCH). */
export const STATIC_LEAVE_EPOCH = -2;
/** Epoch of a member leaving for good. */
export const LEAVE_EPOCH = -1;

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';
export type MemberState = 'Stable' | 'UnrevokedPartitions' | 'UnreleasedPartitions';

/** One member of a consumer group. */
export class ConsumerMember {
  readonly memberId: string;
  instanceId: string | null = null;
  rackId: string | null = null;
  clientId = '';
  clientHost = '';
  rebalanceTimeoutMs = 300_000;
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  serverAssignor: string | null = null;
  memberEpoch = 0;
  previousMemberEpoch = 0;
  state: MemberState = 'Stable';
  /** What the member is told it owns. */
  assigned = new Set<PartitionKey>();
  /** What it must give up before moving on. */
  pendingRevocation = new Set<PartitionKey>();

  constructor(memberId: string) {
    this.memberId = memberId;
  }
}

/** A consumer group and its assignment state. */
export class ConsumerGroup {
  readonly groupId: string;
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** instance id → member id of static members */
  readonly staticMembers = new Map<string, string>();
  /** member id → target assignment */
  readonly target = new Map<string, Set<PartitionKey>>();
  /** partition → member holding it (assigned or pending revocation) */
  readonly owners = new Map<PartitionKey, string>();
  /** The subscribed topics' names, ids and partition counts when last seen. */
  metadataSignature = '';
  /** The assignor used for the current target. */
  assignorName = '';
  /** When the group last became Empty (its offsets' retention counts from then), null while it has members. */
  emptySince: number | null = null;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.assignmentEpoch !== this.groupEpoch) return 'Assigning';
    for (const m of this.members.values()) {
      if (m.memberEpoch === STATIC_LEAVE_EPOCH) continue;
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== 'Stable') return 'Reconciling';
    }
    return 'Stable';
  }

  /** Sets what a member holds and keeps the ownership map in step. */
  setAssignment(m: ConsumerMember, assigned: Set<PartitionKey>, pending: Set<PartitionKey>): void {
    for (const k of [...m.assigned, ...m.pendingRevocation]) {
      if (this.owners.get(k) === m.memberId) this.owners.delete(k);
    }
    m.assigned = assigned;
    m.pendingRevocation = pending;
    for (const k of [...assigned, ...pending]) this.owners.set(k, m.memberId);
  }

  /** Adds or replaces a member. */
  add(m: ConsumerMember): void {
    this.members.set(m.memberId, m);
    this.emptySince = null;
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId);
  }

  /** Removes a member, releasing its partitions. */
  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.setAssignment(m, new Set(), new Set());
    this.members.delete(memberId);
    this.target.delete(memberId);
    if (m.instanceId !== null && this.staticMembers.get(m.instanceId) === memberId) {
      this.staticMembers.delete(m.instanceId);
    }
    if (this.members.size === 0) this.emptySince = Date.now();
  }

  /**
   * Whether a member subscribes to the topic, by name or regex (Kafka's
   * ConsumerGroup.isSubscribedToTopic): its offsets are in use and neither
   * expire nor can be deleted.
   */
  isSubscribedToTopic(topic: string): boolean {
    for (const m of this.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      if (m.subscribedTopicRegex !== null && !topic.startsWith('__')) {
        try {
          if (new RegExp(`^(?:${m.subscribedTopicRegex})$`).test(topic)) return true;
        } catch {
          // an invalid regex subscribes to nothing
        }
      }
    }
    return false;
  }

  /** Every topic name some member subscribes to by name. */
  subscribedTopicNames(): Set<string> {
    const s = new Set<string>();
    for (const m of this.members.values()) for (const t of m.subscribedTopicNames) s.add(t);
    return s;
  }

  /**
   * Kafka's epoch check: a greater epoch is fenced; a smaller one too, unless
   * it is the previous epoch and the member owns no more than its current
   * assignment (the answer with the new epoch was lost).
   */
  validateEpoch(m: ConsumerMember, received: number, owned: Set<PartitionKey> | null): number {
    if (received > m.memberEpoch) return ErrorCode.FENCED_MEMBER_EPOCH;
    if (received < m.memberEpoch) {
      const subset = owned === null || [...owned].every((k) => m.assigned.has(k));
      if (received !== m.previousMemberEpoch || !subset) return ErrorCode.FENCED_MEMBER_EPOCH;
    }
    return ErrorCode.NONE;
  }

  /** Offset commits (v9+ with the member epoch); NONE when allowed. */
  validateOffsetCommit(memberId: string, memberEpoch: number, apiVersion: number): number {
    // epoch -1: an admin client or a consumer without group management, only into an empty group
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Offset fetches with a member id and epoch (v9+); NONE when allowed. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberEpoch < 0 && (memberId === null || memberId === '')) return ErrorCode.NONE;
    const m = this.members.get(memberId ?? '');
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /**
   * Moves a member towards its target (CurrentAssignmentBuilder). `owned` is
   * what the member reported owning, null when it did not say.
   */
  reconcile(m: ConsumerMember, owned: Set<PartitionKey> | null): void {
    if (m.memberEpoch === STATIC_LEAVE_EPOCH) return;
    if (m.state === 'UnrevokedPartitions') {
      const stillOwns = owned === null || [...m.pendingRevocation].some((k) => owned.has(k));
      if (stillOwns) return;
      this.#next(m, owned, m.memberEpoch + 1);
      return;
    }
    if (m.state === 'UnreleasedPartitions' || m.memberEpoch !== this.assignmentEpoch) {
      this.#next(m, owned, m.memberEpoch);
    }
  }

  /** One step towards the target; `epoch` is the epoch kept while revoking. */
  #next(m: ConsumerMember, owned: Set<PartitionKey> | null, epoch: number): void {
    const target = this.target.get(m.memberId) ?? new Set<PartitionKey>();
    const kept = new Set([...m.assigned].filter((k) => target.has(k)));
    const revoke = new Set([...m.assigned].filter((k) => !target.has(k)));
    const ownsRevoked = owned === null || [...revoke].some((k) => owned.has(k));
    if (revoke.size > 0 && ownsRevoked) {
      // give up first; the epoch moves on once the member confirms
      this.setAssignment(m, kept, revoke);
      this.#setEpoch(m, epoch);
      m.state = 'UnrevokedPartitions';
      return;
    }
    this.setAssignment(m, kept, new Set());
    let unreleased = false;
    for (const k of target) {
      if (kept.has(k)) continue;
      if (this.owners.has(k)) unreleased = true;
      else kept.add(k);
    }
    this.setAssignment(m, kept, new Set());
    this.#setEpoch(m, this.assignmentEpoch);
    m.state = unreleased ? 'UnreleasedPartitions' : 'Stable';
  }

  #setEpoch(m: ConsumerMember, epoch: number): void {
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = epoch;
  }
}
