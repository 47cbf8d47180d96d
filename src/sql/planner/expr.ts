/**
 * The expression compiler: a parser expression → a type-checked closure `(row) => value` over rows of a
 * scope. Operators and functions come from the function library (`prepareCall` by name: '+', '=', 'LIKE',
 * 'UPPER', ...); the engine itself compiles what needs control flow or the schema: column and field access,
 * AND/OR/NOT (short-circuit, three-valued), IS [NOT] NULL/TRUE/FALSE, CASE, CAST/TRY_CAST, IN lists,
 * BETWEEN, IS DISTINCT FROM, constructors. Calls whose arguments are all constants are folded once.
 * Every error is a SqlValidationError carrying the position of the offending node.
 */
import type { EvalContext } from '../functions/index.ts';
import { lookupAggregate, prepareCall } from '../functions/index.ts';
import { type Expr, formatExpr, type IntervalLit, type Pos } from '../parser/index.ts';
import type { Row } from '../runtime/changelog.ts';
import {
  compareValues,
  compileCast,
  Decimal,
  formatType,
  leastRestrictive,
  localToInstant,
  parseDate,
  parseTime,
  parseTimestamp,
  type SqlType,
  SqlTypeError,
  T,
  typeEquals,
  valuesEqual,
  withNullable,
} from '../types/index.ts';
import { toSqlType } from './data-type.ts';
import { SqlValidationError } from './errors.ts';

/** A column visible to an expression. */
export interface ScopeField {
  name: string;
  /** The table name or alias it can be qualified with. */
  qualifier?: string;
  type: SqlType;
  /** Position in the input row. */
  index: number;
  /** A rowtime attribute (the table declares a watermark on it). */
  rowtime?: boolean;
  /** A processing-time attribute (`PROCTIME()`). */
  proctime?: boolean;
}

/** What names an expression can see. */
export interface Scope {
  fields: ScopeField[];
  /** Expressions a lower operator already computed (GROUP BY keys, aggregate calls), keyed by `formatExpr`. */
  computed?: Map<string, { index: number; type: SqlType }>;
  /** After GROUP BY: the input scope, to tell "not being grouped" from "not found". */
  ungrouped?: Scope;
  /** Where aggregates are not allowed, the clause name for the message (`WHERE`, `GROUP BY`, ...). */
  noAggregates?: string;
}

/** A compiled expression. */
export interface Compiled {
  type: SqlType;
  eval: (row: Row) => unknown;
  /** The value when the expression is constant (folded at compile time). */
  constant?: { value: unknown };
  /** Set when the expression is just the input column at this index. */
  ref?: number;
}

/** Per-statement settings every expression of a job shares. */
export interface ExprContext {
  eval: EvalContext;
}

/** A fresh evaluation context: session time zone and clock (CURRENT_TIMESTAMP, PROCTIME() per row, as Flink streaming). */
export function makeExprContext(timeZone = 'UTC', clock: () => number = Date.now): ExprContext {
  return { eval: { timeZone, now: clock, currentWatermark: null } };
}

const BOOL = T.boolean(false);

function constant(type: SqlType, value: unknown): Compiled {
  return { type, eval: () => value, constant: { value } };
}

function fail(pos: Pos, msg: string): never {
  throw new SqlValidationError(pos, msg);
}

/** Finds a column by (qualified) name: the field and the rest of the name (nested field access). */
export function resolveColumn(
  scope: Scope,
  names: readonly { value: string }[],
  pos: Pos,
): { field: ScopeField; rest: string[] } | undefined {
  const fields = scope.fields;
  if (names.length >= 2) {
    const q = names[0]!.value;
    const c = names[1]!.value;
    const hits = fields.filter((f) => f.qualifier === q && f.name === c);
    if (hits.length === 1) return { field: hits[0]!, rest: names.slice(2).map((n) => n.value) };
    if (hits.length > 1) fail(pos, `Column '${c}' is ambiguous`);
    if (fields.some((f) => f.qualifier === q) && !fields.some((f) => f.name === q))
      fail(pos, `Column '${c}' not found in table '${q}'`);
  }
  const c = names[0]!.value;
  const hits = fields.filter((f) => f.name === c);
  if (hits.length > 1) {
    // the same column reached through two qualifiers (e.g. USING) is still ambiguous in Flink
    fail(pos, `Column '${c}' is ambiguous`);
  }
  if (hits.length === 1) return { field: hits[0]!, rest: names.slice(1).map((n) => n.value) };
  return undefined;
}

