// Apicurio's JSON Schema compatibility cases (test/fixtures/registry-compat/,
// Apache-2.0, see SOURCE.md there) through checkCompatibility, plus the
// transitive levels and Confluent's message shape.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCompatibility } from '../../src/registry/formats/index.ts';
import { runCaseFile } from './compat-cases.ts';

describe('JSON Schema compatibility', () => {
  test('every case of jsonschema-compatibility-cases.json has the expected BACKWARD and FORWARD verdicts', () => {
    const { total, failures } = runCaseFile('jsonschema-compatibility-cases.json', 'JSON');
    assert.equal(total, 145);
    assert.deepEqual(failures, []);
  });

  const s = (o: unknown) => ({ schema: JSON.stringify(o), refs: [] });
  const v1 = s({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
  const v2 = s({
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'number' } },
    additionalProperties: false,
  });
  const v3 = s({ type: 'object', properties: { b: { type: 'number' } }, additionalProperties: false });

  test('transitive levels check every version, the others only the latest', () => {
    // v3 drops `a`, which v1 data may carry under a closed model: v3 cannot read v1 data.
    assert.ok(checkCompatibility('BACKWARD', v3, [v1, v2], 'JSON').length > 0);
    assert.equal(checkCompatibility('BACKWARD', v2, [v1], 'JSON').length, 0);
    assert.ok(checkCompatibility('BACKWARD_TRANSITIVE', v3, [v1, v2], 'JSON').length > 0);
    assert.equal(checkCompatibility('NONE', v3, [v1, v2], 'JSON').length, 0);
    assert.ok(checkCompatibility('FULL', v2, [v1], 'JSON').length > 0);
  });

  test('an open content model makes adding a typed property incompatible; a closed one allows it', () => {
    const open = s({ type: 'object', properties: { a: { type: 'string' } } });
    const openPlus = s({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } });
    const msgs = checkCompatibility('BACKWARD', openPlus, [open], 'JSON');
    assert.equal(msgs.length, 1);
    assert.match(msgs[0]!, /^\{errorType:'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'/);
    assert.match(msgs[0]!, /oldSchemaVersion: 1/);
    assert.deepEqual(checkCompatibility('BACKWARD', v2, [v1], 'JSON'), []);
  });

  test('required, draft 2020-12 prefixItems and dependentRequired', () => {
    const d = '$schema';
    const url = 'https://json-schema.org/draft/2020-12/schema';
    const a = s({ [d]: url, type: 'array', prefixItems: [{ type: 'string' }], items: false });
    const b = s({ [d]: url, type: 'array', prefixItems: [{ type: 'string' }], items: { type: 'number' } });
    assert.deepEqual(checkCompatibility('BACKWARD', b, [a], 'JSON'), []);
    assert.ok(checkCompatibility('FORWARD', b, [a], 'JSON').length > 0);
    const r1 = s({ [d]: url, type: 'object', dependentRequired: { a: ['b'] } });
    const r2 = s({ [d]: url, type: 'object', dependentRequired: { a: ['b', 'c'] } });
    assert.ok(checkCompatibility('BACKWARD', r2, [r1], 'JSON').length > 0);
    assert.deepEqual(checkCompatibility('BACKWARD', r1, [r2], 'JSON'), []);
  });

  test('$ref into a referenced schema is followed', () => {
    const addr = (min: number) => ({
      name: 'address.json',
      schemaType: 'JSON' as const,
      schema: JSON.stringify({ type: 'string', minLength: min }),
    });
    const order = JSON.stringify({ type: 'object', properties: { to: { $ref: 'address.json' } } });
    assert.deepEqual(
      checkCompatibility('BACKWARD', { schema: order, refs: [addr(1)] }, [{ schema: order, refs: [addr(5)] }], 'JSON'),
      [],
    );
    const msgs = checkCompatibility(
      'BACKWARD',
      { schema: order, refs: [addr(5)] },
      [{ schema: order, refs: [addr(1)] }],
      'JSON',
    );
    assert.match(msgs[0]!, /MIN_LENGTH_INCREASED/);
  });
});
