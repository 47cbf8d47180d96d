// Arithmetic, math, comparison and logic operators: Flink results, DECIMAL exactness, wrapping, NULLs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EvalContext, lookupScalar, prepareCall } from '../../src/sql/functions/index.ts';
import { Decimal, formatType, SqlRuntimeError, type SqlType, SqlTypeError, T } from '../../src/sql/types/index.ts';

const ctx: EvalContext = { timeZone: 'UTC', now: () => Date.UTC(2024, 0, 1) };
const d = (s: string): Decimal => Decimal.parse(s)!;
const show = (v: unknown): unknown => (v instanceof Decimal ? `D${v.toString()}` : v);

function call(name: string, types: SqlType[], args: unknown[], literals?: unknown[]): unknown {
  return prepareCall(name, types, literals).eval(args, ctx);
}
function typeOf(name: string, types: SqlType[], literals?: unknown[]): string {
  return formatType(prepareCall(name, types, literals).type);
}

const I = T.int(false);
const BI = T.bigint(false);
const DBL = T.double(false);

test('arithmetic table', () => {
  const cases: Array<[string, SqlType[], unknown[], unknown]> = [
    ['+', [I, I], [1, 2], 3],
    ['+', [I, I], [2147483647, 1], -2147483648],
    ['*', [I, I], [65536, 65536], 0],
    ['-', [T.tinyint(), T.tinyint()], [-128, 1], 127],
    ['+', [BI, BI], [9223372036854775807n, 1n], -9223372036854775808n],
    ['+', [I, BI], [1, 2n], 3n],
    ['/', [I, I], [7, 2], 3],
    ['/', [I, I], [-7, 2], -3],
    ['/', [BI, I], [7n, 2], 3n],
    ['/', [DBL, I], [7, 2], 3.5],
    ['/', [DBL, DBL], [1, 0], Number.POSITIVE_INFINITY],
    ['%', [I, I], [-7, 3], -1],
    ['%', [I, I], [7, -3], 1],
    ['MOD', [I, I], [29, 3], 2],
    ['%', [DBL, DBL], [7.5, 2], 1.5],
    ['+', [T.decimal(10, 1), T.decimal(10, 1)], [d('0.1'), d('0.2')], 'D0.3'],
    ['+', [T.decimal(10, 2), I], [d('1.25'), 2], 'D3.25'],
    ['*', [T.decimal(5, 2), T.decimal(5, 2)], [d('1.10'), d('1.10')], 'D1.2100'],
    ['/', [T.decimal(10, 2), T.decimal(5, 3)], [d('1.00'), d('3.000')], 'D0.33333333'],
    ['/', [T.decimal(10, 0), I], [d('2'), 3], 'D0.66666666667'],
    ['%', [T.decimal(5, 1), T.decimal(5, 1)], [d('7.5'), d('2.0')], 'D1.5'],
    ['+', [T.decimal(5, 1), DBL], [d('0.5'), 0.25], 0.75],
    ['+', [T.decimal(38, 0), T.decimal(38, 0)], [d('9'.repeat(38)), d('1')], null],
    ['NEG', [I], [5], -5],
    ['NEG', [I], [-2147483648], -2147483648],
    ['NEG', [T.decimal(3, 1)], [d('1.5')], 'D-1.5'],
    ['ABS', [I], [-3], 3],
    ['ABS', [T.decimal(3, 1)], [d('-1.5')], 'D1.5'],
    ['ABS', [BI], [-4n], 4n],
    ['SIGN', [DBL], [-2.5], -1],
    ['POWER', [I, I], [2, 10], 1024],
    ['SQRT', [DBL], [16], 4],
    ['LN', [DBL], [Math.E], 1],
    ['LOG10', [I], [1000], 3],
    ['LOG2', [I], [8], 3],
    ['LOG', [I, I], [2, 8], 3],
    ['LOG', [DBL], [1], 0],
    ['EXP', [I], [0], 1],
    ['CEIL', [DBL], [1.2], 2],
    ['CEILING', [DBL], [-1.2], -1],
    ['FLOOR', [DBL], [-1.2], -2],
    ['FLOOR', [T.decimal(5, 2)], [d('-1.25')], 'D-2'],
    ['CEIL', [T.decimal(5, 2)], [d('1.01')], 'D2'],
    ['ROUND', [T.decimal(6, 3), I], [d('125.315'), 2], 'D125.32'],
    ['ROUND', [T.decimal(6, 3), I], [d('-125.315'), 2], 'D-125.32'],
    ['ROUND', [T.decimal(6, 3)], [d('125.5')], 'D126'],
    ['ROUND', [DBL, I], [2.675, 2], 2.68],
    ['ROUND', [DBL], [-2.5], -3],
    ['ROUND', [I, I], [1234, -2], 1200],
    ['ROUND', [I, I], [1250, -2], 1300],
    ['TRUNCATE', [T.decimal(5, 3), I], [d('42.345'), 2], 'D42.34'],
    ['TRUNCATE', [DBL], [42.324], 42],
    ['TRUNCATE', [DBL, I], [-42.345, 1], -42.3],
    ['DEGREES', [DBL], [Math.PI], 180],
    ['RADIANS', [DBL], [180], Math.PI],
    ['SIN', [DBL], [0], 0],
    ['ATAN2', [DBL, DBL], [1, 1], Math.PI / 4],
    ['PI', [], [], Math.PI],
    ['E', [], [], Math.E],
  ];
  for (const [name, types, args, want] of cases) {
    const got = show(call(name, types, args, args));
    if (typeof want === 'number' && typeof got === 'number' && Number.isFinite(want) && !Number.isInteger(want))
      assert.ok(Math.abs(got - want) < 1e-12, `${name}(${args.join(', ')}) = ${got}, want ${want}`);
    else assert.deepEqual(got, want, `${name}(${args.map(String).join(', ')})`);
  }
});

