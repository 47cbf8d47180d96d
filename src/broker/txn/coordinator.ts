/**
 * The transaction coordinator, as Kafka's TransactionCoordinator (transactions
 * version 1: the epoch changes only through InitProducerId and fencing).
 *
 * - InitProducerId without a transactional id: a fresh producer id, epoch 0.
 *   With one: the epoch goes up by one (a new producer id once epochs run
 *   out); an open transaction is aborted first and the client is told
 *   CONCURRENT_TRANSACTIONS to retry; v3+ requests naming the producer id and
 *   epoch they had are checked (PRODUCER_FENCED when they do not match).
 * - AddPartitionsToTxn / AddOffsetsToTxn move the transaction to Ongoing.
 * - EndTxn writes PrepareCommit/PrepareAbort, then the markers and the group
 *   offsets (markers.ts), then CompleteCommit/CompleteAbort. The client is
 *   answered once the outcome is durable; if completing fails it is retried
 *   on the abort checker's schedule.
 * - Every `transaction.abort.timed.out.transaction.cleanup.interval.ms` open
 *   transactions older than their timeout are aborted (fencing the producer,
 *   as Kafka does), and completions that failed are retried.
 * - After a restart the state is replayed from `__transaction_state`;
 *   PrepareCommit/PrepareAbort transactions are completed, Ongoing ones time
 *   out as usual.
 *
 * Error codes and their order follow Kafka's checks exactly; version-specific
 * rewrites (PRODUCER_FENCED → INVALID_PRODUCER_EPOCH for old clients) are the
 * handlers' business.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, toKafkaError } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { completeInPartitions } from './markers.ts';
import {
  IllegalTxnStateError,
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  partitionKey,
  splitPartitionKey,
  stateByName,
  stateName,
  TransactionMetadata,
  TxnState,
  type TxnTransit,
} from './metadata.ts';
import { ProducerIdManager } from './producer-ids.ts';
import { readTxnConfig, TxnStateManager } from './state-manager.ts';

/** Answer of InitProducerId and EndTxn. */
export interface ProducerIdResult {
  error: number;
  producerId: number;
  producerEpoch: number;
}

/** A transaction as DescribeTransactions shows it. */
export interface TxnDescription {
  error: number;
  state: string;
  timeoutMs: number;
  startMs: number;
  producerId: number;
  producerEpoch: number;
  partitions: Array<{ topic: string; partitions: number[] }>;
}

/** A transaction as ListTransactions shows it. */
export interface TxnListing {
  transactionalId: string;
  producerId: number;
  state: string;
}

const fail = (error: number): ProducerIdResult => ({
  error,
  producerId: NO_PRODUCER_ID,
  producerEpoch: NO_PRODUCER_EPOCH,
});

