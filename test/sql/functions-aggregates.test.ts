// Aggregates with add/retract sequences, Flink result types and DISTINCT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AggregateFunction,
  appendOnlyMinMax,
  distinctAggregate,
  lookupAggregate,
  prepareAggregate,
} from '../../src/sql/functions/index.ts';
import { Decimal, formatType, type SqlType, SqlTypeError, T } from '../../src/sql/types/index.ts';

const d = (s: string): Decimal => Decimal.parse(s)!;
const show = (v: unknown): unknown => (v instanceof Decimal ? `D${v.toString()}` : v);

type Step = ['+' | '-', ...unknown[]] | ['=', unknown];

/** Runs a script of adds (+), retracts (-) and result checks (=) against one accumulator. */
function run(name: string, types: SqlType[], steps: Step[], distinct = false): void {
  const { fn } = prepareAggregate(name, types, distinct ? distinctAggregate : undefined);
  const acc = fn.create();
  steps.forEach((s, i) => {
    if (s[0] === '+') fn.add(acc, s.slice(1));
    else if (s[0] === '-') fn.retract!(acc, s.slice(1));
    else assert.deepEqual(show(fn.result(acc)), s[1], `${name} step ${i}`);
  });
}

test('COUNT', () => {
  run('COUNT', [], [['=', 0n], ['+'], ['+'], ['=', 2n], ['-'], ['=', 1n], ['-'], ['=', 0n]]);
  run(
    'COUNT',
    [T.int()],
    [
      ['+', 1],
      ['+', null],
      ['=', 1n],
      ['-', 1],
      ['=', 0n],
    ],
  );
  run(
    'COUNT',
    [T.int(), T.int()],
    [
      ['+', 1, null],
      ['+', 1, 2],
      ['=', 1n],
    ],
  );
  assert.equal(formatType(prepareAggregate('COUNT', [T.string()]).type), 'BIGINT NOT NULL');
});

test('SUM / SUM0 / AVG with retraction', () => {
  run(
    'SUM',
    [T.int()],
    [
      ['=', null],
      ['+', 1],
      ['+', 2],
      ['+', null],
      ['=', 3],
      ['-', 1],
      ['=', 2],
      ['-', 2],
      ['=', null],
    ],
  );
  run(
    'SUM',
    [T.int()],
    [
      ['+', 2147483647],
      ['+', 1],
      ['=', -2147483648],
    ],
  );
  run(
    'SUM',
    [T.bigint()],
    [
      ['+', 5n],
      ['+', 7n],
      ['=', 12n],
    ],
  );
  run(
    'SUM',
    [T.double()],
    [
      ['+', 0.5],
      ['+', 0.25],
      ['=', 0.75],
    ],
  );
  run(
    'SUM',
    [T.decimal(10, 1)],
    [
      ['+', d('0.1')],
      ['+', d('0.2')],
      ['=', 'D0.3'],
      ['-', d('0.1')],
      ['=', 'D0.2'],
      ['-', d('0.2')],
      ['=', null],
    ],
  );
  run(
    'SUM0',
    [T.int()],
    [
      ['=', 0],
      ['+', 4],
      ['=', 4],
      ['-', 4],
      ['=', 0],
    ],
  );
  run('SUM0', [T.decimal(5, 2)], [['=', 'D0.00']]);
  run(
    'AVG',
    [T.int()],
    [
      ['=', null],
      ['+', 1],
      ['+', 2],
      ['=', 1],
      ['+', 4],
      ['=', 2],
      ['-', 4],
      ['-', 2],
      ['=', 1],
      ['-', 1],
      ['=', null],
    ],
  );
  run(
    'AVG',
    [T.int()],
    [
      ['+', -1],
      ['+', -2],
      ['=', -1],
    ],
  );
  run(
    'AVG',
    [T.bigint()],
    [
      ['+', 3n],
      ['+', 4n],
      ['=', 3n],
    ],
  );
  run(
    'AVG',
    [T.double()],
    [
      ['+', 1],
      ['+', 2],
      ['=', 1.5],
    ],
  );
  run(
    'AVG',
    [T.decimal(10, 2)],
    [
      ['+', d('1.00')],
      ['+', d('2.00')],
      ['+', d('2.00')],
      ['=', 'D1.666667'],
    ],
  );
  assert.equal(formatType(prepareAggregate('SUM', [T.decimal(10, 2, false)]).type), 'DECIMAL(38, 2)');
  assert.equal(formatType(prepareAggregate('SUM', [T.int(false)]).type), 'INT');
  assert.equal(formatType(prepareAggregate('SUM0', [T.int()]).type), 'INT NOT NULL');
  assert.equal(formatType(prepareAggregate('AVG', [T.decimal(10, 2)]).type), 'DECIMAL(38, 6)');
  assert.equal(formatType(prepareAggregate('AVG', [T.int()]).type), 'INT');
  assert.throws(() => prepareAggregate('SUM', [T.string()]), /Cannot apply 'SUM' to arguments of type SUM\(<STRING>\)/);
  assert.throws(() => prepareAggregate('NOPE', [T.int()]), SqlTypeError);
});

