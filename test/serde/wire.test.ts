/**
 * Wire framing: magic byte and id, Protobuf message indexes byte for byte
 * against Confluent's own SchemaId encoding, and clear errors for bad input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeFrame,
  encodeFrame,
  readMessageIndexes,
  SerdeError,
  writeMessageIndexes,
} from '../../src/serde/index.ts';
import { confluent } from './helpers.ts';

describe('wire format', () => {
  test('frames magic 0, big-endian id, payload', () => {
    const framed = encodeFrame(258, Buffer.from('abc'));
    assert.deepEqual([...framed], [0, 0, 0, 1, 2, 0x61, 0x62, 0x63]);
    const d = decodeFrame(framed);
    assert.equal(d.id, 258);
    assert.equal(d.messageIndexes, undefined);
    assert.equal(d.payload.toString(), 'abc');
  });

  test('protobuf message indexes match Confluent encoding both ways', () => {
    const cases = [[0], [1], [0, 0], [2, 1], [5, 3, 7], [64], [300, 0], [1, 2, 3, 4, 5, 6, 7, 8]];
    for (const idx of cases) {
      const theirs: Buffer = new confluent.SchemaId('PROTOBUF', 7, undefined, idx).idToBytes();
      const ours = encodeFrame(7, Buffer.alloc(0), idx);
      assert.deepEqual([...ours], [...theirs], `indexes ${JSON.stringify(idx)}`);
      // and Confluent reads ours
      const back = new confluent.SchemaId('PROTOBUF');
      const read = back.fromBytes(Buffer.concat([ours, Buffer.from([8, 1])]));
      assert.equal(read, ours.length);
      assert.deepEqual(back.messageIndexes, idx);
      assert.equal(back.id, 7);
      // and we read theirs
      const d = decodeFrame(Buffer.concat([theirs, Buffer.from([8, 1])]), 'PROTOBUF');
      assert.deepEqual(d.messageIndexes, idx);
      assert.deepEqual([...d.payload], [8, 1]);
    }
    // [0] is the single byte 0; [1] is count 1 (zigzag 2) then index 1 (zigzag 2)
    assert.deepEqual([...writeMessageIndexes([0])], [0]);
    assert.deepEqual([...writeMessageIndexes([1])], [2, 2]);
    assert.deepEqual([...writeMessageIndexes([2, 1])], [4, 4, 2]);
    assert.deepEqual(readMessageIndexes(Buffer.from([4, 4, 2, 9])), {
      messageIndexes: [2, 1],
      payload: Buffer.from([9]),
    });
  });

  test('without a schema type the payload starts after the id', () => {
    const framed = encodeFrame(1, Buffer.from([8, 1]), [0]);
    assert.deepEqual([...decodeFrame(framed).payload], [0, 8, 1]);
    assert.deepEqual([...decodeFrame(framed, 'PROTOBUF').payload], [8, 1]);
  });

  test('bad input fails with BAD_FRAMING and says what is wrong', () => {
    const bad = (buf: Buffer, re: RegExp): void => {
      assert.throws(
        () => decodeFrame(buf, 'PROTOBUF'),
        (e: unknown) => e instanceof SerdeError && e.code === 'BAD_FRAMING' && re.test(e.message),
      );
    };
    bad(Buffer.from([3, 0, 0, 0, 1, 9]), /^Unknown magic byte 3: expected 0 \(Confluent wire format\)$/);
    bad(Buffer.alloc(0), /Empty payload/);
    bad(Buffer.from([0, 0, 1]), /too short/);
    bad(Buffer.from([0, 0, 0, 0, 1]), /truncated/); // protobuf with no index bytes
    bad(Buffer.from([0, 0, 0, 0, 1, 0x03]), /absent or malformed/); // negative count (a field tag)
    bad(Buffer.from([0, 0, 0, 0, 1, 0x04, 0x02]), /truncated/); // count 2, only one index
  });
});
