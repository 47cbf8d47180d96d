/**
 * The consumer: a subscription in a group (classic or KIP-848) or a manual
 * assignment, records through poll() or `for await`, positions, seeks,
 * pause/resume and offset commits.
 *
 * - Fetching runs in the background (fetcher.ts) and prefetches while the
 *   application works; poll() hands out what is buffered, up to
 *   maxPollRecords, and waits up to its timeout when nothing is.
 * - The group runs in the background too (heartbeats, rebalances), but a
 *   revocation waits until the application is back in poll() (or the
 *   iterator's next()), at most rebalanceTimeoutMs, like Java's
 *   single-threaded consumer: the records it was given are processed, a
 *   synchronous commit() of them is done, and nothing more is handed out
 *   from the revoked partitions. With autoCommit their positions are then
 *   committed before onPartitionsRevoked and before the partitions move on.
 * - Auto commit: poll() commits the positions (of what earlier polls
 *   returned) every autoCommitIntervalMs, in the background; also before a
 *   revocation and on close().
 * - commit() during a rebalance is retried with the new generation (or
 *   member epoch) for the partitions the consumer still owns.
 */
import type { Cluster } from '../cluster.ts';
import { ClassicMembership } from './classic.ts';
import { Fetcher } from './fetcher.ts';
import { Kip848Membership } from './kip848.ts';
import type { Membership, MembershipHost } from './membership.ts';
import { EARLIEST, fetchCommitted, LATEST } from './offsets.ts';
import { Ownership, positionsOf } from './ownership.ts';
import { Partitions } from './partition-state.ts';
import { offsetsForTimes, Positions, seekToTimestamp } from './positions.ts';
import type {
  ConsumerGroupMetadata,
  ConsumerOptions,
  ConsumerRecord,
  ResolvedConsumerOptions,
  TopicPartition,
  TopicPartitionOffset,
} from './types.ts';
import { resolveOptions } from './types.ts';
import { OwnConnections, Signal, tpKey } from './util.ts';

export class Consumer {
  readonly cluster: Cluster;
  readonly options: ResolvedConsumerOptions;
  readonly #partitions = new Partitions();
  readonly #conns: OwnConnections;
  readonly #fetcher: Fetcher;
  readonly #positions: Positions;
  readonly #ownership: Ownership;
  /** New records, errors, or close: wakes poll(). */
  readonly #data = new Signal();
  #subscription: string[] | RegExp | null = null;
  #manual = false;
  #membership: Membership | null = null;
  #fatal: Error | null = null;
  #closing = false;
  #closed: Promise<void> | null = null;
  #metadataTimer: NodeJS.Timeout | null = null;
  #nextAutoCommit: number;

