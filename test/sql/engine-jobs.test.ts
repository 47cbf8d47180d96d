/**
 * Statement jobs: lifecycle (RUNNING → FINISHED / FAILED / CANCELED), a failing job reporting why without
 * affecting another, unbounded queries stopped by the caller, SHOW JOBS, scripts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatResultRows, SqlSession } from '../../src/sql/index.ts';

test('a failing job reports its error and does not affect another job', async (t) => {
  const printed: string[] = [];
  const s = new SqlSession({ print: (l) => printed.push(l) });
  t.after(() => s.close());
  await s.executeScript(`
    CREATE TABLE src (id INT, txt STRING) WITH ('connector' = 'values', 'data' = '[[1, "1"], [2, "x"], [3, "3"]]');
    CREATE TABLE ok_sink (id INT, n INT) WITH ('connector' = 'print', 'print-identifier' = 'ok');
    CREATE TABLE bad_sink (id INT, n INT) WITH ('connector' = 'print', 'print-identifier' = 'bad');
  `);
  const bad = await s.execute('INSERT INTO bad_sink SELECT id, CAST(txt AS INT) FROM src');
  const good = await s.execute('INSERT INTO ok_sink SELECT id, id * 10 FROM src');
  assert.ok(bad.kind === 'job' && good.kind === 'job');
  if (bad.kind !== 'job' || good.kind !== 'job') return;
  await assert.rejects(bad.job.wait(), /Cannot cast 'x' to INT/);
  await good.job.wait();
  assert.equal(bad.job.status, 'FAILED');
  assert.match(bad.job.error!.message, /Cannot cast 'x' to INT/);
  assert.equal(good.job.status, 'FINISHED');
  assert.deepEqual(good.job.metrics, { lateRecordsDropped: 0, rowsIn: 3, rowsOut: 3 });
  assert.ok(good.job.startedAt! <= good.job.endedAt!);
  assert.deepEqual(
    printed.filter((l) => l.startsWith('ok>')),
    ['ok> +I[1, 10]', 'ok> +I[2, 20]', 'ok> +I[3, 30]'],
  );
  const jobs = formatResultRows(await s.execute('SHOW JOBS'));
  assert.equal(jobs.length, 2);
  assert.match(jobs[0]!, /INSERT INTO bad_sink, FAILED\]$/);
  assert.match(jobs[1]!, /INSERT INTO ok_sink, FINISHED\]$/);
});

test('an unbounded INSERT runs until stopped', async (t) => {
  const printed: string[] = [];
  const s = new SqlSession({ print: (l) => printed.push(l) });
  t.after(() => s.close());
  await s.execute(
    `CREATE TABLE ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.n.min' = '1', 'fields.n.max' = '9')`,
  );
  await s.execute(`CREATE TABLE out_t (n BIGINT) WITH ('connector' = 'print')`);
  const r = await s.execute('INSERT INTO out_t SELECT n FROM ticks WHERE n > 0');
  assert.equal(r.kind, 'job');
  if (r.kind !== 'job') return;
  await sleep(150);
  assert.equal(r.job.status, 'RUNNING');
  await r.job.stop();
  assert.equal(r.job.status, 'CANCELED');
  const seen = printed.length;
  assert.ok(seen > 0, 'rows flowed before the stop');
  await sleep(50);
  assert.equal(printed.length, seen, 'nothing flows after the stop');
  assert.ok(printed.every((l) => /^\+I\[[1-9]\]$/.test(l)));
});

test('an unbounded SELECT returns its job; results grow until it is stopped', async (t) => {
  const s = new SqlSession();
  t.after(() => s.close());
  await s.execute(
    `CREATE TABLE ticks (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.n.min' = '1', 'fields.n.max' = '3')`,
  );
  const r = await s.execute('SELECT n, COUNT(*) FROM ticks GROUP BY n');
  assert.equal(r.kind, 'job');
  if (r.kind !== 'job') return;
  await sleep(150);
  await r.job.stop();
  const lines = formatResultRows(r);
  assert.ok(lines.length > 3);
  assert.ok(lines.some((l) => l.startsWith('-U[')) && lines.some((l) => l.startsWith('+U[')));
});

test('planning errors start no job; a script runs statement by statement', async (t) => {
  const s = new SqlSession({ print: () => {} });
  t.after(() => s.close());
  const results = await s.executeScript(`
    CREATE TABLE a (x INT) WITH ('connector' = 'values', 'data' = '[[1], [2]]');
    CREATE VIEW v AS SELECT x * 2 AS y FROM a;
    SELECT y FROM v;
  `);
  assert.equal(results.length, 3);
  assert.deepEqual(formatResultRows(results[2]!), ['+I[2]', '+I[4]']);
  await assert.rejects(s.execute('INSERT INTO a SELECT y FROM v'), /can only be used as a source/);
  await assert.rejects(
    s.execute('SELECT nope FROM v'),
    /SQL validation error at line 1, column 8: Column 'nope' not found in any table/,
  );
  assert.equal(s.jobs.length, 1);
});

test('an error raised while a timer fires windows (idle partitions) fails the job instead of the process', async (t) => {
  const s = new SqlSession({ print: () => {} });
  t.after(() => s.close());
  await s.execute(`CREATE TABLE quiet (item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
    'connector' = 'values', 'partitions' = '2', 'bounded' = 'false', 'scan.watermark.idle-timeout' = '10 ms',
    'data' = '[["a", "2024-01-01 00:00:01"], ["a", "2024-01-01 00:00:15"]]')`);
  await s.execute(`CREATE TABLE sink_p (n INT) WITH ('connector' = 'print')`);
  const r = await s.execute(`INSERT INTO sink_p SELECT CAST(item AS INT) FROM
    (SELECT item, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE quiet, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item)`);
  assert.equal(r.kind, 'job');
  if (r.kind !== 'job') return;
  await assert.rejects(r.job.wait(), /Cannot cast 'a' to INT/);
  assert.equal(r.job.status, 'FAILED');
});
