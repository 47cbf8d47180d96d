/**
 * Changelog rows as the engine moves them: a row is a positional array of
 * SQL runtime values (see ../types/values.ts) and every row travels with a
 * RowKind, as Flink's RowData does: +I insert, -U update-before, +U
 * update-after, -D delete. Operators are push-based: an upstream calls
 * `push(kind, row)` on its downstream synchronously, `watermark(ts)` when
 * event time advances and `end()` once when its input is exhausted.
 */
import { castToString } from '../types/format.ts';
import type { SqlType } from '../types/types.ts';

/** +I, -U, +U, -D (the numbers are Flink's RowKind byte values). */
export const RowKind = { INSERT: 0, UPDATE_BEFORE: 1, UPDATE_AFTER: 2, DELETE: 3 } as const;
/** 0 +I, 1 -U, 2 +U, 3 -D. */
export type RowKind = 0 | 1 | 2 | 3;

/** Short strings of Flink's RowKind. */
export const ROW_KIND_NAMES = ['+I', '-U', '+U', '-D'] as const;

/** One row: values in the field order of its schema. */
export type Row = unknown[];

/** Whether the kind adds a row to the table (+I, +U) rather than removing one (-U, -D). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
}

/** Receives a changelog stream: what every operator and sink implements. */
export interface Downstream {
  push(kind: RowKind, row: Row): void;
  /** Event time reached `ts` (epoch ms): no row with a smaller rowtime follows. */
  watermark(ts: number): void;
  /** The input ended (bounded sources); called once. */
  end(): void;
}

/** A field of a schema. */
export interface Field {
  name: string;
  type: SqlType;
}

/** A row as Flink's print sink and `Row.toString` show it: `+I[1, foo, NULL]`. */
export function formatRow(kind: RowKind, row: Row, fields: readonly Field[], timeZone = 'UTC'): string {
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const v = row[i];
    parts.push(v === null || v === undefined ? 'NULL' : castToString(v, fields[i]!.type, timeZone));
  }
  return `${ROW_KIND_NAMES[kind]}[${parts.join(', ')}]`;
}

/** Which row kinds a stream may carry (Flink's ChangelogMode). */
export interface ChangelogMode {
  insert: boolean;
  updateBefore: boolean;
  updateAfter: boolean;
  delete: boolean;
}

export const APPEND: ChangelogMode = Object.freeze({
  insert: true,
  updateBefore: false,
  updateAfter: false,
  delete: false,
});
export const RETRACT: ChangelogMode = Object.freeze({
  insert: true,
  updateBefore: true,
  updateAfter: true,
  delete: true,
});
export const UPSERT: ChangelogMode = Object.freeze({
  insert: true,
  updateBefore: false,
  updateAfter: true,
  delete: true,
});

/** `[I,UB,UA,D]` as Flink's EXPLAIN prints a changelog mode. */
export function formatChangelogMode(m: ChangelogMode): string {
  const parts: string[] = [];
  if (m.insert) parts.push('I');
  if (m.updateBefore) parts.push('UB');
  if (m.updateAfter) parts.push('UA');
  if (m.delete) parts.push('D');
  return `[${parts.join(',')}]`;
}

/** Only inserts. */
export function isAppendOnly(m: ChangelogMode): boolean {
  return !m.updateBefore && !m.updateAfter && !m.delete;
}

/** The union of two modes (UNION ALL). */
export function unionModes(a: ChangelogMode, b: ChangelogMode): ChangelogMode {
  return {
    insert: a.insert || b.insert,
    updateBefore: a.updateBefore || b.updateBefore,
    updateAfter: a.updateAfter || b.updateAfter,
    delete: a.delete || b.delete,
  };
}