  constructor(cluster: Cluster, options?: ConsumerOptions) {
    this.cluster = cluster;
    this.options = resolveOptions(options);
    this.#conns = new OwnConnections(cluster);
    this.#nextAutoCommit = Date.now() + this.options.autoCommitIntervalMs;
    this.#positions = new Positions({
      cluster,
      options: this.options,
      partitions: this.#partitions,
      onChange: () => this.#changed(),
    });
    this.#fetcher = new Fetcher({
      cluster,
      options: this.options,
      partitions: this.#partitions,
      connections: this.#conns,
      onData: () => this.#data.notify(),
      onOutOfRange: (p) => this.#positions.outOfRange(p),
    });
    this.#ownership = new Ownership({
      cluster,
      options: this.options,
      partitions: this.#partitions,
      membership: () => this.#membership,
      closing: () => this.#closing,
      changed: () => this.#changed(),
    });
  }

  /** Subscribes to topics (or every topic matching a pattern) as a member of the group. */
  subscribe(topics: string[] | RegExp): void {
    this.#checkOpen('subscribe');
    const groupId = this.#requireGroup('subscribe');
    if (this.#manual)
      throw new Error('subscribe: partitions were assigned manually; use assign() or subscribe(), not both');
    if (Array.isArray(topics)) {
      for (const t of topics)
        if (typeof t !== 'string' || t === '') throw new TypeError('subscribe: topic names must be non-empty strings');
      this.#subscription = [...new Set(topics)].sort();
    } else if (topics instanceof RegExp) {
      this.#subscription = new RegExp(topics.source, topics.flags.replace(/[gy]/g, ''));
    } else {
      throw new TypeError('subscribe: pass an array of topic names or a RegExp');
    }
    if (this.#membership) {
      this.#membership.subscriptionChanged();
      return;
    }
    const host: MembershipHost = {
      cluster: this.cluster,
      options: { ...this.options, groupId },
      subscribedTopics: () => this.#subscribedTopics(),
      owned: () => this.#partitions.list(),
      assign: (tps) => this.#ownership.assign(tps),
      revoke: (tps, lost) => this.#ownership.revoke(tps, lost),
      fail: (err) => this.#fail(err),
    };
    const m = this.options.groupProtocol === 'consumer' ? new Kip848Membership(host) : new ClassicMembership(host);
    this.#membership = m;
    this.#fetcher.start();
    const every = this.cluster.options.metadataMaxAgeMs ?? 300_000;
    this.#metadataTimer = setInterval(() => void this.#refreshSubscription(), every);
    if (this.#subscription instanceof RegExp) {
      // resolve the pattern before the first join
      void this.cluster
        .refreshMetadata()
        .catch((err) => this.cluster.logger.debug?.({ err }, 'metadata refresh failed'))
        .finally(() => !this.#closing && m.start());
    } else {
      m.start();
    }
  }

  /** Assigns partitions by hand (no group membership), optionally with start offsets. */
  assign(tps: Array<TopicPartition & { offset?: bigint }>): void {
    this.#checkOpen('assign');
    if (this.#subscription)
      throw new Error('assign: the consumer is subscribed; use assign() or subscribe(), not both');
    for (const tp of tps) {
      if (typeof tp.topic !== 'string' || tp.topic === '' || !Number.isInteger(tp.partition) || tp.partition < 0) {
        throw new TypeError(`assign: invalid topic partition ${JSON.stringify(tp)}`);
      }
    }
    this.#manual = true;
    const keep = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const p of [...this.#partitions.all()]) if (!keep.has(p.key)) this.#partitions.remove(p);
    for (const tp of tps) {
      const p = this.#partitions.add(tp);
      if (tp.offset !== undefined) p.seek(tp.offset);
    }
    this.#fetcher.start();
    this.#changed();
  }

  /** Waits up to `timeoutMs` (default 1000) for records; returns at most maxPollRecords. */
  poll(timeoutMs = 1000): Promise<ConsumerRecord[]> {
    return this.#poll(this.options.maxPollRecords, timeoutMs);
  }

  /** Records one at a time, until close(); `break` leaves the consumer open. */
  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return {
      next: async (): Promise<IteratorResult<ConsumerRecord>> => {
        for (;;) {
          if (this.#closing) return { done: true, value: undefined };
          const [r] = await this.#poll(1, 1000);
          if (r) return { done: false, value: r };
        }
      },
      return: async (): Promise<IteratorResult<ConsumerRecord>> => ({ done: true, value: undefined }),
    };
  }

  async #poll(max: number, timeoutMs: number): Promise<ConsumerRecord[]> {
    this.#checkOpen('poll');
    if (!this.#subscription && !this.#manual) throw new Error('poll: subscribe() or assign() first');
    this.#ownership.idle();
    this.#maybeAutoCommit();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#throwIfFailed();
      const records = this.#partitions.take(max);
      this.#fetcher.wake();
      if (records.length > 0) {
        this.#ownership.busy();
        return records;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#closing) return [];
      await this.#data.wait(left);
    }
  }

  /** Sets the next offset to read from an assigned partition. */
  seek(tp: TopicPartition, offset: bigint): void {
    const p = this.#partitions.require(tp, 'seek');
    if (typeof offset !== 'bigint' || offset < 0n) throw new TypeError('seek: offset must be a bigint >= 0');
    p.userSeq++;
    p.seek(offset);
    this.#changed();
  }

  /** Seeks to the first offset (log start) of the given (default: all assigned) partitions. */
  seekToBeginning(tps?: TopicPartition[]): Promise<void> {
    return this.#seekTo(tps, EARLIEST, 'seekToBeginning');
  }

  /** Seeks to the end (last stable offset under read_committed) of the given (default: all) partitions. */
  seekToEnd(tps?: TopicPartition[]): Promise<void> {
    return this.#seekTo(tps, LATEST, 'seekToEnd');
  }

  /** Seeks each partition to its first offset at or after `timestamp` (the end when there is none). */
  seekToTimestamp(tps: TopicPartition[], timestamp: number | bigint): Promise<void> {
    return this.#seekTo(tps, BigInt(timestamp), 'seekToTimestamp');
  }

  async #seekTo(tps: TopicPartition[] | undefined, timestamp: bigint, what: string): Promise<void> {
    this.#checkOpen(what);
    const ps = (tps ?? this.#partitions.list()).map((tp) => this.#partitions.require(tp, what));
    await seekToTimestamp(this.cluster, this.#partitions, ps, timestamp, this.#readCommitted);
    this.#changed();
  }

  /** The first offset at or after each timestamp (ListOffsets); offset -1 when there is none. */
  async offsetsForTimes(tps: Array<TopicPartition & { timestamp: number | bigint }>): Promise<TopicPartitionOffset[]> {
    const asked = tps.map((tp) => ({ topic: tp.topic, partition: tp.partition, timestamp: BigInt(tp.timestamp) }));
    const offsets = await offsetsForTimes(this.cluster, asked, this.#readCommitted);
    return tps.map((tp, i) => ({ topic: tp.topic, partition: tp.partition, offset: offsets[i] as bigint }));
  }

  /** Stops handing out (and fetching) records of these partitions. */
  pause(tps: TopicPartition[]): void {
    for (const p of tps.map((tp) => this.#partitions.require(tp, 'pause'))) p.paused = true;
  }

  resume(tps: TopicPartition[]): void {
    for (const p of tps.map((tp) => this.#partitions.require(tp, 'resume'))) p.paused = false;
    this.#changed();
  }

  paused(): TopicPartition[] {
    return this.#partitions.list().filter((tp) => this.#partitions.get(tp)?.paused);
  }

  /** The next offset poll() returns for a partition; undefined before it is known. */
  position(tp: TopicPartition): bigint | undefined {
    return this.#partitions.get(tp)?.position;
  }

  assignment(): TopicPartition[] {
    return this.#partitions.list();
  }

  /** Commits offsets (default: the positions of every assigned partition). */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    this.#requireGroup('commit');
    await this.#ownership.commit(
      offsets ? offsets.map((o) => ({ ...o, leaderEpoch: -1 })) : positionsOf(this.#partitions.all()),
    );
  }

  /** The group's committed offsets (offset -1 where there is none). */
  async committed(tps: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const groupId = this.#requireGroup('committed');
    const found = await fetchCommitted(this.cluster, groupId, tps, this.#readCommitted);
    return tps.map((tp) => {
      const c = found.get(tpKey(tp.topic, tp.partition));
      return { topic: tp.topic, partition: tp.partition, offset: c?.offset ?? -1n, metadata: c?.metadata ?? null };
    });
  }

  /** Group, generation (or member epoch) and member id, for Producer.sendOffsetsToTransaction. */
  groupMetadata(): ConsumerGroupMetadata {
    const groupId = this.#requireGroup('groupMetadata');
    const c = this.#membership?.committer();
    return {
      groupId,
      generationId: c?.generationId ?? -1,
      memberId: c?.memberId ?? '',
      groupInstanceId: c?.groupInstanceId ?? this.options.groupInstanceId ?? null,
    };
  }

  /** Commits (autoCommit), revokes, leaves the group and closes the consumer's connections. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#ownership.idle();
    this.#data.notify();
    if (this.#metadataTimer) clearInterval(this.#metadataTimer);
    try {
      if (this.#membership) await this.#membership.close();
      else if (this.#manual && this.options.groupId !== undefined && this.options.autoCommit) {
        await this.#ownership
          .commit(positionsOf(this.#partitions.all()))
          .catch((err) => this.cluster.logger.warn?.({ err }, 'commit on close failed'));
      }
    } finally {
      this.#positions.close();
      await this.#fetcher.close();
      this.#conns.close();
      this.#data.notify();
    }
  }

  // ---- internals ----------------------------------------------------------

  #checkOpen(what: string): void {
    if (this.#closing) throw new Error(`${what}: the consumer is closed`);
  }

  #requireGroup(what: string): string {
    if (this.options.groupId === undefined) throw new Error(`${what} needs a groupId in the consumer options`);
    return this.options.groupId;
  }

  #throwIfFailed(): void {
    if (this.#fatal) throw this.#fatal;
    for (const p of this.#partitions.all()) if (p.error && !p.paused) throw p.error;
  }

  #fail(err: Error): void {
    this.cluster.logger.error?.({ err }, 'the consumer group failed');
    this.#fatal ??= err;
    this.#data.notify();
  }

  /** Positions or assignment changed: look up positions, fetch, wake poll(). */
  #changed(): void {
    this.#positions.schedule();
    this.#fetcher.wake();
    this.#data.notify();
  }

  #subscribedTopics(): string[] {
    const s = this.#subscription;
    if (!s) return [];
    if (Array.isArray(s)) return s;
    return this.cluster
      .topics()
      .filter((t) => !t.isInternal && s.test(t.name))
      .map((t) => t.name)
      .sort();
  }

  async #refreshSubscription(): Promise<void> {
    const s = this.#subscription;
    if (!s || this.#closing) return;
    try {
      await this.cluster.refreshMetadata(Array.isArray(s) ? s : null);
    } catch (err) {
      this.cluster.logger.debug?.({ err }, 'subscription metadata refresh failed');
    }
    if (!this.#closing) this.#membership?.metadataRefreshed();
  }

  #maybeAutoCommit(): void {
    if (!this.options.autoCommit || this.options.groupId === undefined) return;
    const now = Date.now();
    if (now < this.#nextAutoCommit) return;
    this.#nextAutoCommit = now + this.options.autoCommitIntervalMs;
    const list = positionsOf(this.#partitions.all().filter((p) => !p.pendingRevocation));
    if (list.length === 0 || this.#membership?.rebalancing) return;
    this.#ownership.commit(list).catch((err) => this.cluster.logger.warn?.({ err }, 'auto commit failed'));
  }

  get #readCommitted(): boolean {
    return this.options.isolationLevel === 'read_committed';
  }
}
