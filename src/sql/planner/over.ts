/**
 * OVER windows in a SELECT list (Flink's streaming OverAggregate and the rank functions):
 *
 * - `agg(x) OVER (PARTITION BY k ORDER BY t [ROWS|RANGE BETWEEN ... PRECEDING AND CURRENT ROW])` becomes
 *   an OverAggregate: the input row plus one column per aggregate. ORDER BY must be one time attribute,
 *   ascending (rowtime: rows are sorted and emitted as the watermark passes them; proctime: on arrival).
 *   Frames: ROWS n / UNBOUNDED PRECEDING, RANGE INTERVAL '..' / UNBOUNDED PRECEDING (peers with the
 *   same time share a result); no frame = RANGE UNBOUNDED PRECEDING. Every call must use the same window.
 * - `ROW_NUMBER() OVER (PARTITION BY k ORDER BY ...)` becomes a pending Rank node that the enclosing
 *   query's `WHERE rn <= N` completes (rank.ts: Top-N or Deduplicate).
 *
 * The calls are visible to the SELECT list through the scope's `computed` map (by their text), as
 * aggregate calls are after GROUP BY.
 */
import { lookupAggregate, prepareAggregate } from '../functions/index.ts';
import type { Expr, FunctionCall, OrderItem, Select, SelectItem, WindowSpec } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly, type Row } from '../runtime/changelog.ts';
import { compareValues, type SqlType, SqlTypeError, T } from '../types/index.ts';
import { compileExpr, compilePredicate, resolveColumn, type Scope } from './expr.ts';
import { fail, names } from './names.ts';
import type { AggCall, PlanNode } from './plan.ts';
import type { Planned, PlannerEnv } from './query.ts';
import type { RankNode } from './rank.ts';
import { childrenOf } from './walk.ts';

export interface OverAggregateNode {
  kind: 'OverAggregate';
  fields: Field[];
  mode: ChangelogMode;
  text: string;
  input: PlanNode;
  partitionKeys: Array<(row: Row) => unknown>;
  /** Position of the ORDER BY time attribute in the input row. */
  timeIndex: number;
  /** Event time (sorted by the watermark) or processing time (on arrival). */
  rowtime: boolean;
  rows: boolean;
  /** ROWS: rows before the current one; RANGE: milliseconds; Infinity for UNBOUNDED PRECEDING. */
  preceding: number;
  aggs: AggCall[];
}

const RANK_FUNCTIONS = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);

function overCalls(e: Expr, out: FunctionCall[]): void {
  if (e.kind === 'FunctionCall' && e.over) {
    out.push(e);
    return;
  }
  for (const c of childrenOf(e)) overCalls(c, out);
}

/** The window of a call: `OVER w`, `OVER (w ORDER BY ..)` and `OVER (...)`, named windows resolved. */
function resolveSpec(call: FunctionCall, sel: Select): WindowSpec {
  const named = (id: { value: string; pos: Expr['pos'] }): WindowSpec => {
    const w = sel.windows?.find((x) => x.name.value === id.value);
    if (!w) fail(id.pos, `Window '${id.value}' not found`);
    return w.spec.base ? merge(named(w.spec.base), w.spec) : w.spec;
  };
  const merge = (base: WindowSpec, spec: WindowSpec): WindowSpec => ({
    ...spec,
    partitionBy: base.partitionBy.length ? base.partitionBy : spec.partitionBy,
    orderBy: spec.orderBy.length ? spec.orderBy : base.orderBy,
    frame: spec.frame ?? base.frame,
  });
  const o = call.over!;
  if (o.kind === 'Identifier') return named(o);
  return o.base ? merge(named(o.base), o) : o;
}

const ORDER_TIME = "OVER windows' ordering in stream mode must be defined on a time attribute.";

/** The time attribute of ORDER BY (one column, ascending unless `allowDesc`). */
function orderTime(
  order: OrderItem[],
  scope: Scope,
  pos: Expr['pos'],
): { index: number; rowtime: boolean; desc: boolean } | undefined {
  if (order.length !== 1) return undefined;
  const e = order[0]!.expr;
  if (e.kind !== 'ColumnRef') return undefined;
  const hit = resolveColumn(scope, e.names, e.pos ?? pos);
  if (!hit || hit.rest.length) return undefined;
  if (!hit.field.rowtime && !hit.field.proctime) return undefined;
  return { index: hit.field.index, rowtime: !hit.field.proctime, desc: order[0]!.direction === 'DESC' };
}

