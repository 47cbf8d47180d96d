// SQL types: printed names, common types, Flink's decimal result types, values, keys, ordering, printing, JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgType,
  canCast,
  compareValues,
  Decimal,
  decimalAdd,
  decimalDiv,
  decimalMod,
  decimalMul,
  formatType,
  formatValue,
  fromJson,
  javaDoubleString,
  javaFloatString,
  leastRestrictive,
  numericResultType,
  parseJsonText,
  type SqlType,
  sumType,
  T,
  toJson,
  toJsonText,
  toPrecision,
  typeEquals,
  valueKey,
  valuesEqual,
  withNullable,
} from '../../src/sql/types/index.ts';

const d = (s: string): Decimal => Decimal.parse(s)!;

test('formatType prints Flink names', () => {
  const cases: Array<[SqlType, string]> = [
    [T.int(false), 'INT NOT NULL'],
    [T.int(), 'INT'],
    [T.decimal(10, 2), 'DECIMAL(10, 2)'],
    [T.string(), 'STRING'],
    [T.varchar(5), 'VARCHAR(5)'],
    [T.char(3, false), 'CHAR(3) NOT NULL'],
    [T.bytes(), 'BYTES'],
    [T.timestamp(3), 'TIMESTAMP(3)'],
    [T.timestampLtz(3), 'TIMESTAMP_LTZ(3)'],
    [T.time(0), 'TIME(0)'],
    [T.array(T.int()), 'ARRAY<INT>'],
    [T.map(T.string(), T.int()), 'MAP<STRING, INT>'],
    [T.row({ a: T.int(), b: T.string() }), 'ROW<`a` INT, `b` STRING>'],
    [T.multiset(T.string(false)), 'MULTISET<STRING NOT NULL>'],
    [T.intervalDT(), 'INTERVAL DAY TO SECOND(3)'],
  ];
  for (const [t, s] of cases) assert.equal(formatType(t), s);
});

test('typeEquals and withNullable', () => {
  assert.ok(typeEquals(T.decimal(10, 2), T.decimal(10, 2)));
  assert.ok(!typeEquals(T.decimal(10, 2), T.decimal(10, 3)));
  assert.ok(!typeEquals(T.int(), T.int(false)));
  assert.ok(typeEquals(T.int(), T.int(false), true));
  assert.equal(withNullable(T.int(), false).nullable, false);
  assert.ok(typeEquals(T.row({ a: T.array(T.int()) }), T.row({ a: T.array(T.int()) })));
});

test('decimal result types follow Flink LogicalTypeMerging', () => {
  const cases: Array<['+' | '-' | '*' | '/' | '%', SqlType, SqlType, string]> = [
    ['+', T.decimal(10, 2), T.decimal(5, 3), 'DECIMAL(12, 3)'],
    ['-', T.decimal(10, 1), T.decimal(10, 1), 'DECIMAL(11, 1)'],
    ['*', T.decimal(10, 2), T.decimal(5, 3), 'DECIMAL(16, 5)'],
    ['/', T.decimal(10, 2), T.decimal(5, 3), 'DECIMAL(19, 8)'],
    ['/', T.decimal(38, 10), T.decimal(38, 10), 'DECIMAL(38, 6)'],
    ['*', T.decimal(38, 10), T.decimal(38, 10), 'DECIMAL(38, 6)'],
    ['%', T.decimal(10, 2), T.decimal(5, 3), 'DECIMAL(5, 3)'],
    ['+', T.decimal(10, 2), T.int(), 'DECIMAL(13, 2)'],
    ['*', T.int(), T.decimal(5, 2), 'DECIMAL(16, 2)'],
    ['+', T.int(), T.int(), 'INT'],
    ['+', T.tinyint(), T.smallint(), 'SMALLINT'],
    ['/', T.int(), T.int(), 'INT'],
    ['+', T.int(), T.bigint(), 'BIGINT'],
    ['+', T.decimal(10, 2), T.double(), 'DOUBLE'],
    ['*', T.float(), T.int(), 'FLOAT'],
    ['%', T.bigint(), T.int(), 'INT'],
  ];
  for (const [op, a, b, want] of cases)
    assert.equal(formatType(numericResultType(op, a, b)!), want, `${formatType(a)} ${op} ${formatType(b)}`);
  assert.equal(numericResultType('+', T.string(), T.int()), undefined);
  assert.equal(formatType(sumType(T.decimal(10, 2))), 'DECIMAL(38, 2)');
  assert.equal(formatType(sumType(T.int(false))), 'INT');
  assert.equal(formatType(avgType(T.decimal(10, 2))), 'DECIMAL(38, 6)');
  assert.equal(formatType(avgType(T.decimal(20, 8))), 'DECIMAL(38, 8)');
  assert.equal(formatType(avgType(T.int())), 'INT');
});

