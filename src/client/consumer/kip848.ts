/**
 * The KIP-848 consumer group protocol (groupProtocol 'consumer'): the broker
 * assigns, the member heartbeats (ConsumerGroupHeartbeat v0) and reconciles.
 *
 * - Join with epoch 0, the subscribed topic names, the rebalance timeout and
 *   the remote assignor; the broker answers the member id and epoch and the
 *   heartbeat interval to keep.
 * - An answer with an assignment (topic ids → partitions) starts a
 *   reconciliation: ids are resolved to names through metadata; partitions
 *   no longer assigned are revoked first (commit when autoCommit,
 *   onPartitionsRevoked), then new ones added (onPartitionsAssigned); the
 *   next heartbeat, sent at once, reports what the member owns, which
 *   acknowledges the revocation so the broker can hand the partitions on.
 * - Every heartbeat carries the owned partitions; the subscription only when
 *   it changed.
 * - FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID: every partition is lost
 *   (onPartitionsLost) and the member joins again with epoch 0.
 *   NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS
 *   and broken connections are retried; other errors are fatal.
 * - Leaving: revoke everything, then a heartbeat with epoch -1 (-2 for a
 *   static member, which keeps its assignment until it returns or its
 *   session ends).
 */
import { CoordinatorType } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { type Membership, type MembershipHost, sameTopics } from './membership.ts';
import type { Committer } from './offsets.ts';
import type { TopicPartition } from './types.ts';
import { byTopic, minus, OwnConnections, Signal } from './util.ts';

const RETRY: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.REQUEST_TIMED_OUT,
]);

type IdAssignment = Array<{ topicId: string; partitions: number[] }>;

export class Kip848Membership implements Membership {
  readonly #host: MembershipHost;
  readonly #conns: OwnConnections;
  readonly #wake = new Signal();
  #memberId = '';
  #epoch = 0;
  #intervalMs: number;
  #stopping = false;
  #failed = false;
  #loop: Promise<void> | null = null;
  #sentTopics: string[] | null = null;
  #target: IdAssignment | null = null;
  #unresolved = false;
  /** Ownership changes (reconciliations, losses) run one at a time, in order. */
  #serial: Promise<void> = Promise.resolve();
  #pending = 0;
  /** Heartbeat at once (an acknowledgement or a new subscription), even if the wake-up came mid-request. */
  #now = false;

  constructor(host: MembershipHost) {
    this.#host = host;
    this.#conns = new OwnConnections(host.cluster);
    this.#intervalMs = host.options.heartbeatIntervalMs;
  }

