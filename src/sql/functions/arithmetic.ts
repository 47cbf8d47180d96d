/**
 * Arithmetic operators (+ - * / % NEG) and math functions with Flink's semantics:
 * - TINYINT/SMALLINT/INT/BIGINT arithmetic stays in the wider operand type and wraps like Java; INT / INT is
 *   integer division (truncating). Integer or DECIMAL division/modulo by zero fails the statement with
 *   SqlRuntimeError('Division by zero') (Java's ArithmeticException); DOUBLE gives Infinity/NaN.
 * - DECIMAL is exact on bigint with Flink's result precision/scale (LogicalTypeMerging), HALF_UP rounding,
 *   and NULL when the result does not fit DECIMAL(38).
 * - Temporal: TIMESTAMP/DATE/TIME ± INTERVAL, INTERVAL ± INTERVAL, INTERVAL × / ÷ numeric.
 * - ROUND/TRUNCATE/FLOOR/CEIL of DECIMAL follow findRoundDecimalType; ROUND is HALF_UP (also for DOUBLE,
 *   through BigDecimal as Flink does). RAND(seed) reproduces java.util.Random's sequence.
 * Generic `eval` (without types) treats JS numbers as DOUBLE; use `bind`/`prepareCall` for integer semantics.
 */
import {
  addMonthsToDays,
  addMonthsToTimestamp,
  Decimal,
  decimalAdd,
  decimalDiv,
  decimalMod,
  decimalMul,
  decimalSub,
  divHalfUp,
  isNumeric,
  MS_PER_DAY,
  numericResultType,
  pow10,
  SqlRuntimeError,
  type SqlType,
  T,
  type TypeOf,
  toDecimalType,
  toPrecision,
  withNullable,
} from '../types/index.ts';
import {
  anyNullable,
  checkArgs,
  type EvalContext,
  registerScalar,
  type ScalarEval,
  type ScalarFunction,
  signatureError,
  simpleFunction,
} from './registry.ts';

// ---- numeric representation helpers --------------------------------------------------------------------

/** Any numeric runtime value as a double. */
export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
}

/** An exact numeric runtime value as a Decimal (doubles through BigDecimal.valueOf). */
export function toDecimal(v: unknown): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Number.isSafeInteger(v)) return new Decimal(BigInt(v), 0);
    const d = Decimal.fromNumber(v);
    if (!d) throw new SqlRuntimeError(`Cannot convert ${v} to DECIMAL`);
    return d;
  }
  throw new SqlRuntimeError(`Not a number: ${String(v)}`);
}

/** An integral runtime value as bigint. */
export function toBigint(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (v instanceof Decimal) return v.scale === 0 ? v.unscaled : v.unscaled / pow10(v.scale);
  return BigInt(v as string);
}

/** A converter of runtime values of numeric type `from` to the representation of numeric type `to`. */
export function numericConverter(from: SqlType, to: SqlType): (v: unknown) => unknown {
  const k = to.kind;
  if (from.kind === k && k !== 'DECIMAL') return (v) => v;
  switch (k) {
    case 'BIGINT':
      return toBigint;
    case 'FLOAT':
      return (v) => Math.fround(toDouble(v));
    case 'DOUBLE':
      return toDouble;
    case 'DECIMAL':
      return toDecimal;
    default:
      return (v) => (typeof v === 'number' ? v : Number(toBigint(v)));
  }
}

function wrapFor(kind: string): (v: number) => number {
  switch (kind) {
    case 'INT':
      return (v) => v | 0;
    case 'SMALLINT':
      return (v) => (v << 16) >> 16;
    case 'TINYINT':
      return (v) => (v << 24) >> 24;
    case 'FLOAT':
      return Math.fround;
    default:
      return (v) => v;
  }
}

const divByZero = (): never => {
  throw new SqlRuntimeError('Division by zero');
};

type Op = '+' | '-' | '*' | '/' | '%';

