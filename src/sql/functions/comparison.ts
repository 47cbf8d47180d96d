/**
 * Comparison and logical operators with SQL three-valued logic: = <> < <= > >= (operands widened to their
 * common type: numerics across INT/BIGINT/DECIMAL/DOUBLE, DATE with TIMESTAMP, TIMESTAMP with TIMESTAMP_LTZ in
 * the session zone; strings by code point), [NOT] BETWEEN [SYMMETRIC], [NOT] IN (value list), IS [NOT]
 * NULL/TRUE/FALSE/UNKNOWN, IS [NOT] DISTINCT FROM, AND/OR/NOT. Comparing unrelated types (STRING = INT) is
 * a planning error as in Flink.
 */
import {
  compareStrings,
  compareValues,
  isComparable,
  isNumeric,
  leastRestrictive,
  localToInstant,
  MS_PER_DAY,
  type SqlType,
  T,
  valuesEqual,
} from '../types/index.ts';
import { numericConverter } from './arithmetic.ts';
import {
  anyNullable,
  checkArgs,
  type EvalContext,
  registerScalar,
  type ScalarEval,
  type ScalarFunction,
  signatureError,
} from './registry.ts';

type Conv = (v: unknown, ctx: EvalContext) => unknown;
const identity: Conv = (v) => v;

/** Converter of values of `from` into the representation of the common type `to` (for comparison). */
export function comparisonConverter(from: SqlType, to: SqlType): Conv {
  if (from.kind === 'NULL' || from.kind === to.kind) return identity;
  if (isNumeric(from) && isNumeric(to)) {
    const c = numericConverter(from, to);
    return (v) => c(v);
  }
  if (from.kind === 'DATE' && to.kind === 'TIMESTAMP') return (v) => (v as number) * MS_PER_DAY;
  if (from.kind === 'DATE' && to.kind === 'TIMESTAMP_LTZ')
    return (v, ctx) => localToInstant((v as number) * MS_PER_DAY, ctx.timeZone);
  if (from.kind === 'TIMESTAMP' && to.kind === 'TIMESTAMP_LTZ')
    return (v, ctx) => localToInstant(v as number, ctx.timeZone);
  if ((from.kind === 'ARRAY' || from.kind === 'MULTISET') && from.kind === to.kind) {
    const c = comparisonConverter(from.element, (to as { element: SqlType }).element);
    if (c === identity) return identity;
    return (v, ctx) => (v as unknown[]).map((e) => (e === null ? null : c(e, ctx)));
  }
  if (from.kind === 'ROW' && to.kind === 'ROW') {
    const cs = from.fields.map((f, i) => comparisonConverter(f.type, to.fields[i]!.type));
    if (cs.every((c) => c === identity)) return identity;
    return (v, ctx) => (v as unknown[]).map((e, i) => (e === null ? null : cs[i]!(e, ctx)));
  }
  return identity;
}

/** The common type of compared operands, or a SqlTypeError in Calcite's words. */
export function comparisonType(name: string, args: SqlType[], forms: string): SqlType {
  const common = leastRestrictive(args);
  if (!common) throw signatureError(name, args, forms);
  if (
    name !== '=' &&
    name !== '<>' &&
    !name.includes('DISTINCT') &&
    name !== 'IN' &&
    name !== 'NOT IN' &&
    !isComparable(common)
  )
    throw signatureError(name, args, forms);
  return common;
}

