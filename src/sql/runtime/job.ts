/**
 * A running statement: the plan turned into operators, its sources running as async loops that push rows
 * synchronously through the operator chain into sinks (or a result collector).
 *
 * Lifecycle: CREATED → RUNNING → FINISHED (every bounded source ended and sinks flushed)
 *                              → FAILED (an operator, source or sink threw: the other sources are stopped)
 *                              → CANCELED (stop())
 * `wait()` resolves at FINISHED/CANCELED and rejects with the error at FAILED.
 */
import { randomBytes } from 'node:crypto';
import type { SinkRuntime, SourceRuntime } from '../connectors/connector.ts';
import type { ExprContext } from '../planner/expr.ts';
import type { PlanNode, WindowSpec } from '../planner/plan.ts';
import { formatType } from '../types/index.ts';
import { CalcOp } from './calc.ts';
import type { Downstream, Field, Row, RowKind } from './changelog.ts';
import { CollectOp } from './collect.ts';
import { CorrelateOp } from './correlate.ts';
import { DeduplicateOp } from './deduplicate.ts';
import { GroupAggregateOp } from './group-aggregate.ts';
import { timeJoinOp } from './interval-join.ts';
import { JoinOp } from './join.ts';
import { LookupJoinOp } from './lookup-join.ts';
import { MatchOp } from './match/operator.ts';
import { OverAggregateOp } from './over-aggregate.ts';
import { rankOp } from './rank.ts';
import { ScanOp } from './scan.ts';
import { SessionWindowOp } from './session-window.ts';
import { SortLimitOp } from './sort-limit.ts';
import {
  type CheckpointStore,
  type CheckpointWriter,
  decodeSnapshot,
  encodeSnapshot,
  type JobSnapshot,
  type OperatorSnapshot,
} from './state/checkpoints.ts';
import { decodeState, encodeState, encodeStateAsync } from './state/codec.ts';
import { isStateful, type Stateful } from './state/stateful.ts';
import { UnionOp } from './union.ts';
import { type JobMetrics, WindowAggregateOp, WindowTvfOp } from './window.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

let nextId = 1;

/** The window TVF feeding a window aggregate (through Calcs). */
function windowOf(n: PlanNode): WindowSpec | undefined {
  while (n.kind === 'Calc') n = n.input;
  return n.kind === 'WindowTableFunction' ? n.window : undefined;
}

/**
 * An operator whose output for a row can come later than `push` returns (an asynchronous lookup). `idle()`
 * resolves once every row pushed so far has been emitted downstream (and rejects with a lookup error);
 * the job awaits it between source batches (backpressure), before checkpoints and before flushing sinks
 * at the end. Such an operator defers `end()` downstream until its pending rows are emitted.
 */
export interface AsyncOperator {
  idle(): Promise<void>;
}

/** How long `stop({ checkpoint: true })` waits for its last checkpoint before stopping without it. */
const STOP_CHECKPOINT_TIMEOUT_MS = 15_000;

/** Checkpointing of a job (Flink's execution.checkpointing.* and execution.savepoint.*). */
export interface CheckpointConfig {
  store: CheckpointStore;
  /** The job's identity across restarts: its checkpoints and transactional id derive from it. */
  key: string;
  /** Periodic checkpoints every so many ms; 0 = none (a final one at the end and savepoints still run). */
  intervalMs: number;
  /**
   * `execution.checkpointing.min-pause`: at least this long between the end of one checkpoint and the
   * start of the next. The pause is also at least 4× the last checkpoint's duration: a snapshot is taken
   * synchronously, so a big state would otherwise keep the process busy checkpointing.
   */
  minPauseMs?: number;
  /** Continue from the job's latest checkpoint when there is one (a resumed statement). */
  resume: boolean;
  /** Start from this savepoint (when there is no checkpoint of the job's own to resume). */
  savepointPath?: string;
  /** Savepoint state of operators the query no longer has is dropped instead of refused. */
  ignoreUnclaimed?: boolean;
}

/** Options of a Job. */
export interface JobOptions {
  /** SELECT: stop collecting after so many rows. */
  maxRows?: number;
  /** `table.exec.state.ttl` in ms (0 = keep state forever). */
  stateTtlMs?: number;
  checkpoint?: CheckpointConfig;
}

