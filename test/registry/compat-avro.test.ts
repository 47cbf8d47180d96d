// Apicurio's Avro cases (test/fixtures/registry-compat/, Apache-2.0) and our
// own reader/writer cases, one per rule of Avro schema resolution.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CompatibilityLevel, checkCompatibility } from '../../src/registry/formats/index.ts';
import { runCaseFile } from './compat-cases.ts';

const s = (o: unknown) => ({ schema: JSON.stringify(o), refs: [] });
const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name: 'R',
  namespace: 'ns',
  fields,
  ...extra,
});
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

/** Messages when `next` is checked against `prev` at `level`. */
function check(level: CompatibilityLevel, prev: unknown, next: unknown): string[] {
  return checkCompatibility(level, s(next), [s(prev)], 'AVRO');
}

/** Asserts the verdicts in both directions: can `next` read `prev` data (BACKWARD) and can `prev` read `next` data (FORWARD). */
function verdict(prev: unknown, next: unknown, backward: boolean, forward: boolean, errorType?: string): void {
  const b = check('BACKWARD', prev, next);
  const f = check('FORWARD', prev, next);
  assert.equal(b.length === 0, backward, `BACKWARD: ${b.join('; ')}`);
  assert.equal(f.length === 0, forward, `FORWARD: ${f.join('; ')}`);
  if (errorType) assert.match([...b, ...f].join('\n'), new RegExp(`errorType:'${errorType}'`));
  assert.equal(check('FULL', prev, next).length === 0, backward && forward);
}

