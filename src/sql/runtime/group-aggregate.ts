/**
 * Unbounded GROUP BY aggregation over a changelog (Flink's GroupAggFunction): per key a row count and one
 * accumulator per aggregate call. +I/+U accumulate, -U/-D retract (accumulators must support retraction).
 * Output per key: +I for the first result, then -U old / +U new when the result changes, -D when the
 * key's last row is retracted. Without aggregate calls (SELECT DISTINCT) a key is emitted once (+I) and
 * deleted (-D) when its count drops to zero. DISTINCT aggregates count each distinct argument tuple and
 * feed the accumulator only on its first occurrence / last removal; FILTER (WHERE ...) skips rows per call.
 * With a state TTL a group not written for `ttlMs` is dropped: a later row starts it afresh (+I again) and a
 * later retraction for it is ignored, as Flink does.
 */

import type { AggCall } from '../planner/plan.ts';
import { SqlRuntimeError, valueKey, valuesEqual } from '../types/index.ts';
import { type Downstream, isAccumulate, type Row, RowKind } from './changelog.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import { type KeyTtl, keyTtl } from './state/ttl.ts';

interface GroupState {
  key: Row;
  accs: unknown[];
  distinct: Array<Map<string, number> | null>;
  count: number;
  last: Row | null;
}

/** Key of a group: one string for the key values. */
export function groupKey(values: Row): string {
  if (values.length === 1) return valueKey(values[0]);
  let s = '';
  for (let i = 0; i < values.length; i++) s += `${valueKey(values[i])}\u0001`;
  return s;
}

/** Whether two result rows are equal (NULL equals NULL here). */
export function rowsEqual(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null || y === null || !valuesEqual(x, y)) return false;
  }
  return true;
}

/** Applies one input row to the accumulators (add or retract), honouring DISTINCT and FILTER. */
export function applyAggs(
  aggs: readonly AggCall[],
  st: { accs: unknown[]; distinct: Array<Map<string, number> | null> },
  row: Row,
  add: boolean,
): void {
  for (let j = 0; j < aggs.length; j++) {
    const a = aggs[j]!;
    if (a.filter && !a.filter(row)) continue;
    const args = new Array(a.args.length);
    for (let k = 0; k < args.length; k++) args[k] = a.args[k]!(row);
    if (a.distinct) {
      if (args.length > 0 && args.every((v) => v === null)) continue;
      const dk = args.length === 1 ? valueKey(args[0]) : groupKey(args);
      const m = st.distinct[j]!;
      const n = m.get(dk) ?? 0;
      if (add) {
        m.set(dk, n + 1);
        if (n > 0) continue;
      } else {
        if (n === 0) continue;
        if (n > 1) {
          m.set(dk, n - 1);
          continue;
        }
        m.delete(dk);
      }
    }
    if (add) a.fn.add(st.accs[j], args);
    else {
      if (!a.fn.retract)
        throw new SqlRuntimeError(`Aggregate function ${a.fn.name} does not support retraction of its input`);
      a.fn.retract(st.accs[j], args);
    }
  }
}

export function newAccs(aggs: readonly AggCall[]): { accs: unknown[]; distinct: Array<Map<string, number> | null> } {
  return { accs: aggs.map((a) => a.fn.create()), distinct: aggs.map((a) => (a.distinct ? new Map() : null)) };
}

export class GroupAggregateOp implements Downstream, Stateful {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #aggs: AggCall[];
  readonly #down: Downstream;
  #state = new Map<string, GroupState>();
  readonly #ttl: KeyTtl | null;
  readonly #drop = (k: string): void => {
    this.#state.delete(k);
  };

  /** `ttlMs`: state TTL per group key (0: none). */
  constructor(keys: Array<(row: Row) => unknown>, aggs: AggCall[], down: Downstream, ttlMs = 0) {
    this.#keys = keys;
    this.#aggs = aggs;
    this.#down = down;
    this.#ttl = keyTtl(ttlMs);
  }

  snapshotState(): unknown {
    return { groups: this.#state, ttl: this.#ttl?.snapshot() ?? null };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'GroupAggregate');
    if (!(s.groups instanceof Map)) throw new Error('Bad GroupAggregate state: groups');
    this.#state = s.groups as Map<string, GroupState>;
    this.#ttl?.restoreOrStart(s.ttl, this.#state.keys());
  }

  stateEntries(): number {
    this.#ttl?.sweep(Date.now(), this.#drop);
    return this.#state.size;
  }

  /** Number of groups held. */
  get size(): number {
    return this.#state.size;
  }

  #result(st: GroupState): Row {
    const out = st.key.slice();
    for (let j = 0; j < this.#aggs.length; j++) out.push(this.#aggs[j]!.fn.result(st.accs[j]));
    return out;
  }

  push(kind: RowKind, row: Row): void {
    const keyVals = new Array(this.#keys.length);
    for (let i = 0; i < keyVals.length; i++) keyVals[i] = this.#keys[i]!(row);
    const k = groupKey(keyVals);
    this.#ttl?.access(k, Date.now(), this.#state, this.#drop);
    let st = this.#state.get(k);
    const down = this.#down;
    const noAggs = this.#aggs.length === 0;
    if (isAccumulate(kind)) {
      if (!st) {
        st = { key: keyVals, ...newAccs(this.#aggs), count: 0, last: null };
        this.#state.set(k, st);
      }
      st.count++;
      if (noAggs) {
        if (st.count === 1) {
          st.last = keyVals;
          down.push(RowKind.INSERT, keyVals);
        }
        return;
      }
      applyAggs(this.#aggs, st, row, true);
      const result = this.#result(st);
      if (st.last === null) down.push(RowKind.INSERT, result);
      else if (!rowsEqual(st.last, result)) {
        down.push(RowKind.UPDATE_BEFORE, st.last);
        down.push(RowKind.UPDATE_AFTER, result);
      }
      st.last = result;
      return;
    }
    if (!st) {
      // retraction of a row never seen (e.g. state started mid-stream or expired): ignored, as Flink does
      this.#ttl?.forget(k);
      return;
    }
    st.count--;
    if (!noAggs) applyAggs(this.#aggs, st, row, false);
    if (st.count <= 0) {
      this.#state.delete(k);
      this.#ttl?.forget(k);
      if (st.last) down.push(RowKind.DELETE, st.last);
      return;
    }
    if (noAggs) return;
    const result = this.#result(st);
    if (!rowsEqual(st.last!, result)) {
      down.push(RowKind.UPDATE_BEFORE, st.last!);
      down.push(RowKind.UPDATE_AFTER, result);
    }
    st.last = result;
  }

  watermark(ts: number): void {
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}
