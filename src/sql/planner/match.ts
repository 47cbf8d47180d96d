/**
 * Planning MATCH_RECOGNIZE (Flink's subset): PARTITION BY, ORDER BY a time attribute (then other keys),
 * MEASURES, ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN as a sequence of variables with quantifiers
 * (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, `{,m}`, each greedy or reluctant), WITHIN and DEFINE.
 *
 * DEFINE and MEASURES expressions are compiled in two layers. Every part that reads rows of the match is a
 * "slot" computed from the match context (../runtime/match/spec.ts): `A.price` and `price` (the last row
 * mapped to A / the last row of the match — in DEFINE the row being tested is the last one), FIRST/LAST
 * (A.x, n), PREV(A.x, n) (n rows before the last row of A in the partition: physical navigation as the
 * SQL standard has it, reaching rows before the match too; Flink refuses physical offsets), aggregates
 * over the rows of one variable (`AVG(A.price)`, `COUNT(*)`), MATCH_ROWTIME() and CLASSIFIER(). The rest of the expression
 * is compiled by the ordinary expression compiler over a row of slot values (the slots are "computed"
 * expressions of its scope, found by their text).
 */
import { lookupAggregate, prepareAggregate } from '../functions/index.ts';
import type { Expr, FunctionCall, MatchRecognize, PatternTerm, TableRef } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly } from '../runtime/changelog.ts';
import type { MatchContext, MatchSpec, PatternElement, SkipStrategy } from '../runtime/match/spec.ts';
import { compareValues, type SqlType, SqlTypeError, T, withNullable } from '../types/index.ts';
import { type Compiled, compileExpr, intervalValue, type Scope, type ScopeField } from './expr.ts';
import { fail, uniqueNames } from './names.ts';
import type { PlanNode } from './plan.ts';
import type { Ctes, Planned, PlannerEnv } from './query.ts';
import { childrenOf } from './walk.ts';

