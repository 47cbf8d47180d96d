/**
 * Aggregation planning: GROUP BY keys and aggregate calls (DISTINCT, FILTER) become a GroupAggregate
 * (unbounded, retract output) or, grouped by window_start and window_end of a window TVF, a
 * WindowAggregate (append output). The scope after aggregation sees the grouped columns and the computed
 * keys/aggregates by their text, so SELECT and HAVING resolve against them.
 */
import { lookupAggregate, prepareAggregate } from '../functions/index.ts';
import { userAggregates } from '../functions/udf.ts';
import type { Expr, FunctionCall, Select } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly, RETRACT } from '../runtime/changelog.ts';
import { type SqlType, SqlTypeError, T } from '../types/index.ts';
import { compileExpr, compilePredicate, resolveColumn, type Scope, type ScopeField } from './expr.ts';
import { fail, itemName, names, uniqueNames } from './names.ts';
import type { AggCall, PlanNode } from './plan.ts';
import type { Planned, PlannerEnv } from './query.ts';

function planAggCall(
  call: FunctionCall,
  input: Scope,
  env: PlannerEnv,
  outName: string,
): { agg: AggCall; type: SqlType } {
  const name = call.name
    .map((n) => n.value)
    .join('.')
    .toUpperCase();
  const argExprs = call.args.length === 1 && call.args[0]!.kind === 'Star' ? [] : call.args;
  const inner: Scope = { ...input, noAggregates: 'aggregate function argument' };
  const args = argExprs.map((a) => compileExpr(a, inner, env.ctx));
  let bound: ReturnType<typeof prepareAggregate>;
  try {
    bound = prepareAggregate(
      name,
      args.map((a) => a.type),
    );
  } catch (err) {
    if (err instanceof SqlTypeError) fail(call.pos, err.message);
    throw err;
  }
  const filter = call.filter
    ? compilePredicate(call.filter, { ...input, noAggregates: 'FILTER' }, env.ctx, 'FILTER')
    : undefined;
  return {
    agg: {
      fn: bound.fn,
      args: args.map((a) => a.eval),
      distinct: call.quantifier === 'DISTINCT',
      filter,
      text: `${formatExpr(call)} AS ${outName}`,
    },
    type: bound.type,
  };
}

function aggMode(input: ChangelogMode, hasAggs: boolean): ChangelogMode {
  if (!hasAggs && isAppendOnly(input)) return APPEND;
  if (isAppendOnly(input)) return { insert: true, updateBefore: true, updateAfter: true, delete: false };
  return RETRACT;
}

export function distinct(p: Planned): Planned {
  const fields = p.node.fields;
  const keys = fields.map((_, i) => (row: unknown[]) => row[i]);
  return {
    node: {
      kind: 'GroupAggregate',
      input: p.node,
      keys,
      aggs: [],
      fields,
      mode: aggMode(p.node.mode, false),
      text: `GroupAggregate(groupBy=[${names(fields)}], select=[${names(fields)}])`,
    },
    scope: p.scope.map((f) => ({ ...f, rowtime: false })),
  };
}

