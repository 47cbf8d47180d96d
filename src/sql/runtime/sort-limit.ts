/** ORDER BY / LIMIT / OFFSET over bounded input: the materialised table, sorted, emitted as inserts at the end. */
import { valueKey } from '../types/index.ts';
import { type Downstream, isAccumulate, type Row, RowKind } from './changelog.ts';

/** ORDER BY / LIMIT over bounded input: keeps the current table, emits it sorted as inserts at the end. */
export class SortLimitOp implements Downstream {
  readonly #rows = new Map<string, { row: Row; count: number }>();
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
