/**
 * Committed offsets in memory, rebuilt from `__consumer_offsets` by replay
 * (Kafka's OffsetMetadataManager):
 *
 * - A plain OffsetCommit record replaces the group's offset for the partition;
 *   a tombstone removes it, and the same partition's pending transactional
 *   offsets too.
 * - A transactional record (written for TxnOffsetCommit) is kept pending under
 *   its producer until an end-transaction marker: COMMIT moves it to the
 *   committed offsets unless a newer (higher record offset) plain commit is
 *   there already; ABORT drops it.
 * - Pending offsets are invisible to OffsetFetch, which answers
 *   UNSTABLE_OFFSET_COMMIT for them when asked with requireStable.
 */
import type { OffsetCommitValue } from './records.ts';

/** A committed offset with the offset of the record that wrote it. */
export interface StoredOffset extends OffsetCommitValue {
  recordOffset: number;
}

type TopicOffsets = Map<number, StoredOffset>;
type GroupOffsets = Map<string, TopicOffsets>;

/** group → topic → partition → offset. */
class OffsetTable {
  readonly byGroup = new Map<string, GroupOffsets>();

  get(group: string, topic: string, partition: number): StoredOffset | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  put(group: string, topic: string, partition: number, v: StoredOffset): void {
    let g = this.byGroup.get(group);
    if (!g) this.byGroup.set(group, (g = new Map()));
    let t = g.get(topic);
    if (!t) g.set(topic, (t = new Map()));
    t.set(partition, v);
  }

  remove(group: string, topic: string, partition: number): boolean {
    const g = this.byGroup.get(group);
    const t = g?.get(topic);
    if (!g || !t?.delete(partition)) return false;
    if (t.size === 0) g.delete(topic);
    if (g.size === 0) this.byGroup.delete(group);
    return true;
  }

  *entries(group: string): Generator<[string, number, StoredOffset]> {
    for (const [topic, parts] of this.byGroup.get(group) ?? []) {
      for (const [p, v] of parts) yield [topic, p, v];
    }
  }
}

/** Committed and pending (transactional) offsets of every group. */
export class OffsetStore {
  readonly #committed = new OffsetTable();
  /** producer id → its pending offsets. */
  readonly #pending = new Map<bigint, OffsetTable>();
  /** group → producers with pending offsets for it. */
  readonly #openTxns = new Map<string, Set<bigint>>();

  /** The committed offset of a partition. */
  get(group: string, topic: string, partition: number): StoredOffset | undefined {
    return this.#committed.get(group, topic, partition);
  }

  /** Every committed offset of a group as [topic, partition, offset]. */
  all(group: string): Array<[string, number, StoredOffset]> {
    return [...this.#committed.entries(group)];
  }

  /** Whether the group has any committed offset. */
  hasOffsets(group: string): boolean {
    return this.#committed.byGroup.has(group);
  }

  /** Whether some producer has a pending offset for the partition. */
  hasPending(group: string, topic: string, partition: number): boolean {
    for (const pid of this.#openTxns.get(group) ?? []) {
      if (this.#pending.get(pid)?.get(group, topic, partition)) return true;
    }
    return false;
  }

  /** Whether the producer has pending offsets anywhere. */
  hasPendingForProducer(producerId: bigint): boolean {
    return this.#pending.has(producerId);
  }

  /** Whether some producer has pending offsets for the group. */
  hasOpenTransactions(group: string): boolean {
    return this.#openTxns.has(group);
  }

  /** Partitions with pending offsets but no committed one (for DeleteGroups' tombstones). */
  pendingOnly(group: string): Array<[string, number]> {
    const out = new Map<string, [string, number]>();
    for (const pid of this.#openTxns.get(group) ?? []) {
      for (const [topic, p] of this.#pending.get(pid)?.entries(group) ?? []) {
        if (!this.#committed.get(group, topic, p)) out.set(`${topic}\u0000${p}`, [topic, p]);
      }
    }
    return [...out.values()];
  }

  /** Replays an offset commit record (value null: tombstone); producerId -1 for a plain commit. */
  replayCommit(
    recordOffset: number,
    producerId: bigint,
    group: string,
    topic: string,
    partition: number,
    value: OffsetCommitValue | null,
  ): void {
    if (value) {
      const stored: StoredOffset = { ...value, recordOffset };
      if (producerId < 0n) {
        this.#committed.put(group, topic, partition, stored);
      } else {
        let table = this.#pending.get(producerId);
        if (!table) this.#pending.set(producerId, (table = new OffsetTable()));
        table.put(group, topic, partition, stored);
        let open = this.#openTxns.get(group);
        if (!open) this.#openTxns.set(group, (open = new Set()));
        open.add(producerId);
      }
      return;
    }
    this.#committed.remove(group, topic, partition);
    for (const pid of this.#openTxns.get(group) ?? []) this.#pending.get(pid)?.remove(group, topic, partition);
  }

  /**
   * Replays an end-transaction marker of `producerId` written to the partition
   * that `inPartition` recognises groups of: commit makes the producer's
   * pending offsets there the committed ones (unless newer ones exist), abort
   * drops them.
   */
  replayMarker(producerId: bigint, commit: boolean, inPartition: (group: string) => boolean): void {
    const table = this.#pending.get(producerId);
    if (!table) return;
    for (const group of [...table.byGroup.keys()]) {
      if (!inPartition(group)) continue;
      for (const [topic, p, v] of [...table.entries(group)]) {
        if (commit) {
          const existing = this.#committed.get(group, topic, p);
          if (!existing || v.recordOffset > existing.recordOffset) this.#committed.put(group, topic, p, v);
        }
        table.remove(group, topic, p);
      }
      const open = this.#openTxns.get(group);
      open?.delete(producerId);
      if (open?.size === 0) this.#openTxns.delete(group);
    }
    if (table.byGroup.size === 0) this.#pending.delete(producerId);
  }

  /** Forgets everything (before a reload). */
  clear(): void {
    this.#committed.byGroup.clear();
    this.#pending.clear();
    this.#openTxns.clear();
  }
}
