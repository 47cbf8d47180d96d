/**
 * The must-show of client quotas: a throttled tenant held to its rate while
 * another is unaffected, measured.
 * - Producers: two tenants (client ids) with the project's client produce
 *   concurrently for 6 s, one under producer_byte_rate 200 KiB/s; then kcat
 *   (librdkafka honours throttle_time_ms) the same way; removing the quota
 *   restores full speed.
 * - Consumers: two tenants read the same 3 MB concurrently, one under
 *   consumer_byte_rate 200 KiB/s; removing it restores full speed.
 * The broker runs with quota.window.num=2 (1 s samples), so a fresh client's
 * burst allowance is one second of quota, not Kafka's default ten; the
 * measured rates are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { quotasOf } from '../../src/broker/quotas/index.ts';
import { Client } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

const QUOTA = 200 * 1024;
const RUN_MS = 6000;
// producers send 10 KB records: per-record work stays small, so the unthrottled tenant is fast even on a busy machine
const VALUE = Buffer.alloc(10_000, 'v');
const READ_VALUE = Buffer.alloc(1000, 'r');
const kib = (bytesPerSecond: number): string => `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;

describe('client quotas hold one tenant to its rate, the other unaffected', async () => {
  const tb = await startTestBroker(after, { 'quota.window.num': '2', 'quota.window.size.seconds': '1' });
  const admin = new Client({ bootstrapServers: tb.bootstrap });
  after(() => admin.close());
  const setQuota = async (clientId: string, key: string, value: number | null): Promise<void> => {
    const op = value === null ? { key, remove: true } : { key, value };
    const [r] = await admin.admin().alterClientQuotas([{ entity: { 'client-id': clientId }, ops: [op] }]);
    assert.equal(r?.error, null);
  };

  /** Produces records for `ms`, 32 in flight; the rate of values acknowledged within that time. */
  async function produceFor(clientId: string, topic: string, ms: number): Promise<number> {
    const client = new Client({ bootstrapServers: tb.bootstrap, clientId });
    const producer = client.producer({ acks: 1, idempotent: false, lingerMs: 5, batchSize: 16_384 });
    const started = Date.now();
    const end = started + ms;
    let acked = 0;
    const inFlight = new Set<Promise<void>>();
    while (Date.now() < end) {
      const p: Promise<void> = producer.send({ topic, value: VALUE }).then(() => {
        if (Date.now() <= end) acked += VALUE.length;
      });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 32) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await client.close();
    return acked / (ms / 1000);
  }

  /** Reads `total` bytes of values from partition 0, for at most `ms`; the rate until done. */
  async function consumeFor(clientId: string, topic: string, total: number, ms: number): Promise<number> {
    const client = new Client({ bootstrapServers: tb.bootstrap, clientId });
    const consumer = client.consumer({ maxPartitionBytes: 65_536 });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    const started = Date.now();
    let bytes = 0;
    while (Date.now() - started < ms && bytes < total) {
      for (const r of await consumer.poll(100)) bytes += r.value?.length ?? 0;
    }
    const seconds = (Date.now() - started) / 1000;
    await client.close();
    return bytes / seconds;
  }

  const within30 = (rate: number): boolean => rate >= QUOTA * 0.7 && rate <= QUOTA * 1.3;

  test('producers: 200 KiB/s quota vs none, concurrently for 6 s; removal restores full speed', async (t) => {
    const topic = topicName('quota-produce');
    await tb.broker.createTopic(topic, 1, 1, {});
    await setQuota('tenant-slow', 'producer_byte_rate', QUOTA);
    const [slow, fast] = await Promise.all([
      produceFor('tenant-slow', topic, RUN_MS),
      produceFor('tenant-fast', topic, RUN_MS),
    ]);
    t.diagnostic(`producer with quota ${kib(QUOTA)}: ${kib(slow)} (${((slow / QUOTA - 1) * 100).toFixed(1)}%)`);
    t.diagnostic(`producer without quota, same time: ${kib(fast)} (${(fast / QUOTA).toFixed(1)}× the quota)`);
    assert.ok(within30(slow), `throttled producer at ${kib(slow)}, quota ${kib(QUOTA)}`);
    assert.ok(fast > QUOTA * 3, `the other tenant is unaffected: ${kib(fast)}`);
    const usage = quotasOf(tb.broker)
      .usage()
      .find((u) => u.key === 'producer_byte_rate' && u.clientId === 'tenant-slow');
    assert.equal(usage?.quota, QUOTA);

    await setQuota('tenant-slow', 'producer_byte_rate', null);
    const freed = await produceFor('tenant-slow', topic, 2000);
    t.diagnostic(`same producer after the quota was removed: ${kib(freed)}`);
    assert.ok(freed > QUOTA * 3, `full speed again: ${kib(freed)}`);
  });

  test('kcat (librdkafka honours throttle_time_ms): 200 KiB/s quota vs none', async (t) => {
    const topic = topicName('quota-kcat');
    await tb.broker.createTopic(topic, 1, 1, {});
    await setQuota('kcat-slow', 'producer_byte_rate', QUOTA);
    const input = `${'k'.repeat(999)}\n`.repeat(1300);
    const kcat = async (clientId: string): Promise<{ rate: number; stderr: string }> => {
      const started = Date.now();
      const r = await exec(
        'kcat',
        ['-b', tb.bootstrap, '-P', '-t', topic, '-X', `client.id=${clientId}`, '-X', 'acks=1'].concat([
          '-X',
          'linger.ms=5',
          '-X',
          'batch.size=16384',
        ]),
        input,
        30_000,
      );
      assert.equal(r.code, 0, r.stderr);
      return { rate: input.length / ((Date.now() - started) / 1000), stderr: r.stderr };
    };
    const [slow, fast] = await Promise.all([kcat('kcat-slow'), kcat('kcat-fast')]);
    t.diagnostic(`kcat with quota ${kib(QUOTA)}: ${kib(slow.rate)} (${((slow.rate / QUOTA - 1) * 100).toFixed(1)}%)`);
    t.diagnostic(`kcat without quota: ${kib(fast.rate)}`);
    assert.match(slow.stderr, /throttled request for \d+ms/, 'librdkafka saw throttle_time_ms');
    assert.ok(within30(slow.rate), `throttled kcat at ${kib(slow.rate)}`);
    assert.ok(fast.rate > QUOTA * 3, `unthrottled kcat at ${kib(fast.rate)}`);
  });

  test('consumers: 200 KiB/s quota vs none on the same 3 MB; removal restores full speed', async (t) => {
    const topic = topicName('quota-fetch');
    await tb.broker.createTopic(topic, 1, 1, {});
    const filler = admin.producer({ acks: 1, lingerMs: 5, batchSize: 16_384 });
    const total = 3000 * READ_VALUE.length;
    await Promise.all(Array.from({ length: 3000 }, () => filler.send({ topic, value: READ_VALUE })));
    await setQuota('reader-slow', 'consumer_byte_rate', QUOTA);
    const [slow, fast] = await Promise.all([
      consumeFor('reader-slow', topic, total, RUN_MS),
      consumeFor('reader-fast', topic, total, RUN_MS),
    ]);
    t.diagnostic(`consumer with quota ${kib(QUOTA)}: ${kib(slow)} (${((slow / QUOTA - 1) * 100).toFixed(1)}%)`);
    t.diagnostic(`consumer without quota: ${kib(fast)} (read all 3 MB)`);
    assert.ok(within30(slow), `throttled consumer at ${kib(slow)}`);
    assert.ok(fast > QUOTA * 3, `the other tenant is unaffected: ${kib(fast)}`);

    await setQuota('reader-slow', 'consumer_byte_rate', null);
    const freed = await consumeFor('reader-slow', topic, total, RUN_MS);
    t.diagnostic(`same consumer after the quota was removed: ${kib(freed)}`);
    assert.ok(freed > QUOTA * 3, `full speed again: ${kib(freed)}`);
  });
});