/** MATCH_RECOGNIZE: one append-only row per match (../runtime/match/operator.ts). */
export interface MatchNode {
  kind: 'Match';
  input: PlanNode;
  spec: MatchSpec;
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

type PlanFrom = (ref: TableRef, env: PlannerEnv, ctes: Ctes) => Planned;

/** A pattern variable reference inside an expression: -1 is the universal variable (every row). */
const ALL = -1;

interface Vars {
  names: string[];
  ids: Map<string, number>;
}

/** Flattens the pattern into quantified variables; refuses what Flink's CEP cannot run. */
function flattenPattern(
  t: PatternTerm,
  vars: Vars,
  out: Array<PatternElement & { reluctant: boolean; quantified: boolean }>,
): void {
  const varId = (name: string): number => {
    let id = vars.ids.get(name);
    if (id === undefined) {
      id = vars.names.length;
      vars.names.push(name);
      vars.ids.set(name, id);
    }
    return id;
  };
  switch (t.kind) {
    case 'PatternVar':
      out.push({ varId: varId(t.name.value), min: 1, max: 1, greedy: false, reluctant: false, quantified: false });
      return;
    case 'PatternSeq':
      for (const x of t.terms) flattenPattern(x, vars, out);
      return;
    case 'PatternGroup':
      flattenPattern(t.pattern, vars, out);
      return;
    case 'PatternQuant': {
      let inner = t.term;
      while (inner.kind === 'PatternGroup') inner = inner.pattern;
      if (inner.kind !== 'PatternVar') fail(t.pos, 'Quantified groups of pattern variables are not supported yet');
      const max = t.max === null ? Number.POSITIVE_INFINITY : t.max;
      if (max === 0) fail(t.pos, 'A pattern quantifier must allow at least one row');
      // Flink: greedy loops and {n,m} ranges keep taking rows the next variable could take
      const greedy = !t.reluctant && (max === Number.POSITIVE_INFINITY || (max > 1 && t.min !== max));
      out.push({ varId: varId(inner.name.value), min: t.min, max, greedy, reluctant: t.reluctant, quantified: true });
      return;
    }
    case 'PatternAlt':
      fail(t.pos, "Currently, CEP doesn't support branching patterns.");
      break;
    case 'PatternPermute':
      fail(t.pos, "Currently, CEP doesn't support PERMUTE patterns.");
      break;
    case 'PatternExclude':
      fail(t.pos, "Currently, CEP doesn't support '{-' '-}' patterns.");
      break;
    case 'PatternAnchor':
      fail(t.pos, `Pattern anchor '${t.anchor}' is not supported yet`);
      break;
  }
}

function formatPattern(t: PatternTerm): string {
  switch (t.kind) {
    case 'PatternVar':
      return t.name.value;
    case 'PatternSeq':
      return t.terms.map(formatPattern).join(' ');
    case 'PatternGroup':
      return `(${formatPattern(t.pattern)})`;
    case 'PatternQuant': {
      const q =
        t.form === '{}' ? (t.min === t.max ? `{${t.min}}` : `{${t.min === 0 ? '' : t.min},${t.max ?? ''}}`) : t.form;
      return `${formatPattern(t.term)}${q}${t.reluctant ? '?' : ''}`;
    }
    default:
      return '?';
  }
}

/** How a slot finds its value in the match. */
type Slot = (m: MatchContext) => unknown;

interface ExprEnv {
  vars: Vars;
  input: ScopeField[];
  env: PlannerEnv;
  rowtimeIndex: number | null;
  rowtimeType: SqlType | null;
  /** The largest PREV offset seen (filled while compiling). */
  prevDepth: { n: number };
}

const fnName = (e: FunctionCall): string =>
  e.name
    .map((n) => n.value)
    .join('.')
    .toUpperCase();

/** The pattern variables an expression's column references name (qualifier = a pattern variable). */
function referencedVars(e: Expr, vars: Vars, out: Set<number>): void {
  if (e.kind === 'ColumnRef') {
    if (e.names.length >= 2) {
      const id = vars.ids.get(e.names[0]!.value);
      if (id !== undefined) out.add(id);
    }
    return;
  }
  for (const c of childrenOf(e)) referencedVars(c, vars, out);
}

/** Whether an expression contains a navigation or MATCH_RECOGNIZE function. */
function hasNavigation(e: Expr): boolean {
  if (e.kind === 'FunctionCall' && ['FIRST', 'LAST', 'PREV', 'NEXT', 'MATCH_ROWTIME', 'CLASSIFIER'].includes(fnName(e)))
    return true;
  return childrenOf(e).some(hasNavigation);
}

/** The variable of a navigation/aggregate argument and its evaluator over one row. */
function rowExpr(e: Expr, x: ExprEnv, what: string): { varId: number; c: Compiled } {
  const vs = new Set<number>();
  referencedVars(e, x.vars, vs);
  if (vs.size > 1) fail(e.pos, `${what} must reference a single pattern variable`);
  if (hasNavigation(e)) fail(e.pos, `Nested navigation in ${what} is not supported yet`);
  const varId = vs.size === 1 ? [...vs][0]! : ALL;
  const qualifier = varId === ALL ? undefined : x.vars.names[varId];
  const scope: Scope = {
    fields: x.input.map((f) => ({ ...f, qualifier })),
    noAggregates: 'MATCH_RECOGNIZE navigation',
  };
  return { varId, c: compileExpr(e, scope, x.env.ctx) };
}

/** An integer literal offset of FIRST/LAST/PREV. */
function offsetArg(e: Expr | undefined, name: string): number {
  if (!e) return name === 'PREV' ? 1 : 0;
  if (e.kind !== 'NumberLit' || !/^\d+$/.test(e.text))
    fail(e.pos, `The offset of ${name} must be a non-negative integer literal`);
  return Number(e.text);
}

/** Finds the row of variable `v` (ALL: any row) `offset` rows from the first or the last. */
function findRow(m: MatchContext, v: number, first: boolean, offset: number): number {
  const { labels } = m;
  if (v === ALL) {
    const i = first ? offset : labels.length - 1 - offset;
    return i >= 0 && i < labels.length ? i : -1;
  }
  let k = offset;
  if (first) {
    for (let i = 0; i < labels.length; i++) if (labels[i] === v && k-- === 0) return i;
  } else {
    for (let i = labels.length - 1; i >= 0; i--) if (labels[i] === v && k-- === 0) return i;
  }
  return -1;
}

/** Compiles a DEFINE or MEASURES expression over the match context. */
function compileMatchExpr(e: Expr, x: ExprEnv): { type: SqlType; eval: Slot; rowtime: boolean } {
  const slots: Slot[] = [];
  const computed = new Map<string, { index: number; type: SqlType }>();
  const add = (node: Expr, type: SqlType, slot: Slot) => {
    const key = formatExpr(node);
    if (computed.has(key)) return;
    computed.set(key, { index: slots.length, type });
    slots.push(slot);
  };
  const visit = (n: Expr): void => {
    if (n.kind === 'ColumnRef') {
      const { varId, c } = rowExpr(n, x, 'A column reference');
      const f = c.eval;
      add(n, withNullable(c.type, true), (m) => {
        const i = findRow(m, varId, false, 0);
        return i < 0 ? null : f(m.rows[i]!);
      });
      return;
    }
    if (n.kind === 'FunctionCall' && !n.over) {
      const name = fnName(n);
      if (name === 'FIRST' || name === 'LAST') {
        if (n.args.length < 1 || n.args.length > 2) fail(n.pos, `${name} takes one or two arguments`);
        const { varId, c } = rowExpr(n.args[0]!, x, name);
        const offset = offsetArg(n.args[1], name);
        const first = name === 'FIRST';
        const f = c.eval;
        add(n, withNullable(c.type, true), (m) => {
          const i = findRow(m, varId, first, offset);
          return i < 0 ? null : f(m.rows[i]!);
        });
        return;
      }
      if (name === 'PREV') {
        if (n.args.length < 1 || n.args.length > 2) fail(n.pos, 'PREV takes one or two arguments');
        const { varId, c } = rowExpr(n.args[0]!, x, name);
        const offset = offsetArg(n.args[1], name);
        const f = c.eval;
        x.prevDepth.n = Math.max(x.prevDepth.n, offset);
        add(n, withNullable(c.type, true), (m) => {
          const last = findRow(m, varId, false, 0);
          if (last < 0) return null;
          const i = last - offset;
          // physical navigation: before the match's first row, the partition's earlier rows
          const r = i >= 0 ? m.rows[i] : m.before[m.before.length + i];
          return r === undefined ? null : f(r);
        });
        return;
      }
      if (name === 'NEXT' || name === 'MATCH_PROCTIME' || name === 'MATCH_NUMBER')
        fail(n.pos, `${name} in MATCH_RECOGNIZE is not supported yet`);
      if (name === 'MATCH_ROWTIME') {
        if (x.rowtimeIndex === null || !x.rowtimeType)
          fail(n.pos, 'MATCH_ROWTIME() needs an ORDER BY on an event-time attribute');
        const ti = x.rowtimeIndex;
        add(n, withNullable(x.rowtimeType, false), (m) => m.rows[m.rows.length - 1]![ti] ?? null);
        return;
      }
      if (name === 'CLASSIFIER') {
        const names = x.vars.names;
        add(n, T.string(false), (m) => names[m.labels[m.labels.length - 1]!] ?? null);
        return;
      }
      const agg = aggregateSlot(n, x);
      if (agg) {
        add(n, agg.type, agg.slot);
        return;
      }
    }
    for (const c of childrenOf(n)) visit(c);
  };
  visit(e);
  const scope: Scope = { fields: [], computed };
  const c = compileExpr(e, scope, x.env.ctx);
  const f = c.eval;
  const k = slots.length;
  const rowtime = e.kind === 'FunctionCall' && fnName(e) === 'MATCH_ROWTIME';
  return {
    type: c.type,
    rowtime,
    eval: (m) => {
      const vals = new Array(k);
      for (let i = 0; i < k; i++) vals[i] = slots[i]!(m);
      return f(vals);
    },
  };
}

/** An aggregate over the rows of one variable, or undefined when `n` is not an aggregate call. */
function aggregateSlot(n: FunctionCall, x: ExprEnv): { type: SqlType; slot: Slot } | undefined {
  const name = fnName(n);
  if (!lookupAggregate(name)) return undefined;
  const star = n.args.length === 1 && n.args[0]!.kind === 'Star';
  const argExprs = star ? [] : n.args;
  let bound: ReturnType<typeof prepareAggregate>;
  const parts = argExprs.map((a) => rowExpr(a, x, 'Aggregation'));
  try {
    bound = prepareAggregate(
      name,
      parts.map((p) => p.c.type),
    );
  } catch (err) {
    if (err instanceof SqlTypeError) fail(n.pos, err.message);
    throw err;
  }
  if (n.quantifier === 'DISTINCT') fail(n.pos, 'DISTINCT aggregations in MATCH_RECOGNIZE are not supported yet');
  if (n.filter) fail(n.pos, 'FILTER on aggregations in MATCH_RECOGNIZE is not supported yet');
  const vs = new Set(parts.map((p) => p.varId).filter((v) => v !== ALL));
  if (vs.size > 1) fail(n.pos, 'Aggregation must be applied to a single pattern variable');
  const varId = vs.size === 1 ? [...vs][0]! : ALL;
  const fn = bound.fn;
  const args = parts.map((p) => p.c.eval);
  return {
    type: bound.type,
    slot: (m) => {
      const acc = fn.create();
      for (let i = 0; i < m.rows.length; i++) {
        if (varId !== ALL && m.labels[i] !== varId) continue;
        const row = m.rows[i]!;
        fn.add(
          acc,
          args.map((a) => a(row)),
        );
      }
      return fn.result(acc);
    },
  };
}

export function planMatch(mr: MatchRecognize, env: PlannerEnv, ctes: Ctes, planFrom: PlanFrom): Planned {
  if (mr.rowsPerMatch === 'ALL ROWS PER MATCH') fail(mr.pos, 'All rows per match mode is not supported yet.');
  if (mr.subsets.length > 0) fail(mr.subsets[0]!.pos, 'SUBSET in MATCH_RECOGNIZE is not supported yet');
  const input = planFrom(mr.input, env, ctes);
  if (!isAppendOnly(input.node.mode))
    fail(
      mr.pos,
      `StreamPhysicalMatch doesn't support consuming update and delete changes which is produced by node ${input.node.text}`,
    );
  const inScope: Scope = { fields: input.scope, noAggregates: 'PARTITION BY' };

  // ORDER BY: a time attribute ascending first
  const first = mr.orderBy[0];
  if (!first) fail(mr.pos, 'You must specify either rowtime or proctime for order by.');
  const timeRef = first.expr.kind === 'ColumnRef' ? compileExpr(first.expr, inScope, env.ctx) : undefined;
  const timeField = timeRef?.ref !== undefined ? input.scope.find((f) => f.index === timeRef.ref) : undefined;
  if (!timeField || (!timeField.rowtime && !timeField.proctime))
    fail(first.pos, 'You must specify either rowtime or proctime for order by as the first one.');
  if (first.direction === 'DESC') fail(first.pos, 'Primary sort order of a streaming table must be ascending on time.');
  const timeIndex = timeField.rowtime ? timeField.index : null;
  let secondary: MatchSpec['secondary'] = null;
  if (mr.orderBy.length > 1) {
    const keys = mr.orderBy.slice(1).map((o) => ({
      f: compileExpr(o.expr, inScope, env.ctx).eval,
      desc: o.direction === 'DESC',
    }));
    secondary = (a, b) => {
      for (const k of keys) {
        const x = k.f(a);
        const y = k.f(b);
        const c = x === null || y === null ? (x === y ? 0 : x === null ? -1 : 1) : compareValues(x, y);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    };
  }

  // PATTERN
  const vars: Vars = { names: [], ids: new Map() };
  const flat: Array<PatternElement & { reluctant: boolean; quantified: boolean }> = [];
  flattenPattern(mr.pattern, vars, flat);
  const last = flat[flat.length - 1]!;
  if (last.quantified && !last.reluctant)
    fail(
      mr.pattern.pos,
      'Greedy quantifiers are not allowed as the last element of a Pattern yet. Finish your pattern with either a simple variable or reluctant quantifier.',
    );
  if (flat.every((el) => el.min === 0)) fail(mr.pattern.pos, 'A pattern must not match empty sequences of rows');
  const elements: PatternElement[] = flat.map(({ varId, min, max, greedy }) => ({ varId, min, max, greedy }));

  const x: ExprEnv = {
    vars,
    input: input.scope,
    env,
    rowtimeIndex: timeIndex,
    rowtimeType: timeIndex === null ? null : timeField.type,
    prevDepth: { n: 0 },
  };

  // DEFINE
  const defines: MatchSpec['defines'] = vars.names.map(() => null);
  for (const d of mr.define) {
    const id = vars.ids.get(d.name.value);
    if (id === undefined) fail(d.pos, `Pattern variable '${d.name.value}' in DEFINE does not occur in PATTERN`);
    if (defines[id]) fail(d.pos, `Pattern variable '${d.name.value}' is defined twice`);
    const c = compileMatchExpr(d.condition, x);
    if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL')
      fail(d.condition.pos, `DEFINE condition of '${d.name.value}' must be a boolean expression`);
    const f = c.eval;
    defines[id] = (m) => f(m) === true;
  }

  // AFTER MATCH SKIP
  let skip: SkipStrategy = { type: 'PAST LAST ROW' };
  const am = mr.afterMatch;
  if (am && am.type !== 'PAST LAST ROW') {
    if (am.type === 'TO NEXT ROW') skip = { type: 'TO NEXT ROW' };
    else {
      const name = am.variable!.value;
      const id = vars.ids.get(name);
      if (id === undefined) fail(am.pos, `Unknown pattern variable '${name}' in AFTER MATCH SKIP`);
      skip = { type: am.type === 'TO FIRST' ? 'TO FIRST' : 'TO LAST', varId: id };
    }
  }
  const within = mr.within ? intervalValue(mr.within).value : null;
  if (mr.within && intervalValue(mr.within).type.kind !== 'INTERVAL_DT')
    fail(mr.within.pos, 'WITHIN needs a day-time interval');

  // output: PARTITION BY columns, then MEASURES
  const partition = mr.partitionBy.map((e) => {
    const c = compileExpr(e, inScope, env.ctx);
    const name = e.kind === 'ColumnRef' ? e.names[e.names.length - 1]!.value : formatExpr(e);
    return { c, name, field: c.ref !== undefined ? input.scope.find((f) => f.index === c.ref) : undefined };
  });
  const measures = mr.measures.map((m) => ({ m, c: compileMatchExpr(m.expr, x) }));
  const outNames = uniqueNames([...partition.map((p) => p.name), ...measures.map((m) => m.m.alias.value)]);
  const fields: Field[] = [
    ...partition.map((p, i) => ({ name: outNames[i]!, type: p.c.type })),
    ...measures.map((m, i) => ({ name: outNames[partition.length + i]!, type: m.c.type })),
  ];
  const alias = mr.alias?.name.value;
  const cols = mr.alias?.columns?.map((c) => c.value);
  if (cols && cols.length !== fields.length)
    fail(
      mr.alias!.pos,
      `List of column aliases must have same degree as table; table has ${fields.length} columns, whereas alias list has ${cols.length} columns`,
    );
  if (cols) for (let i = 0; i < cols.length; i++) fields[i] = { name: cols[i]!, type: fields[i]!.type };
  const scope: ScopeField[] = fields.map((f, i) => ({
    name: f.name,
    qualifier: alias,
    type: f.type,
    index: i,
    rowtime: i >= partition.length && measures[i - partition.length]!.c.rowtime,
  }));

  const spec: MatchSpec = {
    partitionKeys: partition.map((p) => p.c.eval),
    timeIndex,
    secondary,
    varNames: vars.names,
    elements,
    defines,
    measures: measures.map((m) => m.c.eval),
    skip,
    prevDepth: x.prevDepth.n,
    within,
  };
  const skipText =
    skip.type === 'PAST LAST ROW' || skip.type === 'TO NEXT ROW'
      ? `SKIP ${skip.type}`
      : `SKIP ${skip.type} ${vars.names[skip.varId]}`;
  const parts = [
    mr.partitionBy.length ? `partitionBy=[${mr.partitionBy.map(formatExpr).join(', ')}]` : '',
    `orderBy=[${mr.orderBy.map((o) => `${formatExpr(o.expr)} ${o.direction ?? 'ASC'}`).join(', ')}]`,
    `measures=[${mr.measures.map((m) => `${formatExpr(m.expr)} AS ${m.alias.value}`).join(', ')}]`,
    'rowsPerMatch=[ONE ROW PER MATCH]',
    `after=[${skipText}]`,
    `pattern=[${formatPattern(mr.pattern)}]`,
    within !== null ? `within=[${within} ms]` : '',
    `define=[${mr.define.map((d) => `${d.name.value} AS ${formatExpr(d.condition)}`).join(', ')}]`,
  ].filter(Boolean);
  const node: MatchNode = {
    kind: 'Match',
    input: input.node,
    spec,
    fields,
    mode: APPEND,
    text: `Match(${parts.join(', ')})`,
  };
  return { node, scope };
}
