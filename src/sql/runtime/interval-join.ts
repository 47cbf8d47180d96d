/**
 * Interval join on event time (Flink's RowTimeIntervalJoin): `lower <= l.t - r.t <= upper`. Each side
 * keeps its rows by join key. An arriving row joins the other side's stored rows within its interval
 * (and passing the ON filter) and is stored only while a row of the other side that is not yet behind the
 * watermark could still match it: a left row until the watermark reaches `l.t - lower`, a right row until
 * it reaches `r.t + upper`. When the watermark passes a row's interval the row is dropped from state; an
 * outer side's row that never matched is then emitted padded with NULLs. A row arriving behind the
 * watermark still joins the rows that are left in state (as Flink's does). Output is append-only; the
 * output watermark is held back by max(-lower, upper) so that joined rows are not late downstream.
 */
import type { IntervalJoinNode } from '../planner/interval-join.ts';
import type { TemporalJoinNode } from '../planner/temporal-join.ts';
import type { WindowJoinNode } from '../planner/window-join.ts';
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { restoreInputs, stateObject } from './state/stateful.ts';
import { TemporalJoinOp } from './temporal-join.ts';
import type { JobMetrics } from './window.ts';
import { WindowJoinOp } from './window-join.ts';

interface Stored {
  row: Row;
  time: number;
  key: string;
  /** The watermark at which the row can no longer match. */
  expiry: number;
  matched: boolean;
}

/** A binary min-heap by a numeric priority. */
export class MinHeap<T> {
  #items: T[] = [];
  readonly #prio: (x: T) => number;

