/**
 * PROTOBUF schemas as serialized FileDescriptorProtos (`format=serialized`
 * on reads, base64 descriptors in register bodies), the form Confluent's
 * Protobuf serdes use — checked with protobufjs' descriptor codec and with
 * @confluentinc/schemaregistry auto-registering through our registry.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import { sr, startTestRegistry, type TestRegistry } from './helpers.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test clients
const confluent: any = require('@confluentinc/schemaregistry');
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test clients
const bufbuild: any = require('@bufbuild/protobuf');
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS test clients
const wkt: any = require('@bufbuild/protobuf/wkt');
// biome-ignore lint/suspicious/noExplicitAny: protobufjs' descriptor extension has no usable typings
const descriptor = descriptorModule as any;

// biome-ignore lint/suspicious/noExplicitAny: decoded descriptor objects are inspected field by field
function decode(b64: string): any {
  return descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(Buffer.from(b64, 'base64')), {
    enums: String,
  });
}

const common = `syntax = "proto3";
package acme.common;
message Money { string currency = 1; int64 units = 2; }
`;
const order = `syntax = "proto3";
package acme.orders;
import "common.proto";
message Order {
  string id = 1;
  acme.common.Money total = 2;
  map<string, string> labels = 3;
  optional string note = 4;
  oneof payer { string card = 5; string account = 6; }
  Status status = 7;
  repeated Line lines = 8;
  message Line { string sku = 1; int32 qty = 2; }
  enum Status { NEW = 0; PAID = 1; }
  reserved 20 to 25, 30;
  reserved "legacy";
}
`;

describe('PROTOBUF as serialized FileDescriptorProto', () => {
  let r: TestRegistry;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('format=serialized answers the descriptor: imports, qualified names, maps, oneofs, optional, reserved', async () => {
    const c = await sr(r.url, 'POST', '/subjects/common/versions', { schemaType: 'PROTOBUF', schema: common });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    const o = await sr(r.url, 'POST', '/subjects/orders-value/versions', {
      schemaType: 'PROTOBUF',
      schema: order,
      references: [{ name: 'common.proto', subject: 'common', version: 1 }],
    });
    assert.equal(o.status, 200, JSON.stringify(o.body));
    const text = await sr(r.url, 'GET', `/schemas/ids/${o.body.id}`);
    assert.equal(text.body.schema, order, 'without format the stored text');
    for (const path of [
      `/schemas/ids/${o.body.id}?format=serialized`,
      '/subjects/orders-value/versions/latest?format=serialized',
    ]) {
      const res = await sr(r.url, 'GET', path);
      assert.equal(res.status, 200);
      const file = decode(res.body.schema);
      assert.equal(file.package, 'acme.orders');
      assert.deepEqual(file.dependency, ['common.proto']);
      assert.equal(file.syntax, 'proto3');
      const msg = file.messageType[0];
      assert.equal(msg.name, 'Order');
      const byName = Object.fromEntries(msg.field.map((f: { name: string }) => [f.name, f]));
      assert.equal(byName.total.typeName, '.acme.common.Money');
      assert.equal(byName.status.typeName, '.acme.orders.Order.Status');
      assert.equal(byName.status.type, 'TYPE_ENUM');
      assert.equal(byName.lines.label, 'LABEL_REPEATED');
      assert.equal(byName.labels.typeName, '.acme.orders.Order.LabelsEntry');
      const entry = msg.nestedType.find((n: { name: string }) => n.name === 'LabelsEntry');
      assert.equal(entry.options.mapEntry, true);
      assert.equal(byName.note.proto3Optional, true);
      assert.equal(byName.card.oneofIndex, byName.account.oneofIndex);
      assert.deepEqual(msg.reservedName, ['legacy']);
      assert.deepEqual(
        msg.reservedRange.map((x: { start: number; end: number }) => [x.start, x.end]),
        [
          [20, 26],
          [30, 31],
        ],
      );
    }
    // @bufbuild builds a working registry from it plus the reference's descriptor
    const main = bufbuild.fromBinary(
      wkt.FileDescriptorProtoSchema,
      Buffer.from((await sr(r.url, 'GET', `/schemas/ids/${o.body.id}?format=serialized`)).body.schema, 'base64'),
    );
    const dep = bufbuild.fromBinary(
      wkt.FileDescriptorProtoSchema,
      Buffer.from((await sr(r.url, 'GET', `/schemas/ids/${c.body.id}?format=serialized`)).body.schema, 'base64'),
    );
    dep.name = 'common.proto';
    const files = bufbuild.createFileRegistry(main, (name: string) => (name === 'common.proto' ? dep : undefined));
    assert.ok(files.getMessage('acme.orders.Order'));
    assert.ok(files.getMessage('acme.orders.Order.Line'));
  });

  test('a base64 descriptor registers as .proto text; bad base64 is a 422', async () => {
    const b64 = (await sr(r.url, 'GET', '/subjects/orders-value/versions/1?format=serialized')).body.schema;
    const reg = await sr(r.url, 'POST', '/subjects/orders-copy/versions', {
      schemaType: 'PROTOBUF',
      schema: b64,
      references: [{ name: 'common.proto', subject: 'common', version: 1 }],
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const stored = await sr(r.url, 'GET', '/subjects/orders-copy/versions/1');
    assert.match(
      stored.body.schema,
      /^syntax = "proto3";\npackage acme\.orders;\nimport "common\.proto";\nmessage Order \{/,
    );
    assert.match(stored.body.schema, /map<string, string> labels = 3;/);
    assert.match(stored.body.schema, /optional string note = 4;/);
    assert.match(stored.body.schema, /oneof payer \{/);
    // the same descriptor again: the same version (lookup and register)
    const again = await sr(r.url, 'POST', '/subjects/orders-copy/versions', {
      schemaType: 'PROTOBUF',
      schema: b64,
      references: [{ name: 'common.proto', subject: 'common', version: 1 }],
    });
    assert.equal(again.body.id, reg.body.id);
    const bad = await sr(r.url, 'POST', '/subjects/bad-proto/versions', { schemaType: 'PROTOBUF', schema: 'AAAA' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, 42201);
  });

  test('@confluentinc/schemaregistry ProtobufSerializer auto-registers and its deserializer reads back', async () => {
    const fdp = bufbuild.fromBinary(
      wkt.FileDescriptorProtoSchema,
      Buffer.from((await sr(r.url, 'GET', '/subjects/common/versions/1?format=serialized')).body.schema, 'base64'),
    );
    fdp.name = 'money.proto';
    const files = bufbuild.createFileRegistry(fdp, () => undefined);
    const client = confluent.SchemaRegistryClient.newClient({ baseURLs: [r.url], cacheCapacity: 100 });
    const ser = new confluent.ProtobufSerializer(client, confluent.SerdeType.VALUE, {
      autoRegisterSchemas: true,
      registry: files,
    });
    const money = bufbuild.create(files.getMessage('acme.common.Money'), { currency: 'EUR', units: 42n });
    const bytes: Buffer = await ser.serialize('payments', money);
    const latest = await sr(r.url, 'GET', '/subjects/payments-value/versions/latest');
    assert.equal(latest.status, 200);
    assert.equal(bytes.readInt32BE(1), latest.body.id);
    assert.match(latest.body.schema, /message Money \{/);
    const de = new confluent.ProtobufDeserializer(
      confluent.SchemaRegistryClient.newClient({ baseURLs: [r.url], cacheCapacity: 100 }),
      confluent.SerdeType.VALUE,
      {},
    );
    const got = await de.deserialize('payments', bytes);
    assert.equal(got.currency, 'EUR');
    assert.equal(got.units, 42n);
  });
});