/** A typed evaluator for a numeric binary operator with the result type `r`. */
function numericEval(op: Op, a: SqlType, b: SqlType, r: SqlType): ScalarEval {
  const ca = numericConverter(a.kind === 'NULL' ? r : a, r);
  const cb = numericConverter(b.kind === 'NULL' ? r : b, r);
  if (r.kind === 'DECIMAL') {
    const { precision: p, scale: s } = r;
    switch (op) {
      case '+':
        return (x) => toPrecision(decimalAdd(ca(x[0]) as Decimal, cb(x[1]) as Decimal), p, s);
      case '-':
        return (x) => toPrecision(decimalSub(ca(x[0]) as Decimal, cb(x[1]) as Decimal), p, s);
      case '*':
        return (x) => toPrecision(decimalMul(ca(x[0]) as Decimal, cb(x[1]) as Decimal), p, s);
      case '/':
        return (x) => {
          const q = decimalDiv(ca(x[0]) as Decimal, cb(x[1]) as Decimal, s);
          return q === undefined ? divByZero() : toPrecision(q, p, s);
        };
      case '%':
        return (x) => {
          const q = decimalMod(ca(x[0]) as Decimal, cb(x[1]) as Decimal);
          return q === undefined ? divByZero() : toPrecision(q, p, s);
        };
    }
  }
  if (r.kind === 'BIGINT') {
    switch (op) {
      case '+':
        return (x) => BigInt.asIntN(64, (ca(x[0]) as bigint) + (cb(x[1]) as bigint));
      case '-':
        return (x) => BigInt.asIntN(64, (ca(x[0]) as bigint) - (cb(x[1]) as bigint));
      case '*':
        return (x) => BigInt.asIntN(64, (ca(x[0]) as bigint) * (cb(x[1]) as bigint));
      case '/':
        return (x) => {
          const d = cb(x[1]) as bigint;
          return d === 0n ? divByZero() : BigInt.asIntN(64, (ca(x[0]) as bigint) / d);
        };
      case '%':
        return (x) => {
          const d = cb(x[1]) as bigint;
          return d === 0n ? divByZero() : (ca(x[0]) as bigint) % d;
        };
    }
  }
  const w = wrapFor(r.kind);
  const integral = r.kind === 'INT' || r.kind === 'SMALLINT' || r.kind === 'TINYINT';
  switch (op) {
    case '+':
      return (x) => w((ca(x[0]) as number) + (cb(x[1]) as number));
    case '-':
      return (x) => w((ca(x[0]) as number) - (cb(x[1]) as number));
    case '*':
      if (r.kind === 'INT') return (x) => Math.imul(ca(x[0]) as number, cb(x[1]) as number);
      return (x) => w((ca(x[0]) as number) * (cb(x[1]) as number));
    case '/':
      if (integral)
        return (x) => {
          const d = cb(x[1]) as number;
          return d === 0 ? divByZero() : w(Math.trunc((ca(x[0]) as number) / d));
        };
      return (x) => w((ca(x[0]) as number) / (cb(x[1]) as number));
    case '%':
      if (integral)
        return (x) => {
          const d = cb(x[1]) as number;
          return d === 0 ? divByZero() : w((ca(x[0]) as number) % d);
        };
      return (x) => w((ca(x[0]) as number) % (cb(x[1]) as number));
  }
}

/** Untyped arithmetic on runtime values: Decimal if either is one, bigint if both are, else double. */
function genericArith(op: Op, a: unknown, b: unknown): unknown {
  if (a instanceof Decimal || b instanceof Decimal) {
    const x = toDecimal(a);
    const y = toDecimal(b);
    switch (op) {
      case '+':
        return decimalAdd(x, y);
      case '-':
        return decimalSub(x, y);
      case '*':
        return decimalMul(x, y);
      case '/':
        return decimalDiv(x, y, Math.max(6, x.scale + y.precision() + 1)) ?? divByZero();
      case '%':
        return decimalMod(x, y) ?? divByZero();
    }
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = toBigint(a);
    const y = toBigint(b);
    if ((op === '/' || op === '%') && y === 0n) divByZero();
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
    return BigInt.asIntN(64, r);
  }
  const x = toDouble(a);
  const y = toDouble(b);
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
}

// ---- temporal arithmetic --------------------------------------------------------------------------------

function temporalType(op: Op, a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable;
  const ak = a.kind;
  const bk = b.kind;
  const isIv = (k: string) => k === 'INTERVAL_YM' || k === 'INTERVAL_DT';
  const isDt = (k: string) => k === 'DATE' || k === 'TIME' || k === 'TIMESTAMP' || k === 'TIMESTAMP_LTZ';
  if (op === '+' || op === '-') {
    if (isDt(ak) && isIv(bk)) return withNullable(a, nullable);
    if (op === '+' && isIv(ak) && isDt(bk)) return withNullable(b, nullable);
    if (isIv(ak) && ak === bk) return withNullable(a, nullable);
  }
  if ((op === '*' || op === '/') && isIv(ak) && isNumeric(b)) return withNullable(a, nullable);
  if (op === '*' && isNumeric(a) && isIv(bk)) return withNullable(b, nullable);
  return undefined;
}

