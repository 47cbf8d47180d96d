/**
 * Real Schema Registry clients against Tributary's registry:
 * @kafkajs/confluent-schema-registry and @confluentinc/schemaregistry
 * register, encode and decode Avro and JSON Schema.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { sr, startTestRegistry, type TestRegistry } from './helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test clients
const kafkajsSr: any = require('@kafkajs/confluent-schema-registry');
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test clients
const confluent: any = require('@confluentinc/schemaregistry');

const userSchema = {
  type: 'record',
  name: 'User',
  namespace: 'com.example',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};

describe('registry with real clients', () => {
  let r: TestRegistry;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('@kafkajs/confluent-schema-registry: register, encode, decode (Avro and JSON)', async () => {
    const registry = new kafkajsSr.SchemaRegistry({ host: r.url });
    const { id } = await registry.register(
      { type: kafkajsSr.SchemaType.AVRO, schema: JSON.stringify(userSchema) },
      { subject: 'kjs-users-value' },
    );
    assert.ok(id > 0);
    const again = await registry.register(
      { type: kafkajsSr.SchemaType.AVRO, schema: JSON.stringify(userSchema) },
      { subject: 'kjs-users-value' },
    );
    assert.equal(again.id, id);
    const bytes: Buffer = await registry.encode(id, { name: 'ada', age: 36 });
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), id);
    // a fresh client has no cache: decode fetches the schema by id
    const fresh = new kafkajsSr.SchemaRegistry({ host: r.url });
    assert.deepEqual({ ...(await fresh.decode(bytes)) }, { name: 'ada', age: 36 });
    assert.equal(await fresh.getLatestSchemaId('kjs-users-value'), id);

    const jsonSchema = JSON.stringify({
      type: 'object',
      properties: { sku: { type: 'string' } },
      required: ['sku'],
    });
    const json = await registry.register(
      { type: kafkajsSr.SchemaType.JSON, schema: jsonSchema },
      { subject: 'kjs-json-value' },
    );
    const jbytes: Buffer = await registry.encode(json.id, { sku: 'A-1' });
    assert.deepEqual(await fresh.decode(jbytes), { sku: 'A-1' });
  });

  test('@confluentinc/schemaregistry: register, serialize with the latest version, deserialize', async () => {
    const client = new confluent.SchemaRegistryClient({ baseURLs: [r.url] });
    // autoRegisterSchemas would infer a schema from the object (record "Record1"); register the real one
    const ser = new confluent.AvroSerializer(client, confluent.SerdeType.VALUE, { useLatestVersion: true });
    const id = await client.register('cf-users-value', { schemaType: 'AVRO', schema: JSON.stringify(userSchema) });
    assert.ok(id > 0);
    const bytes: Buffer = await ser.serialize('cf-users', { name: 'grace', age: 45 });
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), id);
    const freshClient = new confluent.SchemaRegistryClient({ baseURLs: [r.url] });
    const de = new confluent.AvroDeserializer(freshClient, confluent.SerdeType.VALUE, {});
    assert.deepEqual({ ...(await de.deserialize('cf-users', bytes)) }, { name: 'grace', age: 45 });

    const jsonSchema = JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } } });
    const jid = await client.register('cf-json-value', { schemaType: 'JSON', schema: jsonSchema });
    const jser = new confluent.JsonSerializer(client, confluent.SerdeType.VALUE, { useLatestVersion: true });
    const jbytes: Buffer = await jser.serialize('cf-json', { n: 3 });
    assert.equal(jbytes.readInt32BE(1), jid);
    const jde = new confluent.JsonDeserializer(freshClient, confluent.SerdeType.VALUE, {});
    assert.deepEqual(await jde.deserialize('cf-json', jbytes), { n: 3 });
    const versions = await (await sr(r.url, 'GET', '/subjects/cf-users-value/versions')).body;
    assert.deepEqual(versions, [1]);
  });
});