describe('Avro compatibility', () => {
  test('every case of avro-compatibility-cases.json has the expected BACKWARD and FORWARD verdicts', () => {
    const { total, failures } = runCaseFile('avro-compatibility-cases.json', 'AVRO');
    assert.equal(total, 4);
    assert.deepEqual(failures, []);
  });

  test('a field added without a default cannot read old data (READER_FIELD_MISSING_DEFAULT_VALUE)', () => {
    verdict(
      rec([field('a', 'int')]),
      rec([field('a', 'int'), field('b', 'string')]),
      false,
      true,
      'READER_FIELD_MISSING_DEFAULT_VALUE',
    );
    verdict(rec([field('a', 'int')]), rec([field('a', 'int'), field('b', 'string', { default: '' })]), true, true);
  });

  test('a removed field needs a default in the old schema for FORWARD', () => {
    verdict(rec([field('a', 'int'), field('b', 'string')]), rec([field('a', 'int')]), true, false);
    verdict(rec([field('a', 'int'), field('b', 'string', { default: 'x' })]), rec([field('a', 'int')]), true, true);
  });

  test('promotions int→long→float→double and string↔bytes are one-way except string/bytes', () => {
    verdict(rec([field('a', 'int')]), rec([field('a', 'long')]), true, false);
    verdict(rec([field('a', 'long')]), rec([field('a', 'float')]), true, false);
    verdict(rec([field('a', 'int')]), rec([field('a', 'double')]), true, false);
    verdict(rec([field('a', 'float')]), rec([field('a', 'double')]), true, false);
    verdict(rec([field('a', 'string')]), rec([field('a', 'bytes')]), true, true);
    verdict(rec([field('a', 'long')]), rec([field('a', 'int')]), false, true, 'TYPE_MISMATCH');
    verdict(rec([field('a', 'string')]), rec([field('a', 'int')]), false, false, 'TYPE_MISMATCH');
    verdict(rec([field('a', 'boolean')]), rec([field('a', 'boolean')]), true, true);
  });

  test('logical types compare by their underlying type', () => {
    verdict(rec([field('a', 'int')]), rec([field('a', { type: 'int', logicalType: 'date' })]), true, true);
  });

  test('enum symbols: the reader must know every writer symbol unless it has a default', () => {
    const e = (symbols: string[], extra: Record<string, unknown> = {}) => ({
      type: 'enum',
      name: 'E',
      symbols,
      ...extra,
    });
    verdict(e(['A', 'B']), e(['A', 'B', 'C']), true, false, 'MISSING_ENUM_SYMBOLS');
    verdict(e(['A', 'B']), e(['A', 'B', 'C'], {}), true, false);
    verdict(e(['A', 'B'], { default: 'A' }), e(['A', 'B', 'C'], { default: 'A' }), true, true);
    verdict(e(['A', 'B']), e(['A']), false, true);
  });

  test('unions: every writer branch must be readable; a reader union needs one matching branch', () => {
    verdict(
      rec([field('a', 'int')]),
      rec([field('a', ['null', 'int'], { default: null })]),
      true,
      false,
      'TYPE_MISMATCH',
    );
    verdict(rec([field('a', ['null', 'int'])]), rec([field('a', ['null', 'int', 'string'])]), true, false);
    verdict(rec([field('a', ['int', 'string'])]), rec([field('a', ['long', 'string'])]), true, false);
    verdict(
      rec([field('a', ['null', 'string'])]),
      rec([field('a', ['null', 'int'])]),
      false,
      false,
      'MISSING_UNION_BRANCH',
    );
  });

  test('named types match by unqualified name or a reader alias', () => {
    verdict(rec([field('a', 'int')]), { ...rec([field('a', 'int')]), name: 'S' }, false, false, 'NAME_MISMATCH');
    verdict(rec([field('a', 'int')]), { ...rec([field('a', 'int')]), name: 'S', aliases: ['ns.R'] }, true, false);
    verdict(rec([field('a', 'int')]), { ...rec([field('a', 'int')]), namespace: 'other' }, true, true);
  });

  test('field aliases let a renamed field read the old one', () => {
    verdict(rec([field('a', 'int')]), rec([field('b', 'int', { aliases: ['a'] })]), true, false);
  });

  test('arrays, maps and fixed sizes', () => {
    verdict({ type: 'array', items: 'int' }, { type: 'array', items: 'long' }, true, false);
    verdict({ type: 'map', values: 'int' }, { type: 'map', values: 'string' }, false, false, 'TYPE_MISMATCH');
    verdict(
      { type: 'fixed', name: 'F', size: 4 },
      { type: 'fixed', name: 'F', size: 8 },
      false,
      false,
      'FIXED_SIZE_MISMATCH',
    );
    verdict({ type: 'fixed', name: 'F', size: 4 }, { type: 'fixed', name: 'F', size: 4 }, true, true);
    verdict({ type: 'array', items: 'int' }, { type: 'map', values: 'int' }, false, false, 'TYPE_MISMATCH');
  });

  test('recursive records and nested named references', () => {
    const list = (extra: unknown[]) =>
      rec([field('v', 'int'), field('next', ['null', 'R'], { default: null }), ...extra]);
    verdict(list([]), list([field('w', 'int', { default: 0 })]), true, true);
    verdict(list([]), list([field('w', 'int')]), false, true);
  });

  test('references resolve named types from other schemas', () => {
    const addr = (fields: unknown[]) => ({
      name: 'ns.Addr',
      schemaType: 'AVRO' as const,
      schema: JSON.stringify({ type: 'record', name: 'Addr', namespace: 'ns', fields }),
    });
    const order = JSON.stringify(rec([field('to', 'ns.Addr')]));
    const old = { schema: order, refs: [addr([field('street', 'string')])] };
    const added = { schema: order, refs: [addr([field('street', 'string'), field('zip', 'string')])] };
    assert.ok(checkCompatibility('BACKWARD', added, [old], 'AVRO')[0]?.includes('READER_FIELD_MISSING_DEFAULT_VALUE'));
    assert.deepEqual(checkCompatibility('FORWARD', added, [old], 'AVRO'), []);
  });

  test('transitive levels check every earlier version', () => {
    const v1 = rec([field('a', 'int')]);
    const v2 = rec([field('a', 'int'), field('b', 'int', { default: 0 })]);
    const v3 = rec([field('a', 'int'), field('b', 'int')]);
    assert.deepEqual(checkCompatibility('BACKWARD', s(v3), [s(v1), s(v2)], 'AVRO'), []);
    const msgs = checkCompatibility('BACKWARD_TRANSITIVE', s(v3), [s(v1), s(v2)], 'AVRO');
    assert.equal(msgs.length, 1);
    assert.match(msgs[0]!, /oldSchemaVersion: 1/);
    assert.deepEqual(checkCompatibility('FORWARD_TRANSITIVE', s(v3), [s(v1), s(v2)], 'AVRO'), []);
    assert.equal(checkCompatibility('FULL_TRANSITIVE', s(v3), [s(v1), s(v2)], 'AVRO').length, 1);
    assert.deepEqual(checkCompatibility('NONE', s(v3), [s(v1), s(v2)], 'AVRO'), []);
    assert.deepEqual(checkCompatibility('FULL', s(v3), [], 'AVRO'), []);
  });
});
