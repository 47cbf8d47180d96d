/**
 * A running statement: the plan turned into operators, its sources running as async loops that push rows
 * synchronously through the operator chain into sinks (or a result collector).
 *
 * Lifecycle: CREATED → RUNNING → FINISHED (every bounded source ended and sinks flushed)
 *                              → FAILED (an operator, source or sink threw: the other sources are stopped)
 *                              → CANCELED (stop())
 * `wait()` resolves at FINISHED/CANCELED and rejects with the error at FAILED.
 */
import type { SinkRuntime, SourceRuntime } from '../connectors/connector.ts';
import type { ExprContext } from '../planner/expr.ts';
import type { PlanNode, WindowSpec } from '../planner/plan.ts';
import { CalcOp } from './calc.ts';
import type { Downstream, Field, Row, RowKind } from './changelog.ts';
import { CollectOp } from './collect.ts';
import { CorrelateOp } from './correlate.ts';
import { DeduplicateOp } from './deduplicate.ts';
import { GroupAggregateOp } from './group-aggregate.ts';
import { timeJoinOp } from './interval-join.ts';
import { JoinOp } from './join.ts';
import { MatchOp } from './match/operator.ts';
import { OverAggregateOp } from './over-aggregate.ts';
import { rankOp } from './rank.ts';
import { ScanOp } from './scan.ts';
import { SessionWindowOp } from './session-window.ts';
import { SortLimitOp } from './sort-limit.ts';
import { UnionOp } from './union.ts';
import { type JobMetrics, WindowAggregateOp, WindowTvfOp } from './window.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

let nextId = 1;

/** The window TVF feeding a window aggregate (through Calcs). */
function windowOf(n: PlanNode): WindowSpec | undefined {
  while (n.kind === 'Calc') n = n.input;
  return n.kind === 'WindowTableFunction' ? n.window : undefined;
}

/** A row of a SELECT result with its kind. */
export interface ResultRow {
  kind: RowKind;
  row: Row;
}

export class Job {
  readonly id: string;
  readonly name: string;
  /** Output columns of a SELECT job; empty for INSERT. */
  readonly fields: Field[];
  readonly metrics: JobMetrics = { lateRecordsDropped: 0, rowsIn: 0, rowsOut: 0 };
  /** Epoch ms when the job started and when it stopped running (null while it runs). */
  startedAt: number | null = null;
  endedAt: number | null = null;
  #status: JobStatus = 'CREATED';
  #error: Error | null = null;
  readonly #abort = new AbortController();
  readonly #sources: Array<{ runtime: SourceRuntime; scan: ScanOp }> = [];
  readonly #sinks: Array<SinkRuntime & { ready?(): Promise<void> | undefined }> = [];
  #collect: CollectOp | null = null;
  #done: Promise<void> | null = null;
  #stopped = false;
  readonly #closers: Array<() => void> = [];
  #timerError: Error | null = null;

  /** `roots`: one Collect node (SELECT) or one Sink node per INSERT (statement sets run several). */
  constructor(name: string, roots: PlanNode[], ctx: ExprContext, options: { maxRows?: number } = {}) {
    this.id = `job-${nextId++}`;
    this.name = name;
    this.fields = roots[0]?.kind === 'Collect' ? roots[0].fields : [];
    for (const root of roots) this.#build(root, null, ctx, options.maxRows ?? Number.POSITIVE_INFINITY);
  }

  get status(): JobStatus {
    return this.#status;
  }

  /** Why the job failed. */
  get error(): Error | null {
    return this.#error;
  }

  /** Rows collected so far by a SELECT job, with their kinds. */
  get results(): ResultRow[] {
    return this.#collect?.rows ?? [];
  }