function fieldAccess(base: Compiled, name: string, pos: Pos): Compiled {
  const t = base.type;
  if (t.kind !== 'ROW') fail(pos, `Cannot access field '${name}' of a value of type ${formatType(t)}`);
  const i = t.fields.findIndex((f) => f.name === name);
  if (i < 0) fail(pos, `Unknown field '${name}' of type ${formatType(t)}`);
  const ft = withNullable(t.fields[i]!.type, t.fields[i]!.type.nullable || t.nullable);
  const b = base.eval;
  return {
    type: ft,
    eval: (row) => {
      const v = b(row) as unknown[] | null;
      return v === null ? null : (v[i] ?? null);
    },
  };
}

/** Parses the text of an interval literal into months (YEAR TO MONTH) or milliseconds (DAY TO SECOND). */
export function intervalValue(lit: IntervalLit): { type: SqlType; value: number } {
  const q = lit.qualifier;
  let text = lit.value.trim();
  let sign = lit.negative ? -1 : 1;
  if (text.startsWith('-')) {
    sign = -sign;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  const bad = (): never =>
    fail(
      lit.pos,
      `Illegal interval literal format '${lit.value}' for INTERVAL ${q.start}${q.end ? ` TO ${q.end}` : ''}`,
    );
  if (q.start === 'YEAR' || q.start === 'MONTH' || q.start === 'QUARTER') {
    if (q.end === 'MONTH') {
      const m = /^(\d+)-(\d+)$/.exec(text) ?? bad();
      return { type: T.intervalYM(false), value: sign * (Number(m[1]) * 12 + Number(m[2])) };
    }
    if (!/^\d+$/.test(text)) bad();
    const mult = q.start === 'YEAR' ? 12 : q.start === 'QUARTER' ? 3 : 1;
    return { type: T.intervalYM(false), value: sign * Number(text) * mult };
  }
  const units = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const ms = [86_400_000, 3_600_000, 60_000, 1000];
  if (q.start === 'WEEK' && !q.end) {
    if (!/^\d+$/.test(text)) bad();
    return { type: T.intervalDT(false), value: sign * Number(text) * 7 * 86_400_000 };
  }
  if (q.start === 'MILLISECOND' && !q.end) {
    if (!/^\d+$/.test(text)) bad();
    return { type: T.intervalDT(false), value: sign * Number(text) };
  }
  const from = units.indexOf(q.start);
  const to = q.end ? units.indexOf(q.end) : from;
  if (from < 0 || to < from) bad();
  const parts = text.split(/[ :]/);
  if (parts.length !== to - from + 1) bad();
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    const u = from + i;
    const p = parts[i]!;
    if (u === 3 ? !/^\d+(\.\d+)?$/.test(p) : !/^\d+$/.test(p)) bad();
    total += Number(p) * ms[u]!;
  }
  return { type: T.intervalDT(false), value: sign * Math.round(total) };
}

function numberLiteral(text: string, pos: Pos, negative: boolean): Compiled {
  const t = negative ? `-${text}` : text;
  if (/^-?\d+$/.test(t)) {
    const b = BigInt(t);
    if (b >= -2147483648n && b <= 2147483647n) return constant(T.int(false), Number(b));
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return constant(T.bigint(false), b);
    const d = Decimal.parse(t)!;
    if (d.precision() > 38) fail(pos, `Numeric literal '${t}' out of range`);
    return constant(T.decimal(d.precision(), 0, false), d);
  }
  if (/[eE]/.test(t)) return constant(T.double(false), Number(t));
  const d = Decimal.parse(t);
  if (!d) fail(pos, `Invalid numeric literal '${t}'`);
  const digits = t.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  return constant(T.decimal(Math.max(digits, d.scale, 1), d.scale, false), d);
}

/** Flink's `TIMESTAMP '…'` precision: the number of fraction digits written. */
function fractionDigits(s: string): number {
  const m = /\.(\d+)\s*$/.exec(s);
  return m ? Math.min(9, m[1]!.length) : 0;
}

