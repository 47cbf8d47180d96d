/**
 * Window table functions TUMBLE, HOP, CUMULATE and SESSION (positional or named arguments): the input table plus
 * window_start, window_end and window_time (a rowtime attribute), over an append-only input whose time
 * column is a rowtime attribute (event time: windows close with the watermark) or a PROCTIME()
 * attribute (processing time: windows close by the clock, and at the end of bounded input).
 */
import { type Expr, formatExpr, type TableFunctionRef, type TableRef } from '../parser/index.ts';
import { APPEND, isAppendOnly } from '../runtime/changelog.ts';
import { formatType, T } from '../types/index.ts';
import { compileExpr, resolveColumn, type ScopeField } from './expr.ts';
import { fail } from './names.ts';
import type { WindowSpec } from './plan.ts';
import type { Ctes, Planned, PlannerEnv } from './query.ts';

type PlanFrom = (ref: TableRef, env: PlannerEnv, ctes: Ctes) => Planned;

function intervalMs(e: Expr, env: PlannerEnv, what: string): number {
  const c = compileExpr(e, { fields: [] }, env.ctx);
  if (!c.constant || c.type.kind !== 'INTERVAL_DT')
    fail(e.pos, `The ${what} of a window must be a constant INTERVAL DAY TO SECOND, found ${formatType(c.type)}`);
  const v = c.constant.value as number;
  if (what !== 'offset' && !(v > 0)) fail(e.pos, `The ${what} of a window must be positive`);
  return v;
}

/**
 * Plans `TABLE(TUMBLE|HOP|CUMULATE|SESSION(...))`. SESSION windows depend on later rows, so the TVF leaves
 * the window columns empty and a window aggregation over it forms the sessions;
 */
