/**
 * Finds start positions for partitions that have none: the group's committed
 * offset when there is one, else the reset policy (autoOffsetReset) through
 * ListOffsets; after OFFSET_OUT_OF_RANGE the reset policy alone. With 'none'
 * the partition gets an OFFSET_OUT_OF_RANGE error that poll() throws until
 * the application seeks. Lookups that fail are retried after a backoff; a
 * seek while a lookup is in flight wins over its answer.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { EARLIEST, fetchCommitted, LATEST, listOffsets } from './offsets.ts';
import type { PartitionState, Partitions } from './partition-state.ts';
import type { ResolvedConsumerOptions, TopicPartition } from './types.ts';
import { tpKey } from './util.ts';

export interface PositionsHost {
  readonly cluster: Cluster;
  readonly options: ResolvedConsumerOptions;
  readonly partitions: Partitions;
  /** Positions were set (or errors recorded): wake the fetcher and poll(). */
  onChange(): void;
}

export class Positions {
  readonly #host: PositionsHost;
  #running = false;
  #again = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(host: PositionsHost) {
    this.#host = host;
  }

  /** Looks up positions for every partition without one (coalescing calls). */
  schedule(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#run().finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.schedule();
      }
    });
  }

  /** OFFSET_OUT_OF_RANGE at the partition's fetch offset: reset by policy. */
  outOfRange(p: PartitionState): void {
    this.#host.cluster.logger.debug?.(
      { topic: p.topic, partition: p.partition, offset: p.fetchOffset },
      'fetch offset out of range; resetting',
    );
    p.invalidate(true);
    this.schedule();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  async #run(): Promise<void> {
    const { cluster, options, partitions } = this.#host;
    const now = Date.now();
    const need = partitions
      .all()
      .filter((p) => p.position === undefined && !p.error && !p.initializing && p.retryAt <= now);
    if (need.length === 0) return;
    const seqs = new Map(need.map((p) => [p, p.seq]));
    const current = (p: PartitionState): boolean => p.seq === seqs.get(p) && partitions.get(p) === p;
    for (const p of need) p.initializing = true;
    try {
      const readCommitted = options.isolationLevel === 'read_committed';
      const lookup = need.filter((p) => !p.resetOnly);
      const committed =
        options.groupId !== undefined && lookup.length > 0
          ? await fetchCommitted(cluster, options.groupId, lookup, readCommitted)
          : new Map<string, { offset: bigint; leaderEpoch: number }>();
      const reset: PartitionState[] = [];
      for (const p of need) {
        if (!current(p)) continue;
        const c = p.resetOnly ? undefined : committed.get(p.key);
        if (c) p.seek(c.offset, c.leaderEpoch);
        else reset.push(p);
      }
      if (reset.length === 0) return;
      if (options.autoOffsetReset === 'none') {
        for (const p of reset) {
          p.error = new KafkaError(
            ErrorCode.OFFSET_OUT_OF_RANGE,
            p.resetOnly
              ? `offset out of range for ${p.topic}-${p.partition} and autoOffsetReset is 'none'; seek to a valid offset`
              : `no committed offset for ${p.topic}-${p.partition} and autoOffsetReset is 'none'; seek to a start offset`,
          );
        }
        return;
      }
      const timestamp = options.autoOffsetReset === 'earliest' ? EARLIEST : LATEST;
      const found = await listOffsets(
        cluster,
        reset.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })),
        readCommitted,
      );
      for (const p of reset) {
        const o = found.get(p.key);
        if (o && o.offset >= 0n && current(p)) p.seek(o.offset);
      }
    } catch (err) {
      cluster.logger.debug?.({ err }, 'looking up start positions failed; retrying');
      const retryAt = Date.now() + Math.max(options.retryBackoffMs, 100);
      for (const p of need) p.retryAt = retryAt;
      if (!this.#closed) {
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.schedule(), retryAt - Date.now());
      }
    } finally {
      for (const p of need) p.initializing = false;
      this.#host.onChange();
    }
  }
}

/**
 * The first offset at or after each timestamp (EARLIEST / LATEST allowed);
 * -1 where there is none. A partition asked twice goes in another request.
 */
export async function offsetsForTimes(
  cluster: Cluster,
  tps: ReadonlyArray<TopicPartition & { timestamp: bigint }>,
  readCommitted: boolean,
): Promise<bigint[]> {
  const rounds: Array<Array<TopicPartition & { timestamp: bigint; index: number }>> = [];
  tps.forEach((tp, index) => {
    const entry = { topic: tp.topic, partition: tp.partition, timestamp: tp.timestamp, index };
    const round = rounds.find((r) => !r.some((x) => x.topic === tp.topic && x.partition === tp.partition));
    if (round) round.push(entry);
    else rounds.push([entry]);
  });
  const out = tps.map(() => -1n);
  for (const round of rounds) {
    const found = await listOffsets(cluster, round, readCommitted);
    for (const e of round) out[e.index] = found.get(tpKey(e.topic, e.partition))?.offset ?? -1n;
  }
  return out;
}

/**
 * Seeks partitions to the first offset at or after `timestamp` (or
 * EARLIEST / LATEST), to the end where there is none. A later seek of the
 * application wins over this one.
 */
export async function seekToTimestamp(
  cluster: Cluster,
  partitions: Partitions,
  ps: readonly PartitionState[],
  timestamp: bigint,
  readCommitted: boolean,
): Promise<void> {
  const seqs = ps.map((p) => ++p.userSeq);
  const list = (ts: bigint, of: readonly PartitionState[]) =>
    offsetsForTimes(
      cluster,
      of.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: ts })),
      readCommitted,
    );
  const offsets = await list(timestamp, ps);
  const missing = ps.map((_, i) => i).filter((i) => (offsets[i] as bigint) < 0n);
  if (missing.length > 0) {
    const ends = await list(
      LATEST,
      missing.map((i) => ps[i] as PartitionState),
    );
    missing.forEach((i, j) => {
      offsets[i] = ends[j] ?? -1n;
    });
  }
  ps.forEach((p, i) => {
    const o = offsets[i] as bigint;
    if (o >= 0n && p.userSeq === seqs[i] && partitions.get(p) === p) p.seek(o);
  });
}
