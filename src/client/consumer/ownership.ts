/**
 * How partitions come and go under a group, and commits around that:
 *
 * - assign: the partitions are added (their start positions are looked up)
 *   and onPartitionsAssigned runs;
 * - revoke: nothing more is handed out from them at once; then, unless they
 *   were lost, the revocation waits until the application is back in
 *   poll() (at most rebalanceTimeoutMs), commits their positions when
 *   autoCommit and runs onPartitionsRevoked; lost partitions go to
 *   onPartitionsLost (default: onPartitionsRevoked) without a commit;
 * - commit: OffsetCommit as the member; a commit that meets a rebalance
 *   (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, stale or
 *   fenced member epoch) waits for it to settle and is sent again with the
 *   new generation, for the partitions still owned.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import type { Membership } from './membership.ts';
import { type CommitOffset, commitOffsets } from './offsets.ts';
import type { PartitionState, Partitions } from './partition-state.ts';
import type { PartitionsCallback, ResolvedConsumerOptions, TopicPartition } from './types.ts';
import { Signal, sleep } from './util.ts';

const REBALANCE_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.STALE_MEMBER_EPOCH,
  ErrorCode.FENCED_MEMBER_EPOCH,
]);

export interface OwnershipHost {
  readonly cluster: Cluster;
  readonly options: ResolvedConsumerOptions;
  readonly partitions: Partitions;
  membership(): Membership | null;
  closing(): boolean;
  /** The assignment or positions changed. */
  changed(): void;
}

/** The positions of partitions, as offsets to commit. */
export function positionsOf(ps: readonly PartitionState[]): CommitOffset[] {
  return ps
    .filter((p) => p.position !== undefined)
    .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position as bigint, leaderEpoch: p.leaderEpoch }));
}

export class Ownership {
  readonly #host: OwnershipHost;
  readonly #idle = new Signal();
  #busy = false;

  constructor(host: OwnershipHost) {
    this.#host = host;
  }

  /** poll() handed out records: the application is working on them. */
  busy(): void {
    this.#busy = true;
  }

  /** The application is back in poll() (or closing). */
  idle(): void {
    this.#busy = false;
    this.#idle.notify();
  }

  async assign(tps: TopicPartition[]): Promise<void> {
    for (const tp of tps) this.#host.partitions.add(tp);
    this.#host.changed();
    await this.#callback(this.#host.options.onPartitionsAssigned, tps, 'onPartitionsAssigned');
    this.#host.changed();
  }

  async revoke(tps: TopicPartition[], lost: boolean): Promise<void> {
    const { options, partitions } = this.#host;
    const ps = tps.map((tp) => partitions.get(tp)).filter((p): p is PartitionState => p !== undefined);
    for (const p of ps) p.pendingRevocation = true;
    if (lost) {
      await this.#callback(options.onPartitionsLost ?? options.onPartitionsRevoked, tps, 'onPartitionsLost');
    } else {
      const deadline = Date.now() + options.rebalanceTimeoutMs;
      while (this.#busy && !this.#host.closing() && Date.now() < deadline) {
        await this.#idle.wait(deadline - Date.now());
      }
      if (options.autoCommit) {
        await this.commit(positionsOf(ps)).catch((err) =>
          this.#host.cluster.logger.warn?.({ err }, 'commit before revocation failed'),
        );
      }
      await this.#callback(options.onPartitionsRevoked, tps, 'onPartitionsRevoked');
    }
    for (const p of ps) partitions.remove(p);
    this.#host.changed();
  }

  async commit(list: CommitOffset[]): Promise<void> {
    const { cluster, options, partitions } = this.#host;
    const groupId = options.groupId;
    if (groupId === undefined) throw new Error('commit needs a groupId in the consumer options');
    const deadline = Date.now() + Math.min(options.rebalanceTimeoutMs, 30_000);
    while (list.length > 0) {
      const m = this.#host.membership();
      const who = m?.committer() ?? { generationId: -1, memberId: '', groupInstanceId: null };
      try {
        await commitOffsets(cluster, groupId, who, list);
        return;
      } catch (err) {
        if (!m || !(err instanceof KafkaError) || !REBALANCE_ERRORS.has(err.code)) throw err;
        // wait for the rebalance to settle (a new generation, or this one completed)
        do await sleep(options.retryBackoffMs);
        while (
          Date.now() < deadline &&
          !this.#host.closing() &&
          m.rebalancing &&
          m.committer().generationId === who.generationId
        );
        if (Date.now() >= deadline || this.#host.closing()) throw err;
        list = list.filter((o) => partitions.get(o) !== undefined);
        if (list.length === 0) throw err;
      }
    }
  }

  async #callback(fn: PartitionsCallback | undefined, tps: TopicPartition[], name: string): Promise<void> {
    if (!fn) return;
    try {
      await fn(tps);
    } catch (err) {
      this.#host.cluster.logger.warn?.({ err }, `${name} threw`);
    }
  }
}
