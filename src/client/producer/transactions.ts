/**
 * The transactional half of Kafka's TransactionManager.
 *
 * ```
 * uninitialized ──initTransactions──▶ ready ◀─────────── EndTxn done ─────────────┐
 *                                       │ beginTransaction                         │
 *                                       ▼                                          │
 *                                in-transaction ──commitTransaction──▶ committing ─┤
 *                                   │     │                                │       │
 *                                   │     └──abortTransaction──▶ aborting ─┼───────┘
 *           a record or request     ▼                              ▲       │ a record failed
 *           failed             abortable-error ◀───────────────────┼───────┘
 *                                   └───────abortTransaction───────┘
 *   any state ── fenced / not authorized ──▶ fatal: every call fails; close the producer
 * ```
 *
 * - initTransactions: FindCoordinator(TRANSACTION) then InitProducerId with
 *   the transactional id; CONCURRENT_TRANSACTIONS (a previous transaction is
 *   still being aborted), COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR
 *   are retried until maxBlockMs.
 * - Before the first batch of a partition in a transaction is sent, the
 *   partition is added with AddPartitionsToTxn (partitions that become ready
 *   together share one request).
 * - sendOffsetsToTransaction: AddOffsetsToTxn to the transaction
 *   coordinator, then TxnOffsetCommit to the group coordinator.
 * - commit flushes, then EndTxn(commit); abort fails the batches not sent
 *   yet, waits for those in flight, then EndTxn(abort). EndTxn is skipped when
 *   nothing was added. After an abort caused by an error the epoch is bumped
 *   (InitProducerId again), so sequences start clean.
 * - PRODUCER_FENCED / INVALID_PRODUCER_EPOCH are fatal (context.ts).
 */
import { CoordinatorType } from '../cluster.ts';
import type { Connection } from '../connection.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { isFatalCode, type ProducerContext, retryWithin, setFatal } from './context.ts';
import type { Sequences } from './idempotence.ts';
import { commitTxnOffsets } from './txn-offsets.ts';
import { backoffMs, type ConsumerGroupMetadata, type TopicPartitionOffset } from './types.ts';

export type TxnState =
  | 'uninitialized'
  | 'initializing'
  | 'ready'
  | 'in-transaction'
  | 'committing'
  | 'aborting'
  | 'abortable-error';

