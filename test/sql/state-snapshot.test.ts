/**
 * Snapshot and restore of the stateful operators, and state TTL.
 *
 * Each test plans real SQL over `values` tables, builds the operators of the plan itself (as job.ts does,
 * sources replaced by ScanOps the test feeds), and for every split point of an input: feeds the first part,
 * encodes every operator's snapshot, builds a fresh pipeline restored from the decoded bytes, feeds the rest
 * to both and checks that they emit the same rows, kinds, order and watermarks from there on (and hold the
 * same number of state entries at the split). TTL tests use small TTLs and real sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { Query } from '../../src/sql/parser/ast.ts';
import { parseStatement } from '../../src/sql/parser/index.ts';
import { makeExprContext } from '../../src/sql/planner/expr.ts';
import type { PlanNode } from '../../src/sql/planner/plan.ts';
import { planQuery } from '../../src/sql/planner/query.ts';
import { CalcOp } from '../../src/sql/runtime/calc.ts';
import { type Downstream, ROW_KIND_NAMES, type Row, RowKind } from '../../src/sql/runtime/changelog.ts';
import { CorrelateOp } from '../../src/sql/runtime/correlate.ts';
import { DeduplicateOp } from '../../src/sql/runtime/deduplicate.ts';
import { GroupAggregateOp } from '../../src/sql/runtime/group-aggregate.ts';
import { timeJoinOp } from '../../src/sql/runtime/interval-join.ts';
import { JoinOp } from '../../src/sql/runtime/join.ts';
import { MatchOp } from '../../src/sql/runtime/match/operator.ts';
import { OverAggregateOp } from '../../src/sql/runtime/over-aggregate.ts';
import { rankOp } from '../../src/sql/runtime/rank.ts';
import { ScanOp } from '../../src/sql/runtime/scan.ts';
import { SessionWindowOp } from '../../src/sql/runtime/session-window.ts';
import { SortLimitOp } from '../../src/sql/runtime/sort-limit.ts';
import { decodeState, encodeState } from '../../src/sql/runtime/state/codec.ts';
import { isStateful, type Stateful } from '../../src/sql/runtime/state/stateful.ts';
import { UnionOp } from '../../src/sql/runtime/union.ts';
import { type JobMetrics, type ProcTime, WindowAggregateOp, WindowTvfOp } from '../../src/sql/runtime/window.ts';
import { SqlSession } from '../../src/sql/session.ts';
import { Decimal } from '../../src/sql/types/decimal.ts';

const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;

/** Plans `sql` over the tables `ddl` creates (user functions from `udfDir`). */
async function plan(ddl: string, sql: string, udfDir?: string): Promise<PlanNode> {
  const s = new SqlSession({ print: () => {}, udfDir });
  try {
    await s.executeScript(ddl);
    // makes the session's user functions the active ones (the planner looks them up globally)
    if (udfDir) await s.execute(`EXPLAIN ${sql}`);
    const env = {
      catalog: s.catalog,
      ctx: makeExprContext('UTC'),
      connectorEnv: { print: () => {}, timeZone: 'UTC' },
      options: s.options,
    };
    return planQuery(parseStatement(sql) as Query, env).node;
  } finally {
    await s.close();
  }
}

function kindsOf(n: PlanNode, acc: string[] = []): string[] {
  acc.push(n.kind);
  if ('input' in n) kindsOf(n.input, acc);
  if ('left' in n) {
    kindsOf(n.left, acc);
    kindsOf(n.right, acc);
  }
  if (n.kind === 'Union') for (const c of n.inputs) kindsOf(c, acc);
  return acc;
}

function fmt(kind: RowKind, row: Row): string {
  return `${ROW_KIND_NAMES[kind]}${inspect(row, { depth: 5, breakLength: Number.POSITIVE_INFINITY })}`;
}

interface Pipeline {
  /** ScanOps by table name (a table read twice has two). */
  scans: Map<string, ScanOp[]>;
  stateful: Stateful[];
  out: string[];
  metrics: JobMetrics;
}

/** Builds the operators of a plan as job.ts does; the sources are left to the test. */
function build(root: PlanNode, ttlMs = 0, proc: ProcTime | null = null): Pipeline {
  const out: string[] = [];
  const metrics: JobMetrics = { lateRecordsDropped: 0, rowsIn: 0, rowsOut: 0 };
  const ctx = makeExprContext('UTC');
  const stateful: Stateful[] = [];
  const scans = new Map<string, ScanOp[]>();
  const sink: Downstream = {
    push: (k, r) => out.push(fmt(k, r)),
    watermark: (ts) => out.push(`WM ${ts}`),
    end: () => out.push('END'),
  };
  const track = <T>(op: T): T => {
    if (isStateful(op)) stateful.push(op);
    return op;
  };
  const go = (n: PlanNode, down: Downstream): void => {
    switch (n.kind) {
      case 'Calc':
        go(n.input, new CalcOp(n.filter, n.projection, down));
        return;
      case 'Correlate':
        go(n.input, new CorrelateOp(n.fn, n.outer, n.width, n.filter, down));
        return;
      case 'GroupAggregate':
        go(n.input, track(new GroupAggregateOp(n.keys, n.aggs, down, ttlMs)));
        return;
      case 'WindowTableFunction':
        go(n.input, track(new WindowTvfOp(n.window, n.timeIndex, down, metrics)));
        return;
      case 'WindowAggregate':
        go(n.input, track(new WindowAggregateOp(n.keys, n.aggs, n.startKey, n.endKey, down, metrics, proc)));
        return;
      case 'SessionWindowAggregate':
        go(n.input, track(new SessionWindowOp(n.keys, n.aggs, n.time, n.gap, down, metrics, n.windowKeys)));
        return;
      case 'Match':
        go(n.input, track(new MatchOp(n.spec, down, metrics)));
        return;
      case 'SortLimit':
        go(n.input, track(new SortLimitOp(n.compare, n.offset, n.limit, down)));
        return;
      case 'Rank':
        go(n.input, track(rankOp(n, down, ttlMs)));
        return;
      case 'Deduplicate':
        go(n.input, track(new DeduplicateOp(n.keys, n.keepLast, n.timeIndex, down, ttlMs)));
        return;
      case 'OverAggregate':
        go(n.input, track(new OverAggregateOp(n, down, metrics)));
        return;
      case 'IntervalJoin':
      case 'WindowJoin':
      case 'TemporalJoin': {
        const j = track(timeJoinOp(n, down, metrics));
        go(n.left, j.input(0));
        go(n.right, j.input(1));
        return;
      }
      case 'Join': {
        const j = track(
          new JoinOp(
            n.leftKeys,
            n.rightKeys,
            n.filter,
            down,
            n.outer,
            [n.left.fields.length, n.right.fields.length],
            ttlMs,
          ),
        );
        go(n.left, j.input(0));
        go(n.right, j.input(1));
        return;
      }
      case 'Union': {
        const u = track(new UnionOp(n.inputs.length, down));
        n.inputs.forEach((c, i) => {
          go(c, u.input(i));
        });
        return;
      }
      case 'Scan': {
        const scan = track(new ScanOp(n, down, ctx, metrics, async () => {}));
        const list = scans.get(n.table.name) ?? [];
        list.push(scan);
        scans.set(n.table.name, list);
        return;
      }
      default:
        throw new Error(`not built here: ${n.kind}`);
    }
  };
  go(root, sink);
  return { scans, stateful, out, metrics };
}

