/**
 * Conditional functions: COALESCE, NULLIF, IF, IFNULL, GREATEST, LEAST (Flink: NULL if any argument is NULL),
 * plus `caseResultType` and `valueConverter` for the engine's CASE (Calcite's leastRestrictive over the
 * branches, each branch value converted to the common type's representation).
 */
import {
  compareValues,
  formatType,
  leastRestrictive,
  type SqlType,
  SqlTypeError,
  toPrecision,
  withNullable,
} from '../types/index.ts';
import { toDecimal } from './arithmetic.ts';
import { bindCompare, comparisonConverter } from './comparison.ts';
import {
  anyNullable,
  checkArgs,
  type EvalContext,
  registerScalar,
  type ScalarFunction,
  signatureError,
} from './registry.ts';

/**
 * Converts a non-null value of `from` to the representation of `to` (widening only: numerics, DATE → TIMESTAMP,
 * DECIMAL rescale, CHAR(n) space padding).
 */
export function valueConverter(from: SqlType, to: SqlType): (v: unknown, ctx: EvalContext) => unknown {
  if (to.kind === 'CHAR' && (from.kind === 'CHAR' || from.kind === 'VARCHAR') && from.length < to.length) {
    // CASE WHEN … THEN 'a' ELSE 'abc' END is CHAR(3) in Flink: shorter branches are padded with spaces
    const n = to.length;
    return (v) => (v as string).padEnd(n, ' ');
  }
  if (to.kind === 'DECIMAL') {
    const { precision, scale } = to;
    if (from.kind === 'DECIMAL' && from.scale === scale && from.precision <= precision) return (v) => v;
    return (v) => toPrecision(toDecimal(v), precision, scale);
  }
  return comparisonConverter(from, to);
}

/** Result type of CASE / COALESCE branches; SqlTypeError when they have no common type. */
export function caseResultType(types: SqlType[], what = 'CASE'): SqlType {
  const t = leastRestrictive(types);
  if (!t) throw new SqlTypeError(`Illegal mixing of types in ${what}: ${types.map(formatType).join(', ')}`);
  return t;
}

function convertAll(args: SqlType[], to: SqlType): Array<(v: unknown, ctx: EvalContext) => unknown> {
  return args.map((a) => valueConverter(a, to));
}

registerScalar({
  name: 'COALESCE',
  handlesNulls: true,
  infer(args) {
    if (args.length === 0) throw signatureError('COALESCE', args, 'COALESCE(<ANY>, ...)');
    const t = caseResultType(args, 'COALESCE');
    return withNullable(
      t,
      args.every((a) => a.nullable),
    );
  },
  eval(x) {
    for (let i = 0; i < x.length; i++) if (x[i] !== null) return x[i];
    return null;
  },
  bind(args, result) {
    const conv = convertAll(args, result);
    return (x, ctx) => {
      for (let i = 0; i < x.length; i++) if (x[i] !== null) return conv[i]!(x[i], ctx);
      return null;
    };
  },
});

registerScalar({
  name: 'IFNULL',
  handlesNulls: true,
  infer(args) {
    if (args.length !== 2) throw signatureError('IFNULL', args, 'IFNULL(<ANY>, <ANY>)');
    const t = caseResultType(args, 'IFNULL');
    return withNullable(t, args[0]!.nullable && args[1]!.nullable);
  },
  eval: (x) => (x[0] !== null ? x[0] : x[1]),
  bind(args, result) {
    const [c0, c1] = convertAll(args, result) as [
      (v: unknown, c: EvalContext) => unknown,
      (v: unknown, c: EvalContext) => unknown,
    ];
    return (x, ctx) => (x[0] !== null ? c0(x[0], ctx) : x[1] === null ? null : c1(x[1], ctx));
  },
});

registerScalar({
  name: 'NULLIF',
  handlesNulls: true,
  infer(args) {
    if (args.length !== 2 || !leastRestrictive(args)) throw signatureError('NULLIF', args, 'NULLIF(<ANY>, <ANY>)');
    return withNullable(args[0]!, true);
  },
  eval: (x) => (x[0] === null ? null : x[1] !== null && compareValues(x[0], x[1]) === 0 ? null : x[0]),
  bind(args) {
    const cmp = bindCompare(args[0]!, args[1]!);
    return (x, ctx) => (x[0] === null ? null : x[1] !== null && cmp(x[0], x[1], ctx) === 0 ? null : x[0]);
  },
});

registerScalar({
  name: 'IF',
  handlesNulls: true,
  infer(args) {
    if (args.length !== 3 || (args[0]!.kind !== 'BOOLEAN' && args[0]!.kind !== 'NULL'))
      throw signatureError('IF', args, 'IF(<BOOLEAN>, <ANY>, <ANY>)');
    return caseResultType([args[1]!, args[2]!], 'IF');
  },
  eval: (x) => (x[0] === true ? x[1] : x[2]),
  bind(args, result) {
    const c1 = valueConverter(args[1]!, result);
    const c2 = valueConverter(args[2]!, result);
    return (x, ctx) => {
      const v = x[0] === true ? x[1] : x[2];
      return v === null ? null : (x[0] === true ? c1 : c2)(v, ctx);
    };
  },
});

function extreme(name: 'GREATEST' | 'LEAST'): ScalarFunction {
  const sign = name === 'GREATEST' ? 1 : -1;
  return {
    name,
    infer(args) {
      checkArgs(name, args, `${name}(<COMPARABLE_TYPE>, ...)`, { families: ['COMPARABLE'], variadic: 'COMPARABLE' });
      const t = caseResultType(args, name);
      return withNullable(t, anyNullable(args));
    },
    eval(x) {
      let best = x[0];
      for (let i = 1; i < x.length; i++) if (compareValues(x[i], best) * sign > 0) best = x[i];
      return best;
    },
    bind(args, result) {
      const conv = convertAll(args, result);
      const cmp = bindCompare(result, result);
      return (x, ctx) => {
        let best = conv[0]!(x[0], ctx);
        for (let i = 1; i < x.length; i++) {
          const v = conv[i]!(x[i], ctx);
          if (cmp(v, best, ctx) * sign > 0) best = v;
        }
        return best;
      };
    },
  };
}
registerScalar(extreme('GREATEST'));
registerScalar(extreme('LEAST'));
