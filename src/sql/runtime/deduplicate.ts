/**
 * Deduplication (Flink's Deduplicate: ROW_NUMBER() = 1 ordered by a time attribute), one kept row per key:
 *
 * - processing time, keep first: the first row of a key is emitted (+I), later ones dropped (append-only);
 * - processing time, keep last: every row replaces the kept one (+I first, then -U old, +U new);
 * - event time: a row replaces the kept one when its rowtime is smaller (keep first) or not smaller
 *   (keep last) than the kept row's; rows are emitted at once, not held for the watermark (Flink's
 *   RowTimeDeduplicateFunction without mini-batch).
 *
 * With a state TTL a key whose kept row was not written for `ttlMs` is forgotten: its next row is emitted
 * as a first row again (+I).
 */
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import { type KeyTtl, keyTtl } from './state/ttl.ts';

export class DeduplicateOp implements Downstream, Stateful {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #keepLast: boolean;
  readonly #time: number;
  readonly #down: Downstream;
  #state = new Map<string, Row>();
  readonly #ttl: KeyTtl | null;
  readonly #drop = (k: string): void => {
    this.#state.delete(k);
  };

  /** `timeIndex`: the rowtime column, -1 for processing time. `ttlMs`: state TTL per key (0: none). */
  constructor(keys: Array<(row: Row) => unknown>, keepLast: boolean, timeIndex: number, down: Downstream, ttlMs = 0) {
    this.#keys = keys;
    this.#keepLast = keepLast;
    this.#time = timeIndex;
    this.#down = down;
    this.#ttl = keyTtl(ttlMs);
  }

  snapshotState(): unknown {
    return { kept: this.#state, ttl: this.#ttl?.snapshot() ?? null };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Deduplicate');
    if (!(s.kept instanceof Map)) throw new Error('Bad Deduplicate state: kept rows');
    this.#state = s.kept as Map<string, Row>;
    this.#ttl?.restoreOrStart(s.ttl, this.#state.keys());
  }

  stateEntries(): number {
    this.#ttl?.sweep(Date.now(), this.#drop);
    return this.#state.size;
  }

  /** Keys held. */
  get size(): number {
    return this.#state.size;
  }

  push(_kind: RowKind, row: Row): void {
    const kv = new Array(this.#keys.length);
    for (let i = 0; i < kv.length; i++) kv[i] = this.#keys[i]!(row);
    const k = kv.length === 0 ? '' : groupKey(kv);
    const ttl = this.#ttl;
    let now = 0;
    if (ttl) {
      now = Date.now();
      ttl.sweepIfDue(now, this.#drop);
      if (ttl.expired(k, now)) {
        ttl.forget(k);
        this.#state.delete(k);
      }
    }
    const prev = this.#state.get(k);
    if (prev === undefined) {
      this.#state.set(k, row);
      ttl?.touch(k, now);
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
    ttl?.touch(k, now);
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
