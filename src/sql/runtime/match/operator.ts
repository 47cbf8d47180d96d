/**
 * MATCH_RECOGNIZE: one append-only row per match, like Flink's CepOperator with its NFA.
 *
 * Rows are buffered per partition; with an event-time ORDER BY a partition's rows are sorted and run
 * through the matcher when the watermark passes them (rows at or below the watermark on arrival are late:
 * dropped and counted); with processing time they run on arrival.
 *
 * The matcher keeps, per partition, every partial match as a computation state (pattern element, count
 * taken in it, the rows so far) and advances all of them with each row, as Flink's NFA does: a new match
 * may start at every row, an element takes a row when its DEFINE condition holds, and moves on to the next
 * element (without consuming) once its minimum count is reached. Greedy quantifiers follow Flink: the row
 * after a greedy element may only enter the next element when the greedy element's condition is false on
 * it. A match completes when the last element is done; it is emitted once no partial match that started
 * earlier is still alive (the earliest-starting match wins, and among those the one that completed
 * first), and the AFTER MATCH SKIP strategy then discards partial and completed matches that start before
 * its target row. WITHIN discards partial matches whose next row (or the watermark) is `within` or more
 * after their first row. For PREV, each partition keeps its last `prevDepth` rows and every partial match
 * the rows that preceded its first row.
 *
 * Why an NFA over all partial matches rather than a backtracking matcher: the stream never says "no more
 * rows" (until the end of a bounded input), so a matcher must advance every candidate start together and
 * emit as soon as the result is certain; this is also what makes the results Flink's (earliest-completing
 * path of the earliest start, greedy by exclusion). States copy their row lists when they branch —
 * simple, and linear in the match length (Flink's shared buffer would share the prefixes).
 */
import type { Downstream, Row, RowKind } from '../changelog.ts';
import { RowKind as Kind } from '../changelog.ts';
import { groupKey } from '../group-aggregate.ts';
import type { Stateful } from '../state/stateful.ts';
import { stateObject } from '../state/stateful.ts';
import type { JobMetrics } from '../window.ts';
import type { MatchContext, MatchSpec } from './spec.ts';

const NONE: Row[] = [];

/** A partial (or completed) match. */
interface State {
  elem: number;
  count: number;
  /** Sequence number (within the partition) of the first row. */
  start: number;
  startTs: number;
  rows: Row[];
  labels: number[];
  /** Sequence numbers of the rows. */
  seqs: number[];
  /** The partition's rows before the first one, for PREV (MatchContext.before). */
  before: Row[];
}

interface Partition {
  /** The key in MatchOp's map. */
  gk: string;
  key: Row;
  /** Rows waiting for the watermark (event time). */
  buffer: Array<{ row: Row; ts: number; arrival: number }>;
  partials: State[];
  completed: State[];
  /** Rows processed so far (the next row's sequence number). */
  next: number;
  /** The last `prevDepth` rows processed. */
  history: Row[];
  /** With WITHIN: when its earliest partial match expires (NaN: none). */
  expiry: number;
}

interface Expiry {
  at: number;
  p: Partition;
}

function heapPush(h: Expiry[], e: Expiry): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (h[up]!.at <= e.at) break;
    h[i] = h[up]!;
    i = up;
  }
  h[i] = e;
}

function heapPop(h: Expiry[]): Expiry {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]!.at < h[l]!.at ? l + 1 : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}

export class MatchOp implements Downstream, Stateful {
  readonly #spec: MatchSpec;
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #partitions = new Map<string, Partition>();
  /** Partitions with rows waiting for the watermark. */
  #buffered = new Set<Partition>();
  /** With WITHIN: partitions with partial matches, and when their earliest partial match expires (a min-heap). */
  #timed = new Set<Partition>();
  #expiries: Expiry[] = [];
  #wm = Number.NEGATIVE_INFINITY;
  #arrival = 0;

  constructor(spec: MatchSpec, down: Downstream, metrics: JobMetrics) {
    this.#spec = spec;
    this.#down = down;
    this.#metrics = metrics;
  }