/** A typed three-way comparison of two non-null values (a, b of types ta, tb). */
export function bindCompare(ta: SqlType, tb: SqlType): (a: unknown, b: unknown, ctx: EvalContext) => number {
  const common = leastRestrictive([ta, tb]) ?? ta;
  const ca = comparisonConverter(ta, common);
  const cb = comparisonConverter(tb, common);
  if (common.kind === 'VARCHAR' || common.kind === 'CHAR') return (a, b) => compareStrings(a as string, b as string);
  if (ca === identity && cb === identity) {
    if (
      common.kind === 'INT' ||
      common.kind === 'DOUBLE' ||
      common.kind === 'DATE' ||
      common.kind === 'TIMESTAMP' ||
      common.kind === 'TIMESTAMP_LTZ'
    )
      return (a, b) =>
        (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : a === b ? 0 : compareValues(a, b);
    return (a, b) => compareValues(a, b, common);
  }
  return (a, b, ctx) => compareValues(ca(a, ctx), cb(b, ctx), common);
}

/** A typed equality of two non-null values. */
export function bindEquals(ta: SqlType, tb: SqlType): (a: unknown, b: unknown, ctx: EvalContext) => boolean {
  const common = leastRestrictive([ta, tb]) ?? ta;
  const ca = comparisonConverter(ta, common);
  const cb = comparisonConverter(tb, common);
  if (ca === identity && cb === identity) {
    if (
      common.kind === 'VARCHAR' ||
      common.kind === 'CHAR' ||
      common.kind === 'INT' ||
      common.kind === 'BOOLEAN' ||
      common.kind === 'BIGINT' ||
      common.kind === 'DATE' ||
      common.kind === 'TIMESTAMP'
    )
      return (a, b) => a === b;
    return (a, b) => a === b || valuesEqual(a, b, common);
  }
  return (a, b, ctx) => valuesEqual(ca(a, ctx), cb(b, ctx), common);
}

type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

function comparison(op: CmpOp): ScalarFunction {
  const forms = `<COMPARABLE_TYPE> ${op} <COMPARABLE_TYPE>`;
  const test: (c: number) => boolean =
    op === '<'
      ? (c) => c < 0
      : op === '<='
        ? (c) => c <= 0
        : op === '>'
          ? (c) => c > 0
          : op === '>='
            ? (c) => c >= 0
            : op === '='
              ? (c) => c === 0
              : (c) => c !== 0;
  return {
    name: op,
    infer(args) {
      if (args.length !== 2) throw signatureError(op, args, forms);
      comparisonType(op, args, forms);
      return T.boolean(anyNullable(args));
    },
    eval(x) {
      if (op === '=') return valuesEqual(x[0], x[1]);
      if (op === '<>') return !valuesEqual(x[0], x[1]);
      return test(compareValues(x[0], x[1]));
    },
    bind(args) {
      if (op === '=' || op === '<>') {
        const eq = bindEquals(args[0]!, args[1]!);
        return op === '=' ? (x, ctx) => eq(x[0], x[1], ctx) : (x, ctx) => !eq(x[0], x[1], ctx);
      }
      const cmp = bindCompare(args[0]!, args[1]!);
      return (x, ctx) => test(cmp(x[0], x[1], ctx));
    },
  };
}

for (const op of ['=', '<>', '<', '<=', '>', '>='] as const) registerScalar(comparison(op));
registerScalar({ ...comparison('<>'), name: '!=' });

// ---- logic ----------------------------------------------------------------------------------------------

function logical(name: 'AND' | 'OR'): ScalarFunction {
  const forms = `<BOOLEAN> ${name} <BOOLEAN>`;
  const stop = name === 'OR';
  return {
    name,
    handlesNulls: true,
    infer(args) {
      checkArgs(name, args, forms, { families: ['BOOLEAN', 'BOOLEAN'], variadic: 'BOOLEAN' });
      return T.boolean(anyNullable(args));
    },
    eval(x) {
      let sawNull = false;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (v === null) sawNull = true;
        else if (v === stop) return stop;
      }
      return sawNull ? null : !stop;
    },
  };
}
registerScalar(logical('AND'));
registerScalar(logical('OR'));
registerScalar({
  name: 'NOT',
  infer(args) {
    checkArgs('NOT', args, 'NOT <BOOLEAN>', { families: ['BOOLEAN'] });
    return T.boolean(anyNullable(args));
  },
  eval: (x) => !x[0],
});

function isTest(name: string, f: (v: unknown) => boolean, family: 'ANY' | 'BOOLEAN'): ScalarFunction {
  return {
    name,
    handlesNulls: true,
    infer(args) {
      checkArgs(name, args, `<${family}> ${name}`, { families: [family] });
      return T.boolean(false);
    },
    eval: (x) => f(x[0]),
  };
}
registerScalar(isTest('IS NULL', (v) => v === null, 'ANY'));
registerScalar(isTest('IS NOT NULL', (v) => v !== null, 'ANY'));
registerScalar(isTest('IS TRUE', (v) => v === true, 'BOOLEAN'));
registerScalar(isTest('IS NOT TRUE', (v) => v !== true, 'BOOLEAN'));
registerScalar(isTest('IS FALSE', (v) => v === false, 'BOOLEAN'));
registerScalar(isTest('IS NOT FALSE', (v) => v !== false, 'BOOLEAN'));
registerScalar(isTest('IS UNKNOWN', (v) => v === null, 'BOOLEAN'));
registerScalar(isTest('IS NOT UNKNOWN', (v) => v !== null, 'BOOLEAN'));

