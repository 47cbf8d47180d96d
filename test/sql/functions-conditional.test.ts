// Conditional and collection functions, CAST as a function, registry listing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  caseResultType,
  castFunction,
  type EvalContext,
  listFunctions,
  lookupScalar,
  prepareCall,
  valueConverter,
} from '../../src/sql/functions/index.ts';
import { Decimal, formatType, SqlRuntimeError, type SqlType, SqlTypeError, T } from '../../src/sql/types/index.ts';

const ctx: EvalContext = { timeZone: 'UTC', now: () => 0 };
const d = (s: string): Decimal => Decimal.parse(s)!;
const show = (v: unknown): unknown => (v instanceof Decimal ? `D${v.toString()}` : v);
const I = T.int();
const S = T.string();

function call(name: string, types: SqlType[], args: unknown[]): unknown {
  return show(prepareCall(name, types).eval(args, ctx));
}

test('COALESCE, IFNULL, NULLIF, IF, GREATEST, LEAST', () => {
  assert.equal(call('COALESCE', [I, I, I], [null, 2, 3]), 2);
  assert.equal(call('COALESCE', [I, I], [null, null]), null);
  assert.equal(call('COALESCE', [I, T.bigint()], [1, 2n]), 1n, 'converted to the common type');
  assert.equal(call('COALESCE', [T.decimal(5, 1), T.decimal(5, 3)], [d('1.5'), null]), 'D1.500');
  assert.equal(formatType(prepareCall('COALESCE', [T.int(), T.int(false)]).type), 'INT NOT NULL');
  assert.equal(call('IFNULL', [I, I], [null, 5]), 5);
  assert.equal(call('IFNULL', [I, I], [4, 5]), 4);
  assert.equal(call('NULLIF', [I, I], [5, 5]), null);
  assert.equal(call('NULLIF', [I, I], [5, 6]), 5);
  assert.equal(call('NULLIF', [I, I], [null, 6]), null);
  assert.equal(call('IF', [T.boolean(), S, S], [true, 'a', 'b']), 'a');
  assert.equal(call('IF', [T.boolean(), S, S], [null, 'a', 'b']), 'b');
  assert.equal(call('IF', [T.boolean(), I, T.double()], [true, 1, 2.5]), 1);
  assert.equal(formatType(prepareCall('IF', [T.boolean(), I, T.double()]).type), 'DOUBLE');
  assert.equal(call('GREATEST', [I, I, I], [1, 3, 2]), 3);
  assert.equal(call('LEAST', [I, T.bigint()], [1, 0n]), 0n);
  assert.equal(call('GREATEST', [S, S], ['a', 'b']), 'b');
  assert.equal(call('GREATEST', [I, I], [1, null]), null);
  assert.throws(() => prepareCall('COALESCE', [I, S]), /Illegal mixing of types in COALESCE/);
  assert.throws(() => prepareCall('IF', [I, I, I]), SqlTypeError);
});

test('CASE helpers', () => {
  assert.equal(formatType(caseResultType([T.int(false), T.decimal(10, 2, false), T.null()])), 'DECIMAL(12, 2)');
  assert.throws(() => caseResultType([T.int(), T.boolean()]), SqlTypeError);
  const conv = valueConverter(T.int(), T.decimal(12, 2));
  assert.equal(show(conv(7, ctx)), 'D7.00');
  assert.equal(valueConverter(T.date(), T.timestamp(3))(1, ctx), 86_400_000);
  assert.equal(valueConverter(T.int(), T.bigint())(3, ctx), 3n);
  // Flink's CHAR gotcha: CASE WHEN … THEN 'a' ELSE 'abc' END is CHAR(3), so 'a' becomes 'a  '
  const charType = caseResultType([T.char(1, false), T.char(3, false)]);
  assert.equal(formatType(charType), 'CHAR(3) NOT NULL');
  assert.equal(valueConverter(T.char(1), charType)('a', ctx), 'a  ');
});

