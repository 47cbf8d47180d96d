// Date/time functions: Flink's documented examples, Java date patterns, time zones, units.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EvalContext, prepareCall } from '../../src/sql/functions/index.ts';
import {
  formatType,
  formatWithPattern,
  parseDate,
  parseTime,
  parseTimestamp,
  parseWithPattern,
  type SqlType,
  SqlTypeError,
  T,
} from '../../src/sql/types/index.ts';

const NOW = Date.UTC(2024, 1, 29, 23, 30, 15, 250);
const ctx: EvalContext = { timeZone: 'UTC', now: () => NOW, currentWatermark: null };
const S = T.string();
const I = T.int();
const TS = T.timestamp(3);
const DATE = T.date();
const ts = (s: string): number => parseTimestamp(s)!;
const date = (s: string): number => parseDate(s)!;

function call(name: string, types: SqlType[], args: unknown[], c: EvalContext = ctx, literals?: unknown[]): unknown {
  return prepareCall(name, types, literals).eval(args, c);
}

test('Java date patterns', () => {
  const t = ts('2015-07-05 13:05:09.012');
  const cases: Array<[string, string]> = [
    ['yyyy-MM-dd HH:mm:ss', '2015-07-05 13:05:09'],
    ['yyyy-MM-dd HH:mm:ss.SSS', '2015-07-05 13:05:09.012'],
    ['yy/M/d H:m:s', '15/7/5 13:5:9'],
    ['EEE, d MMM yyyy', 'Sun, 5 Jul 2015'],
    ['EEEE MMMM', 'Sunday July'],
    ['hh:mm a', '01:05 PM'],
    ['D', '186'],
    ["yyyy'T'HH 'o''clock'", "2015T13 o'clock"],
    ['yyyyMMdd', '20150705'],
    ['S', '0'],
    ['SSSSSS', '012000'],
    ['Q', '3'],
  ];
  for (const [p, want] of cases) assert.equal(formatWithPattern(t, p), want, p);
  assert.equal(formatWithPattern(0, 'yyyy-MM-dd HH:mm:ssZ', 'UTC', 8 * 3_600_000), '1970-01-01 00:00:00+0800');
  assert.equal(formatWithPattern(0, 'XXX', 'UTC', 0), 'Z');
  assert.deepEqual(parseWithPattern('2015-07-05 13:05:09', 'yyyy-MM-dd HH:mm:ss'), {
    local: ts('2015-07-05 13:05:09'),
  });
  assert.deepEqual(parseWithPattern('20150705', 'yyyyMMdd'), { local: ts('2015-07-05 00:00:00') });
  assert.deepEqual(parseWithPattern('05/Jul/2015:01:02:03 PM', 'dd/MMM/yyyy:hh:mm:ss a'), {
    local: ts('2015-07-05 13:02:03'),
  });
  assert.equal(parseWithPattern('2015-02-30', 'yyyy-MM-dd'), undefined);
  assert.equal(parseWithPattern('2015-07-05x', 'yyyy-MM-dd'), undefined);
  assert.deepEqual(parseWithPattern('2015-07-05T10:00:00+02:00', "yyyy-MM-dd'T'HH:mm:ssXXX"), {
    local: ts('2015-07-05 10:00:00'),
    offset: 7_200_000,
  });
});

test('DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, FROM_UNIXTIME', () => {
  const t = ts('2020-01-31 10:20:30.123');
  assert.equal(call('DATE_FORMAT', [TS, S], [t, 'yyyy-MM-dd HH:mm']), '2020-01-31 10:20');
  assert.equal(call('DATE_FORMAT', [S, S], ['2020-01-31 10:20:30', 'yyyy/MM/dd']), '2020/01/31');
  assert.equal(call('DATE_FORMAT', [S, S], ['garbage', 'yyyy']), null);
  assert.equal(
    call('DATE_FORMAT', [T.timestampLtz(3), S], [0, 'yyyy-MM-dd HH:mm:ss'], { ...ctx, timeZone: 'Asia/Shanghai' }),
    '1970-01-01 08:00:00',
  );
  assert.equal(call('DATE_FORMAT', [DATE, S], [date('2020-01-31'), 'dd.MM.yyyy']), '31.01.2020');
  assert.equal(call('TO_TIMESTAMP', [S], ['2020-01-31 10:20:30']), ts('2020-01-31 10:20:30'));
  assert.equal(call('TO_TIMESTAMP', [S, S], ['31/01/2020 10:20', 'dd/MM/yyyy HH:mm']), ts('2020-01-31 10:20:00'));
  assert.equal(call('TO_TIMESTAMP', [S], ['nope']), null);
  assert.equal(call('TO_DATE', [S], ['2020-01-31']), 18292);
  assert.equal(call('TO_DATE', [S, S], ['20200131', 'yyyyMMdd']), 18292);
  assert.equal(call('UNIX_TIMESTAMP', [S], ['2020-01-01 00:00:00']), 1577836800n);
  assert.equal(
    call('UNIX_TIMESTAMP', [S], ['2020-01-01 08:00:00'], { ...ctx, timeZone: 'Asia/Shanghai' }),
    1577836800n,
  );
  assert.equal(call('UNIX_TIMESTAMP', [], []), BigInt(Math.floor(NOW / 1000)));
  assert.equal(call('UNIX_TIMESTAMP', [S], ['garbage']), -9223372036854775808n, 'Long.MIN_VALUE as Flink documents');
  assert.equal(call('FROM_UNIXTIME', [I], [44]), '1970-01-01 00:00:44');
  assert.equal(
    call('FROM_UNIXTIME', [T.bigint(), S], [1577836800n, 'yyyy-MM-dd HH'], { ...ctx, timeZone: 'America/New_York' }),
    '2019-12-31 19',
  );
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.bigint(), I], [1577836800n, 0]), 1577836800000);
  assert.equal(call('TO_TIMESTAMP_LTZ', [T.bigint(), I], [1577836800123n, 3]), 1577836800123);
  assert.throws(() => call('TO_TIMESTAMP_LTZ', [T.bigint(), I], [1n, 6]), /0 or 3/);
  assert.equal(formatType(prepareCall('TO_TIMESTAMP_LTZ', [T.bigint(false), I], [null, 0]).type), 'TIMESTAMP_LTZ(0)');
  assert.equal(
    call('CONVERT_TZ', [S, S, S], ['1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles']),
    '1969-12-31 16:00:00',
  );
  assert.equal(
    call('CONVERT_TZ', [S, S, S], ['2024-07-01 12:00:00', 'Europe/Berlin', 'Asia/Tokyo']),
    '2024-07-01 19:00:00',
  );
});

