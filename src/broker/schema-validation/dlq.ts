/**
 * Dead letter topics: records whose failing rule has `onFailure: DLQ` are
 * appended to the rule's `dlq.topic` (created with one partition when
 * missing), with their original key, value, headers and timestamp plus the
 * headers Confluent's DlqAction writes: `__rule.name`, `__rule.mode`,
 * `__rule.subject`, `__rule.topic`, `__rule.exception`. They are written by
 * the broker itself: no ACL check, no schema validation, not part of the
 * producer's transaction, always to partition 0.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { encodeRecordBatch, type KafkaRecord, type RecordInput } from '../../protocol/records/index.ts';
import type { Broker } from '../broker.ts';
import type { PartitionLog } from '../log/index.ts';
import type { RecordFailure } from './check-batch.ts';

/** Header names of a dead-lettered record. */
export const DLQ_HEADERS = {
  name: '__rule.name',
  mode: '__rule.mode',
  subject: '__rule.subject',
  topic: '__rule.topic',
  exception: '__rule.exception',
} as const;

/** The dead letter record of `record` (its timestamp absolute) that failed with `f` on `topic`. */
export function dlqRecord(topic: string, record: KafkaRecord, timestamp: bigint, f: RecordFailure): RecordInput {
  const r = f.result;
  return {
    key: record.key,
    value: record.value,
    timestamp,
    headers: [
      ...record.headers,
      { key: DLQ_HEADERS.name, value: r.rule?.name ?? '' },
      // the mode the rule ran in: produced records are checked as a serializer would (WRITE)
      { key: DLQ_HEADERS.mode, value: 'WRITE' },
      { key: DLQ_HEADERS.subject, value: r.subject ?? '' },
      { key: DLQ_HEADERS.topic, value: topic },
      { key: DLQ_HEADERS.exception, value: r.message ?? r.code ?? '' },
    ],
  };
}

const size = (b: RecordInput['value']): number =>
  b == null ? 0 : typeof b === 'string' ? Buffer.byteLength(b) : b.length;

/**
 * Dead letter records as uncompressed batches, each below `maxBytes` (the
 * dead letter topic's max.message.bytes) unless a single record is larger:
 * records that arrived compressed may not fit in one uncompressed batch.
 */
export function dlqBatches(records: RecordInput[], maxBytes: number): Buffer {
  const out: Buffer[] = [];
  let chunk: RecordInput[] = [];
  let bytes = 61; // the batch header
  for (const r of records) {
    let n = 32 + size(r.key) + size(r.value);
    for (const h of r.headers ?? []) n += 10 + Buffer.byteLength(h.key) + size(h.value);
    if (chunk.length > 0 && bytes + n > maxBytes) {
      out.push(encodeRecordBatch({ records: chunk }));
      chunk = [];
      bytes = 61;
    }
    chunk.push(r);
    bytes += n;
  }
  if (chunk.length > 0) out.push(encodeRecordBatch({ records: chunk }));
  return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
}

/** Finds or creates dead letter topics; concurrent produces share one creation. */
export class DlqTopics {
  readonly #broker: Broker;
  readonly #creating = new Map<string, Promise<void>>();

  constructor(broker: Broker) {
    this.#broker = broker;
  }

  /** The log records for `name` go to, creating the topic with one partition if it does not exist. */
  async log(name: string): Promise<PartitionLog> {
    if (!this.#broker.metadata.topicsByName.has(name)) {
      let p = this.#creating.get(name);
      if (!p) {
        p = this.#create(name).finally(() => this.#creating.delete(name));
        this.#creating.set(name, p);
      }
      await p;
    }
    const log = this.#broker.log(name, 0);
    if (!log)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Dead letter topic ${name} has no partition 0.`);
    return log;
  }

  async #create(name: string): Promise<void> {
    try {
      await this.#broker.createTopic(name, 1, -1, {});
      this.#broker.logger.info({ topic: name }, 'created dead letter topic for schema validation');
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return;
      throw new KafkaError(
        ErrorCode.INVALID_RECORD,
        `Records failed a schema rule whose dead letter topic ${name} cannot be created: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
