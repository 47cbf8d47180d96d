/**
 * The record accumulator (Kafka's RecordAccumulator): per partition a queue
 * of batches, the last one open for appends. A partition is ready to drain
 * when its first batch is full, has waited lingerMs, is a retry whose backoff
 * passed, or when everything must go now (flush, close, send() waiting for
 * buffer memory).
 *
 * Buffer memory counts the estimated bytes of every record not yet
 * delivered; send() waits while a record does not fit (see producer.ts).
 */
import { RECORD_BATCH_HEADER_SIZE } from '../../protocol/index.ts';
import { type Delivery, type PreparedRecord, ProducerBatch } from './batch.ts';

export interface PartitionQueue {
  topic: string;
  partition: number;
  batches: ProducerBatch[];
}

export class Accumulator {
  readonly #batchSize: number;
  readonly #lingerMs: number;
  readonly #bufferMemory: number;
  readonly #queues = new Map<string, PartitionQueue>();
  readonly #incomplete = new Set<ProducerBatch>();
  readonly #memoryListeners: Array<() => void> = [];
  #used = 0;
  /** flush() calls in progress: every batch is ready while > 0. */
  flushing = 0;
  /** send() calls waiting for memory: every batch is ready then too. */
  memoryWaiters = 0;

  constructor(opts: { batchSize: number; lingerMs: number; bufferMemory: number }) {
    this.#batchSize = opts.batchSize;
    this.#lingerMs = opts.lingerMs;
    this.#bufferMemory = opts.bufferMemory;
  }

  /** Bytes held by records not yet delivered. */
  get bufferedBytes(): number {
    return this.#used;
  }

  get bufferMemory(): number {
    return this.#bufferMemory;
  }

  /** Whether `size` more bytes fit in buffer memory now. */
  fits(size: number): boolean {
    return this.#used === 0 || this.#used + size <= this.#bufferMemory;
  }

  /** Calls `fn` once, the next time memory is released. */
  onMemoryReleased(fn: () => void): void {
    this.#memoryListeners.push(fn);
  }

  #queue(topic: string, partition: number): PartitionQueue {
    const k = `${partition}:${topic}`;
    let q = this.#queues.get(k);
    if (!q) {
      q = { topic, partition, batches: [] };
      this.#queues.set(k, q);
    }
    return q;
  }

  /**
   * Adds a record to the partition's open batch (a new one when it is full).
   * `ready`: a batch of the partition is full now (send it without lingering);
   * `created`: the record opened a new batch.
   */
  append(
    topic: string,
    partition: number,
    rec: PreparedRecord,
    delivery: Delivery,
    now: number,
  ): { created: boolean; ready: boolean } {
    const q = this.#queue(topic, partition);
    let batch = q.batches.at(-1);
    let created = false;
    let ready = false;
    if (!batch || batch.closed || (batch.count > 0 && batch.size + rec.size > this.#batchSize)) {
      if (batch && !batch.closed) {
        batch.closed = true;
        ready = true;
      }
      batch = new ProducerBatch(topic, partition, now);
      q.batches.push(batch);
      this.#incomplete.add(batch);
      created = true;
    }
    batch.append(rec, delivery);
    this.#used += rec.size;
    if (batch.size >= this.#batchSize) {
      batch.closed = true;
      ready = true;
    }
    return { created, ready };
  }

  /** Every partition queue (some may be empty). */
  queues(): IterableIterator<PartitionQueue> {
    return this.#queues.values();
  }

  /** Milliseconds until the queue's first batch may be drained: 0 = now, Infinity = empty. */
  readyIn(q: PartitionQueue, now: number): number {
    const head = q.batches[0];
    if (!head) return Number.POSITIVE_INFINITY;
    if (head.retryAt > now) return head.retryAt - now;
    if (head.attempts > 0 || head.closed || q.batches.length > 1) return 0;
    if (this.flushing > 0 || this.memoryWaiters > 0) return 0;
    return Math.max(0, head.createdAt + this.#lingerMs - now);
  }

  /** Puts a batch back for a retry, in sequence order ahead of batches never sent. */
  reenqueue(batch: ProducerBatch): void {
    const q = this.#queue(batch.topic, batch.partition);
    batch.closed = true;
    let i = 0;
    if (batch.baseSequence >= 0) {
      while (i < q.batches.length) {
        const s = (q.batches[i] as ProducerBatch).baseSequence;
        if (s < 0 || s > batch.baseSequence) break;
        i++;
      }
    }
    q.batches.splice(i, 0, batch);
  }

  /** Registers a batch made by splitting another (its memory moves with its records). */
  adopt(batch: ProducerBatch, replaces: ProducerBatch): void {
    this.#incomplete.delete(replaces);
    this.#incomplete.add(batch);
  }

  /** Marks a batch finished: releases its memory. Call after succeed()/fail(). */
  release(batch: ProducerBatch): void {
    if (!this.#incomplete.delete(batch)) return;
    this.#used -= batch.size - RECORD_BATCH_HEADER_SIZE;
    for (const fn of this.#memoryListeners.splice(0)) fn();
  }

  /** Batches not yet finished (queued or in flight). */
  incomplete(): ProducerBatch[] {
    return [...this.#incomplete];
  }

  /** Removes and returns every queued batch that is not in flight (for aborts and fatal errors). */
  takeAllQueued(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.#queues.values()) {
      out.push(...q.batches);
      q.batches.length = 0;
    }
    return out;
  }

  /** Removes and returns queued batches older than the delivery timeout. */
  takeExpired(now: number, deliveryTimeoutMs: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.#queues.values()) {
      if (q.batches.length === 0 || (q.batches[0] as ProducerBatch).createdAt + deliveryTimeoutMs > now) continue;
      const keep: ProducerBatch[] = [];
      for (const b of q.batches) (b.createdAt + deliveryTimeoutMs <= now ? out : keep).push(b);
      q.batches = keep;
    }
    return out;
  }

  /** Whether any batch is queued or in flight. */
  get hasIncomplete(): boolean {
    return this.#incomplete.size > 0;
  }
}
