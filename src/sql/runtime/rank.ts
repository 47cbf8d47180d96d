/**
 * Top-N per partition (Flink's Rank with ROW_NUMBER): each partition keeps its rows sorted by the ORDER
 * BY (a new row goes after the rows it ties with); after each input row the ranks rankStart..rankEnd
 * before and after are compared and the difference is emitted as Flink's TopN functions do:
 *
 * - with the rank number: position by position, -U old/+U new where the row at a rank changed, +I for a
 *   rank newly filled, -D for a rank emptied (e.g. a row entering at rank 2 of 3: -U[B, 2] +U[X, 2]
 *   +I[B, 3]);
 * - without it: -D for rows that left the top N, then +I for rows that entered.
 *
 * Append-only input only keeps rankEnd rows per partition (a row pushed out never comes back); updating
 * input keeps every row, so a retraction (-U/-D) lets the next row move up (RetractStrategy).
 *
 * With a state TTL a partition not written (a row added or retracted) for `ttlMs` is forgotten whole: its
 * next row starts an empty top N, and retractions of its old rows are ignored.
 */
import { SqlPlanError } from '../planner/errors.ts';
import type { RankNode } from '../planner/rank.ts';
import { type Downstream, isAccumulate, isAppendOnly, type Row, RowKind } from './changelog.ts';
import { groupKey, rowsEqual } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import { type KeyTtl, keyTtl } from './state/ttl.ts';

export class RankOp implements Downstream, Stateful {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #compare: (a: Row, b: Row) => number;
  readonly #start: number;
  readonly #end: number;
  readonly #outputRank: boolean;
  readonly #appendOnly: boolean;
  readonly #down: Downstream;
  #state = new Map<string, Row[]>();
  readonly #ttl: KeyTtl | null;
  readonly #drop = (k: string): void => {
    this.#state.delete(k);
  };

  constructor(
    keys: Array<(row: Row) => unknown>,
    compare: (a: Row, b: Row) => number,
    rankStart: number,
    rankEnd: number,
    outputRank: boolean,
    appendOnly: boolean,
    down: Downstream,
    ttlMs = 0,
  ) {
    this.#ttl = keyTtl(ttlMs);
    this.#keys = keys;
    this.#compare = compare;
    this.#start = rankStart;
    this.#end = rankEnd;
    this.#outputRank = outputRank;
    this.#appendOnly = appendOnly;
    this.#down = down;
  }

  /** Rows held over all partitions. */
  get size(): number {
    let n = 0;
    for (const l of this.#state.values()) n += l.length;
    return n;
  }

  snapshotState(): unknown {
    return { partitions: this.#state, ttl: this.#ttl?.snapshot() ?? null };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Rank');
    if (!(s.partitions instanceof Map)) throw new Error('Bad Rank state: partitions');
    this.#state = s.partitions as Map<string, Row[]>;
    this.#ttl?.restoreOrStart(s.ttl, this.#state.keys());
  }

  /** Rows held over all partitions (expired partitions swept first). */
  stateEntries(): number {
    this.#ttl?.sweep(Date.now(), this.#drop);
    return this.size;
  }

  /** The first position whose row sorts after `row` (ties: after them). */
  #upper(list: Row[], row: Row): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(list[mid]!, row) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  push(kind: RowKind, row: Row): void {
    const kv = new Array(this.#keys.length);
    for (let i = 0; i < kv.length; i++) kv[i] = this.#keys[i]!(row);
    const k = kv.length === 0 ? '' : groupKey(kv);
    this.#ttl?.access(k, Date.now(), this.#state, this.#drop);
    let list = this.#state.get(k);
    const from = this.#start - 1;
    const to = this.#end;
    if (isAccumulate(kind)) {
      if (!list) {
        list = [];
        this.#state.set(k, list);
      }
      const at = this.#upper(list, row);
      if (at >= to) {
        if (!this.#appendOnly) list.splice(at, 0, row);
        return;
      }
      const before = list.slice(from, to);
      list.splice(at, 0, row);
      if (this.#appendOnly && list.length > to) list.length = to;
      this.#emit(before, list.slice(from, to));
      return;
    }
    if (!list) {
      this.#ttl?.forget(k);
      return;
    }
    // the retracted row: among the rows that tie with it, one with equal values
    let at = this.#upper(list, row) - 1;
    while (at >= 0 && this.#compare(list[at]!, row) === 0 && !rowsEqual(list[at]!, row)) at--;
    if (at < 0 || this.#compare(list[at]!, row) !== 0) return; // never seen: ignored, as Flink does
    const before = at < to ? list.slice(from, to) : null;
    list.splice(at, 1);
    if (list.length === 0) {
      this.#state.delete(k);
      this.#ttl?.forget(k);
    }
    if (before) this.#emit(before, list.slice(from, to));
  }

  #emit(before: Row[], after: Row[]): void {
    const down = this.#down;
    if (this.#outputRank) {
      const n = Math.max(before.length, after.length);
      for (let i = 0; i < n; i++) {
        const o = before[i];
        const r = after[i];
        const rank = this.#start + i;
        if (o === r) continue;
        if (o && r) {
          down.push(RowKind.UPDATE_BEFORE, [...o, rank]);
          down.push(RowKind.UPDATE_AFTER, [...r, rank]);
        } else if (r) down.push(RowKind.INSERT, [...r, rank]);
        else if (o) down.push(RowKind.DELETE, [...o, rank]);
      }
      return;
    }
    const inAfter = new Set(after);
    const inBefore = new Set(before);
    for (const o of before) if (!inAfter.has(o)) down.push(RowKind.DELETE, o);
    for (const r of after) if (!inBefore.has(r)) down.push(RowKind.INSERT, r);
  }

  watermark(ts: number): void {
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}

/** The operator of a planned Rank (append-only input keeps only the top rows); `ttlMs`: state TTL per partition. */
export function rankOp(n: RankNode, down: Downstream, ttlMs = 0): RankOp {
  if (n.pending)
    throw new SqlPlanError(
      'ROW_NUMBER() OVER without a filter on its result in the enclosing query (WHERE rn <= N) is not supported yet',
    );
  return new RankOp(
    n.partitionKeys,
    n.compare,
    n.rankStart,
    n.rankEnd,
    n.outputRank,
    isAppendOnly(n.input.mode),
    down,
    ttlMs,
  );
}
