/** Walking expression trees: children of a node, aggregate calls inside an expression. */

import { lookupAggregate } from '../functions/index.ts';
import type { Expr, FunctionCall } from '../parser/index.ts';

/** The direct sub-expressions of an expression (subqueries not included). */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'Binary':
      return [e.left, e.right];
    case 'Unary':
      return [e.expr];
    case 'FunctionCall':
      return e.filter ? [...e.args, e.filter] : e.args;
    case 'Cast':
      return [e.expr];
    case 'Case':
      return [
        ...(e.operand ? [e.operand] : []),
        ...e.whens.flatMap((w) => [w.condition, w.result]),
        ...(e.else ? [e.else] : []),
      ];
    case 'InList':
      return [e.expr, ...e.list];
    case 'Between':
      return [e.expr, e.low, e.high];
    case 'Like':
      return [e.expr, e.pattern, ...(e.escape ? [e.escape] : [])];
    case 'IsTest':
      return [e.expr];
    case 'IsDistinctFrom':
      return [e.left, e.right];
    case 'FieldAccess':
      return [e.expr];
    case 'IndexAccess':
      return [e.expr, e.index];
    case 'ArrayCtor':
      return e.elements;
    case 'MapCtor':
      return e.entries;
    case 'RowCtor':
      return e.fields;
    case 'Extract':
      return [e.expr];
    case 'Position':
      return [e.needle, e.haystack];
    case 'Trim':
      return [e.expr, ...(e.chars ? [e.chars] : [])];
    case 'CeilFloor':
      return [e.expr];
    case 'JsonCall':
      return e.args;
    case 'NamedArg':
      return [e.value];
    default:
      return [];
  }
}

/** Whether a call is an aggregate function call (not an OVER window). */
export function isAggregateCall(e: Expr): e is FunctionCall {
  return e.kind === 'FunctionCall' && !e.over && lookupAggregate(e.name.map((n) => n.value).join('.')) !== undefined;
}

/** Aggregate calls in an expression, outermost first (not descending into an aggregate's arguments). */
export function collectAggregates(e: Expr, out: FunctionCall[]): void {
  if (isAggregateCall(e)) {
    out.push(e);
    return;
  }
  for (const c of childrenOf(e)) collectAggregates(c, out);
}
