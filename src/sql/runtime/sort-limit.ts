/** ORDER BY / LIMIT / OFFSET over bounded input: the materialised table, sorted, emitted as inserts at the end. */
import { valueKey } from '../types/index.ts';
import { type Downstream, isAccumulate, type Row, RowKind } from './changelog.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';

/** ORDER BY / LIMIT over bounded input: keeps the current table, emits it sorted as inserts at the end. */
export class SortLimitOp implements Downstream, Stateful {
  #rows = new Map<string, { row: Row; count: number }>();
  readonly #compare: ((a: Row, b: Row) => number) | null;
  readonly #offset: number;
  readonly #limit: number;
  readonly #down: Downstream;

  constructor(compare: ((a: Row, b: Row) => number) | null, offset: number, limit: number, down: Downstream) {
    this.#compare = compare;
    this.#offset = offset;
    this.#limit = limit;
    this.#down = down;
  }

  snapshotState(): unknown {
    return { rows: this.#rows };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'SortLimit');
    if (!(s.rows instanceof Map)) throw new Error('Bad SortLimit state: rows');
    this.#rows = s.rows as Map<string, { row: Row; count: number }>;
  }

  /** Distinct rows held. */
  stateEntries(): number {
    return this.#rows.size;
  }

  push(kind: RowKind, row: Row): void {
    const k = valueKey(row);
    const e = this.#rows.get(k);
    if (isAccumulate(kind)) {
      if (e) e.count++;
      else this.#rows.set(k, { row, count: 1 });
    } else if (e && --e.count === 0) this.#rows.delete(k);
  }

  watermark(): void {}

  end(): void {
    const all: Row[] = [];
    for (const { row, count } of this.#rows.values()) for (let i = 0; i < count; i++) all.push(row);
    if (this.#compare) all.sort(this.#compare);
    const end = Math.min(all.length, this.#offset + this.#limit);
    for (let i = this.#offset; i < end; i++) this.#down.push(RowKind.INSERT, all[i]!);
    this.#down.end();
  }
}