test('arithmetic result types', () => {
  assert.equal(typeOf('+', [T.decimal(10, 2), T.decimal(5, 3)]), 'DECIMAL(12, 3)');
  assert.equal(typeOf('/', [I, I]), 'INT NOT NULL');
  assert.equal(typeOf('+', [T.int(), I]), 'INT');
  assert.equal(typeOf('ROUND', [T.decimal(6, 3, false), I], [null, 2]), 'DECIMAL(6, 2) NOT NULL');
  assert.equal(typeOf('ROUND', [T.decimal(6, 3)]), 'DECIMAL(4, 0)');
  assert.equal(typeOf('FLOOR', [T.decimal(6, 3, false)]), 'DECIMAL(4, 0) NOT NULL');
  assert.equal(typeOf('ROUND', [T.decimal(6, 3), I], [null, -1]), 'DECIMAL(4, 0)');
  assert.equal(typeOf('SQRT', [I]), 'DOUBLE NOT NULL');
  assert.equal(typeOf('+', [T.timestamp(3), T.intervalDT()]), 'TIMESTAMP(3)');
  assert.equal(typeOf('-', [T.date(false), T.intervalYM(false)]), 'DATE NOT NULL');
  assert.equal(typeOf('+', [T.null(), I]), 'INT NOT NULL');
});

test('division and modulo by zero fail the statement', () => {
  assert.throws(() => call('/', [I, I], [1, 0]), SqlRuntimeError);
  assert.throws(() => call('/', [BI, BI], [1n, 0n]), /Division by zero/);
  assert.throws(() => call('%', [I, I], [1, 0]), SqlRuntimeError);
  assert.throws(() => call('/', [T.decimal(5, 2), T.decimal(5, 2)], [d('1'), d('0')]), SqlRuntimeError);
  assert.ok(Number.isNaN(call('%', [DBL, DBL], [1, 0]) as number));
});

test('NULL propagates through arithmetic', () => {
  assert.equal(call('+', [T.int(), T.int()], [null, 1]), null);
  assert.equal(call('ABS', [T.int()], [null]), null);
  assert.equal(call('POWER', [T.double(), T.int()], [2, null]), null);
});

