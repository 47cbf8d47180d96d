/**
 * Runs the validator over every record of a produced partition's batches and
 * decides what happens to them:
 * - every record passes → `pass` (the batches are appended as received);
 * - a record fails with action ERROR (framing, unknown id, id not registered
 *   under the subject, invalid payload, a failing rule without DLQ, or a DLQ
 *   rule without `dlq.topic`) → `reject`: nothing is appended, the partition
 *   gets INVALID_RECORD with one record error per failing record;
 * - every failure has action DLQ → `dlq`: the failing records go to their
 *   rule's dead letter topic, the others are appended.
 * Keys are checked before values; a record's dead letter topic is that of its
 * first failure.
 */
import { decodeRecordBatchAsync, type RecordBatch, splitBatches } from '../../protocol/records/index.ts';
import type { SubjectNameStrategy, ValidationSettings } from './settings.ts';
import type { CheckResult, RecordValidator } from './types.ts';

/** One failing key or value. */
export interface RecordFailure {
  /** Index of the record among the partition's records (Kafka's batchIndex). */
  index: number;
  isKey: boolean;
  result: CheckResult;
  /** The failure sends its record to a dead letter topic (action DLQ with a `dlq.topic`). */
  dlqTopic: string | null;
}

/** A decoded batch and the failures of its records (by index within the batch). */
export interface CheckedBatch {
  batch: RecordBatch;
  /** The batch as received. */
  bytes: Buffer;
  /** First record's index among the partition's records. */
  firstIndex: number;
  failures: Map<number, RecordFailure[]>;
}

export type BatchVerdict =
  | { kind: 'pass'; records: number; failures: RecordFailure[] }
  | { kind: 'reject'; records: number; failures: RecordFailure[] }
  | { kind: 'dlq'; records: number; failures: RecordFailure[]; batches: CheckedBatch[] };

async function checkPart(
  check: RecordValidator,
  topic: string,
  isKey: boolean,
  strategy: SubjectNameStrategy,
  bytes: Buffer | null,
): Promise<CheckResult> {
  try {
    return await check({ topic, isKey, strategy, bytes });
  } catch (err) {
    // checkRecord never throws by contract; if it does, the record is refused, not passed.
    return { ok: false, code: 'RULE_ERROR', message: `schema validation failed: ${(err as Error).message}` };
  }
}

function failureOf(index: number, isKey: boolean, result: CheckResult): RecordFailure {
  const dlqTopic = result.action === 'DLQ' && result.dlqTopic ? result.dlqTopic : null;
  return { index, isKey, result, dlqTopic };
}

/** Decodes the partition's batches (decompressing them) and checks every record's key and/or value. */
export async function checkBatches(
  records: Buffer,
  topic: string,
  settings: ValidationSettings,
  check: RecordValidator,
): Promise<BatchVerdict> {
  const checked: CheckedBatch[] = [];
  const all: RecordFailure[] = [];
  let index = 0;
  for (const slice of splitBatches(records).batches) {
    // the CRC was checked by validateIncoming
    const batch = await decodeRecordBatchAsync(slice.bytes, { verifyCrc: false });
    const firstIndex = index;
    const failures = new Map<number, RecordFailure[]>();
    if (!batch.isControl) {
      await Promise.all(
        batch.records.map(async (r, i) => {
          const [k, v] = await Promise.all([
            settings.key ? checkPart(check, topic, true, settings.key, r.key) : null,
            settings.value ? checkPart(check, topic, false, settings.value, r.value) : null,
          ]);
          const out: RecordFailure[] = [];
          if (k && !k.ok) out.push(failureOf(firstIndex + i, true, k));
          if (v && !v.ok) out.push(failureOf(firstIndex + i, false, v));
          if (out.length) failures.set(i, out);
        }),
      );
    }
    for (const i of [...failures.keys()].sort((a, b) => a - b)) all.push(...(failures.get(i) as RecordFailure[]));
    checked.push({ batch, bytes: slice.bytes, firstIndex, failures });
    index += batch.records.length;
  }
  if (all.length === 0) return { kind: 'pass', records: index, failures: all };
  if (all.some((f) => f.dlqTopic === null)) return { kind: 'reject', records: index, failures: all };
  return { kind: 'dlq', records: index, failures: all, batches: checked };
}

/** The text of one record error (ProduceResponse batchIndexErrorMessage). */
export function recordErrorMessage(f: RecordFailure): string {
  const what = f.isKey ? 'key' : 'value';
  const r = f.result;
  const subject = r.subject ? ` for subject ${r.subject}` : '';
  const action =
    r.action === 'DLQ' && !r.dlqTopic
      ? ' (the rule asks for DLQ but has no dlq.topic param, so the record is refused)'
      : '';
  return `Schema validation of the record ${what} failed${subject}: ${r.message ?? r.code ?? 'invalid'}${r.code ? ` [${r.code}]` : ''}${action}`;
}