function isBoolean(t: SqlType): boolean {
  return t.kind === 'BOOLEAN' || t.kind === 'NULL';
}

/** Compiles one expression over `scope`. */
export function compileExpr(e: Expr, scope: Scope, ctx: ExprContext): Compiled {
  if (scope.computed && scope.computed.size > 0 && e.kind !== 'NumberLit' && e.kind !== 'StringLit') {
    const hit = scope.computed.get(formatExpr(e));
    if (hit) {
      const i = hit.index;
      return { type: hit.type, eval: (row) => row[i], ref: i };
    }
  }
  const sub = (x: Expr) => compileExpr(x, scope, ctx);
  switch (e.kind) {
    case 'NumberLit':
      return numberLiteral(e.text, e.pos, false);
    case 'StringLit':
      return constant(T.char(Math.max(1, e.value.length), false), e.value);
    case 'BooleanLit':
      return constant(T.boolean(false), e.value);
    case 'NullLit':
      return constant(T.null(), null);
    case 'BinaryLit': {
      const bytes = Uint8Array.from(Buffer.from(e.hex, 'hex'));
      return constant(T.binary(Math.max(1, bytes.length), false), bytes);
    }
    case 'IntervalLit': {
      const { type, value } = intervalValue(e);
      return constant(type, value);
    }
    case 'TypedLit': {
      if (e.type === 'DATE') {
        const v = parseDate(e.value.trim());
        if (v === undefined) fail(e.pos, `Illegal DATE literal '${e.value}'`);
        return constant(T.date(false), v);
      }
      if (e.type === 'TIME') {
        const v = parseTime(e.value.trim());
        if (v === undefined) fail(e.pos, `Illegal TIME literal '${e.value}'`);
        return constant(T.time(fractionDigits(e.value), false), v);
      }
      const v = parseTimestamp(e.value.trim());
      if (v === undefined) fail(e.pos, `Illegal ${e.type} literal '${e.value}'`);
      if (e.type === 'TIMESTAMP') return constant(T.timestamp(fractionDigits(e.value), false), v);
      return constant(T.timestampLtz(fractionDigits(e.value), false), localToInstant(v, ctx.eval.timeZone));
    }
    case 'ColumnRef': {
      const hit = resolveColumn(scope, e.names, e.pos);
      if (!hit) {
        const name = e.names.map((n) => n.value).join('.');
        if (scope.ungrouped && resolveColumn(scope.ungrouped, e.names, e.pos))
          fail(e.pos, `Expression '${name}' is not being grouped`);
        if (e.names.length >= 2 && !scope.fields.some((f) => f.qualifier === e.names[0]!.value))
          fail(e.pos, `Table '${e.names[0]!.value}' not found`);
        fail(e.pos, `Column '${e.names[e.names.length - 1]!.value}' not found in any table`);
      }
      const idx = hit.field.index;
      let c: Compiled = { type: hit.field.type, eval: (row) => row[idx], ref: idx };
      for (const f of hit.rest) c = fieldAccess(c, f, e.pos);
      return c;
    }
    case 'FieldAccess':
      return fieldAccess(sub(e.expr), e.field.value, e.field.pos);
    case 'IndexAccess': {
      const base = sub(e.expr);
      const idx = sub(e.index);
      const b = base.eval;
      const ix = idx.eval;
      if (base.type.kind === 'ARRAY') {
        const et = withNullable(base.type.element, true);
        return {
          type: et,
          eval: (row) => {
            const a = b(row) as unknown[] | null;
            const i = ix(row);
            if (a === null || i === null) return null;
            const n = Number(i);
            return n >= 1 && n <= a.length ? (a[n - 1] ?? null) : null;
          },
        };
      }
      if (base.type.kind === 'MAP') {
        const vt = withNullable(base.type.value, true);
        return {
          type: vt,
          eval: (row) => {
            const m = b(row) as Map<unknown, unknown> | null;
            const k = ix(row);
            if (m === null || k === null) return null;
            const direct = m.get(k);
            if (direct !== undefined) return direct;
            for (const [mk, mv] of m) if (mk !== null && valuesEqual(mk, k)) return mv;
            return null;
          },
        };
      }
      return fail(
        e.pos,
        `Cannot apply 'ITEM' to arguments of type 'ITEM(<${formatType(base.type)}>, <${formatType(idx.type)}>)'`,
      );
    }
    case 'Star':
      return fail(e.pos, `'*' is only allowed in a SELECT list or COUNT(*)`);
    case 'Unary': {
      if (e.op === 'NOT') return not(sub(e.expr), e.pos);
      if (e.op === '+') return sub(e.expr);
      if (e.expr.kind === 'NumberLit') return numberLiteral(e.expr.text, e.expr.pos, true);
      return call('-', [sub(e.expr)], e.pos, ctx, 'NEG');
    }
    case 'Binary': {
      if (e.op === 'AND' || e.op === 'OR') return andOr(e.op, sub(e.left), sub(e.right), e.pos);
      const op = e.op === '!=' ? '<>' : e.op;
      return call(op, [sub(e.left), sub(e.right)], e.pos, ctx);
    }
    case 'IsTest': {
      const x = sub(e.expr);
      const f = x.eval;
      let test: (v: unknown) => boolean;
      switch (e.test) {
        case 'NULL':
          test = (v) => v === null;
          break;
        case 'TRUE':
          test = (v) => v === true;
          break;
        case 'FALSE':
          test = (v) => v === false;
          break;
        case 'UNKNOWN':
          test = (v) => v === null;
          break;
        default:
          return call(`IS ${e.not ? 'NOT ' : ''}${e.test}`, [x], e.pos, ctx);
      }
      if (e.test !== 'NULL' && !isBoolean(x.type))
        fail(
          e.pos,
          `Cannot apply 'IS ${e.not ? 'NOT ' : ''}${e.test}' to arguments of type '<${formatType(x.type)}> IS ${e.not ? 'NOT ' : ''}${e.test}'`,
        );
      const negate = e.not;
      return fold({ type: BOOL, eval: negate ? (row) => !test(f(row)) : (row) => test(f(row)) }, [x]);
    }
    case 'IsDistinctFrom': {
      const l = sub(e.left);
      const r = sub(e.right);
      commonType([l.type, r.type], e.pos, 'IS DISTINCT FROM');
      const lf = l.eval;
      const rf = r.eval;
      const not = e.not;
      return fold(
        {
          type: BOOL,
          eval: (row) => {
            const a = lf(row);
            const b = rf(row);
            const same = a === null || b === null ? a === b : valuesEqual(a, b);
            return not ? same : !same;
          },
        },
        [l, r],
      );
    }
    case 'Between': {
      const x = sub(e.expr);
      const lo = sub(e.low);
      const hi = sub(e.high);
      commonType([x.type, lo.type, hi.type], e.pos, 'BETWEEN');
      const xf = x.eval;
      const lf = lo.eval;
      const hf = hi.eval;
      const symmetric = e.symmetric === 'SYMMETRIC';
      const not = e.not;
      return fold(
        {
          type: withNullable(BOOL, x.type.nullable || lo.type.nullable || hi.type.nullable),
          eval: (row) => {
            const v = xf(row);
            let a = lf(row);
            let b = hf(row);
            if (symmetric && a !== null && b !== null && compareValues(a, b) > 0) [a, b] = [b, a];
            // three-valued: x >= a AND x <= b
            const ge = v === null || a === null ? null : compareValues(v, a) >= 0;
            const le = v === null || b === null ? null : compareValues(v, b) <= 0;
            const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
            return not && r !== null ? !r : r;
          },
        },
        [x, lo, hi],
      );
    }
    case 'InList': {
      const x = sub(e.expr);
      const list = e.list.map(sub);
      commonType([x.type, ...list.map((l) => l.type)], e.pos, 'IN');
      const xf = x.eval;
      const not = e.not;
      const allConst = list.every((l) => l.constant);
      const nullable = x.type.nullable || list.some((l) => l.type.nullable);
      if (allConst) {
        const values = list.map((l) => l.constant!.value);
        const hasNull = values.includes(null);
        const nonNull = values.filter((v) => v !== null);
        const strings = nonNull.every((v) => typeof v === 'string') ? new Set(nonNull as string[]) : null;
        return fold(
          {
            type: withNullable(BOOL, nullable),
            eval: (row) => {
              const v = xf(row);
              if (v === null) return null;
              let found = false;
              if (strings && typeof v === 'string') found = strings.has(v) || strings.has(v.trimEnd());
              else for (const c of nonNull) if (valuesEqual(v, c)) found = true;
              if (found) return !not;
              return hasNull ? null : not;
            },
          },
          [x],
        );
      }
      const fs = list.map((l) => l.eval);
      return {
        type: withNullable(BOOL, nullable),
        eval: (row) => {
          const v = xf(row);
          if (v === null) return null;
          let sawNull = false;
          for (const f of fs) {
            const c = f(row);
            if (c === null) sawNull = true;
            else if (valuesEqual(v, c)) return !not;
          }
          return sawNull ? null : not;
        },
      };
    }
    case 'Like': {
      const args = [sub(e.expr), sub(e.pattern)];
      if (e.escape) args.push(sub(e.escape));
      const c = call(e.op, args, e.pos, ctx);
      return e.not ? not(c, e.pos) : c;
    }
    case 'Case':
      return caseExpr(e, scope, ctx);
    case 'Cast': {
      const x = sub(e.expr);
      const to = withNullable(toSqlType(e.type), e.type.nullable);
      const target = e.try ? withNullable(to, true) : to;
      let cast: (v: unknown) => unknown;
      try {
        cast =
          x.type.kind === 'NULL'
            ? () => null
            : compileCast(x.type, target, { timeZone: ctx.eval.timeZone, try: e.try });
      } catch (err) {
        if (err instanceof SqlTypeError) fail(e.pos, err.message);
        throw err;
      }
      const f = x.eval;
      const type = withNullable(target, target.nullable || x.type.nullable);
      return fold({ type, eval: (row) => cast(f(row)) }, [x]);
    }
    case 'ArrayCtor': {
      const els = e.elements.map(sub);
      const et = commonType(
        els.map((x) => x.type),
        e.pos,
        'ARRAY',
      );
      const fs = els.map((x) => coerce(x, et, ctx).eval);
      return fold({ type: T.array(et, false), eval: (row) => fs.map((f) => f(row)) }, els);
    }
    case 'MapCtor': {
      const parts = e.entries.map(sub);
      const keys = parts.filter((_, i) => i % 2 === 0);
      const vals = parts.filter((_, i) => i % 2 === 1);
      const kt = commonType(
        keys.map((x) => x.type),
        e.pos,
        'MAP',
      );
      const vt = commonType(
        vals.map((x) => x.type),
        e.pos,
        'MAP',
      );
      const kf = keys.map((x) => coerce(x, kt, ctx).eval);
      const vf = vals.map((x) => coerce(x, vt, ctx).eval);
      return fold(
        {
          type: T.map(kt, vt, false),
          eval: (row) => {
            const m = new Map<unknown, unknown>();
            for (let i = 0; i < kf.length; i++) m.set(kf[i]!(row), vf[i]!(row));
            return m;
          },
        },
        parts,
      );
    }
    case 'RowCtor': {
      const fields = e.fields.map(sub);
      const fs = fields.map((x) => x.eval);
      return fold(
        {
          type: T.row(
            fields.map((x, i) => ({ name: `EXPR$${i}`, type: x.type })),
            false,
          ),
          eval: (row) => fs.map((f) => f(row)),
        },
        fields,
      );
    }
    case 'Extract':
      return call('EXTRACT', [constant(T.string(false), e.unit), sub(e.expr)], e.pos, ctx);
    case 'Position':
      return call('POSITION', [sub(e.needle), sub(e.haystack)], e.pos, ctx);
    case 'Trim': {
      const chars = e.chars ? sub(e.chars) : constant(T.char(1, false), ' ');
      return call('TRIM', [constant(T.string(false), e.side ?? 'BOTH'), chars, sub(e.expr)], e.pos, ctx);
    }
    case 'CeilFloor':
      return call(e.fn, [sub(e.expr), constant(T.string(false), e.unit)], e.pos, ctx);
    case 'JsonCall': {
      if (e.fn !== 'JSON_VALUE' && e.fn !== 'JSON_QUERY' && e.fn !== 'JSON_EXISTS')
        fail(e.pos, `${e.fn} is not supported yet`);
      const c = call(e.fn, e.args.map(sub), e.pos, ctx);
      if (e.returning) return coerceExplicit(c, toSqlType(e.returning), e.pos, ctx);
      return c;
    }
    case 'FunctionCall':
      return functionCall(e, scope, ctx);
    case 'InSubquery':
    case 'Exists':
    case 'ScalarSubquery':
    case 'QuantifiedComparison':
      return fail(e.pos, 'Subqueries are not supported yet');
    case 'NamedArg':
    case 'Descriptor':
    case 'TableArg':
      return fail(e.pos, `Unexpected ${e.kind} outside a table function call`);
  }
  return fail((e as { pos: Pos }).pos, `Unsupported expression ${(e as { kind: string }).kind}`);
}

