/**
 * The platform API's statements (`/api/v1/statements`) against the platform in process: DDL, bounded
 * SELECT over datagen and over a Kafka topic, changelog results, list, stop/resume/delete of a running
 * query, 400 with line/column for bad SQL, 404, 409, and a failing statement that leaves the others
 * running.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { topicName } from '../helpers/broker.ts';
import { api, bootstrap, createTopic, eventually, produce, tempPlatform } from './api-helpers.ts';

describe('platform API: statements', async () => {
  const p = await tempPlatform(after);
  const call = api(p);
  const done = (name: string) =>
    eventually(`${name} to finish`, async () => {
      const r = await call('GET', `/statements/${name}`);
      return r.body.status === 'RUNNING' || r.body.status === 'PENDING' ? undefined : r.body;
    });

  test('the platform prints its api endpoint', () => {
    assert.ok(p.endpoints.includes(`api ${p.api!.url}`), p.endpoints.join('\n'));
  });

  test('DDL, a bounded SELECT over datagen, results, list', async () => {
    const ddl = await call('POST', '/statements', {
      name: 'make-nums',
      sql: `CREATE TABLE nums (id INT, grp INT) WITH (
        'connector' = 'datagen', 'number-of-rows' = '6',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6',
        'fields.grp.min' = '1', 'fields.grp.max' = '2')`,
    });
    assert.equal(ddl.status, 201);
    assert.equal(ddl.body.name, 'make-nums');
    assert.equal(ddl.body.kind, 'DDL');
    assert.equal(ddl.body.status, 'COMPLETED');

    const sel = await call('POST', '/statements', { sql: 'SELECT id, id * 10 AS ten FROM nums WHERE id <= 3' });
    assert.equal(sel.status, 201);
    assert.match(sel.body.name, /^stmt-\d+$/);
    assert.equal(sel.body.kind, 'SELECT');
    assert.equal(sel.body.bounded, true);
    assert.deepEqual(sel.body.schema, [
      { name: 'id', type: 'INT' },
      { name: 'ten', type: 'INT' },
    ]);
    assert.equal((await done(sel.body.name)).status, 'COMPLETED');
    const res = await call('GET', `/statements/${sel.body.name}/results`);
    assert.equal(res.status, 200);
    assert.equal(res.body.complete, true);
    assert.equal(res.body.updating, false);
    assert.deepEqual(
      res.body.rows.map((r: { op: string; row: string[]; values: number[] }) => [r.op, ...r.row, ...r.values]),
      [
        ['+I', '1', '10', 1, 10],
        ['+I', '2', '20', 2, 20],
        ['+I', '3', '30', 3, 30],
      ],
    );
    // only rows from a sequence number on
    const later = await call('GET', `/statements/${sel.body.name}/results?from=2`);
    assert.deepEqual(
      later.body.rows.map((r: { seq: number }) => r.seq),
      [2],
    );

    // an updating result: op -U/+U as the count per group changes
    const agg = await call('POST', '/statements', { sql: 'SELECT grp, COUNT(*) AS n FROM nums GROUP BY grp' });
    assert.equal((await done(agg.body.name)).status, 'COMPLETED');
    const changes = (await call('GET', `/statements/${agg.body.name}/results`)).body;
    assert.equal(changes.updating, true);
    const ops = new Set(changes.rows.map((r: { op: string }) => r.op));
    assert.ok(ops.has('-U') && ops.has('+U'), JSON.stringify(changes.rows));
    // the final table: the last +I/+U per group
    const final = new Map<string, string>();
    for (const r of changes.rows) if (r.op === '+I' || r.op === '+U') final.set(r.row[0], r.row[1]);
    assert.equal(
      [...final.values()].reduce((a, b) => a + Number(b), 0),
      6,
    );

    const show = await call('POST', '/statements', { sql: 'SHOW TABLES' });
    assert.equal(show.body.status, 'COMPLETED');
    const tables = (await call('GET', `/statements/${show.body.name}/results`)).body.rows.map(
      (r: { row: string[] }) => r.row[0],
    );
    assert.ok(tables.includes('nums'));

    const list = await call('GET', '/statements');
    const names = list.body.statements.map((s: { name: string }) => s.name);
    for (const n of ['make-nums', sel.body.name, agg.body.name, show.body.name]) assert.ok(names.includes(n), n);
    const one = await call('GET', '/statements/make-nums');
    assert.equal(one.body.sql.startsWith('CREATE TABLE nums'), true);
  });

  test('a bounded SELECT over a Kafka topic (scan.bounded.mode = latest-offset)', async () => {
    const topic = topicName('sql-api-orders');
    await createTopic(bootstrap(p), topic);
    await produce(bootstrap(p), topic, [
      { id: 1, who: 'alice', amount: 10 },
      { id: 2, who: 'bob', amount: 5 },
      { id: 3, who: 'alice', amount: 7 },
    ]);
    const ddl = await call('POST', '/statements', {
      sql: `CREATE TABLE orders_k (id INT, who STRING, amount INT) WITH ('connector' = 'kafka', 'topic' = '${topic}',
        'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`,
    });
    assert.equal(ddl.body.status, 'COMPLETED');
    const sel = await call('POST', '/statements', {
      sql: 'SELECT who, SUM(amount) AS total FROM orders_k GROUP BY who',
    });
    assert.equal(sel.body.bounded, true);
    assert.equal((await done(sel.body.name)).status, 'COMPLETED');
    const rows = (await call('GET', `/statements/${sel.body.name}/results`)).body.rows;
    const final = new Map<string, number>();
    for (const r of rows) if (r.op === '+I' || r.op === '+U') final.set(r.values[0], r.values[1]);
    assert.deepEqual(Object.fromEntries(final), { alice: 17, bob: 5 });
  });

  test('an unbounded SELECT runs until stopped; resume and delete', async () => {
    await call('POST', '/statements', {
      sql: `CREATE TABLE ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50')`,
    });
    const sel = await call('POST', '/statements', { name: 'watch-ticks', sql: 'SELECT n FROM ticks' });
    assert.equal(sel.status, 201);
    assert.equal(sel.body.status, 'RUNNING');
    assert.equal(sel.body.bounded, false);
    const some = await eventually('rows of a running query', async () => {
      const r = (await call('GET', '/statements/watch-ticks/results')).body;
      return r.rows.length >= 3 ? r : undefined;
    });
    assert.equal(some.complete, false);

    const stopped = await call('POST', '/statements/watch-ticks/stop');
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.status, 'STOPPED');
    const again = await call('POST', '/statements/watch-ticks/stop');
    assert.equal(again.status, 409);

    const resumed = await call('POST', '/statements/watch-ticks/resume');
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.status, 'RUNNING');
    await eventually('rows after resume', async () => {
      const r = (await call('GET', '/statements/watch-ticks/results')).body;
      return r.rows.length >= 1 ? r : undefined;
    });

    const del = await call('DELETE', '/statements/watch-ticks');
    assert.equal(del.status, 204);
    const gone = await call('GET', '/statements/watch-ticks');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, 40401);
  });

  test('bad SQL is 400 with the one-line message, line and column; nothing is stored', async () => {
    const before = (await call('GET', '/statements')).body.statements.length;
    const parse = await call('POST', '/statements', { sql: 'SELECT 1\nFORM nums' });
    assert.equal(parse.status, 400);
    assert.equal(parse.body.error_code, 40001);
    assert.match(parse.body.message, /^SQL parse error at line 2, column 1: /);
    assert.ok(!parse.body.message.includes('\n'));
    assert.equal(parse.body.line, 2);
    assert.equal(parse.body.column, 1);

    const unknown = await call('POST', '/statements', { sql: 'SELECT nope FROM nums' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /Column 'nope' not found/);
    assert.equal(unknown.body.line, 1);
    assert.equal(unknown.body.column, 8);

    const noTable = await call('POST', '/statements', { sql: 'SELECT * FROM missing_table' });
    assert.equal(noTable.status, 400);
    assert.match(noTable.body.message, /missing_table/);

    const set = await call('POST', '/statements', { sql: "SET 'table.local-time-zone' = 'UTC'" });
    assert.equal(set.status, 400);
    assert.match(set.body.message, /properties/);

    const noSql = await call('POST', '/statements', { name: 'x' });
    assert.equal(noSql.status, 400);
    assert.equal((await call('GET', '/statements')).body.statements.length, before);
  });

  test('404 for unknown statements, 409 for a taken name or a wrong state', async () => {
    for (const [method, path] of [
      ['GET', '/statements/nope'],
      ['GET', '/statements/nope/results'],
      ['POST', '/statements/nope/stop'],
      ['POST', '/statements/nope/resume'],
      ['DELETE', '/statements/nope'],
    ] as const) {
      const r = await call(method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.deepEqual(Object.keys(r.body).sort(), ['error_code', 'message']);
    }
    const first = await call('POST', '/statements', { name: 'only-once', sql: 'SHOW TABLES' });
    assert.equal(first.status, 201);
    const second = await call('POST', '/statements', { name: 'only-once', sql: 'SHOW TABLES' });
    assert.equal(second.status, 409);
    assert.equal(second.body.error_code, 40901);
    assert.match(second.body.message, /already exists/);
    const resume = await call('POST', '/statements/only-once/resume');
    assert.equal(resume.status, 409);
    const badName = await call('POST', '/statements', { name: 'no spaces', sql: 'SHOW TABLES' });
    assert.equal(badName.status, 400);
  });

  test('a failing statement records why and does not affect other statements', async () => {
    await call('POST', '/statements', {
      sql: `CREATE TABLE words (w STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.w.length' = '3')`,
    });
    await call('POST', '/statements', {
      sql: `CREATE TABLE steady (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20')`,
    });
    await call('POST', '/statements', {
      sql: `CREATE TABLE sink_bh (n BIGINT) WITH ('connector' = 'blackhole')`,
    });
    const running = await call('POST', '/statements', {
      name: 'keeps-running',
      sql: 'INSERT INTO sink_bh SELECT n FROM steady',
    });
    assert.equal(running.body.status, 'RUNNING');
    assert.equal(running.body.kind, 'INSERT');

    const bad = await call('POST', '/statements', { name: 'bad-cast', sql: 'SELECT CAST(w AS INT) FROM words' });
    assert.equal(bad.status, 201, 'it plans; it fails while running');
    const failed = await done('bad-cast');
    assert.equal(failed.status, 'FAILED');
    assert.match(failed.error, /Cannot cast '.*' to INT/);
    assert.ok(!failed.error.includes('\n'));

    assert.equal((await call('GET', '/statements/keeps-running')).body.status, 'RUNNING');
    const ok = await call('POST', '/statements', { sql: 'SELECT COUNT(*) AS c FROM words' });
    const okDone = await done(ok.body.name);
    assert.equal(okDone.status, 'COMPLETED');
    const rows = (await call('GET', `/statements/${ok.body.name}/results`)).body.rows;
    assert.equal(rows.at(-1).values[0], 5);
    assert.equal((await call('POST', '/statements/keeps-running/stop')).body.status, 'STOPPED');
  });

  test('stop with a savepoint over HTTP; bad stop bodies and savepoint paths are 400', async () => {
    const topic = topicName('api-sp');
    await createTopic(bootstrap(p), topic);
    assert.equal(
      (
        await call('POST', '/statements', {
          sql: `CREATE TABLE sp_ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50',
            'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '1000000')`,
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await call('POST', '/statements', {
          sql: `CREATE TABLE sp_out (n BIGINT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json')`,
        })
      ).status,
      201,
    );
    const ins = await call('POST', '/statements', {
      name: 'sp-copy',
      sql: 'INSERT INTO sp_out SELECT n FROM sp_ticks',
    });
    assert.equal(ins.status, 201);
    const raw = (body: string) =>
      fetch(`${p.api!.url}/api/v1/statements/sp-copy/stop`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { message: string } }));
    const notJson = await raw('{savepoint');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.message, /the body must be JSON/);
    const notBool = await raw('{"savepoint": "yes"}');
    assert.equal(notBool.status, 400);
    assert.match(notBool.body.message, /"savepoint" must be true or false/);
    assert.equal((await call('GET', '/statements/sp-copy')).body.status, 'RUNNING', 'a refused stop stops nothing');

    const stopped = await call('POST', '/statements/sp-copy/stop', { savepoint: true });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.status, 'STOPPED');
    assert.match(stopped.body.savepoint, /^savepoint-sp-copy-[0-9a-f]{8}$/);

    const bad = await call('POST', '/statements', {
      sql: 'INSERT INTO sp_out SELECT n FROM sp_ticks',
      properties: { 'execution.savepoint.path': 'not a path' },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /Savepoint path 'not a path' is not one Tributary wrote/);
    const select = await call('POST', '/statements', { name: 'sp-select', sql: 'SELECT n FROM sp_ticks' });
    const noSp = await call('POST', '/statements/sp-select/stop', { savepoint: true });
    assert.equal(noSp.status, 400);
    assert.match(noSp.body.message, /only an INSERT has a savepoint/);
    assert.equal(select.status, 201);
    assert.equal((await call('POST', '/statements/sp-select/stop')).body.status, 'STOPPED');
  });
});
