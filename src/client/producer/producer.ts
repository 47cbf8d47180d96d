/**
 * Producer: send() returns the record's delivery report as a promise.
 *
 * - A record is appended to its partition's open batch at once when the
 *   topic's metadata is cached and buffer memory has room; otherwise it
 *   waits in a FIFO (so records keep the order of the send() calls) for
 *   metadata (metadata.ts, with the cluster's retries) and memory,
 *   up to maxBlockMs.
 * - The partition: the record's own (checked against the topic), the
 *   `partitioner` option, or Kafka's default (sticky-partitioner.ts).
 * - Batches leave through the sender (sender.ts); transactions go through
 *   the transaction manager (transactions.ts).
 */

import { RECORD_BATCH_HEADER_SIZE } from '../../protocol/index.ts';
import type { Cluster, TopicInfo } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { Accumulator } from './accumulator.ts';
import { type PreparedRecord, prepareRecord } from './batch.ts';
import type { ProducerContext } from './context.ts';
import { Sequences } from './idempotence.ts';
import { topicInfo } from './metadata.ts';
import { Sender } from './sender.ts';
import { StickyPartitioner } from './sticky-partitioner.ts';
import { TransactionManager } from './transactions.ts';
import {
  type ConsumerGroupMetadata,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  resolveOptions,
  type TopicPartitionOffset,
} from './types.ts';

interface PendingSend {
  record: ProducerRecord;
  prepared: PreparedRecord;
  resolve(m: RecordMetadata): void;
  reject(err: Error): void;
  startedAt: number;
  /** flush() calls waiting for this send to leave the queue. */
  waiters: Array<() => void> | null;
}

/** Kafka producer: batching, compression, idempotence and transactions; delivery reports as promises. */
export class Producer {
  readonly #ctx: ProducerContext;
  readonly #accumulator: Accumulator;
  readonly #partitioner = new StickyPartitioner();
  readonly #sender: Sender;
  readonly #txn: TransactionManager | null;
  /** Sends waiting for metadata or memory; #queue[#head] is the next one (a deque without O(n) shifts). */
  #queue: Array<PendingSend | undefined> = [];
  #head = 0;
  #pumping = false;
  #closing = false;
  #closed: Promise<void> | null = null;

