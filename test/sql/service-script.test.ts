/**
 * The pieces of the statement service that need no broker: splitting scripts (positions, strings,
 * comments, statement sets), the result buffer (sequence numbers, capacity), the catalog DDL printed
 * for CTAS tables (parses back to the same table), and the CLI's final-table fold of a changelog.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finalRows } from '../../src/cli/commands/sql.ts';
import { RowKind, SqlSession } from '../../src/sql/index.ts';
import { createTableDdl } from '../../src/sql/service/catalog-ddl.ts';
import { endsStatement, shiftPosition, splitScript } from '../../src/sql/service/index.ts';
import { ResultBuffer } from '../../src/sql/service/results.ts';
import { T } from '../../src/sql/types/index.ts';

test('splitScript: statements with their positions; quotes, comments and statement sets keep their ;', () => {
  const script = [
    "CREATE TABLE t (a STRING) WITH ('connector' = 'datagen', 'x' = 'a;b');",
    '  -- a comment; not a statement',
    "SELECT `we;ird` FROM t /* ; */ WHERE a = 'it'';s';",
    ';;',
    'EXECUTE STATEMENT SET BEGIN',
    '  INSERT INTO a SELECT * FROM t;',
    '  INSERT INTO b SELECT * FROM t;',
    'END;',
    'SHOW TABLES',
  ].join('\n');
  const parts = splitScript(script);
  assert.deepEqual(
    parts.map((p) => [p.line, p.column, p.text.split('\n')[0]]),
    [
      [1, 1, "CREATE TABLE t (a STRING) WITH ('connector' = 'datagen', 'x' = 'a;b')"],
      [2, 3, '-- a comment; not a statement'],
      [5, 1, 'EXECUTE STATEMENT SET BEGIN'],
      [9, 1, 'SHOW TABLES'],
    ],
  );
  assert.equal(parts[1]!.text.split('\n')[1], "SELECT `we;ird` FROM t /* ; */ WHERE a = 'it'';s'");
  assert.ok(parts[2]!.text.endsWith('END'));
  assert.deepEqual(splitScript('  -- only a comment\n;  '), []);
});

test('endsStatement: the shell runs input once a ; ends a statement', () => {
  assert.equal(endsStatement('SELECT 1'), false);
  assert.equal(endsStatement('SELECT 1;'), true);
  assert.equal(endsStatement('SELECT 1;  -- done'), true);
  assert.equal(endsStatement("SELECT ';"), false);
  assert.equal(endsStatement('SELECT 1; SELECT'), false);
  assert.equal(endsStatement('EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;'), false);
  assert.equal(endsStatement('EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nEND;'), true);
});

test('shiftPosition: a position in a statement as one in the script', () => {
  const [, second] = splitScript('SELECT 1;\n  SELECT x\nFROM t;');
  assert.deepEqual(second, { text: 'SELECT x\nFROM t', line: 2, column: 3 });
  assert.deepEqual(shiftPosition(second!, 1, 8), { line: 2, column: 10 });
  assert.deepEqual(shiftPosition(second!, 2, 1), { line: 3, column: 1 });
});

test('ResultBuffer: sequence numbers, reading from a row on, and the capacity of a running query', () => {
  const fields = [
    { name: 'n', type: T.bigint() },
    { name: 's', type: T.string() },
  ];
  const b = new ResultBuffer(fields, 3, 'UTC');
  b.add([
    { kind: RowKind.INSERT, row: [1n, 'a'] },
    { kind: RowKind.INSERT, row: [2n, null] },
  ]);
  assert.equal(b.updating, false);
  assert.deepEqual(b.rows(), [
    { seq: 0, op: '+I', row: ['1', 'a'], values: [1, 'a'] },
    { seq: 1, op: '+I', row: ['2', null], values: [2, null] },
  ]);
  b.add([
    { kind: RowKind.UPDATE_BEFORE, row: [2n, null] },
    { kind: RowKind.UPDATE_AFTER, row: [3n, 'c'] },
  ]);
  assert.equal(b.updating, true);
  assert.equal(b.dropped, 1);
  assert.equal(b.next, 4);
  assert.deepEqual(
    b.rows().map((r) => [r.seq, r.op]),
    [
      [1, '+I'],
      [2, '-U'],
      [3, '+U'],
    ],
  );
  assert.deepEqual(
    b.rows(3).map((r) => r.seq),
    [3],
  );
  assert.deepEqual(b.rows(0).length, 3, 'rows already dropped are skipped');
});

test('createTableDdl: a table printed with every name quoted parses back to the same table', async () => {
  const s = new SqlSession();
  await s.execute(`CREATE TABLE src (
    \`timestamp\` TIMESTAMP(3),
    \`offset\` BIGINT METADATA VIRTUAL,
    \`user\` STRING,
    amount DECIMAL(10, 2) NOT NULL,
    total AS amount * 2,
    WATERMARK FOR \`timestamp\` AS \`timestamp\` - INTERVAL '5' SECOND
  ) WITH ('connector' = 'kafka', 'topic' = 'it''s', 'format' = 'json', 'properties.bootstrap.servers' = 'x:1')`);
  const before = s.catalog.get('src');
  assert.equal(before?.kind, 'table');
  const ddl = createTableDdl(before as never);
  const again = new SqlSession();
  await again.execute(ddl);
  const after = again.catalog.get('src') as typeof before;
  // the same table up to where its tokens were in the text
  const plain = (v: unknown) =>
    JSON.parse(
      JSON.stringify(v, (k, x) => (k === 'pos' || k === 'quoted' ? undefined : typeof x === 'bigint' ? String(x) : x)),
    );
  assert.deepEqual(plain(after), plain(before));
});

test('finalRows: a changelog folded into the table it ends as', () => {
  const r = (op: '+I' | '-U' | '+U' | '-D', ...row: string[]) => ({ seq: 0, op, row, values: row });
  assert.deepEqual(
    finalRows([r('+I', 'a', '1'), r('+I', 'b', '1'), r('-U', 'a', '1'), r('+U', 'a', '2'), r('-D', 'b', '1')]).map(
      (x) => x.row,
    ),
    [['a', '2']],
  );
});
