// Syntax errors: one-line messages with line, column and what was expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpression, parseStatement, parseStatements, SqlParseError } from '../../src/sql/parser/index.ts';
import { parseError } from './parser-helpers.ts';

test('misspelt FROM: points at the word, lists what fits there', () => {
  const e = parseError(() => parseStatements('INSERT INTO t\nSELECT a,\n  b FORM bid'));
  assert.equal(e.line, 3);
  assert.equal(e.col, 5);
  assert.equal(e.found, "'FORM'");
  assert.ok(e.expected.includes('FROM'));
  assert.ok(e.expected.includes("','"));
  assert.match(
    e.message,
    /^SQL parse error at line 3, column 5: expected one of .*FROM.* but found 'FORM' \(did you mean FROM\?\)$/,
  );
  assert.ok(!e.message.includes('\n'));
  assert.ok(!e.message.includes('SELECT'), 'the statement text is not repeated');
  assert.ok(e instanceof SqlParseError && e instanceof Error);
  assert.equal(e.name, 'SqlParseError');
});

test('missing FROM before WHERE', () => {
  const e = parseError(() => parseStatement('SELECT a, b WHERE a > 1'));
  assert.deepEqual([e.line, e.col, e.found], [1, 13, "'WHERE'"]);
  assert.ok(e.expected.includes('FROM'));
});

test('unclosed string literal points at its opening quote', () => {
  const e = parseError(() => parseStatements("SELECT 1;\nSELECT 'abc FROM t;\nSELECT 2"));
  assert.deepEqual([e.line, e.col], [2, 8]);
  assert.deepEqual(e.expected, ["'"]);
  assert.match(e.message, /unterminated string literal/);
});

test('unknown character', () => {
  const e = parseError(() => parseStatement('SELECT a # b FROM t'));
  assert.deepEqual([e.line, e.col], [1, 10]);
  assert.match(e.message, /unexpected character '#'/);
  const dq = parseError(() => parseStatement('SELECT "a" FROM t'));
  assert.match(dq.message, /use backquotes for identifiers/);
});

test('trailing comma in the select list', () => {
  const e = parseError(() => parseStatement('SELECT a, b, FROM t'));
  assert.deepEqual([e.line, e.col, e.found], [1, 14, "'FROM'"]);
  assert.deepEqual(e.expected, ['expression']);
  assert.equal(e.message, "SQL parse error at line 1, column 14: expected expression but found 'FROM'");
});

test('bad type in CREATE TABLE lists the types', () => {
  const e = parseError(() => parseStatement('CREATE TABLE t (\n  id INTEGR,\n  v STRING)'));
  assert.deepEqual([e.line, e.col, e.found], [2, 6, "'INTEGR'"]);
  assert.ok(e.expected.includes('INTEGER'));
  assert.ok(e.expected.includes('TIMESTAMP'));
  const cast = parseError(() => parseExpression('CAST(a AS)'));
  assert.deepEqual([cast.col, cast.found], [10, "')'"]);
  assert.ok(cast.expected.includes('BIGINT'));
  const prec = parseError(() => parseStatement('CREATE TABLE t (a DECIMAL(10, x))'));
  assert.deepEqual(prec.expected, ['integer']);
});

test('a reserved first word commits: GROUP without BY', () => {
  const e = parseError(() => parseStatement('SELECT a FROM t GROUP a'));
  assert.deepEqual([e.col, e.expected], [23, ['BY']]);
});

test('errors at end of input', () => {
  const e = parseError(() => parseStatement('SELECT * FROM t WHERE'));
  assert.deepEqual([e.col, e.found, e.expected], [22, 'end of input', ['expression']]);
  assert.match(e.message, /but found end of input$/);
  const j = parseError(() => parseStatement('SELECT * FROM a JOIN b'));
  assert.ok(j.expected.includes('ON') && j.expected.includes('USING'));
  const open = parseError(() => parseExpression('(a + b'));
  assert.ok(open.expected.includes("')'"));
});

test('unknown statement', () => {
  const e = parseError(() => parseStatements('SELECT 1;\n  SELEKT 2'));
  assert.deepEqual([e.line, e.col], [2, 3]);
  assert.ok(e.expected.includes('SELECT') && e.expected.includes('CREATE'));
});

test('WITH option values must be literals', () => {
  const e = parseError(() => parseStatement("CREATE TABLE t (a INT) WITH ('k' = v)"));
  assert.deepEqual([e.col, e.expected], [36, ['string literal']]);
});

test('interval needs a quoted value and a unit', () => {
  const e = parseError(() => parseExpression('INTERVAL 10 SECOND'));
  assert.deepEqual([e.col, e.expected], [10, ['string literal']]);
  const u = parseError(() => parseExpression("INTERVAL '10' SECS"));
  assert.ok(u.expected.includes('SECOND'));
});

test('unterminated comment, hint and quoted identifier', () => {
  assert.match(parseError(() => parseStatements('SELECT 1 /* x')).message, /column 10: unterminated comment/);
  assert.match(parseError(() => parseStatement("SELECT * FROM t /*+ OPTIONS('a'='b')")).message, /unterminated hint/);
  assert.match(parseError(() => parseStatement('SELECT `abc FROM t')).message, /unterminated quoted identifier/);
});

test('two aliases in a row', () => {
  const e = parseError(() => parseStatement('SELECT a FROM t t2 t3'));
  assert.deepEqual([e.col, e.found], [17, "'t2'"]);
});

test('MATCH_RECOGNIZE without DEFINE, and a bad quantifier', () => {
  const e = parseError(() => parseStatement('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A B))'));
  assert.deepEqual(e.expected.includes('DEFINE'), true);
  const q = parseError(() =>
    parseStatement('SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{3,1}) DEFINE A AS TRUE)'),
  );
  assert.match(q.message, /maximum below minimum/);
});

test('positions count lines and columns from 1, tabs as one column', () => {
  const e = parseError(() => parseStatements('-- header\n\n\tSELECT 1 +\n\t\t)'));
  assert.deepEqual([e.line, e.col, e.offset], [4, 3, 25]);
});

test('near-miss keywords get a suggestion', () => {
  const group = parseError(() => parseStatement('SELECT COUNT(*) FROM t GRUOP BY a'));
  assert.deepEqual([group.col, group.found], [24, "'GRUOP'"]);
  assert.match(group.message, /\(did you mean GROUP BY\?\)$/);
  assert.match(
    parseError(() => parseStatement('CREATE TABEL t (a INT)')).message,
    /found 'TABEL' \(did you mean TABLE\?\)$/,
  );
  // no suggestion for unrelated words
  assert.doesNotMatch(parseError(() => parseStatement('SELECT a FROM t t2 t3')).message, /did you mean/);
});