  /**
   * Partitions (buffered rows, partial and completed matches, PREV history), the sets and the WITHIN heap
   * that refer to them (shared objects: the codec keeps the identity), the watermark and the arrival counter.
   */
  snapshotState(): unknown {
    return {
      partitions: this.#partitions,
      buffered: this.#buffered,
      timed: this.#timed,
      expiries: this.#expiries,
      wm: this.#wm,
      arrival: this.#arrival,
    };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Match');
    if (
      !(s.partitions instanceof Map) ||
      !(s.buffered instanceof Set) ||
      !(s.timed instanceof Set) ||
      !Array.isArray(s.expiries)
    )
      throw new Error('Bad Match state');
    this.#partitions = s.partitions as Map<string, Partition>;
    this.#buffered = s.buffered as Set<Partition>;
    this.#timed = s.timed as Set<Partition>;
    this.#expiries = s.expiries as Expiry[];
    this.#wm = s.wm as number;
    this.#arrival = s.arrival as number;
  }

  /** Buffered rows plus partial and completed matches over all partitions. */
  stateEntries(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.buffer.length + p.partials.length + p.completed.length;
    return n;
  }

  push(_kind: RowKind, row: Row): void {
    const spec = this.#spec;
    const key = spec.partitionKeys.map((k) => k(row));
    const gk = groupKey(key);
    let p = this.#partitions.get(gk);
    if (!p) {
      p = { gk, key, buffer: [], partials: [], completed: [], next: 0, history: [], expiry: Number.NaN };
      this.#partitions.set(gk, p);
    }
    if (spec.timeIndex === null) {
      this.#process(p, row, Date.now());
      this.#emitReady(p);
      this.#settle(p);
      return;
    }
    const ts = row[spec.timeIndex] as number | null;
    if (ts === null || ts === undefined) return;
    if (ts <= this.#wm) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    p.buffer.push({ row, ts, arrival: this.#arrival++ });
    this.#buffered.add(p);
  }

  watermark(ts: number): void {
    if (ts <= this.#wm) return;
    this.#wm = ts;
    if (this.#spec.timeIndex !== null) this.#advance(ts);
    this.#down.watermark(ts);
  }

  end(): void {
    if (this.#spec.timeIndex !== null) this.#advance(Number.POSITIVE_INFINITY);
    this.#down.watermark(Number.POSITIVE_INFINITY);
    this.#down.end();
  }

  /** Runs the rows at or below `wm` of every partition in order, then times out partial matches. */
  #advance(wm: number): void {
    const secondary = this.#spec.secondary;
    const within = this.#spec.within;
    for (const p of this.#buffered) {
      const due = p.buffer.filter((b) => b.ts <= wm);
      if (due.length === 0) continue;
      p.buffer = p.buffer.filter((b) => b.ts > wm);
      if (p.buffer.length === 0) this.#buffered.delete(p);
      due.sort((a, b) => a.ts - b.ts || (secondary ? secondary(a.row, b.row) : 0) || a.arrival - b.arrival);
      for (const d of due) {
        this.#process(p, d.row, d.ts);
        this.#emitReady(p);
      }
      this.#settle(p);
    }
    if (within !== null)
      while (this.#expiries.length > 0 && this.#expiries[0]!.at <= wm) {
        const p = heapPop(this.#expiries).p;
        if (!this.#timed.has(p)) continue;
        const before = p.partials.length;
        p.partials = p.partials.filter((s) => wm - s.startTs < within);
        if (p.partials.length !== before) this.#emitReady(p);
        this.#settle(p);
      }
  }

  /** Files the partition under the sets the watermark visits; forgets it when nothing is left of it. */
  #settle(p: Partition): void {
    const within = this.#spec.within;
    // (processing time: partial matches time out when the partition's next row comes)
    if (within !== null && this.#spec.timeIndex !== null && p.partials.length > 0) {
      this.#timed.add(p);
      let first = Number.POSITIVE_INFINITY;
      for (const st of p.partials) if (st.startTs < first) first = st.startTs;
      if (first + within !== p.expiry) {
        p.expiry = first + within;
        heapPush(this.#expiries, { at: p.expiry, p });
      }
    } else {
      this.#timed.delete(p);
      p.expiry = Number.NaN;
    }
    // nothing buffered, no match under way, no rows kept for PREV
    if (this.#spec.prevDepth === 0 && p.buffer.length === 0 && p.partials.length === 0 && p.completed.length === 0)
      this.#partitions.delete(p.gk);
  }

  /** Advances every partial match of the partition (and a new one starting here) with one row. */
  #process(p: Partition, row: Row, ts: number): void {
    const spec = this.#spec;
    const within = spec.within;
    const seq = p.next++;
    const states = within === null ? p.partials : p.partials.filter((s) => ts - s.startTs < within);
    const before = spec.prevDepth > 0 ? p.history.slice() : NONE;
    states.push({ elem: 0, count: 0, start: seq, startTs: ts, rows: [], labels: [], seqs: [], before });
    const partials: State[] = [];
    for (const s of states) this.#consume(s, s.elem, s.count, row, seq, partials, p.completed);
    p.partials = partials;
    if (spec.prevDepth > 0) {
      p.history.push(row);
      if (p.history.length > spec.prevDepth) p.history.shift();
    }
  }

  /** Whether variable of element `i` may take `row` after the rows of `s`. */
  #holds(i: number, s: State, row: Row): boolean {
    const v = this.#spec.elements[i]!.varId;
    const cond = this.#spec.defines[v];
    if (!cond) return true;
    const ctx: MatchContext = { rows: s.rows, labels: s.labels, before: s.before };
    s.rows.push(row);
    s.labels.push(v);
    try {
      return cond(ctx);
    } finally {
      s.rows.pop();
      s.labels.pop();
    }
  }

  /** State `s` sits at element `i` with `count` rows taken in it; `row` arrives. */
  #consume(s: State, i: number, count: number, row: Row, seq: number, partials: State[], completed: State[]): void {
    const els = this.#spec.elements;
    if (i === els.length) {
      // reached the end without taking this row
      if (s.rows.length > 0) completed.push({ ...s, elem: i, count: 0 });
      return;
    }
    const el = els[i]!;
    // a greedy element before this one keeps every row it can take
    if (count === 0 && i > 0 && els[i - 1]!.greedy && this.#holds(i - 1, s, row)) return;
    if (count < el.max && this.#holds(i, s, row)) {
      const taken: State = {
        elem: i,
        count: count + 1,
        start: s.start,
        startTs: s.startTs,
        rows: [...s.rows, row],
        labels: [...s.labels, el.varId],
        seqs: [...s.seqs, seq],
        before: s.before,
      };
      if (count + 1 === el.max) {
        taken.elem = i + 1;
        taken.count = 0;
        if (i + 1 === els.length) completed.push(taken);
        else partials.push(taken);
      } else partials.push(taken);
    }
    if (count >= el.min) this.#consume(s, i + 1, 0, row, seq, partials, completed);
  }

  /** Emits completed matches no earlier partial match can precede, applying the skip strategy. */
  #emitReady(p: Partition): void {
    while (p.completed.length > 0) {
      let best = 0;
      for (let k = 1; k < p.completed.length; k++) if (p.completed[k]!.start < p.completed[best]!.start) best = k;
      const m = p.completed[best]!;
      if (p.partials.some((s) => s.start < m.start)) return;
      p.completed.splice(best, 1);
      const target = this.#skipTarget(m);
      p.partials = p.partials.filter((s) => s.start >= target);
      p.completed = p.completed.filter((s) => s.start >= target);
      const ctx: MatchContext = { rows: m.rows, labels: m.labels, before: m.before };
      const out = p.key.slice();
      for (const f of this.#spec.measures) out.push(f(ctx));
      this.#down.push(Kind.INSERT, out);
    }
  }

  /** The first row (sequence number) a later match may start at. */
  #skipTarget(m: State): number {
    const skip = this.#spec.skip;
    switch (skip.type) {
      case 'PAST LAST ROW':
        return m.seqs[m.seqs.length - 1]! + 1;
      case 'TO NEXT ROW':
        return m.start + 1;
      default: {
        const idx = skip.type === 'TO FIRST' ? m.labels.indexOf(skip.varId) : m.labels.lastIndexOf(skip.varId);
        const name = this.#spec.varNames[skip.varId];
        if (idx < 0) throw new Error(`Could not skip to ${name}. No such element in the found match.`);
        const target = m.seqs[idx]!;
        if (target <= m.start) throw new Error('Could not skip to first element of a match.');
        return target;
      }
    }
  }
}
