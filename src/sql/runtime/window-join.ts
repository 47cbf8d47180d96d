/**
 * Window join (Flink's WindowJoinOperator): both inputs carry window_start/window_end; rows are kept per
 * window and join key until the watermark reaches window_end - 1, then each key's rows of the two sides
 * are joined (with the ON filter), outer sides' unmatched rows padded with NULLs, and the window's state
 * is dropped. A row whose window already fired is late: dropped and counted. Append-only output; the
 * watermark is the minimum of both inputs and is forwarded after the windows it closes.
 */
import { type Downstream, type Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import type { Stateful } from './state/stateful.ts';
import { restoreInputs, stateObject } from './state/stateful.ts';
import type { JobMetrics } from './window.ts';

interface WindowState {
  start: number;
  end: number;
  /** Per side: rows by join key (insertion order kept). */
  sides: [Map<string, Row[]>, Map<string, Row[]>];
  /** Rows whose key has a NULL (never match), per side. */
  nullKeyed: [Row[], Row[]];
}

export class WindowJoinOp implements Stateful {
  readonly #keys: [Array<(row: Row) => unknown>, Array<(row: Row) => unknown>];
  readonly #windows: [[number, number], [number, number]];
  readonly #filter: ((row: Row) => boolean) | undefined;
  readonly #outer: [boolean, boolean];
  readonly #widths: [number, number];
  readonly #down: Downstream;
  readonly #metrics: JobMetrics;
  #state = new Map<string, WindowState>();
  readonly #wms: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  readonly #ended: [boolean, boolean] = [false, false];
  #wm = Number.NEGATIVE_INFINITY;

  constructor(opts: {
    leftKeys: Array<(row: Row) => unknown>;
    rightKeys: Array<(row: Row) => unknown>;
    leftWindow: [number, number];
    rightWindow: [number, number];
    filter: ((row: Row) => boolean) | undefined;
    outer: [boolean, boolean];
    widths: [number, number];
    down: Downstream;
    metrics: JobMetrics;
  }) {
    this.#keys = [opts.leftKeys, opts.rightKeys];
    this.#windows = [opts.leftWindow, opts.rightWindow];
    this.#filter = opts.filter;
    this.#outer = opts.outer;
    this.#widths = opts.widths;
    this.#down = opts.down;
    this.#metrics = opts.metrics;
  }

  /** Number of rows held in state. */
  get stateSize(): number {
    let n = 0;
    for (const w of this.#state.values())
      for (let s = 0; s < 2; s++) {
        n += w.nullKeyed[s]!.length;
        for (const rows of w.sides[s]!.values()) n += rows.length;
      }
    return n;
  }

  /** Open windows with both sides' rows, input watermarks, ended flags and the watermark. */
  snapshotState(): unknown {
    return { windows: this.#state, wms: this.#wms, ended: this.#ended, wm: this.#wm };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'WindowJoin');
    if (!(s.windows instanceof Map)) throw new Error('Bad WindowJoin state: windows');
    this.#state = s.windows as Map<string, WindowState>;
    restoreInputs(s, this.#wms, this.#ended);
    this.#wm = s.wm as number;
  }

  stateEntries(): number {
    return this.stateSize;
  }

  input(side: 0 | 1): Downstream {
    return {
      push: (_kind, row) => this.#push(side, row),
      watermark: (ts) => {
        this.#wms[side] = ts;
        this.#advance(Math.min(this.#wms[0], this.#wms[1]));
      },
      end: () => {
        this.#ended[side] = true;
        this.#wms[side] = Number.POSITIVE_INFINITY;
        this.#advance(Math.min(this.#wms[0], this.#wms[1]));
        if (this.#ended[0] && this.#ended[1]) this.#down.end();
      },
    };
  }

  #push(side: 0 | 1, row: Row): void {
    const [si, ei] = this.#windows[side];
    const start = row[si] as number | null;
    const end = row[ei] as number | null;
    if (start === null || end === null) return;
    if (end - 1 <= this.#wm) {
      this.#metrics.lateRecordsDropped++;
      return;
    }
    const wk = `${start}|${end}`;
    let w = this.#state.get(wk);
    if (!w) this.#state.set(wk, (w = { start, end, sides: [new Map(), new Map()], nullKeyed: [[], []] }));
    const kv = this.#keys[side].map((f) => f(row));
    if (kv.some((v) => v === null)) {
      w.nullKeyed[side].push(row);
      return;
    }
    const k = groupKey(kv);
    const m = w.sides[side];
    const rows = m.get(k);
    if (rows) rows.push(row);
    else m.set(k, [row]);
  }

  #padded(side: 0 | 1, row: Row): Row {
    const nulls = new Array(this.#widths[side === 0 ? 1 : 0]).fill(null);
    return side === 0 ? [...row, ...nulls] : [...nulls, ...row];
  }

  #advance(wm: number): void {
    if (wm <= this.#wm) return;
    this.#wm = wm;
    const due: WindowState[] = [];
    for (const [k, w] of this.#state)
      if (w.end - 1 <= wm) {
        due.push(w);
        this.#state.delete(k);
      }
    due.sort((a, b) => a.end - b.end || a.start - b.start);
    for (const w of due) this.#fire(w);
    if (wm !== Number.POSITIVE_INFINITY) this.#down.watermark(wm);
  }

  #fire(w: WindowState): void {
    const [lefts, rights] = w.sides;
    const rightMatched = new Set<Row>();
    for (const [k, ls] of lefts) {
      const rs = rights.get(k) ?? [];
      for (const l of ls) {
        let matched = false;
        for (const r of rs) {
          const joined = [...l, ...r];
          if (this.#filter && !this.#filter(joined)) continue;
          this.#down.push(RowKind.INSERT, joined);
          matched = true;
          rightMatched.add(r);
        }
        if (!matched && this.#outer[0]) this.#down.push(RowKind.INSERT, this.#padded(0, l));
      }
    }
    if (this.#outer[0]) for (const l of w.nullKeyed[0]) this.#down.push(RowKind.INSERT, this.#padded(0, l));
    if (this.#outer[1]) {
      for (const rs of rights.values())
        for (const r of rs) if (!rightMatched.has(r)) this.#down.push(RowKind.INSERT, this.#padded(1, r));
      for (const r of w.nullKeyed[1]) this.#down.push(RowKind.INSERT, this.#padded(1, r));
    }
  }
}
