// Every Nexmark Flink query (and the CEP set) parses and round-trips through the printer.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatStatement, formatStatements, parseStatements } from '../../src/sql/parser/index.ts';
import { as, assertScriptRoundTrip, stripPositions } from './parser-helpers.ts';

const fixtures = fileURLToPath(new URL('../fixtures/nexmark/', import.meta.url));
const shared = fileURLToPath(new URL('../../../shared/nexmark/flink/', import.meta.url));
const SETS = ['queries', 'queries-cep'];

function sqlFiles(root: string, set: string): string[] {
  return readdirSync(`${root}${set}`)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

for (const set of SETS) {
  for (const file of sqlFiles(fixtures, set)) {
    test(`nexmark ${set}/${file} parses and round-trips`, () => {
      const sql = readFileSync(`${fixtures}${set}/${file}`, 'utf8');
      const stmts = assertScriptRoundTrip(sql);
      assert.ok(stmts.length >= 1);
      // printing is idempotent once canonical
      const printed = formatStatements(stmts);
      assert.equal(formatStatements(parseStatements(printed)), printed);
      // the multi-line layout only moves whitespace
      const pretty = formatStatements(stmts, { pretty: true });
      assert.deepEqual(stripPositions(parseStatements(pretty)), stripPositions(stmts), pretty);
    });
  }
}

test('the fixture copy matches ../shared/nexmark when that checkout is beside the repo', () => {
  for (const set of SETS) assert.ok(sqlFiles(fixtures, set).length >= 4, `fixtures for ${set}`);
  // a standalone checkout has only the fixtures, which the tests above cover
  if (!existsSync(shared)) return;
  for (const set of SETS) {
    assert.deepEqual(sqlFiles(fixtures, set), sqlFiles(shared, set));
    for (const file of sqlFiles(shared, set)) {
      const sql = readFileSync(`${shared}${set}/${file}`, 'utf8');
      assert.equal(sql, readFileSync(`${fixtures}${set}/${file}`, 'utf8'), `${set}/${file} differs from ../shared`);
      parseStatements(sql);
    }
  }
});

test('nexmark q5: HOP window TVF inside a joined subquery', () => {
  const [, insert] = parseStatements(readFileSync(`${fixtures}queries/q5.sql`, 'utf8'));
  const q = as(as(insert, 'Insert').query.body, 'Select');
  const join = as(q.from!, 'Join');
  assert.equal(join.type, 'INNER');
  const left = as(join.left, 'SubqueryRef');
  assert.equal(left.alias?.name.value, 'AuctionBids');
  const inner = as(left.query.body, 'Select');
  const tvf = as(inner.from!, 'TableFunctionRef');
  assert.equal(tvf.call.name[0].value, 'HOP');
  assert.deepEqual(
    tvf.call.args.map((a) => a.kind),
    ['TableArg', 'Descriptor', 'IntervalLit', 'IntervalLit'],
  );
});

test('nexmark ddl_views: the NEXMARK_TABLE placeholder is kept as an identifier', () => {
  const stmts = parseStatements(readFileSync(`${fixtures}queries/ddl_views.sql`, 'utf8'));
  assert.equal(stmts.length, 3);
  const view = as(stmts[0], 'CreateView');
  const from = as(as(view.query.body, 'Select').from!, 'TableName');
  assert.equal(from.name[0].value, 'NEXMARK_TABLE');
  assert.equal(from.name[0].placeholder, true);
});

test('nexmark cep q3: MATCH_RECOGNIZE with WITHIN', () => {
  const [, insert] = parseStatements(readFileSync(`${fixtures}queries-cep/q3.sql`, 'utf8'));
  const mr = as(as(as(insert, 'Insert').query.body, 'Select').from!, 'MatchRecognize');
  assert.equal(mr.within?.value, '5');
  assert.equal(mr.within?.qualifier.start, 'SECOND');
  assert.equal(mr.afterMatch?.type, 'PAST LAST ROW');
  assert.deepEqual(
    mr.define.map((d) => d.name.value),
    ['B', 'C'],
  );
});

test('every node carries the position of its first token', () => {
  const sql = readFileSync(`${fixtures}queries/q5.sql`, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') lineStarts.push(i + 1);
  let nodes = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    if (typeof rec.kind === 'string') {
      nodes++;
      const pos = rec.pos as { line: number; col: number; offset: number };
      assert.ok(pos, `${rec.kind} has a position`);
      assert.equal(lineStarts[pos.line - 1] + pos.col - 1, pos.offset, `${rec.kind} line/col agree with offset`);
      if (rec.kind === 'Identifier') {
        const text = sql.slice(pos.offset);
        assert.ok(
          text.startsWith(rec.quoted ? `\`${rec.value}\`` : String(rec.value)),
          `identifier ${rec.value} at ${pos.offset}`,
        );
      }
    }
    for (const [k, v] of Object.entries(rec)) if (k !== 'pos') visit(v);
  };
  visit(parseStatements(sql));
  assert.ok(nodes > 100);
  const [, insert] = parseStatements(sql);
  const body = as(as(insert, 'Insert').query.body, 'Select');
  const on = as(body.from!, 'Join').on!;
  assert.equal(sql.slice(on.pos.offset, on.pos.offset + 'AuctionBids.starttime'.length), 'AuctionBids.starttime');
  assert.equal(on.pos.line, sql.slice(0, on.pos.offset).split('\n').length);
});

test('pretty layout of a MATCH_RECOGNIZE query', () => {
  const [, insert] = parseStatements(readFileSync(`${fixtures}queries-cep/q3.sql`, 'utf8'));
  assert.equal(
    formatStatement(insert, { pretty: true }),
    [
      'INSERT INTO discard_sink',
      'SELECT auction, bidder, drop_time, drop_diff',
      'FROM bid MATCH_RECOGNIZE (',
      '  PARTITION BY auction, bidder',
      '  ORDER BY `dateTime`',
      '  MEASURES',
      '    C.`dateTime` AS drop_time,',
      '    A.price - C.price AS drop_diff',
      '  ONE ROW PER MATCH',
      '  AFTER MATCH SKIP PAST LAST ROW',
      "  PATTERN (A B* C) WITHIN INTERVAL '5' SECOND",
      '  DEFINE',
      '    B AS B.price > A.price - 50,',
      '    C AS C.price < A.price - 50',
      ')',
    ].join('\n'),
  );
});

test('pretty layout of subqueries, joins and a long select list', () => {
  const stmt = parseStatements(
    'SELECT a, b, c, d, e FROM (SELECT * FROM t WHERE x IS DISTINCT FROM y) AS s LEFT OUTER JOIN u ON s.a = u.a WHERE EXISTS (SELECT 1 FROM v) GROUP BY a ORDER BY a LIMIT 5',
  )[0];
  assert.equal(
    formatStatement(stmt, { pretty: true }),
    [
      'SELECT',
      '  a,',
      '  b,',
      '  c,',
      '  d,',
      '  e',
      'FROM (',
      '  SELECT *',
      '  FROM t',
      '  WHERE x IS DISTINCT FROM y',
      ') AS s',
      'LEFT OUTER JOIN u ON s.a = u.a',
      'WHERE EXISTS (',
      '  SELECT 1',
      '  FROM v',
      ')',
      'GROUP BY a',
      'ORDER BY a',
      'LIMIT 5',
    ].join('\n'),
  );
});
