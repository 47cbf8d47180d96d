/**
 * The scan operator: the SourceOutput a source writes to. It fills computed columns, then tracks the
 * watermark per source partition (the maximum of the watermark expression over the partition's rows) and
 * emits the minimum over partitions that are neither finished nor idle. A partition without rows for the
 * idle timeout stops holding the watermark back until its next row (Flink's idleness); when every
 * partition is idle or finished the watermark is the highest among them.
 *
 * Its checkpointed state is the per-partition watermarks, ended and idle flags and the current watermark (not
 * the idleness timer's bookkeeping). A restored scan keeps them across the source's `setPartitions` call when
 * the partition count is unchanged; with another count it keeps the current watermark and the first
 * partitions' state, new partitions starting without a watermark.
 */
import type { SourceOutput } from '../connectors/connector.ts';
import type { ExprContext } from '../planner/expr.ts';
import type { Downstream, Row, RowKind } from './changelog.ts';
import type { Stateful } from './state/stateful.ts';
import { stateObject } from './state/stateful.ts';
import type { JobMetrics } from './window.ts';

/** What the scan needs of its plan node (a VALUES node runs as a scan without computed columns). */
export interface ScanSpec {
  /** For each output column: index in the source row, or -1 for a computed column. */
  sourceIndex: number[];
  computed: Array<{ index: number; eval: (row: Row) => unknown }>;
  watermark?: { eval: (row: Row) => unknown };
  idleTimeoutMs: number;
}

interface ScanState {
  wms: number[];
  ended: boolean[];
  idle: boolean[];
  current: number;
}

export class ScanOp implements SourceOutput, Stateful {
  readonly #node: ScanSpec;
  readonly #down: Downstream;
  readonly #ctx: ExprContext;
  readonly #metrics: JobMetrics;
  readonly #drain: () => Promise<void>;
  readonly #checkpoint: () => Promise<void>;
  readonly #identity: boolean;
  #wms: number[] = [Number.NEGATIVE_INFINITY];
  #ended: boolean[] = [false];
  #idle: boolean[] = [false];
  #activity: number[] = [0];
  #seen: number[] = [0];
  #lastActive: number[] = [Date.now()];
  #current = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  /** What restoreState gave, applied again by setPartitions (the source announces its partitions after it). */
  #restored: ScanState | null = null;

