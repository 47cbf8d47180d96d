/**
 * Records from every codec reach the consumer byte for byte: produced by
 * kcat (librdkafka, -z codec) with keys and headers, and by raw Produce
 * requests with binary keys, values and headers (nulls and empties
 * included); a seek into the middle of a compressed batch starts exactly
 * there; the async iterator yields the same records as poll().
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Consumer, type ConsumerRecord } from '../../src/client/consumer/index.ts';
import { CompressionCodec, codecName, iterateBatches, type RecordInput } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cluster, drain, kcatProduce, rawProduce } from './consumer-helpers.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const N = 2000;

describe('consumer: every codec, byte-exact', async () => {
  const tb = await startTestBroker(after);
  const c = cluster(tb, after);

  for (const codec of CODECS) {
    test(`kcat -z ${codec}: keys, values and headers`, async (t) => {
      const topic = topicName(`cc-${codec}`);
      await tb.broker.createTopic(topic, 1, 1, {});
      const lines = Array.from({ length: N }, (_, i) => `key-${i}:value-${i}-${'ü'.repeat(i % 40)}`);
      await kcatProduce(tb.bootstrap, topic, lines, { codec, partition: 0, headers: [`codec=${codec}`, 'empty='] });
      // The log really holds batches of that codec. librdkafka sends a batch uncompressed when
      // compressing does not make it smaller (a batch of one short record), so look at all of them.
      const stored = tb.broker.log(topic, 0)?.read(0, 1 << 22).records as Buffer;
      const codecs = [...iterateBatches(stored)].map((b) => codecName(b.header.compression));
      assert.ok(codecs.includes(codec), `batches stored as ${codecs.join(', ')}`);
      const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
      t.after(() => consumer.close());
      consumer.assign([{ topic, partition: 0 }]);
      const got = await drain(consumer, N);
      assert.equal(got.length, N);
      got.forEach((r, i) => {
        assert.equal(r.offset, BigInt(i));
        assert.equal(r.key?.toString(), `key-${i}`);
        assert.equal(r.value?.toString(), `value-${i}-${'ü'.repeat(i % 40)}`);
        assert.deepEqual(
          r.headers.map((h) => [h.key, h.value?.toString()]),
          [
            ['codec', codec],
            ['empty', ''],
          ],
        );
        assert.equal(r.timestampType, 'create');
        assert.equal(r.topic, topic);
        assert.equal(r.partition, 0);
      });
      assert.equal(consumer.position({ topic, partition: 0 }), BigInt(N));
    });
  }

  test('raw batches of every codec: binary bytes, nulls and empties exactly', async (t) => {
    const topic = topicName('cc-raw');
    await tb.broker.createTopic(topic, 1, 1, {});
    const expected: RecordInput[] = [];
    for (const codec of Object.values(CompressionCodec)) {
      const batch: RecordInput[] = Array.from({ length: 50 }, (_, i) => ({
        key: i === 0 ? null : i === 1 ? Buffer.alloc(0) : randomBytes(1 + (i % 17)),
        value: i === 2 ? null : randomBytes(i * 13),
        headers: [
          { key: 'bin', value: randomBytes(8) },
          { key: 'nul', value: null },
          { key: 'ключ', value: Buffer.from([0, 255, 0]) },
        ],
        timestamp: 1_700_000_000_000 + i,
      }));
      await rawProduce(c, topic, 0, batch, codec);
      expected.push(...batch);
    }
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const got = await drain(consumer, expected.length);
    assert.equal(got.length, expected.length);
    got.forEach((r, i) => {
      const e = expected[i] as RecordInput;
      assert.deepEqual(r.key, e.key === null ? null : Buffer.from(e.key as Buffer));
      assert.deepEqual(r.value, e.value === null ? null : Buffer.from(e.value as Buffer));
      assert.deepEqual(
        r.headers.map((h) => [h.key, h.value]),
        (e.headers ?? []).map((h) => [h.key, h.value ?? null]),
      );
      assert.equal(r.timestamp, BigInt(e.timestamp as number));
    });
  });

  test('a seek into a compressed batch skips the records before it; the iterator agrees with poll', async (t) => {
    const topic = topicName('cc-seek');
    await tb.broker.createTopic(topic, 1, 1, {});
    const records = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await rawProduce(c, topic, 0, records, CompressionCodec.ZSTD);
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([{ topic, partition: 0, offset: 37n }]);
    const seen: ConsumerRecord[] = [];
    for await (const r of consumer) {
      seen.push(r);
      if (seen.length === 63) break;
    }
    assert.deepEqual(
      seen.map((r) => r.offset),
      Array.from({ length: 63 }, (_, i) => BigInt(37 + i)),
    );
    assert.equal(seen[0]?.value?.toString(), 'v37');
    assert.equal(consumer.position({ topic, partition: 0 }), 100n);
  });
});