/** Checkpoint statistics of a job. */
export interface CheckpointStats {
  completed: number;
  lastId: number | null;
  /** Epoch ms of the last completed checkpoint. */
  lastAt: number | null;
  lastBytes: number | null;
  lastDurationMs: number | null;
  /** What the job started from: a checkpoint id, a savepoint path, or null (empty state). */
  restoredFrom: string | null;
}

/** State held by one operator. */
export interface OperatorStateSize {
  id: string;
  operator: string;
  /** Keys, rows or matches held now. */
  entries: number;
  /** Size of its state in the last checkpoint (null before the first). */
  bytes: number | null;
}

/** What state a plan node's operator holds: restoring needs the same signature. */
function stateSignature(n: PlanNode): string {
  const inputs: PlanNode[] =
    'input' in n && n.input ? [n.input as PlanNode] : 'left' in n && 'right' in n ? [n.left, n.right] : [];
  const types = inputs.map((i) => `[${i.fields.map((f) => formatType(f.type)).join(', ')}]`).join(' ');
  const aggs =
    'aggs' in n && Array.isArray(n.aggs)
      ? ` aggs=[${(n.aggs as Array<{ fn: { name: string }; distinct?: boolean }>).map((a) => `${a.fn.name}${a.distinct ? ' DISTINCT' : ''}`).join(', ')}]`
      : '';
  const keys = 'keys' in n && Array.isArray(n.keys) ? ` keys=${n.keys.length}` : '';
  return `${n.kind}(${types})${keys}${aggs}`;
}

