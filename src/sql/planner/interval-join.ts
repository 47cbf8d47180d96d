/**
 * Interval joins (Flink's IntervalJoin): a join whose condition bounds one input's time attribute by the
 * other's, `l.rt BETWEEN r.rt - INTERVAL '10' SECOND AND r.rt` or a pair of `<`/`<=`/`>`/`>=` conjuncts,
 * with both inputs append-only. The bounds are normalised to `lower <= l.rt - r.rt <= upper` (a strict
 * comparison moves its bound by 1 ms, as Flink does); each side's rows are kept only while a row of the
 * other side arriving after the watermark can still match them (../runtime/interval-join.ts). Conditions
 * on columns that are not time attributes (Nexmark q4/q7/q9's BETWEEN) stay a regular join with a filter,
 * as in Flink; so does a condition with only one bound. Processing-time interval joins are refused.
 */
import type { Expr, Join, Select } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly, type Row } from '../runtime/changelog.ts';
import { compileExpr, resolveColumn, type Scope, type ScopeField } from './expr.ts';
import { fail } from './names.ts';
import type { PlanNode } from './plan.ts';
import type { Planned, PlannerEnv } from './query.ts';
import { childrenOf } from './walk.ts';

/** What planJoin (join.ts) worked out about a join, handed to the time-aware join planners. */
export interface JoinParts {
  ref: Join;
  env: PlannerEnv;
  left: Planned;
  right: Planned;
  /** The equi-join conjuncts as (left expression, right expression). */
  keyPairs: Array<[Expr, Expr]>;
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  /** The other conjuncts of ON (compiled into `filter` over the joined row). */
  rest: Expr[];
  filter: ((row: Row) => boolean) | undefined;
  outer: [boolean, boolean];
  /** Output fields (padded sides nullable). */
  fields: Field[];
  /** `InnerJoin`, `LeftOuterJoin`, ... */
  joinType: string;
  /** EXPLAIN's where=[...] text. */
  where: string;
}

