/**
 * Interoperability with Confluent's JS serdes (@confluentinc/schemaregistry)
 * on the same registry: bytes written by our Serializer are read by its
 * AvroDeserializer/JsonDeserializer and the other way round, with data
 * contract rules on both sides (CEL conditions, CEL_FIELD transforms), and a
 * failing rule fails both.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { Deserializer, decodeFrame, RestSchemaSource, Serializer } from '../../src/serde/index.ts';
import { startTestRegistry, type TestRegistry } from '../registry/helpers.ts';
import { confluent, plain, register, rejectsWith, setConfig, unique } from './helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS library used by Confluent's Protobuf serde
const bufbuild: any = require('@bufbuild/protobuf');
// biome-ignore lint/suspicious/noExplicitAny: as above
const bufbuildWkt: any = require('@bufbuild/protobuf/wkt');

/**
 * The .proto text as a serialized FileDescriptorProto (base64), which is how Confluent's
 * Protobuf serde asks the registry for schemas (`format=serialized`), with type names
 * fully qualified; and a @bufbuild registry of its messages for Confluent's serializer.
 */
function protoDescriptor(text: string, fileName: string) {
  const root = protobuf.parse(text, { keepCase: true }).root;
  root.resolveAll();
  const file = root.toDescriptor('proto3').file[0] as descriptor.IFileDescriptorProto;
  file.name = fileName;
  const pkg = file.package ? (root.lookup(file.package) as protobuf.Namespace) : root;
  const qualify = (msgs: descriptor.IDescriptorProto[], scope: protobuf.NamespaceBase): void => {
    for (const m of msgs) {
      const t = scope.lookup(m.name as string) as protobuf.Type;
      for (const f of m.field ?? []) {
        if (f.typeName && !f.typeName.startsWith('.')) f.typeName = t.fields[f.name as string]?.resolvedType?.fullName;
      }
      qualify(m.nestedType ?? [], t);
    }
  };
  qualify(file.messageType ?? [], pkg);
  const bytes = descriptor.FileDescriptorProto.encode(file).finish();
  const fdp = bufbuild.fromBinary(bufbuildWkt.FileDescriptorProtoSchema, bytes);
  return { base64: Buffer.from(bytes).toString('base64'), registry: bufbuild.createFileRegistry(fdp, () => undefined) };
}

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'ssn', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'qty', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