test('collections', () => {
  const arr = T.array(I);
  const map = T.map(S, I);
  assert.deepEqual(call('ARRAY', [I, T.bigint()], [1, 2n]), [1n, 2n]);
  assert.equal(formatType(prepareCall('ARRAY', [I, T.bigint(false)]).type), 'ARRAY<BIGINT> NOT NULL');
  assert.deepEqual(
    call('MAP', [S, I, S, I], ['a', 1, 'b', 2]),
    new Map([
      ['a', 1],
      ['b', 2],
    ]),
  );
  assert.deepEqual(call('ROW', [I, S], [1, 'x']), [1, 'x']);
  assert.equal(formatType(prepareCall('ROW', [I, S]).type), 'ROW<`EXPR$0` INT, `EXPR$1` STRING> NOT NULL');
  assert.equal(call('ITEM', [arr, I], [[10, 20, 30], 1]), 10);
  assert.equal(call('ITEM', [arr, I], [[10, 20, 30], 3]), 30);
  assert.equal(call('ITEM', [arr, I], [[10, 20, 30], 4]), null);
  assert.equal(call('ITEM', [arr, I], [[10, 20, 30], 0]), null);
  assert.equal(call('ITEM', [map, S], [new Map([['a', 1]]), 'a']), 1);
  assert.equal(call('ITEM', [map, S], [new Map([['a', 1]]), 'z']), null);
  assert.equal(
    call('ITEM', [T.map(T.decimal(3, 1), S), T.decimal(3, 1)], [new Map([[d('1.0'), 'x']]), d('1.00')]),
    'x',
  );
  assert.throws(() => prepareCall('ITEM', [arr, S]), SqlTypeError);
  assert.equal(call('CARDINALITY', [arr], [[1, 2, 3]]), 3);
  assert.equal(call('CARDINALITY', [map], [new Map([['a', 1]])]), 1);
  assert.equal(call('ELEMENT', [arr], [[7]]), 7);
  assert.equal(call('ELEMENT', [arr], [[]]), null);
  assert.throws(() => call('ELEMENT', [arr], [[1, 2]]), SqlRuntimeError);
  assert.equal(call('ARRAY_CONTAINS', [arr, I], [[1, 2], 2]), true);
  assert.equal(call('ARRAY_CONTAINS', [arr, I], [[1, null], null]), true);
  assert.equal(call('ARRAY_CONTAINS', [arr, I], [null, 1]), null);
  assert.deepEqual(call('ARRAY_DISTINCT', [arr], [[1, 2, 1, null, null]]), [1, 2, null]);
  assert.equal(call('ARRAY_POSITION', [arr, I], [[5, 6], 6]), 2);
  assert.deepEqual(call('ARRAY_REMOVE', [arr, I], [[1, 2, 1], 1]), [2]);
  assert.deepEqual(call('ARRAY_REVERSE', [arr], [[1, 2]]), [2, 1]);
  assert.deepEqual(call('ARRAY_CONCAT', [arr, arr], [[1], [2, 3]]), [1, 2, 3]);
  assert.deepEqual(call('ARRAY_APPEND', [arr, I], [[1], 2]), [1, 2]);
  assert.equal(call('ARRAY_JOIN', [T.array(S), S], [['a', null, 'b'], '-']), 'a-b');
  assert.equal(call('ARRAY_JOIN', [T.array(S), S, S], [['a', null, 'b'], '-', '?']), 'a-?-b');
  assert.equal(call('ARRAY_MAX', [arr], [[3, null, 9, 1]]), 9);
  assert.equal(call('ARRAY_MIN', [arr], [[3, null, 9, 1]]), 1);
  assert.deepEqual(
    call(
      'MAP_KEYS',
      [map],
      [
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ],
    ),
    ['a', 'b'],
  );
  assert.deepEqual(
    call(
      'MAP_VALUES',
      [map],
      [
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ],
    ),
    [1, 2],
  );
  assert.deepEqual(call('MAP_ENTRIES', [map], [new Map([['a', 1]])]), [['a', 1]]);
  assert.deepEqual(
    call(
      'MAP_FROM_ARRAYS',
      [T.array(S), arr],
      [
        ['a', 'b'],
        [1, 2],
      ],
    ),
    new Map([
      ['a', 1],
      ['b', 2],
    ]),
  );
  assert.equal(formatType(prepareCall('MAP_KEYS', [T.map(S, I, false)]).type), 'ARRAY<STRING> NOT NULL');
});

test('CAST and TRY_CAST as functions', () => {
  const c = castFunction(T.int());
  assert.deepEqual(c.infer([S]), T.int());
  const bound = c.bind!([S], T.int());
  assert.equal(bound([' 12 '], ctx), 12);
  assert.throws(() => bound(['x'], ctx), SqlRuntimeError);
  const tc = castFunction(T.int(), true);
  assert.equal(tc.infer([T.string(false)]).nullable, true);
  assert.equal(tc.bind!([S], T.int())(['x'], ctx), null);
  assert.throws(
    () => castFunction(T.timestamp(3)).infer([T.int()]),
    /Cast function cannot convert value of type INT to type TIMESTAMP\(3\)/,
  );
  const ltz = castFunction(T.string()).bind!([T.timestampLtz(0)], S);
  assert.equal(ltz([0], { ...ctx, timeZone: 'Asia/Tokyo' }), '1970-01-01 09:00:00');
  assert.equal(castFunction(T.decimal(5, 2)).eval(['1.234'], ctx)?.toString(), '1.23');
});

test('registry lookup and listing', () => {
  assert.equal(lookupScalar('upper'), lookupScalar('UPPER'));
  assert.equal(lookupScalar('CEILING'), lookupScalar('CEIL'));
  const names = listFunctions();
  for (const n of [
    'ABS',
    'COUNT',
    'DATE_FORMAT',
    'JSON_VALUE',
    'LISTAGG',
    'REGEXP_EXTRACT',
    'SPLIT_INDEX',
    'SUM',
    'TIMESTAMPDIFF',
  ])
    assert.ok(names.includes(n), n);
  assert.ok(!names.includes('+'));
  // registered functions propagate NULLs even when called without prepareCall
  assert.equal(lookupScalar('UPPER')!.eval([null], ctx), null);
  assert.equal(lookupScalar('+')!.eval([1, null], ctx), null);
  assert.equal(lookupScalar('COALESCE')!.eval([null, 2], ctx), 2);
  assert.deepEqual(names, [...names].sort());
});
