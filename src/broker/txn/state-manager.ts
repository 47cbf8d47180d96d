/**
 * The transaction state cache and its log, as Kafka's TransactionStateManager:
 *
 * - `__transaction_state` is created on first use (compacted, uncompressed,
 *   `transaction.state.log.num.partitions` partitions, default 50); a
 *   transactional id lives in partition `abs(hashCode(id)) % partitions`.
 * - At start every partition is replayed into the cache; until that is done
 *   requests get COORDINATOR_LOAD_IN_PROGRESS.
 * - A transition is written (acks=all: appended and fsynced) before it is
 *   applied; a failed write clears the pending transition and maps the log
 *   error to a coordinator error (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 *   UNKNOWN_SERVER_ERROR) as Kafka does.
 */
import type { Logger } from 'pino';
import {
  CompressionCodec,
  decodeRecordBatch,
  ErrorCode,
  encodeRecordBatch,
  KafkaError,
  splitBatches,
  toKafkaError,
} from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { coordinatorAppendError } from '../coordinator-errors.ts';
import { partitionKey, splitPartitionKey, TransactionMetadata, TxnState, type TxnTransit } from './metadata.ts';
import {
  decodeTxnKey,
  decodeTxnValue,
  encodeTxnKey,
  encodeTxnValue,
  partitionForKey,
  TRANSACTION_STATE_TOPIC,
} from './txn-log.ts';

/** Coordinator settings, by their Kafka broker config names. */
export interface TxnConfig {
  /** transaction.max.timeout.ms (900000) */
  maxTimeoutMs: number;
  /** transaction.state.log.num.partitions (50) */
  numPartitions: number;
  /** transaction.state.log.segment.bytes (104857600) */
  segmentBytes: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (10000) */
  abortIntervalMs: number;
  /** transactional.id.expiration.ms (604800000) */
  idExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (3600000) */
  removeExpiredIntervalMs: number;
}

/** Reads the settings from the broker's effective configs. */
export function readTxnConfig(broker: Broker): TxnConfig {
  const num = (name: string, fallback: number, min = 1): number => {
    const v = Number(broker.brokerConfig(name, String(fallback)));
    return Number.isSafeInteger(v) && v >= min ? v : fallback;
  };
  return {
    maxTimeoutMs: num('transaction.max.timeout.ms', 900_000),
    numPartitions: num('transaction.state.log.num.partitions', 50),
    segmentBytes: num('transaction.state.log.segment.bytes', 104_857_600),
    abortIntervalMs: num('transaction.abort.timed.out.transaction.cleanup.interval.ms', 10_000),
    idExpirationMs: num('transactional.id.expiration.ms', 604_800_000),
    removeExpiredIntervalMs: num('transaction.remove.expired.transaction.cleanup.interval.ms', 3_600_000),
  };
}

/** A lookup result: the metadata, none, or a coordinator error code. */
export type StateLookup = { error: number } | { meta: TransactionMetadata | undefined };

/** The cache of transactional ids and the `__transaction_state` log behind it. */
export class TxnStateManager {
  readonly config: TxnConfig;
  readonly #broker: Broker;
  readonly #log: Logger;
  readonly #cache = new Map<string, TransactionMetadata>();
  #partitions: number;
  #loading = true;
  #creating: Promise<void> | null = null;

  constructor(broker: Broker, config: TxnConfig) {
    this.#broker = broker;
    this.#log = broker.logger;
    this.config = config;
    this.#partitions = broker.metadata.topicsByName.get(TRANSACTION_STATE_TOPIC)?.partitions ?? config.numPartitions;
  }

  get loading(): boolean {
    return this.#loading;
  }

  /** Every cached transactional id. */
  all(): IterableIterator<TransactionMetadata> {
    return this.#cache.values();
  }

