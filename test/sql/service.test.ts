/**
 * StatementService on a real in-process broker, without HTTP: a running SELECT keeps only its latest
 * rows, statement properties apply to that statement only, an INSERT commits its source offsets under
 * the statement's name and a stop/resume continues from them, and `_sql-statements` is a compacted topic.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { StatementService } from '../../src/sql/service/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('StatementService', async () => {
  const tb = await startTestBroker(after, { 'group.initial.rebalance.delay.ms': '0' });
  const topic = topicName('sql-svc-statements');
  const svc = await StatementService.start({ bootstrapServers: tb.bootstrap, topic, maxResultRows: 5 });
  after(() => svc.close());
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());
  const admin = client.admin();

  test('the statements topic is compacted', async () => {
    const [cfg] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
    const policy = cfg!.configs.find((c: { name: string }) => c.name === 'cleanup.policy');
    assert.equal(policy?.value, 'compact');
  });

  test('a running SELECT keeps its latest rows only', async () => {
    await svc.create({ sql: `CREATE TABLE fast (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '200')` });
    const st = await svc.create({ sql: 'SELECT n FROM fast' });
    assert.equal(st.status, 'RUNNING');
    const r = await until('rows beyond the capacity', () => {
      const x = svc.results(st.name);
      return x.dropped > 0 ? x : undefined;
    });
    assert.equal(r.rows.length, 5);
    assert.equal(r.rows.at(-1)!.seq, r.next - 1);
    assert.equal(r.rows[0]!.seq, r.dropped);
    assert.equal(r.complete, false);
    assert.equal((await svc.stop(st.name)).status, 'STOPPED');
    assert.equal(svc.results(st.name).complete, true);
  });

  test('properties are session options of their statement only', async () => {
    const sql = 'SELECT CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING) AS t';
    const tokyo = await svc.create({ sql, properties: { 'table.local-time-zone': 'Asia/Tokyo' } });
    const utc = await svc.create({ sql });
    const value = async (name: string) =>
      until(`${name} to finish`, () => {
        const r = svc.results(name);
        return r.complete ? r.rows[0]!.row[0] : undefined;
      });
    assert.equal(await value(tokyo.name), '1970-01-01 09:00:00.000');
    assert.equal(await value(utc.name), '1970-01-01 00:00:00.000');
    assert.deepEqual(svc.get(tokyo.name).properties, { 'table.local-time-zone': 'Asia/Tokyo' });
  });

  test('an INSERT commits its source offsets as group <statement name>; stop and resume continue from there', async () => {
    const [src, dst] = [topicName('svc-src'), topicName('svc-dst')];
    for (const name of [src, dst]) await admin.createTopics([{ name, numPartitions: 1 }]);
    const producer = client.producer();
    const send = async (ids: number[]) => {
      for (const id of ids) await producer.send({ topic: src, partition: 0, value: JSON.stringify({ id }) });
    };
    const count = async () => {
      const [end] = await admin.listOffsets([{ topic: dst, partition: 0, at: 'latest' }]);
      return Number(end!.offset);
    };
    await send([1, 2]);
    await svc.create({
      sql: `CREATE TABLE s_in (id INT) WITH ('connector' = 'kafka', 'topic' = '${src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    });
    await svc.create({
      sql: `CREATE TABLE s_out (id INT) WITH ('connector' = 'kafka', 'topic' = '${dst}', 'format' = 'json')`,
    });
    const job = await svc.create({ name: 'svc-copy', sql: 'INSERT INTO s_out SELECT id FROM s_in' });
    assert.equal(job.status, 'RUNNING');
    await until('2 records copied', async () => ((await count()) === 2 ? true : undefined));
    assert.equal((await svc.stop('svc-copy')).status, 'STOPPED');
    const committed = await admin.fetchOffsets('svc-copy');
    assert.equal(committed.find((c) => c.topic === src)?.offset, 2n);

    await send([3]);
    assert.equal((await svc.resume('svc-copy')).status, 'RUNNING');
    await until('the new record copied', async () => ((await count()) >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await count(), 3, 'records before the stop are not copied again');
    await producer.close();
    await svc.delete('svc-copy');
    assert.throws(() => svc.get('svc-copy'), /not found/);
  });
});