/** Encoded size of a state value; Maps of more than 50k entries are encoded 50k entries at a time. */
function encodedSize(v: unknown): number {
  const SLICE = 50_000;
  if (v instanceof Map && v.size > SLICE) {
    let total = 0;
    let part = new Map<unknown, unknown>();
    for (const [k, x] of v) {
      part.set(k, x);
      if (part.size >= SLICE) {
        total += encodeState(part).length;
        part = new Map();
      }
    }
    return total + encodeState(part).length;
  }
  if (Array.isArray(v) && v.length > 0 && v.some((x) => x instanceof Map && x.size > SLICE))
    return v.reduce((n: number, x) => n + encodedSize(x), 0);
  if (v !== null && typeof v === 'object' && !(v instanceof Map) && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.some(([, x]) => (x instanceof Map && x.size > SLICE) || Array.isArray(x)))
      return entries.reduce((n, [, x]) => n + encodedSize(x), 0);
  }
  return encodeState(v).length;
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
  readonly #sources: Array<{ runtime: SourceRuntime; scan: ScanOp; id: string }> = [];
  readonly #sinks: Array<SinkRuntime & { ready?(): Promise<void> | undefined }> = [];
  #collect: CollectOp | null = null;
  #done: Promise<void> | null = null;
  #stopped = false;
  readonly #closers: Array<() => void> = [];
  /** Operators that finish work asynchronously (lookup joins): awaited before checkpoints, flushes and the end. */
  readonly #asyncOps: AsyncOperator[] = [];
  #timerError: Error | null = null;
  readonly #ttl: number;
  readonly #cfg: CheckpointConfig | null;
  /** Operators with state, in plan order. */
  readonly #stateful: Array<{ id: string; kind: string; signature: string; text: string; op: Stateful }> = [];
  readonly #sinkCtx: {
    checkpointing: boolean;
    transactionBootstrap: string | null;
    transaction: CheckpointWriter | null;
  };
  #writer: CheckpointWriter | null = null;
  /** Sources still running (a checkpoint waits for each of them to reach a batch boundary). */
  #running = 0;
  /** Sources waiting at a batch boundary for the requested checkpoint. */
  #parked: Array<() => void> = [];
  /** Sources waiting for the checkpoint in progress; released at once when the job is stopped. */
  #inflight: Array<() => void> = [];
  #request: {
    savepoint?: string;
    /** Stop the job once the checkpoint is committed (no source emits past it). */
    final?: boolean;
    waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
  } | null = null;
  #checkpointing = false;
  /** A snapshot is being encoded: timers wait, status reports the entries counted before it. */
  #frozen = false;
  #frozenEntries = new Map<string, number>();
  #nextCheckpoint = 1;
  #lastBytes = new Map<string, number>();
  #restored: Promise<void>;
  #restoredDone!: () => void;
  #restoredFail!: (e: unknown) => void;
  readonly checkpointStats: CheckpointStats = {
    completed: 0,
    lastId: null,
    lastAt: null,
    lastBytes: null,
    lastDurationMs: null,
    restoredFrom: null,
  };

  /** `roots`: one Collect node (SELECT) or one Sink node per INSERT (statement sets run several). */
  constructor(name: string, roots: PlanNode[], ctx: ExprContext, options: JobOptions = {}) {
    this.id = `job-${nextId++}`;
    this.name = name;
    this.fields = roots[0]?.kind === 'Collect' ? roots[0].fields : [];
    this.#ttl = options.stateTtlMs ?? 0;
    this.#cfg = options.checkpoint ?? null;
    this.#sinkCtx = {
      // exactly-once sinks commit with periodic checkpoints
      checkpointing: (this.#cfg?.intervalMs ?? 0) > 0,
      transactionBootstrap: this.#cfg?.store.bootstrapServers ?? null,
      transaction: null,
    };
    this.#restored = new Promise<void>((resolve, reject) => {
      this.#restoredDone = resolve;
      this.#restoredFail = reject;
    });
    this.#restored.catch(() => {});
    // a stopped job does not wait for a checkpoint that cannot finish (e.g. its cluster is gone)
    this.#abort.signal.addEventListener('abort', () => {
      for (const release of [...this.#inflight.splice(0), ...this.#parked.splice(0)]) release();
    });
    for (const root of roots) this.#build(root, null, ctx, options.maxRows ?? Number.POSITIVE_INFINITY);
  }

  /** Resolves once the job restored its state (or had none to restore); rejects when the state does not fit. */
  get restored(): Promise<void> {
    return this.#restored;
  }

  /** Registers an operator's state under its position among the job's stateful operators. */
  #track<T>(n: PlanNode, op: T): T {
    if (isStateful(op))
      this.#stateful.push({
        id: `${this.#stateful.length}:${n.kind}`,
        kind: n.kind,
        signature: stateSignature(n),
        text: n.text,
        op,
      });
    return op;
  }

  /**
   * The size each operator's state would have in a checkpoint taken now (encoded; big Maps in slices so
   * that no single buffer holds it all). For benchmarks of state size; call it when the job is quiet.
   */
  measureState(): OperatorStateSize[] {
    return this.#stateful.map((s) => ({
      id: s.id,
      operator: s.text,
      entries: s.op.stateEntries(),
      bytes: encodedSize(s.op.snapshotState()),
    }));
  }

  /** State held per operator: entries now, bytes in the last checkpoint. */
  stateSizes(): OperatorStateSize[] {
    return this.#stateful.map((s) => ({
      id: s.id,
      operator: s.text,
      // counting may sweep expired state: not while a snapshot is being encoded
      entries: this.#frozen ? (this.#frozenEntries.get(s.id) ?? 0) : s.op.stateEntries(),
      bytes: this.#lastBytes.get(s.id) ?? null,
    }));
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
        const sink = n.provider.create(this.#sinkCtx);
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
        this.#build(n.input, this.#track(n, new GroupAggregateOp(n.keys, n.aggs, down!, this.#ttl)), ctx, maxRows);
        return;
      case 'WindowTableFunction':
        this.#build(n.input, this.#track(n, new WindowTvfOp(n.window, n.timeIndex, down!, this.metrics)), ctx, maxRows);
        return;
      case 'WindowAggregate':
        this.#build(
          n.input,
          this.#track(
            n,
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
                    paused: () => this.#frozen,
                  }
                : null,
            ),
          ),
          ctx,
          maxRows,
        );
        return;
      case 'SessionWindowAggregate':
        this.#build(
          n.input,
          this.#track(n, new SessionWindowOp(n.keys, n.aggs, n.time, n.gap, down!, this.metrics, n.windowKeys)),
          ctx,
          maxRows,
        );
        return;
      case 'Match':
        this.#build(n.input, this.#track(n, new MatchOp(n.spec, down!, this.metrics)), ctx, maxRows);
        return;
      case 'SortLimit':
        this.#build(n.input, this.#track(n, new SortLimitOp(n.compare, n.offset, n.limit, down!)), ctx, maxRows);
        return;
      case 'Rank':
        this.#build(n.input, this.#track(n, rankOp(n, down!, this.#ttl)), ctx, maxRows);
        return;
      case 'Deduplicate':
        this.#build(
          n.input,
          this.#track(n, new DeduplicateOp(n.keys, n.keepLast, n.timeIndex, down!, this.#ttl)),
          ctx,
          maxRows,
        );
        return;
      case 'OverAggregate':
        this.#build(n.input, this.#track(n, new OverAggregateOp(n, down!, this.metrics)), ctx, maxRows);
        return;
      case 'IntervalJoin':
      case 'WindowJoin':
      case 'TemporalJoin': {
        const j = this.#track(n, timeJoinOp(n, down!, this.metrics));
        this.#build(n.left, j.input(0), ctx, maxRows);
        this.#build(n.right, j.input(1), ctx, maxRows);
        return;
      }
      case 'LookupJoin': {
        // asynchronous lookups (jdbc): awaited like sinks; the connection pool closes with the job
        const op = new LookupJoinOp(n, down!, (e) => this.#timerFailed(e));
        this.#asyncOps.push(op);
        this.#closers.push(() => void op.close());
        this.#build(n.input, op, ctx, maxRows);
        return;
      }
      case 'Join': {
        const j = this.#track(
          n,
          new JoinOp(
            n.leftKeys,
            n.rightKeys,
            n.filter,
            down!,
            n.outer,
            [n.left.fields.length, n.right.fields.length],
            this.#ttl,
          ),
        );
        this.#build(n.left, j.input(0), ctx, maxRows);
        this.#build(n.right, j.input(1), ctx, maxRows);
        return;
      }
      case 'Union': {
        const u = this.#track(n, new UnionOp(n.inputs.length, down!));
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
          () => this.#frozen,
        );
        this.#sources.push({ runtime, scan, id: `${this.#sources.length}:Values` });
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
          () => this.#frozen,
        );
        this.#sources.push({
          runtime: n.provider.create({ checkpointing: this.#cfg !== null }),
          scan,
          id: `${this.#sources.length}:Scan`,
        });
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
    for (const op of this.#asyncOps) await op.idle();
    for (const s of this.#sinks) await s.flush();
  }

  async #drain(): Promise<void> {
    for (const op of this.#asyncOps) await op.idle();
    for (const s of this.#sinks) {
      const p = s.ready?.();
      if (p) await p;
    }
    // a checkpoint is requested: wait at this batch boundary until every running source is at one
    if (this.#request && !this.#checkpointing) {
      await new Promise<void>((resolve) => {
        this.#parked.push(resolve);
        this.#maybeCheckpoint();
      });
    }
  }

  /** Asks for a checkpoint (or a savepoint); resolves once it is committed. */
  #requestCheckpoint(savepoint?: string, final = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#request && savepoint !== undefined && this.#request.savepoint === undefined)
        this.#request.savepoint = savepoint;
      this.#request ??= { ...(savepoint !== undefined ? { savepoint } : {}), waiters: [] };
      if (final || savepoint !== undefined) this.#request.final = true;
      this.#request.waiters.push({ resolve, reject });
      this.#maybeCheckpoint();
    });
  }

  #maybeCheckpoint(): void {
    if (!this.#request || this.#checkpointing || this.#parked.length < this.#running) return;
    const req = this.#request;
    this.#request = null;
    this.#checkpointing = true;
    const parked = this.#parked;
    this.#parked = [];
    this.#inflight = parked;
    this.#takeCheckpoint(req.savepoint)
      .then(
        () => {
          for (const w of req.waiters) w.resolve();
        },
        (err: unknown) => {
          for (const w of req.waiters) w.reject(err);
          this.#timerFailed(err);
        },
      )
      .finally(() => {
        this.#checkpointing = false;
        // a savepoint (or a stop) ends the job: its sources must not emit past it
        if (req.final) {
          this.#stopped = true;
          this.#abort.abort();
        }
        for (const release of parked) release();
        if (this.#request) this.#maybeCheckpoint();
      });
  }

  /**
   * Takes a checkpoint while every source waits at a batch boundary: lookups finish and sinks deliver
   * what was written (exactly-once sinks: into the open transaction); the state of every operator and
   * source is snapshotted in one synchronous step; the snapshot is written in the transaction, which
   * commits — sink records and state together.
   */
  async #takeCheckpoint(savepoint?: string): Promise<void> {
    const writer = this.#writer;
    if (!writer || !this.#cfg) throw new Error('this job has no checkpoint storage');
    const started = Date.now();
    for (const op of this.#asyncOps) await op.idle();
    for (const s of this.#sinks) await s.flush();
    const id = this.#nextCheckpoint++;
    const snapshot = await this.#snapshot(id);
    const bytes = encodeSnapshot(snapshot);
    await writer.commit(bytes, savepoint);
    for (const o of snapshot.operators) this.#lastBytes.set(o.id, o.state.length);
    const st = this.checkpointStats;
    st.completed++;
    st.lastId = id;
    st.lastAt = Date.now();
    st.lastBytes = bytes.length;
    st.lastDurationMs = st.lastAt - started;
    for (const { runtime } of this.#sources) runtime.checkpointComplete?.();
  }

  /**
   * The state of every operator and source. Taken while the sources wait at a batch boundary; timers are
   * held (`#frozen`) while the state is encoded in slices, so the process keeps serving meanwhile.
   */
  async #snapshot(id: number): Promise<JobSnapshot> {
    this.#frozenEntries = new Map(this.#stateful.map((s) => [s.id, s.op.stateEntries()]));
    this.#frozen = true;
    try {
      const sources = this.#sources.map(({ runtime, scan, id: sid }) => ({
        id: sid,
        scan: encodeState(isStateful(scan) ? scan.snapshotState() : null),
        source: runtime.snapshotState ? runtime.snapshotState() : undefined,
      }));
      const operators: OperatorSnapshot[] = [];
      for (const s of this.#stateful)
        operators.push({
          id: s.id,
          signature: s.signature,
          text: s.text,
          state: await encodeStateAsync(s.op.snapshotState()),
        });
      const encoded = [];
      for (const src of sources)
        encoded.push({
          id: src.id,
          scan: src.scan,
          source: src.source === undefined ? null : await encodeStateAsync(src.source),
        });
      return { version: 1, id, at: Date.now(), operators, sources: encoded };
    } finally {
      this.#frozen = false;
    }
  }

  /** Puts a snapshot's state into the freshly built operators; throws when the query's state does not fit it. */
  #restore(snap: JobSnapshot, from: string): void {
    const cfg = this.#cfg!;
    const byId = new Map(snap.operators.map((o) => [o.id, o]));
    for (const s of this.#stateful) {
      const o = byId.get(s.id);
      if (!o) {
        const kinds = snap.operators.map((x) => x.text).join('; ') || 'none';
        throw new Error(
          `Cannot restore ${from}: the query's operator ${s.id} (${s.text}) has no state there — the query changed its stateful operators (the state has: ${kinds}). Start it without the savepoint, or restore the original query.`,
        );
      }
      if (o.signature !== s.signature)
        throw new Error(
          `Cannot restore ${from}: the state of operator ${s.id} does not fit the query — it was written by ${o.text} holding ${o.signature}, but the query's operator is ${s.text} needing ${s.signature}.`,
        );
      byId.delete(s.id);
    }
    if (byId.size > 0 && !cfg.ignoreUnclaimed) {
      const left = [...byId.values()].map((o) => `${o.id} (${o.text})`).join(', ');
      throw new Error(
        `Cannot restore ${from}: it holds state for operators the query no longer has: ${left}. Set 'execution.savepoint.ignore-unclaimed-state' = 'true' to drop that state.`,
      );
    }
    if (snap.sources.length !== this.#sources.length)
      throw new Error(
        `Cannot restore ${from}: it was taken from a query reading ${snap.sources.length} source(s), this query reads ${this.#sources.length}.`,
      );
    for (const s of this.#stateful) {
      const o = snap.operators.find((x) => x.id === s.id)!;
      s.op.restoreState(decodeState(o.state));
      this.#lastBytes.set(s.id, o.state.length);
    }
    this.#sources.forEach(({ runtime, scan }, i) => {
      const src = snap.sources[i]!;
      if (isStateful(scan)) {
        const st = decodeState(src.scan);
        if (st !== null) scan.restoreState(st);
      }
      if (src.source && runtime.restoreState) runtime.restoreState(decodeState(src.source));
    });
    this.#nextCheckpoint = snap.id + 1;
  }

  /** Opens the job's transaction and restores its state before any source runs. */
  async #prepare(): Promise<void> {
    const cfg = this.#cfg;
    if (!cfg) return;
    this.#writer = await cfg.store.open(cfg.key, cfg.intervalMs);
    this.#sinkCtx.transaction = this.#writer;
    const own = cfg.resume ? await cfg.store.latest(cfg.key) : null;
    if (own) {
      const snap = decodeSnapshot(own);
      this.#restore(snap, `checkpoint ${snap.id} of ${cfg.key}`);
      this.checkpointStats.restoredFrom = `checkpoint ${snap.id}`;
    } else if (cfg.savepointPath) {
      const bytes = await cfg.store.savepoint(cfg.savepointPath);
      this.#restore(decodeSnapshot(bytes), `savepoint '${cfg.savepointPath}'`);
      this.checkpointStats.restoredFrom = cfg.savepointPath;
    }
  }

  /** Takes a savepoint, then stops the job; answers the savepoint's path (for `execution.savepoint.path`). */
  async stopWithSavepoint(): Promise<string> {
    if (!this.#cfg) throw new Error('the job has no checkpoint storage: savepoints need a Kafka cluster');
    if (this.#status !== 'RUNNING') throw new Error(`job ${this.id} is ${this.#status}, not RUNNING`);
    await this.#restored;
    const path = `savepoint-${this.#cfg.key.replace(/[^A-Za-z0-9._-]/g, '_')}-${randomBytes(4).toString('hex')}`;
    await this.#requestCheckpoint(path.slice('savepoint-'.length), true);
    this.#stopped = true;
    this.#abort.abort();
    await this.#done?.catch(() => {});
    return path;
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
    let ticker: NodeJS.Timeout | null = null;
    try {
      try {
        await this.#prepare();
        this.#restoredDone();
      } catch (err) {
        this.#restoredFail(err);
        throw err;
      }
      const every = this.#cfg?.intervalMs ?? 0;
      if (every > 0) {
        const minPause = this.#cfg?.minPauseMs ?? 0;
        ticker = setInterval(() => {
          if (this.#request || this.#checkpointing) return;
          const st = this.checkpointStats;
          const pause = Math.max(minPause, 4 * (st.lastDurationMs ?? 0));
          if (st.lastAt !== null && Date.now() - st.lastAt < pause) return;
          this.#requestCheckpoint().catch(() => {});
        }, every);
      }
      this.#running = this.#sources.length;
      await Promise.all(
        this.#sources.map(async ({ runtime, scan }) => {
          try {
            await runtime.run(scan, signal);
          } finally {
            scan.close();
            this.#running--;
            this.#maybeCheckpoint();
          }
          if (!signal.aborted) scan.finish();
        }),
      );
      if (ticker) clearInterval(ticker);
      ticker = null;
      if (this.#timerError) throw this.#timerError;
      // a stopped job with checkpoints delivered what counts with its last checkpoint (what came after is
      // replayed on resume, and an exactly-once sink's open transaction is aborted): no flush then
      if (!(this.#stopped && this.#cfg)) {
        for (const op of this.#asyncOps) await op.idle();
        for (const s of this.#sinks) await s.flush();
      }
      // the end of bounded input: a final checkpoint commits what the sinks wrote in the transaction
      if (this.#cfg && !this.#stopped && !signal.aborted) await this.#requestCheckpoint();
      this.#status = this.#stopped ? 'CANCELED' : 'FINISHED';
    } catch (err) {
      this.#error = err instanceof Error ? err : new Error(String(err));
      this.#status = 'FAILED';
      this.#abort.abort();
    } finally {
      if (ticker) clearInterval(ticker);
      for (const s of this.#sinks) await s.close().catch(() => {});
      await this.#writer?.close();
      for (const w of this.#request?.waiters ?? []) w.reject(new Error(`job ${this.id} ended before the checkpoint`));
      this.#request = null;
      for (const release of this.#parked.splice(0)) release();
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

  /**
   * Stops the sources, flushes and closes the sinks; resolves once the job is no longer running. With
   * `checkpoint` (and checkpointing on), a last checkpoint is taken first, so that a job resumed from it
   * continues exactly where this one stopped (Flink's stop, as opposed to cancel).
   */
  async stop(opts: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.#status === 'FINISHED' || this.#status === 'FAILED' || this.#status === 'CANCELED') return;
    if (opts.checkpoint && this.#cfg && this.#status === 'RUNNING') {
      // a last checkpoint, unless it cannot be taken in time (e.g. the cluster is gone): then stop anyway
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.#restored.then(() => this.#requestCheckpoint(undefined, true)),
          new Promise((resolve) => {
            timer = setTimeout(resolve, STOP_CHECKPOINT_TIMEOUT_MS);
          }),
        ]);
      } catch {
        // the job failed or ended meanwhile: stop it anyway
      } finally {
        clearTimeout(timer);
      }
    }
    this.#stopped = true;
    this.#abort.abort();
    await this.#done?.catch(() => {});
  }
}
