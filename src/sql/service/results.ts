/**
 * A statement's result rows as the API returns them: each changelog row with its op (+I, -U, +U, -D),
 * its values printed as Flink prints them (`row`, null for NULL) and as typed JSON (`values`), and a
 * sequence number so a client can read a running query's changelog incrementally (`from`).
 * A bounded SELECT keeps every row; an unbounded one keeps the latest `capacity` rows.
 */
import type { Field, ResultRow } from '../index.ts';
import { ROW_KIND_NAMES } from '../index.ts';
import { castToString, formatType, toJson } from '../types/index.ts';

/** A column of a result schema. */
export interface ResultColumn {
  name: string;
  type: string;
}

/** One row of a result. */
export interface ApiRow {
  seq: number;
  op: '+I' | '-U' | '+U' | '-D';
  row: Array<string | null>;
  values: unknown[];
}

/** The schema of a result. */
export function resultColumns(fields: readonly Field[]): ResultColumn[] {
  return fields.map((f) => ({ name: f.name, type: formatType(f.type) }));
}

function toApiRow(seq: number, r: ResultRow, fields: readonly Field[], timeZone: string): ApiRow {
  const row: Array<string | null> = [];
  const values: unknown[] = [];
  fields.forEach((f, i) => {
    const v = r.row[i];
    if (v === null || v === undefined) {
      row.push(null);
      values.push(null);
    } else {
      row.push(castToString(v, f.type, timeZone));
      values.push(toJson(v, f.type));
    }
  });
  return { seq, op: ROW_KIND_NAMES[r.kind], row, values };
}

/** Result rows of one statement: all of them, or the latest `capacity`. */
export class ResultBuffer {
  readonly fields: Field[];
  readonly #capacity: number;
  readonly #timeZone: string;
  #rows: ResultRow[] = [];
  /** Sequence number of #rows[0]. */
  #first = 0;
  #updating = false;

  constructor(fields: Field[], capacity: number, timeZone: string) {
    this.fields = fields;
    this.#capacity = capacity;
    this.#timeZone = timeZone;
  }

  /** Appends rows, dropping the oldest beyond the capacity. */
  add(rows: readonly ResultRow[]): void {
    for (const r of rows) {
      if (r.kind !== 0) this.#updating = true;
      this.#rows.push(r);
    }
    const over = this.#rows.length - this.#capacity;
    if (over > 0) {
      this.#rows.splice(0, over);
      this.#first += over;
    }
  }

  /** Whether any row so far was not an insert (the result is a changelog, not a plain table). */
  get updating(): boolean {
    return this.#updating;
  }

  /** Sequence number the next row will get. */
  get next(): number {
    return this.#first + this.#rows.length;
  }

  /** How many rows were dropped to stay within the capacity. */
  get dropped(): number {
    return this.#first;
  }

  /** Rows with sequence number >= from. */
  rows(from = 0): ApiRow[] {
    const start = Math.max(0, from - this.#first);
    return this.#rows.slice(start).map((r, i) => toApiRow(this.#first + start + i, r, this.fields, this.#timeZone));
  }
}