/** What a test feeds: a source row (table, kind, values in the table's physical column order), or a source's end. */
type Ev = { t: string; k?: RowKind; r: Row; p?: number } | { end: string };

function start(p: Pipeline, partitions: number): void {
  for (const list of p.scans.values()) for (const s of list) s.setPartitions(partitions);
}

function feed(p: Pipeline, events: Ev[]): void {
  for (const e of events) {
    if ('end' in e) {
      for (const s of p.scans.get(e.end) ?? []) s.finish();
      continue;
    }
    const list = p.scans.get(e.t);
    assert.ok(list, `no scan of ${e.t}`);
    for (const s of list) s.emit(e.p ?? 0, e.k ?? I, e.r.slice());
  }
}

function close(p: Pipeline): void {
  for (const list of p.scans.values()) for (const s of list) s.close();
}

/**
 * For every split point: feed a prefix, snapshot (encoded), restore a fresh pipeline from the bytes, feed the
 * rest to both, compare. Returns the output of an uninterrupted run.
 */
function checkRestore(make: () => Pipeline, events: Ev[], partitions = 1): string[] {
  const ref = make();
  start(ref, partitions);
  feed(ref, events);
  close(ref);
  const full = ref.out;
  for (let split = 0; split <= events.length; split++) {
    const a = make();
    start(a, partitions);
    feed(a, events.slice(0, split));
    const bytes = a.stateful.map((op) => encodeState(op.snapshotState()));
    const entries = a.stateful.map((op) => op.stateEntries());
    const mark = a.out.length;
    const b = make();
    b.stateful.forEach((op, i) => {
      op.restoreState(decodeState(bytes[i]!));
    });
    // the source announces its partitions after the restore, as a restarted job's sources do
    start(b, partitions);
    assert.deepEqual(
      b.stateful.map((op) => op.stateEntries()),
      entries,
      `state entries after restore at ${split}`,
    );
    // a snapshot of the restored operators encodes to the same bytes
    assert.deepEqual(
      b.stateful.map((op) => encodeState(op.snapshotState())),
      bytes,
      `re-encoded snapshot at ${split}`,
    );
    feed(a, events.slice(split));
    feed(b, events.slice(split));
    close(a);
    close(b);
    assert.deepEqual(a.out, full, `snapshotting disturbed the run at ${split}`);
    assert.deepEqual(b.out, a.out.slice(mark), `output after restore at split ${split}`);
  }
  return full;
}

const sec = (n: number): number => n * 1000;

test('GroupAggregate: retractions, DISTINCT, MAX with retraction, LISTAGG, DECIMAL, nested aggregation', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, name STRING, d DECIMAL(10, 2)) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D')`;
  const node = await plan(
    ddl,
    `SELECT k, COUNT(*), SUM(v), MAX(v), COUNT(DISTINCT v), LISTAGG(name), SUM(d), AVG(v) FROM t GROUP BY k`,
  );
  assert.ok(kindsOf(node).includes('GroupAggregate'));
  const dec = (s: string) => Decimal.parse(s)!;
  const events: Ev[] = [
    { t: 't', r: ['a', 1, 'x', dec('1.50')] },
    { t: 't', r: ['b', 5, 'y', dec('2.00')] },
    { t: 't', r: ['a', 3, 'z', dec('0.25')] },
    { t: 't', r: ['a', 3, 'w', null] },
    { t: 't', k: UB, r: ['a', 3, 'z', dec('0.25')] },
    { t: 't', k: UA, r: ['a', 7, 'z', dec('0.75')] },
    { t: 't', k: D, r: ['b', 5, 'y', dec('2.00')] },
    { t: 't', k: D, r: ['q', 1, 'never', null] },
    { t: 't', r: ['b', 2, 'y2', dec('9.99')] },
    { t: 't', k: D, r: ['a', 7, 'z', dec('0.75')] },
    { t: 't', k: D, r: ['a', 1, 'x', dec('1.50')] },
    { t: 't', k: D, r: ['a', 3, 'w', null] },
    { t: 't', r: ['a', 4, 'again', dec('1')] },
    { end: 't' },
  ];
  const full = checkRestore(() => build(node), events);
  assert.ok(full.some((l) => l.startsWith('-U')) && full.some((l) => l.startsWith('-D')));

  const nested = await plan(
    ddl,
    `SELECT c, COUNT(*) FROM (SELECT k, COUNT(DISTINCT v) AS c FROM t GROUP BY k) GROUP BY c`,
  );
  assert.equal(kindsOf(nested).filter((k) => k === 'GroupAggregate').length, 2);
  checkRestore(() => build(nested), events);

  const distinct = await plan(ddl, 'SELECT DISTINCT k, v FROM t');
  checkRestore(() => build(distinct), events);
});

