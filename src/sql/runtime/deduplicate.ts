/**
 * Deduplication (Flink's Deduplicate: ROW_NUMBER() = 1 ordered by a time attribute), one kept row per key:
 *
 * - processing time, keep first: the first row of a key is emitted (+I), later ones dropped (append-only);
 * - processing time, keep last: every row replaces the kept one (+I first, then -U old, +U new);
 * - event time: a row replaces the kept one when its rowtime is smaller (keep first) or not smaller
 *   (keep last) than the kept row's; rows are emitted at once, not held for the watermark (Flink's
 *   RowTimeDeduplicateFunction without mini-batch).
 */
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';

export class DeduplicateOp implements Downstream {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #keepLast: boolean;
  readonly #time: number;
  readonly #down: Downstream;
  readonly #state = new Map<string, Row>();

  /** `timeIndex`: the rowtime column, -1 for processing time. */
  constructor(keys: Array<(row: Row) => unknown>, keepLast: boolean, timeIndex: number, down: Downstream) {
    this.#keys = keys;
    this.#keepLast = keepLast;
    this.#time = timeIndex;
    this.#down = down;
  }

  /** Keys held. */
  get size(): number {
    return this.#state.size;
  }

  push(_kind: RowKind, row: Row): void {
    const kv = new Array(this.#keys.length);
    for (let i = 0; i < kv.length; i++) kv[i] = this.#keys[i]!(row);
    const k = kv.length === 0 ? '' : groupKey(kv);
    const prev = this.#state.get(k);
    if (prev === undefined) {
      this.#state.set(k, row);
      this.#down.push(RowKind.INSERT, row);
      return;
    }
    let replace: boolean;
    if (this.#time < 0) replace = this.#keepLast;
    else {
      const t = row[this.#time] as number | null;
      const p = prev[this.#time] as number | null;
      if (t === null || p === null) return;
      replace = this.#keepLast ? p <= t : t < p;
    }
    if (!replace) return;
    this.#state.set(k, row);
    this.#down.push(RowKind.UPDATE_BEFORE, prev);
    this.#down.push(RowKind.UPDATE_AFTER, row);
  }

  watermark(ts: number): void {
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}
