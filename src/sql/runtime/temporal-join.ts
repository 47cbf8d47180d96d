/**
 * Temporal joins.
 *
 * Event time (Flink's TemporalRowTimeJoinOperator): the right side is a versioned table; every +I/+U row
 * is a new version of its key valid from its rowtime, a -D row ends the key's validity at its rowtime
 * (or at the right input's watermark when that is later: upsert-kafka deletes carry the old row), -U rows are ignored (the +U that follows carries the new version). Left rows wait in state until the
 * watermark reaches their time; then, in time order, each joins the version of its key with the largest
 * version time <= the left row's time (if that version exists, is not a deletion and passes the ON
 * filter); a LEFT join emits unmatched rows padded with NULLs. Afterwards each key keeps only the versions
 * a row at or after the watermark could still need (the latest one <= watermark and newer ones).
 *
 * Processing time (lookup-join semantics): the right side is kept as a table by key (following its
 * changelog); each left row joins the current rows of its key. When the right side is bounded, left rows
 * (and the watermark) are held until it has been read fully.
 *
 * Output is append-only; the watermark is the minimum of both inputs (processing time over an unbounded
 * right side: the left input's).
 */
import { valueKey } from '../types/index.ts';
import { type Downstream, isAccumulate, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import { MinHeap } from './interval-join.ts';
import type { Stateful } from './state/stateful.ts';
import { restoreInputs, stateObject } from './state/stateful.ts';

interface Version {
  time: number;
  /** null: the key was deleted at `time`. */
  row: Row | null;
}

export interface TemporalJoinOptions {
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  filter: ((row: Row) => boolean) | undefined;
  leftOuter: boolean;
  rightWidth: number;
  leftTime: number;
  rightTime: number;
  proctime: boolean;
  rightBounded: boolean;
  down: Downstream;
}

export class TemporalJoinOp implements Stateful {
  readonly #o: TemporalJoinOptions;
  readonly #down: Downstream;
  readonly #wms: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  readonly #ended: [boolean, boolean] = [false, false];
  #wm = Number.NEGATIVE_INFINITY;
  #done = false;
  /** Event time: versions per key, sorted by time. */
  #versions = new Map<string, Version[]>();
  /** Event time: keys whose versions may be trimmed (more than one, or a deletion). */
  #trimmable = new Set<string>();
  /** Event time: left rows waiting for the watermark, by time. */
  readonly #pending = new MinHeap<{ row: Row; time: number }>((x) => x.time);
  /** Processing time: the right table by key (row multiset). */
  #table = new Map<string, Map<string, { row: Row; count: number }>>();
  /** Processing time over a bounded right side: left rows before the right side ended. */
  #held: Row[] = [];

  constructor(o: TemporalJoinOptions) {
    this.#o = o;
    this.#down = o.down;
  }

  /** Number of rows held in state (versions or table rows, plus waiting left rows). */
  get stateSize(): number {
    let n = this.#pending.size + this.#held.length;
    for (const v of this.#versions.values()) n += v.length;
    for (const m of this.#table.values()) n += m.size;
    return n;
  }

  snapshotState(): unknown {
    return {
      versions: this.#versions,
      trimmable: this.#trimmable,
      pending: this.#pending.items(),
      table: this.#table,
      held: this.#held,
      wms: this.#wms,
      ended: this.#ended,
      wm: this.#wm,
      done: this.#done,
    };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'TemporalJoin');
    if (
      !(s.versions instanceof Map) ||
      !(s.trimmable instanceof Set) ||
      !(s.table instanceof Map) ||
      !Array.isArray(s.pending) ||
      !Array.isArray(s.held)
    )
      throw new Error('Bad TemporalJoin state');
    this.#versions = s.versions as Map<string, Version[]>;
    this.#trimmable = s.trimmable as Set<string>;
    this.#pending.restore(s.pending as Array<{ row: Row; time: number }>);
    this.#table = s.table as Map<string, Map<string, { row: Row; count: number }>>;
    this.#held = s.held as Row[];
    restoreInputs(s, this.#wms, this.#ended);
    this.#wm = s.wm as number;
    this.#done = s.done === true;
  }

  stateEntries(): number {
    return this.stateSize;
  }

  input(side: 0 | 1): Downstream {
    return {
      push: (kind, row) => (side === 0 ? this.#pushLeft(row) : this.#pushRight(kind, row)),
      watermark: (ts) => {
        this.#wms[side] = ts;
        this.#advance();
      },
      end: () => {
        this.#ended[side] = true;
        this.#wms[side] = Number.POSITIVE_INFINITY;
        if (side === 1 && this.#o.proctime) {
          const held = this.#held;
          this.#held = [];
          for (const r of held) this.#lookup(r);
        }
        this.#advance();
        if (!this.#done && this.#ended[0] && (this.#ended[1] || (this.#o.proctime && !this.#o.rightBounded))) {
          this.#done = true;
          this.#down.end();
        }
      },
    };
  }

  #key(side: 0 | 1, row: Row): string | null {
    const fns = side === 0 ? this.#o.leftKeys : this.#o.rightKeys;
    const kv = fns.map((f) => f(row));
    return kv.some((v) => v === null) ? null : groupKey(kv);
  }

  #emit(left: Row, right: Row | null): boolean {
    if (right) {
      const joined = [...left, ...right];
      if (!this.#o.filter || this.#o.filter(joined)) {
        this.#down.push(RowKind.INSERT, joined);
        return true;
      }
    }
    return false;
  }

  #padded(left: Row): void {
    if (this.#o.leftOuter) this.#down.push(RowKind.INSERT, [...left, ...new Array(this.#o.rightWidth).fill(null)]);
  }

  #pushLeft(row: Row): void {
    if (this.#o.proctime) {
      if (this.#o.rightBounded && !this.#ended[1]) this.#held.push(row);
      else this.#lookup(row);
      return;
    }
    const t = row[this.#o.leftTime] as number | null;
    if (t === null || t === undefined) {
      this.#padded(row);
      return;
    }
    this.#pending.push({ row, time: t });
  }

  #lookup(row: Row): void {
    const k = this.#key(0, row);
    let matched = false;
    for (const e of (k === null ? undefined : this.#table.get(k))?.values() ?? [])
      for (let i = 0; i < e.count; i++) if (this.#emit(row, e.row)) matched = true;
    if (!matched) this.#padded(row);
  }

  #pushRight(kind: RowKind, row: Row): void {
    const k = this.#key(1, row);
    if (k === null) return;
    if (this.#o.proctime) {
      const rk = valueKey(row);
      let m = this.#table.get(k);
      if (isAccumulate(kind)) {
        if (!m) this.#table.set(k, (m = new Map()));
        const e = m.get(rk);
        if (e) e.count++;
        else m.set(rk, { row, count: 1 });
      } else {
        const e = m?.get(rk);
        if (e && --e.count === 0) {
          m!.delete(rk);
          if (m!.size === 0) this.#table.delete(k);
        }
      }
      return;
    }
    if (kind === RowKind.UPDATE_BEFORE) return;
    let t = row[this.#o.rightTime] as number | null;
    if (t === null || t === undefined) return;
    // a deletion carries the deleted row (upsert-kafka: the previous value, with its old time): it takes
    // effect no earlier than the right input's watermark, so the version stays valid up to there
    if (kind === RowKind.DELETE) t = Math.max(t, this.#wms[1]);
    const v: Version = { time: t, row: kind === RowKind.DELETE ? null : row };
    let vs = this.#versions.get(k);
    if (!vs) this.#versions.set(k, (vs = []));
    // insert in time order; a later row with the same time replaces the version
    let i = vs.length;
    while (i > 0 && vs[i - 1]!.time > t) i--;
    if (i > 0 && vs[i - 1]!.time === t) vs[i - 1] = v;
    else vs.splice(i, 0, v);
    if (vs.length > 1 || v.row === null) this.#trimmable.add(k);
  }

  #advance(): void {
    let wm: number;
    if (this.#o.proctime) wm = this.#o.rightBounded && !this.#ended[1] ? Number.NEGATIVE_INFINITY : this.#wms[0];
    else wm = Math.min(this.#wms[0], this.#wms[1]);
    if (wm <= this.#wm) return;
    this.#wm = wm;
    if (!this.#o.proctime) this.#fire(wm);
    if (wm !== Number.POSITIVE_INFINITY) this.#down.watermark(wm);
  }

  /** Joins the left rows at or before `wm` with the versions valid at their time, then trims the versions. */
  #fire(wm: number): void {
    for (let p = this.#pending.peek(); p && p.time <= wm; p = this.#pending.peek()) {
      this.#pending.pop();
      const { row, time } = p;
      const k = this.#key(0, row);
      const vs = k === null ? undefined : this.#versions.get(k);
      let version: Version | undefined;
      if (vs)
        for (let i = vs.length - 1; i >= 0; i--)
          if (vs[i]!.time <= time) {
            version = vs[i];
            break;
          }
      if (!this.#emit(row, version?.row ?? null)) this.#padded(row);
    }
    // a row at or after the watermark needs at most the latest version <= watermark
    for (const k of this.#trimmable) {
      const vs = this.#versions.get(k)!;
      let last = -1;
      for (let i = 0; i < vs.length && vs[i]!.time <= wm; i++) last = i;
      if (last > 0) vs.splice(0, last);
      if (vs.length === 1 && vs[0]!.row === null && vs[0]!.time <= wm) {
        this.#versions.delete(k);
        this.#trimmable.delete(k);
      } else if (vs.length === 1 && vs[0]!.row !== null) this.#trimmable.delete(k);
    }
  }
}
