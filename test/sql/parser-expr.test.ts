// Expressions: literals, operators and precedence, special forms, constructors and access.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Expr, formatExpr, parseExpression, parseStatement } from '../../src/sql/parser/index.ts';
import { as, expr } from './parser-helpers.ts';

/** Fully parenthesised rendering of operator structure, to check precedence. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'Binary':
      return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'Unary':
      return `(${e.op} ${shape(e.expr)})`;
    case 'IsTest':
      return `(${shape(e.expr)} IS${e.not ? ' NOT' : ''} ${e.test})`;
    case 'IsDistinctFrom':
      return `(${shape(e.left)} IS${e.not ? ' NOT' : ''} DISTINCT FROM ${shape(e.right)})`;
    case 'Between':
      return `(${shape(e.expr)}${e.not ? ' NOT' : ''} BETWEEN ${shape(e.low)} AND ${shape(e.high)})`;
    case 'Like':
      return `(${shape(e.expr)}${e.not ? ' NOT' : ''} ${e.op} ${shape(e.pattern)})`;
    case 'InList':
      return `(${shape(e.expr)}${e.not ? ' NOT' : ''} IN ${e.list.map(shape).join(',')})`;
    case 'IndexAccess':
      return `${shape(e.expr)}[${shape(e.index)}]`;
    case 'FieldAccess':
      return `${shape(e.expr)}.${e.field.value}`;
    default:
      return formatExpr(e);
  }
}

test('operator precedence follows Flink (Calcite)', () => {
  const cases: Array<[string, string]> = [
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['NOT a = b', '(NOT (a = b))'],
    ['NOT a IS NULL', '(NOT (a IS NULL))'],
    ['a = b IS NULL', '((a = b) IS NULL)'],
    ['a + b * c', '(a + (b * c))'],
    ['a - b - c', '((a - b) - c)'],
    ['a - (b - c)', '(a - (b - c))'],
    ['a * b % c / d', '(((a * b) % c) / d)'],
    ["a || b || 'c'", "((a || b) || 'c')"],
    ['a + b || c', '(a + (b || c))'],
    ['-a * b', '((- a) * b)'],
    ['-a.b[1]', '(- a.b[1])'],
    ['a < b + 1', '(a < (b + 1))'],
    ['a = b AND c <> d OR e >= f', '(((a = b) AND (c <> d)) OR (e >= f))'],
    ['x BETWEEN a + 1 AND b * 2 AND y', '((x BETWEEN (a + 1) AND (b * 2)) AND y)'],
    ['x NOT BETWEEN 1 AND 2', '(x NOT BETWEEN 1 AND 2)'],
    ["s LIKE 'a%' OR s NOT LIKE 'b%'", "((s LIKE 'a%') OR (s NOT LIKE 'b%'))"],
    ['a IN (1, 2) AND b NOT IN (3)', '((a IN 1,2) AND (b NOT IN 3))'],
    ['a IS NOT DISTINCT FROM b + 1', '(a IS NOT DISTINCT FROM (b + 1))'],
    ['a = TRUE IS NOT FALSE', '((a = TRUE) IS NOT FALSE)'],
    ['f(x).y[2]', 'f(x).y[2]'],
  ];
  for (const [input, want] of cases) assert.equal(shape(expr(input)), want, input);
});

test('the printer adds parentheses exactly where precedence needs them', () => {
  const cases: Array<[string, string]> = [
    ['(a OR b) AND c', '(a OR b) AND c'],
    ['a OR (b AND c)', 'a OR b AND c'],
    ['(a + b) * c', '(a + b) * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['((a))', 'a'],
    ['- (-a)', '-(-a)'],
    ['1 - -1', '1 - -1'],
    ['NOT (a AND b)', 'NOT (a AND b)'],
    ['(a = b) IS NULL', 'a = b IS NULL'],
    ['(a IS NULL) = b', '(a IS NULL) = b'],
    ['(a).b', '(a).b'],
    ['(a + b).c', '(a + b).c'],
  ];
  for (const [input, want] of cases) assert.equal(formatExpr(expr(input)), want, input);
});

test('literals: numbers keep their text, strings unescape, typed and binary literals', () => {
  assert.equal(as(expr('0.908'), 'NumberLit').text, '0.908');
  assert.equal(as(expr('123456789012345678901234567890.5'), 'NumberLit').text, '123456789012345678901234567890.5');
  assert.equal(as(expr('1.5E-3'), 'NumberLit').text, '1.5E-3');
  assert.equal(as(expr('.5'), 'NumberLit').text, '.5');
  assert.equal(as(expr("'it''s'"), 'StringLit').value, "it's");
  assert.equal(formatExpr(expr("'it''s'")), "'it''s'");
  assert.equal(as(expr("''"), 'StringLit').value, '');
  assert.equal(as(expr("'line1\nline2'"), 'StringLit').value, 'line1\nline2');
  assert.equal(as(expr("X'0aFF'"), 'BinaryLit').hex, '0aFF');
  assert.equal(as(expr('TRUE'), 'BooleanLit').value, true);
  assert.equal(as(expr('false'), 'BooleanLit').value, false);
  assert.equal(expr('NULL').kind, 'NullLit');
  for (const [sql, type, value] of [
    ["DATE '2024-01-31'", 'DATE', '2024-01-31'],
    ["TIME '12:00:01'", 'TIME', '12:00:01'],
    ["TIMESTAMP '2024-01-31 12:00:00.123'", 'TIMESTAMP', '2024-01-31 12:00:00.123'],
    ["TIMESTAMP_LTZ '2024-01-31 12:00:00'", 'TIMESTAMP_LTZ', '2024-01-31 12:00:00'],
  ]) {
    const lit = as(expr(sql), 'TypedLit');
    assert.deepEqual([lit.type, lit.value], [type, value]);
  }
  // DATE etc. are not reserved: without a string they are plain names
  assert.equal(as(expr('date'), 'ColumnRef').names[0].value, 'date');
});

test('interval literals', () => {
  const cases: Array<[string, string, boolean, string, string | undefined]> = [
    ["INTERVAL '10' SECOND", '10', false, 'SECOND', undefined],
    ["INTERVAL '4' second", '4', false, 'SECOND', undefined],
    ["INTERVAL '10' MINUTES", '10', false, 'MINUTE', undefined],
    ["INTERVAL '1 02' DAY TO HOUR", '1 02', false, 'DAY', 'HOUR'],
    ["INTERVAL '1-6' YEAR TO MONTH", '1-6', false, 'YEAR', 'MONTH'],
    ["INTERVAL -'5' MINUTE", '5', true, 'MINUTE', undefined],
    ["INTERVAL '10:20.5' MINUTE TO SECOND", '10:20.5', false, 'MINUTE', 'SECOND'],
  ];
  for (const [sql, value, negative, start, end] of cases) {
    const i = as(expr(sql), 'IntervalLit');
    assert.deepEqual([i.value, i.negative, i.qualifier.start, i.qualifier.end], [value, negative, start, end], sql);
  }
  const p = as(expr("INTERVAL '100' SECOND(3)"), 'IntervalLit');
  assert.equal(p.qualifier.startPrecision, 3);
});

test('CAST, TRY_CAST and CASE', () => {
  const c = as(expr('CAST(price AS DECIMAL(23, 3))'), 'Cast');
  assert.equal(c.try, false);
  assert.equal(as(c.type, 'PrimitiveType').name, 'DECIMAL');
  const t = as(expr('TRY_CAST(s AS ARRAY<INT NOT NULL>)'), 'Cast');
  assert.equal(t.try, true);
  assert.equal(t.type.kind, 'ArrayType');
  const searched = as(expr("CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN 'y' ELSE 'z' END"), 'Case');
  assert.equal(searched.operand, undefined);
  assert.equal(searched.whens.length, 2);
  assert.equal(as(searched.else!, 'StringLit').value, 'z');
  const simple = as(expr("CASE a WHEN 1 THEN 'one' END"), 'Case');
  assert.equal(as(simple.operand!, 'ColumnRef').names[0].value, 'a');
  assert.equal(simple.else, undefined);
});

test('predicates: IN, BETWEEN SYMMETRIC, LIKE/SIMILAR TO with ESCAPE, IS tests, EXISTS', () => {
  const like = as(expr("s LIKE 'a!%%' ESCAPE '!'"), 'Like');
  assert.equal(as(like.escape!, 'StringLit').value, '!');
  const similar = as(expr("s NOT SIMILAR TO '(a|b)+'"), 'Like');
  assert.deepEqual([similar.op, similar.not], ['SIMILAR TO', true]);
  assert.equal(as(expr('x BETWEEN SYMMETRIC 5 AND 1'), 'Between').symmetric, 'SYMMETRIC');
  for (const test of ['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const) {
    const e = as(expr(`x IS NOT ${test}`), 'IsTest');
    assert.deepEqual([e.test, e.not], [test, true]);
  }
  assert.equal(as(expr('x IS DISTINCT FROM y'), 'IsDistinctFrom').not, false);
  assert.equal(expr('EXISTS (SELECT 1 FROM t)').kind, 'Exists');
  assert.equal(as(expr('x IN (SELECT a FROM t)'), 'InSubquery').not, false);
});

test("constructors and access: ARRAY[], MAP[], ROW(), (a, b), a[1], m['k'], r.field", () => {
  assert.equal(as(expr('ARRAY[1, 2, 3]'), 'ArrayCtor').elements.length, 3);
  assert.equal(as(expr("MAP['a', 1, 'b', 2]"), 'MapCtor').entries.length, 4);
  assert.equal(as(expr("ROW(1, 'x')"), 'RowCtor').explicit, true);
  assert.equal(as(expr('(1, 2)'), 'RowCtor').explicit, false);
  const idx = as(expr('arr[1]'), 'IndexAccess');
  assert.equal(as(idx.index, 'NumberLit').text, '1');
  assert.equal(as(as(expr("m['k']"), 'IndexAccess').index, 'StringLit').value, 'k');
  assert.deepEqual(
    as(expr('person.`dateTime`'), 'ColumnRef').names.map((n) => [n.value, n.quoted]),
    [
      ['person', false],
      ['dateTime', true],
    ],
  );
  const fa = as(expr('arr[1].name'), 'FieldAccess');
  assert.equal(fa.field.value, 'name');
  assert.equal(fa.expr.kind, 'IndexAccess');
});

test('function calls: qualified names, niladic, special syntax, named arguments', () => {
  const f = as(expr('cat.db.my_udf(a, 1)'), 'FunctionCall');
  assert.deepEqual(
    f.name.map((n) => n.value),
    ['cat', 'db', 'my_udf'],
  );
  assert.equal(as(expr('CURRENT_TIMESTAMP'), 'FunctionCall').niladic, true);
  assert.equal(as(expr('PROCTIME()'), 'FunctionCall').args.length, 0);
  const ex = as(expr('EXTRACT(HOUR FROM ts)'), 'Extract');
  assert.equal(ex.unit, 'HOUR');
  assert.equal(expr("POSITION('a' IN s)").kind, 'Position');
  const trim = as(expr("TRIM(LEADING 'x' FROM s)"), 'Trim');
  assert.equal(trim.side, 'LEADING');
  assert.equal(as(expr('TRIM(s)'), 'FunctionCall').args.length, 1);
  assert.equal(as(expr('SUBSTRING(s FROM 2 FOR 3)'), 'FunctionCall').args.length, 3);
  assert.equal(as(expr('FLOOR(ts TO HOUR)'), 'CeilFloor').unit, 'HOUR');
  assert.equal(as(expr('CEIL(x)'), 'FunctionCall').args.length, 1);
  assert.equal(as(expr('LEFT(s, 2)'), 'FunctionCall').name[0].value, 'LEFT');
  const named = as(expr('f(a => 1, b => x + 1)'), 'FunctionCall');
  assert.deepEqual(
    named.args.map((a) => as(a, 'NamedArg').name.value),
    ['a', 'b'],
  );
  const over = as(expr('LAG(x, 1) IGNORE NULLS OVER (PARTITION BY k ORDER BY ts)'), 'FunctionCall');
  assert.equal(over.nullTreatment, 'IGNORE NULLS');
});

test('placeholders and $-prefixed names', () => {
  const placeholder = `\${COLUMN}`;
  const p = as(expr(placeholder), 'ColumnRef');
  assert.equal(p.names[0].placeholder, true);
  assert.equal(formatExpr(p), placeholder);
  assert.equal(as(expr('$rowtime'), 'ColumnRef').names[0].value, '$rowtime');
});

test('deep nesting is refused with an error instead of a stack overflow', () => {
  const deep = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
  assert.throws(() => parseExpression(deep), /nesting deeper than/);
});

test('parsing is linear: a long expression and a wide select parse quickly', () => {
  const long = Array.from({ length: 20000 }, (_, i) => `c${i}`).join(' + ');
  let t0 = performance.now();
  const e = parseExpression(long);
  assert.equal(e.kind, 'Binary');
  assert.equal(formatExpr(e), long);
  assert.ok(performance.now() - t0 < 2000);
  const wide = `SELECT ${Array.from({ length: 5000 }, (_, i) => `f(c${i}) AS a${i}`).join(', ')} FROM t WHERE ${Array.from({ length: 2000 }, (_, i) => `c${i} = ${i}`).join(' AND ')}`;
  t0 = performance.now();
  const stmt = parseStatement(wide);
  assert.equal(as(as(stmt, 'Query').body, 'Select').items.length, 5000);
  assert.ok(performance.now() - t0 < 2000);
});

test('quantified comparisons: = ANY, > ALL, <> SOME with a subquery', () => {
  const any = as(expr('x = ANY (SELECT a FROM t)'), 'QuantifiedComparison');
  assert.deepEqual([any.op, any.quantifier], ['=', 'ANY']);
  assert.equal(as(expr('x > ALL (SELECT a FROM t) AND y'), 'Binary').op, 'AND');
  assert.equal(as(expr('x <> SOME (SELECT a FROM t)'), 'QuantifiedComparison').quantifier, 'SOME');
  // ANY(...) with an expression is a plain function call
  assert.equal(as(as(expr('x = ANY(arr)'), 'Binary').right, 'FunctionCall').name[0].value, 'ANY');
});

test('SQL/JSON functions and IS JSON', () => {
  const v = as(
    expr("JSON_VALUE(payload, '$.price' RETURNING DECIMAL(10, 2) NULL ON EMPTY DEFAULT -1 ON ERROR)"),
    'JsonCall',
  );
  assert.equal(v.fn, 'JSON_VALUE');
  assert.equal(v.args.length, 2);
  assert.equal(as(v.returning!, 'PrimitiveType').name, 'DECIMAL');
  assert.equal(v.onEmpty?.type, 'NULL');
  assert.equal(v.onError?.type, 'DEFAULT');
  const q = as(
    expr("JSON_QUERY(j, '$.a' WITH CONDITIONAL ARRAY WRAPPER EMPTY ARRAY ON EMPTY ERROR ON ERROR)"),
    'JsonCall',
  );
  assert.equal(q.wrapper, 'WITH CONDITIONAL ARRAY WRAPPER');
  assert.equal(q.onEmpty?.type, 'EMPTY ARRAY');
  assert.equal(as(expr("JSON_EXISTS(j, '$.a' FALSE ON ERROR)"), 'JsonCall').onError?.type, 'FALSE');
  const o = as(expr("JSON_OBJECT(KEY 'a' VALUE 1, 'b' VALUE x, key VALUE y ABSENT ON NULL)"), 'JsonCall');
  assert.deepEqual(
    o.entries.map((e) => [e.keyword, e.key.kind]),
    [
      [true, 'StringLit'],
      [false, 'StringLit'],
      [false, 'ColumnRef'],
    ],
  );
  assert.equal(o.onNull, 'ABSENT');
  assert.equal(as(expr('JSON_ARRAY(1, 2, x NULL ON NULL)'), 'JsonCall').args.length, 3);
  assert.equal(as(expr('JSON_OBJECT()'), 'JsonCall').entries.length, 0);
  assert.equal(as(expr('JSON_OBJECTAGG(KEY k VALUE v)'), 'JsonCall').entries.length, 1);
  assert.equal(as(expr('JSON_ARRAYAGG(x ORDER BY ts ABSENT ON NULL)'), 'JsonCall').orderBy?.length, 1);
  assert.equal(as(expr('s IS NOT JSON OBJECT'), 'IsTest').test, 'JSON OBJECT');
  assert.equal(as(expr('s IS JSON'), 'IsTest').test, 'JSON');
});

test('non-ASCII identifiers stay unquoted; a BOM and no-break spaces are whitespace', () => {
  const id = as(expr('café + straße'), 'Binary');
  assert.equal(as(id.left, 'ColumnRef').names[0].value, 'café');
  assert.equal(formatExpr(id), 'café + straße');
  assert.equal(as(parseExpression('\ufeffa\u00a0+ 1'), 'Binary').op, '+');
});
