// parseSchema: malformed schemas and bad references give SchemaParseError with
// a message saying what is wrong; canonical text decides identity and
// normalized text makes spelling differences share one id.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseSchema,
  type ResolvedReference,
  SchemaParseError,
  type SchemaType,
} from '../../src/registry/formats/index.ts';

function rejects(type: SchemaType, schema: string, pattern: RegExp, refs: ResolvedReference[] = []): void {
  assert.throws(
    () => parseSchema(type, schema, refs),
    (e: unknown) => e instanceof SchemaParseError && pattern.test(e.message),
  );
}

describe('parseSchema: AVRO', () => {
  test('malformed schemas say what is wrong', () => {
    rejects('AVRO', '{"type": "record"', /Invalid schema.*not valid JSON/);
    rejects('AVRO', '{"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]}', /Invalid schema.*Nope/);
    rejects(
      'AVRO',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}',
      /Invalid schema.*default/,
    );
    rejects('AVRO', '{"type":"enum","name":"E","symbols":["A","A"]}', /Invalid schema/);
    rejects('AVRO', '', /empty/);
  });

  test('references are named types from other schemas; a broken one is reported', () => {
    const addr: ResolvedReference = {
      name: 'ns.Addr',
      schemaType: 'AVRO',
      schema: '{"type":"record","name":"Addr","namespace":"ns","fields":[{"name":"s","type":"string"}]}',
    };
    const order = '{"type":"record","name":"Order","namespace":"ns","fields":[{"name":"to","type":"Addr"}]}';
    assert.equal(parseSchema('AVRO', order, [addr]).type, 'AVRO');
    rejects('AVRO', order, /Addr/);
    rejects('AVRO', order, /reference 'ns.Addr'/, [
      { ...addr, schema: '{"type":"record","name":"Addr","namespace":"ns","fields":[{"name":"s","type":"Gone"}]}' },
    ]);
  });

  test('canonical keeps the author’s JSON without whitespace; normalized fixes names and spelling', () => {
    const a = parseSchema(
      'AVRO',
      '{ "type": "record", "name": "R", "namespace": "n",\n "fields": [ {"name": "x", "type": {"type": "int"}} ] }',
      [],
    );
    const b = parseSchema('AVRO', '{"name":"n.R","type":"record","fields":[{"name":"x","type":"int"}]}', []);
    assert.equal(
      a.canonical,
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"int"}}]}',
    );
    assert.notEqual(a.canonical, b.canonical);
    assert.equal(a.normalized, b.normalized);
    assert.equal(a.normalized, '{"type":"record","name":"n.R","fields":[{"name":"x","type":"int"}]}');
    assert.equal(parseSchema('AVRO', '"string"', []).canonical, '"string"');
  });
});

