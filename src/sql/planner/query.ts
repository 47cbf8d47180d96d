/**
 * Query planning: parser Query → physical plan (plan.ts). Resolves tables, views and CTEs, compiles
 * expressions against scopes, plans aggregation (unbounded GROUP BY, window aggregation over window TVFs),
 * DISTINCT, UNION ALL, ORDER BY/LIMIT on bounded input, and infers each node's changelog mode.
 */
import { Catalog, type CatalogTable, fullName } from '../catalog/catalog.ts';
import { type ConnectorEnv, tableInfo, validateTable } from '../connectors/connector.ts';
import type { Expr, FunctionCall, Query, Select, SelectItem, SetExpr, TableRef, Values } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import { APPEND, type Field, unionModes } from '../runtime/changelog.ts';
import { formatType, leastRestrictive, type SqlType, T, typeEquals } from '../types/index.ts';
import { distinct, planAggregate } from './aggregate.ts';
import { planCorrelate, userTableFunction } from './correlate.ts';
import {
  type Compiled,
  coerce,
  compileExpr,
  compilePredicate,
  type ExprContext,
  isProctimeCall,
  resolveColumn,
  type Scope,
  type ScopeField,
} from './expr.ts';
import { pushJoinConditions } from './interval-join.ts';
import { planJoin } from './join.ts';
import { planMatch } from './match.ts';
import { fail, itemName, names, uniqueNames } from './names.ts';
import { compareBy, planOver } from './over.ts';
import type { PlanNode, ScanNode } from './plan.ts';
import { isBounded } from './plan.ts';
import { applyRankFilter } from './rank.ts';
import { collectAggregates } from './walk.ts';
import { planWindowTvf } from './window-tvf.ts';

/** What planning needs from the session. */
export interface PlannerEnv {
  catalog: Catalog;
  ctx: ExprContext;
  connectorEnv: ConnectorEnv;
  /** Session options (SET). */
  options: Record<string, string>;
}

/** A planned relation: the node and the names its columns are visible under. */
export interface Planned {
  node: PlanNode;
  /** One per node field, same order; `index` is the field position. */
  scope: ScopeField[];
}

/** CTEs in scope, by name. */
export type Ctes = Map<string, Query>;

/** Plans a query (SELECT, VALUES, UNION ALL, WITH, ORDER BY/LIMIT). */
export function planQuery(q: Query, env: PlannerEnv, ctes: Ctes = new Map()): Planned {
  if (q.with) {
    ctes = new Map(ctes);
    for (const c of q.with)
      ctes.set(
        c.name.value,
        c.columns
          ? renameQuery(
              c.query,
              c.columns.map((x) => x.value),
            )
          : c.query,
      );
  }
  let p = planSetExpr(q.body, env, ctes);
  if (q.orderBy || q.limit || q.fetch || q.offset) p = planSortLimit(q, p, env);
  return p;
}

// CTE column aliases are applied when the CTE is planned (kept with the query)
const cteColumns = new WeakMap<Query, string[]>();
function renameQuery(q: Query, cols: string[]): Query {
  cteColumns.set(q, cols);
  return q;
}

function planSetExpr(s: SetExpr, env: PlannerEnv, ctes: Ctes): Planned {
  switch (s.kind) {
    case 'Query':
      return planQuery(s, env, ctes);
    case 'Select':
      return planSelect(pushJoinConditions(s), env, ctes);
    case 'Values':
      return planValues(s, env);
    case 'SetOperation': {
      if (s.op !== 'UNION') fail(s.pos, `${s.op} is not supported yet`);
      const left = planSetExpr(s.left, env, ctes);
      const right = planSetExpr(s.right, env, ctes);
      const lf = left.node.fields;
      const rf = right.node.fields;
      if (lf.length !== rf.length) fail(s.pos, `Column count mismatch in UNION${s.quantifier === 'ALL' ? ' ALL' : ''}`);
      const types = lf.map((f, i) => {
        const t = leastRestrictive([f.type, rf[i]!.type]);
        if (!t)
          fail(
            s.pos,
            `Type mismatch in column ${i + 1} of UNION${s.quantifier === 'ALL' ? ' ALL' : ''}: ${formatType(f.type)} and ${formatType(rf[i]!.type)}`,
          );
        return t;
      });
      const fields = lf.map((f, i) => ({ name: f.name, type: types[i]! }));
      const inputs = [left, right].map((p) => castTo(p, types, env));
      const mode = unionModes(inputs[0]!.mode, inputs[1]!.mode);
      const node: PlanNode = {
        kind: 'Union',
        inputs,
        fields,
        mode,
        text: `Union(all=[true], union=[${names(fields)}])`,
      };
      const scope = fields.map((f, i) => ({ name: f.name, type: f.type, index: i }));
      if (s.quantifier === 'ALL') return { node, scope };
      return distinct({ node, scope });
    }
  }
}