  /** The `__transaction_state` partition of a transactional id. */
  partitionFor(transactionalId: string): number {
    return partitionForKey(transactionalId, this.#partitions);
  }

  /** Kafka's getTransactionState: COORDINATOR_LOAD_IN_PROGRESS while loading, else the cached metadata. */
  get(transactionalId: string): StateLookup {
    if (this.#loading) return { error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { meta: this.#cache.get(transactionalId) };
  }

  /** Adds `meta` unless the id is cached already; returns the cached one. */
  putIfAbsent(meta: TransactionMetadata): TransactionMetadata {
    const existing = this.#cache.get(meta.transactionalId);
    if (existing) return existing;
    this.#cache.set(meta.transactionalId, meta);
    return meta;
  }

  /** Creates `__transaction_state` if it does not exist yet (Kafka does on the first FindCoordinator). */
  ensureTopic(): Promise<void> {
    if (this.#broker.metadata.topicsByName.has(TRANSACTION_STATE_TOPIC)) return Promise.resolve();
    this.#creating ??= this.#broker
      .createTopic(TRANSACTION_STATE_TOPIC, this.config.numPartitions, 1, {
        'cleanup.policy': 'compact',
        'compression.type': 'uncompressed',
        'segment.bytes': String(this.config.segmentBytes),
        'unclean.leader.election.enable': 'false',
      })
      .then((t) => {
        this.#partitions = t.partitions;
      })
      .finally(() => {
        this.#creating = null;
      });
    return this.#creating;
  }

  /**
   * Writes a prepared transition to the log (appended and fsynced) and
   * applies it; returns NONE or the coordinator error (the pending state is
   * cleared then). A Dead transition writes a tombstone and drops the id.
   */
  async append(meta: TransactionMetadata, t: TxnTransit): Promise<number> {
    const id = meta.transactionalId;
    let code: number = ErrorCode.NONE;
    try {
      await this.ensureTopic();
      const log = this.#broker.log(TRANSACTION_STATE_TOPIC, this.partitionFor(id));
      if (!log) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '__transaction_state partition missing');
      const now = Date.now();
      const value = t.state === TxnState.Dead ? null : encodeTxnValue(this.#valueOf(t));
      const batch = encodeRecordBatch({
        records: [{ key: encodeTxnKey(id), value, timestamp: now }],
        compression: CompressionCodec.NONE,
      });
      log.append(batch, { origin: 'internal', now });
      await log.flush();
    } catch (err) {
      const e = toKafkaError(err);
      if (e.code === ErrorCode.UNKNOWN_SERVER_ERROR)
        this.#log.error({ err, transactionalId: id }, 'txn log append failed');
      code = coordinatorAppendError(e.code);
    }
    if (this.#cache.get(id) !== meta) return code === ErrorCode.NONE ? ErrorCode.NOT_COORDINATOR : code;
    if (code !== ErrorCode.NONE) {
      meta.pendingState = null;
      return code;
    }
    if (t.state === TxnState.Dead) this.#cache.delete(id);
    else meta.completeTransition(t);
    return ErrorCode.NONE;
  }

  #valueOf(t: TxnTransit): Parameters<typeof encodeTxnValue>[0] {
    const byTopic = new Map<string, number[]>();
    for (const k of t.partitions) {
      const { topic, partition } = splitPartitionKey(k);
      const list = byTopic.get(topic) ?? [];
      list.push(partition);
      byTopic.set(topic, list);
    }
    return {
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      timeoutMs: t.timeoutMs,
      state: t.state,
      partitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      lastUpdateMs: t.lastUpdateMs,
      startMs: t.startMs,
      previousProducerId: -1,
      nextProducerId: -1,
      clientTransactionVersion: 0,
      groups: [...t.groups],
    };
  }

  /** Replays every partition of `__transaction_state` into the cache (Kafka's loadTransactionMetadata). */
  async load(shouldStop: () => boolean): Promise<void> {
    const topic = this.#broker.metadata.topicsByName.get(TRANSACTION_STATE_TOPIC);
    for (let p = 0; topic && p < topic.partitions && !shouldStop(); p++) {
      const log = this.#broker.log(TRANSACTION_STATE_TOPIC, p);
      if (!log) continue;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset && !shouldStop()) {
        const r = log.read(offset, 4 * 1024 * 1024);
        if (r.records.length === 0) break;
        for (const b of splitBatches(r.records).batches) {
          if (b.header.isControl) continue;
          for (const rec of decodeRecordBatch(b.bytes).records) this.#loadRecord(rec.key, rec.value, p);
        }
        offset = r.nextOffset;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    this.#loading = false;
  }

  #loadRecord(key: Buffer | null, value: Buffer | null, partition: number): void {
    if (!key) return;
    try {
      const id = decodeTxnKey(key);
      if (id === null) {
        this.#log.warn({ partition }, 'unknown __transaction_state key version ignored');
        return;
      }
      if (value === null) {
        this.#cache.delete(id);
        return;
      }
      const v = decodeTxnValue(value);
      const meta = new TransactionMetadata(
        id,
        v.producerId,
        v.producerEpoch,
        -1,
        v.timeoutMs,
        v.state as TxnState,
        v.startMs,
        v.lastUpdateMs,
      );
      meta.previousProducerId = v.previousProducerId;
      if (v.state !== TxnState.Empty) {
        for (const tp of v.partitions) for (const n of tp.partitions) meta.partitions.add(partitionKey(tp.topic, n));
        for (const g of v.groups) meta.groups.add(g);
      }
      this.#cache.set(id, meta);
    } catch (err) {
      this.#log.error({ err, partition }, 'unreadable __transaction_state record skipped');
    }
  }
}
