/**
 * Data-contract rules in the serializer and deserializer: CEL conditions
 * with ERROR, NONE and DLQ actions (DLQ record, __rule.* headers), action
 * pairs, CEL_FIELD masking of PII-tagged fields (metadata.tags patterns and
 * inline confluent:tags), READ rules, unknown rule types, and JSONATA
 * UPGRADE/DOWNGRADE migrations between two major versions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Deserializer,
  type DlqRecord,
  decodeFrame,
  RegistrySchemaSource,
  RestSchemaSource,
  type SchemaSource,
  Serializer,
  wildcardToRegExp,
} from '../../src/serde/index.ts';
import { startTestRegistry, type TestRegistry } from '../registry/helpers.ts';
import { plain, register, rejectsWith, setConfig, unique } from './helpers.ts';

const user = {
  type: 'record',
  name: 'User',
  namespace: 'com.acme',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'ssn', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    { name: 'age', type: 'int' },
  ],
};

describe('rules', () => {
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

  test('wildcard tag paths match as Confluent does', () => {
    const m = (s: string, p: string): boolean => wildcardToRegExp(p).test(s);
    assert.equal(m('eve', 'eve*'), true);
    assert.equal(m('alice.bob.eve', 'a*.bob.eve'), true);
    assert.equal(m('alice.bob.eve', 'a*.bob.e*'), true);
    assert.equal(m('alice.bob.eve', 'a*'), false);
    assert.equal(m('alice.bob.eve', 'a**'), true);
    assert.equal(m('alice.bob.eve', 'alice.bob*'), false);
    assert.equal(m('alice.bob.eve', 'alice.bob**'), true);
    assert.equal(m('com.acme.User.ssn', '**.ssn'), true);
    assert.equal(m('$.ssn', '$.ss?'), true);
  });

  test('CEL condition: ERROR fails with rule and subject, NONE passes, DLQ sends and fails', async () => {
    const topic = unique('cel');
    const subject = `${topic}-value`;
    await register(r.url, subject, {
      schema: JSON.stringify(user),
      ruleSet: {
        domainRules: [
          {
            name: 'checkSsnLen',
            kind: 'CONDITION',
            mode: 'WRITE',
            type: 'CEL',
            expr: 'size(message.ssn) == 9',
            onFailure: 'DLQ',
            params: { 'dlq.topic': 'bad-data' },
          },
          { name: 'adult', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.age >= 18' },
          {
            name: 'notBob',
            doc: 'Bob is not welcome',
            kind: 'CONDITION',
            mode: 'WRITE',
            type: 'CEL',
            expr: "message.name != 'bob'",
            onFailure: 'NONE',
          },
        ],
      },
    });
    for (const [name, source] of sources()) {
      const dlq: DlqRecord[] = [];
      const ser = new Serializer('AVRO', {
        source,
        useLatestVersion: true,
        dlq: async (rec) => {
          dlq.push(rec);
        },
      });
      const good = { name: 'ann', ssn: '123456789', email: null, age: 30 };
      const bytes = await ser.serialize(topic, good);
      assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, bytes)), good, name);
      // NONE: the failing condition does not stop the record
      await ser.serialize(topic, { ...good, name: 'bob' });

      await rejectsWith(
        ser.serialize(topic, { ...good, age: 12 }),
        'RULE_FAILED',
        new RegExp(`^rule adult failed: Expr failed: 'message.age >= 18' \\(subject ${subject}\\)$`),
      );
      assert.equal(dlq.length, 0);

      const e = await rejectsWith(
        ser.serialize(topic, { ...good, ssn: '12' }, { key: Buffer.from('k1') }),
        'RULE_FAILED',
        /^rule checkSsnLen failed: Expr failed: 'size\(message.ssn\) == 9' .*sent to DLQ topic bad-data/,
      );
      assert.equal((e as unknown as { rule: { name: string } }).rule.name, 'checkSsnLen');
      assert.equal(dlq.length, 1, name);
      const rec = dlq[0] as DlqRecord;
      assert.equal(rec.topic, 'bad-data');
      assert.deepEqual(rec.key, Buffer.from('k1'));
      assert.deepEqual(JSON.parse(String(rec.value)), { ...good, ssn: '12' });
      assert.deepEqual(rec.headers, {
        '__rule.name': 'checkSsnLen',
        '__rule.mode': 'WRITE',
        '__rule.subject': subject,
        '__rule.topic': topic,
        '__rule.exception': `rule checkSsnLen failed: Expr failed: 'size(message.ssn) == 9' (subject ${subject})`,
      });
      // without a DLQ handler the record still fails
      const noDlq = new Serializer('AVRO', { source, useLatestVersion: true });
      await rejectsWith(noDlq.serialize(topic, { ...good, ssn: '1' }), 'RULE_FAILED', /no DLQ handler/);
    }
  });

  test('READ rules and "A,B" action pairs; DLQ on read gets the original bytes', async () => {
    const topic = unique('pair');
    await register(r.url, `${topic}-value`, {
      schema: JSON.stringify(user),
      ruleSet: {
        domainRules: [
          {
            name: 'ssnDigits',
            kind: 'CONDITION',
            mode: 'WRITEREAD',
            type: 'CEL',
            expr: "message.ssn.matches('^[0-9]+$')",
            onFailure: 'NONE,DLQ',
            params: { 'dlq.topic': 'read-dlq' },
          },
        ],
      },
    });
    const source = new RestSchemaSource(r.url);
    const dlq: DlqRecord[] = [];
    const ser = new Serializer('AVRO', { source, useLatestVersion: true });
    // write side: NONE, so the record is written
    const bytes = await ser.serialize(topic, { name: 'x', ssn: 'abc', email: 'x@y', age: 40 });
    const de = new Deserializer({ source, dlq: async (rec) => void dlq.push(rec) });
    await rejectsWith(de.deserialize(topic, bytes, { key: null }), 'RULE_FAILED', /ssnDigits/);
    assert.equal(dlq.length, 1);
    assert.deepEqual(dlq[0]?.value, bytes);
    assert.equal(dlq[0]?.key, null);
    assert.equal(dlq[0]?.headers['__rule.mode'], 'READ');
    const ok = await ser.serialize(topic, { name: 'x', ssn: '123', email: null, age: 40 });
    assert.equal(((await de.deserialize(topic, ok)) as { ssn: string }).ssn, '123');
  });

  test('CEL_FIELD transform masks PII-tagged fields (metadata.tags and inline tags)', async () => {
    const topic = unique('mask');
    await register(r.url, `${topic}-value`, {
      schema: JSON.stringify(user),
      metadata: { tags: { '**.ssn': ['PII'] } },
      ruleSet: {
        domainRules: [
          {
            name: 'maskSsn',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            expr: "name == 'ssn' ; value.substring(0,3) + '-XX-XXXX'",
          },
          {
            name: 'redactPii',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            tags: ['PII'],
            expr: "typeName == 'STRING' && name != 'ssn' ; 'REDACTED:' + fullName + ':' + tags.join(',')",
          },
          { name: 'ageIsInt', kind: 'TRANSFORM', mode: 'WRITE', type: 'CEL_FIELD', expr: "name == 'age' ; value + 1" },
        ],
      },
    });
    for (const [name, source] of sources()) {
      const ser = new Serializer('AVRO', { source, useLatestVersion: true });
      const bytes = await ser.serialize(topic, { name: 'ann', ssn: '123456789', email: 'a@b.c', age: 30 });
      const back = plain(await new Deserializer({ source }).deserialize(topic, bytes));
      assert.deepEqual(
        back,
        { name: 'ann', ssn: '123-XX-XXXX', email: 'REDACTED:com.acme.User.email:PII', age: 31 },
        name,
      );
      // null fields are not visited
      const b2 = await ser.serialize(topic, { name: 'bo', ssn: '987654321', email: null, age: 1 });
      assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, b2)), {
        name: 'bo',
        ssn: '987-XX-XXXX',
        email: null,
        age: 2,
      });
    }
  });

  test('CEL_FIELD on JSON Schema and Protobuf; CEL_FIELD conditions; READ transforms', async () => {
    const topic = unique('jmask');
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        contact: {
          type: 'object',
          properties: { email: { type: 'string', 'confluent:tags': ['PII'] }, phone: { type: 'string' } },
        },
      },
    };
    await register(r.url, `${topic}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify(schema),
      metadata: { tags: { '$.contact.phone': ['PII'] } },
      ruleSet: {
        domainRules: [
          { name: 'mask', kind: 'TRANSFORM', mode: 'READ', type: 'CEL_FIELD', tags: ['PII'], expr: "'***'" },
          {
            name: 'noEmptyStrings',
            kind: 'CONDITION',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            expr: "typeName == 'STRING' ; size(value) > 0",
          },
        ],
      },
    });
    const source = new RestSchemaSource(r.url);
    const ser = new Serializer('JSON', { source, useLatestVersion: true });
    const bytes = await ser.serialize(topic, { name: 'n', contact: { email: 'e@x', phone: '555' } });
    // written in clear (mask is a READ rule), masked on read
    assert.deepEqual(JSON.parse(bytes.subarray(5).toString()), { name: 'n', contact: { email: 'e@x', phone: '555' } });
    assert.deepEqual(await new Deserializer({ source }).deserialize(topic, bytes), {
      name: 'n',
      contact: { email: '***', phone: '***' },
    });
    await rejectsWith(
      ser.serialize(topic, { name: '', contact: {} }),
      'RULE_FAILED',
      /^rule noEmptyStrings failed: Expr failed: 'typeName == 'STRING' ; size\(value\) > 0'/,
    );

    const ptopic = unique('pmask');
    const proto =
      'syntax = "proto3";\npackage p;\nmessage Person { string name = 1; string ssn = 2; repeated string notes = 3; int64 id = 4; }\n';
    await register(r.url, `${ptopic}-value`, {
      schemaType: 'PROTOBUF',
      schema: proto,
      metadata: { tags: { 'p.Person.ssn': ['PII'], 'p.Person.notes': ['PII'] } },
      ruleSet: {
        domainRules: [
          { name: 'mask', kind: 'TRANSFORM', mode: 'WRITE', type: 'CEL_FIELD', tags: ['PII'], expr: "'x' + value" },
          {
            name: 'bumpId',
            kind: 'TRANSFORM',
            mode: 'WRITE',
            type: 'CEL_FIELD',
            expr: "typeName == 'LONG' ; value * 2",
          },
        ],
      },
    });
    const pser = new Serializer('PROTOBUF', { source, useLatestVersion: true });
    const pb = await pser.serialize(ptopic, { name: 'n', ssn: '1', notes: ['a', 'b'], id: '1234567890123456789' });
    const back = (await new Deserializer({ source }).deserialize(ptopic, pb)) as Record<string, unknown>;
    // 64-bit integers keep every digit (strings in values, CEL ints in rules)
    assert.deepEqual({ ...back }, { name: 'n', ssn: 'x1', notes: ['xa', 'xb'], id: '2469135780246913578' });
    // CEL checks integer overflow: the rule errors (default action ERROR)
    await rejectsWith(
      pser.serialize(ptopic, { name: 'n', ssn: '', notes: [], id: '5000000000000000000' }),
      'RULE_ERROR',
      /bumpId.*overflow/,
    );
  });

  test('an unknown rule type fails as Confluent does (ERROR by default, NONE skips)', async () => {
    const topic = unique('enc');
    await register(r.url, `${topic}-value`, {
      schema: JSON.stringify(user),
      ruleSet: {
        domainRules: [{ name: 'encrypt', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'] }],
      },
    });
    const source = new RestSchemaSource(r.url);
    const ser = new Serializer('AVRO', { source, useLatestVersion: true });
    await rejectsWith(
      ser.serialize(topic, { name: 'a', ssn: '1', email: null, age: 1 }),
      'RULE_ERROR',
      /could not find rule executor of type ENCRYPT/,
    );
    const topic2 = unique('enc2');
    await register(r.url, `${topic2}-value`, {
      schema: JSON.stringify(user),
      ruleSet: {
        domainRules: [
          { name: 'encrypt', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', onFailure: 'NONE,ERROR' },
        ],
      },
    });
    const lenient = new Serializer('AVRO', { source, useLatestVersion: true });
    const bytes = await lenient.serialize(topic2, { name: 'a', ssn: '1', email: null, age: 1 });
    await rejectsWith(new Deserializer({ source }).deserialize(topic2, bytes), 'RULE_ERROR', /ENCRYPT/);
  });

  test('JSONATA migrations: UPGRADE v1 data for a v2 reader, DOWNGRADE v2 data for a v1 reader', async () => {
    const topic = unique('mig');
    const subject = `${topic}-value`;
    await setConfig(r.url, subject, { compatibilityGroup: 'major_version' });
    const v1 = {
      type: 'record',
      name: 'Person',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'ssn', type: 'string' },
      ],
    };
    const v2 = {
      type: 'record',
      name: 'Person',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'socialSecurityNumber', type: 'string' },
      ],
    };
    await register(r.url, subject, { schema: JSON.stringify(v1), metadata: { properties: { major_version: '1' } } });
    // same major version, compatible: no migration rules involved
    await register(r.url, subject, {
      schema: JSON.stringify({ ...v1, fields: [...v1.fields, { name: 'note', type: 'string', default: '' }] }),
      metadata: { properties: { major_version: '1' } },
    });
    await register(r.url, subject, {
      schema: JSON.stringify(v2),
      metadata: { properties: { major_version: '2' } },
      ruleSet: {
        migrationRules: [
          {
            name: 'ssnRename',
            kind: 'TRANSFORM',
            mode: 'UPGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'ssn'}), {'socialSecurityNumber': $.'ssn'}])",
          },
          {
            name: 'ssnRenameBack',
            kind: 'TRANSFORM',
            mode: 'DOWNGRADE',
            type: 'JSONATA',
            expr: "$merge([$sift($, function($v, $k) {$k != 'socialSecurityNumber'}), {'ssn': $.'socialSecurityNumber'}])",
          },
        ],
      },
    });
    for (const [name, source] of sources()) {
      const w1 = new Serializer('AVRO', { source, useLatestWithMetadata: { major_version: '1' } });
      const old = await w1.serialize(topic, { name: 'ann', ssn: '123', note: 'n' });
      const readerV2 = new Deserializer({ source, useLatestVersion: true });
      assert.deepEqual(
        plain(await readerV2.deserialize(topic, old)),
        { name: 'ann', socialSecurityNumber: '123', note: 'n' },
        name,
      );
      const w2 = new Serializer('AVRO', { source, useLatestVersion: true });
      const fresh = await w2.serialize(topic, { name: 'bo', socialSecurityNumber: '456' });
      const readerV1 = new Deserializer({ source, useLatestWithMetadata: { major_version: '1' } });
      assert.deepEqual(plain(await readerV1.deserialize(topic, fresh)), { name: 'bo', ssn: '456' }, name);
      // unpinned readers get the data as written
      assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, old)), {
        name: 'ann',
        ssn: '123',
        note: 'n',
      });
      assert.equal(decodeFrame(fresh).id !== decodeFrame(old).id, true);
    }
  });

  test('field walks: recursive Avro types, unions, maps; JSON type arrays, oneOf, $ref to $defs', async () => {
    const topic = unique('walk');
    const node = {
      type: 'record',
      name: 'Node',
      namespace: 'w',
      fields: [
        { name: 'label', type: 'string' },
        { name: 'next', type: ['null', 'w.Node'], default: null },
        { name: 'attrs', type: { type: 'map', values: 'string' } },
        {
          name: 'either',
          type: ['int', 'string', { type: 'record', name: 'Box', fields: [{ name: 'label', type: 'string' }] }],
        },
      ],
    };
    const upper = {
      name: 'up',
      kind: 'TRANSFORM',
      mode: 'WRITE',
      type: 'CEL_FIELD',
      expr: "typeName == 'STRING' ; value.upperAscii()",
    };
    await register(r.url, `${topic}-value`, { schema: JSON.stringify(node), ruleSet: { domainRules: [upper] } });
    const source = new RestSchemaSource(r.url);
    const bytes = await new Serializer('AVRO', { source, useLatestVersion: true }).serialize(topic, {
      label: 'a',
      next: { label: 'b', next: null, attrs: { k: 'v' }, either: 1 },
      attrs: {},
      either: { label: 'boxed' },
    });
    assert.deepEqual(plain(await new Deserializer({ source }).deserialize(topic, bytes)), {
      label: 'A',
      next: { label: 'B', next: null, attrs: { k: 'V' }, either: 1 },
      attrs: {},
      either: { label: 'BOXED' },
    });

    const jtopic = unique('jwalk');
    const schema = {
      $defs: { name: { type: 'string' } },
      type: 'object',
      properties: {
        a: { type: ['string', 'null'] },
        b: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
        c: { $ref: '#/$defs/name' },
        d: { type: 'array', items: { type: 'object', properties: { e: { type: 'string' } } } },
      },
    };
    await register(r.url, `${jtopic}-value`, {
      schemaType: 'JSON',
      schema: JSON.stringify(schema),
      ruleSet: { domainRules: [upper] },
    });
    const jb = await new Serializer('JSON', { source, useLatestVersion: true }).serialize(jtopic, {
      a: 'x',
      b: 'y',
      c: 'z',
      d: [{ e: 'w' }],
    });
    assert.deepEqual(JSON.parse(jb.subarray(5).toString()), { a: 'X', b: 'Y', c: 'Z', d: [{ e: 'W' }] });
    const jb2 = await new Serializer('JSON', { source, useLatestVersion: true }).serialize(jtopic, { a: null, b: 3 });
    assert.deepEqual(JSON.parse(jb2.subarray(5).toString()), { a: null, b: 3 });
  });

  test('migrations run only across compatibility groups: a later version of the same major with the same rules adds no step', async () => {
    const topic = unique('grp');
    const subject = `${topic}-value`;
    await setConfig(r.url, subject, { compatibilityLevel: 'NONE', compatibilityGroup: 'major_version' });
    const obj = (props: Record<string, unknown>) =>
      JSON.stringify({ type: 'object', properties: props, additionalProperties: false });
    const tenfold = {
      migrationRules: [
        { name: 'tenfold', kind: 'TRANSFORM', mode: 'UPGRADE', type: 'JSONATA', expr: "$merge([$, {'n': n * 10}])" },
        { name: 'tenth', kind: 'TRANSFORM', mode: 'DOWNGRADE', type: 'JSONATA', expr: "$merge([$, {'n': n / 10}])" },
      ],
    };
    await register(r.url, subject, {
      schemaType: 'JSON',
      schema: obj({ n: { type: 'number' } }),
      metadata: { properties: { major_version: '1' } },
    });
    await register(r.url, subject, {
      schemaType: 'JSON',
      schema: obj({ n: { type: 'number' }, unit: { type: 'string' } }),
      metadata: { properties: { major_version: '2' } },
      ruleSet: tenfold,
    });
    await register(r.url, subject, {
      schemaType: 'JSON',
      schema: obj({ n: { type: 'number' }, unit: { type: 'string' }, note: { type: 'string' } }),
      metadata: { properties: { major_version: '2' } },
      ruleSet: tenfold,
    });
    for (const [name, source] of sources()) {
      const v1 = await new Serializer('JSON', { source, useLatestWithMetadata: { major_version: '1' } }).serialize(
        topic,
        {
          n: 7,
        },
      );
      // v1 → v3 crosses one group boundary: ×10 once, not twice
      assert.deepEqual(
        await new Deserializer({ source, useLatestVersion: true }).deserialize(topic, v1),
        { n: 70 },
        name,
      );
      const v3 = await new Serializer('JSON', { source, useLatestVersion: true }).serialize(topic, {
        n: 70,
        note: 'x',
      });
      const old = new Deserializer({ source, useLatestWithMetadata: { major_version: '1' } });
      // the migrated value must be valid for the reader schema (additionalProperties: false)
      await rejectsWith(old.deserialize(topic, v3), 'INVALID_PAYLOAD', /After migration/);
      const v3b = await new Serializer('JSON', { source, useLatestVersion: true }).serialize(topic, { n: 70 });
      assert.deepEqual(await old.deserialize(topic, v3b), { n: 7 }, name);
    }
  });
});
