/**
 * A producer batch: the records bound for one partition that travel as one
 * record batch (magic v2), with the delivery callbacks of their send() calls.
 *
 * The batch is encoded once, when it is first drained (its producer id,
 * epoch and base sequence are known then); a retry under a different
 * sequence or epoch patches those header fields and the CRC in a copy.
 */
import {
  BatchField,
  encodeRecordBatch,
  encodeRecordBatchAsync,
  type Input,
  type ProduceRequest,
  RECORD_BATCH_HEADER_SIZE,
  type RecordInput,
  updateCrc,
} from '../../protocol/index.ts';
import type { Bytes, ProducerRecord, RecordMetadata } from './types.ts';

/** A record converted for the encoder, with its size estimate. */
export interface PreparedRecord {
  input: RecordInput & { key: Buffer | null; value: Buffer | null; timestamp: number | bigint };
  /** Estimated bytes in the batch (uncompressed). */
  size: number;
}

export interface Delivery {
  resolve(m: RecordMetadata): void;
  reject(err: Error): void;
}

function toBuffer(b: Bytes | undefined, what: string): Buffer | null {
  if (b === null || b === undefined) return null;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (Buffer.isBuffer(b)) return b;
  if ((b as unknown) instanceof Uint8Array) return Buffer.from(b as Uint8Array);
  throw new TypeError(`${what} must be a Buffer, a string or null`);
}

/** Varint-size upper bound of Kafka's record layout (DefaultRecord.sizeInBytes): fixed fields plus lengths. */
const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;

/** Converts a ProducerRecord to the encoder's input; throws TypeError on bad fields. */
export function prepareRecord(r: ProducerRecord): PreparedRecord {
  const key = toBuffer(r.key, 'record key');
  if (r.value === undefined) throw new TypeError('record value is required (use null for a tombstone)');
  const value = toBuffer(r.value, 'record value');
  let size = RECORD_OVERHEAD + (key?.length ?? 0) + (value?.length ?? 0);
  let headers: Array<{ key: string; value: Buffer | null }> | undefined;
  if (r.headers !== undefined && r.headers !== null) {
    const list = Array.isArray(r.headers) ? r.headers : Object.entries(r.headers);
    headers = list.map(([k, v]) => {
      if (typeof k !== 'string') throw new TypeError('header keys must be strings');
      const hv = toBuffer(v, `header ${k}`);
      size += 10 + Buffer.byteLength(k) + (hv?.length ?? 0);
      return { key: k, value: hv };
    });
  }
  let timestamp: number | bigint;
  if (r.timestamp === undefined || r.timestamp === null) timestamp = Date.now();
  else if (typeof r.timestamp === 'bigint' || Number.isInteger(r.timestamp)) timestamp = r.timestamp;
  else throw new TypeError(`record timestamp must be an integer (ms), got ${r.timestamp}`);
  return { input: { key, value, headers, timestamp }, size };
}

/** What the sender needs to encode a batch. */
export interface EncodeParams {
  compression: number;
  producerId: bigint;
  producerEpoch: number;
  transactional: boolean;
}

