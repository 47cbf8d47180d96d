// Our own Protobuf compatibility cases, one group per rule of protobuf-compat.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CompatibilityLevel,
  checkCompatibility,
  type ResolvedReference,
} from '../../src/registry/formats/index.ts';

const proto = (body: string, head = 'syntax = "proto3";\npackage shop;\n') => `${head}${body}`;
const msg = (fields: string) => proto(`message Order {\n${fields}\n}\n`);

function check(level: CompatibilityLevel, prev: string, next: string, refs: ResolvedReference[] = []): string[] {
  return checkCompatibility(level, { schema: next, refs }, [{ schema: prev, refs }], 'PROTOBUF');
}

/** Asserts BACKWARD (new reads old) and FORWARD (old reads new) verdicts, and an error type when given. */
function verdict(prev: string, next: string, backward: boolean, forward: boolean, errorType?: string): void {
  const b = check('BACKWARD', prev, next);
  const f = check('FORWARD', prev, next);
  assert.equal(b.length === 0, backward, `BACKWARD: ${b.join('; ')}`);
  assert.equal(f.length === 0, forward, `FORWARD: ${f.join('; ')}`);
  if (errorType) assert.match([...b, ...f].join('\n'), new RegExp(`errorType:'${errorType}'`));
}

describe('Protobuf compatibility', () => {
  test('adding, removing and renaming fields is compatible', () => {
    const v1 = msg('  string id = 1;\n  int32 qty = 2;');
    verdict(v1, msg('  string id = 1;\n  int32 qty = 2;\n  string note = 3;'), true, true);
    verdict(v1, msg('  string id = 1;\n  reserved 2;'), true, true);
    verdict(v1, msg('  string order_id = 1;\n  int32 quantity = 2;'), true, true);
  });

  test('scalar types change only within a wire-compatible group', () => {
    const v1 = msg('  int32 qty = 1;');
    for (const t of ['int64', 'uint32', 'uint64', 'bool']) verdict(v1, msg(`  ${t} qty = 1;`), true, true);
    verdict(msg('  sint32 n = 1;'), msg('  sint64 n = 1;'), true, true);
    verdict(msg('  fixed32 n = 1;'), msg('  sfixed32 n = 1;'), true, true);
    verdict(msg('  fixed64 n = 1;'), msg('  sfixed64 n = 1;'), true, true);
    verdict(msg('  string s = 1;'), msg('  bytes s = 1;'), true, true);
    verdict(v1, msg('  sint32 qty = 1;'), false, false, 'FIELD_SCALAR_KIND_CHANGED');
    verdict(v1, msg('  string qty = 1;'), false, false, 'FIELD_SCALAR_KIND_CHANGED');
    verdict(msg('  float f = 1;'), msg('  double f = 1;'), false, false, 'FIELD_SCALAR_KIND_CHANGED');
  });

  test('an enum reads as int32/uint32/int64/uint64; scalar ↔ message ↔ map is a kind change', () => {
    const withEnum = proto('enum Status {\n  NEW = 0;\n  DONE = 1;\n}\nmessage Order {\n  Status status = 1;\n}\n');
    verdict(withEnum.replace('Status status', 'int32 status'), withEnum, true, true);
    const withMsg = proto('message Money {\n  int64 cents = 1;\n}\nmessage Order {\n  Money total = 1;\n}\n');
    verdict(msg('  int64 total = 1;'), withMsg, false, false, 'FIELD_KIND_CHANGED');
    verdict(
      msg('  map<string, int32> tags = 1;'),
      msg('  repeated string tags = 1;'),
      false,
      false,
      'FIELD_KIND_CHANGED',
    );
    verdict(msg('  map<string, int32> tags = 1;'), msg('  map<string, int64> tags = 1;'), true, true);
    verdict(
      msg('  map<string, int32> tags = 1;'),
      msg('  map<int32, int32> tags = 1;'),
      false,
      false,
      'FIELD_SCALAR_KIND_CHANGED',
    );
  });

  test('a field pointing at a different message is a named type change; nested changes are followed', () => {
    const two = (field: string, extra = '') =>
      proto(
        `message A {\n  string x = 1;${extra}\n}\nmessage B {\n  string y = 1;\n}\nmessage Order {\n  ${field} = 1;\n}\n`,
      );
    verdict(two('A item'), two('B item'), false, false, 'FIELD_NAMED_TYPE_CHANGED');
    verdict(two('A item'), two('A item', '\n  int32 z = 2;'), true, true);
    verdict(
      two('A item'),
      two('A item', '\n  reserved 1;\n  int32 x2 = 2;').replace('  string x = 1;\n', ''),
      true,
      true,
    );
    const nested = (t: string) =>
      proto(`message Order {\n  message Line {\n    ${t} sku = 1;\n  }\n  repeated Line lines = 1;\n}\n`);
    verdict(nested('string'), nested('double'), false, false, 'FIELD_SCALAR_KIND_CHANGED');
  });

  test('removing a message or enum is incompatible; adding one is not; a package rename is', () => {
    const two = proto('message Order {\n  string id = 1;\n}\nmessage Refund {\n  string id = 1;\n}\n');
    const one = proto('message Order {\n  string id = 1;\n}\n');
    verdict(two, one, false, true, 'MESSAGE_REMOVED');
    const nestedEnum = proto('message Order {\n  enum Kind {\n    A = 0;\n  }\n  string id = 1;\n}\n');
    verdict(nestedEnum, one, false, true, 'ENUM_REMOVED');
    verdict(one, one.replace('package shop;', 'package store;'), true, true);
  });

  test('repeated ↔ singular is compatible for scalars, strings and messages', () => {
    verdict(msg('  int32 n = 1;'), msg('  repeated int32 n = 1;'), true, true);
    verdict(msg('  string s = 1;'), msg('  repeated string s = 1;'), true, true);
  });

  test('oneof: removing a member, moving into an existing oneof, or several into a new one', () => {
    const v1 = msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n  }');
    verdict(v1, msg('  oneof pay {\n    string card = 1;\n  }'), false, true, 'ONEOF_FIELD_REMOVED');
    verdict(
      v1,
      msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n    string cash = 3;\n  }'),
      true,
      false,
    );
    const loose = msg('  string card = 1;\n  string iban = 2;');
    verdict(loose, msg('  string card = 1;\n  oneof pay {\n    string iban = 2;\n  }'), true, true);
    verdict(
      loose,
      msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n  }'),
      false,
      true,
      'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
    );
    const one = msg('  string card = 1;\n  oneof pay {\n    string iban = 2;\n  }');
    verdict(
      one,
      msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n  }'),
      false,
      true,
      'FIELD_MOVED_TO_EXISTING_ONEOF',
    );
  });

  test('enum constants: removing one is fine for open proto3 enums, not for closed proto2 enums', () => {
    const e3 = (values: string) => proto(`enum Status {\n${values}\n}\nmessage Order {\n  Status s = 1;\n}\n`);
    verdict(e3('  NEW = 0;\n  DONE = 1;'), e3('  NEW = 0;'), true, true);
    verdict(e3('  NEW = 0;\n  DONE = 1;'), e3('  NEW = 0;\n  FINISHED = 1;'), true, true);
    const p2 = 'syntax = "proto2";\npackage shop;\n';
    const e2 = (values: string) =>
      proto(`enum Status {\n${values}\n}\nmessage Order {\n  optional Status s = 1;\n}\n`, p2);
    verdict(e2('  NEW = 0;\n  DONE = 1;'), e2('  NEW = 0;'), false, true, 'ENUM_CONST_REMOVED');
  });

  test('proto2 required fields and a syntax change', () => {
    const p2 = 'syntax = "proto2";\npackage shop;\n';
    const base = proto('message Order {\n  required string id = 1;\n}\n', p2);
    verdict(
      base,
      proto('message Order {\n  required string id = 1;\n  required int32 qty = 2;\n}\n', p2),
      false,
      true,
      'REQUIRED_FIELD_ADDED',
    );
    verdict(base, proto('message Order {\n  required string id = 1;\n  optional int32 qty = 2;\n}\n', p2), true, true);
    verdict(
      msg('  string id = 1;'),
      proto('message Order {\n  optional string id = 1;\n}\n', p2),
      false,
      false,
      'SYNTAX_CHANGED',
    );
  });

  test('imports resolve from references, and the imported types are compared', () => {
    const money = (t: string): ResolvedReference => ({
      name: 'money.proto',
      schemaType: 'PROTOBUF',
      schema: `syntax = "proto3";\npackage shop;\nmessage Money {\n  ${t} cents = 1;\n}\n`,
    });
    const order = 'syntax = "proto3";\npackage shop;\nimport "money.proto";\nmessage Order {\n  Money total = 1;\n}\n';
    const b = checkCompatibility(
      'BACKWARD',
      { schema: order, refs: [money('int64')] },
      [{ schema: order, refs: [money('int32')] }],
      'PROTOBUF',
    );
    assert.deepEqual(b, []);
    const bad = checkCompatibility(
      'BACKWARD',
      { schema: order, refs: [money('string')] },
      [{ schema: order, refs: [money('int32')] }],
      'PROTOBUF',
    );
    assert.match(bad[0]!, /FIELD_SCALAR_KIND_CHANGED/);
  });

  test('transitive levels', () => {
    const v1 = msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n  }');
    const v2 = msg('  oneof pay {\n    string card = 1;\n    string iban = 2;\n  }\n  string note = 3;');
    const v3 = msg('  oneof pay {\n    string card = 1;\n  }\n  string note = 3;\n  reserved 2;');
    assert.equal(
      checkCompatibility(
        'FORWARD_TRANSITIVE',
        { schema: v3, refs: [] },
        [
          { schema: v1, refs: [] },
          { schema: v2, refs: [] },
        ],
        'PROTOBUF',
      ).length,
      0,
    );
    assert.equal(
      checkCompatibility(
        'BACKWARD_TRANSITIVE',
        { schema: v3, refs: [] },
        [
          { schema: v1, refs: [] },
          { schema: v2, refs: [] },
        ],
        'PROTOBUF',
      ).length,
      2,
    );
    assert.equal(
      checkCompatibility('FULL', { schema: v2, refs: [] }, [{ schema: v1, refs: [] }], 'PROTOBUF').length,
      0,
    );
  });
});
