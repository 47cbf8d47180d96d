/**
 * Aggregate functions with retraction (for retract changelogs), Flink's result types and NULL handling:
 * COUNT(*) / COUNT(x) (BIGINT, 0 when empty), SUM (NULL when empty or after retracting everything), SUM0
 * (0 instead), AVG (INT in → INT out, truncating; DECIMAL → DECIMAL(38, max(6, s)) HALF_UP), MIN/MAX (keep a
 * value → count map so retraction works; `appendOnlyMin/Max` keep only the extreme), LISTAGG(x[, sep]) (default
 * ','), STDDEV_POP/STDDEV_SAMP/VAR_POP/VAR_SAMP (DOUBLE; Flink would keep the argument type), FIRST_VALUE /
 * LAST_VALUE (NULL inputs ignored), COLLECT (MULTISET), and `distinctAggregate(agg)` for DISTINCT: it counts
 * each distinct value so the inner aggregate sees a value once and loses it when its last copy is retracted.
 * NULL inputs are ignored by every aggregate except COUNT(*).
 */
import {
  avgType,
  compareValues,
  Decimal,
  decimalAdd,
  decimalDiv,
  decimalSub,
  isComparable,
  SqlRuntimeError,
  type SqlType,
  sumType,
  T,
  toPrecision,
  valueKey,
  withNullable,
} from '../types/index.ts';
import { toBigint, toDecimal, toDouble } from './arithmetic.ts';
import { type AggregateFunction, checkArgs, registerAggregate, signatureError } from './registry.ts';

/** A Map key for a value: primitives as themselves (Map compares them by value), others by `valueKey`. */
function fastKey(v: unknown): unknown {
  return typeof v === 'object' ? valueKey(v) : v === 0 ? 0 : v;
}

// ---- COUNT ----------------------------------------------------------------------------------------------

interface CountAcc {
  n: number;
}

/** COUNT(*) (no arguments) or COUNT(x, ...) counting rows whose arguments are all non-null. */
export const COUNT: AggregateFunction<CountAcc> = {
  name: 'COUNT',
  infer: () => T.bigint(false),
  create: () => ({ n: 0 }),
  add(acc, args) {
    for (let i = 0; i < args.length; i++) if (args[i] === null) return;
    acc.n++;
  },
  retract(acc, args) {
    for (let i = 0; i < args.length; i++) if (args[i] === null) return;
    acc.n--;
  },
  merge(a, b) {
    a.n += b.n;
  },
  result: (acc) => BigInt(acc.n),
};
registerAggregate(COUNT);

// ---- SUM / SUM0 / AVG -----------------------------------------------------------------------------------

interface SumAcc {
  sum: unknown;
  n: number;
}

type NumOps = {
  zero: unknown;
  add: (a: unknown, b: unknown) => unknown;
  sub: (a: unknown, b: unknown) => unknown;
};

function opsFor(t: SqlType | undefined): NumOps {
  switch (t?.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const w =
        t.kind === 'INT'
          ? (v: number) => v | 0
          : t.kind === 'SMALLINT'
            ? (v: number) => (v << 16) >> 16
            : (v: number) => (v << 24) >> 24;
      return {
        zero: 0,
        add: (a, b) => w((a as number) + (b as number)),
        sub: (a, b) => w((a as number) - (b as number)),
      };
    }
    case 'BIGINT':
      return {
        zero: 0n,
        add: (a, b) => BigInt.asIntN(64, (a as bigint) + toBigint(b)),
        sub: (a, b) => BigInt.asIntN(64, (a as bigint) - toBigint(b)),
      };
    case 'DECIMAL':
      return {
        zero: new Decimal(0n, t.scale),
        add: (a, b) => decimalAdd(a as Decimal, toDecimal(b)),
        sub: (a, b) => decimalSub(a as Decimal, toDecimal(b)),
      };
    case 'FLOAT':
      return {
        zero: 0,
        add: (a, b) => Math.fround((a as number) + toDouble(b)),
        sub: (a, b) => Math.fround((a as number) - toDouble(b)),
      };
    case 'DOUBLE':
      return { zero: 0, add: (a, b) => (a as number) + toDouble(b), sub: (a, b) => (a as number) - toDouble(b) };
    default:
      // untyped: follow the runtime representation of the first value
      return {
        zero: null,
        add: (a, b) =>
          a === null
            ? b
            : a instanceof Decimal || b instanceof Decimal
              ? decimalAdd(toDecimal(a), toDecimal(b))
              : typeof a === 'bigint'
                ? BigInt.asIntN(64, a + toBigint(b))
                : (a as number) + toDouble(b),
        sub: (a, b) =>
          a instanceof Decimal || b instanceof Decimal
            ? decimalSub(toDecimal(a), toDecimal(b))
            : typeof a === 'bigint'
              ? BigInt.asIntN(64, a - toBigint(b))
              : (a as number) - toDouble(b),
      };
  }
}