describe('parseSchema: JSON', () => {
  test('malformed schemas say what is wrong', () => {
    rejects('JSON', '{"type": "strin"}', /Invalid schema.*type/);
    rejects('JSON', '{"minimum": "x"}', /Invalid schema.*minimum/);
    rejects('JSON', '[1]', /object or a boolean/);
    rejects('JSON', '{"properties":{"a":{"$ref":"#/definitions/Missing"}}}', /one its references is invalid.*Missing/);
    rejects('JSON', '{"properties":{"a":{"$ref":"other.json"}}}', /other\.json/);
  });

  test('every draft from 4 to 2020-12 is accepted, picked by $schema', () => {
    const drafts = [
      'http://json-schema.org/draft-04/schema#',
      'http://json-schema.org/draft-06/schema#',
      'http://json-schema.org/draft-07/schema#',
      'https://json-schema.org/draft/2019-09/schema',
      'https://json-schema.org/draft/2020-12/schema',
    ];
    for (const d of drafts)
      assert.equal(parseSchema('JSON', JSON.stringify({ $schema: d, type: 'object' }), []).type, 'JSON');
    parseSchema(
      'JSON',
      JSON.stringify({ $schema: drafts[0], id: 'x', type: 'number', minimum: 1, exclusiveMinimum: true }),
      [],
    );
    parseSchema('JSON', JSON.stringify({ $schema: drafts[4], type: 'array', prefixItems: [{ type: 'string' }] }), []);
    parseSchema('JSON', 'true', []);
  });

  test('$ref to a referenced schema by its name or by URL against the root $id', () => {
    const ref: ResolvedReference = {
      name: 'address.json',
      schemaType: 'JSON',
      schema: '{"type":"object","properties":{"street":{"type":"string"}}}',
    };
    parseSchema('JSON', '{"type":"object","properties":{"a":{"$ref":"address.json"}}}', [ref]);
    parseSchema(
      'JSON',
      '{"$id":"http://example.com/order.json","type":"object","properties":{"a":{"$ref":"address.json"}}}',
      [ref],
    );
    rejects('JSON', '{"type":"object"}', /reference 'bad.json'/, [
      { name: 'bad.json', schemaType: 'JSON', schema: '{"type":7}' },
    ]);
  });

  test('canonical drops whitespace only; normalized also sorts keys', () => {
    const a = parseSchema(
      'JSON',
      '{ "type": "object", "properties": { "b": {"type":"string"}, "a": {"type":"number"} } }',
      [],
    );
    const b = parseSchema('JSON', '{"properties":{"a":{"type":"number"},"b":{"type":"string"}},"type":"object"}', []);
    assert.equal(a.canonical, '{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}}}');
    assert.notEqual(a.canonical, b.canonical);
    assert.equal(a.normalized, b.normalized);
  });
});

describe('parseSchema: PROTOBUF', () => {
  test('malformed schemas and unknown imports or types say what is wrong', () => {
    rejects('PROTOBUF', 'syntax = "proto3";\nmessage A { int32 a = 1 }', /Invalid schema/);
    rejects('PROTOBUF', 'syntax = "proto3";\nmessage A { Missing a = 1; }', /Invalid schema.*Missing/);
    rejects(
      'PROTOBUF',
      'syntax = "proto3";\nimport "other.proto";\nmessage A { int32 a = 1; }',
      /import 'other\.proto'.*not a reference/,
    );
    rejects(
      'PROTOBUF',
      'syntax = "proto3";\nimport "dep.proto";\nmessage A { int32 a = 1; }',
      /reference 'dep\.proto'/,
      [{ name: 'dep.proto', schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message B {' }],
    );
  });

  test('imports resolve from references and from the well-known google/protobuf files', () => {
    const dep: ResolvedReference = {
      name: 'money.proto',
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; }\n',
    };
    const text =
      'syntax = "proto3";\npackage shop;\nimport "money.proto";\nimport "google/protobuf/timestamp.proto";\nmessage Order {\n  Money total = 1;\n  google.protobuf.Timestamp at = 2;\n}\n';
    const p = parseSchema('PROTOBUF', text, [dep]);
    assert.equal(p.type, 'PROTOBUF');
    assert.match(p.normalized, /message Order \{\n {2}Money total = 1;\n {2}google\.protobuf\.Timestamp at = 2;\n\}/);
    assert.doesNotMatch(p.normalized, /message Money/);
  });

  test('canonical is the text; normalized ignores layout and field order', () => {
    const a = parseSchema(
      'PROTOBUF',
      'syntax = "proto3";\r\npackage p;\r\nmessage M { string b = 2; int32 a = 1; }\r\n',
      [],
    );
    const b = parseSchema(
      'PROTOBUF',
      'syntax = "proto3";\npackage p;\n\nmessage M {\n  int32 a = 1;\n  string b = 2;\n}',
      [],
    );
    assert.equal(a.canonical, 'syntax = "proto3";\npackage p;\nmessage M { string b = 2; int32 a = 1; }');
    assert.notEqual(a.canonical, b.canonical);
    assert.equal(a.normalized, b.normalized);
    assert.equal(a.normalized, 'syntax = "proto3";\npackage p;\nmessage M {\n  int32 a = 1;\n  string b = 2;\n}\n');
  });
});

test('an unknown schema type is a parse error', () => {
  rejects('XML' as SchemaType, '<a/>', /Invalid schema type XML/);
});
