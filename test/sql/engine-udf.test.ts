/**
 * User-defined functions in TypeScript/JavaScript (src/sql/functions/udf.ts): CREATE / DROP / SHOW
 * FUNCTION, scalar, table (LATERAL TABLE) and aggregate functions, errors of loading and of running, and
 * Nexmark q14 with its real `count_char` UDF over the golden data.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatResultRows, type Result, SqlSession } from '../../src/sql/index.ts';
import type { Decimal } from '../../src/sql/types/index.ts';
import { noComments, readNexmark } from './nexmark-files.ts';
import { compareWithGolden, loadGoldenData, loadGoldenResults } from './nexmark-golden.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/udf/', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'tributary-udf-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const modules: Record<string, string> = {
  'count_char.ts': readFileSync(join(FIXTURES, 'count_char.ts'), 'utf8'),
  // a plain function with `returns`, as a named export matching the function name, in plain JS
  'twice.mjs': `export function twice(x) { return x * 2; }\ntwice.returns = 'INT';\n`,
  'split.ts': `export default {
  kind: 'table',
  returns: 'ROW<word STRING, len INT>',
  *eval(s: string) {
    for (const w of s.split(' ')) if (w) yield { word: w, len: w.length };
  },
};\n`,
  'chars.ts': `export default { kind: 'table', returns: 'STRING', eval: (s: string) => [...s] };\n`,
  'my_sum.ts': `export default {
  kind: 'aggregate',
  returns: 'BIGINT',
  args: ['BIGINT'],
  create: () => ({ sum: 0n, n: 0 }),
  add(acc: { sum: bigint; n: number }, v: bigint | null) { if (v != null) { acc.sum += v; acc.n++; } },
  retract(acc: { sum: bigint; n: number }, v: bigint | null) { if (v != null) { acc.sum -= v; acc.n--; } },
  result: (acc: { sum: bigint; n: number }) => (acc.n === 0 ? null : acc.sum),
};\n`,
  'concat_agg.ts': `export default {
  kind: 'aggregate',
  returns: 'STRING',
  create: () => '',
  add: (acc: string, v: string) => (acc ? acc + ',' + v : v),
  result: (acc: string) => acc,
};\n`,
  'boom.ts': `export default {
  kind: 'scalar',
  returns: 'INT',
  eval(s: string, c: string) { if (s === 'abc') throw new Error('kaboom'); return s.length; },
};\n`,
  'bad_return.ts': `export default { kind: 'scalar', returns: 'INT', eval: () => 'not a number' };\n`,
  'no_returns.ts': `export default { kind: 'scalar', eval: (x: number) => x };\n`,
  'no_eval.ts': `export default { kind: 'table', returns: 'ROW<a INT>' };\n`,
  'bad_type.ts': `export default { kind: 'scalar', returns: 'NOT A TYPE', eval: (x: number) => x };\n`,
};
for (const [name, text] of Object.entries(modules)) writeFileSync(join(dir, name), text);

function newSession(): SqlSession {
  const s = new SqlSession({ udfDir: dir, print: () => {} });
  after(() => s.close());
  return s;
}

const lines = (r: Result) => formatResultRows(r);

describe('UDFs: CREATE / DROP / SHOW FUNCTION', () => {
  test('a scalar function from a .ts module (default export) and a plain function from .mjs (named export)', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION count_char AS 'count_char.ts' LANGUAGE TYPESCRIPT");
    await s.execute("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS twice AS 'twice' LANGUAGE JAVASCRIPT");
    const r = await s.execute(
      "SELECT s, count_char(s, 'a') AS n, twice(CHAR_LENGTH(s)) AS t FROM (VALUES ('banana'), ('xyz'), (CAST(NULL AS STRING))) AS T(s)",
    );
    assert.deepEqual(lines(r), ['+I[banana, 3, 12]', '+I[xyz, 0, 6]', '+I[NULL, 0, NULL]']);
    assert.equal(r.kind === 'rows' && r.fields[1]!.type.kind, 'BIGINT');
    // IF NOT EXISTS over an existing one is a no-op; without it, an error
    await s.execute("CREATE FUNCTION IF NOT EXISTS count_char AS 'count_char.ts'");
    await assert.rejects(s.execute("CREATE FUNCTION count_char AS 'count_char.ts'"), /already exists/);
    // declared argument types are checked
    await assert.rejects(
      s.execute('SELECT count_char(1, 2)'),
      /Cannot apply 'count_char' to arguments of type count_char\(<INT>, <INT>\)/,
    );
  });

  test('SHOW FUNCTIONS lists user functions with the built-ins; SHOW USER FUNCTIONS only them; DROP FUNCTION', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION count_char AS 'count_char.ts'");
    await s.execute("CREATE TEMPORARY FUNCTION my_sum AS 'my_sum.ts'");
    const all = lines(await s.execute('SHOW FUNCTIONS'));
    assert.ok(all.includes('+I[count_char]') && all.includes('+I[my_sum]') && all.includes('+I[UPPER]'));
    assert.deepEqual(lines(await s.execute('SHOW USER FUNCTIONS')), ['+I[count_char]', '+I[my_sum]']);
    assert.deepEqual(lines(await s.execute("SHOW USER FUNCTIONS LIKE 'count%'")), ['+I[count_char]']);
    await s.execute('DROP TEMPORARY FUNCTION my_sum');
    await s.execute('DROP FUNCTION IF EXISTS my_sum');
    await assert.rejects(s.execute('DROP FUNCTION my_sum'), /Function my_sum doesn't exist/);
    assert.deepEqual(lines(await s.execute('SHOW USER FUNCTIONS')), ['+I[count_char]']);
    await s.execute('DROP FUNCTION count_char');
    await assert.rejects(s.execute("SELECT count_char('a', 'a')"), /No match found for function signature COUNT_CHAR/);
  });

  test('user functions belong to their session', async () => {
    const a = newSession();
    const b = newSession();
    await a.execute("CREATE FUNCTION twice AS 'twice.mjs'");
    assert.deepEqual(lines(await a.execute('SELECT twice(21)')), ['+I[42]']);
    await assert.rejects(b.execute('SELECT twice(21)'), /No match found for function signature TWICE/);
  });

  test('bad module paths, Java class names and wrong module shapes are refused at CREATE FUNCTION', async () => {
    const s = newSession();
    const refuse = (sql: string, re: RegExp) =>
      assert.rejects(s.execute(sql), (err: Error) => {
        assert.equal(err.name, 'SqlValidationError');
        assert.match(err.message, /^SQL validation error at line 1, column 1: /);
        assert.match(err.message, re);
        return true;
      });
    await refuse("CREATE FUNCTION f AS 'missing.ts'", /UDF module 'missing.ts' not found in the UDF folder/);
    await refuse("CREATE FUNCTION f AS '../etc/evil.ts'", /is outside the UDF folder/);
    await refuse("CREATE FUNCTION f AS '/etc/passwd'", /is outside the UDF folder/);
    await refuse(
      "CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'",
      /looks like a Java class name.*give a module path/,
    );
    await refuse("CREATE FUNCTION f AS 'count_char.ts' LANGUAGE JAVA", /LANGUAGE JAVA is not supported/);
    await refuse("CREATE FUNCTION f AS 'no_returns.ts'", /'returns' must be a Flink type string/);
    await refuse("CREATE FUNCTION f AS 'no_eval.ts'", /a table function needs a 'eval' method/);
    await refuse("CREATE FUNCTION f AS 'bad_type.ts'", /invalid 'returns' type 'NOT A TYPE'/);
    await refuse("CREATE FUNCTION f AS 'split.ts' USING JAR 'x.jar'", /USING JAR is not supported/);
    assert.deepEqual(lines(await s.execute('SHOW USER FUNCTIONS')), []);
    // the folder comes from `table.udf.dir` when set
    await s.execute(`SET 'table.udf.dir' = '${FIXTURES}'`);
    await s.execute("CREATE FUNCTION count_char AS 'count_char'");
    assert.deepEqual(lines(await s.execute("SELECT count_char('cocoa', 'c')")), ['+I[2]']);
  });
});

describe('UDFs: table functions (LATERAL TABLE)', () => {
  const data = "(VALUES (1, 'hello big world'), (2, ''), (3, 'x')) AS T(id, s)";

  test('comma join with the declared column names, and CROSS JOIN with alias columns', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION split AS 'split.ts'");
    const a = await s.execute(`SELECT id, word, len FROM ${data}, LATERAL TABLE(split(s))`);
    assert.deepEqual(lines(a), ['+I[1, hello, 5]', '+I[1, big, 3]', '+I[1, world, 5]', '+I[3, x, 1]']);
    const b = await s.execute(
      `SELECT id, W.w, l * 10 AS l10 FROM ${data} CROSS JOIN LATERAL TABLE(split(s)) AS W(w, l) WHERE l > 1`,
    );
    assert.deepEqual(lines(b), ['+I[1, hello, 50]', '+I[1, big, 30]', '+I[1, world, 50]']);
    const c = await s.execute(`SELECT id, word FROM ${data} JOIN LATERAL TABLE(split(s)) ON len = 3`);
    assert.deepEqual(lines(c), ['+I[1, big]']);
    await assert.rejects(
      s.execute(`SELECT * FROM ${data}, LATERAL TABLE(split(s)) AS W(a)`),
      /List of column aliases must have same degree/,
    );
  });

  test('LEFT JOIN LATERAL ... ON TRUE keeps rows without output; a non-ROW result is one column f0', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION split AS 'split.ts'");
    await s.execute("CREATE FUNCTION chars AS 'chars.ts'");
    const a = await s.execute(`SELECT id, w, l FROM ${data} LEFT JOIN LATERAL TABLE(split(s)) AS W(w, l) ON TRUE`);
    assert.deepEqual(lines(a), [
      '+I[1, hello, 5]',
      '+I[1, big, 3]',
      '+I[1, world, 5]',
      '+I[2, NULL, NULL]',
      '+I[3, x, 1]',
    ]);
    const b = await s.execute("SELECT f0 FROM (VALUES ('ab')) AS T(s), LATERAL TABLE(chars(s))");
    assert.deepEqual(lines(b), ['+I[a]', '+I[b]']);
    await assert.rejects(
      s.execute(`SELECT * FROM ${data} LEFT JOIN LATERAL TABLE(split(s)) ON len > 1`),
      /only supported with ON TRUE/,
    );
  });
});

describe('UDFs: aggregate functions', () => {
  const changelog = JSON.stringify([
    ['a', 1],
    ['a', 2],
    ['b', 5],
    { kind: '-D', row: ['a', 1] },
    { kind: '-U', row: ['b', 5] },
    { kind: '+U', row: ['b', 7] },
  ]);

  test('GROUP BY over an updating input with retract', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION my_sum AS 'my_sum.ts'");
    await s.execute(
      `CREATE TABLE t (k STRING, v BIGINT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D', 'data' = '${changelog}')`,
    );
    const r = await s.execute('SELECT k, my_sum(v) AS total FROM t GROUP BY k');
    assert.deepEqual(lines(r), [
      '+I[a, 1]',
      '-U[a, 1]',
      '+U[a, 3]',
      '+I[b, 5]',
      '-U[a, 3]',
      '+U[a, 2]',
      '-D[b, 5]',
      '+I[b, 7]',
    ]);
    // INT arguments are cast to the declared BIGINT
    const v = await s.execute('SELECT my_sum(x) FROM (VALUES (1), (2), (40)) AS T(x)');
    assert.deepEqual(lines(v).at(-1), '+U[43]');
  });

  test('without retract: fine over append-only input (GROUP BY and window), refused over updating input', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION concat_agg AS 'concat_agg.ts'");
    const r = await s.execute(
      "SELECT k, concat_agg(w) AS ws FROM (VALUES ('a', 'x'), ('a', 'y'), ('b', 'z')) AS T(k, w) GROUP BY k",
    );
    assert.deepEqual(
      lines(r).filter((l) => !l.startsWith('-U')),
      ['+I[a, x]', '+U[a, x,y]', '+I[b, z]'],
    );
    await s.execute(
      `CREATE TABLE ev (k STRING, w STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'values', 'data' = '${JSON.stringify(
        [
          ['a', 'p', '2024-01-01 00:00:01.000'],
          ['a', 'q', '2024-01-01 00:00:02.000'],
          ['a', 'r', '2024-01-01 00:00:11.000'],
        ],
      )}')`,
    );
    const w = await s.execute(
      "SELECT window_start, k, concat_agg(w) AS ws FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k",
    );
    assert.deepEqual(lines(w), ['+I[2024-01-01 00:00:00.000, a, p,q]', '+I[2024-01-01 00:00:10.000, a, r]']);
    await s.execute(
      `CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D', 'data' = '[["a","x"]]')`,
    );
    await assert.rejects(
      s.execute('SELECT k, concat_agg(v) FROM t GROUP BY k'),
      /SQL validation error at line 1, column 11: Aggregate function 'concat_agg' does not implement retract/,
    );
  });
});

describe('UDFs: failures at run time', () => {
  test('a UDF that throws fails the statement naming the function and its input', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION boom AS 'boom.ts'");
    assert.deepEqual(lines(await s.execute("SELECT boom(s, 'x') FROM (VALUES ('ab')) AS T(s)")), ['+I[2]']);
    await assert.rejects(s.execute("SELECT boom(s, 'x') FROM (VALUES ('ab'), ('abc')) AS T(s)"), (err: Error) => {
      assert.equal(err.message, "UDF 'boom' failed on ('abc', 'x'): kaboom");
      return true;
    });
    const job = s.jobs.at(-1)!;
    assert.equal(job.status, 'FAILED');
  });

  test('a result that does not fit `returns` fails with the function name', async () => {
    const s = newSession();
    await s.execute("CREATE FUNCTION bad_return AS 'bad_return.ts'");
    await assert.rejects(
      s.execute('SELECT bad_return(x) FROM (VALUES (1)) AS T(x)'),
      /UDF 'bad_return' failed on \(1\): returned 'not a number' \(string\), which is not a INT/,
    );
  });
});

describe('UDFs: Nexmark q14 with its count_char UDF over the golden data', () => {
  test('q14 matches the golden results', async () => {
    const golden = loadGoldenData();
    const s = new SqlSession({ udfDir: FIXTURES, print: () => {} });
    after(() => s.close());
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const data = golden.bids.map((b) => [b.auction, b.bidder, b.price, b.channel, b.url, iso(b.dateTime), b.extra]);
    await s.execute(
      `CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR) WITH ('connector' = 'values', 'data' = '${JSON.stringify(data).replaceAll("'", "''")}')`,
    );
    const q14 = noComments(readNexmark('flink/queries/q14.sql'))
      // the query's own CREATE FUNCTION names the Java class; here the same UDF is a TypeScript module
      .replace("'com.github.nexmark.flink.udf.CountChar'", "'count_char.ts'")
      // run the INSERT's query as a SELECT (the sink is a blackhole)
      .replace(/CREATE TABLE nexmark_q14[^;]*;/, '')
      .replace('INSERT INTO nexmark_q14', '');
    const results = await s.executeScript(q14);
    const r = results.at(-1)!;
    assert.equal(r.kind, 'rows');
    if (r.kind !== 'rows') return;
    const rw = (ms: number) => iso(ms).replace(/\.000$/, '');
    const actual = r.rows.map(({ row }) => [
      String(row[0]),
      String(row[1]),
      (row[2] as Decimal).toString(),
      String(row[3]),
      rw(row[4] as number),
      String(row[6]),
    ]);
    const expected = loadGoldenResults().get('q14')!;
    const cmp = compareWithGolden(expected, actual);
    assert.ok(expected.rows.length > 0);
    assert.deepEqual({ missing: cmp.missing, unexpected: cmp.unexpected }, { missing: [], unexpected: [] });
    assert.ok(cmp.ok);
  });
});