  /** `onError` receives what the idle-partition timer throws (rows pushed from a timer fail the job). */
  constructor(
    node: ScanSpec,
    down: Downstream,
    ctx: ExprContext,
    metrics: JobMetrics,
    drain: () => Promise<void>,
    onError: (err: unknown) => void = () => {},
    checkpoint: () => Promise<void> = drain,
    paused: () => boolean = () => false,
  ) {
    this.#node = node;
    this.#down = down;
    this.#ctx = ctx;
    this.#metrics = metrics;
    this.#drain = drain;
    this.#checkpoint = checkpoint;
    this.#identity = node.computed.length === 0 && node.sourceIndex.every((s, i) => s === i);
    if (node.watermark && node.idleTimeoutMs > 0) {
      const every = Math.max(5, Math.min(200, node.idleTimeoutMs / 2));
      this.#timer = setInterval(() => {
        // while the job snapshots its state, idleness (which moves the watermark) waits
        if (paused()) return;
        try {
          this.#checkIdle();
        } catch (err) {
          onError(err);
        }
      }, every);
    }
  }

  setPartitions(n: number): void {
    const now = Date.now();
    this.#wms = new Array(n).fill(Number.NEGATIVE_INFINITY);
    this.#ended = new Array(n).fill(false);
    this.#idle = new Array(n).fill(false);
    this.#activity = new Array(n).fill(0);
    this.#seen = new Array(n).fill(0);
    this.#lastActive = new Array(n).fill(now);
    const r = this.#restored;
    if (r) {
      for (let p = 0; p < Math.min(n, r.wms.length); p++) {
        this.#wms[p] = r.wms[p]!;
        this.#ended[p] = r.ended[p]!;
        this.#idle[p] = r.idle[p]!;
      }
    }
  }

  snapshotState(): unknown {
    return { wms: this.#wms, ended: this.#ended, idle: this.#idle, current: this.#current };
  }

  restoreState(state: unknown): void {
    const s = stateObject(state, 'Scan');
    if (!Array.isArray(s.wms) || !Array.isArray(s.ended) || !Array.isArray(s.idle)) throw new Error('Bad Scan state');
    const r: ScanState = {
      wms: s.wms as number[],
      ended: s.ended as boolean[],
      idle: s.idle as boolean[],
      current: s.current as number,
    };
    this.#restored = r;
    this.#current = r.current;
    if (Number.isFinite(r.current)) this.#ctx.eval.currentWatermark = r.current;
    const n = r.wms.length;
    this.#wms = r.wms.slice();
    this.#ended = r.ended.slice();
    this.#idle = r.idle.slice();
    this.#activity = new Array(n).fill(0);
    this.#seen = new Array(n).fill(0);
    this.#lastActive = new Array(n).fill(Date.now());
  }

  stateEntries(): number {
    return 0;
  }

  emit(partition: number, kind: RowKind, src: Row): void {
    this.#metrics.rowsIn++;
    const node = this.#node;
    let row: Row;
    if (this.#identity) row = src;
    else {
      const si = node.sourceIndex;
      row = new Array(si.length);
      for (let i = 0; i < si.length; i++) row[i] = si[i]! >= 0 ? src[si[i]!] : null;
      for (const c of node.computed) row[c.index] = c.eval(row);
    }
    this.#down.push(kind, row);
    const wm = node.watermark;
    if (!wm) return;
    this.#activity[partition]!++;
    if (this.#idle[partition]) {
      this.#idle[partition] = false;
      this.#lastActive[partition] = Date.now();
    }
    const w = wm.eval(row) as number | null;
    if (w !== null && w > this.#wms[partition]!) {
      this.#wms[partition] = w;
      this.#advance();
    }
  }

  endPartition(partition: number): void {
    this.#ended[partition] = true;
    this.#advance();
  }

  drain(): Promise<void> {
    return this.#drain();
  }

  checkpoint(): Promise<void> {
    return this.#checkpoint();
  }

  #checkIdle(): void {
    const now = Date.now();
    let changed = false;
    for (let p = 0; p < this.#wms.length; p++) {
      if (this.#activity[p] !== this.#seen[p]) {
        this.#seen[p] = this.#activity[p]!;
        this.#lastActive[p] = now;
      } else if (!this.#idle[p] && !this.#ended[p] && now - this.#lastActive[p]! >= this.#node.idleTimeoutMs) {
        this.#idle[p] = true;
        changed = true;
      }
    }
    if (changed) this.#advance();
  }

  #advance(): void {
    if (!this.#node.watermark) return;
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (let p = 0; p < this.#wms.length; p++) {
      if (this.#ended[p] || this.#idle[p]) continue;
      active++;
      if (this.#wms[p]! < min) min = this.#wms[p]!;
    }
    if (active === 0) {
      // every partition idle or finished: the highest watermark among them, so that a partition that had
      // data and went quiet does not leave the stream stuck (all finished: finish() ends the stream)
      if (!this.#idle.some(Boolean)) return;
      for (let p = 0; p < this.#wms.length; p++)
        if (min === Number.POSITIVE_INFINITY || this.#wms[p]! > min) min = this.#wms[p]!;
    }
    if (min > this.#current && Number.isFinite(min)) {
      this.#current = min;
      this.#ctx.eval.currentWatermark = min;
      this.#down.watermark(min);
    }
  }

  /** The source ended: the final watermark (end of time), then end of input. */
  finish(): void {
    this.close();
    this.#down.watermark(Number.POSITIVE_INFINITY);
    this.#down.end();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
