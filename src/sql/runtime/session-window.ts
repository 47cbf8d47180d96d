/**
 * Session window aggregation (the legacy `GROUP BY key, SESSION(rowtime, gap)`, and GROUP BY window_start,
 * window_end, ... over the SESSION window TVF, whose window columns are filled here): per key, sessions of rows
 * less than `gap` apart. A row opens [ts, ts + gap) and merges every session it overlaps. A session is
 * emitted once the watermark reaches its end − 1, then purged: append-only output
 * [keys..., aggregates..., start, end, rowtime]. Sessions keep their rows until they fire (the
 * accumulators are built then), so merging needs no accumulator merge. A row whose own session would
 * already have closed is late: dropped and counted.
 */
import type { AggCall } from '../planner/plan.ts';
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { applyAggs, groupKey, newAccs } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import type { JobMetrics } from './window.ts';

interface Session {
  start: number;
  end: number;
  rows: Row[];
}

export class SessionWindowOp implements Downstream, Stateful {
  readonly #keys: Array<(row: Row) => unknown>;
  readonly #aggs: AggCall[];
  readonly #time: (row: Row) => unknown;
  readonly #gap: number;
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #state = new Map<string, { key: Row; sessions: Session[] }>();
  #wm = Number.NEGATIVE_INFINITY;
  readonly #windowKeys: [number, number] | undefined;

  constructor(
    keys: Array<(row: Row) => unknown>,
    aggs: AggCall[],
    time: (row: Row) => unknown,
    gap: number,
    down: Downstream,
    metrics: JobMetrics,
    windowKeys?: [number, number],
  ) {
    this.#windowKeys = windowKeys;
    this.#keys = keys;
    this.#aggs = aggs;
    this.#time = time;
    this.#gap = gap;
    this.#down = down;
    this.#metrics = metrics;
  }

  /** Open sessions per key (with their rows) and the watermark. */
  snapshotState(): unknown {
    return { keys: this.#state, wm: this.#wm };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'SessionWindow');
    if (!(s.keys instanceof Map)) throw new Error('Bad SessionWindow state: keys');
    this.#state = s.keys as Map<string, { key: Row; sessions: Session[] }>;
    this.#wm = s.wm as number;
  }

  /** Rows held in open sessions. */
  stateEntries(): number {
    let n = 0;
    for (const e of this.#state.values()) for (const s of e.sessions) n += s.rows.length;
    return n;
  }

  push(_kind: RowKind, row: Row): void {
    const ts = this.#time(row) as number | null;
    if (ts === null) return;
    if (ts + this.#gap - 1 <= this.#wm) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    const keyVals = this.#keys.map((k) => k(row));
    const k = groupKey(keyVals);
    let entry = this.#state.get(k);
    if (!entry) this.#state.set(k, (entry = { key: keyVals, sessions: [] }));
    let merged: Session = { start: ts, end: ts + this.#gap, rows: [row] };
    const keep: Session[] = [];
    for (const s of entry.sessions) {
      if (s.start < merged.end && merged.start < s.end) {
        merged = {
          start: Math.min(s.start, merged.start),
          end: Math.max(s.end, merged.end),
          rows: [...s.rows, ...merged.rows],
        };
      } else keep.push(s);
    }
    keep.push(merged);
    entry.sessions = keep;
  }

  watermark(ts: number): void {
    if (ts <= this.#wm) return;
    this.#wm = ts;
    const due: Array<{ key: Row; s: Session }> = [];
    for (const [k, entry] of this.#state) {
      const open: Session[] = [];
      for (const s of entry.sessions) s.end - 1 <= ts ? due.push({ key: entry.key, s }) : open.push(s);
      if (open.length) entry.sessions = open;
      else this.#state.delete(k);
    }
    due.sort((a, b) => a.s.end - b.s.end);
    for (const { key, s } of due) {
      const st = newAccs(this.#aggs);
      for (const r of s.rows) applyAggs(this.#aggs, st, r, true);
      const out = key.slice();
      for (let j = 0; j < this.#aggs.length; j++) out.push(this.#aggs[j]!.fn.result(st.accs[j]));
      if (this.#windowKeys) {
        out[this.#windowKeys[0]] = s.start;
        out[this.#windowKeys[1]] = s.end;
      } else out.push(s.start, s.end, s.end - 1);
      this.#down.push(RowKind.INSERT, out);
    }
    this.#down.watermark(ts);
  }

  end(): void {
    this.watermark(Number.POSITIVE_INFINITY);
    this.#down.end();
  }
}
