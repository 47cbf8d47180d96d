/**
 * The offsets APIs for both group types: commits and fetches naming a
 * KIP-848 consumer group are checked against its members and epochs
 * (OffsetCommit v9+ and TxnOffsetCommit carry the member epoch, OffsetFetch
 * v9+ the member id and epoch), then stored through the shared offset store
 * like an admin commit (the group's offsets live under an Empty classic
 * record, which the coordinator never shows next to the consumer group).
 * OffsetDelete keeps the offsets of topics a member subscribes to
 * (GROUP_SUBSCRIBED_TO_TOPIC).
 *
 * Expiry follows the consumer group, not that hidden classic record (Kafka's
 * ConsumerGroup.offsetExpirationCondition and isSubscribedToTopic): while the
 * group has members, offsets of subscribed topics never expire and the others
 * expire by their commit time; once it is Empty, every offset expires
 * offsets.retention.ms after the group became Empty (or after its commit, if
 * later).
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ClassicGroup } from './classic-group.ts';
import type { ConsumerGroup } from './consumer-group.ts';
import {
  type FetchedOffsets,
  OffsetApis,
  type OffsetCommitInput,
  type OffsetHost,
  type PartitionErrors,
  type TxnOffsetCommit,
  type TxnOffsetResult,
} from './offset-apis.ts';
import type { StoredOffset } from './offset-store.ts';

/** A member naming itself in OffsetFetch v9+. */
export interface FetchingMember {
  memberId: string | null;
  memberEpoch: number;
}

/** OffsetApis that know consumer groups. */
export class GroupOffsetApis extends OffsetApis {
  readonly #consumerGroups: ReadonlyMap<string, ConsumerGroup>;

  constructor(host: OffsetHost, consumerGroups: ReadonlyMap<string, ConsumerGroup>) {
    super(host);
    this.#consumerGroups = consumerGroups;
  }

  override async commit(req: OffsetCommitInput, apiVersion: number): Promise<PartitionErrors> {
    const g = this.#consumerGroups.get(req.groupId);
    if (!g) return super.commit(req, apiVersion);
    const error = g.validateOffsetCommit(req.memberId, req.generationIdOrMemberEpoch, apiVersion);
    if (error !== ErrorCode.NONE) {
      return req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: error })),
      }));
    }
    return super.commit({ ...req, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null }, apiVersion);
  }

  override fetch(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null,
    requireStable: boolean,
    member?: FetchingMember,
  ): FetchedOffsets {
    const g = this.#consumerGroups.get(groupId);
    if (g && member) {
      const error = g.validateOffsetFetch(member.memberId, member.memberEpoch);
      if (error !== ErrorCode.NONE) return { errorCode: error, topics: [] };
    }
    return super.fetch(groupId, topics, requireStable);
  }

  /** OffsetDelete: a consumer group keeps the offsets of topics its members subscribe to. */
  override async delete(
    groupId: string,
    topics: ReadonlyArray<{ name: string; partitions: readonly number[] }>,
  ): Promise<{ errorCode: number; topics: PartitionErrors }> {
    const g = this.#consumerGroups.get(groupId);
    if (!g || g.members.size === 0) return super.delete(groupId, topics);
    const subscribed = new Set(topics.map((t) => t.name).filter((name) => g.isSubscribedToTopic(name)));
    const free = topics.filter((t) => !subscribed.has(t.name));
    const r = free.length > 0 ? await super.delete(groupId, free) : { errorCode: ErrorCode.NONE, topics: [] };
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) return r;
    const done = new Map(r.topics.map((t) => [t.name, t]));
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map(
        (t) =>
          done.get(t.name) ?? {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p,
              // nothing stored yet for a free topic: nothing to delete
              errorCode: subscribed.has(t.name) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
            })),
          },
      ),
    };
  }

  protected override expiryBase(group: ClassicGroup): ((o: StoredOffset) => number) | null {
    const g = this.#consumerGroups.get(group.groupId);
    if (!g) return super.expiryBase(group);
    if (g.members.size > 0) return (o) => o.commitTimestamp;
    const since = g.emptySince;
    return (o) => (since === null ? o.commitTimestamp : Math.max(since, o.commitTimestamp));
  }

  protected override isSubscribed(group: ClassicGroup, topic: string): boolean {
    const g = this.#consumerGroups.get(group.groupId);
    return g ? g.isSubscribedToTopic(topic) : super.isSubscribed(group, topic);
  }

  override async stageTxnOffsets(c: TxnOffsetCommit): Promise<TxnOffsetResult[]> {
    const g = this.#consumerGroups.get(c.groupId);
    if (!g) return super.stageTxnOffsets(c);
    if (c.member && (c.member.generationId >= 0 || c.member.memberId !== '')) {
      const m = g.members.get(c.member.memberId);
      if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID);
      if (c.member.generationId !== m.memberEpoch) throw new KafkaError(ErrorCode.ILLEGAL_GENERATION);
    }
    const { member: _member, ...rest } = c;
    return super.stageTxnOffsets(rest);
  }
}
