import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { KafkaError, toKafkaError } from '../../src/protocol/errors.ts';
import { decodeRequest } from '../../src/protocol/index.ts';
import {
  BatchField,
  ControlRecordType,
  crc32c,
  type DecodedRecord,
  decodeAttributes,
  decodeControlRecordKey,
  decodeEndTxnMarker,
  decodeEndTxnMarkerValue,
  decodeRecordBatch,
  decodeRecordBatchAsync,
  decodeRecordBatchHeader,
  encodeAttributes,
  encodeControlRecordKey,
  encodeEndTxnMarkerBatch,
  encodeEndTxnMarkerValue,
  encodeRecordBatch,
  encodeRecordBatchAsync,
  iterateBatches,
  lastOffsetOf,
  RecordBatchError,
  RecordErrorCode,
  type RecordInput,
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  splitBatches,
  TimestampType,
  updateCrc,
  verifyCrc,
} from '../../src/protocol/records/index.ts';
import {
  b64,
  kafkajsDecodeBatch,
  kafkajsEncodeBatch,
  PY_CODEC_NAMES,
  requirePythonCodec,
  runKafkaPython,
  unb64,
} from './record-clients.ts';

const CODECS = [0, 1, 2, 3, 4] as const;
const T0 = 1_700_000_000_000;

/** A few records covering null key/value, headers (null value, repeated and non-ASCII keys), out-of-order timestamps. */
function sampleRecords(): RecordInput[] {
  return [
    { key: 'k1', value: 'hello', timestamp: T0, headers: [{ key: 'trace', value: 'abc' }] },
    { key: null, value: 'no key', timestamp: T0 + 5 },
    { key: 'k3', value: null, timestamp: T0 - 3 }, // tombstone, timestamp before the first
    {
      key: 'k4',
      value: Buffer.from([0, 1, 2, 255]),
      timestamp: T0 + 1,
      headers: [
        { key: 'dup', value: 'a' },
        { key: 'dup', value: 'b' },
        { key: 'clé-ü', value: null },
      ],
    },
  ];
}

/** Compressible records, so that kafka-python does not fall back to an uncompressed batch. */
function bulkRecords(n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `key-${i % 7}`,
    value: `{"id":${i},"name":"user-${i}","payload":"${'x'.repeat(40)}"}`,
    timestamp: T0 + i,
    headers: i % 3 === 0 ? [{ key: 'h', value: `v${i}` }] : [],
  }));
}

const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const asBuf = (v: RecordInput['key']): Buffer | null =>
  v == null ? null : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);

function assertRecordsMatch(actual: DecodedRecord[], expected: RecordInput[], baseOffset = 0n): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    assert.equal(a.offset, baseOffset + BigInt(i), `offset of record ${i}`);
    assert.equal(a.timestamp, BigInt(e.timestamp!), `timestamp of record ${i}`);
    assert.deepEqual(a.key, asBuf(e.key));
    assert.deepEqual(a.value, asBuf(e.value));
    assert.deepEqual(
      a.headers,
      (e.headers ?? []).map((h) => ({ key: h.key, value: asBuf(h.value) })),
    );
  });
}

