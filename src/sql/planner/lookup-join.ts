/**
 * Lookup joins: `FROM o [LEFT] JOIN t FOR SYSTEM_TIME AS OF o.proc_time AS t ON t.k = o.x` where `t`'s
 * connector can look rows up by key (jdbc). Each left row fetches the current rows of its key from the
 * external table (../runtime/lookup-join.ts) instead of the table being scanned into state.
 *
 * The lookup keys are the ON conjuncts equating a physical column of `t` to an expression of `o` (cast to the
 * column's type); every other conjunct is a filter on the joined row (for a LEFT join a left row with no
 * passing match is padded with NULLs). Only processing time: a lookup table has no versions.
 */
import type { CatalogTable } from '../catalog/catalog.ts';
import type { LookupProvider } from '../connectors/connector.ts';
import { getConnector, tableInfo } from '../connectors/connector.ts';
import type { Expr, Join } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import type { ChangelogMode, Field, Row } from '../runtime/changelog.ts';
import { compileCast, type SqlType, typeEquals, withNullable } from '../types/index.ts';
import { compileExpr } from './expr.ts';
import { conjuncts, onFilter, splitEquiKeys, versionedJoinScopes } from './join.ts';
import { fail } from './names.ts';
import type { PlanNode } from './plan.ts';
import type { Planned, PlannerEnv } from './query.ts';

export interface LookupJoinNode {
  kind: 'LookupJoin';
  /** The left (probe) input. */
  input: PlanNode;
  table: CatalogTable;
  provider: LookupProvider;
  /** Lookup key columns: indexes among the table's physical columns. */
  keyColumns: number[];
  /** The left row's value for each key column (already of the column's type). */
  leftKeys: Array<(row: Row) => unknown>;
  /** For each right output column: index in the looked-up (physical) row, or -1 for a computed column. */
  sourceIndex: number[];
  computed: Array<{ index: number; eval: (row: Row) => unknown }>;
  /** ON conjuncts other than the lookup keys, over the joined row (left fields, then right). */
  filter?: (row: Row) => boolean;
  leftOuter: boolean;
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

/** The table of a temporal join's right side when it is a scan of a table whose connector offers lookups. */
export function lookupTable(right: Planned): CatalogTable | undefined {
  if (right.node.kind !== 'Scan') return undefined;
  const f = getConnector(right.node.table.options.connector ?? '');
  return f?.lookup ? right.node.table : undefined;
}

export function planLookupJoin(
  ref: Join,
  env: PlannerEnv,
  left: Planned,
  right: Planned,
  tableName: string,
  proctime: boolean,
): Planned {
  if (right.node.kind !== 'Scan') throw new Error('lookup join over a non-scan');
  const scan = right.node;
  const table = scan.table;
  const connector = table.options.connector!;
  if (!proctime)
    fail(
      ref.pos,
      `Event-time temporal join is not supported on table [${tableName}]: a '${connector}' table is a lookup table, not a versioned table (it has no rowtime history). Use a processing-time attribute: FOR SYSTEM_TIME AS OF <left>.proc_time with proc_time AS PROCTIME().`,
    );
  const provider = getConnector(connector)!.lookup!(tableInfo(table), env.connectorEnv);

  const { lw, scopeFields, merged, leftScope, rightScope } = versionedJoinScopes(left, right);
  const { keyPairs, rest } = splitEquiKeys(conjuncts(ref.on!, []), merged, lw, leftScope, rightScope, env.ctx);

  // lookup keys: a physical column of the table equated to a left expression; other pairs are filters
  const physical = table.columns.filter((c) => c.kind === 'physical');
  const keyColumns: number[] = [];
  const leftKeys: Array<(row: Row) => unknown> = [];
  const lookupText: string[] = [];
  const post = [...rest];
  for (const [le, re] of keyPairs) {
    const rc = compileExpr(re, rightScope, env.ctx);
    const col = rc.ref === undefined ? -1 : scan.sourceIndex[rc.ref]!;
    const pcol = col < 0 ? -1 : physical.findIndex((c) => c.name === table.columns[rc.ref!]!.name);
    if (pcol < 0 || keyColumns.includes(pcol)) {
      post.push({ kind: 'Binary', pos: le.pos, op: '=', left: le, right: re } as Expr);
      continue;
    }
    const lc = compileExpr(le, leftScope, env.ctx);
    const colType = physical[pcol]!.type;
    const cast = typeEquals(lc.type, colType, true)
      ? undefined
      : compileCast(lc.type, colType, { timeZone: env.ctx.eval.timeZone, try: true });
    keyColumns.push(pcol);
    leftKeys.push(cast ? (row) => cast(lc.eval(row)) : lc.eval);
    const leftName = lc.ref === undefined ? formatExpr(le) : left.node.fields[lc.ref]!.name;
    lookupText.push(`${physical[pcol]!.name}=${leftName}`);
  }
  if (keyColumns.length === 0)
    fail(ref.pos, `Temporal table join requires an equality condition on fields of table [${tableName}].`);

  const { filter, filterText } = onFilter(post, merged, env.ctx);
  const leftOuter = ref.type === 'LEFT';
  const nullable = (f: Field): Field => (leftOuter ? { ...f, type: withNullable(f.type as SqlType, true) } : f);
  const fields = [...left.node.fields, ...right.node.fields.map(nullable)];
  const scope = scopeFields.map((f, i) => ({ ...f, type: fields[i]!.type }));
  const parts = [
    `table=[${tableName}]`,
    `joinType=[${leftOuter ? 'LeftOuterJoin' : 'InnerJoin'}]`,
    `lookup=[${lookupText.join(', ')}]`,
    ...(filterText ? [`joinCondition=[${filterText}]`] : []),
    `select=[${fields.map((f) => f.name).join(', ')}]`,
  ];
  const node: LookupJoinNode = {
    kind: 'LookupJoin',
    input: left.node,
    table,
    provider,
    keyColumns,
    leftKeys,
    sourceIndex: scan.sourceIndex,
    computed: scan.computed,
    filter,
    leftOuter,
    fields,
    // each left row's kind is kept: the output changes as the left input does
    mode: left.node.mode,
    text: `LookupJoin(${parts.join(', ')})`,
  };
  return { node, scope };
}