/** A comparator over ORDER BY items (NULLS FIRST for ASC, LAST for DESC unless written). */
export function orderComparator(order: OrderItem[], scope: Scope, env: PlannerEnv): (a: Row, b: Row) => number {
  const keys = order.map((o) => {
    const c = compileExpr(o.expr, { ...scope, noAggregates: 'ORDER BY' }, env.ctx);
    const desc = o.direction === 'DESC';
    return { f: c.eval, desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : !desc };
  });
  return compareBy(keys);
}

/** A row comparator over sort keys: each key's value, direction and where NULLs go. */
export function compareBy(
  keys: Array<{ f: (row: Row) => unknown; desc: boolean; nullsFirst: boolean }>,
): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = k.f(a);
      const y = k.f(b);
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

/**
 * Plans the OVER calls of a non-aggregating SELECT; undefined when it has none. `where` is applied
 * below the window (WHERE filters the rows before window functions see them).
 */
export function planOver(
  sel: Select,
  items: SelectItem[],
  input: Planned,
  where: ((row: Row) => boolean) | undefined,
  env: PlannerEnv,
): { planned: Planned; scope: Scope } | undefined {
  const calls: FunctionCall[] = [];
  for (const it of items) overCalls(it.expr, calls);
  if (calls.length === 0) return undefined;
  const unique: FunctionCall[] = [];
  for (const c of calls) if (!unique.some((u) => formatExpr(u) === formatExpr(c))) unique.push(c);
  let node = input.node;
  if (where)
    node = {
      kind: 'Calc',
      input: node,
      filter: where,
      projection: null,
      fields: node.fields,
      mode: node.mode,
      text: `Calc(select=[${names(node.fields)}], where=[${formatExpr(sel.where!)}])`,
    };
  const inScope: Scope = { fields: input.scope };
  const specs = unique.map((c) => resolveSpec(c, sel));
  const specText = (s: WindowSpec) =>
    `${s.partitionBy.map(formatExpr).join(',')}|${s.orderBy.map((o) => `${formatExpr(o.expr)} ${o.direction ?? 'ASC'} ${o.nulls ?? ''}`).join(',')}`;
  const nameOf = (c: FunctionCall) =>
    c.name
      .map((n) => n.value)
      .join('.')
      .toUpperCase();
  if (specs.some((s) => specText(s) !== specText(specs[0]!)))
    fail(unique[1]!.pos, 'All aggregates must be computed on the same window.');
  const spec = specs[0]!;
  const partition = spec.partitionBy.map((e) => compileExpr(e, { ...inScope, noAggregates: 'PARTITION BY' }, env.ctx));
  const partitionText = spec.partitionBy.map(formatExpr).join(', ');
  const orderText = spec.orderBy.map((o) => `${formatExpr(o.expr)} ${o.direction ?? 'ASC'}`).join(', ');
  const computed = new Map<string, { index: number; type: SqlType }>();
  const base = node.fields.length;

  const ranks = unique.filter((c) => RANK_FUNCTIONS.has(nameOf(c)));
  if (ranks.length) {
    if (unique.length > 1) fail(unique[0]!.pos, 'A rank function combined with other OVER calls is not supported yet');
    const call = ranks[0]!;
    const fn = nameOf(call);
    if (fn !== 'ROW_NUMBER') fail(call.pos, `Streaming tables do not support ${fn} rank function.`);
    if (call.args.length) fail(call.pos, 'ROW_NUMBER() takes no arguments');
    if (spec.orderBy.length === 0)
      fail(call.pos, 'Over Agg: The window rank function without order by. please re-check the over window statement.');
    computed.set(formatExpr(call), { index: base, type: T.bigint(false) });
    const rankField = `w0$o0`;
    const rank: RankNode = {
      kind: 'Rank',
      input: node,
      partitionKeys: partition.map((p) => p.eval),
      partitionText,
      compare: orderComparator(spec.orderBy, inScope, env),
      orderText,
      orderTime: orderTime(spec.orderBy, inScope, call.pos),
      rankStart: 1,
      rankEnd: Number.POSITIVE_INFINITY,
      pending: true,
      outputRank: true,
      fields: [...node.fields, { name: rankField, type: T.bigint(false) }],
      mode: APPEND,
      text: 'Rank()',
    };
    return { planned: { node: rank, scope: input.scope }, scope: { fields: input.scope, computed } };
  }

  // aggregates over a time-ordered frame
  const first = unique[0]!;
  for (const c of unique) {
    const name = nameOf(c);
    if (!lookupAggregate(name)) fail(c.pos, `${name}(...) OVER (...) is not supported yet`);
  }
  if (!isAppendOnly(node.mode)) fail(first.pos, "OverAggregate doesn't support consuming update and delete changes");
  if (spec.orderBy.length !== 1)
    fail(first.pos, spec.orderBy.length === 0 ? ORDER_TIME : 'The window can only be ordered by a single time column.');
  if (spec.orderBy[0]!.direction === 'DESC') fail(first.pos, 'The window can only be ordered in ASCENDING mode.');
  const time = orderTime(spec.orderBy, inScope, first.pos);
  if (!time) fail(spec.orderBy[0]!.pos, ORDER_TIME);
  const { rows, preceding, text: frameText } = frameOf(spec, env);
  if (specs.some((x) => frameOf(x, env).text !== frameText))
    fail(unique[1]!.pos, 'All aggregates must be computed on the same window.');
  const aggs: AggCall[] = [];
  const fields: Field[] = [...node.fields];
  unique.forEach((c, j) => {
    const argExprs = c.args.length === 1 && c.args[0]!.kind === 'Star' ? [] : c.args;
    const inner: Scope = { ...inScope, noAggregates: 'aggregate function argument' };
    const args = argExprs.map((a) => compileExpr(a, inner, env.ctx));
    let bound: ReturnType<typeof prepareAggregate>;
    try {
      bound = prepareAggregate(
        nameOf(c),
        args.map((a) => a.type),
      );
    } catch (err) {
      if (err instanceof SqlTypeError) fail(c.pos, err.message);
      throw err;
    }
    const filter = c.filter
      ? compilePredicate(c.filter, { ...inScope, noAggregates: 'FILTER' }, env.ctx, 'FILTER')
      : undefined;
    const outName = `w0$o${j}`;
    const { over: _over, ...plain } = c;
    aggs.push({
      fn: bound.fn,
      args: args.map((a) => a.eval),
      distinct: c.quantifier === 'DISTINCT',
      filter,
      text: `${formatExpr(plain)} AS ${outName}`,
    });
    computed.set(formatExpr(c), { index: base + j, type: bound.type });
    fields.push({ name: outName, type: bound.type });
  });
  const over: OverAggregateNode = {
    kind: 'OverAggregate',
    input: node,
    partitionKeys: partition.map((p) => p.eval),
    timeIndex: time.index,
    rowtime: time.rowtime,
    rows,
    preceding,
    aggs,
    fields,
    mode: APPEND,
    text: `OverAggregate(${partitionText ? `partitionBy=[${partitionText}], ` : ''}orderBy=[${orderText}], window=[ ${frameText}], select=[${[...names(node.fields).split(', ').filter(Boolean), ...aggs.map((a) => a.text)].join(', ')}])`,
  };
  const scope = input.scope.map((f) => ({ ...f }));
  return { planned: { node: over as PlanNode, scope }, scope: { fields: scope, computed } };
}