export interface IntervalJoinNode {
  kind: 'IntervalJoin';
  left: PlanNode;
  right: PlanNode;
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  filter?: (row: Row) => boolean;
  outer: [boolean, boolean];
  /** Positions of the time attributes in the left and right rows. */
  leftTime: number;
  rightTime: number;
  /** `lower <= leftTime - rightTime <= upper`, in ms. */
  lower: number;
  upper: number;
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

/** A time attribute plus a constant offset: `rt`, `rt + INTERVAL ...`, `rt - INTERVAL ...`. */
interface TimeTerm {
  side: 0 | 1;
  index: number;
  offset: number;
  proctime: boolean;
}

function constantMs(e: Expr, env: PlannerEnv): number | undefined {
  try {
    const c = compileExpr(e, { fields: [] }, env.ctx);
    if (c.constant && c.type.kind === 'INTERVAL_DT' && typeof c.constant.value === 'number') return c.constant.value;
  } catch {
    // not a constant
  }
  return undefined;
}

function timeTerm(e: Expr, p: JoinParts): TimeTerm | undefined {
  if (e.kind === 'ColumnRef') {
    // each side resolves in its own scope (the joined scope loses the right side's time attributes)
    for (const side of [0, 1] as const) {
      const scope: Scope = { fields: (side === 0 ? p.left : p.right).scope };
      let hit: ReturnType<typeof resolveColumn>;
      try {
        hit = resolveColumn(scope, e.names, e.pos);
      } catch {
        return undefined;
      }
      if (!hit || hit.rest.length) continue;
      const f: ScopeField = hit.field;
      if (!f.rowtime && !f.proctime) return undefined;
      return { side, index: f.index, offset: 0, proctime: f.proctime === true };
    }
    return undefined;
  }
  if (e.kind === 'Binary' && (e.op === '+' || e.op === '-')) {
    const l = timeTerm(e.left, p);
    const c = constantMs(e.right, p.env);
    if (l && c !== undefined) return { ...l, offset: l.offset + (e.op === '+' ? c : -c) };
    if (e.op === '+') {
      const r = timeTerm(e.right, p);
      const k = constantMs(e.left, p.env);
      if (r && k !== undefined) return { ...r, offset: r.offset + k };
    }
  }
  return undefined;
}

type Cmp = '<' | '<=' | '>' | '>=';
const FLIP: Record<Cmp, Cmp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The comparisons of a conjunct (BETWEEN becomes two). */
function comparisons(e: Expr): Array<[Expr, Cmp, Expr]> {
  if (e.kind === 'Binary' && (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>='))
    return [[e.left, e.op, e.right]];
  if (e.kind === 'Between' && !e.not && e.symmetric !== 'SYMMETRIC')
    return [
      [e.expr, '>=', e.low],
      [e.expr, '<=', e.high],
    ];
  return [];
}

/** Plans an interval join when the ON condition bounds a time attribute on both sides; else undefined. */
export function planIntervalJoin(p: JoinParts): Planned | undefined {
  let lower = Number.NEGATIVE_INFINITY;
  let upper = Number.POSITIVE_INFINITY;
  let times: [number, number] | undefined;
  let proctime = false;
  for (const c of p.rest) {
    for (const [a, op, b] of comparisons(c)) {
      const x = timeTerm(a, p);
      const y = timeTerm(b, p);
      if (!x || !y || x.side === y.side) continue;
      // normalise to leftTime - rightTime (op) constant
      const [l, r, cmp] = x.side === 0 ? [x, y, op] : [y, x, FLIP[op]];
      if (times && (times[0] !== l.index || times[1] !== r.index)) continue;
      times = [l.index, r.index];
      proctime ||= l.proctime || r.proctime;
      const k = r.offset - l.offset;
      if (cmp === '>=') lower = Math.max(lower, k);
      else if (cmp === '>') lower = Math.max(lower, k + 1);
      else if (cmp === '<=') upper = Math.min(upper, k);
      else upper = Math.min(upper, k - 1);
    }
  }
  if (!times || !Number.isFinite(lower) || !Number.isFinite(upper)) return undefined;
  if (!isAppendOnly(p.left.node.mode) || !isAppendOnly(p.right.node.mode)) return undefined;
  if (proctime) fail(p.ref.pos, 'Interval joins on processing time (PROCTIME()) are not supported yet');
  const lw = p.left.node.fields.length;
  const scope: ScopeField[] = [
    ...p.left.scope.map((f) => ({ ...f, type: p.fields[f.index]!.type })),
    ...p.right.scope.map((f) => ({ ...f, index: f.index + lw, type: p.fields[f.index + lw]!.type })),
  ];
  const bounds = `isRowTime=true, leftLowerBound=${lower}, leftUpperBound=${upper}, leftTimeIndex=${times[0]}, rightTimeIndex=${times[1]}`;
  const node: IntervalJoinNode = {
    kind: 'IntervalJoin',
    left: p.left.node,
    right: p.right.node,
    leftKeys: p.leftKeys,
    rightKeys: p.rightKeys,
    filter: p.filter,
    outer: p.outer,
    leftTime: times[0],
    rightTime: times[1],
    lower,
    upper,
    fields: p.fields,
    mode: APPEND,
    text: `IntervalJoin(joinType=[${p.joinType}], windowBounds=[${bounds}], where=[${p.where || 'true'}], select=[${p.fields.map((f) => f.name).join(', ')}])`,
  };
  return { node, scope };
}

/** Column arithmetic only: column references, literals, + - * /, unary minus, CAST. */
function isColumnExpr(e: Expr): boolean {
  switch (e.kind) {
    case 'ColumnRef':
    case 'NumberLit':
    case 'StringLit':
    case 'IntervalLit':
    case 'TypedLit':
    case 'Unary':
    case 'Cast':
    case 'Binary':
      if (e.kind === 'Binary' && !['+', '-', '*', '/'].includes(e.op)) return false;
      return childrenOf(e).every(isColumnExpr);
    default:
      return false;
  }
}

function hasColumn(e: Expr): boolean {
  return e.kind === 'ColumnRef' || childrenOf(e).some(hasColumn);
}

/** A comparison (or BETWEEN) of column expressions on every side; `range`: not an equality. */
function joinComparison(e: Expr): 'eq' | 'range' | undefined {
  const ops = (xs: Expr[]) => xs.every((x) => isColumnExpr(x) && hasColumn(x));
  if (e.kind === 'Binary' && ['=', '<', '<=', '>', '>='].includes(e.op) && ops([e.left, e.right]))
    return e.op === '=' ? 'eq' : 'range';
  if (e.kind === 'Between' && !e.not && ops([e.expr, e.low, e.high])) return 'range';
  return undefined;
}

function and(xs: Expr[]): Expr {
  return xs.reduce((a, b) => ({ kind: 'Binary', pos: a.pos, op: 'AND', left: a, right: b }) as Expr);
}

/**
 * `FROM a, b WHERE a.k = b.k AND a.rt BETWEEN b.rt - ... AND b.rt` (an inner or comma join): as Flink, the
 * WHERE's comparisons between columns (=, <, <=, >, >=, BETWEEN) move into the join condition (the same
 * result for an inner join), so that the join gets its equi-keys and can become an interval or window
 * join; other conjuncts (constants, functions, subqueries) stay in WHERE.
 */
export function pushJoinConditions(sel: Select): Select {
  const j = sel.from;
  if (!sel.where || j?.kind !== 'Join' || j.natural || j.using) return sel;
  if (j.type !== 'INNER' && j.type !== 'CROSS' && j.type !== 'COMMA') return sel;
  const all: Expr[] = [];
  const flat = (e: Expr) => {
    if (e.kind === 'Binary' && e.op === 'AND') {
      flat(e.left);
      flat(e.right);
    } else all.push(e);
  };
  flat(sel.where);
  const moved = all.filter((c) => joinComparison(c) !== undefined);
  if (!moved.length) return sel;
  const kept = all.filter((c) => joinComparison(c) === undefined);
  const on = and(j.on ? [j.on, ...moved] : moved);
  return { ...sel, from: { ...j, on }, where: kept.length ? and(kept) : undefined };
}
