/**
 * checkRecord, the broker's per-record validation: one result per failure
 * kind (framing, unknown id, wrong subject, undecodable or invalid payload,
 * failing CONDITION rules with ERROR / DLQ / NONE actions, rule errors), on
 * both schema sources, and that it is fast once a schema is cached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  checkRecord,
  encodeFrame,
  RegistrySchemaSource,
  RestSchemaSource,
  type SchemaSource,
  Serializer,
} from '../../src/serde/index.ts';
import { startTestRegistry, type TestRegistry } from '../registry/helpers.ts';
import { register, unique } from './helpers.ts';

const userSchema = {
  type: 'record',
  name: 'User',
  namespace: 'com.acme',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'ssn', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};

const rules = [
  {
    name: 'checkSsnLen',
    kind: 'CONDITION',
    mode: 'WRITE',
    type: 'CEL',
    expr: 'size(message.ssn) == 9',
    onFailure: 'DLQ',
    params: { 'dlq.topic': 'bad-users' },
  },
  { name: 'adult', kind: 'CONDITION', mode: 'WRITEREAD', type: 'CEL', expr: 'message.age >= 18' },
  { name: 'soft', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: "message.name != 'nobody'", onFailure: 'NONE' },
  {
    name: 'noDigitsInName',
    kind: 'CONDITION',
    mode: 'WRITE',
    type: 'CEL_FIELD',
    expr: "name == 'name' ; !value.matches('[0-9]')",
  },
  { name: 'mask', kind: 'TRANSFORM', mode: 'WRITE', type: 'CEL_FIELD', expr: "name == 'ssn' ; 'XXX'" },
  { name: 'readOnly', kind: 'CONDITION', mode: 'READ', type: 'CEL', expr: 'false' },
  { name: 'off', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'false', disabled: true },
];

describe('checkRecord', () => {
  let r: TestRegistry;
  let topic: string;
  let id: number;
  let otherId: number;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
    topic = unique('chk');
    id = await register(r.url, `${topic}-value`, {
      schema: JSON.stringify(userSchema),
      ruleSet: { domainRules: rules },
    });
    otherId = await register(r.url, unique('other-value'), {
      schema: JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }),
    });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const sources = (): Array<[string, SchemaSource]> => [
    ['rest', new RestSchemaSource(r.url)],
    ['in-process', new RegistrySchemaSource(r.registry.registry)],
  ];

  // Raw Avro encoding of a User (no rules run: the serializer would refuse bad records).
  const encodeUser = async (source: SchemaSource, v: Record<string, unknown>): Promise<Buffer> => {
    const { compile } = await import('../../src/serde/index.ts');
    const c = await compile(source, await source.byId(id));
    return encodeFrame(id, c.encode(v).payload);
  };

  test('a good record passes; null keys/values pass', async () => {
    for (const [name, source] of sources()) {
      const bytes = await encodeUser(source, { name: 'ada', ssn: '123456789', age: 36 });
      const res = await checkRecord(source, { topic, isKey: false, strategy: 'TopicNameStrategy', bytes });
      assert.deepEqual(res, { ok: true, subject: `${topic}-value` }, name);
      assert.deepEqual(await checkRecord(source, { topic, isKey: true, strategy: 'TopicNameStrategy', bytes: null }), {
        ok: true,
      });
    }
  });

  test('each failure kind', async () => {
    for (const [name, source] of sources()) {
      const check = (
        bytes: Buffer,
        isKey = false,
        strategy: 'TopicNameStrategy' | 'RecordNameStrategy' = 'TopicNameStrategy',
      ) => checkRecord(source, { topic, isKey, strategy, bytes });

      let res = await check(Buffer.from([7, 0, 0, 0, 1]));
      assert.equal(res.ok, false);
      assert.equal(res.code, 'BAD_FRAMING', name);
      assert.equal(res.message, 'Unknown magic byte 7: expected 0 (Confluent wire format)');
      assert.equal(res.action, 'ERROR');

      res = await check(Buffer.from([0, 0]));
      assert.equal(res.code, 'BAD_FRAMING');

      res = await check(encodeFrame(424242, Buffer.from([1])));
      assert.equal(res.code, 'UNKNOWN_SCHEMA_ID', name);
      assert.match(res.message ?? '', /424242/);

      res = await check(encodeFrame(otherId, Buffer.from([2])));
      assert.equal(res.code, 'SUBJECT_MISMATCH', name);
      assert.equal(res.message, `Schema id ${otherId} is not registered under subject ${topic}-value`);
      assert.equal(res.subject, `${topic}-value`);

      // the key subject has no schema at all
      res = await check(await encodeUser(source, { name: 'a', ssn: '123456789', age: 20 }), true);
      assert.equal(res.code, 'SUBJECT_MISMATCH', name);

      // RecordNameStrategy names subject com.acme.User, where id is not registered
      res = await check(
        await encodeUser(source, { name: 'a', ssn: '123456789', age: 20 }),
        false,
        'RecordNameStrategy',
      );
      assert.equal(res.code, 'SUBJECT_MISMATCH');
      assert.equal(res.subject, 'com.acme.User');

      res = await check(encodeFrame(id, Buffer.from([0x06, 0x61])));
      assert.equal(res.code, 'INVALID_PAYLOAD', name);

      res = await check(
        Buffer.concat([await encodeUser(source, { name: 'a', ssn: '123456789', age: 20 }), Buffer.from([1])]),
      );
      assert.equal(res.code, 'INVALID_PAYLOAD', 'trailing bytes');

      res = await check(await encodeUser(source, { name: 'ada', ssn: '12', age: 36 }));
      assert.equal(res.code, 'RULE_FAILED', name);
      assert.equal(res.action, 'DLQ');
      assert.equal(res.dlqTopic, 'bad-users');
      assert.equal(res.rule?.name, 'checkSsnLen');
      assert.equal(
        res.message,
        `rule checkSsnLen failed: Expr failed: 'size(message.ssn) == 9' (subject ${topic}-value)`,
      );

      res = await check(await encodeUser(source, { name: 'kid', ssn: '123456789', age: 12 }));
      assert.equal(res.code, 'RULE_FAILED');
      assert.equal(res.action, 'ERROR');
      assert.equal(res.rule?.name, 'adult');
      assert.equal(res.dlqTopic, undefined);

      // onFailure NONE: the failing condition does not reject; TRANSFORM, READ and disabled rules are not run
      res = await check(await encodeUser(source, { name: 'nobody', ssn: '123456789', age: 30 }));
      assert.deepEqual(res, { ok: true, subject: `${topic}-value` });

      res = await check(await encodeUser(source, { name: 'r2d2', ssn: '123456789', age: 30 }));
      assert.equal(res.code, 'RULE_FAILED');
      assert.equal(res.rule?.name, 'noDigitsInName');
    }
  });

  test('a rule that errors is RULE_ERROR; JSON and Protobuf payloads are checked', async () => {
    const t2 = unique('chk2');
    const jsonId = await register(r.url, `${t2}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }),
      ruleSet: {
        domainRules: [{ name: 'bad', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.missing > 1' }],
      },
    });
    const t3 = unique('chk3');
    const protoId = await register(r.url, `${t3}-key`, {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\nmessage K { int32 a = 1; }\nmessage L { string s = 1; }\n',
    });
    for (const [name, source] of sources()) {
      let res = await checkRecord(source, {
        topic: t2,
        isKey: false,
        strategy: 'TopicNameStrategy',
        bytes: encodeFrame(jsonId, Buffer.from('{"n":1}')),
      });
      assert.equal(res.code, 'RULE_ERROR', name);
      assert.match(res.message ?? '', /^rule bad failed: .*missing/);
      res = await checkRecord(source, {
        topic: t2,
        isKey: false,
        strategy: 'TopicNameStrategy',
        bytes: encodeFrame(jsonId, Buffer.from('{"n":"one"}')),
      });
      assert.equal(res.code, 'INVALID_PAYLOAD', name);
      assert.match(res.message ?? '', /must be integer/);

      const key = await new Serializer('PROTOBUF', {
        source,
        isKey: true,
        schema: 'syntax = "proto3";\nmessage K { int32 a = 1; }\nmessage L { string s = 1; }\n',
        autoRegister: false,
      }).serialize(t3, { $typeName: 'L', s: 'x' });
      res = await checkRecord(source, { topic: t3, isKey: true, strategy: 'TopicNameStrategy', bytes: key });
      assert.deepEqual(res, { ok: true, subject: `${t3}-key` }, name);
      res = await checkRecord(source, {
        topic: t3,
        isKey: true,
        strategy: 'TopicNameStrategy',
        bytes: encodeFrame(protoId, Buffer.from([0x0a, 0x05, 0x61]), [1]),
      });
      assert.equal(res.code, 'INVALID_PAYLOAD', name);
      res = await checkRecord(source, {
        topic: t3,
        isKey: true,
        strategy: 'TopicNameStrategy',
        bytes: encodeFrame(protoId, Buffer.alloc(0)),
      });
      assert.equal(res.code, 'BAD_FRAMING', 'protobuf without message indexes');
    }
  });

  test('fast once cached: 20k checks of a record with rules', async () => {
    const source = new RegistrySchemaSource(r.registry.registry);
    const bytes = await encodeUser(source, { name: 'ada', ssn: '123456789', age: 36 });
    const args = { topic, isKey: false, strategy: 'TopicNameStrategy' as const, bytes };
    assert.equal((await checkRecord(source, args)).ok, true);
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) {
      const res = await checkRecord(source, args);
      if (!res.ok) assert.fail(res.message);
    }
    const ms = performance.now() - start;
    assert.ok(ms < 4000, `20k checks took ${ms.toFixed(0)} ms`);
  });

  test('a registry that cannot be reached is reported, not thrown', async () => {
    const source = new RestSchemaSource('http://127.0.0.1:1');
    const res = await checkRecord(source, {
      topic,
      isKey: false,
      strategy: 'TopicNameStrategy',
      bytes: encodeFrame(5, Buffer.from([0])),
    });
    assert.equal(res.ok, false);
    assert.equal(res.code, 'UNKNOWN_SCHEMA_ID');
    assert.match(res.message ?? '', /^Could not look up schema id 5: Schema registry http:\/\/127.0.0.1:1 unreachable/);
  });
});