function checkNumeric(name: string, args: SqlType[]): SqlType {
  checkArgs(name, args, `${name}(<NUMERIC>)`, { families: ['NUMERIC'] });
  return args[0]!.kind === 'NULL' ? T.int() : args[0]!;
}

function sumAggregate(name: 'SUM' | 'SUM0', t?: SqlType): AggregateFunction<SumAcc> {
  const ops = opsFor(t);
  const out = t ? sumType(t) : undefined;
  const finish =
    out?.kind === 'DECIMAL' ? (v: unknown) => toPrecision(v as Decimal, out.precision, out.scale) : (v: unknown) => v;
  const empty = name === 'SUM' ? null : ops.zero === null ? 0 : finish(ops.zero);
  return {
    name,
    infer(args) {
      const a = checkNumeric(name, args);
      const r = sumType(a);
      return name === 'SUM0' ? withNullable(r, false) : r;
    },
    create: () => ({ sum: ops.zero, n: 0 }),
    add(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      acc.sum = acc.n === 0 && ops.zero === null ? v : ops.add(acc.sum, v);
      acc.n++;
    },
    retract(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      acc.sum = acc.sum === null ? opsFor(undefined).sub(0, v) : ops.sub(acc.sum, v);
      acc.n--;
      if (acc.n === 0) acc.sum = ops.zero;
    },
    merge(a, b) {
      if (b.n === 0) return;
      a.sum = a.n === 0 && ops.zero === null ? b.sum : ops.add(a.sum, b.sum);
      a.n += b.n;
    },
    result: (acc) => (acc.n === 0 ? empty : finish(acc.sum)),
    bind: (args) => sumAggregate(name, args[0]!.kind === 'NULL' ? T.int() : args[0]!),
  };
}
registerAggregate(sumAggregate('SUM'));
registerAggregate(sumAggregate('SUM0'), '$SUM0');

function avgAggregate(t?: SqlType): AggregateFunction<SumAcc> {
  // integral inputs accumulate as bigint so the sum does not lose precision or wrap
  const integral = t !== undefined && ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(t.kind);
  const ops = integral ? opsFor(T.bigint()) : opsFor(t);
  const out = t ? avgType(t) : undefined;
  return {
    name: 'AVG',
    infer: (args) => avgType(checkNumeric('AVG', args)),
    create: () => ({ sum: ops.zero, n: 0 }),
    add(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      acc.sum = acc.n === 0 && ops.zero === null ? v : ops.add(acc.sum, v);
      acc.n++;
    },
    retract(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      acc.sum = ops.sub(acc.sum ?? 0, v);
      acc.n--;
      if (acc.n === 0) acc.sum = ops.zero;
    },
    merge(a, b) {
      if (b.n === 0) return;
      a.sum = a.n === 0 && ops.zero === null ? b.sum : ops.add(a.sum, b.sum);
      a.n += b.n;
    },
    result(acc) {
      if (acc.n === 0) return null;
      const s = acc.sum;
      if (out?.kind === 'DECIMAL') {
        const q = decimalDiv(toDecimal(s), new Decimal(BigInt(acc.n), 0), out.scale);
        return q === undefined ? null : toPrecision(q, out.precision, out.scale);
      }
      if (integral) {
        const q = (s as bigint) / BigInt(acc.n);
        return t!.kind === 'BIGINT' ? q : Number(q);
      }
      if (s instanceof Decimal) return decimalDiv(s, new Decimal(BigInt(acc.n), 0), Math.max(6, s.scale));
      if (typeof s === 'bigint') return s / BigInt(acc.n);
      const r = (s as number) / acc.n;
      return t?.kind === 'FLOAT' ? Math.fround(r) : r;
    },
    bind: (args) => avgAggregate(args[0]!.kind === 'NULL' ? T.int() : args[0]!),
  };
}
registerAggregate(avgAggregate());

// ---- MIN / MAX ------------------------------------------------------------------------------------------

interface MinMaxAcc {
  counts: Map<unknown, { v: unknown; n: number }>;
  /** Current extreme; undefined when it must be recomputed after a retraction. */
  best: unknown;
}

function checkComparable(name: string, args: SqlType[]): SqlType {
  if (args.length !== 1 || !isComparable(args[0]!)) throw signatureError(name, args, `${name}(<COMPARABLE_TYPE>)`);
  return withNullable(args[0]!, true);
}