test('leastRestrictive finds the common type', () => {
  const lr = (...ts: SqlType[]) => {
    const t = leastRestrictive(ts);
    return t && formatType(t);
  };
  assert.equal(lr(T.int(false), T.bigint(false)), 'BIGINT NOT NULL');
  assert.equal(lr(T.int(false), T.null()), 'INT');
  assert.equal(lr(T.int(), T.decimal(10, 2)), 'DECIMAL(12, 2)');
  assert.equal(lr(T.decimal(5, 1), T.decimal(10, 4)), 'DECIMAL(10, 4)');
  assert.equal(lr(T.decimal(9, 1), T.decimal(6, 4)), 'DECIMAL(12, 4)');
  assert.equal(lr(T.int(), T.double()), 'DOUBLE');
  assert.equal(lr(T.char(3), T.char(5)), 'CHAR(5)');
  assert.equal(lr(T.char(3), T.varchar(2)), 'VARCHAR(3)');
  assert.equal(lr(T.date(), T.timestamp(3)), 'TIMESTAMP(3)');
  assert.equal(lr(T.timestamp(3), T.timestampLtz(6)), 'TIMESTAMP_LTZ(6)');
  assert.equal(lr(T.array(T.int()), T.array(T.bigint())), 'ARRAY<BIGINT>');
  assert.equal(lr(T.string(), T.int()), undefined);
  assert.equal(lr(T.boolean(), T.int()), undefined);
});

test('canCast follows the Flink cast matrix', () => {
  assert.ok(canCast(T.int(), T.string()));
  assert.ok(canCast(T.string(), T.decimal(10, 2)));
  assert.ok(canCast(T.string(), T.timestamp(3)));
  assert.ok(canCast(T.bigint(), T.timestampLtz(3)));
  assert.ok(canCast(T.timestamp(3), T.timestampLtz(3)));
  assert.ok(canCast(T.array(T.int()), T.array(T.string())));
  assert.ok(canCast(T.boolean(), T.int()));
  assert.ok(!canCast(T.int(), T.timestamp(3)));
  assert.ok(!canCast(T.date(), T.time()));
  assert.ok(!canCast(T.string(), T.array(T.int())));
  assert.ok(!canCast(T.int(), T.bytes()));
});

test('Decimal parses, rounds HALF_UP and computes exactly', () => {
  assert.equal(decimalAdd(d('0.1'), d('0.2')).toString(), '0.3');
  assert.equal(decimalAdd(d('1.25'), d('-0.5')).toString(), '0.75');
  assert.equal(decimalMul(d('1.5'), d('-2.25')).toString(), '-3.375');
  assert.equal(decimalDiv(d('1'), d('3'), 6)!.toString(), '0.333333');
  assert.equal(decimalDiv(d('2'), d('3'), 6)!.toString(), '0.666667');
  assert.equal(decimalDiv(d('-2'), d('3'), 2)!.toString(), '-0.67');
  assert.equal(decimalDiv(d('1'), d('0'), 2), undefined);
  assert.equal(decimalMod(d('-7.5'), d('2'))!.toString(), '-1.5');
  assert.equal(d('2.5').setScale(0).toString(), '3');
  assert.equal(d('-2.5').setScale(0).toString(), '-3');
  assert.equal(d('2.45').setScale(1).toString(), '2.5');
  assert.equal(d('1e3').toString(), '1000');
  assert.equal(d('-.05').toString(), '-0.05');
  assert.equal(d('12').setScale(2).toString(), '12.00');
  assert.equal(Decimal.parse('abc'), undefined);
  assert.equal(Decimal.fromNumber(0.1)!.toString(), '0.1');
  assert.equal(toPrecision(d('123.456'), 5, 2)!.toString(), '123.46');
  assert.equal(toPrecision(d('1234.5'), 5, 2), null, 'overflow → null');
  assert.equal(d('99.99').precision(), 4);
  assert.ok(d('1.50').equals(d('1.5')));
});

test('valueKey groups equal SQL values', () => {
  assert.equal(valueKey(d('1.50')), valueKey(d('1.5')));
  assert.equal(valueKey(0), valueKey(-0));
  assert.notEqual(valueKey(1), valueKey('1'));
  assert.notEqual(valueKey('a'), valueKey(['a']));
  assert.equal(valueKey([1, null, 'x']), valueKey([1, null, 'x']));
  assert.notEqual(valueKey(['a,b']), valueKey(['a', 'b']));
  assert.equal(
    valueKey(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    ),
    valueKey(
      new Map([
        ['b', 2],
        ['a', 1],
      ]),
    ),
  );
  assert.equal(valueKey(new Uint8Array([1, 2])), valueKey(new Uint8Array([1, 2])));
  assert.equal(valueKey(null), 'N');
});

test('compareValues orders numbers, strings, bytes, booleans and arrays', () => {
  assert.equal(compareValues(1, 2), -1);
  assert.equal(compareValues(2n, 1), 1);
  assert.equal(compareValues(d('1.5'), 1), 1);
  assert.equal(compareValues(d('1.50'), d('1.5')), 0);
  assert.equal(compareValues('a', 'b'), -1);
  assert.equal(compareValues('abc', 'ab'), 1);
  assert.equal(compareValues('\u{1F600}', '\uFFFD'), 1, 'code point order');
  assert.equal(compareValues(false, true), -1);
  assert.equal(compareValues(new Uint8Array([1, 255]), new Uint8Array([2])), -1);
  assert.equal(compareValues([1, 2], [1, 3]), -1);
  assert.equal(compareValues([1, null], [1, 0]), -1);
  assert.ok(valuesEqual(1, 1n));
  assert.ok(valuesEqual(d('2.0'), 2));
  assert.ok(!valuesEqual(Number.NaN, Number.NaN));
  assert.ok(valuesEqual([1, 'a'], [1, 'a']));
});