function temporalEval(op: Op, a: SqlType, b: SqlType): ScalarEval {
  const ak = a.kind;
  const bk = b.kind;
  if (
    (op === '*' || op === '/') &&
    (ak === 'INTERVAL_YM' || ak === 'INTERVAL_DT' || bk === 'INTERVAL_YM' || bk === 'INTERVAL_DT')
  ) {
    const ivFirst = ak === 'INTERVAL_YM' || ak === 'INTERVAL_DT';
    const ym = (ivFirst ? ak : bk) === 'INTERVAL_YM';
    return (x) => {
      const iv = (ivFirst ? x[0] : x[1]) as number;
      const n = toDouble(ivFirst ? x[1] : x[0]);
      if (op === '/' && n === 0) divByZero();
      const r = op === '*' ? iv * n : iv / n;
      return ym ? Math.trunc(r) : Math.round(r);
    };
  }
  const sign = op === '-' ? -1 : 1;
  if ((ak === 'INTERVAL_YM' || ak === 'INTERVAL_DT') && ak === bk)
    return (x) => (x[0] as number) + sign * (x[1] as number);
  const swap = ak === 'INTERVAL_YM' || ak === 'INTERVAL_DT';
  const dt = swap ? bk : ak;
  const iv = swap ? ak : bk;
  const pick = swap
    ? (x: unknown[]) => [x[1] as number, x[0] as number]
    : (x: unknown[]) => [x[0] as number, x[1] as number];
  if (iv === 'INTERVAL_YM') {
    if (dt === 'DATE')
      return (x) => {
        const [d, m] = pick(x);
        return addMonthsToDays(d!, sign * m!);
      };
    if (dt === 'TIME') return (x) => pick(x)[0];
    return (x) => {
      const [t, m] = pick(x);
      return addMonthsToTimestamp(t!, sign * m!);
    };
  }
  if (dt === 'DATE')
    return (x) => {
      const [d, ms] = pick(x);
      return d! + Math.trunc((sign * ms!) / MS_PER_DAY);
    };
  if (dt === 'TIME')
    return (x) => {
      const [t, ms] = pick(x);
      const r = (t! + sign * ms!) % MS_PER_DAY;
      return r < 0 ? r + MS_PER_DAY : r;
    };
  return (x) => {
    const [t, ms] = pick(x);
    return t! + sign * ms!;
  };
}

function arithmetic(op: Op, name: string): ScalarFunction {
  const forms = `<NUMERIC> ${op} <NUMERIC>, <DATETIME> ${op} <INTERVAL>${op === '+' ? ', <INTERVAL> + <DATETIME>' : ''}, <INTERVAL> ${op} <INTERVAL>`;
  const infer = (args: SqlType[]): SqlType => {
    if (args.length !== 2) throw signatureError(name, args, forms);
    const [a, b] = args as [SqlType, SqlType];
    if (a.kind === 'NULL' && b.kind === 'NULL') return T.null();
    const r = numericResultType(op, a, b) ?? temporalType(op, a.kind === 'NULL' ? b : a, b.kind === 'NULL' ? a : b);
    if (!r) throw signatureError(name, args, forms);
    return r;
  };
  return {
    name,
    infer,
    eval: (x) => genericArith(op, x[0], x[1]),
    bind(args, result) {
      const [a, b] = args as [SqlType, SqlType];
      if (result.kind === 'NULL') return () => null;
      if (isNumeric(result) && (isNumeric(a) || a.kind === 'NULL') && (isNumeric(b) || b.kind === 'NULL'))
        return numericEval(op, a, b, result);
      return temporalEval(op, a.kind === 'NULL' ? b : a, b.kind === 'NULL' ? a : b);
    },
  };
}

registerScalar(arithmetic('+', '+'), 'PLUS');
registerScalar(arithmetic('-', '-'), 'MINUS');
registerScalar(arithmetic('*', '*'), 'TIMES');
registerScalar(arithmetic('/', '/'), 'DIVIDE');
registerScalar(arithmetic('%', '%'));

const modFn = arithmetic('%', 'MOD');
registerScalar({
  ...modFn,
  infer(args) {
    checkArgs('MOD', args, 'MOD(<EXACT_NUMERIC>, <EXACT_NUMERIC>)', { families: ['NUMERIC', 'NUMERIC'] });
    return modFn.infer(args);
  },
});