test('EXTRACT and field functions (Flink docs: DATE 1994-09-27, TIMESTAMP 1994-09-27 13:14:15)', () => {
  const day = date('1994-09-27');
  const t = ts('1994-09-27 13:14:15.678');
  const cases: Array<[string, SqlType, number, bigint]> = [
    ['YEAR', DATE, day, 1994n],
    ['QUARTER', DATE, day, 3n],
    ['MONTH', DATE, day, 9n],
    ['WEEK', DATE, day, 39n],
    ['DAYOFYEAR', DATE, day, 270n],
    ['DAYOFMONTH', DATE, day, 27n],
    ['DAYOFWEEK', DATE, day, 3n],
    ['HOUR', TS, t, 13n],
    ['MINUTE', TS, t, 14n],
    ['SECOND', TS, t, 15n],
    ['YEAR', TS, t, 1994n],
  ];
  for (const [name, type, v, want] of cases) assert.equal(call(name, [type], [v]), want, name);
  assert.equal(call('EXTRACT', [S, DATE], ['DAY', date('2006-06-05')]), 5n);
  assert.equal(call('EXTRACT', [S, TS], ['MILLISECOND', t]), 15678n);
  assert.equal(call('EXTRACT', [S, TS], ['DOW', ts('2024-03-03 00:00:00')]), 1n, 'Sunday is 1');
  assert.equal(call('EXTRACT', [S, TS], ['ISODOW', ts('2024-03-03 00:00:00')]), 7n);
  assert.equal(call('EXTRACT', [S, TS], ['EPOCH', ts('1970-01-02 00:00:00')]), 86400n);
  assert.equal(call('EXTRACT', [S, T.time()], ['HOUR', parseTime('10:20:30')]), 10n);
  assert.equal(call('EXTRACT', [S, T.intervalDT()], ['DAY', 3 * 86_400_000 + 5]), 3n);
  assert.equal(call('EXTRACT', [S, T.intervalYM()], ['YEAR', 27]), 2n);
  assert.equal(call('EXTRACT', [S, TS], ['CENTURY', ts('2000-06-01 00:00:00')]), 20n);
  assert.equal(call('HOUR', [T.timestampLtz(3)], [0], { ...ctx, timeZone: 'Asia/Kolkata' }), 5n);
  assert.equal(call('WEEK', [DATE], [date('2021-01-01')]), 53n, 'ISO week of 2021-01-01');
  assert.throws(() => call('EXTRACT', [S, DATE], ['HOUR', 1]), /Cannot extract HOUR from DATE/);
  assert.equal(call('HOUR', [TS], [null]), null);
  assert.throws(() => prepareCall('HOUR', [S]), SqlTypeError);
});

