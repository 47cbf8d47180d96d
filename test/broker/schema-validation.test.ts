/**
 * Broker-side schema validation (tributary.*.schema.validation and
 * Confluent's confluent.* names) with a real broker and the in-process
 * schema registry: kcat sees refused records and dead-lettered ones; raw
 * Produce requests show INVALID_RECORD with recordErrors; the project's client
 * (idempotent producer) keeps sending after a dead-letter rebuild; compressed
 * batches are rebuilt in their codec; counters per topic and rule.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import avro from 'avsc';
import { pino } from 'pino';
import { Client, KafkaError } from '../../src/client/index.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import {
  CompressionCodec,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
  splitBatches,
} from '../../src/protocol/records/index.ts';
import { checkRecord, RegistrySchemaSource } from '../../src/serde/index.ts';
import { startPlatform } from '../../src/server/platform.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec, kcatLines } from '../helpers/exec.ts';
import { sr, startTestRegistry } from '../registry/helpers.ts';
import { call } from './admin-wire.ts';

const USER_SCHEMA = JSON.stringify({
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
});

/** Confluent wire format by hand: magic 0, int32 schema id, the JSON payload. */
function frame(id: number, value: unknown): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(id, 1);
  return Buffer.concat([head, Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))]);
}

function checkAge(dlqTopic: string) {
  return {
    domainRules: [
      {
        name: 'checkAge',
        kind: 'CONDITION',
        mode: 'WRITE',
        type: 'CEL',
        expr: 'message.age >= 0',
        onFailure: 'DLQ',
        params: { 'dlq.topic': dlqTopic },
      },
    ],
  };
}