function negate(v: unknown): unknown {
  if (typeof v === 'number') return -v;
  if (typeof v === 'bigint') return BigInt.asIntN(64, -v);
  return (v as Decimal).negate();
}

registerScalar(
  {
    name: 'NEG',
    infer(args) {
      if (
        args.length !== 1 ||
        !(
          isNumeric(args[0]!) ||
          args[0]!.kind === 'INTERVAL_YM' ||
          args[0]!.kind === 'INTERVAL_DT' ||
          args[0]!.kind === 'NULL'
        )
      )
        throw signatureError('-', args, '-<NUMERIC>, -<INTERVAL>');
      return args[0]!;
    },
    eval: (x) => negate(x[0]),
    bind(args) {
      const w = wrapFor(args[0]!.kind);
      const k = args[0]!.kind;
      if (k === 'INT' || k === 'SMALLINT' || k === 'TINYINT') return (x) => w(-(x[0] as number));
      return (x) => negate(x[0]);
    },
  },
  'UNARY_MINUS',
);
registerScalar({
  name: 'UNARY_PLUS',
  infer(args) {
    if (args.length !== 1 || !(isNumeric(args[0]!) || args[0]!.kind === 'NULL' || args[0]!.kind.startsWith('INTERVAL')))
      throw signatureError('+', args, '+<NUMERIC>');
    return args[0]!;
  },
  eval: (x) => x[0],
});

// ---- math functions -------------------------------------------------------------------------------------

const dbl = (args: SqlType[]): SqlType => T.double(anyNullable(args));

function doubleFn(name: string, f: (...x: number[]) => number, arity = 1): ScalarFunction {
  const forms = `${name}(${Array(arity).fill('<NUMERIC>').join(', ')})`;
  return simpleFunction({
    name,
    forms,
    alternatives: [{ families: Array(arity).fill('NUMERIC') }],
    result: dbl,
    eval: arity === 1 ? (x) => f(toDouble(x[0])) : (x) => f(...x.map(toDouble)),
  });
}

for (const [name, f] of [
  ['SQRT', Math.sqrt],
  ['EXP', Math.exp],
  ['LN', Math.log],
  ['LOG10', Math.log10],
  ['LOG2', Math.log2],
  ['SIN', Math.sin],
  ['COS', Math.cos],
  ['TAN', Math.tan],
  ['COT', (v: number) => 1 / Math.tan(v)],
  ['ASIN', Math.asin],
  ['ACOS', Math.acos],
  ['ATAN', Math.atan],
  ['SINH', Math.sinh],
  ['COSH', Math.cosh],
  ['TANH', Math.tanh],
  ['DEGREES', (v: number) => (v * 180) / Math.PI],
  ['RADIANS', (v: number) => (v / 180) * Math.PI],
] as Array<[string, (v: number) => number]>) {
  registerScalar(doubleFn(name, f));
}
registerScalar(doubleFn('ATAN2', Math.atan2, 2));
registerScalar(doubleFn('POWER', Math.pow, 2), 'POW');
registerScalar(
  simpleFunction({
    name: 'LOG',
    forms: 'LOG(<NUMERIC>), LOG(<NUMERIC>, <NUMERIC>)',
    alternatives: [{ families: ['NUMERIC', 'NUMERIC'], min: 1 }],
    result: dbl,
    eval: (x) => (x.length === 1 ? Math.log(toDouble(x[0])) : Math.log(toDouble(x[1])) / Math.log(toDouble(x[0]))),
  }),
);
registerScalar(
  simpleFunction({
    name: 'PI',
    forms: 'PI()',
    alternatives: [{ families: [] }],
    result: () => T.double(false),
    eval: () => Math.PI,
  }),
);
registerScalar(
  simpleFunction({
    name: 'E',
    forms: 'E()',
    alternatives: [{ families: [] }],
    result: () => T.double(false),
    eval: () => Math.E,
  }),
);

const sameNumeric = (name: string, forms: string, f: (v: unknown, t: SqlType) => unknown): ScalarFunction => ({
  name,
  infer(args) {
    checkArgs(name, args, forms, { families: ['NUMERIC'] });
    return args[0]!.kind === 'NULL' ? T.int() : args[0]!;
  },
  eval: (x) => f(x[0], typeof x[0] === 'bigint' ? T.bigint() : x[0] instanceof Decimal ? T.decimal() : T.double()),
  bind(args) {
    const t = args[0]!;
    return (x) => f(x[0], t);
  },
});