  #build(n: PlanNode, down: Downstream | null, ctx: ExprContext, maxRows: number): void {
    switch (n.kind) {
      case 'Collect': {
        const collect = new CollectOp(maxRows, () => {});
        this.#collect = collect;
        const counted: Downstream = {
          push: (kind, row) => {
            this.metrics.rowsOut++;
            collect.push(kind, row);
          },
          watermark: () => collect.watermark(),
          end: () => collect.end(),
        };
        this.#build(n.input, counted, ctx, maxRows);
        return;
      }
      case 'Sink': {
        const sink = n.provider.create();
        this.#sinks.push(sink);
        const op: Downstream = {
          push: (kind, row) => {
            this.metrics.rowsOut++;
            sink.write(kind, row);
          },
          watermark: () => {},
          end: () => {},
        };
        this.#build(n.input, op, ctx, maxRows);
        return;
      }
      case 'Calc':
        this.#build(n.input, new CalcOp(n.filter, n.projection, down!), ctx, maxRows);
        return;
      case 'Correlate':
        this.#build(n.input, new CorrelateOp(n.fn, n.outer, n.width, n.filter, down!), ctx, maxRows);
        return;
      case 'GroupAggregate':
        this.#build(n.input, new GroupAggregateOp(n.keys, n.aggs, down!), ctx, maxRows);
        return;
      case 'WindowTableFunction':
        this.#build(n.input, new WindowTvfOp(n.window, n.timeIndex, down!, this.metrics), ctx, maxRows);
        return;
      case 'WindowAggregate':
        this.#build(
          n.input,
          new WindowAggregateOp(
            n.keys,
            n.aggs,
            n.startKey,
            n.endKey,
            down!,
            this.metrics,
            windowOf(n.input)?.proctime
              ? {
                  now: () => ctx.eval.now(),
                  onClose: (fn) => this.#closers.push(fn),
                  onError: (e) => this.#timerFailed(e),
                }
              : null,
          ),
          ctx,
          maxRows,
        );
        return;
      case 'SessionWindowAggregate':
        this.#build(
          n.input,
          new SessionWindowOp(n.keys, n.aggs, n.time, n.gap, down!, this.metrics, n.windowKeys),
          ctx,
          maxRows,
        );
        return;
      case 'Match':
        this.#build(n.input, new MatchOp(n.spec, down!, this.metrics), ctx, maxRows);
        return;
      case 'SortLimit':
        this.#build(n.input, new SortLimitOp(n.compare, n.offset, n.limit, down!), ctx, maxRows);
        return;
      case 'Rank':
        this.#build(n.input, rankOp(n, down!), ctx, maxRows);
        return;
      case 'Deduplicate':
        this.#build(n.input, new DeduplicateOp(n.keys, n.keepLast, n.timeIndex, down!), ctx, maxRows);
        return;
      case 'OverAggregate':
        this.#build(n.input, new OverAggregateOp(n, down!, this.metrics), ctx, maxRows);
        return;
      case 'IntervalJoin':
      case 'WindowJoin':
      case 'TemporalJoin': {
        const j = timeJoinOp(n, down!, this.metrics);
        this.#build(n.left, j.input(0), ctx, maxRows);
        this.#build(n.right, j.input(1), ctx, maxRows);
        return;
      }
      case 'Join': {
        const j = new JoinOp(n.leftKeys, n.rightKeys, n.filter, down!, n.outer, [
          n.left.fields.length,
          n.right.fields.length,
        ]);
        this.#build(n.left, j.input(0), ctx, maxRows);
        this.#build(n.right, j.input(1), ctx, maxRows);
        return;
      }
      case 'Union': {
        const u = new UnionOp(n.inputs.length, down!);
        n.inputs.forEach((c, i) => {
          this.#build(c, u.input(i), ctx, maxRows);
        });
        return;
      }
      case 'Values': {
        const rows = n.rows;
        const runtime: SourceRuntime = {
          async run(out) {
            out.setPartitions(1);
            for (const r of rows) out.emit(0, 0, r.slice());
            out.endPartition(0);
          },
        };
        // VALUES runs as a one-partition source without computed columns or watermark
        const spec = { sourceIndex: n.fields.map((_, i) => i), computed: [], idleTimeoutMs: 0 };
        const scan = new ScanOp(
          spec,
          down!,
          ctx,
          this.metrics,
          () => this.#drain(),
          (e) => this.#timerFailed(e),
          () => this.#checkpoint(),
        );
        this.#sources.push({ runtime, scan });
        return;
      }
      case 'Scan': {
        const scan = new ScanOp(
          n,
          down!,
          ctx,
          this.metrics,
          () => this.#drain(),
          (e) => this.#timerFailed(e),
          () => this.#checkpoint(),
        );
        this.#sources.push({ runtime: n.provider.create(), scan });
        return;
      }
    }
  }

  /** An operator failed inside a timer (idleness, processing time): stop the sources, fail the job. */
  #timerFailed(err: unknown): void {
    this.#timerError ??= err instanceof Error ? err : new Error(String(err));
    this.#abort.abort();
  }

  /** Flushes every sink: rows emitted before the call are delivered when it resolves. */
  async #checkpoint(): Promise<void> {
    for (const s of this.#sinks) await s.flush();
  }

  async #drain(): Promise<void> {
    for (const s of this.#sinks) {
      const p = s.ready?.();
      if (p) await p;
    }
  }

  /** Starts the sources; idempotent. */
  start(): this {
    this.#done ??= this.#run();
    // the outcome is read through wait(); never leave the promise unhandled
    this.#done.catch(() => {});
    return this;
  }

  async #run(): Promise<void> {
    this.#status = 'RUNNING';
    this.startedAt = Date.now();
    const signal = this.#abort.signal;
    try {
      await Promise.all(
        this.#sources.map(async ({ runtime, scan }) => {
          try {
            await runtime.run(scan, signal);
          } finally {
            scan.close();
          }
          if (!signal.aborted) scan.finish();
        }),
      );
      if (this.#timerError) throw this.#timerError;
      for (const s of this.#sinks) await s.flush();
      this.#status = this.#stopped ? 'CANCELED' : 'FINISHED';
    } catch (err) {
      this.#error = err instanceof Error ? err : new Error(String(err));
      this.#status = 'FAILED';
      this.#abort.abort();
    } finally {
      for (const s of this.#sinks) await s.close().catch(() => {});
      for (const { scan } of this.#sources) scan.close();
      for (const close of this.#closers) close();
      this.endedAt = Date.now();
    }
    if (this.#status === 'FAILED') throw this.#error;
  }

  /** Resolves when the job finished or was stopped; rejects with the job's error when it failed. */
  wait(): Promise<void> {
    return this.start().#done!;
  }

  /** Stops the sources, flushes and closes the sinks; resolves once the job is no longer running. */
  async stop(): Promise<void> {
    if (this.#status === 'FINISHED' || this.#status === 'FAILED' || this.#status === 'CANCELED') return;
    this.#stopped = true;
    this.#abort.abort();
    await this.#done?.catch(() => {});
  }
}