/** `planFrom` plans the TABLE argument. `planFrom` plans the TABLE argument. */
export function planWindowTvf(ref: TableFunctionRef, env: PlannerEnv, ctes: Ctes, planFrom: PlanFrom): Planned {
  const fn = ref.call.name
    .map((n) => n.value)
    .join('.')
    .toUpperCase();
  if (fn !== 'TUMBLE' && fn !== 'HOP' && fn !== 'CUMULATE' && fn !== 'SESSION')
    fail(ref.pos, `No match found for table function ${fn}`);
  const positional: Expr[] = [];
  const named = new Map<string, Expr>();
  for (const a of ref.call.args) {
    if (a.kind === 'NamedArg') named.set(a.name.value.toUpperCase(), a.value);
    else positional.push(a);
  }
  const order =
    fn === 'TUMBLE'
      ? ['DATA', 'TIMECOL', 'SIZE', 'OFFSET']
      : fn === 'HOP'
        ? ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET']
        : fn === 'SESSION'
          ? ['DATA', 'TIMECOL', 'GAP', '']
          : ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'];
  positional.forEach((a, i) => {
    if (i < order.length) named.set(order[i]!, a);
  });
  const usage =
    fn === 'TUMBLE'
      ? 'TUMBLE(TABLE table_name, DESCRIPTOR(timecol), datasize[, offset])'
      : fn === 'HOP'
        ? 'HOP(TABLE table_name, DESCRIPTOR(timecol), slide, size[, offset])'
        : fn === 'SESSION'
          ? 'SESSION(TABLE table_name [PARTITION BY cols], DESCRIPTOR(timecol), gap)'
          : 'CUMULATE(TABLE table_name, DESCRIPTOR(timecol), step, size[, offset])';
  for (const k of order.slice(0, -1))
    if (!named.has(k)) fail(ref.pos, `Invalid number of arguments to function '${fn}'. Usage: ${usage}`);
  const data = named.get('DATA')!;
  if (data.kind !== 'TableArg') fail(data.pos, `The first argument of ${fn} must be TABLE table_name`);
  const input = planFrom({ kind: 'TableName', pos: data.pos, name: data.name, hints: [] }, env, ctes);
  const timecol = named.get('TIMECOL')!;
  if (timecol.kind !== 'Descriptor' || timecol.columns.length !== 1)
    fail(timecol.pos, `The second argument of ${fn} must be DESCRIPTOR(timecol)`);
  const colName = timecol.columns[0]!;
  const hit = resolveColumn({ fields: input.scope }, [colName], colName.pos);
  if (!hit) fail(colName.pos, `Column '${colName.value}' not found in any table`);
  const tt = hit.field.type;
  const proctime = hit.field.proctime === true;
  if ((!hit.field.rowtime && !proctime) || (tt.kind !== 'TIMESTAMP' && tt.kind !== 'TIMESTAMP_LTZ'))
    fail(
      colName.pos,
      `The window function ${usage} requires the timecol to be a time attribute type, but is ${formatType(tt)}.`,
    );
  if (!isAppendOnly(input.node.mode))
    fail(ref.pos, `${fn} window table function doesn't support consuming update and delete changes`);
  if (fn === 'SESSION' && proctime) fail(ref.pos, 'SESSION windows on processing time are not supported yet');
  const size = intervalMs(named.get(fn === 'SESSION' ? 'GAP' : 'SIZE')!, env, fn === 'SESSION' ? 'gap' : 'size');
  const step =
    fn === 'TUMBLE' || fn === 'SESSION'
      ? size
      : intervalMs(named.get(fn === 'HOP' ? 'SLIDE' : 'STEP')!, env, fn === 'HOP' ? 'slide' : 'step');
  const offset = named.has('OFFSET') ? intervalMs(named.get('OFFSET')!, env, 'offset') : 0;
  if (fn === 'CUMULATE' && size % step !== 0)
    fail(
      ref.pos,
      `CUMULATE table function requires size must be an integral multiple of step, but got size ${size} ms and step ${step} ms.`,
    );
  if (fn === 'HOP' && size % step !== 0)
    fail(
      ref.pos,
      `HOP table function based aggregate requires size must be an integral multiple of slide, but got size ${size} ms and slide ${step} ms.`,
    );
  const window: WindowSpec = { type: fn, size, step, offset, proctime };
  const ts = tt.kind === 'TIMESTAMP_LTZ' ? T.timestampLtz(3, false) : T.timestamp(3, false);
  const fields = [
    ...input.node.fields,
    { name: 'window_start', type: T.timestamp(3, false) },
    { name: 'window_end', type: T.timestamp(3, false) },
    { name: 'window_time', type: ts },
  ];
  const n = input.node.fields.length;
  const alias = ref.alias?.name.value;
  const scope: ScopeField[] = [
    ...input.scope.map((f) => ({ ...f, qualifier: alias ?? f.qualifier, rowtime: false })),
    { name: 'window_start', qualifier: alias, type: fields[n]!.type, index: n },
    { name: 'window_end', qualifier: alias, type: fields[n + 1]!.type, index: n + 1 },
    { name: 'window_time', qualifier: alias, type: ts, index: n + 2, rowtime: !proctime, proctime },
  ];
  const desc =
    fn === 'TUMBLE'
      ? `TUMBLE(time_col=[${colName.value}], size=[${size} ms])`
      : fn === 'HOP'
        ? `HOP(time_col=[${colName.value}], size=[${size} ms], slide=[${step} ms])`
        : fn === 'SESSION'
          ? `SESSION(time_col=[${colName.value}], gap=[${size} ms]${data.partitionBy.length ? `, partition keys=[${data.partitionBy.map((e) => formatExpr(e)).join(', ')}]` : ''})`
          : `CUMULATE(time_col=[${colName.value}], max_size=[${size} ms], step=[${step} ms])`;
  return {
    node: {
      kind: 'WindowTableFunction',
      input: input.node,
      window,
      timeIndex: hit.field.index,
      fields,
      mode: APPEND,
      text: `WindowTableFunction(window=[${desc}])`,
    },
    scope,
  };
}
