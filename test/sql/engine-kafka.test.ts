/**
 * The SQL engine against a real in-process broker: JSON records produced with the project's producer,
 * read through the `kafka` connector with a bounded scan, aggregated into an `upsert-kafka` sink, and
 * the sink topic read back as a final table (last value per key, tombstones delete) — with the project's
 * consumer and through the `upsert-kafka` source. Also metadata columns, key fields, append-only sinks,
 * startup modes and the rejection of updates into an append-only topic.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { formatResultRows, type Result, SqlSession } from '../../src/sql/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

interface Order {
  id: number;
  user_name: string;
  amount: number;
  ts: string;
}

const ORDERS: Order[] = [
  { id: 1, user_name: 'alice', amount: 10, ts: '2024-01-01 00:00:01.000' },
  { id: 2, user_name: 'bob', amount: 5, ts: '2024-01-01 00:00:02.000' },
  { id: 3, user_name: 'alice', amount: 7, ts: '2024-01-01 00:00:03.000' },
  { id: 4, user_name: 'carol', amount: 20, ts: '2024-01-01 00:00:04.000' },
  { id: 5, user_name: 'alice', amount: 1, ts: '2024-01-01 00:00:05.000' },
  { id: 6, user_name: 'bob', amount: 8, ts: '2024-01-01 00:00:06.000' },
  { id: 7, user_name: 'dave', amount: 3, ts: '2024-01-01 00:00:12.000' },
];

describe('SQL engine with Kafka', async () => {
  const tb = await startTestBroker(after);
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());
  const admin = client.admin();
  const producer = client.producer();

  async function createTopic(partitions: number, prefix: string): Promise<string> {
    const name = topicName(prefix);
    const [r] = await admin.createTopics([{ name, numPartitions: partitions }]);
    assert.equal(r!.error, null);
    return name;
  }

  /** Every record of a topic, read from the start up to the end offsets at call time. */
  async function readTopic(
    topic: string,
  ): Promise<Array<{ key: string | null; value: string | null; partition: number }>> {
    const [desc] = await admin.describeTopics([topic]);
    const tps = desc!.partitions.map((p) => ({ topic, partition: p.partition }));
    const ends = await admin.listOffsets(tps.map((tp) => ({ ...tp, at: 'latest' as const })));
    const remaining = new Map(ends.filter((e) => e.offset > 0n).map((e) => [e.partition, e.offset]));
    const out: Array<{ key: string | null; value: string | null; partition: number }> = [];
    if (remaining.size === 0) return out;
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign(tps.map((tp) => ({ ...tp, offset: 0n })));
    const deadline = Date.now() + 15_000;
    while (remaining.size > 0 && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) {
        out.push({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, partition: r.partition });
        if (r.offset + 1n >= (remaining.get(r.partition) ?? 0n)) remaining.delete(r.partition);
      }
    }
    await consumer.close();
    assert.equal(remaining.size, 0, 'read the whole topic');
    return out;
  }

  /** The topic as a table: the last value per key, a tombstone deletes the key. */
  async function finalTable(topic: string): Promise<Map<string, unknown>> {
    const table = new Map<string, unknown>();
    for (const r of await readTopic(topic)) {
      assert.ok(r.key !== null, 'upsert records have keys');
      if (r.value === null) table.delete(r.key);
      else table.set(r.key, JSON.parse(r.value));
    }
    return table;
  }

  const ordersTopic = await createTopic(3, 'sql-orders');
  await producer.sendBatch(
    ORDERS.map((o) => ({
      topic: ordersTopic,
      key: o.user_name,
      value: JSON.stringify(o),
      timestamp: Date.parse(`${o.ts.replace(' ', 'T')}Z`),
      headers: { source: 'test' },
    })),
  );
  await producer.flush();

  const newSession = async (): Promise<SqlSession> => {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    await s.execute(`CREATE TABLE orders (
        id INT,
        user_name STRING,
        amount INT,
        ts TIMESTAMP(3),
        kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
        part INT METADATA FROM 'partition' VIRTUAL,
        \`offset\` BIGINT METADATA VIRTUAL,
        headers MAP<STRING, BYTES> METADATA VIRTUAL,
        WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
      ) WITH (
        'connector' = 'kafka',
        'topic' = '${ordersTopic}',
        'properties.bootstrap.servers' = '${tb.bootstrap}',
        'scan.startup.mode' = 'earliest-offset',
        'scan.bounded.mode' = 'latest-offset',
        'format' = 'json'
      )`);
    return s;
  };

  const rows = (r: Result) => formatResultRows(r).sort();

  test('a bounded kafka scan returns every record with metadata columns', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    const r = await s.execute(
      `SELECT id, user_name, amount, CAST(kafka_ts AS STRING), part >= 0 AND part < 3, \`offset\` >= 0, CAST(headers['source'] AS STRING) FROM orders`,
    );
    assert.equal(r.kind, 'rows');
    assert.deepEqual(
      rows(r),
      ORDERS.map((o) => `+I[${o.id}, ${o.user_name}, ${o.amount}, ${o.ts}, TRUE, TRUE, test]`).sort(),
    );
    // records with the same key share a partition
    const parts = await s.execute(`SELECT DISTINCT user_name, part FROM orders`);
    const byUser = new Map<string, Set<string>>();
    for (const line of formatResultRows(parts)) {
      const [u, p] = line.slice(3, -1).split(', ');
      byUser.set(u!, (byUser.get(u!) ?? new Set()).add(p!));
    }
    for (const ps of byUser.values()) assert.equal(ps.size, 1);
  });

  test('GROUP BY into upsert-kafka: the sink topic read back is the correct table', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    const sinkTopic = await createTopic(2, 'sql-user-totals');
    await s.execute(`CREATE TABLE user_totals (
        user_name STRING,
        orders BIGINT,
        total INT,
        PRIMARY KEY (user_name) NOT ENFORCED
      ) WITH (
        'connector' = 'upsert-kafka',
        'topic' = '${sinkTopic}',
        'properties.bootstrap.servers' = '${tb.bootstrap}',
        'key.format' = 'json',
        'value.format' = 'json'
      )`);
    const r = await s.execute(
      `INSERT INTO user_totals SELECT user_name, COUNT(*), SUM(amount) FROM orders GROUP BY user_name`,
    );
    assert.equal(r.kind, 'job');
    if (r.kind !== 'job') return;
    await r.job.wait();
    assert.equal(r.job.status, 'FINISHED');
    const table = await finalTable(sinkTopic);
    assert.deepEqual(Object.fromEntries([...table].map(([k, v]) => [JSON.parse(k).user_name, v])), {
      alice: { user_name: 'alice', orders: 3, total: 18 },
      bob: { user_name: 'bob', orders: 2, total: 13 },
      carol: { user_name: 'carol', orders: 1, total: 20 },
      dave: { user_name: 'dave', orders: 1, total: 3 },
    });
    // the keys are the primary key in the key format
    for (const k of table.keys()) assert.deepEqual(Object.keys(JSON.parse(k)), ['user_name']);

    // and the upsert-kafka source materialises the same table
    const agg = await s.execute(
      `SELECT user_name, orders, total FROM user_totals /*+ OPTIONS('scan.bounded.mode'='latest-offset') */`,
    );
    const final = new Map<string, string>();
    for (const line of formatResultRows(agg)) {
      const body = line.slice(2);
      const name = body.slice(1).split(',')[0]!;
      if (line.startsWith('+I') || line.startsWith('+U')) final.set(name, body);
      else final.delete(name);
    }
    assert.deepEqual([...final.values()].sort(), ['[alice, 3, 18]', '[bob, 2, 13]', '[carol, 1, 20]', '[dave, 1, 3]']);
  });

  test('a group that stops qualifying is deleted from the upsert topic with a tombstone', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    const sinkTopic = await createTopic(1, 'sql-small-users');
    await s.execute(`CREATE TABLE small_users (user_name STRING, orders BIGINT, PRIMARY KEY (user_name) NOT ENFORCED)
      WITH ('connector' = 'upsert-kafka', 'topic' = '${sinkTopic}', 'key.format' = 'raw', 'value.format' = 'json')`);
    const r = await s.execute(
      `INSERT INTO small_users SELECT user_name, COUNT(*) FROM orders GROUP BY user_name HAVING COUNT(*) < 2`,
    );
    if (r.kind === 'job') await r.job.wait();
    const records = await readTopic(sinkTopic);
    assert.ok(
      records.some((x) => x.key === 'alice' && x.value === null),
      'alice got a tombstone',
    );
    const table = await finalTable(sinkTopic);
    assert.deepEqual([...table.keys()].sort(), ['carol', 'dave']);
    assert.deepEqual(table.get('carol'), { user_name: 'carol', orders: 1 });
  });

  test('a tumbling window into an append-only kafka sink with key fields, read back with SQL', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    const sinkTopic = await createTopic(2, 'sql-windows');
    await s.execute(`CREATE TABLE window_totals (
        user_name STRING, window_start TIMESTAMP(3), total INT
      ) WITH (
        'connector' = 'kafka', 'topic' = '${sinkTopic}',
        'key.format' = 'raw', 'key.fields' = 'user_name',
        'value.format' = 'json', 'value.fields-include' = 'ALL',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'
      )`);
    const r = await s.execute(`INSERT INTO window_totals
      SELECT user_name, window_start, SUM(amount)
      FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND))
      GROUP BY window_start, window_end, user_name`);
    if (r.kind === 'job') await r.job.wait();
    const records = await readTopic(sinkTopic);
    assert.equal(records.length, 4);
    for (const rec of records) assert.equal(rec.key, JSON.parse(rec.value!).user_name);
    const back = await s.execute(`SELECT * FROM window_totals`);
    assert.deepEqual(rows(back), [
      '+I[alice, 2024-01-01 00:00:00.000, 18]',
      '+I[bob, 2024-01-01 00:00:00.000, 13]',
      '+I[carol, 2024-01-01 00:00:00.000, 20]',
      '+I[dave, 2024-01-01 00:00:10.000, 3]',
    ]);
  });

  test('updates into an append-only kafka sink are rejected at planning', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    await s.execute(
      `CREATE TABLE append_out (user_name STRING, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 'unused', 'format' = 'json')`,
    );
    await assert.rejects(
      s.execute(`INSERT INTO append_out SELECT user_name, COUNT(*) FROM orders GROUP BY user_name`),
      /Table sink 'default_catalog.default_database.append_out' doesn't support consuming update changes which is produced by node GroupAggregate\(groupBy=\[user_name\]/,
    );
  });

  test('startup modes: latest-offset reads nothing, specific-offsets and timestamp skip records', async (t) => {
    const s = await newSession();
    t.after(() => s.close());
    const topic = await createTopic(1, 'sql-startup');
    await producer.sendBatch(
      [1, 2, 3, 4].map((i) => ({ topic, partition: 0, value: JSON.stringify({ n: i }), timestamp: 1000 * i })),
    );
    await producer.flush();
    const table = (name: string, extra: string) =>
      s.execute(`CREATE TABLE ${name} (n INT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json',
        'scan.bounded.mode' = 'latest-offset', ${extra})`);
    await table('from_latest', `'scan.startup.mode' = 'latest-offset'`);
    await table(
      'from_offset',
      `'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = 'partition:0,offset:2'`,
    );
    await table('from_ts', `'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '2000'`);
    await table('from_group', `'properties.group.id' = 'g-${topic}', 'properties.auto.offset.reset' = 'earliest'`);
    assert.deepEqual(rows(await s.execute('SELECT n FROM from_latest')), []);
    assert.deepEqual(rows(await s.execute('SELECT n FROM from_offset')), ['+I[3]', '+I[4]']);
    assert.deepEqual(rows(await s.execute('SELECT n FROM from_ts')), ['+I[2]', '+I[3]', '+I[4]']);
    assert.deepEqual(rows(await s.execute('SELECT n FROM from_group')), ['+I[1]', '+I[2]', '+I[3]', '+I[4]']);
    await table('bad_group', `'scan.startup.mode' = 'group-offsets'`);
    await assert.rejects(s.execute('SELECT n FROM bad_group'), /properties\.group\.id/);
  });

  test('formats: csv and raw read and written, json parse errors fail the job or are skipped', async (t) => {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    t.after(() => s.close());
    const csvTopic = await createTopic(1, 'sql-csv');
    await producer.sendBatch(
      ['1,alice,"hello, world"', '2,bob,', '3,"carol ""c""",x'].map((value) => ({ topic: csvTopic, value })),
    );
    const jsonTopic = await createTopic(1, 'sql-json-bad');
    await producer.sendBatch(['{"n": 1}', 'not json', '{"n": 2}'].map((value) => ({ topic: jsonTopic, value })));
    await producer.flush();
    const bounded = `'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'`;
    await s.execute(
      `CREATE TABLE people (id INT, name STRING, note STRING) WITH ('connector' = 'kafka', 'topic' = '${csvTopic}', 'format' = 'csv', ${bounded})`,
    );
    assert.deepEqual(rows(await s.execute('SELECT * FROM people')), [
      '+I[1, alice, hello, world]',
      '+I[2, bob, ]',
      '+I[3, carol "c", x]',
    ]);
    await s.execute(
      `CREATE TABLE lines (line STRING) WITH ('connector' = 'kafka', 'topic' = '${csvTopic}', 'format' = 'raw', ${bounded})`,
    );
    assert.deepEqual(rows(await s.execute("SELECT line FROM lines WHERE line LIKE '2%'")), ['+I[2,bob,]']);

    // written as csv with a raw key, read back as raw lines
    const outTopic = await createTopic(1, 'sql-csv-out');
    await s.execute(`CREATE TABLE csv_out (name STRING, id INT, note STRING) WITH ('connector' = 'kafka', 'topic' = '${outTopic}',
      'key.format' = 'raw', 'key.fields' = 'name', 'value.format' = 'csv', 'value.fields-include' = 'EXCEPT_KEY', 'value.csv.field-delimiter' = ';')`);
    const ins = await s.execute('INSERT INTO csv_out SELECT name, id, note FROM people');
    if (ins.kind === 'job') await ins.job.wait();
    const records = await readTopic(outTopic);
    assert.deepEqual(
      records.map((r) => `${r.key} => ${r.value}`),
      ['alice => 1;hello, world', 'bob => 2;', 'carol "c" => 3;x'],
    );

    await s.execute(
      `CREATE TABLE strict_json (n INT) WITH ('connector' = 'kafka', 'topic' = '${jsonTopic}', 'format' = 'json', ${bounded})`,
    );
    await assert.rejects(s.execute('SELECT n FROM strict_json'), /Failed to deserialize JSON 'not json'/);
    await s.execute(
      `CREATE TABLE lenient_json (n INT) WITH ('connector' = 'kafka', 'topic' = '${jsonTopic}', 'format' = 'json', 'json.ignore-parse-errors' = 'true', ${bounded})`,
    );
    assert.deepEqual(rows(await s.execute('SELECT n FROM lenient_json')), ['+I[1]', '+I[2]']);
  });

  test('metadata columns written by the sink: record timestamp and headers', async (t) => {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    t.after(() => s.close());
    const topic = await createTopic(1, 'sql-meta-out');
    await s.execute(`CREATE TABLE meta_out (
        id INT,
        event_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
        hdrs MAP<STRING, BYTES> METADATA FROM 'headers',
        part INT METADATA FROM 'partition' VIRTUAL
      ) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`);
    const r = await s.execute(
      `INSERT INTO meta_out SELECT 7, TO_TIMESTAMP_LTZ(1700000000123, 3), MAP['origin', CAST('sql' AS BYTES)]`,
    );
    if (r.kind === 'job') await r.job.wait();
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    let recs: Awaited<ReturnType<typeof consumer.poll>> = [];
    for (let i = 0; i < 50 && recs.length === 0; i++) recs = await consumer.poll(100);
    await consumer.close();
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.timestamp, 1700000000123n);
    assert.deepEqual(
      recs[0]!.headers.map((h) => [h.key, h.value?.toString()]),
      [['origin', 'sql']],
    );
    // the value holds only the physical column
    assert.deepEqual(JSON.parse(recs[0]!.value!.toString()), { id: 7 });
    const back = await s.execute(
      `SELECT id, CAST(event_time AS STRING), CAST(hdrs['origin'] AS STRING), part FROM meta_out`,
    );
    assert.deepEqual(rows(back), ['+I[7, 2023-11-14 22:13:20.123, sql, 0]']);
  });

  test('an unbounded kafka query runs until stopped, then reports CANCELED', async (t) => {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    t.after(() => s.close());
    const topic = await createTopic(1, 'sql-unbounded');
    await s.execute(
      `CREATE TABLE live (n INT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    );
    const r = await s.execute('SELECT n * 2 FROM live');
    assert.equal(r.kind, 'job');
    if (r.kind !== 'job') return;
    await producer.send({ topic, value: '{"n": 21}' });
    const deadline = Date.now() + 10_000;
    while (r.job.results.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(formatResultRows(r), ['+I[42]']);
    assert.equal(r.job.status, 'RUNNING');
    await r.job.stop();
    assert.equal(r.job.status, 'CANCELED');
  });
});
