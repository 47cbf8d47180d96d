/**
 * Statements and the catalog survive a platform restart on the same data dir: tables (plain, CTAS),
 * views and drops come back from `_sql-statements`; a RUNNING INSERT and a CTAS job resume from their
 * committed source offsets and keep writing (no record twice); a STOPPED query stays stopped; a
 * finished SELECT keeps its status and schema.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicName } from '../helpers/broker.ts';
import {
  api,
  bootstrap,
  createTopic,
  eventually,
  platform,
  produce,
  readTopic,
  removeDir,
  tempDir,
} from './api-helpers.ts';

test('catalog and statements come back after a restart; a running INSERT resumes where it was', async (t) => {
  const dir = tempDir('tributary-api-restart-');
  const src = topicName('sql-src');
  const dst = topicName('sql-dst');
  const copy = topicName('sql-copy');

  let p = await platform(dir);
  let running = true;
  t.after(async () => {
    if (running) await p.close();
    removeDir(dir);
  });
  let call = api(p);
  for (const topic of [src, dst, copy]) await createTopic(bootstrap(p), topic);
  await produce(
    bootstrap(p),
    src,
    [1, 2, 3].map((id) => ({ id, v: `v${id}` })),
  );
  const ok = async (sql: string, name?: string) => {
    const r = await call('POST', '/statements', { sql, name });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  await ok(
    `CREATE TABLE src_t (id INT, v STRING) WITH ('connector' = 'kafka', 'topic' = '${src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
  );
  await ok(`CREATE TABLE dst_t (id INT, v STRING) WITH ('connector' = 'kafka', 'topic' = '${dst}', 'format' = 'json')`);
  await ok(
    `CREATE VIEW big_ids AS SELECT id FROM src_t /*+ OPTIONS('scan.bounded.mode' = 'latest-offset') */ WHERE id > 1`,
  );
  await ok(`CREATE TABLE dropped_t (x INT) WITH ('connector' = 'blackhole')`);
  await ok('DROP TABLE dropped_t');
  const insert = await ok('INSERT INTO dst_t SELECT id, UPPER(v) FROM src_t', 'upper-job');
  assert.equal(insert.status, 'RUNNING');
  const ctas = await ok(
    `CREATE TABLE copy_t WITH ('connector' = 'kafka', 'topic' = '${copy}', 'format' = 'json') AS SELECT id, v FROM src_t`,
    'copy-job',
  );
  assert.equal(ctas.kind, 'INSERT');
  assert.equal(ctas.status, 'RUNNING');
  const sel = await ok('SELECT * FROM big_ids', 'done-select');
  await eventually('the SELECT to finish', async () =>
    (await call('GET', '/statements/done-select')).body.status === 'COMPLETED' ? true : undefined,
  );
  assert.equal(sel.bounded, true);
  await ok(`CREATE TABLE forever (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10')`);
  await ok('SELECT n FROM forever', 'stopped-select');
  assert.equal((await call('POST', '/statements/stopped-select/stop')).body.status, 'STOPPED');

  await eventually('the INSERT and CTAS to copy 3 records', async () => {
    const [a, b] = [await readTopic(bootstrap(p), dst), await readTopic(bootstrap(p), copy)];
    return a.length === 3 && b.length === 3 ? true : undefined;
  });
  const before = (await call('GET', '/statements')).body.statements;
  running = false;
  await p.close();

  // the same data dir: a new broker, registry and API, on new ports
  p = await platform(dir);
  running = true;
  call = api(p);
  const after = (await call('GET', '/statements')).body.statements;
  assert.deepEqual(
    after.map((s: { name: string }) => s.name),
    before.map((s: { name: string }) => s.name),
  );
  const status = Object.fromEntries(after.map((s: { name: string; status: string }) => [s.name, s.status]));
  assert.equal(status['upper-job'], 'RUNNING');
  assert.equal(status['copy-job'], 'RUNNING');
  assert.equal(status['done-select'], 'COMPLETED');
  assert.equal(status['stopped-select'], 'STOPPED');
  const results = (await call('GET', '/statements/done-select/results')).body;
  assert.deepEqual(results.schema, [{ name: 'id', type: 'INT' }]);
  assert.equal(results.complete, true);
  assert.equal(results.available, false, 'rows of a SELECT are not kept across restarts');

  const show = async (sql: string): Promise<string[]> => {
    const s = await ok(sql);
    return (await call('GET', `/statements/${s.name}/results`)).body.rows.map((r: { row: string[] }) => r.row[0]);
  };
  const tables = await show('SHOW TABLES');
  for (const name of ['src_t', 'dst_t', 'copy_t', 'forever']) assert.ok(tables.includes(name), name);
  assert.ok(!tables.includes('dropped_t'));
  assert.deepEqual(await show('SHOW VIEWS'), ['big_ids']);
  const view = await ok('SELECT * FROM big_ids');
  await eventually('the view query', async () =>
    (await call('GET', `/statements/${view.name}`)).body.status === 'COMPLETED' ? true : undefined,
  );
  assert.deepEqual(
    (await call('GET', `/statements/${view.name}/results`)).body.rows.map((r: { values: number[] }) => r.values[0]),
    [2, 3],
  );

  // new input reaches the resumed jobs, and nothing is copied twice
  await produce(
    bootstrap(p),
    src,
    [4, 5].map((id) => ({ id, v: `v${id}` })),
  );
  const copied = await eventually('the resumed jobs to copy the new records', async () => {
    const [a, b] = [await readTopic(bootstrap(p), dst), await readTopic(bootstrap(p), copy)];
    return a.length >= 5 && b.length >= 5 ? { a, b } : undefined;
  });
  assert.deepEqual(
    copied.a,
    [1, 2, 3, 4, 5].map((id) => ({ id, v: `V${id}` })),
  );
  assert.deepEqual(
    copied.b,
    [1, 2, 3, 4, 5].map((id) => ({ id, v: `v${id}` })),
  );
  // and it stays so
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await readTopic(bootstrap(p), dst)).length, 5);
  assert.equal((await call('GET', '/statements/upper-job')).body.status, 'RUNNING');
});