  constructor(prio: (x: T) => number) {
    this.#prio = prio;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The items in heap order (the live array: for snapshots, not to be changed). */
  items(): T[] {
    return this.#items;
  }

  /** Replaces the contents with items in heap order (as `items()` gave them). */
  restore(items: T[]): void {
    this.#items = items;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(x: T): void {
    const a = this.#items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.#prio(a[p]!) <= this.#prio(a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.#prio(a[l]!) < this.#prio(a[m]!)) m = l;
        if (r < a.length && this.#prio(a[r]!) < this.#prio(a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

export class IntervalJoinOp implements Stateful {
  readonly #keys: [Array<(row: Row) => unknown>, Array<(row: Row) => unknown>];
  readonly #times: [number, number];
  readonly #filter: ((row: Row) => boolean) | undefined;
  readonly #outer: [boolean, boolean];
  readonly #widths: [number, number];
  readonly #lower: number;
  readonly #upper: number;
  readonly #delay: number;
  readonly #down: Downstream;
  #state: [Map<string, Stored[]>, Map<string, Stored[]>] = [new Map(), new Map()];
  /** Stored rows of each side by expiry. */
  readonly #expiries: [MinHeap<Stored>, MinHeap<Stored>] = [new MinHeap((x) => x.expiry), new MinHeap((x) => x.expiry)];
  readonly #wms: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  readonly #ended: [boolean, boolean] = [false, false];
  #wm = Number.NEGATIVE_INFINITY;
  #outWm = Number.NEGATIVE_INFINITY;

  constructor(opts: {
    leftKeys: Array<(row: Row) => unknown>;
    rightKeys: Array<(row: Row) => unknown>;
    filter: ((row: Row) => boolean) | undefined;
    outer: [boolean, boolean];
    widths: [number, number];
    leftTime: number;
    rightTime: number;
    lower: number;
    upper: number;
    down: Downstream;
  }) {
    this.#keys = [opts.leftKeys, opts.rightKeys];
    this.#times = [opts.leftTime, opts.rightTime];
    this.#filter = opts.filter;
    this.#outer = opts.outer;
    this.#widths = opts.widths;
    this.#lower = opts.lower;
    this.#upper = opts.upper;
    this.#delay = Math.max(0, -opts.lower, opts.upper);
    this.#down = opts.down;
  }

  /** Number of rows held in state (both sides). */
  get stateSize(): number {
    return this.#expiries[0].size + this.#expiries[1].size;
  }

  /** Stored rows per side (the heaps hold the same objects), input and output watermarks, ended flags. */
  snapshotState(): unknown {
    return {
      left: this.#state[0],
      right: this.#state[1],
      expiries: [this.#expiries[0].items(), this.#expiries[1].items()],
      wms: this.#wms,
      ended: this.#ended,
      wm: this.#wm,
      outWm: this.#outWm,
    };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'IntervalJoin');
    const expiries = s.expiries as [Stored[], Stored[]];
    if (!(s.left instanceof Map) || !(s.right instanceof Map) || !Array.isArray(expiries))
      throw new Error('Bad IntervalJoin state');
    this.#state = [s.left as Map<string, Stored[]>, s.right as Map<string, Stored[]>];
    this.#expiries[0].restore(expiries[0]);
    this.#expiries[1].restore(expiries[1]);
    restoreInputs(s, this.#wms, this.#ended);
    this.#wm = s.wm as number;
    this.#outWm = s.outWm as number;
  }

  stateEntries(): number {
    return this.stateSize;
  }

  /** The Downstream of side 0 (left) or 1 (right). */
  input(side: 0 | 1): Downstream {
    return {
      push: (_kind, row) => this.#push(side, row),
      watermark: (ts) => {
        this.#wms[side] = ts;
        this.#advance();
      },
      end: () => {
        this.#ended[side] = true;
        this.#wms[side] = Number.POSITIVE_INFINITY;
        this.#advance();
        if (this.#ended[0] && this.#ended[1]) this.#down.end();
      },
    };
  }

  #padded(side: 0 | 1, row: Row): Row {
    const nulls = new Array(this.#widths[side === 0 ? 1 : 0]).fill(null);
    return side === 0 ? [...row, ...nulls] : [...nulls, ...row];
  }

  #push(side: 0 | 1, row: Row): void {
    const t = row[this.#times[side]] as number | null;
    const kv = this.#keys[side].map((f) => f(row));
    if (t === null || t === undefined || kv.some((v) => v === null)) {
      // a NULL time or key never matches
      if (this.#outer[side]) this.#down.push(RowKind.INSERT, this.#padded(side, row));
      return;
    }
    const k = groupKey(kv);
    const o: 0 | 1 = side === 0 ? 1 : 0;
    // the other side's times that match: left t → right in [t - upper, t - lower]; right t → left in [t + lower, t + upper]
    const [lo, hi] = side === 0 ? [t - this.#upper, t - this.#lower] : [t + this.#lower, t + this.#upper];
    let matched = false;
    for (const other of this.#state[o].get(k) ?? []) {
      if (other.time < lo || other.time > hi) continue;
      const joined = side === 0 ? [...row, ...other.row] : [...other.row, ...row];
      if (this.#filter && !this.#filter(joined)) continue;
      this.#down.push(RowKind.INSERT, joined);
      other.matched = true;
      matched = true;
    }
    // a left row can match right rows up to t - lower, a right row left rows up to t + upper
    const expiry = side === 0 ? t - this.#lower : t + this.#upper;
    if (expiry > this.#wm) {
      const stored: Stored = { row, time: t, key: k, expiry, matched };
      const s = this.#state[side];
      const rows = s.get(k);
      if (rows) rows.push(stored);
      else s.set(k, [stored]);
      this.#expiries[side].push(stored);
    } else if (!matched && this.#outer[side]) this.#down.push(RowKind.INSERT, this.#padded(side, row));
  }

  #advance(): void {
    const wm = Math.min(this.#wms[0], this.#wms[1]);
    if (wm <= this.#wm) return;
    this.#wm = wm;
    this.#expire(0, wm);
    this.#expire(1, wm);
    const out = wm - this.#delay;
    if (out > this.#outWm && out !== Number.POSITIVE_INFINITY) {
      this.#outWm = out;
      this.#down.watermark(out);
    }
  }

  /** Drops the rows of `side` whose interval the watermark passed; outer sides emit their unmatched rows. */
  #expire(side: 0 | 1, wm: number): void {
    const heap = this.#expiries[side];
    const padded: Stored[] = [];
    for (let top = heap.peek(); top && top.expiry <= wm; top = heap.peek()) {
      heap.pop();
      const rows = this.#state[side].get(top.key)!;
      const i = rows.indexOf(top);
      if (i >= 0) rows.splice(i, 1);
      if (rows.length === 0) this.#state[side].delete(top.key);
      if (!top.matched && this.#outer[side]) padded.push(top);
    }
    padded.sort((a, b) => a.time - b.time);
    for (const r of padded) this.#down.push(RowKind.INSERT, this.#padded(side, r.row));
  }
}

/** The operator of a time-aware join node (interval, window or temporal join); job.ts wires its two inputs. */
export function timeJoinOp(
  n: IntervalJoinNode | WindowJoinNode | TemporalJoinNode,
  down: Downstream,
  metrics: JobMetrics,
): { input(side: 0 | 1): Downstream } {
  const widths: [number, number] = [n.left.fields.length, n.right.fields.length];
  const common = { leftKeys: n.leftKeys, rightKeys: n.rightKeys, filter: n.filter, down };
  switch (n.kind) {
    case 'IntervalJoin':
      return new IntervalJoinOp({
        ...common,
        outer: n.outer,
        widths,
        leftTime: n.leftTime,
        rightTime: n.rightTime,
        lower: n.lower,
        upper: n.upper,
      });
    case 'WindowJoin':
      return new WindowJoinOp({
        ...common,
        outer: n.outer,
        widths,
        leftWindow: n.leftWindow,
        rightWindow: n.rightWindow,
        metrics,
      });
    case 'TemporalJoin':
      return new TemporalJoinOp({
        ...common,
        leftOuter: n.leftOuter,
        rightWidth: widths[1],
        leftTime: n.leftTime,
        rightTime: n.rightTime,
        proctime: n.proctime,
        rightBounded: n.rightBounded,
      });
  }
}
