/**
 * The state of one transactional id and its state machine, as Kafka's
 * TransactionMetadata. A change is prepared (`prepare*` returns the target
 * and sets `pendingState`), written to `__transaction_state`, then completed
 * (`completeTransition`); while a change is pending, other requests get
 * CONCURRENT_TRANSACTIONS.
 *
 * ```
 * Empty ──AddPartitions/AddOffsets──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
 *   ▲                                │   ▲ │                                                   │
 *   │                                │   └─┘ more partitions                                   │
 *   │                                ├──EndTxn(abort), timeout──▶ PrepareAbort ──markers──▶ CompleteAbort
 *   │                                └──InitProducerId──▶ PrepareEpochFence ──▶ PrepareAbort   │
 *   └──────────────── InitProducerId (epoch + 1), AddPartitions (new transaction) ─────────────┘
 * Empty / CompleteCommit / CompleteAbort ──transactional.id.expiration.ms──▶ Dead (tombstone)
 * ```
 */

/** Kafka's transaction states, by id (the `TransactionStatus` stored in the log). */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
/** A transaction state id. */
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

const NAMES = Object.fromEntries(Object.entries(TxnState).map(([k, v]) => [v, k])) as Record<TxnState, string>;

/** The name DescribeTransactions and ListTransactions show. */
export function stateName(s: TxnState): string {
  return NAMES[s];
}

/** The state with this name (ListTransactions filters), if any. */
export function stateByName(name: string): TxnState | undefined {
  return (TxnState as Record<string, TxnState>)[name];
}

const VALID_PREVIOUS: Record<TxnState, readonly TxnState[]> = {
  [TxnState.Empty]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.Ongoing]: [TxnState.Ongoing, TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareCommit]: [TxnState.Ongoing],
  [TxnState.PrepareAbort]: [TxnState.Ongoing, TxnState.PrepareEpochFence],
  [TxnState.CompleteCommit]: [TxnState.PrepareCommit],
  [TxnState.CompleteAbort]: [TxnState.PrepareAbort],
  [TxnState.Dead]: [TxnState.Empty, TxnState.CompleteAbort, TxnState.CompleteCommit],
  [TxnState.PrepareEpochFence]: [TxnState.Ongoing],
};

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

/** Epochs up to Short.MaxValue - 1 are handed out; the last one is kept for fencing. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

/** A partition of a transaction, as `topic\0partition` for set membership. */
export type PartitionKey = string;
/** The set key of a topic-partition. */
export const partitionKey = (topic: string, partition: number): PartitionKey => `${topic}\0${partition}`;
/** Splits a partition key. */
export function splitPartitionKey(k: PartitionKey): { topic: string; partition: number } {
  const at = k.lastIndexOf('\0');
  return { topic: k.slice(0, at), partition: Number(k.slice(at + 1)) };
}

/** The target of a prepared transition (Kafka's TxnTransitMetadata). */
export interface TxnTransit {
  producerId: number;
  prevProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: ReadonlySet<PartitionKey>;
  groups: ReadonlySet<string>;
  startMs: number;
  lastUpdateMs: number;
}

/** Thrown when a transition breaks the state machine: a bug, never a client error. */
export class IllegalTxnStateError extends Error {}

/** One transactional id. */
export class TransactionMetadata {
  readonly transactionalId: string;
  producerId: number;
  previousProducerId = NO_PRODUCER_ID;
  producerEpoch: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions = new Set<PartitionKey>();
  /** Groups added with AddOffsetsToTxn (their offsets complete with the transaction). */
  groups = new Set<string>();
  startMs: number;
  lastUpdateMs: number;
  pendingState: TxnState | null = null;
  /** An epoch fence whose log write failed: the next fence reuses its epoch. */
  hasFailedEpochFence = false;