/** Adds a Calc casting columns to `types` when any differs. */
function castTo(p: Planned, types: SqlType[], env: PlannerEnv): PlanNode {
  const fs = p.node.fields;
  if (fs.every((f, i) => typeEquals(f.type, types[i]!))) return p.node;
  const projection = fs.map((f, i) => {
    const idx = i;
    const c: Compiled = { type: f.type, eval: (row) => row[idx] };
    return coerce(c, types[i]!, env.ctx).eval;
  });
  const fields = fs.map((f, i) => ({ name: f.name, type: types[i]! }));
  return {
    kind: 'Calc',
    input: p.node,
    projection,
    fields,
    mode: p.node.mode,
    text: `Calc(select=[${fs.map((f, i) => (typeEquals(f.type, types[i]!) ? f.name : `CAST(${f.name} AS ${formatType(types[i]!)}) AS ${f.name}`)).join(', ')}])`,
  };
}

function planValues(v: Values, env: PlannerEnv): Planned {
  const empty: Scope = { fields: [], noAggregates: 'VALUES' };
  const compiled = v.rows.map((r) => r.map((e) => compileExpr(e, empty, env.ctx)));
  const width = compiled[0]?.length ?? 0;
  for (const r of compiled)
    if (r.length !== width) fail(v.pos, 'Values must have the same number of columns in every row');
  const types = Array.from({ length: width }, (_, i) => {
    const t = leastRestrictive(compiled.map((r) => r[i]!.type));
    if (!t) fail(v.pos, `Type mismatch in column ${i + 1} of VALUES`);
    return t.kind === 'NULL' ? T.null() : t;
  });
  const rows = compiled.map((r) => r.map((c, i) => coerce(c, types[i]!, env.ctx).eval([])));
  const fields = types.map((t, i) => ({ name: `EXPR$${i}`, type: t }));
  return {
    node: { kind: 'Values', rows, fields, mode: APPEND, text: `Values(tuples=[${rows.length} rows])` },
    scope: fields.map((f, i) => ({ ...f, index: i })),
  };
}

function qualify(p: Planned, alias: string | undefined, columns?: string[]): Planned {
  const fields = p.node.fields;
  if (columns && columns.length !== fields.length)
    fail(
      undefined,
      `List of column aliases must have same degree as table; table has ${fields.length} columns, whereas alias list has ${columns.length} columns`,
    );
  const scope = p.scope.map((f, i) => ({
    ...f,
    name: columns ? columns[i]! : f.name,
    qualifier: alias ?? f.qualifier,
  }));
  if (!columns) return { node: p.node, scope };
  const node = { ...p.node, fields: fields.map((f, i) => ({ name: columns[i]!, type: f.type })) } as PlanNode;
  return { node, scope };
}

