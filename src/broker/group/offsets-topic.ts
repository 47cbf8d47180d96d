/**
 * The `__consumer_offsets` topic: where the coordinator's records live.
 *
 * - Created on first use with Kafka's settings for it: cleanup.policy=compact,
 *   segment.bytes=offsets.topic.segment.bytes, compression.type=producer,
 *   offsets.topic.num.partitions partitions. If it already exists (even with
 *   another partition count) its partition count is used, as Kafka does.
 * - Writes are uncompressed batches appended to the group's partition; the
 *   caller awaits `flush` before answering (acks=all: the record is on disk).
 * - Transactional offset commits are written as transactional batches of the
 *   producer, and resolved by an end-transaction marker, exactly as Kafka's
 *   transaction coordinator leaves them in this topic.
 * - `load` replays a partition from its log start, batch by batch, yielding to
 *   the event loop between reads.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ErrorCode, KafkaError, toKafkaError } from '../../protocol/errors.ts';
import {
  ControlRecordType,
  decodeEndTxnMarker,
  decodeRecordBatch,
  encodeEndTxnMarkerBatch,
  encodeRecordBatch,
  iterateBatches,
} from '../../protocol/records/index.ts';
import type { Broker } from '../broker.ts';
import { coordinatorAppendError } from '../coordinator-errors.ts';
import type { PartitionLog } from '../log/index.ts';
import type { GroupConfig } from './config.ts';
import { partitionFor } from './records.ts';

/** Kafka's name for the offsets topic. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** A key/value record of the coordinator (value null: tombstone). */
export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null;
}

/** A producer's transaction a record belongs to. */
export interface TxnTag {
  producerId: bigint;
  producerEpoch: number;
}

/** What `load` hands over, in log order. */
export type LoadedEntry =
  | { kind: 'record'; offset: number; producerId: bigint; producerEpoch: number; key: Buffer; value: Buffer | null }
  | { kind: 'marker'; offset: number; producerId: bigint; commit: boolean };

const MAX_BATCH_BYTES = 512 * 1024;
const LOAD_READ_BYTES = 1024 * 1024;

/**
 * The error a group API answers for a failed write, as Kafka's coordinator
 * maps storage errors: an offline or closed log → NOT_COORDINATOR, a record
 * too large → UNKNOWN_SERVER_ERROR.
 */
export function coordinatorWriteError(err: unknown): KafkaError {
  const e = toKafkaError(err);
  const code = coordinatorAppendError(e.code);
  if (code === e.code) return e;
  // NOT_COORDINATOR keeps the storage message; the others say nothing of storage
  return new KafkaError(code, code === ErrorCode.NOT_COORDINATOR ? (e.errorMessage ?? undefined) : undefined);
}

/** The offsets topic of one broker. */
export class OffsetsTopic {
  readonly #broker: Broker;
  readonly #config: GroupConfig;
  #creating: Promise<void> | null = null;

  constructor(broker: Broker, config: GroupConfig) {
    this.#broker = broker;
    this.#config = config;
  }

  /** Whether the topic exists. */
  get exists(): boolean {
    return this.#broker.metadata.topicsByName.has(OFFSETS_TOPIC);
  }

  /** Partitions of the topic: the existing topic's count, else the configured one. */
  get partitions(): number {
    return this.#broker.metadata.topicsByName.get(OFFSETS_TOPIC)?.partitions ?? this.#config.offsetsTopicPartitions;
  }

  /** The partition holding `groupId`. */
  partitionFor(groupId: string): number {
    return partitionFor(groupId, this.partitions);
  }

