/**
 * Round trips through a real registry for Avro, JSON Schema and Protobuf,
 * each with a referenced schema, over REST (RestSchemaSource) and in process
 * (RegistrySchemaSource); subject name strategies; bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Deserializer,
  decodeFrame,
  encodeFrame,
  RegistrySchemaSource,
  RestSchemaSource,
  type SchemaSource,
  Serializer,
} from '../../src/serde/index.ts';
import { startTestRegistry, type TestRegistry } from '../registry/helpers.ts';
import { plain, register, rejectsWith, unique } from './helpers.ts';

const address = {
  type: 'record',
  name: 'Address',
  namespace: 'com.acme',
  fields: [
    { name: 'street', type: 'string' },
    { name: 'zip', type: ['null', 'string'], default: null },
  ],
};
const customer = {
  type: 'record',
  name: 'Customer',
  namespace: 'com.acme',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'balance', type: 'long' },
    { name: 'photo', type: 'bytes' },
    { name: 'home', type: 'com.acme.Address' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};

const jsonAddress = {
  $id: 'https://acme.example/address.json',
  type: 'object',
  properties: { street: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
  required: ['street'],
};
const jsonCustomer = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0 },
    home: { $ref: 'address.json' },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};

const protoCommon = `syntax = "proto3";
package acme.common;
message Money { string currency = 1; int64 units = 2; }
`;
const protoOrder = `syntax = "proto3";
package acme.orders;
import "acme/common.proto";
message Header { string id = 1; }
message Order {
  string id = 1;
  acme.common.Money total = 2;
  repeated Line lines = 3;
  Status status = 4;
  message Line { string sku = 1; int32 qty = 2; }
  enum Status { NEW = 0; PAID = 1; }
}
`;

describe('serde round trips', () => {
  let r: TestRegistry;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const sources = (): Array<[string, SchemaSource]> => [
    ['rest', new RestSchemaSource(r.url)],
    ['in-process', new RegistrySchemaSource(r.registry.registry)],
  ];

  test('AVRO with a referenced named type, both sources', async () => {
    const topic = unique('avro');
    await register(r.url, 'acme-address', { schema: JSON.stringify(address) });
    const refs = [{ name: 'com.acme.Address', subject: 'acme-address', version: 1 }];
    const id = await register(r.url, `${topic}-value`, { schema: JSON.stringify(customer), references: refs });
    const value = {
      name: 'Ada',
      age: 36,
      balance: 2 ** 40,
      photo: Buffer.from([1, 2, 3]),
      home: { street: '1 Main St', zip: '12345' },
      tags: ['vip', 'eu'],
    };
    for (const [name, source] of sources()) {
      const ser = new Serializer('AVRO', { source, schema: customer, references: refs, autoRegister: false });
      const bytes = await ser.serialize(topic, value);
      const frame = decodeFrame(bytes);
      assert.equal(frame.id, id, name);
      const de = new Deserializer({ source });
      assert.deepEqual(plain(await de.deserialize(topic, bytes)), value, name);
    }
  });

  test('AVRO: autoRegister registers under the topic subject; invalid values are INVALID_PAYLOAD', async () => {
    const topic = unique('avro-auto');
    const source = new RestSchemaSource(r.url);
    const schema = { type: 'record', name: 'Ping', fields: [{ name: 'n', type: 'int' }] };
    const ser = new Serializer('AVRO', { source, schema });
    const bytes = await ser.serialize(topic, { n: 7 });
    const latest = await source.version(`${topic}-value`, 'latest');
    assert.equal(decodeFrame(bytes).id, latest.id);
    assert.deepEqual({ ...((await new Deserializer({ source }).deserialize(topic, bytes)) as object) }, { n: 7 });
    await rejectsWith(ser.serialize(topic, { n: 'seven' }), 'INVALID_PAYLOAD', /Invalid message at n, expected int/);
    const strict = new Serializer('AVRO', {
      source,
      schema: { ...schema, name: 'Pong' },
      autoRegister: false,
    });
    await rejectsWith(strict.serialize(topic, { n: 1 }), 'NOT_REGISTERED');
  });

  test('JSON Schema with a $ref to a referenced schema; validated both ways', async () => {
    const topic = unique('json');
    await register(r.url, 'acme-address-json', { schemaType: 'JSON', schema: JSON.stringify(jsonAddress) });
    const refs = [{ name: 'address.json', subject: 'acme-address-json', version: 1 }];
    const id = await register(r.url, `${topic}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify(jsonCustomer),
      references: refs,
    });
    const value = { name: 'Grace', age: 45, home: { street: 'Elm', zip: '02139' } };
    for (const [name, source] of sources()) {
      const ser = new Serializer('JSON', { source, schema: jsonCustomer, references: refs });
      const bytes = await ser.serialize(topic, value);
      assert.equal(decodeFrame(bytes).id, id, name);
      assert.equal(bytes.subarray(5).toString(), JSON.stringify(value));
      assert.deepEqual(await new Deserializer({ source }).deserialize(topic, bytes), value, name);
      await rejectsWith(
        ser.serialize(topic, { ...value, home: { street: 'Elm', zip: 'abc' } }),
        'INVALID_PAYLOAD',
        /zip/,
      );
      await rejectsWith(ser.serialize(topic, { name: 'x', age: -1 }), 'INVALID_PAYLOAD', /age/);
      // a payload that is not valid for the writer schema is refused on read too
      const forged = encodeFrame(id, Buffer.from(JSON.stringify({ name: 'x', age: 'old' })));
      await rejectsWith(new Deserializer({ source }).deserialize(topic, forged), 'INVALID_PAYLOAD', /age/);
      const notJson = encodeFrame(id, Buffer.from('{oops'));
      await rejectsWith(new Deserializer({ source }).deserialize(topic, notJson), 'INVALID_PAYLOAD', /not JSON/);
    }
  });

  test('PROTOBUF with an import reference; message indexes pick nested and later messages', async () => {
    const topic = unique('proto');
    await register(r.url, 'acme/common.proto', { schemaType: 'PROTOBUF', schema: protoCommon });
    const refs = [{ name: 'acme/common.proto', subject: 'acme/common.proto', version: 1 }];
    const id = await register(r.url, `${topic}-value`, {
      schemaType: 'PROTOBUF',
      schema: protoOrder,
      references: refs,
    });
    for (const [name, source] of sources()) {
      const ser = new Serializer('PROTOBUF', { source, schema: protoOrder, references: refs, autoRegister: false });
      const order = {
        $typeName: 'acme.orders.Order',
        id: 'o-1',
        total: { currency: 'EUR', units: '9007199254740993' },
        lines: [{ sku: 'A', qty: 2 }],
        status: 'PAID',
      };
      const bytes = await ser.serialize(topic, order);
      const frame = decodeFrame(bytes, 'PROTOBUF');
      assert.equal(frame.id, id);
      assert.deepEqual(frame.messageIndexes, [1], name); // Order is the second top-level message
      const back = (await new Deserializer({ source }).deserialize(topic, bytes)) as Record<string, unknown>;
      const { $typeName: _, ...expected } = order;
      assert.deepEqual({ ...back }, expected, name);
      assert.equal((back as { $typeName?: string }).$typeName, 'acme.orders.Order');

      const line = await ser.serialize(topic, { $typeName: 'acme.orders.Order.Line', sku: 'B', qty: 1 });
      assert.deepEqual(decodeFrame(line, 'PROTOBUF').messageIndexes, [1, 0], name);
      assert.deepEqual(
        { ...((await new Deserializer({ source }).deserialize(topic, line)) as object) },
        { sku: 'B', qty: 1 },
      );

      const header = await ser.serialize(topic, { id: 'h' }); // no $typeName: first message
      assert.deepEqual([...header.subarray(5, 6)], [0], name);
      assert.deepEqual({ ...((await new Deserializer({ source }).deserialize(topic, header)) as object) }, { id: 'h' });
      // a message index that does not exist
      const bad = encodeFrame(id, Buffer.alloc(0), [7]);
      await rejectsWith(
        new Deserializer({ source }).deserialize(topic, bad),
        'INVALID_PAYLOAD',
        /index 7 out of range/,
      );
    }
  });

  test('RecordNameStrategy and TopicRecordNameStrategy subjects', async () => {
    const topic = unique('rns');
    const source = new RestSchemaSource(r.url);
    const schema = { type: 'record', name: 'Evt', namespace: 'io.x', fields: [{ name: 'k', type: 'string' }] };
    const a = new Serializer('AVRO', { source, schema, subjectNameStrategy: 'RecordNameStrategy' });
    const b = new Serializer('AVRO', { source, schema, subjectNameStrategy: 'TopicRecordNameStrategy', isKey: true });
    await a.serialize(topic, { k: 'v' });
    const kb = await b.serialize(topic, { k: 'w' });
    assert.equal((await source.version('io.x.Evt', 'latest')).schemaType, 'AVRO');
    assert.equal((await source.version(`${topic}-io.x.Evt`, 'latest')).id, decodeFrame(kb).id);
    const de = new Deserializer({ source, subjectNameStrategy: 'TopicRecordNameStrategy', isKey: true });
    assert.deepEqual({ ...((await de.deserialize(topic, kb)) as object) }, { k: 'w' });
  });

  test('bad input: magic byte, unknown id; null and empty payloads', async () => {
    for (const [, source] of sources()) {
      const de = new Deserializer({ source });
      await rejectsWith(de.deserialize('t', Buffer.from([1, 0, 0, 0, 1, 2])), 'BAD_FRAMING', /^Unknown magic byte 1/);
      await rejectsWith(de.deserialize('t', encodeFrame(987654, Buffer.from('x'))), 'UNKNOWN_SCHEMA_ID', /987654/);
      assert.equal(await de.deserialize('t', null as unknown as Buffer), null);
      assert.equal(await de.deserialize('t', Buffer.alloc(0)), null);
    }
  });
});
