/**
 * Regular (unbounded) joins: `a [INNER|LEFT|RIGHT|FULL] JOIN b ON ...`, `a CROSS JOIN b`, `FROM a, b`.
 * The ON condition is split into conjuncts; `left-expr = right-expr` conjuncts become the equi-join key
 * (hashed state per side), the rest a filter on the joined pair. Outer sides are padded with NULLs (their
 * columns become nullable). USING and NATURAL are not supported yet.
 */
import type { Expr, Join, TableRef } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import { unionModes } from '../runtime/changelog.ts';
import { leastRestrictive, type SqlType, withNullable } from '../types/index.ts';
import { compileExpr, compilePredicate, resolveColumn, type Scope, type ScopeField } from './expr.ts';
import { planIntervalJoin } from './interval-join.ts';
import { fail } from './names.ts';
import type { Ctes, Planned, PlannerEnv } from './query.ts';
import { isTemporalJoin, planTemporalJoin } from './temporal-join.ts';
import { childrenOf } from './walk.ts';
import { planWindowJoin } from './window-join.ts';

type PlanFrom = (ref: TableRef, env: PlannerEnv, ctes: Ctes) => Planned;

export function conjuncts(e: Expr, out: Expr[]): Expr[] {
  if (e.kind === 'Binary' && e.op === 'AND') {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
  return out;
}

/** Which join input an expression reads: L, R, both (M) or none (C). */
export function sideOf(e: Expr, scope: Scope, leftWidth: number): 'L' | 'R' | 'M' | 'C' {
  let left = false;
  let right = false;
  const walk = (x: Expr) => {
    if (x.kind === 'ColumnRef') {
      const hit = resolveColumn(scope, x.names, x.pos);
      if (hit) {
        if (hit.field.index < leftWidth) left = true;
        else right = true;
      }
      return;
    }
    for (const c of childrenOf(x)) walk(c);
  };
  walk(e);
  return left && right ? 'M' : left ? 'L' : right ? 'R' : 'C';
}

/** Plans an inner join of two table references. */
/** A join condition split into equi-key pairs (one side from each input) and the remaining conjuncts. */
export interface EquiKeys {
  leftKeys: Array<(row: unknown[]) => unknown>;
  rightKeys: Array<(row: unknown[]) => unknown>;
  /** Each pair's `=` as EXPLAIN prints it. */
  keyText: string[];
  /** Left and right expression of each pair. */
  keyPairs: Array<[Expr, Expr]>;
  /** Input columns the right-hand key expressions are, where they are plain columns. */
  rightKeyColumns: Set<number>;
  rest: Expr[];
}

/**
 * Scopes of a temporal or lookup join: the left input's fields, then the right side's (whose time
 * attributes end at the join), the merged scope for the ON condition and each side's own.
 */
export function versionedJoinScopes(
  left: Planned,
  right: Planned,
): { lw: number; scopeFields: ScopeField[]; merged: Scope; leftScope: Scope; rightScope: Scope } {
  const lw = left.node.fields.length;
  const scopeFields: ScopeField[] = [
    ...left.scope,
    ...right.scope.map((f) => ({ ...f, index: f.index + lw, rowtime: false, proctime: false })),
  ];
  return {
    lw,
    scopeFields,
    merged: { fields: scopeFields, noAggregates: 'JOIN' },
    leftScope: { fields: left.scope, noAggregates: 'JOIN' },
    rightScope: { fields: right.scope, noAggregates: 'JOIN' },
  };
}

/** The ON conjuncts a join checks on each joined row (after its equi-keys), compiled, and their text. */
export function onFilter(
  conds: Expr[],
  scope: Scope,
  ctx: PlannerEnv['ctx'],
): { filter: ((row: unknown[]) => boolean) | undefined; filterText: string } {
  if (conds.length === 0) return { filter: undefined, filterText: '' };
  const cond = conds.reduce((a, b) => ({ kind: 'Binary', pos: a.pos, op: 'AND', left: a, right: b }) as Expr);
  return { filter: compilePredicate(cond, scope, ctx, 'ON'), filterText: formatExpr(cond) };
}

/** Splits conjuncts into equi-keys and the rest; `=` across incompatible types fails like Flink. */
export function splitEquiKeys(
  conds: Expr[],
  merged: Scope,
  leftWidth: number,
  leftScope: Scope,
  rightScope: Scope,
  ctx: PlannerEnv['ctx'],
): EquiKeys {
  const out: EquiKeys = {
    leftKeys: [],
    rightKeys: [],
    keyText: [],
    keyPairs: [],
    rightKeyColumns: new Set(),
    rest: [],
  };
  for (const c of conds) {
    if (c.kind === 'Binary' && c.op === '=') {
      const a = sideOf(c.left, merged, leftWidth);
      const b = sideOf(c.right, merged, leftWidth);
      if ((a === 'L' && b === 'R') || (a === 'R' && b === 'L')) {
        const [le, re] = a === 'L' ? [c.left, c.right] : [c.right, c.left];
        const lc = compileExpr(le, leftScope, ctx);
        const rc = compileExpr(re, rightScope, ctx);
        if (!leastRestrictive([lc.type, rc.type]))
          fail(c.pos, `Cannot apply '=' to arguments of type '<${lc.type.kind}> = <${rc.type.kind}>'`);
        out.leftKeys.push(lc.eval);
        out.rightKeys.push(rc.eval);
        if (rc.ref !== undefined) out.rightKeyColumns.add(rc.ref);
        out.keyText.push(formatExpr(c));
        out.keyPairs.push([le, re]);
        continue;
      }
    }
    out.rest.push(c);
  }
  return out;
}

export function planJoin(ref: Join, env: PlannerEnv, ctes: Ctes, planFrom: PlanFrom): Planned {
  if (ref.natural || ref.using) fail(ref.pos, 'NATURAL joins and JOIN ... USING are not supported yet');
  if (isTemporalJoin(ref)) return planTemporalJoin(ref, env, ctes, planFrom);
  const left = planFrom(ref.left, env, ctes);
  const right = planFrom(ref.right, env, ctes);
  if ((ref.type === 'LEFT' || ref.type === 'RIGHT' || ref.type === 'FULL') && !ref.on)
    fail(ref.pos, `${ref.type} JOIN needs an ON condition`);
  const outer: [boolean, boolean] = [
    ref.type === 'LEFT' || ref.type === 'FULL',
    ref.type === 'RIGHT' || ref.type === 'FULL',
  ];
  const lw = left.node.fields.length;
  const scope: ScopeField[] = [
    ...left.scope,
    ...right.scope.map((f) => ({ ...f, index: f.index + lw, rowtime: false })),
  ];
  const merged: Scope = { fields: scope, noAggregates: 'JOIN' };
  const leftScope: Scope = { fields: left.scope.map((f) => ({ ...f })), noAggregates: 'JOIN' };
  const rightScope: Scope = { fields: right.scope.map((f) => ({ ...f })), noAggregates: 'JOIN' };
  const { leftKeys, rightKeys, keyText, keyPairs, rest } = splitEquiKeys(
    ref.on ? conjuncts(ref.on, []) : [],
    merged,
    lw,
    leftScope,
    rightScope,
    env.ctx,
  );
  const { filter, filterText } = onFilter(rest, merged, env.ctx);
  // the side that can be missing is padded with NULLs: its columns become nullable
  const nullableIf = (pad: boolean) => (f: { name: string; type: SqlType }) =>
    pad ? { ...f, type: withNullable(f.type, true) } : f;
  const fields = [...left.node.fields.map(nullableIf(outer[1])), ...right.node.fields.map(nullableIf(outer[0]))];
  const outScope = scope.map((f, i) => ({ ...f, type: fields[i]!.type }));
  const baseMode = unionModes(left.node.mode, right.node.mode);
  const mode = outer[0] || outer[1] ? { ...baseMode, insert: true, delete: true } : baseMode;
  const joinType =
    ref.type === 'LEFT'
      ? 'LeftOuterJoin'
      : ref.type === 'RIGHT'
        ? 'RightOuterJoin'
        : ref.type === 'FULL'
          ? 'FullOuterJoin'
          : 'InnerJoin';
  const where = [keyText.join(' AND '), filterText].filter(Boolean).join(' AND ');
  // time-aware joins: interval join (time-attribute bounds), window join (window_start/window_end equality)
  const parts = { ref, env, left, right, keyPairs, leftKeys, rightKeys, rest, filter, outer, fields, joinType, where };
  const timed = planIntervalJoin(parts) ?? planWindowJoin(parts);
  if (timed) return timed;
  return {
    node: {
      kind: 'Join',
      left: left.node,
      right: right.node,
      leftKeys,
      rightKeys,
      filter,
      outer,
      fields,
      mode,
      text: `Join(joinType=[${joinType}], where=[${where || 'true'}], select=[${fields.map((f) => f.name).join(', ')}])`,
    },
    scope: outScope,
  };
}