export function planAggregate(
  sel: Select,
  aggCalls: FunctionCall[],
  input: Planned,
  env: PlannerEnv,
): { planned: Planned; scope: Scope } {
  const inScope: Scope = { fields: input.scope };
  const groupExprs: Expr[] = [];
  let session: FunctionCall | undefined;
  for (const g of sel.groupBy ?? []) {
    if (g.kind === 'GroupingSets') fail(g.pos, `${g.type} is not supported yet`);
    const legacy = g.kind === 'FunctionCall' && g.name.length === 1 ? g.name[0]!.value.toUpperCase() : '';
    if (legacy === 'SESSION') {
      if (session) fail(g.pos, 'Only one group window is allowed in GROUP BY');
      session = g as FunctionCall;
      continue;
    }
    if (legacy === 'TUMBLE' || legacy === 'HOP')
      fail(
        g.pos,
        `Group window ${legacy}(...) in GROUP BY is not supported yet; use the window table function TABLE(${legacy}(TABLE t, DESCRIPTOR(col), ...))`,
      );
    groupExprs.push(g);
  }
  const keyCompiled = groupExprs.map((g) => compileExpr(g, { ...inScope, noAggregates: 'GROUP BY' }, env.ctx));
  const keyNames = uniqueNames(
    groupExprs.map((g, i) => (g.kind === 'ColumnRef' ? g.names[g.names.length - 1]!.value : `$f${i}`)),
  );
  const computed = new Map<string, { index: number; type: SqlType }>();
  const postFields: ScopeField[] = [];
  groupExprs.forEach((g, i) => {
    computed.set(formatExpr(g), { index: i, type: keyCompiled[i]!.type });
    if (g.kind === 'ColumnRef') {
      const f = resolveColumn(inScope, g.names, g.pos)!;
      if (f.rest.length === 0)
        postFields.push({ name: f.field.name, qualifier: f.field.qualifier, type: f.field.type, index: i });
    }
  });
  // identical calls share one accumulator
  const uniqueCalls: FunctionCall[] = [];
  for (const c of aggCalls) if (!uniqueCalls.some((u) => formatExpr(u) === formatExpr(c))) uniqueCalls.push(c);
  const aggs: AggCall[] = [];
  const fields: Field[] = keyCompiled.map((k, i) => ({ name: keyNames[i]!, type: k.type }));
  // an aggregate selected on its own is named as in the SELECT list (`COUNT(*) AS cnt`), else EXPR$<position>
  const itemNames = new Map<string, string>();
  sel.items.forEach((it, i) => {
    const key = formatExpr(it.expr);
    if (!itemNames.has(key)) itemNames.set(key, itemName(it, i));
  });
  const taken = new Set(keyNames);
  uniqueCalls.forEach((c, j) => {
    let outName = itemNames.get(formatExpr(c)) ?? `EXPR$${keyCompiled.length + j}`;
    while (taken.has(outName)) outName = `${outName}0`;
    taken.add(outName);
    const { agg, type } = planAggCall(c, inScope, env, outName);
    // a user-defined aggregate over an updating input must be able to retract (as Flink demands)
    const fnName = c.name.map((n) => n.value).join('.');
    if (!isAppendOnly(input.node.mode) && userAggregates.has(fnName.toUpperCase()) && !lookupAggregate(fnName)?.retract)
      fail(
        c.pos,
        `Aggregate function '${fnName}' does not implement retract, which is needed because its input is an updating (retracting) stream`,
      );
    aggs.push(agg);
    computed.set(formatExpr(c), { index: keyCompiled.length + j, type });
    fields.push({ name: outName, type });
  });
  const scope: Scope = { fields: postFields, computed, ungrouped: inScope };
  const keyText = groupExprs.map((g) => formatExpr(g)).join(', ');
  const selectText = [...groupExprs.map((g) => formatExpr(g)), ...aggs.map((a) => a.text)].join(', ');

  if (session) {
    // legacy group window: GROUP BY ..., SESSION(rowtime, gap) with SESSION_START/END/ROWTIME(rowtime, gap)
    if (session.args.length !== 2) fail(session.pos, 'SESSION(time_attr, gap) takes two arguments');
    const [timeArg, gapArg] = session.args as [Expr, Expr];
    const time = compileExpr(timeArg, inScope, env.ctx);
    const timeField =
      timeArg.kind === 'ColumnRef' ? resolveColumn(inScope, timeArg.names, timeArg.pos)?.field : undefined;
    if (!timeField?.rowtime)
      fail(timeArg.pos, 'Window aggregate can only be defined over a time attribute column, but is a regular column');
    const gap = compileExpr(gapArg, { fields: [] }, env.ctx);
    if (!gap.constant || gap.type.kind !== 'INTERVAL_DT' || !((gap.constant.value as number) > 0))
      fail(gapArg.pos, 'The gap of a SESSION window must be a positive constant INTERVAL DAY TO SECOND');
    const base = fields.length;
    const ts = T.timestamp(3, false);
    const prop = (name: string, index: number, type: SqlType) => {
      const call: FunctionCall = { ...session!, name: [{ ...session!.name[0]!, value: name }] };
      computed.set(formatExpr(call), { index, type });
    };
    prop('SESSION_START', base, ts);
    prop('SESSION_END', base + 1, ts);
    prop('SESSION_ROWTIME', base + 2, ts);
    fields.push({ name: 'w$start', type: ts }, { name: 'w$end', type: ts }, { name: 'w$rowtime', type: ts });
    if (!isAppendOnly(input.node.mode))
      fail(session.pos, "Group Window Aggregate doesn't support consuming update and delete changes");
    return {
      planned: {
        node: {
          kind: 'SessionWindowAggregate',
          input: input.node,
          keys: keyCompiled.map((k) => k.eval),
          aggs,
          time: time.eval,
          gap: gap.constant.value as number,
          fields,
          mode: APPEND,
          text: `GroupWindowAggregate(groupBy=[${keyText}], window=[SessionGroupWindow(${formatExpr(timeArg)}, gap=${gap.constant.value} ms)], select=[${selectText}, start('w$) AS w$start, end('w$) AS w$end])`,
        },
        scope: input.scope,
      },
      scope,
    };
  }

  // window aggregation: grouped by window_start and window_end of a window TVF
  const startKey =
    input.node.kind === 'WindowTableFunction' || isWindowed(input) ? keyIndexOf(groupExprs, input, 'window_start') : -1;
  const endKey = startKey >= 0 ? keyIndexOf(groupExprs, input, 'window_end') : -1;
  const tvf = windowTvfOf(input.node);
  if (startKey >= 0 && endKey >= 0 && tvf?.window.type === 'SESSION') {
    // the sessions are formed here: rows keep the TVF's layout only through filters, so the time column stays put
    let n: PlanNode = input.node;
    while (n.kind === 'Calc') {
      if (n.projection)
        fail(
          sel.pos,
          'A projection between the SESSION window table function and its aggregation is not supported yet',
        );
      n = n.input;
    }
    const timeIndex = tvf.timeIndex;
    return {
      planned: {
        node: {
          kind: 'SessionWindowAggregate',
          input: input.node,
          keys: keyCompiled.map((k) => k.eval),
          aggs,
          time: (row) => row[timeIndex],
          gap: tvf.window.size,
          windowKeys: [startKey, endKey],
          fields,
          mode: APPEND,
          text: `WindowAggregate(groupBy=[${keyText}], window=[SESSION(gap=[${tvf.window.size} ms])], select=[${selectText}])`,
        },
        scope: input.scope,
      },
      scope,
    };
  }
  if (startKey >= 0 && endKey >= 0) {
    return {
      planned: {
        node: {
          kind: 'WindowAggregate',
          input: input.node,
          keys: keyCompiled.map((k) => k.eval),
          aggs,
          startKey,
          endKey,
          fields,
          mode: APPEND,
          text: `WindowAggregate(groupBy=[${keyText}], select=[${selectText}])`,
        },
        scope: input.scope,
      },
      scope,
    };
  }
  const mode = aggMode(input.node.mode, aggs.length > 0);
  return {
    planned: {
      node: {
        kind: 'GroupAggregate',
        input: input.node,
        keys: keyCompiled.map((k) => k.eval),
        aggs,
        fields,
        mode,
        text: groupExprs.length
          ? `GroupAggregate(groupBy=[${keyText}], select=[${selectText}])`
          : `GroupAggregate(select=[${selectText}])`,
      },
      scope: input.scope,
    },
    scope,
  };
}

/** The window TVF under a chain of Calcs. */
function windowTvfOf(n: PlanNode): Extract<PlanNode, { kind: 'WindowTableFunction' }> | undefined {
  while (n.kind === 'Calc') n = n.input;
  return n.kind === 'WindowTableFunction' ? n : undefined;
}

/** Whether the input's scope carries window columns coming straight from a window TVF (through Calcs). */
function isWindowed(p: Planned): boolean {
  let n: PlanNode = p.node;
  while (n.kind === 'Calc') n = n.input;
  return n.kind === 'WindowTableFunction';
}

function keyIndexOf(groupExprs: Expr[], input: Planned, column: string): number {
  return groupExprs.findIndex((g) => {
    if (g.kind !== 'ColumnRef') return false;
    const f = resolveColumn({ fields: input.scope }, g.names, g.pos);
    return f?.field.name === column && f.rest.length === 0;
  });
}