test('temporal arithmetic', () => {
  const ts = Date.UTC(2024, 0, 31, 10);
  assert.equal(call('+', [T.timestamp(3), T.intervalDT()], [ts, 3_600_000]), ts + 3_600_000);
  assert.equal(call('+', [T.timestamp(3), T.intervalYM()], [ts, 1]), Date.UTC(2024, 1, 29, 10));
  assert.equal(call('-', [T.timestamp(3), T.intervalYM()], [ts, 12]), Date.UTC(2023, 0, 31, 10));
  assert.equal(call('+', [T.intervalDT(), T.timestamp(3)], [1000, ts]), ts + 1000);
  assert.equal(call('+', [T.date(), T.intervalDT()], [19753, 2 * 86_400_000]), 19755);
  assert.equal(call('+', [T.date(), T.intervalYM()], [19753, 1]), 19782);
  assert.equal(call('+', [T.time(), T.intervalDT()], [86_000_000, 1_000_000]), 600_000);
  assert.equal(call('+', [T.intervalDT(), T.intervalDT()], [1, 2]), 3);
  assert.equal(call('*', [T.intervalDT(), T.int()], [1000, 3]), 3000);
});

test('RAND with a seed repeats java.util.Random', () => {
  const r1 = prepareCall('RAND', [T.int()]);
  const r2 = prepareCall('RAND', [T.int()]);
  const a = [r1.eval([42], ctx), r1.eval([42], ctx)];
  const b = [r2.eval([42], ctx), r2.eval([42], ctx)];
  assert.deepEqual(a, b);
  assert.notEqual(a[0], a[1]);
  // new Random(42).nextDouble() in Java
  assert.equal(a[0], 0.7275636800328681);
  const ri = prepareCall('RAND_INTEGER', [T.int(), T.int()]);
  // new Random(42).nextInt(10) in Java
  assert.equal(ri.eval([42, 10], ctx), 0);
  const unseeded = prepareCall('RAND', []).eval([], { ...ctx, random: () => 0.25 });
  assert.equal(unseeded, 0.25);
  assert.equal(lookupScalar('rand')?.deterministic, false);
});

test('comparison table with widening', () => {
  const cases: Array<[string, SqlType[], unknown[], unknown]> = [
    ['=', [I, I], [1, 1], true],
    ['<>', [I, I], [1, 1], false],
    ['!=', [I, I], [1, 2], true],
    ['<', [I, BI], [1, 2n], true],
    ['=', [I, T.decimal(5, 2)], [1, d('1.00')], true],
    ['>', [T.decimal(5, 2), DBL], [d('1.5'), 1.25], true],
    ['=', [BI, DBL], [3n, 3.0], true],
    ['<', [T.string(), T.string()], ['abc', 'abd'], true],
    ['>=', [T.string(), T.string()], ['b', 'abc'], true],
    ['=', [T.char(3), T.varchar(3)], ['abc', 'abc'], true],
    ['<', [T.date(), T.timestamp(3)], [1, 86_400_001], true],
    ['=', [T.date(), T.timestamp(3)], [1, 86_400_000], true],
    ['<=', [T.timestamp(3), T.timestamp(3)], [5, 5], true],
    ['=', [T.boolean(), T.boolean()], [true, false], false],
    ['<', [T.boolean(), T.boolean()], [false, true], true],
    [
      '=',
      [T.array(T.int()), T.array(T.int())],
      [
        [1, 2],
        [1, 2],
      ],
      true,
    ],
    ['=', [I, I], [null, 1], null],
    ['<', [T.string(), T.string()], ['a', null], null],
  ];
  for (const [name, types, args, want] of cases)
    assert.equal(call(name, types, args), want, `${String(args[0])} ${name} ${String(args[1])}`);
  assert.equal(call('=', [T.timestamp(3), T.timestampLtz(3)], [Date.UTC(2024, 0, 1, 8), Date.UTC(2024, 0, 1)]), false);
  assert.equal(
    prepareCall('=', [T.timestamp(3), T.timestampLtz(3)]).eval([Date.UTC(2024, 0, 1, 8), Date.UTC(2024, 0, 1)], {
      ...ctx,
      timeZone: 'Asia/Shanghai',
    }),
    true,
  );
});

test('comparison type errors', () => {
  assert.throws(() => prepareCall('=', [T.string(), T.int()]), SqlTypeError);
  assert.throws(() => prepareCall('<', [T.map(T.int(), T.int()), T.map(T.int(), T.int())]), SqlTypeError);
  assert.throws(
    () => prepareCall('<', [T.boolean(), T.int()]),
    /Cannot apply '<' to arguments of type <\(<BOOLEAN>, <INT>\)|Cannot apply '<'/,
  );
});