test('every built-in aggregate and a user-defined one keep their accumulators across a restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-state-udf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'sum_list.ts'),
    `export default {
  kind: 'aggregate',
  returns: 'STRING',
  args: ['BIGINT'],
  create: () => ({ sum: 0n, seen: new Map(), order: [] }),
  add(acc, v) { if (v != null) { acc.sum += v; acc.seen.set(String(v), (acc.seen.get(String(v)) ?? 0) + 1); acc.order.push(v); } },
  retract(acc, v) { if (v != null) { acc.sum -= v; acc.order.splice(acc.order.indexOf(v), 1); } },
  result: (acc) => acc.sum + ':' + acc.order.join('/') + ':' + acc.seen.size,
};\n`,
  );
  const ddl = `CREATE FUNCTION sum_list AS 'sum_list.ts';
    CREATE TABLE t (k STRING, i INT, b BIGINT, x DOUBLE, d DECIMAL(12, 3), s STRING)
      WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D')`;
  const node = await plan(
    ddl,
    `SELECT k, COUNT(*), COUNT(s), SUM(i), SUM(b), SUM(d), AVG(i), AVG(x), AVG(d), MIN(s), MAX(d), MIN(x),
       LISTAGG(s, ';'), STDDEV_POP(x), STDDEV_SAMP(i), VAR_POP(d), VAR_SAMP(b), FIRST_VALUE(s), LAST_VALUE(i),
       COLLECT(s), SUM(DISTINCT i), COUNT(DISTINCT s), LISTAGG(DISTINCT s), sum_list(b)
     FROM t GROUP BY k`,
    dir,
  );
  assert.ok(kindsOf(node).includes('GroupAggregate'));
  const dec = (v: string) => Decimal.parse(v)!;
  const r = (k: string, i: number, b: bigint, x: number, d: string, s: string | null): Row => [k, i, b, x, dec(d), s];
  const events: Ev[] = [
    { t: 't', r: r('a', 1, 10n, 1.5, '1.250', 'x') },
    { t: 't', r: r('a', 2, 20n, -0.5, '2.500', 'y') },
    { t: 't', r: r('b', 3, 2n ** 40n, 1e10, '999999.999', null) },
    { t: 't', r: r('a', 2, 20n, 3.25, '0.001', 'x') },
    { t: 't', k: UB, r: r('a', 1, 10n, 1.5, '1.250', 'x') },
    { t: 't', k: UA, r: r('a', 5, 50n, 2.5, '3.000', 'z') },
    { t: 't', r: r('b', 4, 7n, Number.NaN, '-5.5', 'w') },
    { t: 't', k: D, r: r('a', 2, 20n, -0.5, '2.500', 'y') },
    { t: 't', k: D, r: r('b', 3, 2n ** 40n, 1e10, '999999.999', null) },
    { t: 't', r: r('a', 7, -3n, 0, '7.125', 'y') },
    { end: 't' },
  ];
  const full = checkRestore(() => build(node), events);
  assert.ok(full.some((l) => l.startsWith('-U')) && full.some((l) => l.includes(':')));
});

test('window aggregates (TUMBLE, HOP, CUMULATE) and the window TVF watermark', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'values')`;
  const events: Ev[] = [];
  const data: Array<[string, number, number]> = [
    ['a', 1, 1],
    ['b', 2, 2],
    ['a', 3, 4],
    ['a', 4, 6],
    ['b', 5, 11],
    ['a', 6, 3], // late for the first windows once the watermark passed them
    ['a', 7, 12],
    ['b', 8, 17],
    ['a', 9, 9],
    ['b', 10, 25],
  ];
  for (const [k, v, s] of data) events.push({ t: 't', r: [k, v, sec(s)] });
  events.push({ end: 't' });
  for (const tvf of [
    `TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND)`,
    `HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)`,
    `CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)`,
  ]) {
    const node = await plan(
      ddl,
      `SELECT window_start, window_end, k, COUNT(*), SUM(v), MAX(v) FROM TABLE(${tvf}) GROUP BY window_start, window_end, k`,
    );
    assert.ok(kindsOf(node).includes('WindowAggregate'), kindsOf(node).join());
    const full = checkRestore(() => build(node), events);
    assert.ok(full.filter((l) => l.startsWith('+I')).length >= 4, tvf);
  }
  // the TVF alone (late rows are dropped by its watermark)
  const tvfOnly = await plan(ddl, `SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))`);
  assert.ok(kindsOf(tvfOnly).includes('WindowTableFunction'));
  const p = build(tvfOnly);
  assert.ok(p.stateful.some((op) => op instanceof WindowTvfOp));
  checkRestore(() => build(tvfOnly), events);
});

test('processing-time window aggregate: open windows survive a restore', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, pt AS PROCTIME()) WITH ('connector' = 'values')`;
  const node = await plan(
    ddl,
    `SELECT window_start, window_end, k, SUM(v) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(pt), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k`,
  );
  let wa: PlanNode = node;
  while (wa.kind !== 'WindowAggregate') wa = (wa as { input: PlanNode }).input;
  const closers: Array<() => void> = [];
  let now = sec(1000);
  const proc: ProcTime = { now: () => now, onClose: (fn) => closers.push(fn), onError: (e) => assert.fail(String(e)) };
  const make = () => {
    const out: string[] = [];
    const down: Downstream = {
      push: (k, r) => out.push(fmt(k, r)),
      watermark: (ts) => out.push(`WM ${ts}`),
      end: () => out.push('END'),
    };
    const op = new WindowAggregateOp(wa.keys, wa.aggs, wa.startKey, wa.endKey, down, build(node).metrics, proc);
    return { op, out };
  };
  // rows already carry their window (the TVF's output): k, v, pt, window_start, window_end, window_time
  const row = (k: string, v: number, t: number): Row => [k, v, t, t - (t % 10_000), t - (t % 10_000) + 10_000, 0];
  const a = make();
  a.op.push(I, row('a', 1, now));
  a.op.push(I, row('b', 2, now));
  a.op.push(I, row('a', 3, now));
  assert.equal(a.op.stateEntries(), 2);
  const b = make();
  b.op.restoreState(decodeState(encodeState(a.op.snapshotState())));
  assert.equal(b.op.stateEntries(), 2);
  now += sec(15);
  for (const x of [a, b]) {
    x.op.push(I, row('a', 10, now));
    x.op.end();
  }
  assert.deepEqual(b.out, a.out);
  assert.deepEqual(a.out.slice(0, 2), [fmt(I, [sec(1000), sec(1010), 'a', 4]), fmt(I, [sec(1000), sec(1010), 'b', 2])]);
  for (const c of closers) c();
});

