/**
 * Data contracts end to end with Confluent's own client,
 * @confluentinc/schemaregistry, against Tributary's registry: the registry
 * stores (and inherits) metadata and rule sets, the client's serdes run the
 * rules — a CEL condition, a CEL_FIELD mask on a PII-tagged field, JSONATA
 * migrations across major versions picked with useLatestWithMetadata, and a
 * rule that only exists through the config's defaultRuleSet/overrideMetadata.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { sr, startTestRegistry, type TestRegistry } from './helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test client
const cf: any = require('@confluentinc/schemaregistry');

// the rule executors are looked up by type in the client's global rule registry
cf.CelExecutor.register();
cf.CelFieldExecutor.register();
cf.JsonataExecutor.register();

const VALUE = cf.SerdeType.VALUE;

function record(name: string, fields: Array<{ name: string; type: unknown; [k: string]: unknown }>): string {
  return JSON.stringify({ type: 'record', name, namespace: 'com.example', fields });
}

describe('data contracts with @confluentinc/schemaregistry', () => {
  let r: TestRegistry;
  const cleanups: Array<() => Promise<void>> = [];
  // biome-ignore lint/suspicious/noExplicitAny: untyped client
  const newClient = (): any => new cf.SchemaRegistryClient({ baseURLs: [r.url] });
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('a CEL condition (message.age >= 18, onFailure ERROR) passes valid records and fails invalid ones', async () => {
    const client = newClient();
    const topic = 'dc-adults';
    const id = await client.register(`${topic}-value`, {
      schemaType: 'AVRO',
      schema: record('Person', [
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int' },
      ]),
      ruleSet: {
        domainRules: [
          {
            name: 'checkAge',
            kind: 'CONDITION',
            mode: 'WRITE',
            type: 'CEL',
            expr: 'message.age >= 18',
            onFailure: 'ERROR',
          },
        ],
      },
    });
    const ser = new cf.AvroSerializer(client, VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    const bytes: Buffer = await ser.serialize(topic, { name: 'ada', age: 36 });
    assert.equal(bytes.readInt32BE(1), id);
    const de = new cf.AvroDeserializer(newClient(), VALUE, {});
    assert.deepEqual({ ...(await de.deserialize(topic, bytes)) }, { name: 'ada', age: 36 });

    await assert.rejects(ser.serialize(topic, { name: 'kid', age: 12 }), (err: Error) => {
      assert.ok(err instanceof cf.SerializationError, `a SerializationError, got ${err}`);
      assert.match(err.message, /rule checkAge failed/);
      assert.match(err.message, /message\.age >= 18/);
      return true;
    });
  });

  test('a CEL_FIELD transform masks the field tagged PII (metadata.tags) on write', async () => {
    const client = newClient();
    const topic = 'dc-mask';
    await client.register(`${topic}-value`, {
      schemaType: 'AVRO',
      schema: record('Customer', [
        { name: 'name', type: 'string' },
        { name: 'ssn', type: 'string' },
        // inline tags work too: this one is tagged in the schema itself
        { name: 'phone', type: 'string', 'confluent:tags': ['PII'] },
      ]),
      metadata: { tags: { '**.ssn': ['PII'] } },
      ruleSet: {
        domainRules: [
          {
            name: 'maskPii',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            tags: ['PII'],
            expr: "typeName == 'STRING' ; value.substring(0, 3) + '-XX-XXXX'",
          },
        ],
      },
    });
    const ser = new cf.AvroSerializer(client, VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    const bytes = await ser.serialize(topic, { name: 'grace', ssn: '123-45-6789', phone: '555-0100' });
    const de = new cf.AvroDeserializer(newClient(), VALUE, {});
    assert.deepEqual(
      { ...(await de.deserialize(topic, bytes)) },
      { name: 'grace', ssn: '123-XX-XXXX', phone: '555-XX-XXXX' },
    );
  });

  test('JSONATA migrations: v1 data read as v2 (and back) with useLatestWithMetadata major_version', async () => {
    const admin = newClient();
    const topic = 'dc-migrate';
    const subject = `${topic}-value`;
    const cfg = await sr(r.url, 'PUT', `/config/${subject}`, {
      compatibility: 'BACKWARD',
      compatibilityGroup: 'major_version',
    });
    assert.equal(cfg.status, 200);
    await admin.register(subject, {
      schemaType: 'AVRO',
      schema: record('User', [{ name: 'name', type: 'string' }]),
      metadata: { properties: { major_version: '1' } },
    });
    // renaming a field breaks BACKWARD; a new major version is a new compatibility group
    await admin.register(subject, {
      schemaType: 'AVRO',
      schema: record('User', [{ name: 'fullName', type: 'string' }]),
      metadata: { properties: { major_version: '2' } },
      ruleSet: {
        migrationRules: [
          {
            name: 'nameToFullName',
            kind: 'TRANSFORM',
            mode: 'UPGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'name'}), {'fullName': $.'name'}])",
          },
          {
            name: 'fullNameToName',
            kind: 'TRANSFORM',
            mode: 'DOWNGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'fullName'}), {'name': $.'fullName'}])",
          },
        ],
      },
    });
    const v1 = { useLatestWithMetadata: { major_version: '1' }, autoRegisterSchemas: false };
    const v2 = { useLatestWithMetadata: { major_version: '2' }, autoRegisterSchemas: false };

    const old = await new cf.AvroSerializer(newClient(), VALUE, v1).serialize(topic, { name: 'Ada Lovelace' });
    const asV2 = await new cf.AvroDeserializer(newClient(), VALUE, v2).deserialize(topic, old);
    assert.deepEqual({ ...asV2 }, { fullName: 'Ada Lovelace' });

    const neu = await new cf.AvroSerializer(newClient(), VALUE, v2).serialize(topic, { fullName: 'Grace Hopper' });
    const asV1 = await new cf.AvroDeserializer(newClient(), VALUE, v1).deserialize(topic, neu);
    assert.deepEqual({ ...asV1 }, { name: 'Grace Hopper' });

    // what the client asked the registry: the latest version with major_version=2
    const latest2 = await newClient().getLatestWithMetadata(subject, { major_version: '2' });
    assert.equal(latest2.version, 2);
  });

  test('defaultRuleSet and overrideMetadata from the config are stored with the version and applied by the client', async () => {
    const topic = 'dc-inherit';
    const subject = `${topic}-value`;
    const put = await sr(r.url, 'PUT', `/config/${subject}`, {
      defaultRuleSet: {
        domainRules: [
          {
            name: 'maskPii',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            tags: ['PII'],
            expr: "typeName == 'STRING' ; 'redacted'",
          },
        ],
      },
      overrideMetadata: { tags: { '**.email': ['PII'] }, properties: { owner: 'crm' } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    const client = newClient();
    const schema = record('Contact', [
      { name: 'name', type: 'string' },
      { name: 'email', type: 'string' },
    ]);
    // the registration carries no contract at all
    const id = await client.register(subject, { schemaType: 'AVRO', schema });
    const got = await sr(r.url, 'GET', `/subjects/${subject}/versions/latest`);
    assert.equal(got.body.id, id);
    assert.deepEqual(got.body.metadata, { tags: { '**.email': ['PII'] }, properties: { owner: 'crm' } });
    assert.deepEqual(
      got.body.ruleSet.domainRules.map((x: { name: string }) => x.name),
      ['maskPii'],
    );
    // registering again (a fresh client, no cache) finds the same version
    assert.equal(await newClient().register(subject, { schemaType: 'AVRO', schema }), id);
    assert.deepEqual((await sr(r.url, 'GET', `/subjects/${subject}/versions`)).body, [1]);

    const ser = new cf.AvroSerializer(client, VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    const bytes = await ser.serialize(topic, { name: 'Ada', email: 'ada@example.com' });
    assert.equal(bytes.readInt32BE(1), id);
    const de = new cf.AvroDeserializer(newClient(), VALUE, {});
    assert.deepEqual({ ...(await de.deserialize(topic, bytes)) }, { name: 'Ada', email: 'redacted' });

    // a lookup without any contract (what a serializer without useLatestVersion sends) finds the version:
    // the registry merges the config and the latest version's contract in, as Confluent's does
    assert.equal(await newClient().getId(subject, { schemaType: 'AVRO', schema }), id);
  });
});