  /** Creates the topic if it does not exist yet (concurrent callers share one creation). */
  ensure(): Promise<void> {
    if (this.exists) return Promise.resolve();
    this.#creating ??= this.#broker
      .createTopic(OFFSETS_TOPIC, this.#config.offsetsTopicPartitions, 1, {
        'cleanup.policy': 'compact',
        'segment.bytes': String(this.#config.offsetsTopicSegmentBytes),
        'compression.type': 'producer',
      })
      .then(
        () => {},
        (err) => {
          // lost a race with another creator (e.g. a Metadata request): fine if it exists now
          if (!this.exists) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, undefined, { cause: err });
        },
      )
      .finally(() => {
        this.#creating = null;
      });
    return this.#creating;
  }

  #log(partition: number): PartitionLog {
    const log = this.#broker.log(OFFSETS_TOPIC, partition);
    if (!log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} does not exist`);
    return log;
  }

  /**
   * Appends records to a partition (synchronously: the offsets are assigned
   * when this returns) and gives the offset of each record. Throws the
   * coordinator error to answer if the log refuses them.
   */
  append(partition: number, records: readonly CoordinatorRecord[], txn?: TxnTag): number[] {
    if (records.length === 0) return [];
    const log = this.#log(partition);
    const now = Date.now();
    const batches: Buffer[] = [];
    let chunk: CoordinatorRecord[] = [];
    let bytes = 0;
    const flushChunk = (): void => {
      if (chunk.length === 0) return;
      batches.push(
        encodeRecordBatch({
          records: chunk.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
          transactional: txn !== undefined,
          producerId: txn?.producerId ?? -1n,
          producerEpoch: txn?.producerEpoch ?? -1,
          baseSequence: -1,
        }),
      );
      chunk = [];
      bytes = 0;
    };
    for (const r of records) {
      const size = r.key.length + (r.value?.length ?? 0) + 32;
      if (bytes + size > MAX_BATCH_BYTES) flushChunk();
      chunk.push(r);
      bytes += size;
    }
    flushChunk();
    let appended: ReturnType<PartitionLog['append']>;
    try {
      appended = log.append(Buffer.concat(batches), { origin: 'internal', now });
    } catch (err) {
      throw coordinatorWriteError(err);
    }
    this.#broker.waiters.notify(OFFSETS_TOPIC, partition);
    return records.map((_, i) => appended.baseOffset + i);
  }

  /** Appends the end-transaction marker of a producer (commit or abort). */
  appendMarker(partition: number, txn: TxnTag, commit: boolean): number {
    const log = this.#log(partition);
    const batch = encodeEndTxnMarkerBatch({
      type: commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      coordinatorEpoch: 0,
    });
    try {
      const r = log.append(batch, { origin: 'internal' });
      this.#broker.waiters.notify(OFFSETS_TOPIC, partition);
      return r.baseOffset;
    } catch (err) {
      throw coordinatorWriteError(err);
    }
  }

  /** Waits until everything appended to the partition is on disk. */
  async flush(partition: number): Promise<void> {
    try {
      await this.#log(partition).flush();
    } catch (err) {
      throw coordinatorWriteError(err);
    }
  }

  /** Replays a partition from its log start to its end. */
  async load(partition: number, visit: (e: LoadedEntry) => void, stopped: () => boolean): Promise<void> {
    const log = this.#broker.log(OFFSETS_TOPIC, partition);
    if (!log) return;
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end && !stopped()) {
      const r = log.read(offset, LOAD_READ_BYTES);
      if (r.records.length === 0 || r.nextOffset <= offset) break;
      for (const slice of iterateBatches(r.records)) {
        const batch = decodeRecordBatch(slice.bytes);
        for (const rec of batch.records) {
          const at = Number(rec.offset);
          if (at < offset) continue;
          if (batch.isControl) {
            const marker = decodeEndTxnMarker(rec);
            if (marker) {
              visit({
                kind: 'marker',
                offset: at,
                producerId: batch.producerId,
                commit: marker.type === ControlRecordType.COMMIT,
              });
            }
          } else if (rec.key) {
            visit({
              kind: 'record',
              offset: at,
              producerId: batch.isTransactional ? batch.producerId : -1n,
              producerEpoch: batch.producerEpoch,
              key: Buffer.from(rec.key),
              value: rec.value ? Buffer.from(rec.value) : null,
            });
          }
        }
      }
      offset = r.nextOffset;
      await yieldToEventLoop();
    }
  }
}