test('session windows (TVF and legacy GROUP BY SESSION)', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values')`;
  const data: Array<[string, number, number]> = [
    ['a', 1, 1],
    ['a', 2, 2],
    ['b', 3, 2],
    ['a', 4, 8],
    ['a', 5, 5], // bridges the sessions of 2 and 8
    ['b', 6, 9],
    ['a', 7, 20],
    ['b', 8, 4], // late
    ['b', 9, 30],
  ];
  const events: Ev[] = data.map(([k, v, s]) => ({ t: 't', r: [k, v, sec(s)] }));
  events.push({ end: 't' });
  const legacy = await plan(
    ddl,
    `SELECT k, COUNT(*), SUM(v), SESSION_START(ts, INTERVAL '4' SECOND) FROM t GROUP BY k, SESSION(ts, INTERVAL '4' SECOND)`,
  );
  assert.ok(kindsOf(legacy).includes('SessionWindowAggregate'));
  const full = checkRestore(() => build(legacy), events);
  // a@5 bridges nothing (a@1,2 closed at watermark 8 s) but joins a@8: [5 s, 12 s)
  assert.ok(full.includes(fmt(I, ['a', 2n, 9, sec(5)])));
  const tvf = await plan(
    ddl,
    `SELECT window_start, window_end, k, SUM(v) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '4' SECOND)) GROUP BY window_start, window_end, k`,
  );
  checkRestore(() => build(tvf), events);
});

test('regular joins: inner, LEFT, FULL with a filter, over retracting inputs', async () => {
  const ddl = `
    CREATE TABLE a (k INT, v STRING) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D');
    CREATE TABLE b (k INT, w STRING, n INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D');`;
  const events: Ev[] = [
    { t: 'a', r: [1, 'a1'] },
    { t: 'b', r: [2, 'b2', 5] },
    { t: 'b', r: [1, 'b1', 5] },
    { t: 'a', r: [1, 'a1'] }, // a duplicate row (multiplicity 2)
    { t: 'a', r: [null, 'anull'] },
    { t: 'b', r: [1, 'b1x', 0] }, // fails the filter of the FULL join
    { t: 'a', r: [2, 'a2'] },
    { t: 'b', k: UB, r: [1, 'b1', 5] },
    { t: 'b', k: UA, r: [1, 'b1', 7] },
    { t: 'a', k: D, r: [1, 'a1'] },
    { t: 'a', k: D, r: [9, 'never'] },
    { t: 'b', k: D, r: [2, 'b2', 5] },
    { t: 'a', k: D, r: [1, 'a1'] },
    { t: 'b', r: [3, 'b3', 1] },
    { end: 'a' },
    { end: 'b' },
  ];
  for (const sql of [
    'SELECT a.k, v, w FROM a JOIN b ON a.k = b.k',
    'SELECT a.k, v, w FROM a LEFT JOIN b ON a.k = b.k',
    'SELECT a.k, v, w, n FROM a FULL JOIN b ON a.k = b.k AND b.n > 0',
  ]) {
    const node = await plan(ddl, sql);
    assert.ok(kindsOf(node).includes('Join'));
    const full = checkRestore(() => build(node), events);
    assert.ok(full.length > 5, sql);
  }
});

test('deduplication: event time keep first / keep last, processing time keep last', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR ts AS ts) WITH ('connector' = 'values')`;
  const events: Ev[] = [
    { t: 't', r: ['a', 1, sec(5)] },
    { t: 't', r: ['b', 2, sec(3)] },
    { t: 't', r: ['a', 3, sec(4)] },
    { t: 't', r: ['a', 4, sec(9)] },
    { t: 't', r: ['b', 5, sec(3)] },
    { t: 't', r: ['c', 6, sec(1)] },
    { t: 't', r: ['a', 7, sec(2)] },
    { end: 't' },
  ];
  for (const dir of ['ASC', 'DESC']) {
    const node = await plan(
      ddl,
      `SELECT k, v, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ${dir}) AS rn FROM t) WHERE rn = 1`,
    );
    assert.ok(kindsOf(node).includes('Deduplicate'), kindsOf(node).join());
    checkRestore(() => build(node), events);
  }
  const proc = await plan(
    ddl,
    `SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt DESC) AS rn FROM t) WHERE rn = 1`,
  );
  assert.ok(kindsOf(proc).includes('Deduplicate'));
  const full = checkRestore(() => build(proc), events);
  assert.ok(full.includes(fmt(UA, ['a', 7])));
});

test('top-N: append-only input, with and without the rank number, and over an updating aggregate', async () => {
  const ddl = `CREATE TABLE t (cat STRING, item STRING, price INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D')`;
  const appendDdl = `CREATE TABLE t (cat STRING, item STRING, price INT) WITH ('connector' = 'values')`;
  const rows: Array<[string, string, number]> = [
    ['x', 'i1', 10],
    ['x', 'i2', 30],
    ['y', 'i3', 5],
    ['x', 'i4', 20],
    ['x', 'i5', 40],
    ['y', 'i6', 50],
    ['x', 'i7', 20],
    ['x', 'i8', 1],
  ];
  const appendEvents: Ev[] = rows.map((r) => ({ t: 't', r }));
  appendEvents.push({ end: 't' });
  for (const sql of [
    'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY price DESC) AS rn FROM t) WHERE rn <= 2',
    'SELECT cat, item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY price DESC) AS rn FROM t) WHERE rn <= 3',
    'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price) AS rn FROM t) WHERE rn BETWEEN 2 AND 3',
  ]) {
    const node = await plan(appendDdl, sql);
    assert.ok(kindsOf(node).includes('Rank'), kindsOf(node).join());
    checkRestore(() => build(node), appendEvents);
  }
  // retracting input: the top 2 items by total price per category
  const retract: Ev[] = [
    ...rows.map((r): Ev => ({ t: 't', r })),
    { t: 't', k: UB, r: ['x', 'i5', 40] },
    { t: 't', k: UA, r: ['x', 'i5', 2] },
    { t: 't', k: D, r: ['x', 'i2', 30] },
    { t: 't', k: D, r: ['y', 'i6', 50] },
    { t: 't', r: ['x', 'i1', 15] },
    { end: 't' },
  ];
  const node = await plan(
    ddl,
    'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY total DESC) AS rn FROM (SELECT cat, item, SUM(price) AS total FROM t GROUP BY cat, item)) WHERE rn <= 2',
  );
  assert.ok(kindsOf(node).includes('Rank') && kindsOf(node).includes('GroupAggregate'));
  const full = checkRestore(() => build(node), retract);
  assert.ok(full.some((l) => l.startsWith('-D')) || full.some((l) => l.startsWith('-U')));
  const direct = await plan(
    ddl,
    'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY price DESC) AS rn FROM t) WHERE rn <= 2',
  );
  checkRestore(() => build(direct), retract);
});