export class ProducerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: PreparedRecord['input'][] = [];
  readonly deliveries: Delivery[] = [];
  /** Estimated encoded size, header included. */
  size = RECORD_BATCH_HEADER_SIZE;
  readonly createdAt: number;
  /** No more appends (full, drained, or split). */
  closed = false;
  attempts = 0;
  /** Not drained again before this time (retry backoff). */
  retryAt = 0;
  baseSequence = -1;
  /** The sequence changed after a send (a failed batch before it, or a producer id reset). */
  resequenced = false;
  /** The last attempt ended without an answer: the broker may have written it. */
  uncertain = false;
  done = false;
  #encoded: Buffer | null = null;
  #encodedKey = '';
  #waiters: Array<() => void> | null = null;

  constructor(topic: string, partition: number, createdAt: number) {
    this.topic = topic;
    this.partition = partition;
    this.createdAt = createdAt;
  }

  get count(): number {
    return this.records.length;
  }

  append(rec: PreparedRecord, delivery: Delivery): void {
    this.records.push(rec.input);
    this.deliveries.push(delivery);
    this.size += rec.size;
  }

  /** The record batch bytes for this attempt. */
  async encode(p: EncodeParams): Promise<Buffer> {
    const key = `${p.producerId}:${p.producerEpoch}:${this.baseSequence}`;
    if (this.#encoded && this.#encodedKey === key) return this.#encoded;
    let out: Buffer;
    if (this.#encoded) {
      // Only the producer fields differ: patch a copy (the old bytes may still sit in a socket buffer).
      out = Buffer.from(this.#encoded);
      out.writeBigInt64BE(p.producerId, BatchField.PRODUCER_ID);
      out.writeInt16BE(p.producerEpoch, BatchField.PRODUCER_EPOCH);
      out.writeInt32BE(this.baseSequence, BatchField.BASE_SEQUENCE);
      updateCrc(out);
    } else {
      const opts = {
        records: this.records,
        compression: p.compression,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        baseSequence: this.baseSequence,
        transactional: p.transactional,
      };
      out = p.compression === 0 ? encodeRecordBatch(opts) : await encodeRecordBatchAsync(opts);
    }
    this.#encoded = out;
    this.#encodedKey = key;
    return out;
  }

  /** Splits the records in two halves (after MESSAGE_TOO_LARGE); sequences stay contiguous. */
  split(): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const parts = [0, half].map((from, i) => {
      const b = new ProducerBatch(this.topic, this.partition, this.createdAt);
      const to = i === 0 ? half : this.records.length;
      for (let j = from; j < to; j++) {
        const input = this.records[j] as PreparedRecord['input'];
        b.append({ input, size: recordSize(input) }, this.deliveries[j] as Delivery);
      }
      b.closed = true;
      b.attempts = this.attempts;
      b.baseSequence = this.baseSequence < 0 ? -1 : this.baseSequence + from;
      return b;
    });
    return parts as [ProducerBatch, ProducerBatch];
  }

  /** Resolves every record's delivery: offsets from baseOffset (-1n when unknown). */
  succeed(baseOffset: bigint, logAppendTime: bigint): void {
    if (this.done) return;
    this.done = true;
    for (let i = 0; i < this.records.length; i++) {
      const r = this.records[i] as PreparedRecord['input'];
      (this.deliveries[i] as Delivery).resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
        timestamp: logAppendTime >= 0n ? logAppendTime : BigInt(r.timestamp),
      });
    }
    this.#settle();
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    for (const d of this.deliveries) d.reject(err);
    this.#settle();
  }

  /** The batch was split and both halves finished (their deliveries settled the records). */
  settleSplit(): void {
    this.done = true;
    this.#settle();
  }

  /** Resolves once the batch succeeded or failed. */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.#waiters ??= [];
    const w = this.#waiters;
    return new Promise((r) => w.push(r));
  }

  #settle(): void {
    for (const w of this.#waiters?.splice(0) ?? []) w();
  }
}

/** Size estimate of a record already in a batch (used when splitting). */
export function recordSize(r: PreparedRecord['input']): number {
  let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) size += 10 + Buffer.byteLength(h.key) + ((h.value as Buffer | null)?.length ?? 0);
  return size;
}

/** The Produce request body for batches drained together (one per partition), encoded as `records`. */
export function produceBody(
  batches: ProducerBatch[],
  records: Buffer[],
  opts: { transactionalId: string | null; acks: number; requestTimeoutMs: number },
): Input<ProduceRequest> {
  const topics = new Map<string, { name: string; partitionData: Array<{ index: number; records: Buffer }> }>();
  batches.forEach((b, i) => {
    let t = topics.get(b.topic);
    if (!t) topics.set(b.topic, (t = { name: b.topic, partitionData: [] }));
    t.partitionData.push({ index: b.partition, records: records[i] as Buffer });
  });
  return {
    transactionalId: opts.transactionalId,
    acks: opts.acks,
    timeoutMs: opts.requestTimeoutMs,
    topicData: [...topics.values()],
  };
}