test('three-valued logic', () => {
  const B = T.boolean();
  const vals = [true, false, null];
  const and = [
    [true, false, null],
    [false, false, false],
    [null, false, null],
  ];
  const or = [
    [true, true, true],
    [true, false, null],
    [true, null, null],
  ];
  vals.forEach((a, i) => {
    vals.forEach((b, j) => {
      assert.equal(call('AND', [B, B], [a, b]), and[i]![j], `${a} AND ${b}`);
      assert.equal(call('OR', [B, B], [a, b]), or[i]![j], `${a} OR ${b}`);
    });
  });
  assert.equal(call('NOT', [B], [null]), null);
  assert.equal(call('NOT', [B], [true]), false);
  assert.equal(call('AND', [B, B, B], [true, null, false]), false);
  const isCases: Array<[string, unknown, boolean]> = [
    ['IS NULL', null, true],
    ['IS NOT NULL', null, false],
    ['IS TRUE', null, false],
    ['IS NOT TRUE', null, true],
    ['IS FALSE', false, true],
    ['IS NOT FALSE', null, true],
    ['IS UNKNOWN', null, true],
    ['IS NOT UNKNOWN', true, true],
  ];
  for (const [name, v, want] of isCases) assert.equal(call(name, [B], [v]), want, `${v} ${name}`);
  assert.equal(formatType(prepareCall('IS NULL', [T.int()]).type), 'BOOLEAN NOT NULL');
});

test('IS [NOT] DISTINCT FROM, BETWEEN, IN', () => {
  assert.equal(call('IS DISTINCT FROM', [T.int(), T.int()], [null, null]), false);
  assert.equal(call('IS DISTINCT FROM', [T.int(), T.int()], [1, null]), true);
  assert.equal(call('IS NOT DISTINCT FROM', [T.int(), T.bigint()], [1, 1n]), true);
  assert.equal(call('BETWEEN', [I, I, I], [2, 1, 3]), true);
  assert.equal(call('BETWEEN', [I, I, I], [2, 3, 1]), false);
  assert.equal(call('BETWEEN SYMMETRIC', [I, I, I], [2, 3, 1]), true);
  assert.equal(call('NOT BETWEEN', [I, I, I], [5, 1, 3]), true);
  assert.equal(call('BETWEEN', [T.int(), T.int(), T.int()], [5, null, 3]), false);
  assert.equal(call('BETWEEN', [T.int(), T.int(), T.int()], [2, null, 3]), null);
  assert.equal(call('BETWEEN', [T.string(), T.string(), T.string()], ['b', 'a', 'c']), true);
  assert.equal(call('IN', [I, I, I], [2, 1, 2]), true);
  assert.equal(call('IN', [I, I, T.int()], [3, 1, null]), null);
  assert.equal(call('IN', [I, I, T.int()], [1, 1, null]), true);
  assert.equal(call('NOT IN', [I, I, I], [3, 1, 2]), true);
  assert.equal(call('NOT IN', [I, I, T.int()], [3, 1, null]), null);
  assert.equal(call('IN', [T.int(), I], [null, 1]), null);
  assert.equal(call('IN', [T.decimal(3, 1), I, BI], [d('2.0'), 1, 2n]), true);
  assert.equal(call('IN', [T.string(), T.string(), T.string()], ['b', 'a', 'b']), true);
});

test('infer errors name the function and its forms', () => {
  assert.throws(
    () => prepareCall('SUBSTRING', [T.int(false), T.int(false)]),
    (e: Error) =>
      e instanceof SqlTypeError &&
      e.message ===
        "Cannot apply 'SUBSTRING' to arguments of type SUBSTRING(<INT>, <INT>). Supported form(s): SUBSTRING(<STRING>, <INTEGER>[, <INTEGER>])",
  );
  assert.throws(
    () => prepareCall('+', [T.string(), T.int()]),
    /Cannot apply '\+' to arguments of type \+\(<STRING>, <INT>\)/,
  );
  assert.throws(
    () => prepareCall('NO_SUCH_FN', [T.int()]),
    /No match found for function signature NO_SUCH_FN\(<INT>\)/,
  );
  assert.throws(() => prepareCall('ABS', [T.string()]), SqlTypeError);
  assert.throws(() => prepareCall('MOD', [T.string(), T.int()]), SqlTypeError);
  assert.throws(() => prepareCall('AND', [T.int(), T.boolean()]), SqlTypeError);
});
