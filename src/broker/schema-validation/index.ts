/**
 * Broker-side schema validation, as Confluent Server's
 * `confluent.value.schema.validation`: on topics with
 * `tributary.{key,value}.schema.validation` (or the confluent.* names) every
 * produced record's key and/or value must be in the schema registry's wire
 * format, with a schema id registered under the subject the topic's subject
 * name strategy names, a payload valid for that schema, and passing the
 * schema's domain CONDITION rules for WRITE. The checking itself is a hook
 * ({@link RecordValidator}) the platform sets: src/serde/check.ts over the
 * in-process registry. The broker imports no service.
 *
 * Outcomes per partition (produce-path entry: {@link SchemaValidation.append}):
 * - all records pass: the batch is appended unchanged;
 * - a failure with action ERROR: INVALID_RECORD with ProduceResponse
 *   recordErrors (batchIndex + message per failing record) and Kafka's
 *   summary errorMessage; nothing is appended anywhere;
 * - only DLQ failures: the failing records go to their rule's dead letter
 *   topic (dlq.ts) and the rest is appended as a rebuilt batch (rebuild.ts),
 *   offsets and producer sequences as if the whole batch had been appended;
 * - validation on but no schema source (registry off): INVALID_RECORD.
 *
 * Idempotent producers: a retried batch must not be dead-lettered twice. The
 * log only detects duplicates for batches appended as client batches, and a
 * rebuilt batch with offset gaps is not one (the log refuses client batches
 * whose record count disagrees with lastOffsetDelta), so it is appended as an
 * internal batch, which skips the log's duplicate and sequence checks. Those
 * two checks are made here first, from the partition's producer state: a
 * batch that is not the producer's next in sequence (a retry, a gap, an old
 * epoch, a non-transactional write into an open transaction) is handed to the
 * log as received, which answers a retry with its original offsets and
 * anything else with Kafka's error — nothing is dead-lettered then. The
 * checks, the dead letter appends and the append run with no await in
 * between, so no other produce interleaves.
 *
 * Dead letter records are appended before the topic's batch: when a dead
 * letter append fails (its topic cannot be created, refuses the batch), the
 * partition gets that error and nothing reaches the topic; only a disk error
 * on the topic's own append after that leaves dead letter records for a
 * batch the producer will retry.
 *
 * Never applied to topics whose name starts with `_` (internal topics, the
 * registry's `_schemas`).
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { RecordBatchHeader, RecordInput } from '../../protocol/records/index.ts';
import type { Broker } from '../broker.ts';
// validateIncoming is the log's own check of client batches (not exported by log/index.ts)
import { validateIncoming } from '../log/batch.ts';
import type { AppendResult, PartitionLog } from '../log/index.ts';
import type { TopicMeta } from '../metadata/metadata-store.ts';
import { checkBatches, type RecordFailure, recordErrorMessage } from './check-batch.ts';
import { DlqTopics, dlqBatches, dlqRecord } from './dlq.ts';
import { rebuildBatch } from './rebuild.ts';
import { type ValidationSettings, validationSettings } from './settings.ts';
import { type TopicValidationStats, ValidationStats } from './stats.ts';
import type { RecordValidator } from './types.ts';

export { DLQ_HEADERS } from './dlq.ts';
export {
  isExemptTopic,
  normalizeStrategy,
  type SubjectNameStrategy,
  VALIDATION_CONFIGS,
  type ValidationSettings,
  validationSettings,
} from './settings.ts';
export type { RuleStats, TopicValidationStats } from './stats.ts';
export type { CheckResult, RecordCheck, RecordValidator } from './types.ts';

/** One entry of ProduceResponse recordErrors (v8+). */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

/** INVALID_RECORD carrying the record errors the Produce response lists. */
export class RecordValidationError extends KafkaError {
  override name = 'RecordValidationError';
  readonly recordErrors: RecordError[];