registerScalar(
  sameNumeric('ABS', 'ABS(<NUMERIC>)', (v, t) => {
    if (typeof v === 'bigint') return BigInt.asIntN(64, v < 0n ? -v : v);
    if (v instanceof Decimal) return v.abs();
    return wrapFor(t.kind)(Math.abs(v as number));
  }),
);
registerScalar(
  sameNumeric('SIGN', 'SIGN(<NUMERIC>)', (v) => {
    if (typeof v === 'bigint') return v < 0n ? -1n : v > 0n ? 1n : 0n;
    if (v instanceof Decimal) return new Decimal(BigInt(v.signum()), 0).setScale(v.scale);
    return Math.sign(v as number);
  }),
);

/** Flink's findRoundDecimalType. */
function roundDecimalType(t: TypeOf<'DECIMAL'>, round: number): SqlType {
  if (round >= t.scale) return t;
  if (round < 0) return T.decimal(Math.min(38, 1 + t.precision - t.scale), 0, t.nullable);
  return T.decimal(1 + t.precision - t.scale + round, round, t.nullable);
}

type RoundMode = 'HALF_UP' | 'DOWN' | 'FLOOR' | 'CEILING';

function roundBigint(u: bigint, drop: number, mode: RoundMode): bigint {
  if (drop <= 0) return u;
  const d = pow10(drop);
  switch (mode) {
    case 'HALF_UP':
      return divHalfUp(u, d);
    case 'DOWN':
      return u / d;
    case 'FLOOR': {
      const q = u / d;
      return u < 0n && q * d !== u ? q - 1n : q;
    }
    case 'CEILING': {
      const q = u / d;
      return u > 0n && q * d !== u ? q + 1n : q;
    }
  }
}

/** Rounds a Decimal to `digits` fraction digits (negative: to tens, hundreds...), keeping scale `outScale`. */
function roundDecimal(v: Decimal, digits: number, mode: RoundMode, outScale: number): Decimal {
  if (digits >= v.scale) return v.setScale(outScale);
  const u = roundBigint(v.unscaled, v.scale - digits, mode);
  const r = digits >= 0 ? new Decimal(u, digits) : new Decimal(u * pow10(-digits), 0);
  return r.setScale(outScale);
}

function roundNumber(v: number, digits: number, mode: RoundMode, kind: string): number {
  if (!Number.isFinite(v)) return v;
  if (kind === 'DOUBLE' || kind === 'FLOAT') {
    const d = Decimal.fromNumber(v)!;
    const r = roundDecimal(d, digits, mode, Math.max(0, digits)).toNumber();
    return kind === 'FLOAT' ? Math.fround(r) : r;
  }
  if (digits >= 0) return v;
  const r = Number(roundBigint(BigInt(v), -digits, mode)) * 10 ** -digits;
  return wrapFor(kind)(r);
}

function roundFunction(name: string, mode: RoundMode): ScalarFunction {
  const forms = `${name}(<NUMERIC>), ${name}(<NUMERIC>, <INTEGER>)`;
  return {
    name,
    infer(args, literals) {
      checkArgs(name, args, forms, { families: ['NUMERIC', 'INTEGER'], min: 1 });
      const t = args[0]!.kind === 'NULL' ? T.int() : args[0]!;
      const nullable = anyNullable(args);
      if (t.kind !== 'DECIMAL') return withNullable(t, nullable);
      const lit = args.length === 1 ? 0 : literals?.[1];
      const digits = typeof lit === 'number' ? lit : typeof lit === 'bigint' ? Number(lit) : undefined;
      return withNullable(digits === undefined ? t : roundDecimalType(t, digits), nullable);
    },
    eval(x) {
      const digits = x.length > 1 ? Number(x[1]) : 0;
      const v = x[0];
      if (v instanceof Decimal) return roundDecimal(v, digits, mode, Math.max(0, Math.min(digits, v.scale)));
      if (typeof v === 'bigint') return digits >= 0 ? v : roundBigint(v, -digits, mode) * pow10(-digits);
      return roundNumber(v as number, digits, mode, 'DOUBLE');
    },
    bind(args, result) {
      const k = args[0]!.kind;
      const outScale = result.kind === 'DECIMAL' ? result.scale : 0;
      return (x) => {
        const digits = x.length > 1 ? Number(x[1]) : 0;
        const v = x[0];
        if (v instanceof Decimal) return roundDecimal(v, digits, mode, outScale);
        if (typeof v === 'bigint')
          return digits >= 0 ? v : BigInt.asIntN(64, roundBigint(v, -digits, mode) * pow10(-digits));
        return roundNumber(v as number, digits, mode, k);
      };
    },
  };
}