test('TIMESTAMPADD and TIMESTAMPDIFF', () => {
  assert.equal(call('TIMESTAMPADD', [S, I, DATE], ['WEEK', 1, date('2003-01-02')], ctx, ['WEEK']), date('2003-01-09'));
  assert.equal(call('TIMESTAMPADD', [S, I, TS], ['HOUR', 2, ts('2003-01-02 23:00:00')]), ts('2003-01-03 01:00:00'));
  assert.equal(call('TIMESTAMPADD', [S, I, TS], ['MONTH', 1, ts('2024-01-31 10:00:00')]), ts('2024-02-29 10:00:00'));
  assert.equal(call('TIMESTAMPADD', [S, I, TS], ['YEAR', -1, ts('2024-02-29 00:00:00')]), ts('2023-02-28 00:00:00'));
  assert.equal(
    call('TIMESTAMPADD', [S, I, DATE], ['HOUR', 5, date('2003-01-02')], ctx, ['HOUR']),
    ts('2003-01-02 05:00:00'),
  );
  assert.equal(formatType(prepareCall('TIMESTAMPADD', [S, I, DATE], ['HOUR']).type), 'TIMESTAMP(0)');
  const diff = (unit: string, a: string, b: string) => call('TIMESTAMPDIFF', [S, TS, TS], [unit, ts(a), ts(b)]);
  assert.equal(diff('DAY', '2003-01-02 10:00:00', '2003-01-03 10:00:00'), 1);
  assert.equal(diff('DAY', '2003-01-02 10:00:00', '2003-01-03 09:59:59'), 0);
  assert.equal(diff('HOUR', '2003-01-03 10:00:00', '2003-01-02 10:00:00'), -24);
  assert.equal(diff('MONTH', '2003-01-31 00:00:00', '2003-02-28 00:00:00'), 0);
  assert.equal(diff('MONTH', '2003-01-15 00:00:00', '2003-03-15 00:00:00'), 2);
  assert.equal(diff('YEAR', '2000-02-29 00:00:00', '2004-02-28 00:00:00'), 3);
  assert.equal(diff('QUARTER', '2000-01-01 00:00:00', '2000-12-31 00:00:00'), 3);
  assert.equal(diff('SECOND', '2000-01-01 00:00:00', '2000-01-01 00:01:01.5'), 61);
  assert.equal(call('TIMESTAMPDIFF', [S, DATE, DATE], ['DAY', date('2024-01-01'), date('2024-03-01')]), 60);
});

test('FLOOR/CEIL to a unit', () => {
  const tm = parseTime('12:44:31')!;
  assert.equal(call('FLOOR', [T.time(), S], [tm, 'MINUTE']), parseTime('12:44:00'));
  assert.equal(call('CEIL', [T.time(), S], [tm, 'MINUTE']), parseTime('12:45:00'));
  const f = (unit: string, s: string, ceil = false) => call(ceil ? 'CEIL' : 'FLOOR', [TS, S], [ts(s), unit]);
  assert.equal(f('HOUR', '2024-05-17 13:45:10'), ts('2024-05-17 13:00:00'));
  assert.equal(f('DAY', '2024-05-17 13:45:10', true), ts('2024-05-18 00:00:00'));
  assert.equal(f('DAY', '2024-05-17 00:00:00', true), ts('2024-05-17 00:00:00'));
  assert.equal(f('MONTH', '2024-05-17 13:45:10'), ts('2024-05-01 00:00:00'));
  assert.equal(f('QUARTER', '2024-05-17 13:45:10'), ts('2024-04-01 00:00:00'));
  assert.equal(f('YEAR', '2024-05-17 13:45:10', true), ts('2025-01-01 00:00:00'));
  assert.equal(f('WEEK', '2024-05-17 13:45:10'), ts('2024-05-12 00:00:00'));
  assert.equal(call('FLOOR', [DATE, S], [date('2024-05-17'), 'MONTH']), date('2024-05-01'));
  assert.equal(
    call('FLOOR', [T.timestampLtz(3), S], [Date.UTC(2024, 4, 17, 20), 'DAY'], { ...ctx, timeZone: 'Asia/Tokyo' }),
    Date.UTC(2024, 4, 17, 15),
    'floored in the session zone',
  );
  assert.equal(call('FLOOR', [T.double()], [2.5]), 2, 'numeric FLOOR still works');
});

test('current time functions read EvalContext', () => {
  assert.equal(call('CURRENT_TIMESTAMP', [], []), NOW);
  assert.equal(call('NOW', [], []), NOW);
  assert.equal(call('PROCTIME', [], []), NOW);
  assert.equal(call('LOCALTIMESTAMP', [], []), NOW);
  assert.equal(call('CURRENT_DATE', [], []), date('2024-02-29'));
  assert.equal(call('CURRENT_DATE', [], [], { ...ctx, timeZone: 'Asia/Tokyo' }), date('2024-03-01'));
  assert.equal(call('LOCALTIMESTAMP', [], [], { ...ctx, timeZone: 'Asia/Tokyo' }), NOW + 9 * 3_600_000);
  assert.equal(call('CURRENT_TIME', [], []), parseTime('23:30:15'));
  assert.equal(formatType(prepareCall('CURRENT_TIMESTAMP', []).type), 'TIMESTAMP_LTZ(3) NOT NULL');
  assert.equal(formatType(prepareCall('LOCALTIMESTAMP', []).type), 'TIMESTAMP(3) NOT NULL');
  assert.equal(call('CURRENT_WATERMARK', [TS], [5]), null);
  assert.equal(call('CURRENT_WATERMARK', [TS], [5], { ...ctx, currentWatermark: 1000 }), 1000);
  assert.throws(() => prepareCall('CURRENT_WATERMARK', [I]), SqlTypeError);
});
