import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolDecodeError, Reader } from '../../src/protocol/reader.ts';
import { Writer, ZERO_UUID } from '../../src/protocol/writer.ts';

const bytes = (f: (w: Writer) => void): Buffer => {
  const w = new Writer(1);
  f(w);
  return Buffer.from(w.finish());
};

test('unsigned varints match the protobuf encoding', () => {
  const cases: Array<[number, number[]]> = [
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16384, [0x80, 0x80, 0x01]],
    [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [v, enc] of cases) {
    assert.deepEqual([...bytes((w) => w.writeUVarint(v))], enc, `${v}`);
    assert.equal(new Reader(Buffer.from(enc)).readUVarint(), v);
  }
  assert.throws(() => new Reader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).readUVarint(), ProtocolDecodeError);
  assert.throws(() => new Reader(Buffer.from([0x80])).readUVarint(), ProtocolDecodeError);
});

test('zigzag varints and varlongs round-trip at the edges', () => {
  for (const v of [0, -1, 1, -64, 63, -65, 64, 2147483647, -2147483648]) {
    const b = bytes((w) => w.writeVarint(v));
    assert.equal(new Reader(b).readVarint(), v);
  }
  assert.deepEqual([...bytes((w) => w.writeVarint(-1))], [0x01]);
  assert.deepEqual([...bytes((w) => w.writeVarint(1))], [0x02]);
  for (const v of [
    0,
    -1,
    1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 40 + 7,
    -(2 ** 52),
    2 ** 52 - 1,
    -(2 ** 52) + 1,
    1_700_000_000_000,
  ]) {
    const b = bytes((w) => w.writeVarlong(v));
    assert.equal(new Reader(b).readVarlong(), v, `${v}`);
  }
  // -1 as a varlong is a single 0x01 byte, as Kafka writes a null key length
  assert.deepEqual([...bytes((w) => w.writeVarlong(-1))], [0x01]);
  assert.throws(() => new Reader(Buffer.alloc(11, 0x80)).readVarlong(), ProtocolDecodeError);
});

test('strings, bytes and their compact and nullable forms', () => {
  const b = bytes((w) => {
    w.writeString('héllo');
    w.writeNullableString(null);
    w.writeCompactString('');
    w.writeCompactNullableString(null);
    w.writeCompactNullableString('x');
    w.writeBytes(Buffer.from([1, 2]));
    w.writeNullableBytes(null);
    w.writeCompactBytes(Buffer.from([3]));
    w.writeCompactNullableBytes(null);
  });
  const r = new Reader(b);
  assert.equal(r.readString(), 'héllo');
  assert.equal(r.readNullableString(), null);
  assert.equal(r.readCompactString(), '');
  assert.equal(r.readCompactNullableString(), null);
  assert.equal(r.readCompactNullableString(), 'x');
  assert.deepEqual([...r.readBytes()], [1, 2]);
  assert.equal(r.readNullableBytes(), null);
  assert.deepEqual([...r.readCompactBytes()], [3]);
  assert.equal(r.readCompactNullableBytes(), null);
  assert.equal(r.remaining, 0);
  // -1 where null is not allowed, and lengths past the end
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff])).readString(), ProtocolDecodeError);
  assert.throws(() => new Reader(Buffer.from([0x00, 0x05, 0x61])).readString(), ProtocolDecodeError);
  assert.throws(() => new Reader(Buffer.from([0x00])).readCompactString(), ProtocolDecodeError);
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).readNullableBytes(), ProtocolDecodeError);
});

test('fixed-width integers, floats, booleans and UUIDs', () => {
  const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');
  const b = bytes((w) => {
    w.writeInt8(-5).writeInt16(-300).writeUInt16(65000).writeInt32(-70000).writeUInt32(4000000000);
    w.writeInt64(-(2n ** 63n))
      .writeFloat64(0.1)
      .writeBool(true)
      .writeUuid(id)
      .writeUuid(null);
  });
  const r = new Reader(b);
  assert.equal(r.readInt8(), -5);
  assert.equal(r.readInt16(), -300);
  assert.equal(r.readUInt16(), 65000);
  assert.equal(r.readInt32(), -70000);
  assert.equal(r.readUInt32(), 4000000000);
  assert.equal(r.readInt64(), -(2n ** 63n));
  assert.equal(r.readFloat64(), 0.1);
  assert.equal(r.readBool(), true);
  assert.equal(r.readUuid(), id);
  assert.equal(r.readUuid(), ZERO_UUID);
  assert.equal(ZERO_UUID, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.throws(() => new Writer().writeUuid('not-a-uuid'), RangeError);
});

test('array lengths larger than the bytes left are rejected before allocation', () => {
  const r = new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
  assert.throws(() => r.readArrayLength(false), /exceeds/);
  assert.equal(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).readArrayLength(false), -1);
  assert.equal(new Reader(Buffer.from([0x00])).readArrayLength(true), -1);
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).readArrayLength(false), ProtocolDecodeError);
});

test('tagged fields: sorted on write, unknown kept raw, order and bounds checked on read', () => {
  const b = bytes((w) => w.writeTaggedFields([[5, (s) => s.writeInt32(7)]], [{ tag: 1, data: Buffer.from([9]) }]));
  assert.deepEqual([...b], [2, 1, 1, 9, 5, 4, 0, 0, 0, 7]);
  let seen = 0;
  const unknown = new Reader(b).readTaggedFields((tag, sub) => {
    if (tag !== 5) return false;
    seen = sub.readInt32();
    return true;
  });
  assert.equal(seen, 7);
  assert.deepEqual(unknown, [{ tag: 1, data: Buffer.from([9]) }]);
  assert.throws(() => new Reader(Buffer.from([2, 5, 0, 1, 0])).readTaggedFields(), /out of order/);
  assert.throws(() => new Reader(Buffer.from([1, 0, 9, 1])).readTaggedFields(), ProtocolDecodeError);
});