test('OVER aggregates: ROWS, RANGE, UNBOUNDED on event time', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'values')`;
  const data: Array<[string, number, number]> = [
    ['a', 1, 1],
    ['a', 2, 3],
    ['b', 3, 2],
    ['a', 4, 3],
    ['a', 5, 7],
    ['b', 6, 1],
    ['a', 7, 2], // late
    ['b', 8, 9],
    ['a', 9, 12],
  ];
  const events: Ev[] = data.map(([k, v, s]) => ({ t: 't', r: [k, v, sec(s)] }));
  events.push({ end: 't' });
  for (const frame of [
    'ROWS BETWEEN 1 PRECEDING AND CURRENT ROW',
    `RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW`,
    'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW',
    'RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW',
  ]) {
    const node = await plan(
      ddl,
      `SELECT k, v, ts, SUM(v) OVER w, COUNT(*) OVER w, MAX(v) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts ${frame})`,
    );
    assert.ok(kindsOf(node).includes('OverAggregate'), frame);
    const full = checkRestore(() => build(node), events);
    assert.ok(full.filter((l) => l.startsWith('+I')).length >= 7, frame);
  }
});

test('interval join (inner and LEFT): stored rows, heaps and watermarks', async () => {
  const ddl = `
    CREATE TABLE a (k INT, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');
    CREATE TABLE b (k INT, w STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');`;
  const events: Ev[] = [
    { t: 'a', r: [1, 'a1', sec(1)] },
    { t: 'b', r: [1, 'b1', sec(2)] },
    { t: 'a', r: [2, 'a2', sec(3)] },
    { t: 'b', r: [1, 'b2', sec(5)] },
    { t: 'a', r: [1, 'a3', sec(6)] },
    { t: 'b', r: [2, 'b3', sec(9)] },
    { t: 'a', r: [1, 'a4', sec(12)] },
    { t: 'b', r: [1, 'b4', sec(12)] },
    { t: 'a', r: [null, 'anull', sec(13)] },
    { t: 'b', r: [3, 'b5', sec(20)] },
    { end: 'a' },
    { end: 'b' },
  ];
  for (const join of ['JOIN', 'LEFT JOIN']) {
    const node = await plan(
      ddl,
      `SELECT a.k, v, w FROM a ${join} b ON a.k = b.k AND a.ts BETWEEN b.ts - INTERVAL '2' SECOND AND b.ts + INTERVAL '1' SECOND`,
    );
    assert.ok(kindsOf(node).includes('IntervalJoin'), kindsOf(node).join());
    const full = checkRestore(() => build(node), events);
    assert.ok(full.some((l) => l.includes("'a3', 'b2'")));
  }
});

test('window join (FULL) keeps its windows across a restore', async () => {
  const ddl = `
    CREATE TABLE a (k INT, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');
    CREATE TABLE b (k INT, w STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');`;
  const node = await plan(
    ddl,
    `SELECT L.k, L.v, R.w, L.window_start FROM
       (SELECT * FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '5' SECOND))) L
     FULL JOIN
       (SELECT * FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '5' SECOND))) R
     ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.k`,
  );
  assert.ok(kindsOf(node).includes('WindowJoin'), kindsOf(node).join());
  const events: Ev[] = [
    { t: 'a', r: [1, 'a1', sec(1)] },
    { t: 'b', r: [1, 'b1', sec(2)] },
    { t: 'a', r: [2, 'a2', sec(3)] },
    { t: 'b', r: [null, 'bnull', sec(4)] },
    { t: 'a', r: [1, 'a3', sec(6)] },
    { t: 'b', r: [3, 'b3', sec(7)] },
    { t: 'a', r: [1, 'a4', sec(12)] },
    { t: 'b', r: [1, 'b4', sec(13)] },
    { t: 'a', r: [1, 'late', sec(2)] },
    { end: 'a' },
    { end: 'b' },
  ];
  const full = checkRestore(() => build(node), events);
  assert.ok(full.some((l) => l.includes("'a1', 'b1'")));
});

