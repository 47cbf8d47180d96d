/**
 * Window TVFs and window aggregation on event time.
 *
 * WindowTvfOp assigns each row to its windows (TUMBLE: one; HOP: size/slide; CUMULATE: one per step up
 * to the size) and appends window_start, window_end and window_time (= window_end - 1 ms). A row whose
 * window already closed (window_end - 1 <= current watermark) is late: dropped and counted.
 *
 * WindowAggregateOp keeps accumulators per (window, key) and emits each window's rows as inserts when
 * the watermark reaches window_end - 1, then purges them: append-only output, state bounded by the
 * windows still open.
 */
import type { AggCall, WindowSpec } from '../planner/plan.ts';
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { applyAggs, groupKey, newAccs } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Counters shared by a job's operators. */
export interface JobMetrics {
  /** Rows dropped because their window had closed. */
  lateRecordsDropped: number;
  /** Rows read from sources. */
  rowsIn: number;
  /** Changelog rows handed to sinks (or collected for a SELECT). */
  rowsOut: number;
}

export class WindowTvfOp implements Downstream, Stateful {
  readonly #w: WindowSpec;
  readonly #time: number;
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #wm = Number.NEGATIVE_INFINITY;

  constructor(w: WindowSpec, timeIndex: number, down: Downstream, metrics: JobMetrics) {
    this.#w = w;
    this.#time = timeIndex;
    this.#down = down;
    this.#metrics = metrics;
  }

  /** The watermark (which rows are late). */
  snapshotState(): unknown {
    return { wm: this.#wm };
  }

  restoreState(state: unknown): void {
    this.#wm = stateObject(state, 'WindowTableFunction').wm as number;
  }

  stateEntries(): number {
    return 0;
  }

  #emit(kind: RowKind, row: Row, start: number, end: number): void {
    if (!this.#w.proctime && end - 1 <= this.#wm) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    const out = row.slice();
    out.push(start, end, end - 1);
    this.#down.push(kind, out);
  }

  push(kind: RowKind, row: Row): void {
    const ts = row[this.#time] as number | null;
    if (ts === null || ts === undefined) return;
    const { type, size, step, offset } = this.#w;
    if (type === 'SESSION') {
      // sessions are formed by the window aggregation that follows
      const out = row.slice();
      out.push(null, null, null);
      this.#down.push(kind, out);
    } else if (type === 'TUMBLE') {
      const start = ts - mod(ts - offset, size);
      this.#emit(kind, row, start, start + size);
    } else if (type === 'HOP') {
      const last = ts - mod(ts - offset, step);
      const starts: number[] = [];
      for (let s = last; s > ts - size; s -= step) starts.push(s);
      for (let i = starts.length - 1; i >= 0; i--) this.#emit(kind, row, starts[i]!, starts[i]! + size);
    } else {
      const start = ts - mod(ts - offset, size);
      for (let end = start + step; end <= start + size; end += step) if (ts < end) this.#emit(kind, row, start, end);
    }
  }

  watermark(ts: number): void {
    if (ts > this.#wm) this.#wm = ts;
    this.#down.watermark(ts);
  }

  end(): void {
    this.#down.end();
  }
}

interface WindowGroups {
  start: number;
  end: number;
  groups: Map<string, { key: Row; accs: unknown[]; distinct: Array<Map<string, number> | null> }>;
}

/** Processing-time firing: the clock, and a place to register the timer's cleanup. */
export interface ProcTime {
  now(): number;
  onClose(fn: () => void): void;
  /** What firing from the timer throws (fails the job). */
  onError(err: unknown): void;
  /** True while the job snapshots its state: the timer waits. */
  paused?(): boolean;
}

export class WindowAggregateOp implements Downstream, Stateful {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #aggs: AggCall[];
  readonly #startKey: number;
  readonly #endKey: number;
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #windows = new Map<string, WindowGroups>();
  #wm = Number.NEGATIVE_INFINITY;
  readonly #proc: ProcTime | null;

  constructor(
    keys: Array<(row: Row) => unknown>,
    aggs: AggCall[],
    startKey: number,
    endKey: number,
    down: Downstream,
    metrics: JobMetrics,
    proc: ProcTime | null = null,
  ) {
    this.#keys = keys;
    this.#aggs = aggs;
    this.#startKey = startKey;
    this.#endKey = endKey;
    this.#down = down;
    this.#metrics = metrics;
    this.#proc = proc;
    if (proc) {
      // processing-time windows close by the clock: check it now and then (and on every row)
      const timer = setInterval(() => {
        if (proc.paused?.()) return;
        try {
          this.#fire(proc.now(), false);
        } catch (err) {
          proc.onError(err);
        }
      }, 50);
      proc.onClose(() => clearInterval(timer));
    }
  }

  /** Open windows with their groups' accumulators, and the watermark (processing time: the windows only). */
  snapshotState(): unknown {
    return { windows: this.#windows, wm: this.#wm };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'WindowAggregate');
    if (!(s.windows instanceof Map)) throw new Error('Bad WindowAggregate state: windows');
    this.#windows = s.windows as Map<string, WindowGroups>;
    this.#wm = s.wm as number;
  }

  /** Groups held over all open windows. */
  stateEntries(): number {
    let n = 0;
    for (const w of this.#windows.values()) n += w.groups.size;
    return n;
  }

  push(_kind: RowKind, row: Row): void {
    const keyVals = new Array(this.#keys.length);
    for (let i = 0; i < keyVals.length; i++) keyVals[i] = this.#keys[i]!(row);
    const start = keyVals[this.#startKey] as number;
    const end = keyVals[this.#endKey] as number;
    if (this.#proc) this.#fire(this.#proc.now(), false);
    else if (end - 1 <= this.#wm) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    const wk = `${start}|${end}`;
    let w = this.#windows.get(wk);
    if (!w) {
      w = { start, end, groups: new Map() };
      this.#windows.set(wk, w);
    }
    const gk = groupKey(keyVals);
    let g = w.groups.get(gk);
    if (!g) {
      g = { key: keyVals, ...newAccs(this.#aggs) };
      w.groups.set(gk, g);
    }
    applyAggs(this.#aggs, g, row, true);
  }

  watermark(ts: number): void {
    if (ts <= this.#wm) return;
    this.#wm = ts;
    if (!this.#proc) this.#fire(ts, false);
    this.#down.watermark(ts);
  }

  /** Emits and purges the windows whose end − 1 ≤ `time` (every window with `all`). */
  #fire(time: number, all: boolean): void {
    const due: WindowGroups[] = [];
    for (const [k, w] of this.#windows) {
      if (all || w.end - 1 <= time) {
        due.push(w);
        this.#windows.delete(k);
      }
    }
    due.sort((a, b) => a.end - b.end || a.start - b.start);
    for (const w of due) {
      for (const g of w.groups.values()) {
        const out = g.key.slice();
        for (let j = 0; j < this.#aggs.length; j++) out.push(this.#aggs[j]!.fn.result(g.accs[j]));
        this.#down.push(RowKind.INSERT, out);
      }
    }
  }

  end(): void {
    // the end of input closes every window (processing-time ones too)
    this.#fire(Number.POSITIVE_INFINITY, true);
    this.#down.watermark(Number.POSITIVE_INFINITY);
    this.#down.end();
  }
}
