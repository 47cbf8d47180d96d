/**
 * The classic consumer protocol on GroupMember (protocol type 'consumer'):
 *
 * - JoinGroup metadata: one ConsumerProtocolSubscription per configured
 *   assignor, with the subscribed topics, the owned partitions and the
 *   generation they were owned in.
 * - The leader decodes every subscription, looks up the partition counts
 *   and runs the selected assignor; it remembers the counts and rebalances
 *   when a metadata refresh shows them changed (a topic created or grown).
 * - Eager (range, roundrobin, or any list with one of them): everything is
 *   revoked before each rejoin, and each assignment is taken whole.
 * - Cooperative (only cooperative-sticky): partitions stay put across a
 *   rebalance; the assignment is compared with what is owned, only the
 *   missing ones are revoked, and then the member rejoins at once so a
 *   second rebalance hands them to their new owner.
 * - A lost generation: everything owned goes to onPartitionsLost.
 */
import { ASSIGNORS, type Assignor, type AssignorMember } from './assignors/index.ts';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts';
import { GroupMember, type GroupProtocol, type JoinedMember } from './group-member.ts';
import { type Membership, type MembershipHost, sameTopics } from './membership.ts';
import type { Committer } from './offsets.ts';
import type { TopicPartition } from './types.ts';
import { minus } from './util.ts';

export class ClassicMembership implements Membership {
  readonly #host: MembershipHost;
  readonly #member: GroupMember;
  readonly #assignors: Assignor[];
  readonly #cooperative: boolean;
  /** The subscription sent in the last JoinGroup. */
  #joinedTopics: string[] = [];
  /** As leader: partition counts of the group's topics when it last assigned. */
  #assignedCounts: Map<string, number> | null = null;
  #closing = false;

  constructor(host: MembershipHost) {
    this.#host = host;
    const o = host.options;
    this.#assignors = o.assignors.map((name) => ASSIGNORS.get(name) as Assignor);
    this.#cooperative = this.#assignors.every((a) => a.cooperative);
    this.#member = new GroupMember(host.cluster, {
      groupId: o.groupId,
      protocolType: 'consumer',
      protocols: () => this.#protocols(),
      sessionTimeoutMs: o.sessionTimeoutMs,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      retryBackoffMs: o.retryBackoffMs,
      ...(o.groupInstanceId !== undefined && { groupInstanceId: o.groupInstanceId }),
      assign: (members, protocol) => this.#assign(members, protocol),
      onAssigned: (a) => this.#onAssigned(a.assignment),
      onRevoked: (info) => this.#onRevoked(info.lost),
      onError: (err) => host.fail(err),
    });
  }

  start(): void {
    this.#member.start().catch((err: Error) => this.#host.fail(err));
  }

  get rebalancing(): boolean {
    return !this.#member.stable;
  }

  committer(): Committer {
    const g = this.#member.generation();
    return { generationId: g.generationId, memberId: g.memberId, groupInstanceId: g.groupInstanceId };
  }

  /** The member's generation, for groupMetadata(). */
  get member(): GroupMember {
    return this.#member;
  }

  subscriptionChanged(): void {
    if (!sameTopics(this.#host.subscribedTopics(), this.#joinedTopics)) {
      this.#member.requestRejoin('the subscription changed');
    }
  }

  metadataRefreshed(): void {
    this.subscriptionChanged();
    const counts = this.#assignedCounts;
    if (!counts || !this.#member.isLeader) return;
    const cluster = this.#host.cluster;
    void cluster
      .refreshMetadata([...counts.keys()])
      .then(() => {
        for (const [topic, n] of counts) {
          if ((cluster.topic(topic)?.partitions.length ?? 0) !== n) {
            this.#member.requestRejoin(`the partitions of ${topic} changed`);
            return;
          }
        }
      })
      .catch((err) => cluster.logger.debug?.({ err }, 'leader metadata refresh failed'));
  }

  async close(): Promise<void> {
    this.#closing = true;
    // GroupMember.stop runs onRevoked, which revokes everything while closing
    await this.#member.stop();
  }

  #protocols(): GroupProtocol[] {
    this.#joinedTopics = this.#host.subscribedTopics();
    const metadata = encodeSubscription({
      topics: this.#joinedTopics,
      ownedPartitions: this.#host.owned(),
      generationId: this.#member.generation().generationId,
    });
    return this.#assignors.map((a) => ({ name: a.name, metadata }));
  }

  async #assign(members: JoinedMember[], protocol: string): Promise<Map<string, Buffer>> {
    const assignor = this.#assignors.find((a) => a.name === protocol);
    if (!assignor) throw new Error(`the group chose assignor "${protocol}", which this consumer does not have`);
    const subs: AssignorMember[] = members.map((m) => {
      try {
        return { ...decodeSubscription(m.metadata), memberId: m.memberId, groupInstanceId: m.groupInstanceId };
      } catch {
        // a member whose metadata does not decode gets nothing rather than failing the group
        return {
          topics: [],
          userData: null,
          ownedPartitions: [],
          generationId: -1,
          rackId: null,
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
        };
      }
    });
    const topics = [...new Set(subs.flatMap((s) => s.topics))].sort();
    const cluster = this.#host.cluster;
    if (topics.length > 0) await cluster.refreshMetadata(topics);
    const counts = new Map<string, number>();
    for (const t of topics) {
      const info = cluster.topic(t);
      counts.set(t, info?.partitions.length ?? 0);
    }
    this.#assignedCounts = counts;
    const present = new Map([...counts].filter(([, n]) => n > 0));
    const result = assignor.assign(present, subs);
    return new Map(subs.map((s) => [s.memberId, encodeAssignment(result.get(s.memberId) ?? [])]));
  }

  async #onAssigned(bytes: Buffer): Promise<void> {
    const assigned = decodeAssignment(bytes).partitions;
    if (!this.#cooperative) {
      // eager: everything was revoked before the join
      const stale = this.#host.owned();
      if (stale.length > 0) await this.#host.revoke(stale, false);
      await this.#host.assign(assigned);
      return;
    }
    const owned = this.#host.owned();
    const revoked = minus(owned, assigned);
    const added = minus(assigned, owned);
    if (revoked.length > 0) await this.#host.revoke(revoked, false);
    await this.#host.assign(added);
    if (revoked.length > 0) this.#member.requestRejoin('partitions were revoked and must be handed over');
  }

  async #onRevoked(lost: boolean): Promise<void> {
    const owned = this.#host.owned();
    if (owned.length === 0) return;
    if (lost) {
      await this.#host.revoke(owned, true);
      return;
    }
    if (!this.#cooperative || this.#closing) {
      await this.#host.revoke(owned, false);
      return;
    }
    // cooperative: only partitions of topics no longer subscribed go now
    const topics = new Set(this.#host.subscribedTopics());
    const gone: TopicPartition[] = owned.filter((tp) => !topics.has(tp.topic));
    if (gone.length > 0) await this.#host.revoke(gone, false);
  }
}