test('formatValue prints as the Flink SQL client (tableau)', () => {
  const cases: Array<[unknown, SqlType, string]> = [
    [null, T.int(), '<NULL>'],
    [true, T.boolean(), 'TRUE'],
    [42, T.int(), '42'],
    [42n, T.bigint(), '42'],
    [d('1.50'), T.decimal(10, 2), '1.50'],
    [1.0, T.double(), '1.0'],
    [1e10, T.double(), '1.0E10'],
    [1.5e-5, T.double(), '1.5E-5'],
    [0.001, T.double(), '0.001'],
    [Math.fround(0.1), T.float(), '0.1'],
    [Date.UTC(2015, 6, 15), T.timestamp(3), '2015-07-15 00:00:00.000'],
    [Date.UTC(2015, 6, 15, 1, 2, 3, 45), T.timestamp(0), '2015-07-15 01:02:03'],
    [Date.UTC(2015, 6, 15, 1, 2, 3) + 0.123, T.timestamp(6), '2015-07-15 01:02:03.000123'],
    [16631, T.date(), '2015-07-15'],
    [3_723_000, T.time(0), '01:02:03'],
    [['a', null], T.array(T.string()), '[a, NULL]'],
    [new Map([['k', 1]]), T.map(T.string(), T.int()), '{k=1}'],
    [[1, 'x'], T.row({ a: T.int(), b: T.string() }), '(1, x)'],
    [new Uint8Array([1, 171]), T.bytes(), "x'01ab'"],
    [14, T.intervalYM(), '+1-02'],
    [-(86_400_000 + 3_723_004), T.intervalDT(), '-1 01:02:03.004'],
  ];
  for (const [v, t, s] of cases) assert.equal(formatValue(v, t), s, formatType(t));
  assert.equal(formatValue(0, T.timestampLtz(0), 'Asia/Shanghai'), '1970-01-01 08:00:00');
});

test('Java number printing', () => {
  assert.equal(javaDoubleString(100), '100.0');
  assert.equal(javaDoubleString(1234567.5), '1234567.5');
  assert.equal(javaDoubleString(12345678), '1.2345678E7');
  assert.equal(javaDoubleString(-0), '-0.0');
  assert.equal(javaDoubleString(Number.NaN), 'NaN');
  assert.equal(javaDoubleString(Number.NEGATIVE_INFINITY), '-Infinity');
  assert.equal(javaFloatString(Math.fround(3.3)), '3.3');
});

test('JSON conversion as Flink json format', () => {
  const row = T.row({
    id: T.bigint(),
    price: T.decimal(10, 2),
    ts: T.timestamp(3),
    ltz: T.timestampLtz(3),
    d: T.date(),
    tags: T.array(T.string()),
    m: T.map(T.string(), T.int()),
    b: T.bytes(),
    nested: T.row({ x: T.int() }),
  });
  const value = [
    9007199254740993n,
    d('12.50'),
    Date.UTC(2020, 0, 31, 10, 20, 30, 500),
    Date.UTC(2020, 0, 31, 10, 20, 30),
    18292,
    ['a', null],
    new Map([['k', 1]]),
    new Uint8Array([104, 105]),
    [7],
  ];
  const text = toJsonText(value, row);
  assert.equal(
    text,
    '{"id":9007199254740993,"price":12.50,"ts":"2020-01-31 10:20:30.5","ltz":"2020-01-31 10:20:30Z","d":"2020-01-31","tags":["a",null],"m":{"k":1},"b":"aGk=","nested":{"x":7}}',
  );
  const back = parseJsonText(text, row) as unknown[];
  assert.equal(back[0], 9007199254740993n);
  assert.equal((back[1] as Decimal).toString(), '12.50');
  assert.deepEqual(back.slice(2, 6), value.slice(2, 6));
  assert.deepEqual(back[6], value[6]);
  assert.deepEqual(back[7], value[7]);
  assert.deepEqual(back[8], [7]);
  assert.deepEqual(toJson([1n, d('0.5')], T.row({ a: T.bigint(), b: T.decimal(3, 1) })), { a: 1, b: 0.5 });
  assert.equal(fromJson('42', T.int()), 42, 'numeric strings are accepted');
  assert.equal(fromJson({ a: 1 }, T.string()), '{"a":1}');
  assert.deepEqual(fromJson({ a: 1 }, T.row({ a: T.int(), missing: T.string() })), [1, null]);
  assert.throws(() => fromJson('x', T.int()), /Failed to deserialize JSON/);
  assert.throws(() => parseJsonText('{', T.int()), /Invalid JSON/);
});
