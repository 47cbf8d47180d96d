/**
 * The default partitioner (Kafka's, KIP-480): a keyed record goes to
 * murmur2(key) mod partitions, as in the Java client and librdkafka's
 * `murmur2_random`; a record without a key sticks to one partition per topic
 * until that partition's batch is closed (full or sent), then another one is
 * picked at random among the partitions that have a leader.
 */
import type { PartitionInfo } from '../cluster.ts';
import { partitionForKey } from '../partitioner.ts';

export class StickyPartitioner {
  readonly #sticky = new Map<string, number>();
  /** The partition given up last, avoided by the next pick. */
  readonly #previous = new Map<string, number>();

  /** The partition for a record of `topic` with `key` (null: the sticky one). */
  partition(topic: string, key: Buffer | null, partitions: PartitionInfo[]): number {
    if (key !== null) return partitionForKey(key, partitions.length);
    const current = this.#sticky.get(topic);
    if (current !== undefined && current < partitions.length) return current;
    return this.#pick(topic, partitions, this.#previous.get(topic) ?? -1);
  }

  /** A batch of `partition` closed: if it was the sticky one, the next keyless record picks another. */
  batchClosed(topic: string, partition: number): void {
    if (this.#sticky.get(topic) !== partition) return;
    this.#sticky.delete(topic);
    this.#previous.set(topic, partition);
  }

  #pick(topic: string, partitions: PartitionInfo[], previous: number): number {
    const available = partitions.filter((p) => p.leader >= 0 && p.partition !== previous);
    const from = available.length > 0 ? available : partitions;
    const p = (from[Math.floor(Math.random() * from.length)] as PartitionInfo).partition;
    this.#sticky.set(topic, p);
    return p;
  }
}
