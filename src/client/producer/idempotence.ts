/**
 * Idempotence bookkeeping (the sequence half of Kafka's TransactionManager):
 * the producer id and epoch, and per partition the next sequence, the last
 * acknowledged one and the batches that hold sequences but are not finished
 * (in flight, or queued for a retry).
 *
 * - A batch gets its base sequence when it is first drained and keeps it on
 *   retries, so the broker drops a retry that was already written.
 * - A batch the broker rejected for good left a gap: the sequences after it
 *   move down (they are re-sent; the broker answers their first attempt
 *   OUT_OF_ORDER_SEQUENCE_NUMBER).
 * - When the broker's state and ours can no longer be reconciled (a real gap,
 *   UNKNOWN_PRODUCER_ID, a batch that expired after being sent) an idempotent
 *   producer takes a new producer id and starts every partition at 0 again.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import type { ProducerBatch } from './batch.ts';

const MAX_SEQUENCE = 0x7fffffff;

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap to 0 after Int.MAX_VALUE. */
export function incrementSequence(seq: number, by: number): number {
  return seq > MAX_SEQUENCE - by ? by - (MAX_SEQUENCE - seq) - 1 : seq + by;
}

interface PartitionSequences {
  next: number;
  lastAcked: number;
  /** Batches holding sequences, not finished, by base sequence. */
  pending: ProducerBatch[];
}

export class Sequences {
  producerId = -1n;
  producerEpoch = -1;
  readonly #parts = new Map<string, PartitionSequences>();

  get hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  #state(b: { topic: string; partition: number }): PartitionSequences {
    const k = `${b.partition}:${b.topic}`;
    let s = this.#parts.get(k);
    if (!s) {
      s = { next: 0, lastAcked: -1, pending: [] };
      this.#parts.set(k, s);
    }
    return s;
  }

  /** Gives a batch drained for the first time its base sequence. */
  assign(batch: ProducerBatch): void {
    if (batch.baseSequence >= 0) return;
    const s = this.#state(batch);
    batch.baseSequence = s.next;
    s.next = incrementSequence(s.next, batch.count);
    s.pending.push(batch);
  }

  /** The lowest base sequence of the partition's unfinished batches, or -1. */
  firstPending(topic: string, partition: number): number {
    return this.#parts.get(`${partition}:${topic}`)?.pending[0]?.baseSequence ?? -1;
  }

  /** Whether the batch is the one right after the last acknowledged (a gap if the broker says out of order). */
  isNext(batch: ProducerBatch): boolean {
    return batch.baseSequence === incrementSequence(this.#state(batch).lastAcked, 1);
  }

  /** The broker wrote the batch. */
  acked(batch: ProducerBatch): void {
    const s = this.#state(batch);
    this.#remove(s, batch);
    const last = incrementSequence(batch.baseSequence, batch.count - 1);
    if (last > s.lastAcked || s.lastAcked - last > MAX_SEQUENCE / 2) s.lastAcked = last;
  }

  /** The broker rejected the batch for good: later batches of the partition move down to close the gap. */
  rejected(batch: ProducerBatch): void {
    const s = this.#state(batch);
    if (!this.#remove(s, batch)) return;
    for (const b of s.pending) {
      if (b.baseSequence > batch.baseSequence) {
        b.baseSequence -= batch.count;
        b.resequenced = true;
      }
    }
    s.next -= batch.count;
  }

  /** The batch failed after an attempt without an answer: its sequences are unresolved. */
  abandoned(batch: ProducerBatch): void {
    this.#remove(this.#state(batch), batch);
  }

  /** A batch was split in two after MESSAGE_TOO_LARGE. */
  replace(batch: ProducerBatch, parts: ProducerBatch[]): void {
    const s = this.#state(batch);
    const i = s.pending.indexOf(batch);
    if (i >= 0) s.pending.splice(i, 1, ...parts);
  }

  /** A new producer id or epoch: every partition starts at sequence 0 again. */
  reset(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.#parts.clear();
  }

  #remove(s: PartitionSequences, batch: ProducerBatch): boolean {
    const i = s.pending.indexOf(batch);
    if (i < 0) return false;
    s.pending.splice(i, 1);
    return true;
  }
}

/** InitProducerId without a transactional id (any broker): a fresh producer id at epoch 0. */
export async function requestProducerId(
  cluster: Cluster,
  transactionTimeoutMs: number,
): Promise<{ producerId: bigint; producerEpoch: number }> {
  const conn = await cluster.anyConnection();
  const res = await conn.request(ApiKey.InitProducerId, {
    transactionalId: null,
    transactionTimeoutMs,
    producerId: -1n,
    producerEpoch: -1,
  });
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaError(res.errorCode, 'InitProducerId for an idempotent producer');
  return { producerId: res.producerId, producerEpoch: res.producerEpoch };
}