function functionCall(e: Extract<Expr, { kind: 'FunctionCall' }>, scope: Scope, ctx: ExprContext): Compiled {
  const name = e.name.map((n) => n.value).join('.');
  if (e.over) fail(e.pos, 'OVER windows are not supported yet');
  if (lookupAggregate(name)) {
    if (scope.noAggregates) fail(e.pos, `Aggregate expression is illegal in ${scope.noAggregates} clause`);
    fail(e.pos, `Aggregate function ${name.toUpperCase()} is not allowed here`);
  }
  if (e.filter) fail(e.pos, `FILTER is only allowed on aggregate functions`);
  const args = e.args.map((a) => compileExpr(a, scope, ctx));
  return call(name.toUpperCase(), args, e.pos, ctx);
}

/** A call of a library function/operator with compiled arguments; folded when every argument is constant. */
export function call(name: string, args: Compiled[], pos: Pos, ctx: ExprContext, libName = name): Compiled {
  let bound: ReturnType<typeof prepareCall>;
  try {
    bound = prepareCall(
      libName,
      args.map((a) => a.type),
      args.map((a) => a.constant?.value),
    );
  } catch (err) {
    if (err instanceof SqlTypeError) fail(pos, err.message);
    throw err;
  }
  const ev = bound.eval;
  const ectx = ctx.eval;
  const fs = args.map((a) => a.eval);
  let f: (row: Row) => unknown;
  switch (fs.length) {
    case 0:
      f = () => ev([], ectx);
      break;
    case 1: {
      const a0 = fs[0]!;
      f = (row) => ev([a0(row)], ectx);
      break;
    }
    case 2: {
      const a0 = fs[0]!;
      const a1 = fs[1]!;
      f = (row) => ev([a0(row), a1(row)], ectx);
      break;
    }
    default:
      f = (row) => {
        const vs = new Array(fs.length);
        for (let i = 0; i < fs.length; i++) vs[i] = fs[i]!(row);
        return ev(vs, ectx);
      };
  }
  const c: Compiled = { type: bound.type, eval: f };
  return bound.fn.deterministic === false ? c : fold(c, args);
}