test('temporal joins: event-time versioned table and processing-time lookup of a bounded table', async () => {
  const ddl = `
    CREATE TABLE rates (cur STRING, rate INT, rt TIMESTAMP(3), WATERMARK FOR rt AS rt, PRIMARY KEY (cur) NOT ENFORCED)
      WITH ('connector' = 'values', 'changelog-mode' = 'I,UA,D');
    CREATE TABLE buys (bid INT, cur STRING, bt TIMESTAMP(3), WATERMARK FOR bt AS bt) WITH ('connector' = 'values');
    CREATE TABLE users (id INT, name STRING) WITH ('connector' = 'values');
    CREATE TABLE clicks (uid INT, url STRING, pt AS PROCTIME()) WITH ('connector' = 'values');`;
  const node = await plan(
    ddl,
    'SELECT b.bid, b.cur, r.rate FROM buys b LEFT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur',
  );
  assert.ok(kindsOf(node).includes('TemporalJoin'), kindsOf(node).join());
  const events: Ev[] = [
    { t: 'rates', r: ['EUR', 10, sec(1)] },
    { t: 'buys', r: [1, 'EUR', sec(2)] },
    { t: 'rates', r: ['USD', 1, sec(1)] },
    { t: 'buys', r: [2, 'USD', sec(3)] },
    { t: 'rates', k: UA, r: ['EUR', 12, sec(4)] },
    { t: 'buys', r: [3, 'EUR', sec(5)] },
    { t: 'buys', r: [4, 'GBP', sec(5)] },
    { t: 'rates', k: D, r: ['USD', 1, sec(6)] },
    { t: 'rates', r: ['EUR', 14, sec(8)] },
    { t: 'buys', r: [5, 'USD', sec(7)] },
    { t: 'buys', r: [6, 'EUR', sec(9)] },
    { t: 'rates', r: ['EUR', 15, sec(10)] },
    { end: 'rates' },
    { end: 'buys' },
  ];
  const full = checkRestore(() => build(node), events);
  assert.ok(full.some((l) => l.includes("3, 'EUR', 12")));

  const proc = await plan(
    ddl,
    'SELECT c.uid, c.url, u.name FROM clicks c LEFT JOIN users FOR SYSTEM_TIME AS OF c.pt AS u ON c.uid = u.id',
  );
  assert.ok(kindsOf(proc).includes('TemporalJoin'), kindsOf(proc).join());
  const procEvents: Ev[] = [
    { t: 'clicks', r: [1, '/a'] }, // held until the bounded right side ended
    { t: 'users', r: [1, 'alice'] },
    { t: 'clicks', r: [2, '/b'] },
    { t: 'users', r: [2, 'bob'] },
    { end: 'users' },
    { t: 'clicks', r: [2, '/c'] },
    { t: 'clicks', r: [3, '/d'] },
    { end: 'clicks' },
  ];
  const full2 = checkRestore(() => build(proc), procEvents);
  assert.ok(full2.includes(fmt(I, [1, '/a', 'alice'])));
});

test('MATCH_RECOGNIZE: buffered rows, partial matches, PREV history and WITHIN', async () => {
  const ddl = `CREATE TABLE seq (k STRING, n INT, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'values')`;
  const vs = 'aaabaabbcaab';
  const events: Ev[] = [];
  for (let i = 0; i < vs.length; i++) {
    events.push({ t: 'seq', r: ['k', i + 1, vs[i], sec(i + 1)] });
    if (i % 3 === 0) events.push({ t: 'seq', r: ['j', i + 1, vs[(i * 7) % vs.length], sec(i + 1)] });
  }
  events.push({ t: 'seq', r: ['k', 99, 'a', sec(2)] }); // late
  events.push({ end: 'seq' });
  for (const q of [
    `MEASURES FIRST(A.n) AS s, LAST(B.n) AS e PATTERN (A+ B) DEFINE A AS v = 'a', B AS v = 'b'`,
    `MEASURES FIRST(A.n) AS s, LAST(n) AS e AFTER MATCH SKIP TO NEXT ROW PATTERN (A B+ C) DEFINE A AS v = 'a', B AS v = 'b' AND PREV(v) <> 'c', C AS v = 'c' OR v = 'a'`,
    `MEASURES FIRST(A.n) AS s, COUNT(A.n) AS c PATTERN (A{2,} B) WITHIN INTERVAL '3' SECOND DEFINE A AS v = 'a', B AS v = 'b'`,
  ]) {
    const node = await plan(ddl, `SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts ${q})`);
    assert.ok(kindsOf(node).includes('Match'));
    const full = checkRestore(() => build(node), events);
    assert.ok(
      full.some((l) => l.startsWith('+I')),
      q,
    );
  }
});

test('UNION ALL: per-input watermarks and ended flags', async () => {
  const ddl = `
    CREATE TABLE a (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');
    CREATE TABLE b (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values');`;
  const node = await plan(ddl, 'SELECT k, ts FROM a UNION ALL SELECT k, ts FROM b');
  assert.ok(kindsOf(node).includes('Union'));
  const events: Ev[] = [
    { t: 'a', r: [1, sec(5)] },
    { t: 'b', r: [2, sec(3)] },
    { t: 'a', r: [3, sec(8)] },
    { t: 'b', r: [4, sec(6)] },
    { end: 'b' },
    { t: 'a', r: [5, sec(9)] },
    { end: 'a' },
  ];
  const full = checkRestore(() => build(node), events);
  assert.ok(full.includes(`WM ${sec(3)}`) && full.includes(`WM ${sec(6)}`) && full.includes(`WM ${sec(9)}`));
});

test('ORDER BY / LIMIT over bounded input', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D')`;
  const node = await plan(ddl, 'SELECT k, v FROM t ORDER BY v DESC LIMIT 3');
  assert.ok(kindsOf(node).includes('SortLimit'), kindsOf(node).join());
  const events: Ev[] = [
    { t: 't', r: ['a', 1] },
    { t: 't', r: ['b', 5] },
    { t: 't', r: ['c', 3] },
    { t: 't', r: ['d', 4] },
    { t: 't', k: D, r: ['b', 5] },
    { t: 't', r: ['e', 2] },
    { end: 't' },
  ];
  assert.deepEqual(
    checkRestore(() => build(node), events),
    [fmt(I, ['d', 4]), fmt(I, ['c', 3]), fmt(I, ['e', 2]), 'END'],
  );
});

