/**
 * The sender (Kafka's Sender): drains ready batches into Produce requests and
 * handles the answers.
 *
 * - One request per leader carries the first ready batch of every partition
 *   it leads (up to maxRequestSize); up to maxInFlight requests per broker.
 *   Requests to a broker are written in the order they were drained, so the
 *   sequences of a partition reach it in order even when compression runs off
 *   the main thread.
 * - Idempotence: a batch drained for the first time gets its sequence; a
 *   retry is drained only when it is the partition's first unfinished batch,
 *   so retries go out in sequence order, one at a time. DUPLICATE_SEQUENCE_NUMBER
 *   is success. OUT_OF_ORDER_SEQUENCE_NUMBER is retried unless the batch was
 *   the next expected one (a real gap): then a new producer id is taken once
 *   nothing is in flight (idempotent) or the transaction must abort.
 * - Retriable errors re-queue the batch after an exponential backoff, within
 *   deliveryTimeoutMs of its creation; NOT_LEADER_OR_FOLLOWER and the other
 *   stale-metadata errors drop the topic's metadata so it is fetched again.
 * - MESSAGE_TOO_LARGE for a batch of several records splits it in two.
 * - Transactions: a partition is drained only after AddPartitionsToTxn added
 *   it; fencing is fatal, other failures make the transaction abortable.
 */