/** Evaluates once when every input is constant (keeps the closure if evaluation fails: it fails at run time). */
function fold(c: Compiled, inputs: Compiled[]): Compiled {
  if (!inputs.every((i) => i.constant)) return c;
  try {
    const value = c.eval([]);
    return constant(c.type, value);
  } catch {
    return c;
  }
}

function not(x: Compiled, pos: Pos): Compiled {
  if (!isBoolean(x.type)) fail(pos, `Cannot apply 'NOT' to arguments of type 'NOT<${formatType(x.type)}>'`);
  const f = x.eval;
  return fold(
    {
      type: withNullable(BOOL, x.type.nullable),
      eval: (row) => {
        const v = f(row);
        return v === null ? null : !v;
      },
    },
    [x],
  );
}

function andOr(op: 'AND' | 'OR', l: Compiled, r: Compiled, pos: Pos): Compiled {
  if (!isBoolean(l.type) || !isBoolean(r.type))
    fail(pos, `Cannot apply '${op}' to arguments of type '<${formatType(l.type)}> ${op} <${formatType(r.type)}>'`);
  const lf = l.eval;
  const rf = r.eval;
  const type = withNullable(BOOL, l.type.nullable || r.type.nullable);
  const f =
    op === 'AND'
      ? (row: Row) => {
          const a = lf(row);
          if (a === false) return false;
          const b = rf(row);
          if (b === false) return false;
          return a === null || b === null ? null : true;
        }
      : (row: Row) => {
          const a = lf(row);
          if (a === true) return true;
          const b = rf(row);
          if (b === true) return true;
          return a === null || b === null ? null : false;
        };
  return fold({ type, eval: f }, [l, r]);
}

