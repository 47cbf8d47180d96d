/**
 * Bad input is a 422 with a message that says what is wrong, wherever a
 * schema or a rule set comes in: malformed schemas of every type and unknown
 * references on register, lookup and compatibility checks; CEL that does
 * not compile in a registration and in every config rule set; metadata of
 * the wrong shape in config. Nothing is stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { avroRecord, sr, startTestRegistry, type TestRegistry } from './helpers.ts';

describe('registry REST: bad input', () => {
  let r: TestRegistry;
  let url: string;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
    url = r.url;
    // lookups and compatibility checks need an existing subject
    await sr(url, 'POST', '/subjects/bad-base/versions', { schema: avroRecord('Base', ['a']) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const malformed: Array<[string, Record<string, unknown>]> = [
    ['Avro: broken JSON', { schema: '{"type":"record","name":"X"' }],
    ['Avro: record without fields', { schema: '{"type":"record","name":"X"}' }],
    ['Avro: unknown type name', { schema: avroRecord('X', [{ name: 'a', type: 'com.nowhere.Missing' }]) }],
    ['JSON Schema: broken JSON', { schemaType: 'JSON', schema: '{"type":' }],
    ['JSON Schema: invalid keyword value', { schemaType: 'JSON', schema: '{"type":"objekt"}' }],
    ['Protobuf: syntax error', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message {' }],
    [
      'unknown reference',
      {
        schema: avroRecord('R', [{ name: 'n', type: 'com.x.Missing' }]),
        references: [{ name: 'com.x.Missing', subject: 'no-such-subject', version: 3 }],
      },
    ],
  ];

  test('malformed schemas and unknown references: 422/42201 on register, lookup and compatibility', async () => {
    for (const [what, body] of malformed) {
      for (const [method, path] of [
        ['POST', '/subjects/bad-new/versions'],
        ['POST', '/subjects/bad-base'],
        ['POST', '/compatibility/subjects/bad-base/versions/latest'],
        ['POST', '/compatibility/subjects/bad-base/versions'],
      ] as const) {
        const res = await sr(url, method, path, body);
        assert.equal(res.status, 422, `${what} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error_code, 42201, `${what} ${path}`);
        assert.match(res.body.message, /^Invalid schema: .{5,}/, `${what} ${path}`);
      }
    }
    const ref = await sr(url, 'POST', '/subjects/bad-new/versions', malformed.at(-1)?.[1]);
    assert.match(ref.body.message, /reference com\.x\.Missing to subject no-such-subject version 3 not found/);
    assert.equal((await sr(url, 'GET', '/subjects/bad-new/versions')).status, 404);
  });

  const badCel = { name: 'broken', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.age >=' };

  test('CEL that does not compile: 422/42210 in a registration and in every config rule set', async () => {
    const reg = await sr(url, 'POST', '/subjects/bad-cel/versions', {
      schema: avroRecord('C', ['a']),
      ruleSet: { domainRules: [badCel] },
    });
    assert.equal(reg.status, 422);
    assert.equal(reg.body.error_code, 42210);
    assert.match(reg.body.message, /Rule 'broken': the CEL expression "message.age >=" does not compile/);
    for (const key of ['defaultRuleSet', 'overrideRuleSet']) {
      for (const path of ['/config', '/config/bad-cfg']) {
        const res = await sr(url, 'PUT', path, { [key]: { domainRules: [badCel] } });
        assert.equal(res.status, 422, `${key} ${path}`);
        assert.equal(res.body.error_code, 42210);
        assert.match(res.body.message, /Rule 'broken'.*does not compile/);
      }
      const field = await sr(url, 'PUT', '/config/bad-cfg', {
        [key]: { domainRules: [{ name: 'mask', type: 'CEL_FIELD', mode: 'WRITE', expr: "name == ; 'x'" }] },
      });
      assert.equal(field.body.error_code, 42210);
      assert.match(field.body.message, /CEL_FIELD guard "name ==" does not compile/);
      const shape = await sr(url, 'PUT', '/config/bad-cfg', { [key]: { domainRules: 'oops' } });
      assert.equal(shape.body.error_code, 42210);
      assert.match(shape.body.message, /domainRules must be an array of rules/);
    }
    for (const key of ['defaultMetadata', 'overrideMetadata']) {
      const res = await sr(url, 'PUT', '/config/bad-cfg', { [key]: { properties: { n: 1 } } });
      assert.equal(res.status, 422);
      assert.match(res.body.message, /property 'n' must be a string/);
    }
    // nothing of it was stored
    assert.equal((await sr(url, 'GET', '/config/bad-cfg')).body.error_code, 40408);
    assert.deepEqual((await sr(url, 'GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
  });
});
