/**
 * The producer against the embedded broker, checked by kcat (librdkafka):
 * every codec reads back byte-exact (keys, values, headers, nulls), keyed
 * records land where librdkafka's murmur2_random puts them, keyless records
 * stick to a partition per batch, acks=0 and a custom partitioner.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Cluster } from '../../src/client/index.ts';
import { type CompressionName, Producer, type ProducerRecord } from '../../src/client/producer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[string, Buffer | null]>;
}

/** Reads a topic with kcat -J; kcat writes raw bytes into its JSON strings, so latin1 gets them back exactly. */
async function kcatRead(bootstrap: string, topic: string, extra: string[] = []): Promise<ReadRecord[]> {
  const r = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const bytes = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'latin1'));
  return r.stdout
    .toString('latin1')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const j = JSON.parse(line);
      const headers: Array<[string, Buffer | null]> = [];
      const h: Array<string | null> = j.headers ?? [];
      for (let i = 0; i < h.length; i += 2) headers.push([h[i] as string, bytes(h[i + 1] ?? null)]);
      return { partition: j.partition, offset: j.offset, key: bytes(j.key), value: bytes(j.payload), headers };
    });
}

/** Deterministic bytes (xorshift), so a failure can be reproduced. */
function bytesFrom(seed: number, n: number): Buffer {
  let x = seed | 1;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const asBuf = (b: Buffer | string | null | undefined): Buffer | null =>
  b === null || b === undefined ? null : Buffer.from(b);

describe('producer round trips, read by kcat', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 3, initialBackoffMs: 20 } });
  after(() => cluster.close());

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
    test(`compression ${codec}: keys, headers, nulls read back byte-exact`, async () => {
      const topic = topicName(`prod-${codec}`);
      await tb.broker.createTopic(topic, 2, 1, {});
      const producer = new Producer(cluster, { compression: codec, lingerMs: 20 });
      const records: ProducerRecord[] = [];
      for (let i = 0; i < 300; i++) {
        const kind = i % 6;
        records.push({
          topic,
          partition: i % 2,
          key: kind === 0 ? null : kind === 1 ? '' : bytesFrom(i + 1, 1 + (i % 40)),
          value: kind === 2 ? null : kind === 3 ? `text value ${i} ✓ ${'abc'.repeat(i % 50)}` : bytesFrom(i + 7, i * 3),
          headers:
            kind === 4
              ? [
                  ['trace', bytesFrom(i, 8)],
                  ['empty', null],
                  ['trace', 'again'],
                ]
              : kind === 5
                ? { 'content-type': 'application/octet-stream', n: String(i) }
                : undefined,
          timestamp: 1_700_000_000_000 + i,
        });
      }
      const reports = await producer.sendBatch(records);
      await producer.close();
      const next = [0n, 0n];
      for (const [i, r] of reports.entries()) {
        assert.equal(r.partition, i % 2);
        assert.equal(r.offset, next[r.partition]);
        next[r.partition] = (next[r.partition] as bigint) + 1n;
        assert.equal(r.timestamp, BigInt(1_700_000_000_000 + i));
      }
      const read = await kcatRead(tb.bootstrap, topic, ['-X', 'check.crcs=true']);
      assert.equal(read.length, records.length);
      const byPosition = new Map(read.map((r) => [`${r.partition}:${r.offset}`, r]));
      for (const [i, sent] of records.entries()) {
        const got = byPosition.get(`${reports[i]?.partition}:${reports[i]?.offset}`);
        assert.ok(got, `record ${i} read back`);
        assert.deepEqual(got.key, asBuf(sent.key), `key of record ${i}`);
        assert.deepEqual(got.value, asBuf(sent.value), `value of record ${i}`);
        const headers = Array.isArray(sent.headers) ? sent.headers : Object.entries(sent.headers ?? {});
        assert.deepEqual(
          got.headers,
          headers.map(([k, v]) => [k, asBuf(v)]),
          `headers of record ${i}`,
        );
      }
    });
  }

  test('keyed records land where librdkafka murmur2_random puts them', async () => {
    const a = topicName('prod-kcat-part');
    const b = topicName('prod-own-part');
    await tb.broker.createTopic(a, 8, 1, {});
    await tb.broker.createTopic(b, 8, 1, {});
    const keys = Array.from({ length: 200 }, (_, i) =>
      i % 10 === 0 ? `ключ-${i}` : i % 7 === 0 ? `k${i}` : `user-${i * 7919}-${(i * 31) % 97}`,
    );
    const input = `${keys.map((k, i) => `${k}:v${i}`).join('\n')}\n`;
    const w = await exec(
      'kcat',
      ['-b', tb.bootstrap, '-P', '-t', a, '-K:', '-X', 'partitioner=murmur2_random', '-X', 'linger.ms=5'],
      input,
    );
    assert.equal(w.code, 0, w.stderr);
    const theirs = new Map(
      (await kcatRead(tb.bootstrap, a)).map((r) => [(r.key as Buffer).toString('utf8'), r.partition]),
    );
    assert.equal(theirs.size, keys.length);
    const producer = new Producer(cluster);
    const reports = await producer.sendBatch(keys.map((key, i) => ({ topic: b, key, value: `v${i}` })));
    await producer.close();
    const used = new Set<number>();
    for (const [i, key] of keys.entries()) {
      assert.equal(reports[i]?.partition, theirs.get(key), `key ${key}`);
      used.add(reports[i]?.partition as number);
    }
    assert.equal(used.size, 8, 'keys spread over every partition');
    const ours = await kcatRead(tb.bootstrap, b);
    for (const r of ours) assert.equal(r.partition, theirs.get((r.key as Buffer).toString('utf8')));
  });

  test('records without a key stick to one partition per batch, then move on', async () => {
    const topic = topicName('prod-sticky');
    await tb.broker.createTopic(topic, 4, 1, {});
    const producer = new Producer(cluster, { lingerMs: 60_000 });
    const first = producer.sendBatch(Array.from({ length: 20 }, (_, i) => ({ topic, value: `a${i}` })));
    await producer.flush();
    const second = producer.sendBatch(Array.from({ length: 20 }, (_, i) => ({ topic, value: `b${i}` })));
    await producer.flush();
    const one = new Set((await first).map((r) => r.partition));
    const two = new Set((await second).map((r) => r.partition));
    assert.equal(one.size, 1, 'one partition while the batch was open');
    assert.equal(two.size, 1);
    assert.notEqual([...one][0], [...two][0], 'a new partition once the batch was sent');
    await producer.close();
  });

  test('acks=0 writes without answers; offsets are -1', async () => {
    const topic = topicName('prod-acks0');
    await tb.broker.createTopic(topic, 1, 1, {});
    const producer = new Producer(cluster, { acks: 0 });
    const reports = await producer.sendBatch(Array.from({ length: 50 }, (_, i) => ({ topic, value: `z${i}` })));
    await producer.close();
    assert.ok(reports.every((r) => r.offset === -1n));
    let read: ReadRecord[] = [];
    for (let i = 0; i < 50 && read.length < 50; i++) {
      read = await kcatRead(tb.bootstrap, topic);
      if (read.length < 50) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(
      read.map((r) => r.value?.toString()),
      Array.from({ length: 50 }, (_, i) => `z${i}`),
    );
  });

  test('acks=1 and a custom partitioner', async () => {
    const topic = topicName('prod-custom');
    await tb.broker.createTopic(topic, 3, 1, {});
    const producer = new Producer(cluster, {
      acks: 1,
      partitioner: (key, _topic, n) => (key ? key.length % n : n - 1),
    });
    const reports = await producer.sendBatch([
      { topic, key: 'a', value: '1' },
      { topic, key: 'ab', value: '2' },
      { topic, key: 'abc', value: '3' },
      { topic, value: '4' },
      { topic, key: 'a', value: '5', partition: 2 },
    ]);
    await producer.close();
    assert.deepEqual(
      reports.map((r) => [r.partition, r.offset]),
      [
        [1, 0n],
        [2, 0n],
        [0, 0n],
        [2, 1n],
        [2, 2n],
      ],
    );
  });
});