  constructor(cluster: Cluster, options: ProducerOptions = {}) {
    const opts = resolveOptions(options);
    this.#accumulator = new Accumulator(opts);
    const sequences = opts.idempotent ? new Sequences() : null;
    this.#ctx = {
      cluster,
      opts,
      logger: cluster.logger,
      accumulator: this.#accumulator,
      sequences,
      txn: null,
      fatal: null,
    };
    this.#sender = new Sender(this.#ctx, this.#partitioner);
    this.#txn =
      opts.transactionalId !== null && sequences
        ? new TransactionManager(this.#ctx, opts.transactionalId, sequences, {
            flush: () => this.flush(),
            abortUndrained: async (err) => {
              await this.#queueDrained();
              return this.#sender.abortUndrained(err);
            },
            wake: () => this.#sender.wake(),
          })
        : null;
    this.#ctx.txn = this.#txn;
  }

  /** Bytes of records accepted by send() and not yet delivered (bounded by bufferMemory). */
  get bufferedBytes(): number {
    return this.#accumulator.bufferedBytes;
  }

  /** Sends one record; resolves with where it was written once the broker acknowledged it. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      const err = this.#closing
        ? new Error('send: the producer is closed')
        : (this.#ctx.fatal ?? this.#txn?.checkSend());
      if (err) return reject(err);
      let prepared: PreparedRecord;
      try {
        if (typeof record?.topic !== 'string' || record.topic.length === 0) {
          throw new TypeError('send: record.topic must be a non-empty string');
        }
        prepared = prepareRecord(record);
      } catch (e) {
        return reject(e);
      }
      const { maxRequestSize, bufferMemory } = this.#ctx.opts;
      const size = prepared.size + RECORD_BATCH_HEADER_SIZE;
      if (size > maxRequestSize || prepared.size > bufferMemory) {
        const limit = size > maxRequestSize ? `maxRequestSize (${maxRequestSize})` : `bufferMemory (${bufferMemory})`;
        return reject(
          new KafkaError(
            ErrorCode.MESSAGE_TOO_LARGE,
            `send: the record is ${size} bytes when serialized, more than ${limit} allows`,
          ),
        );
      }
      const item: PendingSend = { record, prepared, resolve, reject, startedAt: Date.now(), waiters: null };
      if (this.#head === this.#queue.length) {
        const t = this.#ctx.cluster.topic(record.topic);
        if (t && this.#accumulator.fits(prepared.size)) return this.#append(item, t);
      }
      this.#queue.push(item);
      void this.#pump();
    });
  }

  /** Sends records in order; resolves with their delivery reports (rejects with the first failure). */
  sendBatch(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(r)));
  }

  #append(item: PendingSend, t: TopicInfo): void {
    const ctx = this.#ctx;
    const partition = this.#partitionFor(item, t);
    if (partition instanceof Error) {
      item.reject(partition);
      return;
    }
    const { record, prepared } = item;
    const now = Date.now();
    const { created, ready } = this.#accumulator.append(record.topic, partition, prepared, item, now);
    if (ready) {
      this.#partitioner.batchClosed(record.topic, partition);
      this.#sender.wake();
    } else if (created) {
      if (ctx.opts.lingerMs === 0) this.#sender.wake();
      else this.#sender.wakeAt(now + ctx.opts.lingerMs);
    }
  }

  /** The record's partition, or why it cannot be appended now. */
  #partitionFor(item: PendingSend, t: TopicInfo): number | Error {
    const ctx = this.#ctx;
    const late = ctx.fatal ?? ctx.txn?.abortableError;
    if (late) return late;
    if (ctx.txn?.state === 'aborting') return new Error('send: the transaction was aborted');
    const { record, prepared } = item;
    const n = t.partitions.length;
    let partition: number;
    if (record.partition !== undefined && record.partition !== null) {
      partition = record.partition;
    } else if (ctx.opts.partitioner) {
      try {
        partition = ctx.opts.partitioner(prepared.input.key, record.topic, n);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    } else {
      partition = this.#partitioner.partition(record.topic, prepared.input.key, t.partitions);
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
      return new KafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `send: topic ${record.topic} has no partition ${partition} (it has ${n}: 0-${n - 1})`,
      );
    }
    return partition;
  }

  /** Works through sends that wait for metadata or memory, in order. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#head < this.#queue.length) {
        const item = this.#queue[this.#head] as PendingSend;
        try {
          await this.#whenAppendable(item);
        } catch (err) {
          item.reject(err as Error);
        }
        this.#queue[this.#head++] = undefined;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        for (const w of item.waiters ?? []) w();
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #whenAppendable(item: PendingSend): Promise<void> {
    const { cluster, opts } = this.#ctx;
    const topic = item.record.topic;
    const deadline = item.startedAt + opts.maxBlockMs;
    let t = cluster.topic(topic);
    if (!t) {
      const lookup = topicInfo(cluster, topic, opts.allowAutoTopicCreation);
      t = await this.#until(lookup, deadline, `topic ${topic} is not in the metadata`);
    }
    while (!this.#accumulator.fits(item.prepared.size)) {
      this.#accumulator.memoryWaiters++;
      this.#sender.wake();
      try {
        const freed = new Promise<void>((r) => this.#accumulator.onMemoryReleased(r));
        await this.#until(freed, deadline, `bufferMemory (${opts.bufferMemory} bytes) stayed full`);
      } finally {
        this.#accumulator.memoryWaiters--;
      }
    }
    this.#append(item, t);
  }

  #until<T>(p: Promise<T>, deadline: number, what: string): Promise<T> {
    const ms = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KafkaError(
              ErrorCode.REQUEST_TIMED_OUT,
              `send: ${what} after maxBlockMs (${this.#ctx.opts.maxBlockMs})`,
            ),
          ),
        Math.max(0, ms),
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Sends everything accepted so far without waiting for lingerMs, and waits until each record is delivered or failed. */
  async flush(): Promise<void> {
    await this.#queueDrained();
    const acc = this.#accumulator;
    acc.flushing++;
    this.#sender.wake();
    try {
      await Promise.all(acc.incomplete().map((b) => b.whenDone()));
    } finally {
      acc.flushing--;
    }
  }

  /** Resolves once every send() made so far has left the waiting queue (appended or failed). */
  async #queueDrained(): Promise<void> {
    const tail = this.#head < this.#queue.length ? this.#queue.at(-1) : undefined;
    if (tail) await new Promise<void>((r) => (tail.waiters ??= []).push(r));
  }

  #transactional(call: string): TransactionManager {
    if (!this.#txn) throw new Error(`${call}: this producer has no transactionalId`);
    if (this.#closing) throw new Error(`${call}: the producer is closed`);
    return this.#txn;
  }

  /** Registers the transactional id with its coordinator (fencing older producers with it); call once, first. */
  async initTransactions(): Promise<void> {
    await this.#transactional('initTransactions').initTransactions();
  }

  beginTransaction(): void {
    this.#transactional('beginTransaction').beginTransaction();
  }

  /** Adds a consumer group's offsets to the transaction: committed only if the transaction is. */
  async sendOffsetsToTransaction(
    offsets: TopicPartitionOffset[],
    group: string | ConsumerGroupMetadata,
  ): Promise<void> {
    await this.#transactional('sendOffsetsToTransaction').sendOffsets(offsets, group);
  }

  /** Flushes, then commits the transaction. */
  async commitTransaction(): Promise<void> {
    await this.#transactional('commitTransaction').commit();
  }

  /** Fails records not sent yet, waits for those in flight, then aborts the transaction. */
  async abortTransaction(): Promise<void> {
    await this.#transactional('abortTransaction').abort();
  }

  /** Flushes, then stops; later sends fail. An open transaction is left to time out, as in Kafka. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#closing = true;
    this.#closed = this.flush().finally(() => this.#sender.close());
    return this.#closed;
  }
}