function commonType(types: SqlType[], pos: Pos, what: string): SqlType {
  const t = leastRestrictive(types);
  if (!t)
    fail(
      pos,
      `Cannot apply '${what}' to arguments of type ${types.map((x) => `<${formatType(x)}>`).join(', ')}: no common type`,
    );
  return t;
}

/** Converts a compiled expression to `to` when its type differs (used for CASE branches, constructors). */
export function coerce(x: Compiled, to: SqlType, ctx: ExprContext): Compiled {
  if (typeEquals(x.type, to, true) || x.type.kind === 'NULL')
    return { ...x, type: withNullable(x.type.kind === 'NULL' ? to : x.type, x.type.nullable || to.nullable) };
  // strings of any length share a representation; only CHAR targets pad
  if ((x.type.kind === 'CHAR' || x.type.kind === 'VARCHAR') && to.kind === 'VARCHAR')
    return { ...x, type: withNullable(to, x.type.nullable) };
  const cast = compileCast(x.type, to, { timeZone: ctx.eval.timeZone });
  const f = x.eval;
  return fold({ type: withNullable(to, x.type.nullable), eval: (row) => cast(f(row)) }, [x]);
}

function coerceExplicit(x: Compiled, to: SqlType, pos: Pos, ctx: ExprContext): Compiled {
  try {
    return coerce(x, to, ctx);
  } catch (err) {
    if (err instanceof SqlTypeError) fail(pos, err.message);
    throw err;
  }
}