  constructor(message: string, recordErrors: RecordError[] = []) {
    super(ErrorCode.INVALID_RECORD, message);
    this.recordErrors = recordErrors;
  }
}

/** What {@link SchemaValidation.append} did. */
export interface ValidatedAppend {
  result: AppendResult;
  /** Dead letter logs written to; acks=all flushes them with the partition. */
  dlqLogs: PartitionLog[];
}

const INT32_MAX = 2147483647;

/**
 * Whether the log would take `h` as the producer's next batch (the checks its
 * producer state makes for client batches: epoch, sequence, transaction).
 */
function isNextInSequence(log: PartitionLog, h: RecordBatchHeader): boolean {
  if (h.producerId < 0n) return true;
  const id = Number(h.producerId);
  const e = log.activeProducers().find((p) => p.producerId === id);
  if (!e) return true; // unknown producer: any sequence is taken
  if (e.currentTxnStartOffset >= 0 && !h.isTransactional) return false;
  if (h.producerEpoch < e.producerEpoch) return false;
  if (e.producerEpoch === -1) return true;
  if (h.producerEpoch > e.producerEpoch) return h.baseSequence === 0;
  return h.baseSequence === e.lastSequence + 1 || (h.baseSequence === 0 && e.lastSequence === INT32_MAX);
}

