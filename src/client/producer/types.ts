/**
 * The producer's public types and its options with Kafka's defaults.
 *
 * Option rules follow the Java client (3.x): idempotence is on by default;
 * when it is not asked for explicitly and acks or maxInFlight conflict with
 * it, it is switched off quietly; asked for explicitly (or implied by a
 * transactional id) a conflict is a TypeError.
 */
import { CompressionCodec } from '../../protocol/index.ts';

/** Record bytes; strings are written as UTF-8. */
export type Bytes = Buffer | string | null;

/** A record to send. */
export interface ProducerRecord {
  topic: string;
  key?: Bytes;
  value: Bytes;
  headers?: Record<string, Bytes> | Array<[string, Bytes]>;
  /** Explicit partition; otherwise the partitioner picks one. */
  partition?: number;
  /** CreateTime in ms; default now. */
  timestamp?: number | bigint;
}

/** Where a record was written: the delivery report. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1n with acks=0. */
  offset: bigint;
  /** The record's CreateTime, or the broker's LogAppendTime when the topic uses it. */
  timestamp: bigint;
}

export type { ConsumerGroupMetadata, TopicPartition, TopicPartitionOffset } from '../types.ts';

/** Chooses a partition for a record without an explicit one. */
export type Partitioner = (key: Buffer | null, topic: string, numPartitions: number) => number;

/** Codec of the record batches the producer writes. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Producer settings; each defaults to the Java client's (name in parentheses where it differs). */
export interface ProducerOptions {
  /** -1 (all, default), 1 (leader) or 0 (no response; offsets are -1n). */
  acks?: -1 | 0 | 1;
  /** How long a batch waits for more records; default 5 (linger.ms). */
  lingerMs?: number;
  /** Batch size in bytes before compression; default 16384 (batch.size). */
  batchSize?: number;
  compression?: CompressionName;
  /** Default true; needs acks=-1 and maxInFlight ≤ 5. */
  idempotent?: boolean;
  transactionalId?: string;
  /** Default 60000. */
  transactionTimeoutMs?: number;
  /** Produce requests in flight per broker; default 5. */
  maxInFlight?: number;
  /** Bytes of records held before send() waits; default 32 MiB. */
  bufferMemory?: number;
  /** How long send() waits for buffer room or topic metadata, and transactional calls for their coordinator; default 60000. */
  maxBlockMs?: number;
  /** Upper bound on the time from send() to its delivery report; default 120000. */
  deliveryTimeoutMs?: number;
  /** Per request; default 30000. */
  requestTimeoutMs?: number;
  /** First retry backoff; default 100 (retry.backoff.ms), doubling up to retryBackoffMaxMs (1000). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** Largest Produce request; default 1048576 (max.request.size). A bigger record fails with MESSAGE_TOO_LARGE. */
  maxRequestSize?: number;
  /** Ask the broker to create missing topics (Metadata allowAutoTopicCreation); default false. */
  allowAutoTopicCreation?: boolean;
  /** Default: murmur2 of the key (Kafka's), sticky partition for records without a key. */
  partitioner?: Partitioner;
}

/** Options with every default applied. */
export interface ResolvedProducerOptions {
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSize: number;
  compression: CompressionCodec;
  idempotent: boolean;
  transactionalId: string | null;
  transactionTimeoutMs: number;
  maxInFlight: number;
  bufferMemory: number;
  maxBlockMs: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxRequestSize: number;
  allowAutoTopicCreation: boolean;
  partitioner: Partitioner | null;
}

const CODECS: Record<CompressionName, CompressionCodec> = {
  none: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD,
};

function nonNegative(name: string, v: number | undefined, def: number): number {
  if (v === undefined) return def;
  if (!Number.isFinite(v) || v < 0) throw new TypeError(`producer option ${name} must be a number ≥ 0, got ${v}`);
  return v;
}

function positiveInt(name: string, v: number | undefined, def: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`producer option ${name} must be an integer ≥ 1, got ${v}`);
  return v;
}

/** Applies defaults and checks the combination; throws TypeError on a bad one. */
export function resolveOptions(o: ProducerOptions): ResolvedProducerOptions {
  if (o.acks !== undefined && o.acks !== -1 && o.acks !== 0 && o.acks !== 1) {
    throw new TypeError(`producer option acks must be -1, 0 or 1, got ${String(o.acks)}`);
  }
  const compressionName = o.compression ?? 'none';
  const compression = CODECS[compressionName];
  if (compression === undefined) {
    throw new TypeError(`producer option compression must be none, gzip, snappy, lz4 or zstd, got ${compressionName}`);
  }
  const transactionalId = o.transactionalId ?? null;
  if (transactionalId !== null && (typeof transactionalId !== 'string' || transactionalId.length === 0)) {
    throw new TypeError('producer option transactionalId must be a non-empty string');
  }
  const acks = o.acks ?? -1;
  const maxInFlight = positiveInt('maxInFlight', o.maxInFlight, 5);
  let idempotent = o.idempotent ?? true;
  const conflict =
    acks !== -1 ? `acks=${acks} (it needs acks=-1)` : maxInFlight > 5 ? `maxInFlight=${maxInFlight} (at most 5)` : null;
  if (transactionalId !== null) {
    if (o.idempotent === false) throw new TypeError('a transactional producer is idempotent; drop idempotent: false');
    if (conflict) throw new TypeError(`a transactional producer cannot use ${conflict}`);
  } else if (o.idempotent === true && conflict) {
    throw new TypeError(`an idempotent producer cannot use ${conflict}`);
  } else if (o.idempotent === undefined && conflict) {
    idempotent = false;
  }
  if (o.partitioner !== undefined && typeof o.partitioner !== 'function') {
    throw new TypeError('producer option partitioner must be a function');
  }
  return {
    acks,
    lingerMs: nonNegative('lingerMs', o.lingerMs, 5),
    batchSize: positiveInt('batchSize', o.batchSize, 16_384),
    compression,
    idempotent: idempotent || transactionalId !== null,
    transactionalId,
    transactionTimeoutMs: positiveInt('transactionTimeoutMs', o.transactionTimeoutMs, 60_000),
    maxInFlight,
    bufferMemory: positiveInt('bufferMemory', o.bufferMemory, 32 * 1024 * 1024),
    maxBlockMs: nonNegative('maxBlockMs', o.maxBlockMs, 60_000),
    deliveryTimeoutMs: positiveInt('deliveryTimeoutMs', o.deliveryTimeoutMs, 120_000),
    requestTimeoutMs: positiveInt('requestTimeoutMs', o.requestTimeoutMs, 30_000),
    retryBackoffMs: nonNegative('retryBackoffMs', o.retryBackoffMs, 100),
    retryBackoffMaxMs: nonNegative('retryBackoffMaxMs', o.retryBackoffMaxMs, 1000),
    maxRequestSize: positiveInt('maxRequestSize', o.maxRequestSize, 1_048_576),
    allowAutoTopicCreation: o.allowAutoTopicCreation ?? false,
    partitioner: o.partitioner ?? null,
  };
}

/** Exponential backoff with ±20% jitter, as Kafka's ExponentialBackoff. */
export function backoffMs(opts: ResolvedProducerOptions, attempt: number): number {
  const base = Math.min(opts.retryBackoffMaxMs, opts.retryBackoffMs * 2 ** Math.max(0, attempt - 1));
  return base * (0.8 + Math.random() * 0.4);
}
