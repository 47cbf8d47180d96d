/**
 * Table functions (user-defined, functions/udf.ts) in FROM: `t, LATERAL TABLE(f(x))`,
 * `t CROSS JOIN LATERAL TABLE(f(x)) AS T(a, b)`, `t [INNER] JOIN LATERAL TABLE(f(x)) ON cond` and
 * `t LEFT JOIN LATERAL TABLE(f(x)) AS T(a, b) ON TRUE` become a Correlate over the left input.
 */
import { lookupUserFunction } from '../functions/registry.ts';
import type { TableFunction } from '../functions/udf.ts';
import { formatExpr, type Join, type TableFunctionRef } from '../parser/index.ts';
import type { ChangelogMode, Field, Row } from '../runtime/changelog.ts';
import { SqlTypeError, withNullable } from '../types/index.ts';
import { compileExpr, compilePredicate, type Scope, type ScopeField } from './expr.ts';
import { fail, names } from './names.ts';
import type { PlanNode } from './plan.ts';
import type { Ctes, Planned, PlannerEnv } from './query.ts';

/** The Correlate plan node: `fn` gives the function's rows for an input row. */
export interface CorrelateNode {
  kind: 'Correlate';
  input: PlanNode;
  fn: (row: Row) => Row[];
  outer: boolean;
  /** Number of columns the function adds. */
  width: number;
  filter?: (row: Row) => boolean;
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

type PlanFrom = (ref: Join['left'], env: PlannerEnv, ctes: Ctes) => Planned;

/** The user table function a FROM item calls, if any. */
export function userTableFunction(ref: Join['right']): TableFunction | undefined {
  if (ref.kind !== 'TableFunctionRef') return undefined;
  const u = lookupUserFunction(ref.call.name.map((n) => n.value).join('.'));
  return u?.kind === 'table' ? (u.fn as TableFunction) : undefined;
}

/** Plans a join whose right side is a user table function. */
export function planCorrelate(ref: Join, fn: TableFunction, env: PlannerEnv, ctes: Ctes, planFrom: PlanFrom): Planned {
  const right = ref.right as TableFunctionRef;
  if (ref.natural || ref.using)
    fail(ref.pos, 'NATURAL joins and JOIN ... USING are not supported with table functions');
  if (ref.type === 'RIGHT' || ref.type === 'FULL')
    fail(ref.pos, `${ref.type} JOIN with a table function (LATERAL TABLE) is not supported yet`);
  const outer = ref.type === 'LEFT';
  if (outer && !(ref.on?.kind === 'BooleanLit' && ref.on.value === true))
    fail(ref.on?.pos ?? ref.pos, 'LEFT JOIN LATERAL TABLE(...) is only supported with ON TRUE');
  const left = planFrom(ref.left, env, ctes);
  const leftScope: Scope = { fields: left.scope, noAggregates: 'table function argument' };
  const args = right.call.args.map((a) => compileExpr(a, leftScope, env.ctx));
  const argTypes = args.map((a) => a.type);
  try {
    fn.infer(argTypes);
  } catch (err) {
    if (err instanceof SqlTypeError) fail(right.call.pos, err.message);
    throw err;
  }
  const run = fn.bind(argTypes);
  const evals = args.map((a) => a.eval);
  const cols = right.alias?.columns?.map((c) => c.value);
  const rowFields = fn.rowType.fields;
  if (cols && cols.length !== rowFields.length)
    fail(
      right.alias!.pos,
      `List of column aliases must have same degree as table; the returned table of function '${fn.name.toLowerCase()}' has ${rowFields.length} columns, whereas alias list has ${cols.length} columns`,
    );
  const qualifier = right.alias?.name.value ?? fn.name.toLowerCase();
  const lw = left.node.fields.length;
  const added = rowFields.map((f, i) => ({ name: cols?.[i] ?? f.name, type: withNullable(f.type, true) }));
  const fields = [...left.node.fields, ...added];
  const scope: ScopeField[] = [
    ...left.scope,
    ...added.map((f, i) => ({ name: f.name, type: f.type, index: lw + i, qualifier })),
  ];
  let filter: ((row: Row) => boolean) | undefined;
  if (ref.on && !outer && !(ref.on.kind === 'BooleanLit' && ref.on.value === true))
    filter = compilePredicate(ref.on, { fields: scope, noAggregates: 'JOIN' }, env.ctx, 'ON');
  const node: CorrelateNode = {
    kind: 'Correlate',
    input: left.node,
    fn: (row) => run(evals.map((e) => e(row))),
    outer,
    width: added.length,
    filter,
    fields,
    mode: left.node.mode,
    text: `Correlate(invocation=[${formatExpr(right.call)}], correlate=[table(${fn.name.toLowerCase()})], select=[${names(fields)}], joinType=[${outer ? 'LEFT' : 'INNER'}]${ref.on && filter ? `, condition=[${formatExpr(ref.on)}]` : ''})`,
  };
  return { node: node, scope };
}