const rules = {
  domainRules: [
    { name: 'positive', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.amount > 0.0' },
    {
      name: 'maskSsn',
      kind: 'TRANSFORM',
      mode: 'WRITE',
      type: 'CEL_FIELD',
      expr: "name == 'ssn' ; value.substring(0,3) + '-XX-XXXX'",
    },
    { name: 'readCheck', kind: 'CONDITION', mode: 'READ', type: 'CEL', expr: "message.id != 'poison'" },
  ],
};

describe('interop with @confluentinc/schemaregistry', () => {
  let r: TestRegistry;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
    confluent.CelExecutor.register();
    confluent.CelFieldExecutor.register();
    confluent.JsonataExecutor.register();
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const client = () => new confluent.SchemaRegistryClient({ baseURLs: [r.url] });

  test('AVRO with rules: ours → theirs and theirs → ours', async () => {
    const topic = unique('ia');
    const id = await register(r.url, `${topic}-value`, { schema: JSON.stringify(order), ruleSet: rules });
    const source = new RestSchemaSource(r.url);
    const value = { id: 'o1', ssn: '123456789', amount: 9.5, qty: 2, note: 'gift' };
    const masked = { ...value, ssn: '123-XX-XXXX' };

    const ours = new Serializer('AVRO', { source, useLatestVersion: true });
    const theirsDe = new confluent.AvroDeserializer(client(), confluent.SerdeType.VALUE, {});
    const bytes = await ours.serialize(topic, { ...value });
    assert.equal(decodeFrame(bytes).id, id);
    assert.deepEqual(plain(await theirsDe.deserialize(topic, bytes)), masked);

    const theirsSer = new confluent.AvroSerializer(client(), confluent.SerdeType.VALUE, { useLatestVersion: true });
    const theirBytes: Buffer = await theirsSer.serialize(topic, { ...value, note: null });
    assert.deepEqual(theirBytes, await ours.serialize(topic, { ...value, note: null }), 'byte-identical output');
    assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, theirBytes)), {
      ...masked,
      note: null,
    });

    // a WRITE condition that fails: both refuse, with the same rule message
    const bad = { ...value, amount: -1 };
    let theirMessage = '';
    await assert.rejects(theirsSer.serialize(topic, { ...bad }), (e: Error) => {
      theirMessage = e.message;
      return /rule positive failed/.test(e.message);
    });
    const e = await rejectsWith(ours.serialize(topic, { ...bad }), 'RULE_FAILED');
    assert.ok(e.message.startsWith(theirMessage), `${e.message} vs ${theirMessage}`);

    // a READ condition that fails, on data either side wrote. (Confluent's JS AvroDeserializer hands
    // avsc record instances to @bufbuild/cel, which yields an error value rather than false, so its
    // READ conditions on Avro never fail; the JSON test below shows both sides failing.)
    const poisonOurs = await ours.serialize(topic, { ...value, id: 'poison' });
    const poisonTheirs: Buffer = await theirsSer.serialize(topic, { ...value, id: 'poison' });
    assert.deepEqual(poisonOurs, poisonTheirs);
    await rejectsWith(
      new Deserializer({ source }).deserialize(topic, poisonTheirs),
      'RULE_FAILED',
      /^rule readCheck failed: Expr failed: 'message.id != 'poison''/,
    );
  });

  test('AVRO with a reference: theirs reads ours (no rules)', async () => {
    const topic = unique('iar');
    const money = { type: 'record', name: 'Money', namespace: 'com.acme', fields: [{ name: 'cents', type: 'long' }] };
    await register(r.url, `${topic}-money`, { schema: JSON.stringify(money) });
    const refs = [{ name: 'com.acme.Money', subject: `${topic}-money`, version: 1 }];
    const schema = {
      type: 'record',
      name: 'Invoice',
      namespace: 'com.acme',
      fields: [{ name: 'total', type: 'com.acme.Money' }],
    };
    await register(r.url, `${topic}-value`, { schema: JSON.stringify(schema), references: refs });
    const source = new RestSchemaSource(r.url);
    const bytes = await new Serializer('AVRO', { source, schema, references: refs, autoRegister: false }).serialize(
      topic,
      {
        total: { cents: 1234 },
      },
    );
    const theirsDe = new confluent.AvroDeserializer(client(), confluent.SerdeType.VALUE, {});
    assert.deepEqual(plain(await theirsDe.deserialize(topic, bytes)), { total: { cents: 1234 } });
    const theirsSer = new confluent.AvroSerializer(client(), confluent.SerdeType.VALUE, { useLatestVersion: true });
    const theirBytes = await theirsSer.serialize(topic, { total: { cents: 99 } });
    assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, theirBytes)), {
      total: { cents: 99 },
    });
  });

  test('JSON Schema with rules: ours → theirs and theirs → ours', async () => {
    const topic = unique('ij');
    const schema = {
      type: 'object',
      title: 'Payment',
      properties: {
        id: { type: 'string' },
        card: { type: 'string', 'confluent:tags': ['PII'] },
        cents: { type: 'integer' },
      },
      required: ['id', 'cents'],
    };
    await register(r.url, `${topic}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify(schema),
      ruleSet: {
        domainRules: [
          { name: 'noFree', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.cents > 0' },
          { name: 'readCheck', kind: 'CONDITION', mode: 'READ', type: 'CEL', expr: "message.id != 'poison'" },
          {
            name: 'maskCard',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            tags: ['PII'],
            expr: "'****' + value.substring(size(value) - 4)",
          },
        ],
      },
    });
    const source = new RestSchemaSource(r.url);
    const value = { id: 'p1', card: '4111111111111111', cents: 500 };
    const ours = new Serializer('JSON', { source, useLatestVersion: true });
    const theirsSer = new confluent.JsonSerializer(client(), confluent.SerdeType.VALUE, {
      useLatestVersion: true,
      validate: true,
    });
    const theirsDe = new confluent.JsonDeserializer(client(), confluent.SerdeType.VALUE, { validate: true });

    const ourBytes = await ours.serialize(topic, { ...value });
    const theirBytes: Buffer = await theirsSer.serialize(topic, { ...value });
    assert.deepEqual(ourBytes, theirBytes, 'byte-identical output');
    const expected = { ...value, card: '****1111' };
    assert.deepEqual(await theirsDe.deserialize(topic, ourBytes), expected);
    assert.deepEqual(await new Deserializer({ source }).deserialize(topic, theirBytes), expected);

    await assert.rejects(theirsSer.serialize(topic, { ...value, cents: 0 }), /rule noFree failed/);
    await rejectsWith(
      ours.serialize(topic, { ...value, cents: 0 }),
      'RULE_FAILED',
      /^rule noFree failed: Expr failed: 'message.cents > 0'/,
    );
    // a READ condition that fails: both deserializers refuse, whoever wrote the bytes
    const poison = [
      await ours.serialize(topic, { ...value, id: 'poison' }),
      await theirsSer.serialize(topic, { ...value, id: 'poison' }),
    ];
    for (const b of poison) {
      await assert.rejects(
        theirsDe.deserialize(topic, b),
        /^Error: rule readCheck failed: Expr failed|rule readCheck failed: Expr failed/,
      );
      await rejectsWith(
        new Deserializer({ source }).deserialize(topic, b),
        'RULE_FAILED',
        /^rule readCheck failed: Expr failed/,
      );
    }
    // schema violations: both validate
    await assert.rejects(theirsSer.serialize(topic, { id: 2, cents: 10 }), /Invalid message/);
    await rejectsWith(ours.serialize(topic, { id: 2, cents: 10 }), 'INVALID_PAYLOAD', /must be string/);
  });

  test('JSONATA migration: data written by Confluent at v1 read by us pinned to v2, and the reverse', async () => {
    const topic = unique('im');
    const subject = `${topic}-value`;
    const v1 = { type: 'record', name: 'Acct', fields: [{ name: 'owner', type: 'string' }] };
    const v2 = { type: 'record', name: 'Acct', fields: [{ name: 'holder', type: 'string' }] };
    await register(r.url, subject, { schema: JSON.stringify(v1), metadata: { properties: { major_version: '1' } } });
    await setConfig(r.url, subject, { compatibilityGroup: 'major_version' });
    await register(r.url, subject, {
      schema: JSON.stringify(v2),
      metadata: { properties: { major_version: '2' } },
      ruleSet: {
        migrationRules: [
          {
            name: 'up',
            kind: 'TRANSFORM',
            mode: 'UPGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'owner'}), {'holder': $.'owner'}])",
          },
          {
            name: 'down',
            kind: 'TRANSFORM',
            mode: 'DOWNGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'holder'}), {'owner': $.'holder'}])",
          },
        ],
      },
    });
    const source = new RestSchemaSource(r.url);
    // v1 data (the latest version with major_version 1), read by us pinned to v2
    const v1Bytes = await new Serializer('AVRO', { source, useLatestWithMetadata: { major_version: '1' } }).serialize(
      topic,
      { owner: 'ann' },
    );
    assert.deepEqual(plain(await new Deserializer({ source, useLatestVersion: true }).deserialize(topic, v1Bytes)), {
      holder: 'ann',
    });
    // Confluent's deserializer pinned to the latest version migrates our v1 bytes the same way
    const theirsDe = new confluent.AvroDeserializer(client(), confluent.SerdeType.VALUE, { useLatestVersion: true });
    assert.deepEqual(plain(await theirsDe.deserialize(topic, v1Bytes)), { holder: 'ann' });
    // Confluent writes v2; our reader pinned to v1 downgrades
    const theirsV2 = new confluent.AvroSerializer(client(), confluent.SerdeType.VALUE, { useLatestVersion: true });
    const v2Bytes: Buffer = await theirsV2.serialize(topic, { holder: 'bo' });
    const pinnedV1 = new Deserializer({ source, useLatestWithMetadata: { major_version: '1' } });
    assert.deepEqual(plain(await pinnedV1.deserialize(topic, v2Bytes)), { owner: 'bo' });
  });

  test('PROTOBUF with a rule: ours → theirs and theirs → ours, nested message indexes', async () => {
    const topic = unique('ip');
    const text = `syntax = "proto3";
package interop;
message Meta { string k = 1; }
message Payment {
  string id = 1;
  int64 cents = 2;
  repeated string notes = 3;
  Kind kind = 4;
  Inner inner = 5;
  message Inner { bool ok = 1; }
  enum Kind { CARD = 0; CASH = 1; }
}
`;
    await register(r.url, `${topic}-value`, {
      schemaType: 'PROTOBUF',
      schema: text,
      ruleSet: {
        domainRules: [{ name: 'hasId', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: "message.id != ''" }],
      },
    });
    const { registry } = protoDescriptor(text, `${topic}.proto`);
    // reads with format=serialized: the registry answers the FileDescriptorProto itself
    const theirClient = client();
    const source = new RestSchemaSource(r.url);

    const ours = new Serializer('PROTOBUF', { source, useLatestVersion: true });
    const bytes = await ours.serialize(topic, {
      $typeName: 'interop.Payment',
      id: 'p1',
      cents: '9007199254740993',
      notes: ['a'],
      kind: 'CASH',
      inner: { ok: true },
    });
    const theirsDe = new confluent.ProtobufDeserializer(theirClient, confluent.SerdeType.VALUE, {});
    const got = await theirsDe.deserialize(topic, bytes);
    assert.equal(got.$typeName, 'interop.Payment');
    assert.equal(got.id, 'p1');
    assert.equal(got.cents, 9007199254740993n);
    assert.deepEqual(got.notes, ['a']);
    assert.equal(got.kind, 1);
    assert.equal(got.inner.ok, true);

    const theirsSer = new confluent.ProtobufSerializer(theirClient, confluent.SerdeType.VALUE, {
      useLatestVersion: true,
      registry,
    });
    // a nested message, on a subject of the same schema without the rule (`message.id` is not a field of Inner)
    const topic2 = unique('ip2');
    const id2 = await register(r.url, `${topic2}-value`, { schemaType: 'PROTOBUF', schema: text });
    const innerDesc = registry.getMessage('interop.Payment.Inner');
    const theirBytes: Buffer = await theirsSer.serialize(topic2, bufbuild.create(innerDesc, { ok: true }));
    assert.deepEqual(decodeFrame(theirBytes, 'PROTOBUF'), {
      id: id2,
      messageIndexes: [1, 0],
      payload: Buffer.from([8, 1]),
    });
    assert.deepEqual(
      { ...((await new Deserializer({ source }).deserialize(topic2, theirBytes)) as object) },
      { ok: true },
    );
    const ourInner = await ours.serialize(topic2, { $typeName: 'interop.Payment.Inner', ok: true });
    assert.deepEqual(ourInner, theirBytes, 'byte-identical output');
    const payment = bufbuild.create(registry.getMessage('interop.Payment'), { id: 'p2', cents: 5n, kind: 1 });
    const theirPayment: Buffer = await theirsSer.serialize(topic, payment);
    assert.deepEqual(
      { ...((await new Deserializer({ source }).deserialize(topic, theirPayment)) as object) },
      {
        id: 'p2',
        cents: '5',
        notes: [],
        kind: 'CASH',
        inner: null,
      },
    );

    // The WRITE condition fails ours. (Confluent's CelExecutor builds its @bufbuild/cel environment
    // without the message types, so on Protobuf messages the expression yields an error value, which
    // is not `false`: its serializer lets the record through.)
    await rejectsWith(
      ours.serialize(topic, { $typeName: 'interop.Payment', id: '' }),
      'RULE_FAILED',
      /^rule hasId failed/,
    );
  });
});