function assertCode(fn: () => unknown, code: number, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RecordBatchError, `expected RecordBatchError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('crc32c', () => {
  test('matches the Castagnoli check value and chains', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43); // RFC 3720 B.4 test vector
  });
});

describe('attributes', () => {
  test('bits round-trip', () => {
    const flags = {
      compression: 4,
      timestampType: 1 as const,
      isTransactional: true,
      isControl: true,
      hasDeleteHorizon: true,
    };
    assert.equal(encodeAttributes(flags), 4 | 0x08 | 0x10 | 0x20 | 0x40);
    assert.deepEqual(decodeAttributes(encodeAttributes(flags)), flags);
    assert.deepEqual(decodeAttributes(0x13), {
      compression: 3,
      timestampType: 0,
      isTransactional: true,
      isControl: false,
      hasDeleteHorizon: false,
    });
  });
});

describe('encode and decode', () => {
  for (const codec of CODECS) {
    test(`round-trips records with ${PY_CODEC_NAMES[codec] ?? 'no'} compression`, async () => {
      const records = sampleRecords();
      const opts = {
        records,
        compression: codec,
        baseOffset: 42n,
        producerId: 1234n,
        producerEpoch: 3,
        baseSequence: 17,
        transactional: true,
      };
      const buf = encodeRecordBatch(opts);
      assert.ok(verifyCrc(buf));
      const batch = decodeRecordBatch(buf);
      assert.equal(batch.magic, 2);
      assert.equal(batch.size, buf.length);
      assert.equal(batch.batchLength, buf.length - 12);
      assert.equal(batch.compression, codec);
      assert.equal(batch.recordsCount, 4);
      assert.equal(batch.lastOffsetDelta, 3);
      assert.equal(lastOffsetOf(batch), 45n);
      assert.equal(batch.baseTimestamp, BigInt(T0));
      assert.equal(batch.maxTimestamp, BigInt(T0 + 5));
      assert.equal(batch.records[2]!.timestampDelta, -3);
      assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [1234n, 3, 17]);
      assert.equal(batch.partitionLeaderEpoch, -1);
      assert.ok(batch.isTransactional && !batch.isControl);
      assertRecordsMatch(batch.records, records, 42n);

      const asyncBuf = await encodeRecordBatchAsync(opts);
      assertRecordsMatch((await decodeRecordBatchAsync(asyncBuf)).records, records, 42n);
      assert.deepEqual(asyncBuf, buf, 'async and sync encoders agree byte for byte');
    });
  }

  test('an empty batch has no records and NO_TIMESTAMP', () => {
    const buf = encodeRecordBatch({ records: [] });
    assert.equal(buf.length, 61);
    const batch = decodeRecordBatch(buf);
    assert.deepEqual(batch.records, []);
    assert.equal(batch.baseTimestamp, -1n);
    // a compressed empty batch may carry no compressed stream at all
    const gz = Buffer.from(buf);
    gz.writeInt16BE(1, BatchField.ATTRIBUTES);
    updateCrc(gz);
    assert.deepEqual(decodeRecordBatch(gz).records, []);
  });

  test('uncompressed output is byte-identical to kafka-python and kafkajs', async () => {
    const records = bulkRecords(5);
    const ours = encodeRecordBatch({ records, partitionLeaderEpoch: 0 });
    const [py] = runKafkaPython([
      {
        op: 'build',
        codec: 0,
        records: records.map((r, i) => ({
          offset: i,
          timestamp: r.timestamp,
          key: b64(asBuf(r.key)),
          value: b64(asBuf(r.value)),
          headers: (r.headers ?? []).map((h) => [h.key, b64(asBuf(h.value))]),
        })),
      },
    ]);
    assert.equal(ours.toString('hex'), unb64(py!.batch)!.toString('hex'));

    const kjs = await kafkajsEncodeBatch(
      records.map((r) => ({
        key: r.key as string,
        value: r.value as string,
        timestamp: r.timestamp as number,
        headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value as string])),
      })),
    );
    const oursKjs = encodeRecordBatch({ records, partitionLeaderEpoch: 0, producerEpoch: 0, baseSequence: 0 });
    assert.equal(oursKjs.toString('hex'), kjs.toString('hex'));
  });

  test('LogAppendTime batches report maxTimestamp for every record', () => {
    const buf = encodeRecordBatch({ records: sampleRecords(), timestampType: 1, maxTimestamp: 99n });
    const batch = decodeRecordBatch(buf);
    assert.equal(batch.timestampType, TimestampType.LOG_APPEND_TIME);
    assert.ok(batch.records.every((r) => r.timestamp === 99n));
  });
});

describe('real clients', () => {
  test('a kafkajs batch (none and gzip) decodes with the right records and CRC', async () => {
    for (const codec of [0, 1]) {
      const messages = [
        { key: 'a', value: 'first', timestamp: T0 + 10, headers: { h1: 'x', dup: ['1', '2'] } },
        { key: null, value: 'second', timestamp: T0 },
        { key: 'c', value: null, timestamp: T0 + 20 },
      ];
      const buf = await kafkajsEncodeBatch(messages, {
        compression: codec,
        producerId: 77,
        producerEpoch: 2,
        firstSequence: 9,
        transactional: true,
      });
      assert.ok(verifyCrc(buf), 'kafkajs CRC verifies');
      const batch = decodeRecordBatch(buf);
      assert.equal(batch.compression, codec);
      assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [77n, 2, 9]);
      assert.ok(batch.isTransactional);
      assert.equal(batch.baseTimestamp, BigInt(T0)); // kafkajs uses the smallest timestamp
      assert.equal(batch.maxTimestamp, BigInt(T0 + 20));
      assert.deepEqual(
        batch.records.map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)]),
        [
          [0n, BigInt(T0 + 10), 'a', 'first'],
          [1n, BigInt(T0), null, 'second'],
          [2n, BigInt(T0 + 20), 'c', null],
        ],
      );
      assert.deepEqual(
        batch.records[0]!.headers.map((h) => [h.key, str(h.value)]),
        [
          ['h1', 'x'],
          ['dup', '1'],
          ['dup', '2'],
        ],
      );
    }
  });

  test('kafkajs decodes our batches (none and gzip)', async () => {
    for (const codec of [0, 1]) {
      const buf = encodeRecordBatch({ records: sampleRecords(), compression: codec, baseOffset: 100n, producerId: 5n });
      const kjs = await kafkajsDecodeBatch(buf);
      assert.equal(kjs.firstOffset, '100');
      assert.equal(kjs.producerId, '5');
      assert.deepEqual(
        kjs.records.map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)]),
        [
          ['100', String(T0), 'k1', 'hello'],
          ['101', String(T0 + 5), null, 'no key'],
          ['102', String(T0 - 3), 'k3', null],
          ['103', String(T0 + 1), 'k4', '\u0000\u0001\u0002\ufffd'],
        ],
      );
      assert.deepEqual(kjs.records[3]!.headers.dup, [Buffer.from('a'), Buffer.from('b')]);
      assert.equal(kjs.records[3]!.headers['clé-ü'], null);
    }
  });

  for (const codec of CODECS) {
    const name = PY_CODEC_NAMES[codec] ?? 'none';
    test(`kafka-python ${name} batch decodes, and kafka-python decodes ours`, () => {
      requirePythonCodec(codec);
      const records = [...sampleRecords().map((r) => ({ ...r, key: r.key ?? null })), ...bulkRecords(50)];
      const pyRecords = records.map((r, i) => ({
        offset: i,
        timestamp: r.timestamp,
        key: b64(asBuf(r.key)),
        value: b64(asBuf(r.value)),
        headers: (r.headers ?? []).map((h) => [h.key, b64(asBuf(h.value))]),
      }));
      const ours = encodeRecordBatch({ records, compression: codec, baseOffset: 7n, producerId: 9n, producerEpoch: 1 });
      const [built, decoded] = runKafkaPython([
        {
          op: 'build',
          codec,
          records: pyRecords,
          transactional: true,
          producer_id: 31,
          producer_epoch: 4,
          base_sequence: 8,
        },
        { op: 'decode', batch: b64(ours) },
      ]);

      const pyBuf = unb64(built!.batch)!;
      assert.equal(pyBuf.readInt16BE(BatchField.ATTRIBUTES) & 7, codec, 'kafka-python really compressed');
      assert.ok(verifyCrc(pyBuf));
      const batch = decodeRecordBatch(pyBuf);
      assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [31n, 4, 8]);
      assert.ok(batch.isTransactional);
      assertRecordsMatch(batch.records, records);

      assert.equal(decoded!.crc_valid, true);
      assert.equal(decoded!.compression_type, codec);
      assert.equal(decoded!.base_offset, 7);
      assert.equal(decoded!.producer_id, 9);
      const pyDecoded = decoded!.records as Array<{
        offset: number;
        timestamp: number;
        key: string;
        value: string;
        headers: [string, string | null][];
      }>;
      assert.equal(pyDecoded.length, records.length);
      pyDecoded.forEach((r, i) => {
        assert.equal(r.offset, 7 + i);
        assert.equal(r.timestamp, records[i]!.timestamp);
        assert.deepEqual(unb64(r.key), asBuf(records[i]!.key));
        assert.deepEqual(unb64(r.value), asBuf(records[i]!.value));
        assert.deepEqual(
          r.headers.map(([k, v]) => [k, unb64(v)]),
          (records[i]!.headers ?? []).map((h) => [h.key, asBuf(h.value)]),
        );
      });
    });
  }

  test('a kafka-python magic v0/v1 message set is rejected with INVALID_RECORD (87)', () => {
    const results = runKafkaPython(
      [0, 1].map((magic) => ({
        op: 'build_legacy',
        magic,
        records: [{ offset: 0, timestamp: T0, key: null, value: b64(Buffer.from('legacy')) }],
      })),
    );
    for (const res of results) {
      const buf = unb64(res.batch)!;
      assertCode(() => decodeRecordBatchHeader(buf), RecordErrorCode.INVALID_RECORD, /magic v[01]/);
      assertCode(() => decodeRecordBatch(buf), 87);
      assertCode(() => splitBatches(buf), 87);
    }
  });
});

describe('captured client batches (test/fixtures/records)', () => {
  const dir = new URL('../fixtures/records/', import.meta.url);
  const spec = JSON.parse(readFileSync(new URL('records.json', dir), 'utf8')) as {
    producerId: number;
    producerEpoch: number;
    baseSequence: number;
    records: Array<{ key: string | null; value: string | null; timestamp: number; headers: [string, string | null][] }>;
  };
  const expected = (dropNullHeaders: boolean): RecordInput[] =>
    spec.records.map((r) => ({
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers.filter(([, v]) => !dropNullHeaders || v !== null).map(([key, value]) => ({ key, value })),
    }));
  const files = [
    ['kafka-python-none.bin', 0],
    ['kafka-python-gzip.bin', 1],
    ['kafka-python-snappy.bin', 2],
    ['kafka-python-lz4.bin', 3],
    ['kafka-python-zstd.bin', 4],
    ['kafkajs-gzip.bin', 1],
  ] as const;

  for (const [file, codec] of files) {
    test(`${file} decodes with the right records and CRC`, () => {
      const buf = readFileSync(new URL(file, dir));
      assert.ok(verifyCrc(buf));
      const batch = decodeRecordBatch(buf);
      assert.equal(batch.compression, codec);
      assert.ok(batch.isTransactional && !batch.isControl);
      assert.deepEqual(
        [batch.producerId, batch.producerEpoch, batch.baseSequence],
        [BigInt(spec.producerId), spec.producerEpoch, spec.baseSequence],
      );
      assertRecordsMatch(batch.records, expected(file.startsWith('kafkajs')));
    });
  }

  // Produce requests captured from kcat (librdkafka), kafkajs and @platformatic/kafka
  // by scripts/capture-client-frames.ts; librdkafka's snappy is raw, not xerial.
  const frames = [
    ['kcat-none-Produce-v7.bin', 0],
    ['kcat-gzip-Produce-v7.bin', 1],
    ['kcat-snappy-Produce-v7.bin', 2],
    ['kcat-lz4-Produce-v7.bin', 3],
    ['kcat-zstd-Produce-v7.bin', 4],
    ['kafkajs-Produce-v7.bin', 1],
    ['platformatic-Produce-v11.bin', 0],
  ] as const;
  for (const [file, codec] of frames) {
    test(`the batch in ${file} decodes`, () => {
      const frame = readFileSync(new URL(`../fixtures/frames/${file}`, import.meta.url));
      const { body } = decodeRequest<0>(frame);
      const records = body.topicData[0]!.partitionData[0]!.records!;
      const { batches, trailingBytes } = splitBatches(records);
      assert.equal(batches.length, 1);
      assert.equal(trailingBytes, 0);
      assert.ok(verifyCrc(records));
      const batch = decodeRecordBatch(records);
      assert.equal(batch.compression, codec);
      const kcat = file.startsWith('kcat');
      const golden = ' golden'.repeat(8);
      assert.deepEqual(
        batch.records.map((r) => [
          r.offset,
          str(r.key),
          str(r.value),
          r.headers.map((h) => `${h.key}=${str(h.value)}`),
        ]),
        [
          [0n, 'k1', `value-1${kcat ? golden : ''}`, ['h1=v1']],
          [1n, 'k2', `value-2${kcat ? golden : ''}`, kcat ? ['h1=v1'] : []],
        ],
      );
    });
  }

  test('our encoder reproduces the kafka-python uncompressed batch byte for byte', () => {
    const ours = encodeRecordBatch({
      records: expected(false),
      partitionLeaderEpoch: 0,
      transactional: true,
      producerId: BigInt(spec.producerId),
      producerEpoch: spec.producerEpoch,
      baseSequence: spec.baseSequence,
    });
    assert.deepEqual(ours, readFileSync(new URL('kafka-python-none.bin', dir)));
  });
});

describe('CRC', () => {
  const buf = encodeRecordBatch({ records: bulkRecords(3), compression: 0 });

  test('any single corrupted byte in attributes..end fails the check', () => {
    for (let i = BatchField.ATTRIBUTES; i < buf.length; i++) {
      const bad = Buffer.from(buf);
      bad[i]! ^= 0x01;
      assert.equal(verifyCrc(bad), false, `byte ${i}`);
      assertCode(() => decodeRecordBatch(bad), RecordErrorCode.CORRUPT_MESSAGE, /CRC/);
    }
  });

  test('baseOffset and partitionLeaderEpoch are not covered', () => {
    const bad = Buffer.from(buf);
    bad[BatchField.PARTITION_LEADER_EPOCH + 2]! ^= 0xff;
    bad[BatchField.BASE_OFFSET + 7]! ^= 0x10;
    assert.ok(verifyCrc(bad));
    assert.equal(decodeRecordBatch(bad).records.length, 3);
  });
});

describe('patching', () => {
  test('setBaseOffset / setPartitionLeaderEpoch keep the CRC valid', () => {
    const buf = encodeRecordBatch({ records: sampleRecords(), compression: 2 });
    setBaseOffset(buf, 0, 1_000_000_000_000n);
    setPartitionLeaderEpoch(buf, 0, 12);
    assert.ok(verifyCrc(buf));
    const batch = decodeRecordBatch(buf);
    assert.equal(batch.partitionLeaderEpoch, 12);
    assert.deepEqual(
      batch.records.map((r) => r.offset),
      [0n, 1n, 2n, 3n].map((d) => 1_000_000_000_000n + d),
    );
  });

  test('setMaxTimestamp switches to LogAppendTime and recomputes the CRC', () => {
    const one = encodeRecordBatch({ records: sampleRecords() });
    const two = Buffer.concat([one, one]);
    setMaxTimestamp(two, one.length, 5555n);
    assert.ok(verifyCrc(two, one.length));
    const batch = decodeRecordBatch(two, { offset: one.length });
    assert.equal(batch.timestampType, TimestampType.LOG_APPEND_TIME);
    assert.equal(batch.maxTimestamp, 5555n);
    assert.ok(batch.records.every((r) => r.timestamp === 5555n));
    assert.deepEqual(two.subarray(0, one.length), one, 'the first batch is untouched');
    const before = Buffer.from(two);
    setMaxTimestamp(two, one.length, 5555n); // already set: no-op
    assert.deepEqual(two, before);
    setMaxTimestamp(two, one.length, BigInt(T0 + 5), TimestampType.CREATE_TIME);
    assert.deepEqual(two.subarray(one.length), one, 'back to CreateTime gives the original bytes');
  });
});

describe('iterateBatches', () => {
  test('walks concatenated batches and reports a partial trailing one', () => {
    const a = encodeRecordBatch({ records: sampleRecords(), baseOffset: 0n });
    const b = encodeRecordBatch({ records: bulkRecords(3), compression: 1, baseOffset: 4n });
    const c = encodeEndTxnMarkerBatch({
      type: 1,
      producerId: 1n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      baseOffset: 7n,
    });
    for (let cut = 0; cut <= c.length; cut++) {
      const buf = Buffer.concat([a, b, c.subarray(0, cut)]);
      const { batches, trailingBytes } = splitBatches(buf);
      const complete = cut === c.length;
      assert.deepEqual(
        batches.map((s) => s.header.baseOffset),
        complete ? [0n, 4n, 7n] : [0n, 4n],
      );
      assert.equal(trailingBytes, complete ? 0 : cut);
      assert.equal(batches[1]!.offset, a.length);
      assert.deepEqual(batches[1]!.bytes, b);
    }
    const it = iterateBatches(Buffer.concat([a, b.subarray(0, 30)]));
    assert.equal(it.next().done, false);
    assert.deepEqual(it.next(), { done: true, value: { consumed: a.length, trailingBytes: 30 } });
  });

  test('a batch length under the minimum is CORRUPT_MESSAGE', () => {
    const buf = encodeRecordBatch({ records: [] });
    buf.writeInt32BE(48, BatchField.BATCH_LENGTH);
    assertCode(() => splitBatches(buf), RecordErrorCode.CORRUPT_MESSAGE);
    assertCode(() => decodeRecordBatchHeader(buf), RecordErrorCode.CORRUPT_MESSAGE);
  });
});

describe('malformed input', () => {
  const good = encodeRecordBatch({ records: sampleRecords(), compression: 0 });

  /** Patches the header of a copy of `good` and fixes the CRC, so only the patched fault remains. */
  function patched(fn: (b: Buffer) => void, src = good): Buffer {
    const b = Buffer.from(src);
    fn(b);
    updateCrc(b);
    return b;
  }

  test('every truncation throws the typed error', () => {
    for (const codec of CODECS) {
      const full = encodeRecordBatch({ records: sampleRecords(), compression: codec });
      for (let n = 0; n < full.length; n++) {
        assertCode(() => decodeRecordBatch(full.subarray(0, n)), RecordErrorCode.CORRUPT_MESSAGE);
      }
    }
  });

  test('errors are KafkaErrors carrying the code and its Kafka name', () => {
    const b = Buffer.from(good);
    b[70]! ^= 1;
    const err = (() => {
      try {
        decodeRecordBatch(b);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof KafkaError);
    assert.equal(toKafkaError(err), err);
    assert.equal(err.code, 2);
    assert.equal(err.errorName, 'CORRUPT_MESSAGE');
    assert.equal(err.retriable, true);
  });

  test('magic other than 0..2 is CORRUPT_MESSAGE, 0/1 INVALID_RECORD', () => {
    for (const [magic, code] of [
      [0, 87],
      [1, 87],
      [3, 2],
      [-1, 2],
    ] as const) {
      const b = Buffer.from(good);
      b.writeInt8(magic, BatchField.MAGIC);
      assertCode(() => decodeRecordBatch(b), code);
    }
  });

  test('records count that does not match the records is INVALID_RECORD', () => {
    const count = good.readInt32BE(BatchField.RECORDS_COUNT);
    for (const n of [count - 1, count + 1, 0, -1, 0x7fffffff]) {
      assertCode(() => decodeRecordBatch(patched((b) => b.writeInt32BE(n, BatchField.RECORDS_COUNT))), 87);
    }
  });

  test('bad record length, varint overflow, bad key length are INVALID_RECORD', () => {
    const firstRecord = BatchField.RECORDS;
    // record length (zigzag varint) claims 1 byte more than the record has
    const longer = patched((b) => (b[firstRecord]! += 2));
    assertCode(() => decodeRecordBatch(longer), 87);
    // a varint with more than 5 bytes of continuation
    const overflow = patched((b) => b.fill(0xff, firstRecord, firstRecord + 6));
    assertCode(() => decodeRecordBatch(overflow), 87, /varint/);
    // key length -2 (zigzag 3): first record is length, attributes, tsDelta(1 byte), offsetDelta(1 byte), key length
    const negKey = patched((b) => (b[firstRecord + 4] = 3));
    assertCode(() => decodeRecordBatch(negKey), 87);
  });

  test('unknown codec ids 5..7 are UNSUPPORTED_COMPRESSION_TYPE (76)', () => {
    for (const codec of [5, 6, 7]) {
      const b = patched((x) => x.writeInt16BE(codec, BatchField.ATTRIBUTES));
      assertCode(() => decodeRecordBatch(b), RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      assert.throws(() => encodeRecordBatch({ records: [], compression: codec }), RecordBatchError);
    }
  });

  test('a decompression bomb hits the size cap with MESSAGE_TOO_LARGE', () => {
    const buf = encodeRecordBatch({ records: [{ value: Buffer.alloc(4 << 20), timestamp: 0 }], compression: 4 });
    assert.ok(buf.length < 4096);
    assertCode(() => decodeRecordBatch(buf, { maxDecompressedSize: 1 << 20 }), RecordErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(decodeRecordBatch(buf).records[0]!.value!.length, 4 << 20);
  });

  test('random corruption only ever throws RecordBatchError', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const sources = CODECS.map((codec) => encodeRecordBatch({ records: sampleRecords(), compression: codec }));
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(sources[i % sources.length]!);
      for (let k = 1 + rand(3); k > 0; k--) b[BatchField.ATTRIBUTES + 2 + rand(b.length - 23)] = rand(256);
      try {
        decodeRecordBatch(b, { verifyCrc: false });
        decoded++;
      } catch (err) {
        assert.ok(err instanceof RecordBatchError, `iteration ${i}: ${String(err)}`);
      }
    }
    assert.ok(decoded < 3000);
  });
});

describe('control records', () => {
  for (const type of [ControlRecordType.COMMIT, ControlRecordType.ABORT]) {
    test(`${type === 1 ? 'COMMIT' : 'ABORT'} marker batch round-trips`, () => {
      const buf = encodeEndTxnMarkerBatch({
        type,
        producerId: 4242n,
        producerEpoch: 7,
        coordinatorEpoch: 19,
        timestamp: T0,
        baseOffset: 10n,
      });
      const batch = decodeRecordBatch(buf);
      assert.ok(batch.isControl && batch.isTransactional);
      assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [4242n, 7, -1]);
      assert.equal(batch.records.length, 1);
      assert.equal(batch.lastOffsetDelta, 0);
      assert.deepEqual(batch.records[0]!.key, Buffer.from([0, 0, 0, type]));
      assert.deepEqual(decodeEndTxnMarker(batch.records[0]!), { type, version: 0, coordinatorEpoch: 19 });
      const [py] = runKafkaPython([{ op: 'decode', batch: b64(buf) }]);
      assert.equal(py!.is_control_batch, true);
      assert.equal(py!.crc_valid, true);
    });
  }

  test('keys and values: unknown types tolerated, newer versions read, bad ones rejected', () => {
    assert.deepEqual(decodeControlRecordKey(encodeControlRecordKey(42)), { version: 0, type: 42 });
    assert.equal(
      decodeEndTxnMarker({ key: encodeControlRecordKey(ControlRecordType.LEADER_CHANGE), value: null }),
      null,
    );
    const v1 = Buffer.concat([encodeEndTxnMarkerValue(3, 1), Buffer.from([9, 9])]);
    assert.deepEqual(decodeEndTxnMarkerValue(v1), { version: 1, coordinatorEpoch: 3 });
    assertCode(() => decodeControlRecordKey(Buffer.from([0, 0, 1])), 87);
    assertCode(() => decodeControlRecordKey(null), 87);
    assertCode(() => decodeControlRecordKey(encodeControlRecordKey(1, -1)), 87);
    assertCode(() => decodeEndTxnMarkerValue(Buffer.alloc(5)), 87);
    assert.throws(
      () => encodeEndTxnMarkerBatch({ type: 2 as 1, producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0 }),
      RangeError,
    );
  });
});