export interface TxnHooks {
  /** Waits until every record sent so far is delivered or failed. */
  flush(): Promise<void>;
  /** Fails batches not sent yet, waits for those in flight; true when a dropped one held sequences. */
  abortUndrained(err: Error): Promise<boolean>;
  /** Asks the sender to drain again (a partition was added). */
  wake(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TransactionManager {
  readonly transactionalId: string;
  readonly #ctx: ProducerContext;
  readonly #seq: Sequences;
  readonly #hooks: TxnHooks;
  state: TxnState = 'uninitialized';
  #abortable: Error | null = null;
  readonly #added = new Set<string>();
  readonly #toAdd = new Map<string, { topic: string; partition: number }>();
  #adding: Promise<void> | null = null;
  /** Something was added, so the coordinator holds an ongoing transaction. */
  #started = false;

  constructor(ctx: ProducerContext, transactionalId: string, seq: Sequences, hooks: TxnHooks) {
    this.#ctx = ctx;
    this.transactionalId = transactionalId;
    this.#seq = seq;
    this.#hooks = hooks;
  }

  /** The error that made the current transaction abortable, if any. */
  get abortableError(): Error | null {
    return this.#abortable;
  }

  /** A record or request of the transaction failed: only abortTransaction() may follow. */
  setAbortable(err: Error): void {
    if (this.#ctx.fatal || this.#abortable) return;
    if (this.state !== 'in-transaction' && this.state !== 'committing' && this.state !== 'aborting') return;
    this.#abortable = err;
    if (this.state !== 'aborting') this.state = 'abortable-error';
    this.#ctx.logger.warn?.({ err, transactionalId: this.transactionalId }, 'producer: transaction must be aborted');
  }

  #abortableReport(call: string): KafkaError {
    const cause = this.#abortable as Error;
    return new KafkaError(
      ErrorCode.TRANSACTION_ABORTABLE,
      `${call}: the transaction failed (${cause.message}); call abortTransaction()`,
      { cause },
    );
  }

  /** Why `call` is not allowed now, or null. `allowed` are the states it may run in. */
  #check(call: string, allowed: TxnState[]): Error | null {
    if (this.#ctx.fatal) return this.#ctx.fatal;
    if (allowed.includes(this.state)) return null;
    switch (this.state) {
      case 'uninitialized':
      case 'initializing':
        return new Error(`${call}: call initTransactions() first (and wait for it)`);
      case 'ready':
        return new Error(`${call}: no transaction in progress; call beginTransaction() first`);
      case 'abortable-error':
        return this.#abortableReport(call);
      case 'in-transaction':
        return new Error(`${call}: a transaction is in progress; call commitTransaction() or abortTransaction() first`);
      default:
        return new Error(`${call}: the transaction is ${this.state}; wait for that to finish`);
    }
  }

  /** Null when a send may join the current transaction, else the error to report. */
  checkSend(): Error | null {
    return this.#check('send', ['in-transaction']);
  }

  isAdded(topic: string, partition: number): boolean {
    return this.#added.has(`${partition}:${topic}`);
  }

  /** Queues AddPartitionsToTxn for a partition about to get its first batch in this transaction. */
  addPartition(topic: string, partition: number): void {
    const k = `${partition}:${topic}`;
    if (this.#added.has(k) || this.#toAdd.has(k)) return;
    this.#toAdd.set(k, { topic, partition });
    if (!this.#adding) {
      this.#adding = this.#addPartitions()
        .catch((err) => void this.#fail(err instanceof Error ? err : new Error(String(err))))
        .finally(() => {
          this.#adding = null;
          this.#hooks.wake();
        });
    }
  }

  async #addPartitions(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let partitions ready together share the request
    for (let attempt = 1; this.#toAdd.size > 0; attempt++) {
      if (this.#ctx.fatal || (this.state !== 'in-transaction' && this.state !== 'committing')) {
        this.#toAdd.clear();
        return;
      }
      const tps = [...this.#toAdd.entries()];
      const byTopic = new Map<string, number[]>();
      for (const [, tp] of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      let retryCode: number = ErrorCode.NONE;
      try {
        const conn = await this.#coordinator();
        const res = await conn.request(ApiKey.AddPartitionsToTxn, {
          v3AndBelowTransactionalId: this.transactionalId,
          v3AndBelowProducerId: this.#seq.producerId,
          v3AndBelowProducerEpoch: this.#seq.producerEpoch,
          v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        });
        for (const t of res.resultsByTopicV3AndBelow) {
          for (const p of t.resultsByPartition) {
            const k = `${p.partitionIndex}:${t.name}`;
            const code = p.partitionErrorCode;
            if (code === ErrorCode.NONE) {
              this.#toAdd.delete(k);
              this.#added.add(k);
              this.#started = true;
            } else if (code === ErrorCode.OPERATION_NOT_ATTEMPTED || new KafkaError(code).retriable) {
              retryCode = code;
            } else {
              this.#fail(new KafkaError(code, `AddPartitionsToTxn ${t.name}-${p.partitionIndex}: ${errorName(code)}`));
              return;
            }
          }
        }
        if (res.errorCode !== ErrorCode.NONE) retryCode = res.errorCode;
        if (retryCode === ErrorCode.NONE) {
          this.#hooks.wake();
          continue;
        }
        this.#coordinatorError(retryCode);
      } catch (err) {
        if (!(err instanceof KafkaError) || !err.retriable) {
          this.#fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        this.#coordinatorError(err.code);
      }
      const quick = retryCode === ErrorCode.CONCURRENT_TRANSACTIONS && !this.#started;
      await sleep(quick ? Math.min(20, this.#ctx.opts.retryBackoffMs) : backoffMs(this.#ctx.opts, attempt));
    }
  }

  /** Fatal codes end the producer; anything else makes the transaction abortable. */
  #fail(err: Error): Error {
    if (err instanceof KafkaError && isFatalCode(err.code)) return setFatal(this.#ctx, err);
    this.setAbortable(err);
    return err;
  }

  #coordinator(): Promise<Connection> {
    return this.#ctx.cluster.coordinatorConnection(CoordinatorType.TRANSACTION, this.transactionalId);
  }

  #coordinatorError(code: number): void {
    if (
      code === ErrorCode.NOT_COORDINATOR ||
      code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
      code === ErrorCode.NETWORK_EXCEPTION ||
      code === ErrorCode.REQUEST_TIMED_OUT
    ) {
      this.#ctx.cluster.invalidateCoordinator(CoordinatorType.TRANSACTION, this.transactionalId);
    }
  }

  /** Runs a coordinator request until it succeeds, fails for good, or maxBlockMs passes. */
  #retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retryWithin(this.#ctx, what, fn, (code) => this.#coordinatorError(code));
  }

  async #initProducerId(bump: boolean): Promise<void> {
    const seq = this.#seq;
    const res = await this.#retrying('InitProducerId', async () => {
      const conn = await this.#coordinator();
      const r = await conn.request(ApiKey.InitProducerId, (v) => ({
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.#ctx.opts.transactionTimeoutMs,
        // v3+ (KIP-360): name the id we hold, so a bump cannot fence a newer producer.
        producerId: bump && v >= 3 ? seq.producerId : -1n,
        producerEpoch: bump && v >= 3 ? seq.producerEpoch : -1,
      }));
      if (r.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(r.errorCode, `InitProducerId for ${this.transactionalId}: ${errorName(r.errorCode)}`);
      }
      return r;
    });
    seq.reset(res.producerId, res.producerEpoch);
  }

  async initTransactions(): Promise<void> {
    if (this.#ctx.fatal) throw this.#ctx.fatal;
    if (this.state !== 'uninitialized') {
      throw new Error(`initTransactions: already ${this.state === 'initializing' ? 'running' : 'done'}`);
    }
    this.state = 'initializing';
    try {
      await this.#initProducerId(false);
      this.state = 'ready';
    } catch (err) {
      this.state = 'uninitialized';
      if (err instanceof KafkaError && isFatalCode(err.code)) throw setFatal(this.#ctx, err);
      throw err;
    }
  }

  beginTransaction(): void {
    const err = this.#check('beginTransaction', ['ready']);
    if (err) throw err;
    this.state = 'in-transaction';
    this.#abortable = null;
  }

  async sendOffsets(offsets: TopicPartitionOffset[], group: string | ConsumerGroupMetadata): Promise<void> {
    const bad = this.#check('sendOffsetsToTransaction', ['in-transaction']);
    if (bad) throw bad;
    const g: ConsumerGroupMetadata =
      typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group;
    const seq = this.#seq;
    try {
      await this.#retrying(`AddOffsetsToTxn for group ${g.groupId}`, async () => {
        const conn = await this.#coordinator();
        const r = await conn.request(ApiKey.AddOffsetsToTxn, {
          transactionalId: this.transactionalId,
          producerId: seq.producerId,
          producerEpoch: seq.producerEpoch,
          groupId: g.groupId,
        });
        if (r.errorCode !== ErrorCode.NONE) {
          throw new KafkaError(r.errorCode, `AddOffsetsToTxn for group ${g.groupId}: ${errorName(r.errorCode)}`);
        }
      });
      this.#started = true;
      await commitTxnOffsets(this.#ctx, { transactionalId: this.transactionalId, seq }, g, offsets);
    } catch (err) {
      throw this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async commit(): Promise<void> {
    const bad = this.#check('commitTransaction', ['in-transaction']);
    if (bad) throw bad;
    this.state = 'committing';
    await this.#hooks.flush();
    await this.#adding;
    if (this.#ctx.fatal) throw this.#ctx.fatal;
    if (this.#abortable) {
      this.state = 'abortable-error';
      throw this.#abortableReport('commitTransaction');
    }
    try {
      await this.#endTxn(true);
    } catch (err) {
      if (this.#ctx.fatal) throw this.#ctx.fatal;
      // Timed out: the caller may try commitTransaction() again, or abort.
      this.state = this.#abortable ? 'abortable-error' : 'in-transaction';
      throw err;
    }
    this.#completed();
  }

  async abort(): Promise<void> {
    const bad = this.#check('abortTransaction', ['in-transaction', 'abortable-error']);
    if (bad) throw bad;
    const hadError = this.#abortable !== null;
    this.state = 'aborting';
    const dropped = await this.#hooks.abortUndrained(
      new Error('the transaction was aborted before this record was sent'),
    );
    await this.#adding;
    if (this.#ctx.fatal) throw this.#ctx.fatal;
    try {
      await this.#endTxn(false);
      if (hadError || dropped || this.#abortable) await this.#initProducerId(true);
    } catch (err) {
      if (this.#ctx.fatal) throw this.#ctx.fatal;
      this.state = 'abortable-error';
      this.#abortable ??= err as Error;
      throw err;
    }
    this.#completed();
  }

  #completed(): void {
    this.state = 'ready';
    this.#abortable = null;
    this.#added.clear();
    this.#toAdd.clear();
    this.#started = false;
  }

  async #endTxn(committed: boolean): Promise<void> {
    if (!this.#started) return;
    const seq = this.#seq;
    const what = committed ? 'commit' : 'abort';
    try {
      await this.#retrying(`EndTxn(${what})`, async () => {
        const conn = await this.#coordinator();
        const r = await conn.request(ApiKey.EndTxn, {
          transactionalId: this.transactionalId,
          producerId: seq.producerId,
          producerEpoch: seq.producerEpoch,
          committed,
        });
        if (r.errorCode !== ErrorCode.NONE) {
          throw new KafkaError(r.errorCode, `EndTxn(${what}) for ${this.transactionalId}: ${errorName(r.errorCode)}`);
        }
      });
    } catch (err) {
      if (err instanceof KafkaError && (isFatalCode(err.code) || err.code === ErrorCode.INVALID_TXN_STATE)) {
        throw setFatal(this.#ctx, err);
      }
      throw err;
    }
  }
}

function errorName(code: number): string {
  return new KafkaError(code).errorName;
}