function planFrom(ref: TableRef, env: PlannerEnv, ctes: Ctes): Planned {
  switch (ref.kind) {
    case 'TableName': {
      const alias = ref.alias?.name.value;
      const cols = ref.alias?.columns?.map((c) => c.value);
      if (ref.systemTime) fail(ref.pos, 'FOR SYSTEM_TIME AS OF (temporal joins) is not supported yet');
      if (ref.name.length === 1 && ctes.has(ref.name[0]!.value)) {
        const q = ctes.get(ref.name[0]!.value)!;
        const inner = new Map(ctes);
        inner.delete(ref.name[0]!.value);
        const p = planQuery(q, env, inner);
        return qualify(p, alias ?? ref.name[0]!.value, cols ?? cteColumns.get(q));
      }
      const name = Catalog.objectName(ref.name);
      const obj = name === undefined ? undefined : env.catalog.get(name);
      if (!obj) fail(ref.pos, `Object '${ref.name.map((n) => n.value).join('.')}' not found`);
      if (obj.kind === 'view') {
        const p = planQuery(obj.query, env, new Map());
        return qualify(p, alias ?? obj.name, cols ?? obj.columnNames);
      }
      let table = obj;
      const hint = ref.hints.find((h) => h.name.value.toUpperCase() === 'OPTIONS');
      if (hint) {
        const extra: Record<string, string> = {};
        for (const a of hint.args ?? []) if (a.kind === 'HintKv') extra[a.key] = a.value;
        table = { ...table, options: { ...table.options, ...extra } };
      }
      return qualify(planScan(table, env, ref.pos), alias ?? obj.name, cols);
    }
    case 'SubqueryRef': {
      if (ref.lateral) fail(ref.pos, 'LATERAL subqueries are not supported yet');
      const p = planQuery(ref.query, env, ctes);
      return qualify(
        p,
        ref.alias?.name.value,
        ref.alias?.columns?.map((c) => c.value),
      );
    }
    case 'TableFunctionRef':
      if (userTableFunction(ref))
        fail(ref.pos, 'A table function (LATERAL TABLE) must be joined to a table: FROM t, LATERAL TABLE(f(t.x))');
      return planWindowTvf(ref, env, ctes, planFrom);
    case 'Join': {
      const tableFn = userTableFunction(ref.right);
      if (tableFn) return planCorrelate(ref, tableFn, env, ctes, planFrom);
      return planJoin(ref, env, ctes, planFrom);
    }
    case 'UnnestRef':
      return fail(ref.pos, 'UNNEST is not supported yet');
    case 'MatchRecognize':
      return planMatch(ref, env, ctes, planFrom);
  }
}