describe('schema validation', async () => {
  const reg = await startTestRegistry(after);
  const { broker } = reg.broker;
  const bootstrap = reg.broker.bootstrap;
  const port = reg.broker.port;
  const source = new RegistrySchemaSource(reg.registry.registry);
  broker.setRecordValidator((check) => checkRecord(source, check));
  const client = new Client({ bootstrapServers: bootstrap });
  after(() => client.close());
  const admin = client.admin();
  const tmp = mkdtempSync(join(tmpdir(), 'schema-validation-'));
  after(async () => rmSync(tmp, { recursive: true, force: true }));

  async function createTopic(name: string, configs: Record<string, string>): Promise<void> {
    const [r] = await admin.createTopics([{ name, numPartitions: 1, configs }]);
    assert.equal(r?.error ?? null, null, `create ${name}`);
  }

  async function register(subject: string, body: Record<string, unknown>): Promise<number> {
    const r = await sr(reg.url, 'POST', `/subjects/${subject}/versions`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.id as number;
  }

  /** One Produce v9 request with one batch; the partition's response. */
  async function produceRaw(topic: string, batch: Buffer, version = 9) {
    const res = await call(port, 0, version, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    });
    return res.responses[0]!.partitionResponses[0]!;
  }

  /** Every record stored in partition 0, with offsets, plus the stored batches' codecs. */
  function stored(topic: string) {
    const log = broker.log(topic, 0)!;
    const { records } = log.read(0, 64 << 20);
    const out: Array<{ offset: bigint; key: string | null; value: Buffer | null; headers: Record<string, string> }> =
      [];
    const codecs: number[] = [];
    for (const b of splitBatches(records).batches) {
      const batch = decodeRecordBatch(b.bytes);
      codecs.push(batch.compression);
      for (const r of batch.records) {
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value,
          headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
        });
      }
    }
    return { records: out, codecs, logEndOffset: log.logEndOffset };
  }

  test('configs: CreateTopics, DescribeConfigs, IncrementalAlterConfigs and AlterConfigs; bad strategy refused', async () => {
    const topic = topicName('sv-configs');
    await createTopic(topic, {
      'tributary.value.schema.validation': 'true',
      'confluent.key.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    });
    const [d] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
    const get = (n: string) => d!.configs.find((c) => c.name === n);
    assert.equal(get('tributary.value.schema.validation')?.value, 'true');
    assert.equal(get('tributary.value.schema.validation')?.source, 'DYNAMIC_TOPIC_CONFIG');
    assert.equal(get('confluent.value.schema.validation')?.value, 'false');
    assert.equal(get('tributary.key.subject.name.strategy')?.value, 'TopicNameStrategy');
    assert.equal(
      get('confluent.key.subject.name.strategy')?.value,
      'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    );
    assert.deepEqual(broker.schemaValidation.settingsFor(broker.metadata.topicsByName.get(topic)!), {
      key: null,
      value: 'TopicNameStrategy',
    });

    const [a] = await admin.incrementalAlterConfigs([
      {
        type: 'topic',
        name: topic,
        ops: [
          { name: 'confluent.key.schema.validation', op: 'set', value: 'true' },
          { name: 'tributary.value.subject.name.strategy', op: 'set', value: 'TopicRecordNameStrategy' },
        ],
      },
    ]);
    assert.equal(a?.error ?? null, null);
    assert.deepEqual(broker.schemaValidation.settingsFor(broker.metadata.topicsByName.get(topic)!), {
      key: 'RecordNameStrategy',
      value: 'TopicRecordNameStrategy',
    });

    const [bad] = await admin.incrementalAlterConfigs([
      {
        type: 'topic',
        name: topic,
        ops: [{ name: 'tributary.value.subject.name.strategy', op: 'set', value: 'Nope' }],
      },
    ]);
    assert.equal(bad?.error?.code, ErrorCode.INVALID_CONFIG);
    const [badBool] = await admin.createTopics([
      { name: topicName('sv-bad'), configs: { 'confluent.value.schema.validation': 'yes' } },
    ]);
    assert.equal(badBool?.error?.code, ErrorCode.INVALID_CONFIG);

    // legacy AlterConfigs replaces the topic's overrides: validation off
    const alter = await call(port, 33, 1, {
      validateOnly: false,
      resources: [
        {
          resourceType: 2,
          resourceName: topic,
          configs: [{ name: 'confluent.value.schema.validation', value: 'false' }],
        },
      ],
    });
    assert.equal(alter.responses[0]!.errorCode, 0);
    assert.equal(broker.schemaValidation.settingsFor(broker.metadata.topicsByName.get(topic)!), null);
    const off = await produceRaw(topic, encodeRecordBatch({ records: [{ value: 'not framed' }] }));
    assert.equal(off.errorCode, 0);
  });

  test('kcat: a record without a valid schema id is refused and nothing is appended', async () => {
    const topic = topicName('sv-kcat-reject');
    await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
    await register(`${topic}-value`, { schemaType: 'JSON', schema: USER_SCHEMA });
    const r = await exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-X', 'acks=all'], 'plain text, no schema id\n');
    assert.notEqual(r.code, 0, 'kcat reports the failed delivery');
    assert.match(r.stderr, /Broker failed to validate record/); // librdkafka's text for INVALID_RECORD
    assert.deepEqual(await kcatLines(bootstrap, topic, 'read_uncommitted'), []);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 0);
    const s = broker.schemaValidation.stats(topic);
    assert.equal(s.accepted, 0);
    assert.ok(s.rejected >= 1);
    assert.ok((s.failures.BAD_FRAMING ?? 0) >= 1, JSON.stringify(s));
  });

  test('kcat: a CEL violation with onFailure DLQ goes to the dead letter topic, valid records of the batch are appended', async () => {
    const topic = topicName('sv-kcat-dlq');
    await createTopic(topic, { 'confluent.value.schema.validation': 'true' });
    const id = await register(`${topic}-value`, {
      schemaType: 'JSON',
      schema: USER_SCHEMA,
      ruleSet: checkAge('bad-users'),
    });
    const values = [
      { name: 'ann', age: 30 },
      { name: 'bob', age: -1 },
      { name: 'cyd', age: 5 },
      { name: 'dee', age: -7 },
      { name: 'eve', age: 41 },
    ];
    const DELIM = 0x1e;
    const framed = values.map((v) => frame(id, v));
    for (const f of framed) assert.ok(!f.includes(DELIM), 'the delimiter is not in a framed record');
    const file = join(tmp, `${topic}.bin`);
    writeFileSync(file, Buffer.concat(framed.flatMap((f, i) => [Buffer.from(`k${i}\t`), f, Buffer.from([DELIM])])));
    const p = await exec('kcat', [
      '-b',
      bootstrap,
      '-P',
      '-t',
      topic,
      '-K',
      '\t',
      '-D',
      '\\x1e',
      '-H',
      'origin=kcat',
      '-X',
      'linger.ms=100',
      '-X',
      'acks=all',
      '-l',
      file,
    ]);
    assert.equal(p.code, 0, p.stderr);

    // one batch: the good records keep their offsets, the dead-lettered ones leave gaps
    const lines = await kcatLines(bootstrap, topic, 'read_uncommitted', '%o %k %h\\n');
    assert.deepEqual(lines, ['0 k0 origin=kcat', '2 k2 origin=kcat', '4 k4 origin=kcat']);
    const st = stored(topic);
    assert.equal(st.codecs.length, 1, 'kcat sent one batch; one (rebuilt) batch is stored');
    assert.deepEqual(
      st.records.map((r) => JSON.parse(r.value!.subarray(5).toString()).name),
      ['ann', 'cyd', 'eve'],
    );

    const dlq = await kcatLines(bootstrap, 'bad-users', 'read_uncommitted', '%k|%h\\n');
    assert.equal(dlq.length, 2);
    for (const [i, line] of dlq.entries()) {
      const [key, headers] = line.split('|') as [string, string];
      assert.equal(key, i === 0 ? 'k1' : 'k3');
      assert.match(headers, /^origin=kcat,/);
      assert.match(headers, /__rule\.name=checkAge/);
      assert.match(headers, /__rule\.mode=WRITE/);
      assert.match(headers, new RegExp(`__rule\\.subject=${topic}-value`));
      assert.match(headers, new RegExp(`__rule\\.topic=${topic}`));
      assert.match(headers, /__rule\.exception=\S+/);
    }
    const dlqValues = stored('bad-users').records.map((r) => r.value!);
    assert.deepEqual(dlqValues, [framed[1], framed[3]], 'the original value bytes');
    assert.equal(broker.metadata.topicsByName.get('bad-users')?.partitions, 1);

    const s = broker.schemaValidation.stats(topic);
    assert.equal(s.accepted, 3);
    assert.equal(s.deadLettered, 2);
    assert.equal(s.rejected, 0);
    assert.deepEqual(s.rules.checkAge, { failed: 2, deadLettered: 2 });
  });

  test('raw Produce: INVALID_RECORD with recordErrors per bad record and a summary; nothing appended', async () => {
    const topic = topicName('sv-raw');
    await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
    const id = await register(`${topic}-value`, { schemaType: 'JSON', schema: USER_SCHEMA });
    const other = await register(`${topic}-other-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { x: { type: 'number' } } }),
    });
    const batch = encodeRecordBatch({
      records: [
        { value: frame(id, { name: 'ok', age: 1 }) },
        { value: Buffer.from('no magic byte') },
        { value: frame(id, { name: 'ok', age: 2 }) },
        { value: frame(99_999, { name: 'x', age: 1 }) },
        { value: frame(other, { x: 1 }) },
        { value: frame(id, { name: 7 }) },
      ],
    });
    const p = await produceRaw(topic, batch);
    assert.equal(p.errorCode, ErrorCode.INVALID_RECORD);
    assert.equal(p.baseOffset, -1n);
    assert.deepEqual(
      p.recordErrors.map((e) => e.batchIndex),
      [1, 3, 4, 5],
    );
    const [framing, unknown, notRegistered, invalid] = p.recordErrors.map((e) => e.batchIndexErrorMessage ?? '');
    assert.match(framing!, /BAD_FRAMING/);
    assert.match(unknown!, /UNKNOWN_SCHEMA_ID/);
    assert.match(notRegistered!, /NOT_REGISTERED|SUBJECT_MISMATCH/);
    assert.match(notRegistered!, new RegExp(`${topic}-value`));
    assert.match(invalid!, /INVALID_PAYLOAD/);
    assert.match(p.errorMessage ?? '', /^One or more records have been rejected due to 4 record errors in total/);
    assert.ok(p.errorMessage!.includes(`RecordError(batchIndex=1, message='${framing}')`));
    assert.equal(broker.log(topic, 0)!.logEndOffset, 0, 'nothing appended');

    // Produce v7 has no recordErrors: still INVALID_RECORD with the message
    const v7 = await produceRaw(topic, encodeRecordBatch({ records: [{ value: 'x' }] }), 7);
    assert.equal(v7.errorCode, ErrorCode.INVALID_RECORD);

    // the project's client gets the code and the first record's message
    const producer = client.producer({ lingerMs: 0 });
    after(() => producer.close());
    await assert.rejects(producer.send({ topic, value: Buffer.from('nope') }), (err: unknown) => {
      assert.ok(err instanceof KafkaError);
      assert.equal(err.code, ErrorCode.INVALID_RECORD);
      assert.match(err.message, /BAD_FRAMING|rejected/);
      return true;
    });
    const good = await producer.send({ topic, value: frame(id, { name: 'fine', age: 3 }) });
    assert.equal(good.offset, 0n);

    const s = broker.schemaValidation.stats(topic);
    assert.equal(s.rejectedBatches, 3);
    assert.equal(s.rejected, 6);
    assert.equal(s.accepted, 1);
  });

  test('a failing rule without DLQ refuses the batch; DLQ and ERROR failures in one batch refuse it too', async () => {
    const topic = topicName('sv-rule-error');
    await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
    const rules = checkAge('never-used');
    const id = await register(`${topic}-value`, {
      schemaType: 'JSON',
      schema: USER_SCHEMA,
      ruleSet: { domainRules: [{ ...rules.domainRules[0], onFailure: 'ERROR' }] },
    });
    const p = await produceRaw(
      topic,
      encodeRecordBatch({
        records: [{ value: frame(id, { name: 'a', age: 1 }) }, { value: frame(id, { name: 'b', age: -1 }) }],
      }),
    );
    assert.equal(p.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      p.recordErrors.map((e) => e.batchIndex),
      [1],
    );
    assert.match(p.recordErrors[0]!.batchIndexErrorMessage!, /checkAge/);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 0);
    assert.equal(broker.metadata.topicsByName.has('never-used'), false);
    assert.deepEqual(broker.schemaValidation.stats(topic).rules.checkAge, { failed: 1, deadLettered: 0 });

    const mixed = topicName('sv-mixed');
    await createTopic(mixed, { 'tributary.value.schema.validation': 'true' });
    const mid = await register(`${mixed}-value`, {
      schemaType: 'JSON',
      schema: USER_SCHEMA,
      ruleSet: checkAge(`${mixed}-dlq`),
    });
    const m = await produceRaw(
      mixed,
      encodeRecordBatch({ records: [{ value: frame(mid, { name: 'a', age: -1 }) }, { value: 'garbage' }] }),
    );
    assert.equal(m.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      m.recordErrors.map((e) => e.batchIndex),
      [0, 1],
    );
    assert.equal(broker.log(mixed, 0)!.logEndOffset, 0);
    assert.equal(broker.metadata.topicsByName.has(`${mixed}-dlq`), false, 'nothing dead-lettered');
  });

  test('key validation (confluent.key.schema.validation): keys checked against <topic>-key, values not', async () => {
    const topic = topicName('sv-key');
    await createTopic(topic, { 'confluent.key.schema.validation': 'true' });
    const keyId = await register(`${topic}-key`, {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'string' }),
    });
    const ok = await produceRaw(
      topic,
      encodeRecordBatch({ records: [{ key: frame(keyId, 'user-1'), value: 'any value at all' }] }),
    );
    assert.equal(ok.errorCode, 0);
    const bad = await produceRaw(
      topic,
      encodeRecordBatch({
        records: [
          { key: frame(keyId, 'user-2'), value: 'v' },
          { key: 'plain key', value: 'v' },
          { key: frame(keyId, 42), value: 'v' },
        ],
      }),
    );
    assert.equal(bad.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      bad.recordErrors.map((e) => e.batchIndex),
      [1, 2],
    );
    assert.match(bad.recordErrors[0]!.batchIndexErrorMessage!, /key/);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 1);
  });

  test('RecordNameStrategy: the subject is the record name of the writer schema', async () => {
    const topic = topicName('sv-record-name');
    await createTopic(topic, {
      'tributary.value.schema.validation': 'true',
      'tributary.value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    });
    const user = {
      type: 'record',
      name: 'User',
      namespace: 'com.example.sv',
      fields: [{ name: 'name', type: 'string' }],
    };
    const other = { type: 'record', name: 'Other', namespace: 'com.example.sv', fields: [{ name: 'n', type: 'int' }] };
    const userId = await register('com.example.sv.User', { schema: JSON.stringify(user) });
    // registered only under the topic's TopicNameStrategy subject: not valid under RecordNameStrategy
    const otherId = await register(`${topic}-value`, { schema: JSON.stringify(other) });
    const userBytes = avro.Type.forSchema(user as avro.schema.AvroSchema).toBuffer({ name: 'ann' });
    const otherBytes = avro.Type.forSchema(other as avro.schema.AvroSchema).toBuffer({ n: 1 });

    const ok = await produceRaw(topic, encodeRecordBatch({ records: [{ value: frame(userId, userBytes) }] }));
    assert.equal(ok.errorCode, 0);
    const bad = await produceRaw(topic, encodeRecordBatch({ records: [{ value: frame(otherId, otherBytes) }] }));
    assert.equal(bad.errorCode, ErrorCode.INVALID_RECORD);
    assert.match(bad.recordErrors[0]!.batchIndexErrorMessage!, /com\.example\.sv\.Other/);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 1);
  });

  for (const codec of ['lz4', 'zstd'] as const) {
    test(`${codec} batch with dead-lettered records: rebuilt in ${codec}, offsets kept, consumers read it`, async () => {
      const topic = topicName(`sv-${codec}`);
      const dlqTopic = `${topic}-dlq`;
      await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
      const id = await register(`${topic}-value`, {
        schemaType: 'JSON',
        schema: USER_SCHEMA,
        ruleSet: checkAge(dlqTopic),
      });
      const records: RecordInput[] = [];
      for (let i = 0; i < 50; i++) {
        records.push({
          key: `k${i}`,
          value: frame(id, { name: `u${i}`, age: i % 10 === 3 ? -i : i }),
          headers: [{ key: 'i', value: String(i) }],
          timestamp: 1_700_000_000_000 + i,
        });
      }
      const c = codec === 'lz4' ? CompressionCodec.LZ4 : CompressionCodec.ZSTD;
      const p = await produceRaw(topic, encodeRecordBatch({ records, compression: c }));
      assert.equal(p.errorCode, 0, p.errorMessage ?? '');
      assert.equal(p.baseOffset, 0n);
      const s = stored(topic);
      assert.deepEqual(s.codecs, [c]);
      assert.equal(s.logEndOffset, 50, 'the whole offset range is taken');
      const bad = [3, 13, 23, 33, 43];
      const expected = [...Array(50).keys()].filter((i) => !bad.includes(i));
      assert.deepEqual(
        s.records.map((r) => Number(r.offset)),
        expected,
      );
      assert.deepEqual(
        s.records.map((r) => r.key),
        expected.map((i) => `k${i}`),
      );
      assert.deepEqual(
        s.records.map((r) => r.headers.i),
        expected.map(String),
      );
      const lines = await kcatLines(bootstrap, topic, 'read_uncommitted', '%o %k %T\\n');
      assert.deepEqual(
        lines,
        expected.map((i) => `${i} k${i} ${1_700_000_000_000 + i}`),
      );
      const d = stored(dlqTopic).records;
      assert.deepEqual(
        d.map((r) => r.key),
        bad.map((i) => `k${i}`),
      );
      assert.equal(d[0]!.headers.i, '3');
      assert.equal(d[0]!.headers['__rule.name'], 'checkAge');
      // a following batch continues after the gap-free offset range
      const next = await produceRaw(
        topic,
        encodeRecordBatch({ records: [{ value: frame(id, { name: 'z', age: 1 }) }], compression: c }),
      );
      assert.equal(next.baseOffset, 50n);
    });
  }

  test('dead letter records that only fit compressed are split into batches below max.message.bytes', async () => {
    const topic = topicName('sv-dlq-split');
    const dlqTopic = `${topic}-dlq`;
    await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
    const id = await register(`${topic}-value`, {
      schemaType: 'JSON',
      schema: USER_SCHEMA,
      ruleSet: checkAge(dlqTopic),
    });
    const records = Array.from({ length: 300 }, (_, i) => ({
      key: `k${i}`,
      value: frame(id, { name: 'x'.repeat(10_000), age: i % 2 === 0 ? -1 : 1 }),
    }));
    const batch = encodeRecordBatch({ records, compression: CompressionCodec.LZ4 });
    assert.ok(batch.length < 1_048_588, 'the produced batch fits');
    const p = await produceRaw(topic, batch);
    assert.equal(p.errorCode, 0, p.errorMessage ?? '');
    assert.equal(stored(topic).records.length, 150);
    const dlq = broker.log(dlqTopic, 0)!;
    assert.equal(dlq.logEndOffset, 150);
    const batches = splitBatches(dlq.read(0, 64 << 20).records).batches;
    assert.ok(batches.length > 1, `${batches.length} batches`);
    for (const b of batches) assert.ok(b.bytes.length <= 1_048_588);
  });

  test('idempotent producer: dead-letter rebuild keeps sequences; a retried batch is not dead-lettered twice', async () => {
    const topic = topicName('sv-idem');
    const dlqTopic = `${topic}-dlq`;
    await createTopic(topic, { 'tributary.value.schema.validation': 'true' });
    const id = await register(`${topic}-value`, {
      schemaType: 'JSON',
      schema: USER_SCHEMA,
      ruleSet: checkAge(dlqTopic),
    });
    const init = await call(port, 22, 4, {
      transactionalId: null,
      transactionTimeoutMs: -1,
      producerId: -1n,
      producerEpoch: -1,
    });
    assert.equal(init.errorCode, 0);
    const pid = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    const batch = (baseSequence: number, ages: number[]) =>
      encodeRecordBatch({
        records: ages.map((age, i) => ({ key: `s${baseSequence + i}`, value: frame(id, { name: 'n', age }) })),
        compression: CompressionCodec.LZ4,
        ...pid,
        baseSequence,
      });
    const first = batch(0, [1, -1, 2]);
    const r1 = await produceRaw(topic, Buffer.from(first));
    assert.equal(r1.errorCode, 0, r1.errorMessage ?? '');
    assert.equal(r1.baseOffset, 0n);
    // the retry (same sequences) is answered with the first offsets, nothing written anywhere
    const retry = await produceRaw(topic, Buffer.from(first));
    assert.equal(retry.errorCode, 0);
    assert.equal(retry.baseOffset, 0n);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 3);
    assert.equal(broker.log(dlqTopic, 0)!.logEndOffset, 1, 'dead-lettered once');
    // a sequence gap: Kafka's error, nothing dead-lettered
    const gap = await produceRaw(topic, batch(10, [-5]));
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal(broker.log(dlqTopic, 0)!.logEndOffset, 1);
    // the next batch in sequence is taken
    const r2 = await produceRaw(topic, batch(3, [-2, 4]));
    assert.equal(r2.errorCode, 0, r2.errorMessage ?? '');
    assert.equal(r2.baseOffset, 3n);
    assert.equal(broker.log(dlqTopic, 0)!.logEndOffset, 2);
    const [state] = broker.log(topic, 0)!.activeProducers();
    assert.equal(state?.lastSequence, 4);
    // every record dead-lettered: an empty batch keeps the offsets and sequences
    const allBad = await produceRaw(topic, batch(5, [-1, -2]));
    assert.equal(allBad.errorCode, 0, allBad.errorMessage ?? '');
    assert.equal(allBad.baseOffset, 5n);
    assert.equal(broker.log(topic, 0)!.logEndOffset, 7);
    const r3 = await produceRaw(topic, batch(7, [7]));
    assert.equal(r3.baseOffset, 7n);
    assert.deepEqual(await kcatLines(bootstrap, topic, 'read_uncommitted', '%o %k\\n'), [
      '0 s0',
      '2 s2',
      '4 s4',
      '7 s7',
    ]);
    assert.equal(broker.log(dlqTopic, 0)!.logEndOffset, 4);

    // the project's idempotent producer: batches with dead-lettered records, then more sends
    const producer = client.producer({ lingerMs: 20 });
    after(() => producer.close());
    const ages = [10, -1, 11, 12, -2, 13];
    const reports = await producer.sendBatch(
      ages.map((age, i) => ({ topic, partition: 0, key: `c${i}`, value: frame(id, { name: 'c', age }) })),
    );
    const base = reports[0]!.offset;
    assert.deepEqual(
      reports.map((r) => r.offset - base),
      [0n, 1n, 2n, 3n, 4n, 5n],
      'offsets as if every record was appended',
    );
    for (let i = 0; i < 20; i++) {
      const m = await producer.send({ topic, partition: 0, value: frame(id, { name: 'later', age: i }) });
      assert.equal(m.offset, base + 6n + BigInt(i));
    }
    const keys = (await kcatLines(bootstrap, topic, 'read_uncommitted', '%k\\n')).filter((k) => k.startsWith('c'));
    assert.deepEqual(keys, ['c0', 'c2', 'c3', 'c5']);
    assert.equal(broker.log(dlqTopic, 0)!.logEndOffset, 6);
    const s = broker.schemaValidation.stats(topic);
    assert.equal(s.deadLettered, 6);
    assert.equal(s.accepted, 3 + 1 + 4 + 20);
    assert.deepEqual(s.rules.checkAge, { failed: 6, deadLettered: 6 });
  });

  test('the registry keeps working with validation set on its _schemas topic (internal topics are never validated)', async () => {
    const [a] = await admin.incrementalAlterConfigs([
      {
        type: 'topic',
        name: '_schemas',
        ops: [{ name: 'tributary.value.schema.validation', op: 'set', value: 'true' }],
      },
    ]);
    assert.equal(a?.error ?? null, null);
    assert.equal(broker.schemaValidation.settingsFor(broker.metadata.topicsByName.get('_schemas')!), null);
    await register(topicName('sv-after'), { schemaType: 'JSON', schema: USER_SCHEMA });
  });

  test('stats() lists every validated topic', () => {
    const all = broker.schemaValidation.stats();
    const names = Object.keys(all);
    assert.ok(names.some((n) => n.startsWith('sv-kcat-dlq')));
    assert.ok(!names.includes('_schemas'));
    assert.ok(!names.includes('bad-users'), 'dead letter topics are not validated');
  });
});

test('validation on without a schema registry: INVALID_RECORD saying so', async (t) => {
  const tb = await startTestBroker((fn) => t.after(fn));
  const topic = topicName('sv-no-registry');
  await tb.broker.createTopic(topic, 1, 1, { 'tributary.value.schema.validation': 'true' });
  const res = await call(tb.port, 0, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      { name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'v' }] }) }] },
    ],
  });
  const p = res.responses[0]!.partitionResponses[0]!;
  assert.equal(p.errorCode, ErrorCode.INVALID_RECORD);
  assert.match(p.errorMessage ?? '', /needs the schema registry/);
  assert.equal(tb.broker.log(topic, 0)!.logEndOffset, 0);
  assert.equal(tb.broker.schemaValidation.stats(topic).rejectedBatches, 1);
  // a topic without validation is unaffected
  const plain = topicName('sv-plain');
  await tb.broker.createTopic(plain, 1, 1, {});
  const ok = await call(tb.port, 0, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      { name: plain, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'v' }] }) }] },
    ],
  });
  assert.equal(ok.responses[0]!.partitionResponses[0]!.errorCode, 0);
});

test('startPlatform wires the registry as the schema source, and clears it on close', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sv-platform-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const platform = await startPlatform(
    {
      dataDir,
      host: '127.0.0.1',
      kafkaPort: 0,
      registryPort: 0,
      logLevel: 'silent',
      broker: { 'group.initial.rebalance.delay.ms': '0' },
    },
    pino({ level: 'silent' }),
  );
  let closed = false;
  t.after(async () => {
    if (!closed) await platform.close();
  });
  const { broker, registry } = platform;
  assert.ok(registry);
  assert.ok(broker.schemaValidation.validator, 'the platform wired the registry in');
  const topic = topicName('sv-platform');
  await broker.createTopic(topic, 1, 1, { 'tributary.value.schema.validation': 'true' });
  const r = await sr(registry.url, 'POST', `/subjects/${topic}-value/versions`, {
    schemaType: 'JSON',
    schema: USER_SCHEMA,
  });
  assert.equal(r.status, 200);
  const produce = (value: Buffer) =>
    call(broker.port, 0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value }] }) }] }],
    }).then((res) => res.responses[0]!.partitionResponses[0]!);
  assert.equal((await produce(frame(r.body.id, { name: 'a', age: 1 }))).errorCode, 0);
  assert.equal((await produce(Buffer.from('x'))).errorCode, ErrorCode.INVALID_RECORD);
  await platform.close();
  closed = true;
  assert.equal(broker.schemaValidation.validator, null);
});
