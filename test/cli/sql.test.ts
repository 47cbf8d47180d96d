/**
 * `tributary sql` as a user runs it: the real binary in a child process against the platform in
 * process. Checks the tables and JSON rows it prints, scripts from -e, -f and stdin, client-side SET,
 * INSERT over bounded and unbounded input, error positions in the script (exit 1) and usage errors
 * (exit 2).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { removeDir, tempDir, tempPlatform } from '../server/api-helpers.ts';
import { cli } from './run-cli.ts';

const NUMS = `CREATE TABLE nums (id INT, name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3', 'fields.name.length' = '3')`;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tributary sql', async () => {
  const p = await tempPlatform(after);
  const url = p.api!.url;
  const dir = tempDir('tributary-sql-cli-');
  after(async () => removeDir(dir));
  const sql = (args: string[], input?: string) => cli(['sql', '--api-url', url, ...args], { input, timeoutMs: 30_000 });
  // the catalog is shared by every statement of the platform: the tables exist before the runs below
  const setup = await sql(['-e', `${NUMS}; CREATE TABLE sink_bh (id INT) WITH ('connector' = 'blackhole');`]);
  assert.equal(setup.code, 0, setup.stderr);

  test('-e with DDL and SELECT prints a table like the SQL client', async () => {
    const r = await sql([
      '-e',
      `CREATE TABLE letters (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2', 'fields.id.kind' = 'sequence', 'fields.id.start' = '7', 'fields.id.end' = '8');
       SELECT id, id * 100 AS big, CAST(NULL AS STRING) AS nothing FROM letters;`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        '[INFO] Execute statement succeeded.',
        '+----+-----+---------+',
        '| id | big | nothing |',
        '+----+-----+---------+',
        '|  7 | 700 |  <NULL> |',
        '|  8 | 800 |  <NULL> |',
        '+----+-----+---------+',
        '2 rows in set',
        '',
      ].join('\n'),
    );
  });

  test('an updating result shows the op column; --format json prints one object per row', async () => {
    const [table, json] = await Promise.all([
      sql(['-e', 'SELECT id % 2 AS odd, COUNT(*) AS n FROM nums GROUP BY id % 2']),
      sql(['--format', 'json', '-e', 'SELECT id, UPPER(name) = UPPER(name) AS same FROM nums WHERE id > 1']),
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(
      table.stdout,
      [
        '+----+-----+---+',
        '| op | odd | n |',
        '+----+-----+---+',
        '| +I |   1 | 1 |',
        '| +I |   0 | 1 |',
        '| -U |   1 | 1 |',
        '| +U |   1 | 2 |',
        '+----+-----+---+',
        'Received a total of 4 rows',
        '',
      ].join('\n'),
    );
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [
        { id: 2, same: true },
        { id: 3, same: true },
      ],
    );
  });

  test('-f runs a script: comments, SET, SHOW, a bounded INSERT; stdin works the same', async () => {
    const file = join(dir, 'script.sql');
    writeFileSync(
      file,
      `-- a script
SET 'table.local-time-zone' = 'UTC';
SHOW TABLES LIKE 'nu%';
/* copy everything */ INSERT INTO sink_bh SELECT id FROM nums;
SELECT COUNT(*) AS c
  FROM nums;
`,
    );
    const head = [
      '[INFO] Session property has been set.',
      '+------------+',
      '| table name |',
      '+------------+',
      '|       nums |',
      '+------------+',
      '1 row in set',
      '[INFO] Complete execution of the SQL update statement.',
    ];
    const changelog = [
      ...head,
      '+----+---+',
      '| op | c |',
      '+----+---+',
      '| +I | 1 |',
      '| -U | 1 |',
      '| +U | 2 |',
      '| -U | 2 |',
      '| +U | 3 |',
      '+----+---+',
      'Received a total of 5 rows',
      '',
    ].join('\n');
    const final = [...head, '+---+', '| c |', '+---+', '| 3 |', '+---+', '1 row in set', ''].join('\n');
    const [fromFile, fromStdin] = await Promise.all([
      sql(['-f', file]),
      sql(
        ['--final'],
        "SET 'a' = 'b';\nSHOW TABLES LIKE 'nu%';\nINSERT INTO sink_bh SELECT id FROM nums;\nSELECT COUNT(*) AS c FROM nums;",
      ),
    ]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, changelog);
    // --final: the changelog folded into the table it ends as
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, final);
  });

  test('an INSERT over unbounded input prints the statement name and returns', async () => {
    const r = await sql([
      '-e',
      `CREATE TABLE endless (id INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
       INSERT INTO sink_bh SELECT id FROM endless;`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = /Statement name: (stmt-\d+)\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const st = (await (await fetch(`${url}/api/v1/statements/${m[1]}`)).json()) as { status: string };
    assert.equal(st.status, 'RUNNING');
    await fetch(`${url}/api/v1/statements/${m[1]}/stop`, { method: 'POST' });
  });

  test('errors: one line with the position in the script, exit 1; earlier statements ran', async () => {
    const [syntax, validation, runtime] = await Promise.all([
      sql(['-e', "SHOW TABLES LIKE 'nums';\nSELECT id\nFORM nums;\nSELECT 1;"]),
      sql(['--format', 'json', '-e', '  SELECT nope FROM nums']),
      sql(['-e', 'SELECT CAST(name AS INT) FROM nums']),
    ]);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stdout, /\|\s+nums \|/);
    assert.doesNotMatch(syntax.stdout, /EXPR\$0/, 'the script stops at the error');
    assert.match(syntax.stderr, /^error: SQL parse error at line 3, column 1: .*FORM.*\n$/);

    assert.equal(validation.code, 1);
    assert.equal(validation.stdout, '');
    assert.equal(
      validation.stderr,
      "error: SQL validation error at line 1, column 10: Column 'nope' not found in any table\n",
    );

    assert.equal(runtime.code, 1);
    assert.match(runtime.stderr, /^error: Cannot cast '.*' to INT\n$/);
  });

  test('usage errors exit 2; an unreachable API exits 1', async () => {
    const file = join(dir, 'x.sql');
    writeFileSync(file, 'SELECT 1;');
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const [flag, both, format, badUrl, missing, down] = await Promise.all([
      sql(['--no-such-flag']),
      sql(['-e', 'SELECT 1', '-f', file]),
      sql(['--format', 'xml', '-e', 'SELECT 1']),
      cli(['sql', '--api-url', 'not a url', '-e', 'SELECT 1']),
      sql(['-f', join(dir, 'missing.sql')]),
      cli(['sql', '-e', 'SELECT 1'], { env: { TRIBUTARY_API_URL: closed } }),
    ]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--no-such-flag'/);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either -e SQL or -f FILE/);
    assert.equal(format.code, 2);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--api-url: "not a url" is not a URL/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*missing\.sql: ENOENT/);
    assert.equal(down.code, 1);
    assert.ok(
      down.stderr.startsWith(`error: cannot reach the platform API at ${closed} (connection refused)`),
      down.stderr,
    );
    for (const r of [flag, both, format, badUrl, missing, down]) assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