  get #groupId(): string {
    return this.#host.options.groupId;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  get rebalancing(): boolean {
    return this.#epoch === 0 || this.#pending > 0;
  }

  committer(): Committer {
    return {
      generationId: this.#epoch,
      memberId: this.#memberId,
      groupInstanceId: this.#host.options.groupInstanceId ?? null,
    };
  }

  subscriptionChanged(): void {
    if (!sameTopics(this.#host.subscribedTopics(), this.#sentTopics ?? [])) this.#heartbeatNow();
  }

  #heartbeatNow(): void {
    this.#now = true;
    this.#wake.notify();
  }

  metadataRefreshed(): void {
    this.subscriptionChanged();
    if (this.#unresolved) this.#reconcile();
  }

  async close(): Promise<void> {
    this.#stopping = true;
    this.#wake.notify();
    await this.#loop;
    await this.#serial;
    if (this.#failed) {
      this.#conns.close();
      return;
    }
    const owned = this.#host.owned();
    if (owned.length > 0) await this.#host.revoke(owned, false);
    if (this.#memberId !== '' && this.#epoch > 0) {
      const instanceId = this.#host.options.groupInstanceId ?? null;
      try {
        const conn = await this.#coordinator();
        await conn.request(ApiKey.ConsumerGroupHeartbeat, {
          groupId: this.#groupId,
          memberId: this.#memberId,
          memberEpoch: instanceId === null ? -1 : -2,
          instanceId,
          rackId: null,
          rebalanceTimeoutMs: -1,
          subscribedTopicNames: null,
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions: null,
        });
      } catch (err) {
        this.#host.cluster.logger.debug?.({ err, groupId: this.#groupId }, 'leaving the consumer group failed');
      }
    }
    this.#conns.close();
  }

  async #coordinator() {
    const b = await this.#host.cluster.coordinator(CoordinatorType.GROUP, this.#groupId);
    return this.#conns.toBroker(b);
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      let wait = this.#intervalMs;
      try {
        await this.#heartbeat();
        attempt = 0;
        if (this.#epoch === 0) wait = 0;
      } catch (err) {
        if (this.#stopping) break;
        const code = err instanceof KafkaError ? err.code : ErrorCode.NETWORK_EXCEPTION;
        if (!RETRY.has(code)) {
          this.#failed = true;
          this.#host.fail(err as Error);
          break;
        }
        if (code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) {
          this.#host.cluster.invalidateCoordinator(CoordinatorType.GROUP, this.#groupId);
          this.#conns.closeAll();
        }
        wait = Math.min(1000, this.#host.options.retryBackoffMs * 2 ** attempt++);
      }
      if (wait > 0 && !this.#now) await this.#wake.wait(wait);
    }
  }

  async #heartbeat(): Promise<void> {
    const host = this.#host;
    const o = host.options;
    this.#now = false;
    const joining = this.#epoch === 0;
    const topics = host.subscribedTopics();
    const sendTopics = joining || this.#sentTopics === null || !sameTopics(topics, this.#sentTopics) ? topics : null;
    const owned: IdAssignment = [];
    if (!joining) {
      for (const [name, partitions] of byTopic(host.owned())) {
        const id = host.cluster.topic(name)?.topicId;
        if (id) owned.push({ topicId: id, partitions });
      }
    }
    const conn = await this.#coordinator();
    const res = await conn.request(ApiKey.ConsumerGroupHeartbeat, {
      groupId: this.#groupId,
      memberId: this.#memberId,
      memberEpoch: this.#epoch,
      instanceId: o.groupInstanceId ?? null,
      rackId: null,
      rebalanceTimeoutMs: joining ? o.rebalanceTimeoutMs : -1,
      subscribedTopicNames: sendTopics,
      subscribedTopicRegex: null,
      serverAssignor: joining ? (o.remoteAssignor ?? null) : null,
      topicPartitions: owned,
    });
    const code = res.errorCode;
    if (code === ErrorCode.FENCED_MEMBER_EPOCH || code === ErrorCode.UNKNOWN_MEMBER_ID) {
      host.cluster.logger.debug?.({ groupId: this.#groupId, code }, 'fenced; rejoining');
      this.#epoch = 0;
      this.#memberId = '';
      this.#sentTopics = null;
      this.#target = null;
      await this.#change(async () => {
        const all = host.owned();
        if (all.length > 0) await host.revoke(all, true);
      });
      return;
    }
    if (code !== ErrorCode.NONE) {
      throw new KafkaError(
        code,
        `ConsumerGroupHeartbeat in group ${this.#groupId}: ${res.errorMessage ?? new KafkaError(code).message}`,
      );
    }
    if (res.memberId) this.#memberId = res.memberId;
    this.#epoch = res.memberEpoch;
    if (res.heartbeatIntervalMs > 0) this.#intervalMs = res.heartbeatIntervalMs;
    if (sendTopics) this.#sentTopics = sendTopics;
    if (res.assignment) {
      this.#target = res.assignment.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: t.partitions }));
      this.#reconcile();
    }
  }

  /** Queues an ownership change; the heartbeat after it acknowledges the result. */
  #change(fn: () => Promise<void>): Promise<void> {
    this.#pending++;
    const run = this.#serial.then(fn).catch((err) => {
      this.#host.cluster.logger.warn?.({ err, groupId: this.#groupId }, 'reconciliation failed');
    });
    this.#serial = run.finally(() => {
      this.#pending--;
      this.#heartbeatNow();
    });
    return this.#serial;
  }

  #reconcile(): void {
    void this.#change(async () => {
      if (this.#target === null || this.#stopping) return;
      const target = await this.#resolve(this.#target);
      const owned = this.#host.owned();
      const revoked = minus(owned, target);
      const added = minus(target, owned);
      if (revoked.length > 0) await this.#host.revoke(revoked, false);
      await this.#host.assign(added);
    });
  }

  /** Topic ids → names through metadata; ids still unknown wait for the next refresh. */
  async #resolve(target: IdAssignment): Promise<TopicPartition[]> {
    const cluster = this.#host.cluster;
    const nameOf = (id: string): string | undefined => cluster.topics().find((t) => t.topicId === id)?.name;
    if (target.some((t) => !nameOf(t.topicId))) {
      try {
        await cluster.refreshMetadata();
      } catch (err) {
        cluster.logger.debug?.({ err }, 'metadata refresh for assigned topic ids failed');
      }
    }
    this.#unresolved = false;
    const out: TopicPartition[] = [];
    for (const t of target) {
      const topic = nameOf(t.topicId);
      if (!topic) {
        this.#unresolved = true;
        continue;
      }
      for (const partition of t.partitions) out.push({ topic, partition });
    }
    return out;
  }
}