  constructor(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    timeoutMs: number,
    state: TxnState,
    startMs: number,
    lastUpdateMs: number,
  ) {
    this.transactionalId = transactionalId;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.lastProducerEpoch = lastProducerEpoch;
    this.timeoutMs = timeoutMs;
    this.state = state;
    this.startMs = startMs;
    this.lastUpdateMs = lastUpdateMs;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Whether a transaction is open or completing. */
  get hasPendingTransaction(): boolean {
    return (
      this.state === TxnState.Ongoing || this.state === TxnState.PrepareAbort || this.state === TxnState.PrepareCommit
    );
  }

  #prepare(
    state: TxnState,
    producerId: number,
    epoch: number,
    lastEpoch: number,
    timeoutMs: number,
    partitions: ReadonlySet<PartitionKey>,
    groups: ReadonlySet<string>,
    startMs: number,
    now: number,
  ): TxnTransit {
    if (this.pendingState !== null) {
      throw new IllegalTxnStateError(
        `${this.transactionalId}: preparing a transition to ${stateName(state)} while ${stateName(this.pendingState)} is pending`,
      );
    }
    if (producerId < 0) throw new IllegalTxnStateError(`illegal new producer id ${producerId}`);
    if (state !== TxnState.Dead && epoch < 0) throw new IllegalTxnStateError(`illegal new producer epoch ${epoch}`);
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new IllegalTxnStateError(
        `${this.transactionalId}: ${stateName(state)} cannot follow ${stateName(this.state)}`,
      );
    }
    this.pendingState = state;
    return {
      producerId,
      prevProducerId: this.producerId,
      producerEpoch: epoch,
      lastProducerEpoch: lastEpoch,
      timeoutMs,
      state,
      partitions,
      groups,
      startMs,
      lastUpdateMs: now,
    };
  }

  /** Bumps the epoch to fence the current producer before aborting its transaction. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === SHORT_MAX) throw new IllegalTxnStateError('cannot fence a producer at epoch 32767');
    const epoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.#prepare(
      TxnState.PrepareEpochFence,
      this.producerId,
      epoch,
      NO_PRODUCER_EPOCH,
      this.timeoutMs,
      this.partitions,
      this.groups,
      this.startMs,
      this.lastUpdateMs,
    );
  }

  /**
   * InitProducerId on an idle transactional id: the epoch goes up by one.
   * With an expected epoch (v3+ recovery), a retry of the last bump keeps the
   * current epoch; anything else is PRODUCER_FENCED (returned as a string).
   */
  prepareIncrementProducerEpoch(timeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | 'fenced' {
    if (this.isProducerEpochExhausted) throw new IllegalTxnStateError('producer epochs exhausted');
    let epoch: number;
    let lastEpoch: number;
    if (expectedEpoch === null) {
      epoch = this.producerEpoch + 1;
      lastEpoch = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      epoch = this.producerEpoch + 1;
      lastEpoch = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      epoch = this.producerEpoch;
      lastEpoch = this.lastProducerEpoch;
    } else return 'fenced';
    return this.#prepare(TxnState.Empty, this.producerId, epoch, lastEpoch, timeoutMs, new Set(), new Set(), -1, now);
  }

  /** A new producer id at epoch 0 once the epochs of the old one ran out. */
  prepareProducerIdRotation(
    newProducerId: number,
    timeoutMs: number,
    now: number,
    recordLastEpoch: boolean,
  ): TxnTransit {
    if (this.hasPendingTransaction) throw new IllegalTxnStateError('cannot rotate producer ids during a transaction');
    const lastEpoch = recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH;
    return this.#prepare(TxnState.Empty, newProducerId, 0, lastEpoch, timeoutMs, new Set(), new Set(), -1, now);
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: the transaction is (or stays) Ongoing with more partitions. */
  prepareAddPartitions(partitions: Iterable<PartitionKey>, groups: Iterable<string>, now: number): TxnTransit {
    const fresh =
      this.state === TxnState.Empty || this.state === TxnState.CompleteAbort || this.state === TxnState.CompleteCommit;
    return this.#prepare(
      TxnState.Ongoing,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      new Set([...this.partitions, ...partitions]),
      new Set([...this.groups, ...groups]),
      fresh ? now : this.startMs,
      now,
    );
  }

  /** EndTxn: PrepareCommit or PrepareAbort (transactions v1: the epoch stays). */
  prepareAbortOrCommit(state: TxnState, now: number): TxnTransit {
    return this.#prepare(
      state,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      this.partitions,
      this.groups,
      this.startMs,
      now,
    );
  }

  /** Markers written: CompleteCommit or CompleteAbort, no partitions left. */
  prepareComplete(now: number): TxnTransit {
    this.hasFailedEpochFence = false;
    const state = this.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
    return this.#prepare(
      state,
      this.producerId,
      this.producerEpoch,
      this.producerEpoch,
      this.timeoutMs,
      new Set(),
      new Set(),
      this.startMs,
      now,
    );
  }

  /** transactional.id.expiration.ms passed: the id is removed with a tombstone. */
  prepareDead(): TxnTransit {
    return this.#prepare(
      TxnState.Dead,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.timeoutMs,
      new Set(),
      new Set(),
      this.startMs,
      this.lastUpdateMs,
    );
  }

  /** Applies a prepared transition once it is in the log (Kafka's completeTransitionTo, with its checks). */
  completeTransition(t: TxnTransit): void {
    const to = this.pendingState;
    const fail = (): never => {
      throw new IllegalTxnStateError(`${this.transactionalId}: unexpected transition to ${stateName(t.state)}`);
    };
    if (to === null || to !== t.state) fail();
    switch (t.state) {
      case TxnState.Empty:
        if (
          (this.producerEpoch !== t.producerEpoch &&
            !(
              t.producerEpoch === this.producerEpoch + 1 ||
              (t.producerEpoch === 0 && t.producerId !== this.producerId)
            )) ||
          t.partitions.size > 0 ||
          t.startMs !== -1
        )
          fail();
        this.timeoutMs = t.timeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.previousProducerId = t.prevProducerId;
        break;
      case TxnState.Ongoing:
        if (!this.#sameProducer(t) || this.timeoutMs !== t.timeoutMs) fail();
        for (const p of this.partitions) if (!t.partitions.has(p)) fail();
        this.startMs = t.startMs;
        this.partitions = new Set(t.partitions);
        this.groups = new Set(t.groups);
        break;
      case TxnState.PrepareAbort:
      case TxnState.PrepareCommit:
        if (!this.#sameProducer(t) || this.timeoutMs !== t.timeoutMs || this.startMs !== t.startMs) fail();
        break;
      case TxnState.CompleteAbort:
      case TxnState.CompleteCommit:
        if (!this.#sameProducer(t) || this.timeoutMs !== t.timeoutMs || t.startMs === -1) fail();
        this.startMs = t.startMs;
        this.partitions.clear();
        this.groups.clear();
        break;
      default:
        fail();
    }
    this.lastUpdateMs = t.lastUpdateMs;
    this.pendingState = null;
    this.state = t.state;
  }

  #sameProducer(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
  }
}