/** The idle timeout of a table's partitions: the table's option, else the session's, in ms. */
function idleTimeout(table: CatalogTable, env: PlannerEnv): number {
  const v = table.options['scan.watermark.idle-timeout'] ?? env.options['table.exec.source.idle-timeout'];
  if (v === undefined) return 0;
  const m = /^\s*(\d+)\s*(ms|s|min|m|h)?\s*$/.exec(v);
  if (!m) fail(undefined, `Could not parse value '${v}' for key 'scan.watermark.idle-timeout'.`);
  const k = { ms: 1, s: 1000, min: 60_000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * k;
}

/** A table scan with computed columns and the watermark. */
export function planScan(
  table: CatalogTable,
  env: PlannerEnv,
  pos?: { line: number; col: number; offset: number },
): Planned {
  const factory = validateTable(table);
  if (!factory.source)
    fail(pos, `Connector '${factory.identifier}' can only be used as a sink. It cannot be used as a source.`);
  const provider = factory.source(tableInfo(table), env.connectorEnv);
  const cols = table.columns;
  const sourceIndex: number[] = [];
  let k = 0;
  for (const c of cols) sourceIndex.push(c.kind === 'computed' ? -1 : k++);
  const baseScope: Scope = {
    fields: cols.flatMap((c, i) => (c.kind === 'computed' ? [] : [{ name: c.name, type: c.type, index: i }])),
    noAggregates: 'computed column',
  };
  const computed = cols.flatMap((c, i) =>
    c.kind === 'computed' ? [{ index: i, eval: compileExpr(c.expr!, baseScope, env.ctx).eval }] : [],
  );
  const scope: ScopeField[] = cols.map((c, i) => ({
    name: c.name,
    qualifier: table.name,
    type: c.type,
    index: i,
    rowtime: table.watermark?.column === c.name,
    proctime: c.kind === 'computed' && isProctimeCall(c.expr!),
  }));
  let watermark: ScanNode['watermark'];
  if (table.watermark) {
    const w = compileExpr(table.watermark.expr, { fields: scope }, env.ctx);
    watermark = { eval: w.eval, text: `${table.watermark.column}|${formatExpr(table.watermark.expr)}` };
  }
  const fields = cols.map((c) => ({ name: c.name, type: c.type }));
  const node: ScanNode = {
    kind: 'Scan',
    table,
    provider,
    sourceIndex,
    computed,
    watermark,
    idleTimeoutMs: idleTimeout(table, env),
    fields,
    mode: provider.changelogMode,
    text: `TableSourceScan(table=[[${fullName(table.name).split('.').join(', ')}]], fields=[${names(fields)}])`,
  };
  return { node, scope };
}

function expandItems(sel: Select, scope: ScopeField[]): SelectItem[] {
  const out: SelectItem[] = [];
  for (const item of sel.items) {
    if (item.expr.kind !== 'Star') {
      out.push(item);
      continue;
    }
    const q = item.expr.qualifier.map((n) => n.value);
    const fs = q.length ? scope.filter((f) => f.qualifier === q[q.length - 1]) : scope;
    if (q.length && fs.length === 0) fail(item.pos, `Unknown identifier '${q.join('.')}'`);
    for (const f of fs)
      out.push({
        kind: 'SelectItem',
        pos: item.pos,
        expr: {
          kind: 'ColumnRef',
          pos: item.pos,
          names: [
            ...(f.qualifier ? [{ kind: 'Identifier' as const, pos: item.pos, value: f.qualifier, quoted: true }] : []),
            { kind: 'Identifier', pos: item.pos, value: f.name, quoted: true },
          ],
        },
        alias: { kind: 'Identifier', pos: item.pos, value: f.name, quoted: true },
      });
  }
  return out;
}

function planSelect(sel: Select, env: PlannerEnv, ctes: Ctes): Planned {
  let input: Planned = sel.from
    ? planFrom(sel.from, env, ctes)
    : { node: { kind: 'Values', rows: [[]], fields: [], mode: APPEND, text: 'Values(tuples=[[{ }]])' }, scope: [] };
  // a ROW_NUMBER() column of the FROM filtered by its value: Top-N / deduplication (rank.ts)
  const ranked = applyRankFilter(input, sel, env);
  if (ranked) ({ input, sel } = ranked);
  const items = expandItems(sel, input.scope);
  const inScope: Scope = { fields: input.scope };
  let where: ((row: unknown[]) => boolean) | undefined;
  if (sel.where) where = compilePredicate(sel.where, { ...inScope, noAggregates: 'WHERE' }, env.ctx, 'WHERE');

  const aggCalls: FunctionCall[] = [];
  for (const it of items) collectAggregates(it.expr, aggCalls);
  if (sel.having) collectAggregates(sel.having, aggCalls);
  const grouped = (sel.groupBy && sel.groupBy.length > 0) || aggCalls.length > 0;

  let scope: Scope = inScope;
  if (grouped) {
    if (where) {
      input = {
        node: calc(input.node, where, null, input.node.fields, `where=[${formatExpr(sel.where!)}]`),
        scope: input.scope,
      };
      where = undefined;
    }
    const agg = planAggregate(sel, aggCalls, input, env);
    if (agg.planned.node.kind !== 'SessionWindowAggregate' || !agg.planned.node.windowKeys)
      assertNoSessionTvf(input.node, sel);
    input = agg.planned;
    scope = agg.scope;
  } else {
    if (sel.having) fail(sel.having.pos, 'HAVING clause requires GROUP BY or aggregate functions');
    assertNoSessionTvf(input.node, sel);
    // OVER windows: OVER aggregations and ROW_NUMBER() for Top-N (over.ts)
    const over = planOver(sel, items, input, where, env);
    if (over) {
      input = over.planned;
      scope = over.scope;
      where = undefined;
    }
  }

  const compiled = items.map((it) => compileExpr(it.expr, scope, env.ctx));
  const having = sel.having ? compilePredicate(sel.having, scope, env.ctx, 'HAVING') : undefined;
  const outNames = uniqueNames(items.map(itemName));
  const fields = compiled.map((c, i) => ({ name: outNames[i]!, type: c.type }));
  const outScope: ScopeField[] = fields.map((f, i) => {
    const e = items[i]!.expr;
    let rowtime = false;
    let proctime = !grouped && isProctimeCall(e);
    if (e.kind === 'ColumnRef' && !grouped) {
      const hit = resolveColumn(scope, e.names, e.pos)?.field;
      rowtime = hit?.rowtime === true;
      proctime = hit?.proctime === true;
    }
    return { name: f.name, type: f.type, index: i, rowtime, proctime };
  });
  // identity projection (SELECT * without filter, or an aggregate's columns in order) needs no Calc
  const identity = compiled.length === input.node.fields.length && compiled.every((c, i) => c.ref === i);
  const filter = where ?? having;
  let node: PlanNode;
  if (identity && !filter) node = { ...input.node, fields } as PlanNode;
  else {
    const cond = sel.where ?? sel.having;
    const text = `select=[${items.map((it, i) => `${formatExpr(it.expr)}${formatExpr(it.expr) === outNames[i] ? '' : ` AS ${outNames[i]}`}`).join(', ')}]${filter && cond ? `, where=[${formatExpr(cond)}]` : ''}`;
    node = calc(input.node, filter, identity ? null : compiled.map((c) => c.eval), fields, text);
  }
  let out: Planned = { node, scope: outScope };
  if (sel.quantifier === 'DISTINCT') out = distinct(out);
  return out;
}

/** The SESSION window TVF only works under a window aggregation (its sessions are formed there). */
function assertNoSessionTvf(n: PlanNode, sel: Select): void {
  while (n.kind === 'Calc') n = n.input;
  if (n.kind === 'WindowTableFunction' && n.window.type === 'SESSION')
    fail(
      sel.pos,
      'The SESSION window table function is only supported under a window aggregation: GROUP BY window_start, window_end, ...',
    );
}

export function calc(
  input: PlanNode,
  filter: ((row: unknown[]) => boolean) | undefined,
  projection: Array<(row: unknown[]) => unknown> | null,
  fields: Field[],
  text: string,
): PlanNode {
  return { kind: 'Calc', input, filter, projection, fields, mode: input.mode, text: `Calc(${text})` };
}

function planSortLimit(q: Query, p: Planned, env: PlannerEnv): Planned {
  if (!isBounded(p.node))
    fail(q.orderBy?.[0]?.pos ?? q.limit?.pos ?? q.pos, 'ORDER BY and LIMIT are only supported on bounded input yet');
  const scope: Scope = { fields: p.scope };
  let compare: ((a: unknown[], b: unknown[]) => number) | null = null;
  if (q.orderBy?.length) {
    const keys = q.orderBy.map((o) => {
      let c: Compiled;
      if (o.expr.kind === 'NumberLit' && /^\d+$/.test(o.expr.text)) {
        const i = Number(o.expr.text) - 1;
        if (i < 0 || i >= p.node.fields.length) fail(o.pos, `Ordinal out of range: ${o.expr.text}`);
        c = { type: p.node.fields[i]!.type, eval: (row) => row[i] };
      } else c = compileExpr(o.expr, scope, env.ctx);
      const desc = o.direction === 'DESC';
      const nullsFirst = o.nulls ? o.nulls === 'FIRST' : !desc;
      return { f: c.eval, desc, nullsFirst };
    });
    compare = compareBy(keys);
  }
  const constInt = (e: Expr | undefined, what: string): number | undefined => {
    if (!e) return undefined;
    const c = compileExpr(e, { fields: [] }, env.ctx);
    if (!c.constant) fail(e.pos, `${what} must be a constant`);
    return Number(c.constant.value);
  };
  const limit = constInt(q.limit ?? q.fetch, 'LIMIT') ?? Number.POSITIVE_INFINITY;
  const offset = constInt(q.offset, 'OFFSET') ?? 0;
  const parts: string[] = [];
  if (q.orderBy?.length)
    parts.push(`orderBy=[${q.orderBy.map((o) => `${formatExpr(o.expr)} ${o.direction ?? 'ASC'}`).join(', ')}]`);
  if (offset) parts.push(`offset=[${offset}]`);
  if (Number.isFinite(limit)) parts.push(`fetch=[${limit}]`);
  return {
    node: {
      kind: 'SortLimit',
      input: p.node,
      compare,
      offset,
      limit,
      fields: p.node.fields,
      mode: APPEND,
      text: `${q.orderBy?.length ? 'Sort' : 'Limit'}(${parts.join(', ')})`,
    },
    scope: p.scope,
  };
}
