// CAST / TRY_CAST between types with Flink 1.19 rules, including failures and time zones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  castValue,
  compileCast,
  Decimal,
  formatType,
  localToInstant,
  parseDate,
  parseTime,
  parseTimestamp,
  SqlRuntimeError,
  type SqlType,
  SqlTypeError,
  T,
  tryCastValue,
} from '../../src/sql/types/index.ts';

const d = (s: string): Decimal => Decimal.parse(s)!;
const norm = (v: unknown): unknown =>
  v instanceof Decimal ? `D${v.toString()}` : v instanceof Uint8Array ? [...v] : Array.isArray(v) ? v.map(norm) : v;

test('CAST table', () => {
  const ts = Date.UTC(2020, 0, 31, 10, 20, 30, 123);
  const cases: Array<[unknown, SqlType, SqlType, unknown]> = [
    // string → numbers (trimmed; integral targets drop a fraction)
    [' 42 ', T.string(), T.int(), 42],
    ['-7', T.string(), T.tinyint(), -7],
    ['1.9', T.string(), T.int(), 1],
    ['9223372036854775807', T.string(), T.bigint(), 9223372036854775807n],
    [' 1.5e2 ', T.string(), T.double(), 150],
    ['NaN', T.string(), T.double(), Number.NaN],
    ['3.14159', T.string(), T.decimal(5, 2), 'D3.14'],
    ['2.345', T.string(), T.decimal(4, 2), 'D2.35'],
    ['12345.6', T.string(), T.decimal(5, 2), null],
    // string → boolean
    ['true', T.string(), T.boolean(), true],
    [' FALSE ', T.string(), T.boolean(), false],
    ['1', T.string(), T.boolean(), true],
    ['no', T.string(), T.boolean(), false],
    // numbers
    [128, T.int(), T.tinyint(), -128],
    [70000, T.int(), T.smallint(), 4464],
    [2147483648n, T.bigint(), T.int(), -2147483648],
    [3.99, T.double(), T.int(), 3],
    [-3.99, T.double(), T.bigint(), -3n],
    [1e20, T.double(), T.int(), 2147483647],
    [Number.NaN, T.double(), T.int(), 0],
    [d('12.99'), T.decimal(4, 2), T.int(), 12],
    [d('-12.99'), T.decimal(4, 2), T.bigint(), -12n],
    [12, T.int(), T.decimal(4, 2), 'D12.00'],
    [123, T.int(), T.decimal(4, 2), null],
    [0.1, T.double(), T.decimal(10, 5), 'D0.10000'],
    [d('1.005'), T.decimal(4, 3), T.decimal(3, 2), 'D1.01'],
    [d('1.5'), T.decimal(2, 1), T.double(), 1.5],
    [1, T.int(), T.boolean(), true],
    [0, T.int(), T.boolean(), false],
    [true, T.boolean(), T.int(), 1],
    [true, T.boolean(), T.decimal(3, 1), 'D1.0'],
    [0.1, T.double(), T.float(), Math.fround(0.1)],
    // anything → string
    [true, T.boolean(), T.string(), 'TRUE'],
    [1.0, T.double(), T.string(), '1.0'],
    [d('1.50'), T.decimal(3, 2), T.string(), '1.50'],
    [ts, T.timestamp(3), T.string(), '2020-01-31 10:20:30.123'],
    [ts, T.timestamp(0), T.string(), '2020-01-31 10:20:30'],
    [18292, T.date(), T.string(), '2020-01-31'],
    [[1, 2], T.array(T.int()), T.string(), '[1, 2]'],
    ['abcdef', T.string(), T.varchar(3), 'abc'],
    ['ab', T.string(), T.char(4), 'ab  '],
    [new Uint8Array([104, 105]), T.bytes(), T.string(), 'hi'],
    ['hi', T.string(), T.bytes(), [104, 105]],
    ['hi', T.string(), T.binary(3), [104, 105, 0]],
    // temporal
    ['2020-01-31', T.string(), T.date(), 18292],
    ['2020-01-31 10:20:30', T.string(), T.date(), 18292],
    ['10:20:30', T.string(), T.time(0), 37_230_000],
    ['2020-01-31 10:20:30.123', T.string(), T.timestamp(3), ts],
    ['2020-01-31T10:20:30.123456', T.string(), T.timestamp(6), ts + 0.456],
    ['2020-01-31 10:20:30.123456', T.string(), T.timestamp(3), ts],
    ['2020-01-31', T.string(), T.timestamp(3), Date.UTC(2020, 0, 31)],
    [ts, T.timestamp(3), T.date(), 18292],
    [ts, T.timestamp(3), T.time(0), 37_230_000],
    [ts, T.timestamp(3), T.timestamp(0), ts - 123],
    [18292, T.date(), T.timestamp(3), Date.UTC(2020, 0, 31)],
    [1_580_466_030n, T.bigint(), T.timestampLtz(3), 1_580_466_030_000],
    [1_580_466_030_123, T.timestampLtz(3), T.bigint(), 1_580_466_030n],
    // constructed
    [['1', '2'], T.array(T.string()), T.array(T.int()), [1, 2]],
    [[1, 'x'], T.row({ a: T.int(), b: T.string() }), T.row({ a: T.bigint(), b: T.string() }), [1n, 'x']],
    [null, T.int(), T.string(), null],
  ];
  for (const [v, from, to, want] of cases) {
    const got = norm(castValue(v, from, to));
    assert.deepEqual(got, want, `CAST(${String(v)} : ${formatType(from)} AS ${formatType(to)})`);
  }
  const m = castValue(new Map([['a', '1']]), T.map(T.string(), T.string()), T.map(T.string(), T.int())) as Map<
    unknown,
    unknown
  >;
  assert.equal(m.get('a'), 1);
});