function distinctFrom(name: string, negate: boolean): ScalarFunction {
  const forms = `<COMPARABLE_TYPE> ${name} <COMPARABLE_TYPE>`;
  const run = (a: unknown, b: unknown, eq: (a: unknown, b: unknown) => boolean): boolean => {
    const distinct = a === null || b === null ? a !== b : !eq(a, b);
    return negate ? !distinct : distinct;
  };
  return {
    name,
    handlesNulls: true,
    infer(args) {
      if (args.length !== 2) throw signatureError(name, args, forms);
      comparisonType(name, args, forms);
      return T.boolean(false);
    },
    eval: (x) => run(x[0], x[1], (a, b) => valuesEqual(a, b)),
    bind(args) {
      const eq = bindEquals(args[0]!, args[1]!);
      return (x, ctx) => run(x[0], x[1], (a, b) => eq(a, b, ctx));
    },
  };
}
registerScalar(distinctFrom('IS DISTINCT FROM', false));
registerScalar(distinctFrom('IS NOT DISTINCT FROM', true));

// ---- BETWEEN / IN ---------------------------------------------------------------------------------------

function and3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}
function or3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === true || b === true) return true;
  return a === null || b === null ? null : false;
}

function between(name: string, symmetric: boolean, negate: boolean): ScalarFunction {
  const forms = `<COMPARABLE_TYPE> ${name} <COMPARABLE_TYPE> AND <COMPARABLE_TYPE>`;
  const make = (
    cmpLo: (a: unknown, b: unknown, c: EvalContext) => number,
    cmpHi: (a: unknown, b: unknown, c: EvalContext) => number,
  ): ScalarEval => {
    const ge = (v: unknown, lo: unknown, ctx: EvalContext): boolean | null =>
      v === null || lo === null ? null : cmpLo(v, lo, ctx) >= 0;
    const le = (v: unknown, hi: unknown, ctx: EvalContext): boolean | null =>
      v === null || hi === null ? null : cmpHi(v, hi, ctx) <= 0;
    return (x, ctx) => {
      const [v, lo, hi] = x;
      let r = and3(ge(v, lo, ctx), le(v, hi, ctx));
      if (symmetric) {
        const geHi = v === null || hi === null ? null : cmpHi(v, hi, ctx) >= 0;
        const leLo = v === null || lo === null ? null : cmpLo(v, lo, ctx) <= 0;
        r = or3(r, and3(geHi, leLo));
      }
      return r === null ? null : negate ? !r : r;
    };
  };
  return {
    name,
    handlesNulls: true,
    infer(args) {
      if (args.length !== 3) throw signatureError(name, args, forms);
      comparisonType(name, args, forms);
      return T.boolean(anyNullable(args));
    },
    eval: make(
      (a, b) => compareValues(a, b),
      (a, b) => compareValues(a, b),
    ),
    bind(args) {
      return make(bindCompare(args[0]!, args[1]!), bindCompare(args[0]!, args[2]!));
    },
  };
}
registerScalar(between('BETWEEN', false, false), 'BETWEEN ASYMMETRIC');
registerScalar(between('BETWEEN SYMMETRIC', true, false));
registerScalar(between('NOT BETWEEN', false, true), 'NOT BETWEEN ASYMMETRIC');
registerScalar(between('NOT BETWEEN SYMMETRIC', true, true));

function inList(name: 'IN' | 'NOT IN'): ScalarFunction {
  const forms = `<EQUIVALENT_TYPE> ${name} (<EQUIVALENT_TYPE>, ...)`;
  const negate = name === 'NOT IN';
  return {
    name,
    handlesNulls: true,
    infer(args) {
      if (args.length < 2) throw signatureError(name, args, forms);
      comparisonType(name, args, forms);
      return T.boolean(anyNullable(args));
    },
    eval(x) {
      const v = x[0];
      if (v === null) return null;
      let sawNull = false;
      for (let i = 1; i < x.length; i++) {
        const e = x[i];
        if (e === null) sawNull = true;
        else if (valuesEqual(v, e)) return !negate;
      }
      return sawNull ? null : negate;
    },
    bind(args) {
      const eqs = args.slice(1).map((t) => bindEquals(args[0]!, t));
      return (x, ctx) => {
        const v = x[0];
        if (v === null) return null;
        let sawNull = false;
        for (let i = 1; i < x.length; i++) {
          const e = x[i];
          if (e === null) sawNull = true;
          else if (eqs[i - 1]!(v, e, ctx)) return !negate;
        }
        return sawNull ? null : negate;
      };
    },
  };
}
registerScalar(inList('IN'));
registerScalar(inList('NOT IN'));