/** Kafka's summary of record errors (ReplicaManager/LogValidator's RecordValidationException). */
function summary(errors: RecordError[]): string {
  const shown = errors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`)
    .join(', ');
  return `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`;
}

/** Schema validation of produced records: settings, the schema source, dead letter topics and counters. */
export class SchemaValidation {
  readonly #broker: Broker;
  readonly #stats = new ValidationStats();
  readonly #dlq: DlqTopics;
  #validator: RecordValidator | null = null;

  constructor(broker: Broker) {
    this.#broker = broker;
    this.#dlq = new DlqTopics(broker);
  }

  /** The record validator (the platform wires the registry's); null makes validated topics refuse records. */
  setValidator(validator: RecordValidator | null): void {
    this.#validator = validator;
  }

  get validator(): RecordValidator | null {
    return this.#validator;
  }

  /** The topic's validation settings, or null when its records are not validated. */
  settingsFor(topic: TopicMeta): ValidationSettings | null {
    return validationSettings(topic);
  }

  /** Counters of every topic validated since start. */
  stats(): Record<string, TopicValidationStats>;
  /** Counters of one topic (zeros when none). */
  stats(topic: string): TopicValidationStats;
  stats(topic?: string): Record<string, TopicValidationStats> | TopicValidationStats {
    return topic === undefined ? this.#stats.snapshot() : this.#stats.topic(topic);
  }

  /** Drops a deleted topic's counters. */
  forgetTopic(topic: string): void {
    this.#stats.forget(topic);
  }

  /**
   * Validates one partition's produced batches and appends what passes (see
   * the module comment); the caller wakes the partition's fetchers. Throws KafkaError like `PartitionLog.append`, and
   * {@link RecordValidationError} for refused records.
   */
  async append(
    topic: string,
    log: PartitionLog,
    records: Buffer,
    settings: ValidationSettings,
    now: number,
  ): Promise<ValidatedAppend> {
    const config = log.config;
    // The log's checks of client batches first (size, CRC, counts), so a bad batch gets the error it would get anyway.
    const infos = validateIncoming(records, {
      maxMessageBytes: config.maxMessageBytes,
      fromClient: true,
      requireKeys: config.cleanupPolicy.includes('compact'),
    });
    const stats = this.#stats.of(topic);
    const validator = this.#validator;
    if (!validator) {
      stats.rejectedBatches++;
      stats.rejected += infos.reduce((n, b) => n + b.recordsCount, 0);
      const which = [settings.key && 'key', settings.value && 'value'].filter(Boolean).join(' and ');
      throw new RecordValidationError(
        `Topic ${topic} validates record ${which} schemas (tributary.*.schema.validation), which needs the schema registry; it is not running in this broker process.`,
      );
    }
    const verdict = await checkBatches(records, topic, settings, validator);

    if (verdict.kind === 'pass') {
      const result = log.append(records, { now });
      if (!result.duplicate) stats.accepted += result.recordCount;
      return { result, dlqLogs: [] };
    }

    if (verdict.kind === 'reject') {
      const errors = recordErrors(verdict.failures);
      stats.rejectedBatches++;
      stats.rejected += errors.length;
      this.#countFailures(topic, verdict.failures, new Set());
      throw new RecordValidationError(summary(errors), errors);
    }

    // DLQ: rebuild the batches, find the dead letter topics (async), then check and append synchronously
    const rebuilt: Buffer[] = [];
    const toDlq = new Map<string, RecordInput[]>();
    const routed = new Set<RecordFailure>();
    for (const c of verdict.batches) {
      rebuilt.push(c.failures.size ? await rebuildBatch(c.batch, new Set(c.failures.keys())) : c.bytes);
      for (const [i, fs] of [...c.failures].sort((a, b) => a[0] - b[0])) {
        const f = fs[0] as RecordFailure;
        const r = c.batch.records[i]!;
        const list = toDlq.get(f.dlqTopic as string) ?? [];
        list.push(dlqRecord(topic, r, c.batch.baseTimestamp + BigInt(r.timestampDelta), f));
        toDlq.set(f.dlqTopic as string, list);
        routed.add(f);
      }
    }
    const dlqLogs = new Map<string, PartitionLog>();
    for (const name of toDlq.keys()) dlqLogs.set(name, await this.#dlq.log(name));

    // --- no await from here: the producer-state check holds until the append ---
    // (Produce v3+ carries one batch per partition, which the handler enforces.)
    const first = verdict.batches[0]?.batch;
    if (first && !isNextInSequence(log, first)) {
      // a retry (answered with its first offsets), or Kafka's sequence/epoch/transaction error
      const result = log.append(records, { now });
      if (!result.duplicate) {
        // cannot happen (isNextInSequence follows the log's checks); say so loudly if it ever does
        this.#broker.logger.error({ topic }, 'schema validation: a batch with dead-letter records was appended whole');
      }
      return { result, dlqLogs: [] };
    }
    for (const [name, recs] of toDlq) {
      const dlqLog = dlqLogs.get(name) as PartitionLog;
      dlqLog.append(dlqBatches(recs, dlqLog.config.maxMessageBytes), { now });
      this.#broker.waiters.notify(name, 0);
    }
    const result = log.append(rebuilt.length === 1 ? (rebuilt[0] as Buffer) : Buffer.concat(rebuilt), {
      now,
      origin: 'internal',
    });
    stats.accepted += result.recordCount;
    stats.deadLettered += routed.size;
    this.#countFailures(topic, verdict.failures, routed);
    return { result, dlqLogs: [...dlqLogs.values()] };
  }

  #countFailures(topic: string, failures: RecordFailure[], routed: ReadonlySet<RecordFailure>): void {
    const stats = this.#stats.of(topic);
    for (const f of failures) {
      const code = f.result.code ?? 'INVALID';
      stats.failures[code] = (stats.failures[code] ?? 0) + 1;
      const name = f.result.rule?.name;
      if (!name) continue;
      const r = this.#stats.rule(topic, name);
      r.failed++;
      if (routed.has(f)) r.deadLettered++;
    }
  }
}

/** One record error per failing record (its first failure; the key's before the value's). */
function recordErrors(failures: RecordFailure[]): RecordError[] {
  const seen = new Set<number>();
  const out: RecordError[] = [];
  for (const f of failures) {
    if (seen.has(f.index)) continue;
    seen.add(f.index);
    const refusing = failures.find((g) => g.index === f.index && g.dlqTopic === null) ?? f;
    out.push({ batchIndex: f.index, batchIndexErrorMessage: recordErrorMessage(refusing) });
  }
  return out;
}
