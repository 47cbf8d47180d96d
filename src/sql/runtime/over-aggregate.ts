/**
 * OVER aggregation (Flink's OverAggregate): each input row is emitted once, with the aggregates over its
 * frame in its partition appended.
 *
 * Event time: rows wait in their partition until the watermark reaches their rowtime, then are handled
 * in rowtime order (arrival order among equal times). Late rows are dropped and counted, as Flink
 * decides it: with an UNBOUNDED PRECEDING frame a row at or behind the watermark; with a bounded frame
 * a row whose rowtime is not after the last rowtime already handled in its partition. Processing time:
 * rows are handled on arrival.
 *
 * Frames: ROWS n PRECEDING (the n rows before and the row), RANGE t PRECEDING (rows whose time is within
 * t before the row's, its peers with the same time included, so peers share one result), UNBOUNDED
 * PRECEDING for both (incremental accumulators).
 */
import type { AggCall } from '../planner/plan.ts';
import type { Downstream, Row } from './changelog.ts';
import { RowKind } from './changelog.ts';
import { applyAggs, groupKey, newAccs } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import type { JobMetrics } from './window.ts';

export interface OverSpec {
  partitionKeys: Array<(row: Row) => unknown>;
  timeIndex: number;
  rowtime: boolean;
  rows: boolean;
  /** ROWS: rows; RANGE: ms; Infinity: UNBOUNDED PRECEDING. */
  preceding: number;
  aggs: AggCall[];
}

interface Partition {
  /** Rows waiting for the watermark (event time). */
  pending: Row[];
  /** Rows of the bounded frame so far, oldest first. */
  history: Row[];
  /** Accumulators of an unbounded frame. */
  acc: ReturnType<typeof newAccs> | null;
  /** Rowtime of the last row handled. */
  last: number;
}

export class OverAggregateOp implements Downstream, Stateful {
  readonly #s: OverSpec;
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #parts = new Map<string, Partition>();
  /** Partitions with rows waiting for the watermark. */
  #waiting = new Set<Partition>();
  #wm = Number.NEGATIVE_INFINITY;

  constructor(spec: OverSpec, down: Downstream, metrics: JobMetrics) {
    this.#s = spec;
    this.#down = down;
    this.#metrics = metrics;
  }

  /** Partitions (waiting rows, frame rows, accumulators, last time), which are waiting, and the watermark. */
  snapshotState(): unknown {
    return { parts: this.#parts, waiting: this.#waiting, wm: this.#wm };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'OverAggregate');
    if (!(s.parts instanceof Map) || !(s.waiting instanceof Set)) throw new Error('Bad OverAggregate state');
    this.#parts = s.parts as Map<string, Partition>;
    this.#waiting = s.waiting as Set<Partition>;
    this.#wm = s.wm as number;
  }

  /** Partitions plus the rows they hold (waiting and in bounded frames). */
  stateEntries(): number {
    let n = this.#parts.size;
    for (const p of this.#parts.values()) n += p.pending.length + p.history.length;
    return n;
  }

  push(_kind: RowKind, row: Row): void {
    const s = this.#s;
    const kv = new Array(s.partitionKeys.length);
    for (let i = 0; i < kv.length; i++) kv[i] = s.partitionKeys[i]!(row);
    const k = kv.length === 0 ? '' : groupKey(kv);
    let p = this.#parts.get(k);
    if (!p) {
      p = { pending: [], history: [], acc: null, last: Number.NEGATIVE_INFINITY };
      this.#parts.set(k, p);
    }
    const t = row[s.timeIndex] as number | null;
    if (t === null || t === undefined) return;
    if (!s.rowtime) {
      const out: Row[] = [];
      this.#handle(p, [row], out);
      for (const r of out) this.#down.push(RowKind.INSERT, r);
      return;
    }
    // Flink: UNBOUNDED PRECEDING frames drop rows at or behind the watermark
    // (AbstractRowTimeUnboundedPrecedingOver); bounded frames only rows at or before the last
    // time already handled for the key (RowTime*BoundedPrecedingFunction's lastTriggeringTs).
    if (t <= p.last || (!Number.isFinite(s.preceding) && t <= this.#wm)) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    p.pending.push(row);
    this.#waiting.add(p);
  }

  /** Handles rows of one partition with the same time (RANGE peers) or one row (ROWS). */
  #handle(p: Partition, rows: Row[], out: Row[]): void {
    const s = this.#s;
    const t = rows[0]![s.timeIndex] as number;
    p.last = t;
    const result = (acc: ReturnType<typeof newAccs>) => s.aggs.map((a, j) => a.fn.result(acc.accs[j]));
    if (!Number.isFinite(s.preceding)) {
      p.acc ??= newAccs(s.aggs);
      if (s.rows) {
        for (const r of rows) {
          applyAggs(s.aggs, p.acc, r, true);
          out.push([...r, ...result(p.acc)]);
        }
        return;
      }
      for (const r of rows) applyAggs(s.aggs, p.acc, r, true);
      const res = result(p.acc);
      for (const r of rows) out.push([...r, ...res]);
      return;
    }
    const frame = (rs: Row[]) => {
      const acc = newAccs(s.aggs);
      for (const r of rs) applyAggs(s.aggs, acc, r, true);
      return result(acc);
    };
    if (s.rows) {
      for (const r of rows) {
        p.history.push(r);
        if (p.history.length > s.preceding + 1) p.history.splice(0, p.history.length - s.preceding - 1);
        out.push([...r, ...frame(p.history)]);
      }
      return;
    }
    for (const r of rows) p.history.push(r);
    let drop = 0;
    while (drop < p.history.length && (p.history[drop]![s.timeIndex] as number) < t - s.preceding) drop++;
    if (drop) p.history.splice(0, drop);
    const res = frame(p.history);
    for (const r of rows) out.push([...r, ...res]);
  }

  /** Handles the waiting rows with rowtime ≤ `time`, in rowtime order (all partitions). */
  #fire(time: number): void {
    const s = this.#s;
    const ti = s.timeIndex;
    const out: Array<{ t: number; row: Row }> = [];
    for (const p of this.#waiting) {
      const due = p.pending.filter((r) => (r[ti] as number) <= time);
      if (due.length === 0) continue;
      p.pending = p.pending.filter((r) => (r[ti] as number) > time);
      if (p.pending.length === 0) this.#waiting.delete(p);
      due.sort((a, b) => (a[ti] as number) - (b[ti] as number));
      const rows: Row[] = [];
      for (let i = 0; i < due.length; ) {
        let j = i + 1;
        if (!s.rows) while (j < due.length && due[j]![ti] === due[i]![ti]) j++;
        this.#handle(p, due.slice(i, j), rows);
        i = j;
      }
      for (const r of rows) out.push({ t: r[ti] as number, row: r });
    }
    out.sort((a, b) => a.t - b.t);
    for (const o of out) this.#down.push(RowKind.INSERT, o.row);
  }

  watermark(ts: number): void {
    if (ts <= this.#wm) return;
    this.#wm = ts;
    if (this.#s.rowtime) this.#fire(ts);
    this.#down.watermark(ts);
  }

  end(): void {
    if (this.#s.rowtime) this.#fire(Number.POSITIVE_INFINITY);
    this.#down.watermark(Number.POSITIVE_INFINITY);
    this.#down.end();
  }
}