import type { ProduceResponse } from '../../protocol/index.ts';
import { ConnectionError, ErrorCode, KafkaError, RequestTimeoutError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import type { PartitionQueue } from './accumulator.ts';
import { type ProducerBatch, produceBody } from './batch.ts';
import { isFatalCode, type ProducerContext, setFatal } from './context.ts';
import { requestProducerId } from './idempotence.ts';
import { refreshTopics } from './metadata.ts';
import type { StickyPartitioner } from './sticky-partitioner.ts';
import { backoffMs } from './types.ts';

const METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

const noop = (): void => {};

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

export class Sender {
  readonly #ctx: ProducerContext;
  readonly #partitioner: StickyPartitioner;
  readonly #inFlight = new Map<number, number>();
  /** Batches in requests not answered yet (to expire them on deliveryTimeoutMs). */
  readonly #inFlightBatches = new Set<ProducerBatch>();
  readonly #chains = new Map<number, Promise<void>>();
  readonly #drainStart = new Map<number, number>();
  readonly #idleWaiters: Array<() => void> = [];
  #totalInFlight = 0;
  #scheduled = false;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #refreshing = false;
  #resetNeeded = false;
  #resetting = false;
  #closed = false;

  constructor(ctx: ProducerContext, partitioner: StickyPartitioner) {
    this.#ctx = ctx;
    this.#partitioner = partitioner;
  }

  /** Runs a drain pass soon (once, however often it is called before). */
  wake(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  /** Runs a drain pass at `at` (ms since epoch) unless one is due earlier. */
  wakeAt(at: number): void {
    if (at >= this.#timerAt || this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#run();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Resolves when no Produce request is in flight. */
  idle(): Promise<void> {
    if (this.#totalInFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  /** Fails every batch not yet sent with `err` and waits for those in flight; true when a dropped one held sequences. */
  async abortUndrained(err: Error): Promise<boolean> {
    let sequenced = false;
    for (const b of this.#ctx.accumulator.takeAllQueued()) {
      if (b.baseSequence >= 0) sequenced = true;
      this.#fail(b, err, false);
    }
    await this.idle();
    return sequenced;
  }

  /** Stops timers; batches still queued are failed by the caller's flush first. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    // This pass works out the next wake-up itself; an older timer would only fire for nothing.
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const ctx = this.#ctx;
    const acc = ctx.accumulator;
    const opts = ctx.opts;
    const now = Date.now();
    if (ctx.fatal) {
      for (const b of acc.takeAllQueued()) this.#fail(b, ctx.fatal, false);
      return;
    }
    const txn = ctx.txn;
    const abortable = txn?.abortableError;
    if (abortable) for (const b of acc.takeAllQueued()) this.#fail(b, abortable, false);
    for (const b of acc.takeExpired(now, opts.deliveryTimeoutMs)) this.#expire(b, now, false);
    let next = Number.POSITIVE_INFINITY;
    for (const b of this.#inFlightBatches) {
      const deadline = b.createdAt + opts.deliveryTimeoutMs;
      if (deadline > now) next = Math.min(next, deadline);
      else this.#expire(b, now, true);
    }
    const seq = ctx.sequences;
    const blocked = seq !== null && (!seq.hasProducerId || this.#resetNeeded);
    if (blocked && !txn) this.#maybeReset();
    const byNode = new Map<number, PartitionQueue[]>();
    let missing: Set<string> | null = null;
    for (const q of acc.queues()) {
      const head = q.batches[0];
      if (!head) continue;
      next = Math.min(next, head.createdAt + opts.deliveryTimeoutMs);
      if (blocked) continue;
      const wait = acc.readyIn(q, now);
      if (wait > 0) {
        next = Math.min(next, now + wait);
        continue;
      }
      const leader = this.#leaderOf(q.topic, q.partition);
      if (leader < 0) {
        missing ??= new Set();
        missing.add(q.topic);
        continue;
      }
      if (txn && !txn.isAdded(q.topic, q.partition)) {
        txn.addPartition(q.topic, q.partition);
        continue;
      }
      let list = byNode.get(leader);
      if (!list) byNode.set(leader, (list = []));
      list.push(q);
    }
    if (missing) this.#refresh(missing);
    for (const [node, queues] of byNode) {
      while ((this.#inFlight.get(node) ?? 0) < opts.maxInFlight) {
        const batches = this.#drainNode(node, queues, now);
        if (batches.length === 0) break;
        this.#send(node, batches);
      }
      for (const q of queues) {
        const wait = acc.readyIn(q, now);
        if (wait > 0 && wait < Number.POSITIVE_INFINITY) next = Math.min(next, now + wait);
      }
    }
    if (next < Number.POSITIVE_INFINITY) this.wakeAt(next);
  }

  /** Fails a batch older than deliveryTimeoutMs; one still in flight may have been written (its answer is ignored). */
  #expire(b: ProducerBatch, now: number, inFlight: boolean): void {
    const { opts } = this.#ctx;
    if (inFlight) {
      this.#inFlightBatches.delete(b);
      b.uncertain = true;
    }
    const age = now - b.createdAt;
    const where = inFlight ? ' (its request is still unanswered)' : '';
    const msg = `expiring ${b.count} record(s) for ${b.topic}-${b.partition}: ${age} ms passed since the batch was created (deliveryTimeoutMs ${opts.deliveryTimeoutMs})${where}`;
    this.#fail(b, new KafkaError(ErrorCode.REQUEST_TIMED_OUT, msg), true);
  }

  #leaderOf(topic: string, partition: number): number {
    const p = this.#ctx.cluster.topic(topic)?.partitions[partition];
    return p && p.partition === partition ? p.leader : -1;
  }

  /** One batch per ready partition of this leader, starting where the last request stopped. */
  #drainNode(node: number, queues: PartitionQueue[], now: number): ProducerBatch[] {
    const { accumulator: acc, sequences: seq, opts } = this.#ctx;
    const out: ProducerBatch[] = [];
    let size = 0;
    const start = (this.#drainStart.get(node) ?? 0) % queues.length;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(start + i) % queues.length] as PartitionQueue;
      const head = q.batches[0];
      if (!head || acc.readyIn(q, now) > 0) continue;
      // A retry waits until it is the partition's first unfinished batch.
      if (seq && head.baseSequence >= 0 && head.baseSequence !== seq.firstPending(q.topic, q.partition)) continue;
      if (out.length > 0 && size + head.size > opts.maxRequestSize) {
        this.#drainStart.set(node, (start + i) % queues.length);
        return out;
      }
      q.batches.shift();
      head.closed = true;
      this.#partitioner.batchClosed(q.topic, q.partition);
      seq?.assign(head);
      out.push(head);
      size += head.size;
    }
    this.#drainStart.set(node, start + 1);
    return out;
  }

  #send(node: number, batches: ProducerBatch[]): void {
    const ctx = this.#ctx;
    const { opts, sequences: seq } = ctx;
    this.#inFlight.set(node, (this.#inFlight.get(node) ?? 0) + 1);
    this.#totalInFlight++;
    for (const b of batches) {
      b.attempts++;
      this.#inFlightBatches.add(b);
    }
    const params = {
      compression: opts.compression,
      producerId: seq?.producerId ?? -1n,
      producerEpoch: seq?.producerEpoch ?? -1,
      transactional: ctx.txn !== null,
    };
    const encodes = batches.map((b) => b.encode(params));
    // A failed encode is reported through `written` below, maybe only after earlier requests went out.
    for (const e of encodes) e.catch(noop);
    const prev = this.#chains.get(node) ?? Promise.resolve();
    // Written in drain order; the answer is awaited outside the chain so requests pipeline.
    const written = prev.then(async () => {
      const records = await Promise.all(encodes);
      const conn = await ctx.cluster.connection(node);
      const body = produceBody(batches, records, opts);
      if (opts.acks === 0) {
        await conn.sendNoResponse(ApiKey.Produce, body);
        return { answer: Promise.resolve(null) };
      }
      return { answer: conn.request(ApiKey.Produce, body, { timeoutMs: opts.requestTimeoutMs }) };
    });
    this.#chains.set(node, written.then(noop, noop));
    written
      .then((w) => w.answer)
      .then(
        (res) => this.#onResponse(batches, res),
        (err) => this.#onRequestError(batches, err),
      )
      .catch((err) => ctx.logger.error?.({ err }, 'producer: handling a produce answer failed'))
      .finally(() => {
        this.#inFlight.set(node, (this.#inFlight.get(node) ?? 1) - 1);
        if (--this.#totalInFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
        this.wake();
      });
  }

  /** The batches of an answered request that were not expired meanwhile. */
  #landed(batches: ProducerBatch[]): ProducerBatch[] {
    return batches.filter((b) => this.#inFlightBatches.delete(b) && !b.done);
  }

  #onResponse(sent: ProducerBatch[], res: ProduceResponse | null): void {
    const batches = this.#landed(sent);
    if (res === null) {
      for (const b of batches) this.#succeed(b, -1n, -1n);
      return;
    }
    const byPartition = new Map<string, PartitionResponse>();
    for (const t of res.responses) for (const p of t.partitionResponses) byPartition.set(`${p.index}:${t.name}`, p);
    for (const b of batches) {
      const p = byPartition.get(`${b.partition}:${b.topic}`);
      if (!p) {
        this.#retryOrFail(b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'the broker did not answer for it'), false);
      } else if (p.errorCode === ErrorCode.NONE || p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.#succeed(b, p.baseOffset, p.logAppendTimeMs);
      } else if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE && b.count > 1) {
        this.#split(b);
      } else {
        const base = new KafkaError(p.errorCode);
        const detail = p.errorMessage || p.recordErrors[0]?.batchIndexErrorMessage || base.message;
        const msg = `${b.topic}-${b.partition}: ${detail} (${base.errorName})`;
        this.#retryOrFail(b, new KafkaError(p.errorCode, msg), true);
      }
    }
  }

  #onRequestError(sent: ProducerBatch[], err: unknown): void {
    const batches = this.#landed(sent);
    const unanswered = err instanceof ConnectionError || err instanceof RequestTimeoutError;
    const e = err instanceof Error ? err : new Error(String(err));
    for (const b of batches) this.#retryOrFail(b, e, !unanswered);
  }

  /** `certain`: the broker answered, so the batch was not written. */
  #retryOrFail(b: ProducerBatch, err: Error, certain: boolean): void {
    const { opts, sequences: seq, txn, cluster, logger } = this.#ctx;
    const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
    b.uncertain = !certain;
    if (seq && isFatalCode(code)) {
      this.#fail(b, setFatal(this.#ctx, err as KafkaError), false);
      this.wake();
      return;
    }
    if (METADATA_ERRORS.has(code)) cluster.invalidateTopic(b.topic);
    // The leader may have moved: look again, but keep using the cached metadata meanwhile.
    else if (!certain) this.#refresh(new Set([b.topic]));
    let retry = err instanceof KafkaError && err.retriable;
    if (seq && code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      if (b.resequenced || !seq.isNext(b)) retry = true;
      else if (!txn) retry = this.#resetNeeded = true;
    } else if (seq && code === ErrorCode.UNKNOWN_PRODUCER_ID && !txn) {
      retry = this.#resetNeeded = true;
    }
    const now = Date.now();
    const wait = backoffMs(opts, b.attempts);
    if (retry && now + wait < b.createdAt + opts.deliveryTimeoutMs && !txn?.abortableError) {
      b.retryAt = now + wait;
      logger.debug?.({ topic: b.topic, partition: b.partition, attempt: b.attempts, err }, 'producer: retrying batch');
      this.#ctx.accumulator.reenqueue(b);
      return;
    }
    this.#fail(b, err, true);
  }

  #succeed(b: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    this.#ctx.sequences?.acked(b);
    b.succeed(baseOffset, logAppendTime);
    this.#ctx.accumulator.release(b);
  }

  /** Fails a batch; `taint` makes a transaction abortable. */
  #fail(b: ProducerBatch, err: Error, taint: boolean): void {
    const { sequences: seq, txn } = this.#ctx;
    if (seq && b.baseSequence >= 0) {
      if (b.uncertain) {
        seq.abandoned(b);
        if (!txn) this.#resetNeeded = true;
      } else {
        seq.rejected(b);
      }
    }
    if (taint && txn) txn.setAbortable(err);
    b.fail(err);
    this.#ctx.accumulator.release(b);
  }

  #split(b: ProducerBatch): void {
    const { accumulator: acc, sequences: seq } = this.#ctx;
    const parts = b.split();
    seq?.replace(b, parts);
    for (const p of parts) acc.adopt(p, b);
    acc.reenqueue(parts[1]);
    acc.reenqueue(parts[0]);
    Promise.all(parts.map((p) => p.whenDone())).then(() => b.settleSplit());
  }

  #refresh(topics: Set<string>): void {
    if (this.#refreshing) return;
    this.#refreshing = true;
    const { cluster, opts, logger } = this.#ctx;
    refreshTopics(cluster, [...topics], opts.allowAutoTopicCreation)
      .catch((err) => logger.debug?.({ err, topics: [...topics] }, 'producer: metadata refresh failed'))
      .finally(() => {
        this.#refreshing = false;
        if ([...topics].every((t) => cluster.topic(t))) this.wake();
        else this.wakeAt(Date.now() + Math.max(opts.retryBackoffMs, 10));
      });
  }

  /** Takes a (new) producer id for an idempotent producer once nothing is in flight. */
  #maybeReset(): void {
    const ctx = this.#ctx;
    const seq = ctx.sequences;
    if (!seq || this.#resetting || this.#totalInFlight > 0) return;
    this.#resetting = true;
    (async () => {
      for (let attempt = 1; !this.#closed; attempt++) {
        try {
          const id = await requestProducerId(ctx.cluster, ctx.opts.transactionTimeoutMs);
          if (seq.hasProducerId) ctx.logger.info?.(id, 'producer: new producer id after a sequence gap');
          seq.reset(id.producerId, id.producerEpoch);
          // Queued batches take fresh sequences, in queue order, when drained.
          for (const q of ctx.accumulator.queues()) {
            for (const b of q.batches) {
              b.baseSequence = -1;
              b.uncertain = false;
            }
          }
          this.#resetNeeded = false;
          return;
        } catch (err) {
          if (!(err instanceof KafkaError) || !err.retriable) {
            const e = err instanceof KafkaError ? err : new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err));
            setFatal(ctx, e);
            return;
          }
          ctx.logger.debug?.({ err, attempt }, 'producer: InitProducerId failed, retrying');
          await new Promise((r) => setTimeout(r, backoffMs(ctx.opts, attempt)));
          this.#run(); // expires what waited too long meanwhile
        }
      }
    })().finally(() => {
      this.#resetting = false;
      this.wake();
    });
  }
}