/** Producer ids, idempotence and transactions for this broker. */
export class TransactionCoordinator {
  readonly #broker: Broker;
  readonly #log: Logger;
  readonly #state: TxnStateManager;
  readonly #ids: ProducerIdManager;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(broker: Broker) {
    this.#broker = broker;
    this.#log = broker.logger;
    this.#state = new TxnStateManager(broker, readTxnConfig(broker));
    this.#ids = ProducerIdManager.open(join(broker.dataDir, 'txn'));
  }

  /** Starts loading `__transaction_state` (requests get COORDINATOR_LOAD_IN_PROGRESS meanwhile) and the timers. */
  static async start(broker: Broker): Promise<TransactionCoordinator> {
    const c = new TransactionCoordinator(broker);
    c.#track(
      c.#state
        .load(() => c.#closed)
        .then(() => c.#completePrepared())
        .catch((err) => c.#log.error({ err }, 'loading __transaction_state failed')),
    );
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      c.#timers.push(t);
    };
    every(c.#state.config.abortIntervalMs, () => {
      c.#abortTimedOut(Date.now());
      c.#completePrepared();
    });
    every(c.#state.config.removeExpiredIntervalMs, () => c.#expireTransactionalIds(Date.now()));
    return c;
  }

  /** The `__transaction_state` partition of a transactional id (FindCoordinator). */
  partitionFor(transactionalId: string): number {
    return this.#state.partitionFor(transactionalId);
  }

  /** Creates `__transaction_state` if it does not exist yet. */
  ensureStateTopic(): Promise<void> {
    return this.#state.ensureTopic();
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p)).catch(() => {});
    return p;
  }

  /** InitProducerId. `expected` is the producer id and epoch a v3+ client had (null when it had none). */
  async initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | null,
  ): Promise<ProducerIdResult> {
    if (transactionalId === null) {
      try {
        return { error: ErrorCode.NONE, producerId: await this.#ids.generate(), producerEpoch: 0 };
      } catch (err) {
        return fail(toKafkaError(err).code);
      }
    }
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (!(timeoutMs > 0 && timeoutMs <= this.#state.config.maxTimeoutMs)) {
      return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
    try {
      await this.#state.ensureTopic();
    } catch (err) {
      this.#log.error({ err }, 'creating __transaction_state failed');
      return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    let found = this.#state.get(transactionalId);
    if ('error' in found) return fail(found.error);
    let meta = found.meta;
    if (!meta) {
      let producerId: number;
      try {
        producerId = await this.#ids.generate();
      } catch (err) {
        return fail(toKafkaError(err).code);
      }
      found = this.#state.get(transactionalId);
      if ('error' in found) return fail(found.error);
      meta = this.#state.putIfAbsent(
        new TransactionMetadata(transactionalId, producerId, -1, -1, timeoutMs, TxnState.Empty, -1, Date.now()),
      );
    }
    return this.#initTransit(meta, timeoutMs, expected);
  }

  async #initTransit(
    meta: TransactionMetadata,
    timeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | null,
  ): Promise<ProducerIdResult> {
    // A retry of a bump whose answer was lost, or a producer recovering with the id it was just given.
    const validProducerId = (e: { producerId: number; producerEpoch: number }): boolean =>
      meta.producerEpoch === NO_PRODUCER_EPOCH ||
      e.producerId === meta.producerId ||
      (e.producerId === meta.previousProducerId && isEpochExhausted(e.producerEpoch));
    if (meta.pendingTransitionInProgress) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (expected && !validProducerId(expected)) return fail(ErrorCode.PRODUCER_FENCED);
    let transit: TxnTransit;
    switch (meta.state) {
      case TxnState.PrepareAbort:
      case TxnState.PrepareCommit:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case TxnState.CompleteAbort:
      case TxnState.CompleteCommit:
      case TxnState.Empty: {
        if (meta.isProducerEpochExhausted && (!expected || expected.producerEpoch === meta.producerEpoch)) {
          let producerId: number;
          try {
            producerId = await this.#ids.generate();
          } catch (err) {
            return fail(toKafkaError(err).code);
          }
          if (meta.pendingTransitionInProgress) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
          transit = meta.prepareProducerIdRotation(producerId, timeoutMs, Date.now(), expected !== null);
        } else {
          const t = meta.prepareIncrementProducerEpoch(timeoutMs, expected?.producerEpoch ?? null, Date.now());
          if (t === 'fenced') return fail(ErrorCode.PRODUCER_FENCED);
          transit = t;
        }
        break;
      }
      case TxnState.Ongoing: {
        // Abort the open transaction under a bumped epoch; the client retries and gets the next epoch.
        const fence = meta.prepareFenceProducerEpoch();
        const r = await this.#endTransaction(meta.transactionalId, fence.producerId, fence.producerEpoch, false, false);
        return fail(r.error === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : r.error);
      }
      default:
        throw new IllegalTxnStateError(`${meta.transactionalId} found in state ${stateName(meta.state)}`);
    }
    const error = await this.#state.append(meta, transit);
    if (error !== ErrorCode.NONE) return fail(error);
    this.#log.info(
      { transactionalId: meta.transactionalId, producerId: transit.producerId, epoch: transit.producerEpoch },
      'initialized transactional id',
    );
    return { error, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
  }

  /** The checks AddPartitionsToTxn, AddOffsetsToTxn and verification share; the metadata or an error code. */
  #lookupForProducer(transactionalId: string, producerId: number, epoch: number): TransactionMetadata | number {
    if (!transactionalId) return ErrorCode.INVALID_REQUEST;
    const found = this.#state.get(transactionalId);
    if ('error' in found) return found.error;
    const meta = found.meta;
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED;
    return meta;
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn with `groups`): one error code for the whole request. */
  async addPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
    groups: readonly string[] = [],
  ): Promise<number> {
    const meta = this.#lookupForProducer(transactionalId, producerId, epoch);
    if (typeof meta === 'number') return meta;
    if (meta.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    const keys = partitions.map((p) => partitionKey(p.topic, p.partition));
    if (
      meta.state === TxnState.Ongoing &&
      keys.every((k) => meta.partitions.has(k)) &&
      groups.every((g) => meta.groups.has(g))
    ) {
      return ErrorCode.NONE;
    }
    return this.#state.append(meta, meta.prepareAddPartitions(keys, groups, Date.now()));
  }

  /**
   * Whether partitions are in the producer's open transaction (the check a
   * partition leader makes before the first transactional write):
   * per partition NONE or TRANSACTION_ABORTABLE, or one error for all.
   */
  verifyPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
  ): number[] {
    const meta = this.#lookupForProducer(transactionalId, producerId, epoch);
    if (typeof meta === 'number') return partitions.map(() => meta);
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
      return partitions.map(() => ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    return partitions.map((p) =>
      meta.partitions.has(partitionKey(p.topic, p.partition)) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE,
    );
  }

  /** The same check for a group's offsets (TxnOffsetCommit): was it added with AddOffsetsToTxn? */
  verifyGroup(transactionalId: string, producerId: number, epoch: number, groupId: string): number {
    const meta = this.#lookupForProducer(transactionalId, producerId, epoch);
    if (typeof meta === 'number') return meta;
    if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    return meta.groups.has(groupId) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE;
  }

  /** EndTxn from a client. */
  endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<ProducerIdResult> {
    return this.#track(this.#endTransaction(transactionalId, producerId, epoch, commit, true));
  }

  async #endTransaction(
    transactionalId: string,
    producerId: number,
    epoch: number,
    commit: boolean,
    fromClient: boolean,
  ): Promise<ProducerIdResult> {
    if (!transactionalId) return fail(ErrorCode.INVALID_REQUEST);
    const found = this.#state.get(transactionalId);
    if ('error' in found) return fail(found.error);
    const meta = found.meta;
    if (!meta) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const fencing = meta.pendingState === TxnState.PrepareEpochFence;
    const result = this.#prepareEnd(meta, producerId, epoch, commit, fromClient);
    if (typeof result === 'number') {
      if (fencing && meta.pendingState === TxnState.PrepareEpochFence) meta.pendingState = null;
      return result === ErrorCode.NONE
        ? { error: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch }
        : fail(result);
    }
    const error = await this.#state.append(meta, result);
    if (error !== ErrorCode.NONE) {
      if (fencing) meta.hasFailedEpochFence = true;
      return fail(error);
    }
    // The outcome is durable: the client is answered NONE even if completing has to be retried.
    if (meta.producerId !== producerId) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== epoch) return fail(ErrorCode.PRODUCER_FENCED);
    if (meta.pendingTransitionInProgress) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    await this.#complete(meta);
    return { error: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  /** Kafka's checks before an EndTxn transition: the transit to write, or an error code (NONE: already done). */
  #prepareEnd(
    meta: TransactionMetadata,
    producerId: number,
    epoch: number,
    commit: boolean,
    fromClient: boolean,
  ): TxnTransit | number {
    const validEpoch = (!fromClient || epoch === meta.producerEpoch) && epoch >= meta.producerEpoch;
    if (meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (!validEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.pendingTransitionInProgress && meta.pendingState !== TxnState.PrepareEpochFence) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    switch (meta.state) {
      case TxnState.Ongoing: {
        const next = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort;
        if (next === TxnState.PrepareAbort && meta.pendingState === TxnState.PrepareEpochFence) {
          // The fence's epoch becomes the transaction's, written with PrepareAbort.
          meta.pendingState = null;
          meta.producerEpoch = epoch;
          meta.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        return meta.prepareAbortOrCommit(next, Date.now());
      }
      case TxnState.CompleteCommit:
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case TxnState.CompleteAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case TxnState.PrepareCommit:
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case TxnState.PrepareAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case TxnState.Empty:
        return ErrorCode.INVALID_TXN_STATE;
      default:
        throw new IllegalTxnStateError(`${meta.transactionalId} found in state ${stateName(meta.state)}`);
    }
  }

  /** Writes markers and group offsets of a PrepareCommit/PrepareAbort transaction, then its Complete state. */
  async #complete(meta: TransactionMetadata): Promise<void> {
    const commit = meta.state === TxnState.PrepareCommit;
    const job = {
      transactionalId: meta.transactionalId,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      commit,
      partitions: new Set(meta.partitions),
      groups: new Set(meta.groups),
    };
    const transit = meta.prepareComplete(Date.now());
    try {
      await completeInPartitions(this.#broker, job);
    } catch (err) {
      meta.pendingState = null;
      if (!this.#closed) {
        this.#log.warn({ err, transactionalId: meta.transactionalId }, 'completing transaction failed; will retry');
      }
      return;
    }
    const error = await this.#state.append(meta, transit);
    if (error !== ErrorCode.NONE && !this.#closed) {
      this.#log.warn(
        { transactionalId: meta.transactionalId, error },
        'writing transaction completion failed; will retry',
      );
    }
  }

  /** Completes PrepareCommit/PrepareAbort transactions with nothing pending (after loading, or a failed attempt). */
  #completePrepared(): void {
    if (this.#state.loading || this.#closed) return;
    for (const meta of this.#state.all()) {
      if (meta.pendingTransitionInProgress) continue;
      if (meta.state !== TxnState.PrepareCommit && meta.state !== TxnState.PrepareAbort) continue;
      this.#log.info({ transactionalId: meta.transactionalId }, `completing ${stateName(meta.state)} transaction`);
      void this.#track(this.#complete(meta));
    }
  }

  /** Aborts Ongoing transactions past their timeout, fencing their producer (Kafka's abortTimedOutTransactions). */
  #abortTimedOut(now: number): void {
    if (this.#state.loading || this.#closed) return;
    for (const meta of this.#state.all()) {
      if (meta.pendingTransitionInProgress || meta.state !== TxnState.Ongoing) continue;
      if (meta.startMs + meta.timeoutMs >= now) continue;
      const fence = meta.prepareFenceProducerEpoch();
      const id = meta.transactionalId;
      void this.#track(
        this.#endTransaction(id, fence.producerId, fence.producerEpoch, false, false).then((r) => {
          if (r.error === ErrorCode.NONE) this.#log.info({ transactionalId: id }, 'aborted timed out transaction');
          else this.#log.debug({ transactionalId: id, error: r.error }, 'abort of timed out transaction cancelled');
        }),
      );
    }
  }

  /** Removes transactional ids idle past transactional.id.expiration.ms with a tombstone. */
  #expireTransactionalIds(now: number): void {
    if (this.#state.loading || this.#closed) return;
    for (const meta of [...this.#state.all()]) {
      const idle =
        meta.state === TxnState.Empty ||
        meta.state === TxnState.CompleteCommit ||
        meta.state === TxnState.CompleteAbort;
      if (!idle || meta.pendingTransitionInProgress) continue;
      if (meta.lastUpdateMs > now - this.#state.config.idExpirationMs) continue;
      void this.#track(this.#state.append(meta, meta.prepareDead()));
    }
  }

  /** DescribeTransactions for one id. */
  describe(transactionalId: string): TxnDescription {
    const out: TxnDescription = {
      error: ErrorCode.NONE,
      state: '',
      timeoutMs: 0,
      startMs: -1,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      partitions: [],
    };
    if (this.#closed) return { ...out, error: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    if (transactionalId === '') return { ...out, error: ErrorCode.INVALID_REQUEST };
    const found = this.#state.get(transactionalId);
    if ('error' in found) return { ...out, error: found.error };
    const meta = found.meta;
    if (!meta || meta.state === TxnState.Dead) return { ...out, error: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    const byTopic = new Map<string, number[]>();
    for (const k of meta.partitions) {
      const { topic, partition } = splitPartitionKey(k);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    }
    return {
      error: ErrorCode.NONE,
      state: stateName(meta.state),
      timeoutMs: meta.timeoutMs,
      startMs: meta.startMs,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      partitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }

  /** ListTransactions: the error, the state filters it does not know, and the matching transactions. */
  list(
    stateFilters: readonly string[],
    producerIdFilters: readonly number[],
    durationFilterMs: number,
  ): { error: number; unknownStateFilters: string[]; states: TxnListing[] } {
    if (this.#closed) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], states: [] };
    if (this.#state.loading)
      return { error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], states: [] };
    const unknownStateFilters: string[] = [];
    const states = new Set<TxnState>();
    for (const name of stateFilters) {
      const s = stateByName(name);
      if (s === undefined) unknownStateFilters.push(name);
      else states.add(s);
    }
    const pids = new Set(producerIdFilters);
    const now = Date.now();
    const out: TxnListing[] = [];
    for (const meta of this.#state.all()) {
      if (meta.state === TxnState.Dead) continue;
      if (pids.size > 0 && !pids.has(meta.producerId)) continue;
      if (stateFilters.length > 0 && !states.has(meta.state)) continue;
      if (durationFilterMs >= 0 && now - meta.startMs <= durationFilterMs) continue;
      out.push({ transactionalId: meta.transactionalId, producerId: meta.producerId, state: stateName(meta.state) });
    }
    return { error: ErrorCode.NONE, unknownStateFilters, states: out };
  }

  /** Stops the timers and waits for completions in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}