/** MIN/MAX with retraction: a value → count map plus a cached extreme. */
export function minMaxAggregate(name: 'MIN' | 'MAX'): AggregateFunction<MinMaxAcc> {
  const sign = name === 'MAX' ? 1 : -1;
  return {
    name,
    infer: (args) => checkComparable(name, args),
    create: () => ({ counts: new Map(), best: null }),
    add(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      const k = fastKey(v);
      const e = acc.counts.get(k);
      if (e) e.n++;
      else acc.counts.set(k, { v, n: 1 });
      if (acc.best !== undefined && (acc.best === null || compareValues(v, acc.best) * sign > 0)) acc.best = v;
    },
    retract(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      const k = fastKey(v);
      const e = acc.counts.get(k);
      if (!e) return;
      if (--e.n === 0) {
        acc.counts.delete(k);
        if (acc.best !== null && acc.best !== undefined && fastKey(acc.best) === k) acc.best = undefined;
      }
    },
    merge(a, b) {
      for (const [k, e] of b.counts) {
        const x = a.counts.get(k);
        if (x) x.n += e.n;
        else a.counts.set(k, { v: e.v, n: e.n });
      }
      a.best = undefined;
    },
    result(acc) {
      if (acc.best === undefined) {
        let best: unknown = null;
        for (const { v } of acc.counts.values()) if (best === null || compareValues(v, best) * sign > 0) best = v;
        acc.best = best;
      }
      return acc.best;
    },
  };
}
registerAggregate(minMaxAggregate('MIN'));
registerAggregate(minMaxAggregate('MAX'));

/** MIN/MAX for append-only input: keeps only the extreme (no retract). */
export function appendOnlyMinMax(name: 'MIN' | 'MAX'): AggregateFunction<{ best: unknown }> {
  const sign = name === 'MAX' ? 1 : -1;
  return {
    name,
    infer: (args) => checkComparable(name, args),
    create: () => ({ best: null }),
    add(acc, args) {
      const v = args[0];
      if (v !== null && v !== undefined && (acc.best === null || compareValues(v, acc.best) * sign > 0)) acc.best = v;
    },
    merge(a, b) {
      if (b.best !== null && (a.best === null || compareValues(b.best, a.best) * sign > 0)) a.best = b.best;
    },
    result: (acc) => acc.best,
  };
}

// ---- LISTAGG --------------------------------------------------------------------------------------------

interface ListAggAcc {
  values: string[];
  sep: string;
}

/** LISTAGG(x[, sep]): values in arrival order joined by sep (default ','); retraction removes the first equal value. */
export const LISTAGG: AggregateFunction<ListAggAcc> = {
  name: 'LISTAGG',
  infer(args) {
    checkArgs('LISTAGG', args, 'LISTAGG(<STRING>), LISTAGG(<STRING>, <STRING>)', {
      families: ['STRING', 'STRING'],
      min: 1,
    });
    return T.string();
  },
  create: () => ({ values: [], sep: ',' }),
  add(acc, args) {
    const v = args[0];
    if (v === null || v === undefined) return;
    if (args.length > 1 && args[1] !== null) acc.sep = args[1] as string;
    acc.values.push(v as string);
  },
  retract(acc, args) {
    const v = args[0];
    if (v === null || v === undefined) return;
    const i = acc.values.indexOf(v as string);
    if (i >= 0) acc.values.splice(i, 1);
  },
  merge(a, b) {
    a.values.push(...b.values);
  },
  result: (acc) => (acc.values.length === 0 ? null : acc.values.join(acc.sep)),
};
registerAggregate(LISTAGG);

// ---- variance family ------------------------------------------------------------------------------------

interface VarAcc {
  n: number;
  sum: number;
  sumSq: number;
}

function varianceAggregate(name: string, sample: boolean, sqrt: boolean): AggregateFunction<VarAcc> {
  return {
    name,
    infer(args) {
      checkNumeric(name, args);
      return T.double();
    },
    create: () => ({ n: 0, sum: 0, sumSq: 0 }),
    add(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      const d = toDouble(v);
      acc.n++;
      acc.sum += d;
      acc.sumSq += d * d;
    },
    retract(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      const d = toDouble(v);
      acc.n--;
      acc.sum -= d;
      acc.sumSq -= d * d;
      if (acc.n === 0) acc.sum = acc.sumSq = 0;
    },
    merge(a, b) {
      a.n += b.n;
      a.sum += b.sum;
      a.sumSq += b.sumSq;
    },
    result(acc) {
      const div = sample ? acc.n - 1 : acc.n;
      if (acc.n === 0 || div <= 0) return null;
      const variance = Math.max(0, (acc.sumSq - (acc.sum * acc.sum) / acc.n) / div);
      return sqrt ? Math.sqrt(variance) : variance;
    },
  };
}
registerAggregate(varianceAggregate('STDDEV_POP', false, true));
registerAggregate(varianceAggregate('STDDEV_SAMP', true, true), 'STDDEV');
registerAggregate(varianceAggregate('VAR_POP', false, false));
registerAggregate(varianceAggregate('VAR_SAMP', true, false), 'VARIANCE');