/** The frame of a window: ROWS or RANGE, how far back, and its EXPLAIN text. */
function frameOf(spec: WindowSpec, env: PlannerEnv): { rows: boolean; preceding: number; text: string } {
  const frame = spec.frame;
  const rows = frame?.units === 'ROWS';
  let preceding = Number.POSITIVE_INFINITY;
  let frameText = 'RANG BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
  if (frame) {
    const unit = rows ? 'ROW' : 'RANGE';
    const end = frame.end ?? { type: 'CURRENT ROW' as const };
    if (end.type !== 'CURRENT ROW' || frame.start.type.endsWith('FOLLOWING'))
      fail(frame.pos, `OVER ${unit} FOLLOWING windows are not supported yet.`);
    const start = frame.start;
    if (start.type === 'CURRENT ROW') preceding = 0;
    else if (start.type === 'PRECEDING') {
      const c = compileExpr(start.offset!, { fields: [] }, env.ctx);
      if (rows) {
        if (!c.constant || !['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(c.type.kind))
          fail(start.pos, 'ROWS offset must be a constant non-negative integer');
        preceding = Number(c.constant.value);
      } else {
        if (!c.constant || c.type.kind !== 'INTERVAL_DT')
          fail(start.pos, 'RANGE offset over a time attribute must be a constant INTERVAL DAY TO SECOND');
        preceding = c.constant.value as number;
      }
      if (!(preceding >= 0)) fail(start.pos, 'Window frame offset must be non-negative');
    }
    const startText = Number.isFinite(preceding)
      ? preceding === 0
        ? 'CURRENT ROW'
        : `${preceding} PRECEDING`
      : 'UNBOUNDED PRECEDING';
    frameText = `${rows ? 'ROWS' : 'RANG'} BETWEEN ${startText} AND CURRENT ROW`;
  }
  return { rows, preceding, text: frameText };
}