test('scan: per-partition watermarks survive a restore and the source announcing its partitions', async () => {
  const ddl = `CREATE TABLE t (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'values')`;
  const node = await plan(
    ddl,
    "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end, k",
  );
  const events: Ev[] = [
    { t: 't', p: 0, r: [1, sec(3)] },
    { t: 't', p: 1, r: [2, sec(7)] },
    { t: 't', p: 0, r: [1, sec(8)] },
    { t: 't', p: 1, r: [2, sec(12)] },
    { t: 't', p: 0, r: [3, sec(2)] }, // late
    { t: 't', p: 0, r: [1, sec(16)] },
    { t: 't', p: 1, r: [2, sec(11)] },
    { t: 't', p: 1, r: [2, sec(21)] },
    { end: 't' },
  ];
  const full = checkRestore(() => build(node), events, 2);
  assert.ok(full.includes(`WM ${sec(7)}`) && full.includes(`WM ${sec(11)}`));
  // the restored scan reports the watermark it had, and holds it back by the slower partition
  const a = build(node);
  start(a, 2);
  feed(a, events.slice(0, 4));
  const scan = a.scans.get('t')![0]!;
  const b = build(node);
  const restored = b.scans.get('t')![0]!;
  restored.restoreState(decodeState(encodeState(scan.snapshotState())));
  assert.deepEqual(decodeState(encodeState(restored.snapshotState())), {
    wms: [sec(7), sec(11)],
    ended: [false, false],
    idle: [false, false],
    current: sec(7),
  });
  close(a);
  close(b);
});

test('snapshots reject malformed state', () => {
  const down: Downstream = { push() {}, watermark() {}, end() {} };
  assert.throws(() => new GroupAggregateOp([], [], down).restoreState(null), /Bad GroupAggregate state/);
  assert.throws(() => new UnionOp(2, down).restoreState({ wms: [1], ended: [false] }), /expected 2 inputs/);
  assert.throws(() => new DeduplicateOp([], false, -1, down, -5), /non-negative/);
});

// ---- state TTL ----

async function ttlNode(ddl: string, sql: string, kind: PlanNode['kind']): Promise<PlanNode> {
  let n = await plan(ddl, sql);
  while (n.kind !== kind) n = (n as { input: PlanNode }).input;
  return n;
}

function capture(): { down: Downstream; out: string[] } {
  const out: string[] = [];
  return {
    out,
    down: { push: (k, r) => out.push(fmt(k, r)), watermark: (ts) => out.push(`WM ${ts}`), end: () => out.push('END') },
  };
}

test('TTL: a GroupAggregate key expires, restarts with +I, and late retractions are ignored', async () => {
  const n = await ttlNode(
    `CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D')`,
    'SELECT k, SUM(v) FROM t GROUP BY k',
    'GroupAggregate',
  );
  if (n.kind !== 'GroupAggregate') return;
  const { down, out } = capture();
  const op = new GroupAggregateOp(n.keys, n.aggs, down, 120);
  op.push(I, ['a', 1]);
  op.push(I, ['b', 2]);
  op.push(I, ['a', 3]);
  assert.equal(op.stateEntries(), 2);
  // 'b' keeps being written, 'a' does not
  for (let i = 0; i < 5; i++) {
    await sleep(30);
    op.push(I, ['b', 1]);
  }
  assert.equal(op.stateEntries(), 1, 'the sweep dropped a');
  op.push(D, ['a', 1]); // its state expired: ignored
  op.push(I, ['a', 10]);
  assert.deepEqual(out, [
    fmt(I, ['a', 1]),
    fmt(I, ['b', 2]),
    fmt(UB, ['a', 1]),
    fmt(UA, ['a', 4]),
    fmt(UB, ['b', 2]),
    fmt(UA, ['b', 3]),
    fmt(UB, ['b', 3]),
    fmt(UA, ['b', 4]),
    fmt(UB, ['b', 4]),
    fmt(UA, ['b', 5]),
    fmt(UB, ['b', 5]),
    fmt(UA, ['b', 6]),
    fmt(UB, ['b', 6]),
    fmt(UA, ['b', 7]),
    fmt(I, ['a', 10]),
  ]);
  // without a sweep in between, an expired key read again is treated as absent too
  const c = capture();
  const op2 = new GroupAggregateOp(n.keys, n.aggs, c.down, 40);
  op2.push(I, ['a', 1]);
  await sleep(60);
  op2.push(I, ['a', 2]);
  assert.deepEqual(c.out, [fmt(I, ['a', 1]), fmt(I, ['a', 2])]);
  // no TTL: the key stays
  const c3 = capture();
  const op3 = new GroupAggregateOp(n.keys, n.aggs, c3.down);
  op3.push(I, ['a', 1]);
  await sleep(50);
  op3.push(I, ['a', 2]);
  assert.deepEqual(c3.out, [fmt(I, ['a', 1]), fmt(UB, ['a', 1]), fmt(UA, ['a', 3])]);
});

test('TTL: write times are part of the snapshot and keep counting after a restore', async () => {
  const n = await ttlNode(
    `CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'values')`,
    'SELECT k, COUNT(*) FROM t GROUP BY k',
    'GroupAggregate',
  );
  if (n.kind !== 'GroupAggregate') return;
  const a = capture();
  const op = new GroupAggregateOp(n.keys, n.aggs, a.down, 200);
  op.push(I, ['old', 1]);
  await sleep(120);
  op.push(I, ['new', 1]);
  const bytes = encodeState(op.snapshotState());
  const b = capture();
  const restored = new GroupAggregateOp(n.keys, n.aggs, b.down, 200);
  restored.restoreState(decodeState(bytes));
  assert.equal(restored.stateEntries(), 2);
  await sleep(100); // 'old' is now 220 ms old, 'new' 100 ms
  assert.equal(restored.stateEntries(), 1);
  restored.push(I, ['old', 1]);
  restored.push(I, ['new', 1]);
  assert.deepEqual(b.out, [fmt(I, ['old', 1n]), fmt(UB, ['new', 1n]), fmt(UA, ['new', 2n])]);
  // a snapshot taken without TTL restored into an operator with TTL: keys start ageing at the restore
  const plain = new GroupAggregateOp(n.keys, n.aggs, capture().down);
  plain.push(I, ['x', 1]);
  const withTtl = new GroupAggregateOp(n.keys, n.aggs, capture().down, 40);
  withTtl.restoreState(decodeState(encodeState(plain.snapshotState())));
  assert.equal(withTtl.stateEntries(), 1);
  await sleep(60);
  assert.equal(withTtl.stateEntries(), 0);
});