// ---- FIRST_VALUE / LAST_VALUE / COLLECT -----------------------------------------------------------------

interface OrderedAcc {
  values: unknown[];
}

function positional(name: 'FIRST_VALUE' | 'LAST_VALUE'): AggregateFunction<OrderedAcc> {
  const first = name === 'FIRST_VALUE';
  return {
    name,
    infer(args) {
      if (args.length !== 1) throw signatureError(name, args, `${name}(<ANY>)`);
      return withNullable(args[0]!, true);
    },
    create: () => ({ values: [] }),
    add(acc, args) {
      const v = args[0];
      if (v !== null && v !== undefined) acc.values.push(v);
    },
    retract(acc, args) {
      const v = args[0];
      if (v === null || v === undefined) return;
      const k = valueKey(v);
      const i = acc.values.findIndex((x) => x === v || valueKey(x) === k);
      if (i >= 0) acc.values.splice(i, 1);
    },
    merge(a, b) {
      a.values.push(...b.values);
    },
    result: (acc) => (acc.values.length === 0 ? null : first ? acc.values[0] : acc.values[acc.values.length - 1]),
  };
}
registerAggregate(positional('FIRST_VALUE'));
registerAggregate(positional('LAST_VALUE'));

interface CollectAcc {
  counts: Map<unknown, { v: unknown; n: number }>;
}
registerAggregate<CollectAcc>({
  name: 'COLLECT',
  infer(args) {
    if (args.length !== 1) throw signatureError('COLLECT', args, 'COLLECT(<ANY>)');
    return T.multiset(args[0]!, false);
  },
  create: () => ({ counts: new Map() }),
  add(acc, args) {
    const v = args[0];
    if (v === null || v === undefined) return;
    const k = fastKey(v);
    const e = acc.counts.get(k);
    if (e) e.n++;
    else acc.counts.set(k, { v, n: 1 });
  },
  retract(acc, args) {
    const v = args[0];
    if (v === null || v === undefined) return;
    const k = fastKey(v);
    const e = acc.counts.get(k);
    if (e && --e.n === 0) acc.counts.delete(k);
  },
  merge(a, b) {
    for (const [k, e] of b.counts) {
      const x = a.counts.get(k);
      if (x) x.n += e.n;
      else a.counts.set(k, { v: e.v, n: e.n });
    }
  },
  result(acc) {
    const out: unknown[] = [];
    for (const { v, n } of acc.counts.values()) for (let i = 0; i < n; i++) out.push(v);
    return out;
  },
});

// ---- DISTINCT -------------------------------------------------------------------------------------------

interface DistinctAcc {
  seen: Map<unknown, { args: unknown[]; n: number }>;
  inner: unknown;
}

/**
 * AGG(DISTINCT ...): counts rows per distinct argument tuple; the inner aggregate gets `add` for the first copy
 * and `retract` when the last copy goes. Rows with a NULL argument are ignored (as every DISTINCT aggregate does).
 */
export function distinctAggregate<A>(agg: AggregateFunction<A>): AggregateFunction<DistinctAcc> {
  const key = (args: unknown[]): unknown => (args.length === 1 ? fastKey(args[0]) : args.map(valueKey).join('\u0001'));
  return {
    name: agg.name,
    infer: (args) => agg.infer(args),
    create: () => ({ seen: new Map(), inner: agg.create() }),
    add(acc, args) {
      for (let i = 0; i < args.length; i++) if (args[i] === null) return;
      const k = key(args);
      const e = acc.seen.get(k);
      if (e) e.n++;
      else {
        acc.seen.set(k, { args: args.slice(), n: 1 });
        agg.add(acc.inner as A, args);
      }
    },
    retract(acc, args) {
      for (let i = 0; i < args.length; i++) if (args[i] === null) return;
      const k = key(args);
      const e = acc.seen.get(k);
      if (!e) return;
      if (--e.n === 0) {
        acc.seen.delete(k);
        if (!agg.retract) throw new SqlRuntimeError(`${agg.name}(DISTINCT ...) does not support retraction`);
        agg.retract(acc.inner as A, e.args);
      }
    },
    merge(a, b) {
      for (const [k, e] of b.seen) {
        const x = a.seen.get(k);
        if (x) x.n += e.n;
        else {
          a.seen.set(k, { args: e.args, n: e.n });
          agg.add(a.inner as A, e.args);
        }
      }
    },
    result: (acc) => agg.result(acc.inner as A),
    bind: agg.bind ? (args) => distinctAggregate(agg.bind!(args)) : undefined,
  };
}