registerScalar(roundFunction('ROUND', 'HALF_UP'));
registerScalar(roundFunction('TRUNCATE', 'DOWN'));

/** FLOOR/CEIL of a numeric (the `FLOOR(ts TO unit)` form lives in temporal.ts and dispatches here). */
export function numericFloorCeil(name: 'FLOOR' | 'CEIL'): ScalarFunction {
  const mode: RoundMode = name === 'FLOOR' ? 'FLOOR' : 'CEILING';
  const f = name === 'FLOOR' ? Math.floor : Math.ceil;
  return {
    name,
    infer(args) {
      checkArgs(name, args, `${name}(<NUMERIC>)`, { families: ['NUMERIC'] });
      const t = args[0]!.kind === 'NULL' ? T.int() : args[0]!;
      return t.kind === 'DECIMAL' ? roundDecimalType(t, 0) : t;
    },
    eval(x) {
      const v = x[0];
      if (v instanceof Decimal) return roundDecimal(v, 0, mode, 0);
      if (typeof v === 'bigint') return v;
      return f(v as number);
    },
  };
}

// ---- RAND -----------------------------------------------------------------------------------------------

const MULT = 0x5deece66dn;
const MASK = (1n << 48n) - 1n;

/** java.util.Random: the same sequence of nextDouble/nextInt for the same seed. */
export class JavaRandom {
  #seed: bigint;
  constructor(seed: bigint | number) {
    this.#seed = (BigInt(seed) ^ MULT) & MASK;
  }
  #next(bits: number): number {
    this.#seed = (this.#seed * MULT + 0xbn) & MASK;
    return Number(BigInt.asIntN(32, this.#seed >> BigInt(48 - bits)));
  }
  nextDouble(): number {
    return (this.#next(26) * 2 ** 27 + this.#next(27)) * 2 ** -53;
  }
  nextInt(bound: number): number {
    if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(this.#next(31))) >> 31n);
    let bits: number;
    let val: number;
    do {
      bits = this.#next(31);
      val = bits % bound;
    } while (bits - val + (bound - 1) > 2147483647);
    return val;
  }
}

function seeded(): (seed: unknown) => JavaRandom {
  let rnd: JavaRandom | undefined;
  let last: unknown;
  return (seed) => {
    if (!rnd || seed !== last) {
      rnd = new JavaRandom(toBigint(seed));
      last = seed;
    }
    return rnd;
  };
}

const rand = (ctx: EvalContext): number => (ctx.random ?? Math.random)();

registerScalar({
  name: 'RAND',
  deterministic: false,
  handlesNulls: true,
  infer(args) {
    checkArgs('RAND', args, 'RAND(), RAND(<INTEGER>)', { families: ['INTEGER'], min: 0 });
    return T.double(false);
  },
  eval: (x, ctx) => (x.length && x[0] !== null ? new JavaRandom(toBigint(x[0])).nextDouble() : rand(ctx)),
  bind(args) {
    if (args.length === 0) return (_x, ctx) => rand(ctx);
    const gen = seeded();
    return (x, ctx) => (x[0] === null ? rand(ctx) : gen(x[0]).nextDouble());
  },
});

registerScalar({
  name: 'RAND_INTEGER',
  deterministic: false,
  infer(args) {
    checkArgs('RAND_INTEGER', args, 'RAND_INTEGER(<INTEGER>), RAND_INTEGER(<INTEGER>, <INTEGER>)', {
      families: ['INTEGER', 'INTEGER'],
      min: 1,
    });
    return T.int(anyNullable(args));
  },
  eval: (x, ctx) =>
    x.length === 1 ? Math.floor(rand(ctx) * Number(x[0])) : new JavaRandom(toBigint(x[0])).nextInt(Number(x[1])),
  bind(args) {
    if (args.length === 1) return (x, ctx) => Math.floor(rand(ctx) * Number(x[0]));
    const gen = seeded();
    return (x) => gen(x[0]).nextInt(Number(x[1]));
  },
});

/** Decimal type of an exact numeric argument (for AVG/SUM helpers elsewhere). */
export function asDecimalType(t: SqlType): TypeOf<'DECIMAL'> {
  return toDecimalType(t) as TypeOf<'DECIMAL'>;
}
