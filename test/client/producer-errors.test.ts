/**
 * The producer's failure modes and limits: records too large (broker and
 * client side), a batch split after MESSAGE_TOO_LARGE, missing topics and
 * partitions, usage mistakes, option conflicts, and backpressure from
 * bufferMemory (bounded memory, order kept, maxBlockMs).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import { Cluster, ErrorCode, type KafkaError } from '../../src/client/index.ts';
import { Producer, type RecordMetadata } from '../../src/client/producer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

const code = (expected: number) => (err: KafkaError) => {
  assert.equal(err.code, expected, `${err.errorName}: ${err.message}`);
  return true;
};

describe('producer errors and limits', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 2, initialBackoffMs: 20 } });
  after(() => cluster.close());

  test('a record over max.message.bytes is rejected with MESSAGE_TOO_LARGE; the others go through', async () => {
    const topic = topicName('big');
    await tb.broker.createTopic(topic, 1, 1, { 'max.message.bytes': '2000' });
    const producer = new Producer(cluster);
    const small = producer.send({ topic, value: 'fits' });
    const big = producer.send({ topic, value: Buffer.alloc(5000, 1) });
    const next = producer.send({ topic, value: 'fits too' });
    await assert.rejects(big, code(ErrorCode.MESSAGE_TOO_LARGE));
    assert.deepEqual([(await small).offset, (await next).offset], [0n, 1n]);
    // Bigger than maxRequestSize: refused before it is sent.
    await assert.rejects(producer.send({ topic, value: Buffer.alloc(2 * 1024 * 1024) }), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.MESSAGE_TOO_LARGE);
      assert.match(err.message, /maxRequestSize/);
      return true;
    });
    await producer.close();
  });

  test('a batch too large for the topic is split until it fits', async () => {
    const topic = topicName('split');
    await tb.broker.createTopic(topic, 1, 1, { 'max.message.bytes': '3000' });
    const producer = new Producer(cluster, { lingerMs: 50 });
    const reports = await producer.sendBatch(
      Array.from({ length: 12 }, (_, i) => ({ topic, value: Buffer.alloc(900, i) })),
    );
    await producer.close();
    assert.deepEqual(
      reports.map((r) => r.offset),
      Array.from({ length: 12 }, (_, i) => BigInt(i)),
    );
  });

  test('a missing topic fails with UNKNOWN_TOPIC_OR_PARTITION after the retries', async () => {
    const producer = new Producer(cluster);
    const started = Date.now();
    await assert.rejects(producer.send({ topic: topicName('missing'), value: 'x' }), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.match(err.message, /missing/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
    await producer.close();
  });

  test('an explicit partition outside the topic is rejected', async () => {
    const topic = topicName('parts');
    await tb.broker.createTopic(topic, 2, 1, {});
    const producer = new Producer(cluster);
    for (const partition of [2, -1, 1.5]) {
      await assert.rejects(producer.send({ topic, partition, value: 'x' }), (err: KafkaError) => {
        assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assert.match(err.message, /has no partition/);
        return true;
      });
    }
    assert.equal((await producer.send({ topic, partition: 1, value: 'ok' })).partition, 1);
    await producer.close();
  });

  test('transactional calls out of order are plain Errors saying what to call first', async () => {
    const topic = topicName('txn-misuse');
    await tb.broker.createTopic(topic, 1, 1, {});
    const producer = new Producer(cluster, { transactionalId: topicName('misuse-id') });
    assert.throws(() => producer.beginTransaction(), /initTransactions\(\) first/);
    await assert.rejects(producer.send({ topic, value: 'x' }), /initTransactions\(\)/);
    await producer.initTransactions();
    await assert.rejects(producer.commitTransaction(), /call beginTransaction\(\) first/);
    await assert.rejects(producer.abortTransaction(), /call beginTransaction\(\) first/);
    await assert.rejects(producer.send({ topic, value: 'x' }), /call beginTransaction\(\) first/);
    producer.beginTransaction();
    assert.throws(() => producer.beginTransaction(), /commitTransaction\(\) or abortTransaction\(\) first/);
    await producer.commitTransaction(); // an empty transaction commits without EndTxn
    await producer.close();
    await assert.rejects(producer.send({ topic, value: 'x' }), /closed/);

    const plain = new Producer(cluster);
    await assert.rejects(plain.initTransactions(), /no transactionalId/);
    await assert.rejects(plain.commitTransaction(), /no transactionalId/);
    await plain.close();
  });

  test('option conflicts and bad records', async () => {
    assert.throws(() => new Producer(cluster, { idempotent: true, acks: 1 }), TypeError);
    assert.throws(() => new Producer(cluster, { transactionalId: 'x', acks: 0 }), TypeError);
    assert.throws(() => new Producer(cluster, { transactionalId: 'x', idempotent: false }), TypeError);
    assert.throws(() => new Producer(cluster, { idempotent: true, maxInFlight: 6 }), TypeError);
    assert.throws(() => new Producer(cluster, { compression: 'brotli' as 'gzip' }), TypeError);
    new Producer(cluster, { acks: 1, maxInFlight: 10 }); // idempotence quietly off, as in Java
    const producer = new Producer(cluster);
    await assert.rejects(producer.send({ topic: '', value: 'x' }), TypeError);
    await assert.rejects(producer.send({ topic: 't', value: 42 as unknown as string }), TypeError);
    await producer.close();
  });

  test('backpressure: a tiny bufferMemory bounds memory, every send resolves, in order', async () => {
    const topic = topicName('pressure');
    await tb.broker.createTopic(topic, 1, 1, {});
    const bufferMemory = 16 * 1024;
    const producer = new Producer(cluster, { bufferMemory, batchSize: 4096 });
    let peak = 0;
    const order: bigint[] = [];
    const sends: Promise<RecordMetadata>[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = producer.send({ topic, value: Buffer.alloc(500, i) });
      p.then((r) => order.push(r.offset));
      sends.push(p);
      peak = Math.max(peak, producer.bufferedBytes);
    }
    const timer = setInterval(() => {
      peak = Math.max(peak, producer.bufferedBytes);
    }, 1);
    const reports = await Promise.all(sends);
    clearInterval(timer);
    await producer.close();
    assert.ok(peak <= bufferMemory, `peak ${peak} ≤ ${bufferMemory}`);
    assert.ok(peak > bufferMemory / 2, 'the buffer was actually used');
    assert.deepEqual(
      reports.map((r) => r.offset),
      Array.from({ length: 3000 }, (_, i) => BigInt(i)),
    );
    assert.deepEqual(
      order,
      Array.from({ length: 3000 }, (_, i) => BigInt(i)),
      'reports resolve in send order',
    );
    assert.equal(producer.bufferedBytes, 0);
  });
});

test('backpressure: with the broker gone, send() gives up after maxBlockMs and batches expire', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-producer-block-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await Broker.start({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    configs: {},
    logger: pino({ level: 'silent' }),
  });
  const topic = 'blocked';
  await broker.createTopic(topic, 1, 1, {});
  const cluster = new Cluster({
    bootstrapServers: `127.0.0.1:${broker.port}`,
    retry: { retries: 1, initialBackoffMs: 20 },
  });
  t.after(() => cluster.close());
  await cluster.topicMetadata([topic]);
  await broker.close();

  const producer = new Producer(cluster, {
    bufferMemory: 4000,
    maxBlockMs: 300,
    deliveryTimeoutMs: 1000,
    requestTimeoutMs: 500,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 100,
  });
  const queued = [1, 2, 3].map((i) => producer.send({ topic, value: Buffer.alloc(1000, i) }));
  const started = Date.now();
  await assert.rejects(producer.send({ topic, value: Buffer.alloc(2000) }), (err: KafkaError) => {
    assert.equal(err.code, ErrorCode.REQUEST_TIMED_OUT);
    assert.match(err.message, /bufferMemory/);
    return true;
  });
  const waited = Date.now() - started;
  assert.ok(waited >= 250 && waited < 2000, `blocked for ${waited} ms`);
  for (const p of queued) await assert.rejects(p, code(ErrorCode.REQUEST_TIMED_OUT));
  assert.equal(producer.bufferedBytes, 0);
  await producer.close();
});