test('TTL: regular join sides expire per join key', async () => {
  const ddl = `
    CREATE TABLE a (k INT, v STRING) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D');
    CREATE TABLE b (k INT, w STRING) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D');`;
  const n = await ttlNode(ddl, 'SELECT a.k, v, w FROM a LEFT JOIN b ON a.k = b.k', 'Join');
  if (n.kind !== 'Join') return;
  const { down, out } = capture();
  const op = new JoinOp(n.leftKeys, n.rightKeys, n.filter, down, n.outer, [2, 2], 150);
  const L = op.input(0);
  const R = op.input(1);
  L.push(I, [1, 'a1']);
  L.push(I, [2, 'a2']);
  R.push(I, [2, 'b2']);
  assert.equal(op.stateEntries(), 3);
  await sleep(90);
  // key 2 is written on both sides
  L.push(I, [2, 'a2-0']);
  R.push(I, [2, 'b2-0']);
  await sleep(90);
  // left key 1 expired (written 180 ms ago), key 2 did not (90 ms)
  assert.equal(op.stateEntries(), 4);
  R.push(I, [1, 'b1']); // no left row of key 1 any more (the right side is not outer: nothing)
  L.push(D, [1, 'a1']); // retraction of an expired row: ignored
  L.push(I, [2, 'a2-1']);
  assert.deepEqual(out, [
    fmt(I, [1, 'a1', null, null]),
    fmt(I, [2, 'a2', null, null]),
    fmt(D, [2, 'a2', null, null]),
    fmt(I, [2, 'a2', 2, 'b2']),
    fmt(I, [2, 'a2-0', 2, 'b2']),
    fmt(I, [2, 'a2', 2, 'b2-0']),
    fmt(I, [2, 'a2-0', 2, 'b2-0']),
    fmt(I, [2, 'a2-1', 2, 'b2']),
    fmt(I, [2, 'a2-1', 2, 'b2-0']),
  ]);
  // left key 2 (3 rows), right key 2 (2 rows) and right key 1
  assert.equal(op.stateEntries(), 6);
  await sleep(160);
  assert.equal(op.stateEntries(), 0);
  // the TTL state round-trips with the rest
  const restored = new JoinOp(n.leftKeys, n.rightKeys, n.filter, capture().down, n.outer, [2, 2], 150);
  L.push(I, [7, 'a7']);
  restored.restoreState(decodeState(encodeState(op.snapshotState())));
  assert.equal(restored.stateEntries(), 1);
  await sleep(160);
  assert.equal(restored.stateEntries(), 0);
});

test('TTL: deduplication and top-N forget expired keys', async () => {
  const ddl = `CREATE TABLE t (k STRING, v INT, pt AS PROCTIME()) WITH ('connector' = 'values')`;
  const dn = await ttlNode(
    ddl,
    'SELECT k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt ASC) AS rn FROM t) WHERE rn = 1',
    'Deduplicate',
  );
  if (dn.kind !== 'Deduplicate') return;
  const d = capture();
  const dedup = new DeduplicateOp(dn.keys, dn.keepLast, dn.timeIndex, d.down, 40);
  dedup.push(I, ['a', 1, 0]);
  dedup.push(I, ['a', 2, 0]);
  assert.equal(dedup.stateEntries(), 1);
  await sleep(60);
  assert.equal(dedup.stateEntries(), 0);
  dedup.push(I, ['a', 3, 0]);
  assert.deepEqual(d.out, [fmt(I, ['a', 1, 0]), fmt(I, ['a', 3, 0])]);

  const rn = await ttlNode(
    `CREATE TABLE t (cat STRING, price INT) WITH ('connector' = 'values')`,
    'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cat ORDER BY price DESC) AS rn FROM t) WHERE rn <= 1',
    'Rank',
  );
  if (rn.kind !== 'Rank') return;
  const r = capture();
  const rank = rankOp(rn, r.down, 40);
  rank.push(I, ['x', 10]);
  rank.push(I, ['y', 10]);
  rank.push(I, ['x', 5]);
  assert.equal(rank.stateEntries(), 2);
  await sleep(60);
  rank.push(I, ['y', 1]); // y expired: a fresh top 1
  assert.equal(rank.stateEntries(), 1);
  assert.deepEqual(r.out, [fmt(I, ['x', 10, 1]), fmt(I, ['y', 10, 1]), fmt(I, ['y', 1, 1])]);
  const restored = rankOp(rn, capture().down, 40);
  restored.restoreState(decodeState(encodeState(rank.snapshotState())));
  assert.equal(restored.stateEntries(), 1);
  await sleep(60);
  assert.equal(restored.stateEntries(), 0);
});

test('TTL: many keys are swept from the front while live ones stay', async () => {
  const n = await ttlNode(
    `CREATE TABLE t (k INT, v INT) WITH ('connector' = 'values')`,
    'SELECT k, COUNT(*) FROM t GROUP BY k',
    'GroupAggregate',
  );
  if (n.kind !== 'GroupAggregate') return;
  const op = new GroupAggregateOp(n.keys, n.aggs, { push() {}, watermark() {}, end() {} }, 100);
  for (let i = 0; i < 10_000; i++) op.push(I, [i, 1]);
  await sleep(60);
  for (let i = 0; i < 100; i++) op.push(I, [i * 2, 1]); // refreshed
  await sleep(60);
  // the 9 900 keys not written for 120 ms are swept, the refreshed ones (60 ms) stay
  assert.equal(op.stateEntries(), 100);
  assert.equal(op.size, 100);
  await sleep(110);
  op.push(I, [-1, 1]); // a push sweeps too (at most every 100 ms)
  assert.equal(op.size, 1);
});