function caseExpr(e: Extract<Expr, { kind: 'Case' }>, scope: Scope, ctx: ExprContext): Compiled {
  const sub = (x: Expr) => compileExpr(x, scope, ctx);
  const conds: Compiled[] = [];
  if (e.operand) {
    const operand = sub(e.operand);
    for (const w of e.whens) conds.push(call('=', [operand, sub(w.condition)], w.pos, ctx));
  } else {
    for (const w of e.whens) {
      const c = sub(w.condition);
      if (!isBoolean(c.type))
        fail(w.condition.pos, `Expected a boolean type for the WHEN condition but was ${formatType(c.type)}`);
      conds.push(c);
    }
  }
  const results = e.whens.map((w) => sub(w.result));
  const otherwise = e.else ? sub(e.else) : constant(T.null(), null);
  const all = [...results, otherwise];
  const rt0 = leastRestrictive(all.map((r) => r.type));
  if (!rt0)
    fail(
      e.pos,
      `Illegal mixing of types in CASE or COALESCE statement: ${all.map((r) => formatType(r.type)).join(', ')}`,
    );
  const rt = withNullable(
    rt0,
    all.some((r) => r.type.nullable),
  );
  const cf = conds.map((c) => c.eval);
  const rf = results.map((r) => coerce(r, rt, ctx).eval);
  const ef = coerce(otherwise, rt, ctx).eval;
  const n = cf.length;
  return {
    type: rt,
    eval: (row) => {
      for (let i = 0; i < n; i++) if (cf[i]!(row) === true) return rf[i]!(row);
      return ef(row);
    },
  };
}

/** Whether an expression is the call `PROCTIME()` (a processing-time attribute). */
export function isProctimeCall(e: Expr): boolean {
  return (
    e.kind === 'FunctionCall' &&
    e.args.length === 0 &&
    e.name.length === 1 &&
    e.name[0]!.value.toUpperCase() === 'PROCTIME'
  );
}

/** A compiled boolean predicate: true only when the expression is TRUE (NULL and FALSE drop the row). */
export function compilePredicate(e: Expr, scope: Scope, ctx: ExprContext, clause: string): (row: Row) => boolean {
  const c = compileExpr(e, scope, ctx);
  if (!isBoolean(c.type)) fail(e.pos, `${clause} clause must be a condition; found type ${formatType(c.type)}`);
  const f = c.eval;
  return (row) => f(row) === true;
}
