/**
 * What the consumer knows about each assigned partition:
 *
 * - `position`: the next offset poll() returns (what commit() commits);
 *   undefined until a committed offset or the reset policy gives one;
 * - `fetchOffset`: where the next Fetch starts, ahead of `position` by the
 *   prefetched records waiting in `chunks`;
 * - `seq`: bumped by every seek and reset, so a Fetch or ListOffsets answer
 *   that was asked for an older position is dropped;
 * - `paused`, `pendingRevocation` (being taken away: nothing more is
 *   returned, so the position stays what the revocation commits), and an
 *   `error` that poll() throws until the next seek.
 */
import type { DecodedChunk } from './fetch-records.ts';
import type { ConsumerRecord, TopicPartition } from './types.ts';
import { sortTps, tpKey } from './util.ts';

interface Chunk extends DecodedChunk {
  index: number;
}

/** One assigned partition. */
export class PartitionState implements TopicPartition {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  position: bigint | undefined = undefined;
  fetchOffset: bigint | undefined = undefined;
  /** Leader epoch of the last record returned (committed with the offset). */
  leaderEpoch = -1;
  seq = 0;
  /** Bumped by the application's seeks only: an async seek applies if no later one came. */
  userSeq = 0;
  paused = false;
  pendingRevocation = false;
  /** Position unknown and to be found with the reset policy only (after OFFSET_OUT_OF_RANGE). */
  resetOnly = false;
  /** A position lookup or reset is in flight. */
  initializing = false;
  /** A Fetch for it is in flight. */
  fetching = false;
  /** Do not fetch (or look up) before this time, after an error. */
  retryAt = 0;
  error: Error | undefined = undefined;
  highWatermark = -1n;
  readonly #chunks: Chunk[] = [];
  #bufferedBytes = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
    this.key = tpKey(topic, partition);
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Whether poll() has something to hand out (or a position to move past markers). */
  get hasBuffered(): boolean {
    return this.#chunks.length > 0;
  }

  /** Sets the position (a seek or a found start), dropping what was prefetched. */
  seek(offset: bigint, leaderEpoch = -1): void {
    this.position = offset;
    this.fetchOffset = offset;
    this.leaderEpoch = leaderEpoch;
    this.resetOnly = false;
    this.error = undefined;
    this.retryAt = 0;
    this.clearBuffer();
  }

  /** Forgets the position so it is looked up again (reset policy only when `resetOnly`). */
  invalidate(resetOnly: boolean): void {
    this.position = undefined;
    this.fetchOffset = undefined;
    this.resetOnly = resetOnly;
    this.clearBuffer();
  }

  clearBuffer(): void {
    this.seq++;
    this.#chunks.length = 0;
    this.#bufferedBytes = 0;
    this.fetchOffset = this.position;
  }

  /** Adds a decoded fetch that started at the current fetch offset. */
  append(chunk: DecodedChunk): void {
    this.fetchOffset = chunk.nextOffset;
    if (chunk.records.length === 0 && this.#chunks.length === 0) {
      // nothing to hand out: move straight past markers and aborted data
      this.position = chunk.nextOffset;
      return;
    }
    this.#chunks.push({ ...chunk, index: 0 });
    this.#bufferedBytes += chunk.bytes;
  }

  /** Takes up to `max` records, advancing the position. */
  take(max: number, out: ConsumerRecord[]): void {
    while (max > 0 && this.#chunks.length > 0) {
      const c = this.#chunks[0] as Chunk;
      const n = Math.min(max, c.records.length - c.index);
      for (let i = 0; i < n; i++) out.push(c.records[c.index + i] as ConsumerRecord);
      if (n > 0) {
        const last = c.records[c.index + n - 1] as ConsumerRecord;
        this.position = last.offset + 1n;
        this.leaderEpoch = last.leaderEpoch;
      }
      c.index += n;
      max -= n;
      if (c.index >= c.records.length) {
        this.position = c.nextOffset;
        this.#chunks.shift();
        this.#bufferedBytes -= c.bytes;
      }
    }
  }
}

/** The assigned partitions, in assignment order. */
export class Partitions {
  readonly #map = new Map<string, PartitionState>();
  #array: PartitionState[] | null = null;
  #rotation = 0;

  get(tp: TopicPartition): PartitionState | undefined {
    return this.#map.get(tpKey(tp.topic, tp.partition));
  }

  /** The state of an assigned partition; throws a usage error naming `what` otherwise. */
  require(tp: TopicPartition, what: string): PartitionState {
    const p = this.get(tp);
    if (!p) throw new Error(`${what}: partition ${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return p;
  }

  add(tp: TopicPartition): PartitionState {
    const existing = this.get(tp);
    if (existing) return existing;
    const p = new PartitionState(tp.topic, tp.partition);
    this.#map.set(p.key, p);
    this.#array = null;
    return p;
  }

  remove(tp: TopicPartition): void {
    const p = this.get(tp);
    if (!p) return;
    p.clearBuffer();
    this.#map.delete(p.key);
    this.#array = null;
  }

  /** Every assigned partition (a shared array: do not modify). */
  all(): readonly PartitionState[] {
    this.#array ??= [...this.#map.values()];
    return this.#array;
  }

  list(): TopicPartition[] {
    return sortTps(this.all().map((p) => ({ topic: p.topic, partition: p.partition })));
  }

  get size(): number {
    return this.#map.size;
  }

  get bufferedBytes(): number {
    let n = 0;
    for (const p of this.#map.values()) n += p.bufferedBytes;
    return n;
  }

  /** Up to `max` records from the partitions poll() may return from, starting with a different one each time. */
  take(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    const all = this.all();
    if (all.length === 0) return out;
    const start = this.#rotation++ % all.length;
    for (let i = 0; i < all.length && out.length < max; i++) {
      const p = all[(start + i) % all.length] as PartitionState;
      if (p.paused || p.pendingRevocation || p.error || p.position === undefined || !p.hasBuffered) continue;
      p.take(max - out.length, out);
    }
    return out;
  }
}