test('MIN / MAX keep counts so retraction works', () => {
  run(
    'MAX',
    [T.int()],
    [
      ['=', null],
      ['+', 3],
      ['+', 5],
      ['+', 5],
      ['+', 1],
      ['=', 5],
      ['-', 5],
      ['=', 5],
      ['-', 5],
      ['=', 3],
      ['-', 3],
      ['=', 1],
      ['-', 1],
      ['=', null],
    ],
  );
  run(
    'MIN',
    [T.string()],
    [
      ['+', 'b'],
      ['+', 'a'],
      ['+', 'c'],
      ['=', 'a'],
      ['-', 'a'],
      ['=', 'b'],
      ['+', null],
      ['=', 'b'],
    ],
  );
  run(
    'MIN',
    [T.decimal(5, 2)],
    [
      ['+', d('1.50')],
      ['+', d('1.25')],
      ['=', 'D1.25'],
      ['-', d('1.25')],
      ['=', 'D1.50'],
    ],
  );
  const t1 = Date.UTC(2024, 0, 1);
  run(
    'MAX',
    [T.timestamp(3)],
    [
      ['+', t1],
      ['+', t1 + 1000],
      ['=', t1 + 1000],
      ['-', t1 + 1000],
      ['=', t1],
    ],
  );
  run(
    'MAX',
    [T.bigint()],
    [
      ['+', 2n],
      ['+', 10n],
      ['=', 10n],
    ],
  );
  assert.equal(formatType(prepareAggregate('MAX', [T.int(false)]).type), 'INT');
  assert.throws(() => prepareAggregate('MAX', [T.map(T.int(), T.int())]), SqlTypeError);
  const ao = appendOnlyMinMax('MAX');
  const acc = ao.create();
  for (const v of [3, 9, null, 2]) ao.add(acc, [v]);
  assert.equal(ao.result(acc), 9);
  assert.equal(ao.retract, undefined);
});

test('LISTAGG, variance family, FIRST_VALUE / LAST_VALUE, COLLECT', () => {
  run(
    'LISTAGG',
    [T.string()],
    [
      ['=', null],
      ['+', 'a'],
      ['+', null],
      ['+', 'b'],
      ['=', 'a,b'],
      ['-', 'a'],
      ['=', 'b'],
      ['-', 'b'],
      ['=', null],
    ],
  );
  run(
    'LISTAGG',
    [T.string(), T.string()],
    [
      ['+', 'a', '|'],
      ['+', 'b', '|'],
      ['=', 'a|b'],
    ],
  );
  const close = (name: string, values: number[], want: number | null) => {
    const { fn } = prepareAggregate(name, [T.double()]);
    const acc = fn.create();
    for (const v of values) fn.add(acc, [v]);
    const got = fn.result(acc) as number | null;
    if (want === null) assert.equal(got, null, name);
    else assert.ok(Math.abs(got! - want) < 1e-9, `${name} = ${got}, want ${want}`);
  };
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  close('VAR_POP', xs, 4);
  close('STDDEV_POP', xs, 2);
  close('VAR_SAMP', xs, 32 / 7);
  close('STDDEV_SAMP', xs, Math.sqrt(32 / 7));
  close('VAR_SAMP', [1], null);
  close('STDDEV_POP', [], null);
  run(
    'VAR_POP',
    [T.int()],
    [
      ['+', 1],
      ['+', 3],
      ['+', 100],
      ['-', 100],
      ['=', 1],
    ],
  );
  assert.equal(formatType(prepareAggregate('STDDEV_POP', [T.int()]).type), 'DOUBLE');
  run(
    'FIRST_VALUE',
    [T.string()],
    [
      ['+', null],
      ['+', 'a'],
      ['+', 'b'],
      ['=', 'a'],
      ['-', 'a'],
      ['=', 'b'],
    ],
  );
  run(
    'LAST_VALUE',
    [T.int()],
    [
      ['+', 1],
      ['+', 2],
      ['+', null],
      ['=', 2],
      ['-', 2],
      ['=', 1],
      ['-', 1],
      ['=', null],
    ],
  );
  run(
    'COLLECT',
    [T.int()],
    [
      ['+', 1],
      ['+', 1],
      ['+', 2],
      ['-', 1],
      ['=', [1, 2]],
    ],
  );
  assert.equal(formatType(prepareAggregate('COLLECT', [T.int()]).type), 'MULTISET<INT> NOT NULL');
});

test('DISTINCT wrapper counts per value', () => {
  run(
    'COUNT',
    [T.string()],
    [
      ['+', 'a'],
      ['+', 'a'],
      ['+', 'b'],
      ['+', null],
      ['=', 2n],
      ['-', 'a'],
      ['=', 2n],
      ['-', 'a'],
      ['=', 1n],
      ['-', 'b'],
      ['=', 0n],
    ],
    true,
  );
  run(
    'SUM',
    [T.int()],
    [
      ['+', 5],
      ['+', 5],
      ['+', 7],
      ['=', 12],
      ['-', 5],
      ['=', 12],
      ['-', 5],
      ['=', 7],
    ],
    true,
  );
  run(
    'SUM',
    [T.decimal(5, 2)],
    [
      ['+', d('1.50')],
      ['+', d('1.5')],
      ['=', 'D1.50'],
    ],
    true,
  );
  run(
    'LISTAGG',
    [T.string()],
    [
      ['+', 'x'],
      ['+', 'y'],
      ['+', 'x'],
      ['=', 'x,y'],
    ],
    true,
  );
  // merge of two partial accumulators
  const { fn } = prepareAggregate('COUNT', [T.int()], distinctAggregate);
  const a = fn.create();
  const b = fn.create();
  fn.add(a, [1]);
  fn.add(b, [1]);
  fn.add(b, [2]);
  fn.merge!(a, b);
  assert.equal(fn.result(a), 2n);
});

test('merge of partial accumulators', () => {
  const agg = lookupAggregate('SUM')!.bind!([T.bigint()]) as AggregateFunction<unknown>;
  const a = agg.create();
  const b = agg.create();
  agg.add(a, [1n]);
  agg.add(b, [2n]);
  agg.merge!(a, b);
  assert.equal(agg.result(a), 3n);
  const max = lookupAggregate('max')!;
  const x = max.create();
  const y = max.create();
  max.add(x, [1]);
  max.add(y, [8]);
  max.merge!(x, y);
  assert.equal(max.result(x), 8);
});