test('CAST failures throw SqlRuntimeError; TRY_CAST gives NULL', () => {
  const bad: Array<[unknown, SqlType, SqlType]> = [
    ['abc', T.string(), T.int()],
    ['', T.string(), T.int()],
    ['2147483648', T.string(), T.int()],
    ['1x', T.string(), T.double()],
    ['maybe', T.string(), T.boolean()],
    ['2020-02-30', T.string(), T.date()],
    ['25:00:00', T.string(), T.time()],
    ['x', T.string(), T.decimal(5, 2)],
    ['2020-01-01 10:00:00 junk', T.string(), T.timestamp(3)],
  ];
  for (const [v, from, to] of bad) {
    assert.throws(() => castValue(v, from, to), SqlRuntimeError, `CAST('${v}' AS ${formatType(to)})`);
    assert.equal(tryCastValue(v, from, to), null);
  }
  assert.throws(() => castValue('x', T.string(), T.int()), /Cannot cast 'x' to INT/);
  assert.throws(() => compileCast(T.int(), T.timestamp(3)), SqlTypeError);
  assert.throws(() => castValue(1, T.int(), T.array(T.int())), SqlTypeError);
  const tryInt = compileCast(T.string(), T.int(), { try: true });
  assert.equal(tryInt('12'), 12);
  assert.equal(tryInt('zz'), null);
});

test('TIMESTAMP ↔ TIMESTAMP_LTZ use the session time zone', () => {
  const wall = Date.UTC(2024, 6, 1, 12, 0, 0);
  const shanghai = { timeZone: 'Asia/Shanghai' };
  assert.equal(castValue(wall, T.timestamp(3), T.timestampLtz(3), shanghai), wall - 8 * 3_600_000);
  assert.equal(castValue(wall - 8 * 3_600_000, T.timestampLtz(3), T.timestamp(3), shanghai), wall);
  assert.equal(
    castValue(0, T.timestampLtz(3), T.string(), { timeZone: 'America/New_York' }),
    '1969-12-31 19:00:00.000',
  );
  assert.equal(
    castValue('2024-07-01 12:00:00', T.string(), T.timestampLtz(3), { timeZone: 'Europe/Berlin' }),
    wall - 2 * 3_600_000,
  );
  assert.equal(
    castValue('2024-01-01 12:00:00', T.string(), T.timestampLtz(3), { timeZone: 'Europe/Berlin' }),
    Date.UTC(2024, 0, 1, 11),
  );
  assert.equal(castValue(0, T.timestampLtz(3), T.date(), { timeZone: 'America/Los_Angeles' }), -1);
  assert.equal(castValue(wall, T.timestamp(3), T.timestampLtz(3), { timeZone: '+05:30' }), wall - 5.5 * 3_600_000);
  assert.throws(
    () => castValue(wall, T.timestamp(3), T.timestampLtz(3), { timeZone: 'Mars/Olympus' }),
    /Invalid time zone/,
  );
});

test('DST transitions resolve as java.time', () => {
  // 2024-03-31 02:30 does not exist in Berlin (gap): shifted forward to 03:30 CEST = 01:30 UTC
  const gap = parseTimestamp('2024-03-31 02:30:00')!;
  assert.equal(localToInstant(gap, 'Europe/Berlin'), Date.UTC(2024, 2, 31, 1, 30));
  // 2024-10-27 02:30 happens twice: the earlier offset (+02:00) wins
  const overlap = parseTimestamp('2024-10-27 02:30:00')!;
  assert.equal(localToInstant(overlap, 'Europe/Berlin'), Date.UTC(2024, 9, 27, 0, 30));
});

test('literal parsing', () => {
  assert.equal(parseDate('2020-1-5'), 18266);
  assert.equal(parseDate('1969-12-31'), -1);
  assert.equal(parseDate('2020-13-01'), undefined);
  assert.equal(parseDate('2024-02-29'), 19782);
  assert.equal(parseTime('23:59:59.999'), 86_399_999);
  assert.equal(parseTimestamp('1970-01-01 00:00:00.000001'), 0.001);
  assert.equal(parseTimestamp('0001-01-01 00:00:00'), new Date('0001-01-01T00:00:00Z').getTime());
});
