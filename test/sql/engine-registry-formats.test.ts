/**
 * The registry-backed formats of the `kafka` / `upsert-kafka` connectors against a real in-process broker
 * and schema registry: `avro-confluent` (Flink's derived Avro schema registered under `<topic>-value`,
 * every supported type round-tripped, records of other writers resolved by field name), `json-registry`,
 * upsert keys in Avro, data-contract rules failing an INSERT, and the errors (missing url, bad payloads).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { formatResultRows, type Result, SqlSession } from '../../src/sql/index.ts';
import { topicName } from '../helpers/broker.ts';
import { sr, startTestRegistry } from '../registry/helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS client
const confluent: any = require('@confluentinc/schemaregistry');

const NS = 'org.apache.flink.avro.generated';

describe('SQL registry formats', async () => {
  const r = await startTestRegistry(after);
  const bootstrap = r.broker.bootstrap;
  const client = new Client({ bootstrapServers: bootstrap });
  after(() => client.close());
  const admin = client.admin();
  const producer = client.producer();

  async function createTopic(prefix: string, partitions = 1): Promise<string> {
    const name = topicName(prefix);
    const [res] = await admin.createTopics([{ name, numPartitions: partitions }]);
    assert.equal(res!.error, null);
    return name;
  }

  async function session(t: { after(fn: () => Promise<void>): void }): Promise<SqlSession> {
    const s = new SqlSession({
      bootstrapServers: bootstrap,
      print: () => {},
      options: { 'table.local-time-zone': 'UTC' },
    });
    t.after(() => s.close());
    return s;
  }

  const bounded = `'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'`;

  async function run(s: SqlSession, sql: string): Promise<void> {
    const res = await s.execute(sql);
    assert.equal(res.kind, 'job');
    if (res.kind === 'job') await res.job.wait();
  }

  async function rows(s: SqlSession, sql: string): Promise<string[]> {
    const res: Result = await s.execute(sql);
    assert.equal(res.kind, 'rows');
    return formatResultRows(res).sort();
  }

  const allColumns = `
      id INT NOT NULL,
      b BOOLEAN,
      ti TINYINT,
      si SMALLINT,
      i INT,
      bi BIGINT,
      f FLOAT,
      d DOUBLE,
      s STRING NOT NULL,
      vc VARCHAR(10),
      bin BYTES,
      amount DECIMAL(10, 2),
      dt DATE,
      tm TIME(3),
      ts TIMESTAMP(3),
      ltz TIMESTAMP_LTZ(3),
      addr ROW<street STRING, zip INT NOT NULL>,
      tags ARRAY<STRING>,
      attrs MAP<STRING, INT>`;
  const allValues = `
      (1, TRUE, CAST(-7 AS TINYINT), CAST(300 AS SMALLINT), 42, CAST(9007199254740990 AS BIGINT), CAST(1.5 AS FLOAT),
       2.25, 'héllo', 'short', CAST('ab' AS BYTES), CAST(-12345678.91 AS DECIMAL(10, 2)), DATE '2024-02-29',
       TIME '23:59:58.123', TIMESTAMP '2024-01-02 03:04:05.678', TO_TIMESTAMP_LTZ(1704164645678, 3),
       ROW('Main St', 12345), ARRAY['a', 'b'], MAP['k1', 1, 'k2', 2]),
      (2, CAST(NULL AS BOOLEAN), CAST(NULL AS TINYINT), CAST(NULL AS SMALLINT), CAST(NULL AS INT), CAST(NULL AS BIGINT),
       CAST(NULL AS FLOAT), CAST(NULL AS DOUBLE), CAST('' AS STRING), CAST(NULL AS STRING), CAST(NULL AS BYTES),
       CAST(NULL AS DECIMAL(10, 2)), CAST(NULL AS DATE), CAST(NULL AS TIME(3)), CAST(NULL AS TIMESTAMP(3)),
       CAST(NULL AS TIMESTAMP_LTZ(3)), CAST(NULL AS ROW<street STRING, zip INT NOT NULL>), CAST(NULL AS ARRAY<STRING>),
       CAST(NULL AS MAP<STRING, INT>))`;

  test('avro-confluent: every supported type round-trips; the registered schema is Flink’s derived one', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-all');
    const refTopic = await createTopic('json-all');
    await s.execute(`CREATE TABLE all_avro (${allColumns}) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${r.url}', ${bounded})`);
    await s.execute(`CREATE TABLE all_json (${allColumns}) WITH (
        'connector' = 'kafka', 'topic' = '${refTopic}', 'format' = 'json', ${bounded})`);
    await run(s, `INSERT INTO all_avro VALUES ${allValues}`);
    await run(s, `INSERT INTO all_json VALUES ${allValues}`);
    const got = await rows(s, 'SELECT * FROM all_avro');
    assert.deepEqual(got, await rows(s, 'SELECT * FROM all_json'));
    assert.deepEqual(got, [
      '+I[1, TRUE, -7, 300, 42, 9007199254740990, 1.5, 2.25, héllo, short, ab, -12345678.91, 2024-02-29, 23:59:58.123, 2024-01-02 03:04:05.678, 2024-01-02 03:04:05.678, (Main St, 12345), [a, b], {k1=1, k2=2}]',
      '+I[2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, , NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]',
    ]);

    // the records are in Confluent's wire format with the id registered under <topic>-value
    const latest = await sr(r.url, 'GET', `/subjects/${topic}-value/versions/latest`);
    assert.equal(latest.status, 200);
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    let first: Buffer | null = null;
    for (let i = 0; i < 50 && !first; i++) first = (await consumer.poll(200))[0]?.value ?? null;
    await consumer.close();
    assert.ok(first);
    assert.equal(first[0], 0);
    assert.equal(first.readInt32BE(1), latest.body.id);

    const nullable = (type: unknown) => ['null', type];
    assert.deepEqual(JSON.parse(latest.body.schema), {
      type: 'record',
      name: 'record',
      namespace: NS,
      fields: [
        { name: 'id', type: 'int' },
        { name: 'b', type: nullable('boolean'), default: null },
        { name: 'ti', type: nullable('int'), default: null },
        { name: 'si', type: nullable('int'), default: null },
        { name: 'i', type: nullable('int'), default: null },
        { name: 'bi', type: nullable('long'), default: null },
        { name: 'f', type: nullable('float'), default: null },
        { name: 'd', type: nullable('double'), default: null },
        { name: 's', type: 'string' },
        { name: 'vc', type: nullable('string'), default: null },
        { name: 'bin', type: nullable('bytes'), default: null },
        {
          name: 'amount',
          type: nullable({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }),
          default: null,
        },
        { name: 'dt', type: nullable({ type: 'int', logicalType: 'date' }), default: null },
        { name: 'tm', type: nullable({ type: 'int', logicalType: 'time-millis' }), default: null },
        { name: 'ts', type: nullable({ type: 'long', logicalType: 'timestamp-millis' }), default: null },
        { name: 'ltz', type: nullable({ type: 'long', logicalType: 'timestamp-millis' }), default: null },
        {
          name: 'addr',
          type: nullable({
            type: 'record',
            name: 'record_addr',
            fields: [
              { name: 'street', type: nullable('string'), default: null },
              { name: 'zip', type: 'int' },
            ],
          }),
          default: null,
        },
        { name: 'tags', type: nullable({ type: 'array', items: nullable('string') }), default: null },
        { name: 'attrs', type: nullable({ type: 'map', values: nullable('int') }), default: null },
      ],
    });
  });

  test('avro-confluent reads records of other writers: fields by name, promotions, defaults for missing nullable columns', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-foreign');
    const writerSchema = {
      type: 'record',
      name: 'Order',
      namespace: 'com.example',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'customer', type: 'string' },
        { name: 'qty', type: 'int' },
        { name: 'extra', type: 'string' },
        { name: 'price', type: 'float' },
        {
          name: 'address',
          type: {
            type: 'record',
            name: 'Address',
            fields: [
              { name: 'city', type: 'string' },
              { name: 'planet', type: 'string' },
            ],
          },
        },
        {
          name: 'lines',
          type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] } },
        },
      ],
    };
    const srClient = new confluent.SchemaRegistryClient({ baseURLs: [r.url] });
    const id = await srClient.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(writerSchema) });
    const ser = new confluent.AvroSerializer(srClient, confluent.SerdeType.VALUE, { useLatestVersion: true });
    for (const o of [
      {
        id: 1,
        customer: 'ada',
        qty: 3,
        extra: 'dropped',
        price: 2.5,
        address: { city: 'London', planet: 'Earth' },
        lines: [{ sku: 'A' }],
      },
      {
        id: 2,
        customer: 'bob',
        qty: 4,
        extra: 'dropped',
        price: 0.5,
        address: { city: 'Paris', planet: 'Earth' },
        lines: [],
      },
    ]) {
      const bytes: Buffer = await ser.serialize(topic, o);
      assert.equal(bytes.readInt32BE(1), id);
      await producer.send({ topic, value: bytes });
    }
    await producer.flush();
    await s.execute(`CREATE TABLE orders (
        id INT NOT NULL, customer STRING, qty BIGINT, note STRING, price DOUBLE,
        address ROW<city STRING, zip INT>, lines ARRAY<ROW<sku STRING>>
      ) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${r.url}', ${bounded})`);
    assert.deepEqual(await rows(s, 'SELECT id, customer, qty + 1, note, price, address, lines FROM orders'), [
      '+I[1, ada, 4, NULL, 2.5, (London, NULL), [(A)]]',
      '+I[2, bob, 5, NULL, 0.5, (Paris, NULL), []]',
    ]);
    // a NOT NULL column the writer does not have cannot be resolved: the job fails saying so
    await s.execute(`CREATE TABLE orders_strict (id INT NOT NULL, code STRING NOT NULL) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${r.url}', ${bounded})`);
    await assert.rejects(s.execute('SELECT * FROM orders_strict'), (err: Error) => {
      assert.match(
        err.message,
        /Failed to deserialize Avro record \(value of topic '[^']+', subject '[^']+-value'\): .*code/,
      );
      return true;
    });
  });

  test('json-registry: a derived JSON Schema registered, rows round-trip, other clients read the records', async (t) => {
    const s = await session(t);
    const topic = await createTopic('json-reg');
    await s.execute(`CREATE TABLE jr (
        id INT NOT NULL, name STRING, price DECIMAL(8, 2), ts TIMESTAMP(3), tags ARRAY<STRING>,
        info ROW<a INT, b STRING>, m MAP<STRING, DOUBLE>, big BIGINT, ok BOOLEAN, d DATE, bin BYTES
      ) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json-registry',
        'json-registry.url' = '${r.url}', ${bounded})`);
    await run(
      s,
      `INSERT INTO jr VALUES
        (1, 'a', CAST(12.5 AS DECIMAL(8, 2)), TIMESTAMP '2024-03-04 05:06:07.089', ARRAY['x', 'y'], ROW(7, 'q'),
         MAP['k', 1.5], CAST(123 AS BIGINT), TRUE, DATE '2024-01-01', CAST('hi' AS BYTES)),
        (2, CAST(NULL AS STRING), CAST(NULL AS DECIMAL(8, 2)), CAST(NULL AS TIMESTAMP(3)), CAST(NULL AS ARRAY<STRING>),
         CAST(NULL AS ROW<a INT, b STRING>), CAST(NULL AS MAP<STRING, DOUBLE>), CAST(NULL AS BIGINT),
         CAST(NULL AS BOOLEAN), CAST(NULL AS DATE), CAST(NULL AS BYTES))`,
    );
    assert.deepEqual(await rows(s, 'SELECT * FROM jr'), [
      '+I[1, a, 12.50, 2024-03-04 05:06:07.089, [x, y], (7, q), {k=1.5}, 123, TRUE, 2024-01-01, hi]',
      '+I[2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]',
    ]);
    const latest = await sr(r.url, 'GET', `/subjects/${topic}-value/versions/latest`);
    assert.equal(latest.status, 200);
    assert.equal(latest.body.schemaType, 'JSON');
    const schema = JSON.parse(latest.body.schema);
    assert.equal(schema.type, 'object');
    assert.deepEqual(schema.required, ['id']);
    assert.deepEqual(schema.properties.id, { type: 'integer', 'connect.type': 'int32' });
    assert.deepEqual(schema.properties.name, { oneOf: [{ type: 'null' }, { type: 'string' }] });
    assert.deepEqual(schema.properties.ts.oneOf[1], {
      type: 'integer',
      title: 'org.apache.kafka.connect.data.Timestamp',
      'connect.type': 'int64',
    });
    assert.equal(schema.properties.info.oneOf[1].type, 'object');

    // Confluent's own JSON deserializer reads what SQL wrote
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    const values: Buffer[] = [];
    for (let i = 0; i < 50 && values.length < 2; i++)
      for (const rec of await consumer.poll(200)) values.push(rec.value!);
    await consumer.close();
    const de = new confluent.JsonDeserializer(
      new confluent.SchemaRegistryClient({ baseURLs: [r.url] }),
      confluent.SerdeType.VALUE,
      {},
    );
    const first = await de.deserialize(topic, values[0]);
    assert.deepEqual(first, {
      id: 1,
      name: 'a',
      price: 12.5,
      ts: Date.UTC(2024, 2, 4, 5, 6, 7, 89),
      tags: ['x', 'y'],
      info: { a: 7, b: 'q' },
      m: { k: 1.5 },
      big: 123,
      ok: true,
      d: 19723,
      bin: Buffer.from('hi').toString('base64'),
    });
  });

  test('upsert-kafka with avro-confluent keys and values: GROUP BY results read back as a table', async (t) => {
    const s = await session(t);
    const srcTopic = await createTopic('avro-src');
    const sinkTopic = await createTopic('avro-totals', 2);
    await s.execute(`CREATE TABLE src (user_name STRING, amount INT) WITH (
        'connector' = 'kafka', 'topic' = '${srcTopic}', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${r.url}', ${bounded})`);
    await run(
      s,
      `INSERT INTO src VALUES (CAST('alice' AS STRING), 10), ('bob', 5), ('alice', 7), ('carol', 20), ('alice', 1)`,
    );
    await s.execute(`CREATE TABLE totals (user_name STRING, orders BIGINT, total INT, PRIMARY KEY (user_name) NOT ENFORCED)
      WITH ('connector' = 'upsert-kafka', 'topic' = '${sinkTopic}',
        'key.format' = 'avro-confluent', 'key.avro-confluent.url' = '${r.url}',
        'value.format' = 'avro-confluent', 'value.avro-confluent.url' = '${r.url}',
        'scan.bounded.mode' = 'latest-offset')`);
    await run(s, 'INSERT INTO totals SELECT user_name, COUNT(*), SUM(amount) FROM src GROUP BY user_name');
    const res = await s.execute('SELECT * FROM totals');
    assert.equal(res.kind, 'rows');
    const final = new Map<string, string>();
    for (const line of formatResultRows(res)) {
      const body = line.slice(2);
      const name = body.slice(1).split(',')[0]!;
      if (line.startsWith('+I') || line.startsWith('+U')) final.set(name, body);
      else final.delete(name);
    }
    assert.deepEqual([...final.values()].sort(), ['[alice, 3, 18]', '[bob, 1, 5]', '[carol, 1, 20]']);
    const key = await sr(r.url, 'GET', `/subjects/${sinkTopic}-key/versions/latest`);
    assert.equal(key.status, 200);
    const keySchema = JSON.parse(key.body.schema);
    assert.equal(keySchema.name, 'record');
    assert.deepEqual(
      keySchema.fields.map((f: { name: string }) => f.name),
      ['user_name'],
    );
    const value = await sr(r.url, 'GET', `/subjects/${sinkTopic}-value/versions/latest`);
    assert.deepEqual(
      JSON.parse(value.body.schema).fields.map((f: { name: string }) => f.name),
      ['user_name', 'orders', 'total'],
    );
  });

  test('data contracts: a failing WRITE condition of the subject fails the INSERT job with the rule’s message', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-rules');
    const derived = {
      type: 'record',
      name: 'record',
      namespace: NS,
      fields: [
        { name: 'id', type: 'int' },
        { name: 'amount', type: ['null', 'int'], default: null },
      ],
    };
    const reg = await sr(r.url, 'POST', `/subjects/${topic}-value/versions`, {
      schema: JSON.stringify(derived),
      ruleSet: {
        domainRules: [
          {
            name: 'positiveAmount',
            kind: 'CONDITION',
            mode: 'WRITE',
            type: 'CEL',
            expr: 'message.amount > 0',
            doc: 'amount must be positive',
            onFailure: 'ERROR',
          },
        ],
      },
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    await s.execute(`CREATE TABLE payments (id INT NOT NULL, amount INT) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent',
        'avro-confluent.url' = '${r.url}', ${bounded})`);
    await run(s, 'INSERT INTO payments VALUES (1, 5)');
    const bad = await s.execute('INSERT INTO payments VALUES (2, -1)');
    assert.equal(bad.kind, 'job');
    if (bad.kind !== 'job') return;
    await assert.rejects(bad.job.wait(), /rule positiveAmount failed: amount must be positive/);
    assert.equal(bad.job.status, 'FAILED');
    assert.match(bad.job.error!.message, /Failed to serialize a value row into Avro for subject '[^']+-value'/);
    assert.deepEqual(await rows(s, 'SELECT * FROM payments'), ['+I[1, 5]']);
    // the INSERT used the registered version (no new version for the same schema)
    assert.deepEqual((await sr(r.url, 'GET', `/subjects/${topic}-value/versions`)).body, [1]);
  });

  test('explicit subject and the deprecated schema-registry.url key', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-subject');
    const subject = `${topic}-custom`;
    await s.execute(`CREATE TABLE named (k STRING NOT NULL, v DOUBLE) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent',
        'avro-confluent.schema-registry.url' = '${r.url}', 'avro-confluent.subject' = '${subject}', ${bounded})`);
    await run(s, `INSERT INTO named VALUES ('x', 1.25)`);
    assert.deepEqual(await rows(s, 'SELECT * FROM named'), ['+I[x, 1.25]']);
    assert.equal((await sr(r.url, 'GET', `/subjects/${subject}/versions/latest`)).status, 200);
    assert.equal((await sr(r.url, 'GET', `/subjects/${topic}-value/versions/latest`)).status, 404);
  });

  test('avro-confluent.schema: an explicit writer schema (named record, enum, logical types) is registered and used', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-explicit');
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'com.example',
      fields: [
        { name: 'sensor', type: { type: 'enum', name: 'Sensor', symbols: ['A', 'B'] } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'value', type: ['null', 'double'], default: null },
      ],
    };
    await s.execute(`CREATE TABLE readings (sensor STRING NOT NULL, at TIMESTAMP(3) NOT NULL, \`value\` DOUBLE) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}',
        'avro-confluent.schema' = '${JSON.stringify(schema)}', ${bounded})`);
    await run(
      s,
      `INSERT INTO readings VALUES ('B', TIMESTAMP '2024-05-06 07:08:09.010', 0.5), ('A', TIMESTAMP '2024-05-06 07:08:09.011', NULL)`,
    );
    assert.deepEqual(await rows(s, 'SELECT * FROM readings'), [
      '+I[A, 2024-05-06 07:08:09.011, NULL]',
      '+I[B, 2024-05-06 07:08:09.010, 0.5]',
    ]);
    const latest = await sr(r.url, 'GET', `/subjects/${topic}-value/versions/latest`);
    assert.deepEqual(JSON.parse(latest.body.schema), schema);
    // a value the schema cannot hold fails the job with the serde's message
    const bad = await s.execute(`INSERT INTO readings VALUES ('C', TIMESTAMP '2024-05-06 07:08:09.012', 1.0)`);
    assert.equal(bad.kind, 'job');
    if (bad.kind === 'job') await assert.rejects(bad.job.wait(), /Failed to serialize a value row into Avro .*sensor/);
  });

  test('avro-registry (Confluent Cloud): TIMESTAMP as local-timestamp-millis, TIMESTAMP_LTZ as timestamp-millis', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-cc');
    await s.execute(`CREATE TABLE cc (id BIGINT NOT NULL, ts TIMESTAMP(3) NOT NULL, ltz TIMESTAMP_LTZ(3)) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'avro-registry', 'avro-registry.url' = '${r.url}', ${bounded})`);
    await run(
      s,
      `INSERT INTO cc VALUES (CAST(-5 AS BIGINT), TIMESTAMP '1969-12-31 23:59:59.999', TO_TIMESTAMP_LTZ(86400000, 3))`,
    );
    assert.deepEqual(await rows(s, 'SELECT * FROM cc'), ['+I[-5, 1969-12-31 23:59:59.999, 1970-01-02 00:00:00.000]']);
    const latest = await sr(r.url, 'GET', `/subjects/${topic}-value/versions/latest`);
    assert.deepEqual(JSON.parse(latest.body.schema).fields, [
      { name: 'id', type: 'long' },
      { name: 'ts', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
      { name: 'ltz', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
    ]);
  });

  test('option errors at CREATE TABLE: missing url, unsupported types and options', async (t) => {
    const s = await session(t);
    const create = (name: string, cols: string, opts: string) =>
      s.execute(`CREATE TABLE ${name} (${cols}) WITH ('connector' = 'kafka', 'topic' = 'x', ${opts})`);
    await assert.rejects(create('no_url', 'a INT', `'format' = 'avro-confluent'`), {
      message: 'One or more required options are missing. Missing required options are: url',
    });
    await assert.rejects(create('no_url_json', 'a INT', `'format' = 'json-registry'`), {
      message: 'One or more required options are missing. Missing required options are: url',
    });
    await assert.rejects(
      s.execute(`CREATE TABLE no_key_url (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = 'x', 'key.format' = 'avro-confluent',
        'value.format' = 'avro-confluent', 'value.avro-confluent.url' = '${r.url}')`),
      { message: 'One or more required options are missing. Missing required options are: url' },
    );
    await assert.rejects(
      create('ts9', 'a TIMESTAMP(9)', `'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}'`),
      {
        message: 'Avro does not support TIMESTAMP type with precision: 9, it only supports precision less than 6.',
      },
    );
    await assert.rejects(
      create('mapkey', 'a MAP<INT, STRING>', `'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}'`),
      { message: "Avro format doesn't support non-string as key type of map. The key type is: INT" },
    );
    await assert.rejects(
      create(
        'unknown_opt',
        'a INT',
        `'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}', 'avro-confluent.nope' = '1'`,
      ),
      /Unsupported options found for 'kafka'. Unsupported options: avro-confluent.nope/,
    );
    // accepted: the properties.* family and auth options
    await create(
      'with_props',
      'a INT',
      `'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}', 'avro-confluent.properties.foo' = 'bar',
       'avro-confluent.basic-auth.credentials-source' = 'USER_INFO', 'avro-confluent.basic-auth.user-info' = 'u:p'`,
    );
  });

  test('a payload not in the wire format fails the job; ignore-parse-errors skips it', async (t) => {
    const s = await session(t);
    const topic = await createTopic('avro-bad');
    const cols = 'id INT NOT NULL, name STRING';
    await s.execute(`CREATE TABLE good (${cols}) WITH ('connector' = 'kafka', 'topic' = '${topic}',
        'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}', ${bounded})`);
    await run(s, `INSERT INTO good VALUES (1, 'one')`);
    await producer.send({ topic, value: Buffer.from('{"id": 2, "name": "json, not avro"}') });
    await producer.send({ topic, value: Buffer.from([0, 0, 0, 0x27, 0x0f, 1, 2]) });
    await producer.flush();
    await run(s, `INSERT INTO good VALUES (3, 'three')`);
    await assert.rejects(s.execute('SELECT * FROM good'), {
      message: `Failed to deserialize Avro record (value of topic '${topic}', subject '${topic}-value'): Unknown magic byte 123: expected 0 (Confluent wire format)`,
    });
    await s.execute(`CREATE TABLE lenient (${cols}) WITH ('connector' = 'kafka', 'topic' = '${topic}',
        'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}', 'avro-confluent.ignore-parse-errors' = 'true',
        ${bounded})`);
    assert.deepEqual(await rows(s, 'SELECT * FROM lenient'), ['+I[1, one]', '+I[3, three]']);
    // an unknown schema id is reported as such
    const topic2 = await createTopic('avro-bad-id');
    await producer.send({ topic: topic2, value: Buffer.from([0, 0, 0, 0x27, 0x0f, 1, 2]) });
    await producer.flush();
    await s.execute(`CREATE TABLE unknown_id (${cols}) WITH ('connector' = 'kafka', 'topic' = '${topic2}',
        'format' = 'avro-confluent', 'avro-confluent.url' = '${r.url}', ${bounded})`);
    await assert.rejects(
      s.execute('SELECT * FROM unknown_id'),
      /Failed to deserialize Avro record .*Schema id 9999 not found/,
    );
  });
});
