/**
 * The client end to end, with nothing but its own producer and consumer:
 * every codec round trip, and a consume-transform-produce loop that stays
 * exactly-once across a kill -9 of the broker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Client, type ConsumerRecord } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { type ChildBroker, startChildBroker, waitExit } from '../helpers/child-broker.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

async function drain(
  consumer: ReturnType<Client['consumer']>,
  want: number,
  timeoutMs = 15_000,
): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < want && Date.now() < deadline) out.push(...(await consumer.poll(200)));
  return out;
}

describe('own producer to own consumer', async () => {
  const tb = await startTestBroker(after);

  for (const codec of CODECS) {
    test(`every record back byte-exact with ${codec}`, async (t) => {
      const client = new Client({ bootstrapServers: tb.bootstrap, metadataMaxAgeMs: 500 });
      t.after(() => client.close());
      const topic = topicName(`e2e-${codec}`);
      await tb.broker.createTopic(topic, 3, 1, {});
      const producer = client.producer({ compression: codec, lingerMs: 2 });
      const sent = Array.from({ length: 600 }, (_, i) => ({
        topic,
        key: i % 7 === 0 ? null : `key-${i % 50}`,
        value: i % 11 === 0 ? null : Buffer.from(`${i}:`.padEnd(20 + (i % 300), String.fromCharCode(97 + (i % 26)))),
        headers: (i % 5 === 0 ? { trace: `t-${i}`, empty: null } : {}) as Record<string, string | null>,
      }));
      const meta = await producer.sendBatch(sent);
      assert.equal(new Set(meta.map((m) => `${m.partition}/${m.offset}`)).size, sent.length);

      const consumer = client.consumer({ groupId: `g-${topic}`, autoOffsetReset: 'earliest' });
      consumer.subscribe([topic]);
      const got = await drain(consumer, sent.length);
      assert.equal(got.length, sent.length);
      const byPos = new Map(got.map((r) => [`${r.partition}/${r.offset}`, r]));
      sent.forEach((s, i) => {
        const m = meta[i];
        const r = byPos.get(`${m?.partition}/${m?.offset}`);
        assert.ok(r, `record ${i} missing`);
        assert.deepEqual(r.key, s.key === null ? null : Buffer.from(s.key));
        assert.deepEqual(r.value, s.value);
        const headers = Object.entries(s.headers).map(([key, v]) => ({
          key,
          value: v === null ? null : Buffer.from(v),
        }));
        assert.deepEqual(r.headers, headers);
      });
      // Keyed records land by murmur2: one partition per key.
      const partOfKey = new Map<string, number>();
      for (const r of got) {
        if (!r.key) continue;
        const k = r.key.toString();
        assert.equal(partOfKey.get(k) ?? r.partition, r.partition, `key ${k} on two partitions`);
        partOfKey.set(k, r.partition);
      }
    });
  }
});

test('consume-transform-produce stays exactly-once across kill -9 of the broker', { timeout: 150_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-eos-'));
  const args = [
    '--broker-config',
    'transaction.state.log.num.partitions=2',
    '--broker-config',
    'offsets.topic.num.partitions=2',
  ];
  let broker: ChildBroker = await startChildBroker(dataDir, args);
  const clients: Client[] = [];
  t.after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    broker.proc.kill('SIGKILL');
    await waitExit(broker.proc);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const connect = (): Client => {
    const c = new Client({
      bootstrapServers: broker.bootstrap,
      metadataMaxAgeMs: 500,
      retry: { retries: 10, initialBackoffMs: 50 },
    });
    clients.push(c);
    return c;
  };
  const input = 'eos-in';
  const output = 'eos-out';
  const N = 400;
  let client = connect();
  const admin = client.admin();
  await admin.createTopics([
    { name: input, numPartitions: 3, replicationFactor: 1 },
    { name: output, numPartitions: 2, replicationFactor: 1 },
  ]);
  const seed = client.producer();
  await seed.sendBatch(Array.from({ length: N }, (_, i) => ({ topic: input, key: `k${i % 13}`, value: String(i) })));
  await seed.close();

  // One worker: poll a few records, write each as value*2 in a transaction together with the input offsets.
  const worker = (c: Client) => {
    const consumer = c.consumer({
      groupId: 'eos-app',
      autoCommit: false,
      autoOffsetReset: 'earliest',
      isolationLevel: 'read_committed',
      maxPollRecords: 25,
      // The member from before the crash stays in the group until its session expires.
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 5000,
    });
    consumer.subscribe([input]);
    const producer = c.producer({ transactionalId: 'eos-app-0', transactionTimeoutMs: 20_000 });
    return { consumer, producer };
  };
  const step = async (w: ReturnType<typeof worker>): Promise<number> => {
    const records = await w.consumer.poll(300);
    if (records.length === 0) return 0;
    w.producer.beginTransaction();
    for (const r of records) w.producer.send({ topic: output, key: r.key, value: String(Number(r.value) * 2) });
    const next = new Map<string, bigint>();
    for (const r of records) next.set(`${r.topic}\0${r.partition}`, r.offset + 1n);
    const offsets = [...next].map(([k, offset]) => {
      const [topic, partition] = k.split('\0');
      return { topic: topic as string, partition: Number(partition), offset };
    });
    await w.producer.sendOffsetsToTransaction(offsets, w.consumer.groupMetadata());
    await w.producer.commitTransaction();
    return records.length;
  };

  let w = worker(client);
  await w.producer.initTransactions();
  let done = 0;
  while (done < N / 2) done += await step(w);
  // A transaction left open when the broker dies: its records must never be seen.
  const openRecords = await w.consumer.poll(1000);
  w.producer.beginTransaction();
  for (const r of openRecords) w.producer.send({ topic: output, value: `open-${r.value}` });
  await w.producer.flush();
  broker.proc.kill('SIGKILL');
  await waitExit(broker.proc);
  broker = await startChildBroker(dataDir, args);

  client = connect();
  w = worker(client);
  await w.producer.initTransactions();
  // The committed offsets say where to resume: exactly the inputs not yet processed remain.
  const deadline = Date.now() + 60_000;
  let rest = 0;
  while (done + rest < N && Date.now() < deadline) rest += await step(w);
  assert.equal(done + rest, N, 'every input processed once after the restart');
  for (let i = 0; i < 3; i++) assert.equal(await step(w), 0, 'nothing left to process');
  await w.consumer.close();
  await w.producer.close();

  const reader = client.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  reader.assign([
    { topic: output, partition: 0, offset: 0n },
    { topic: output, partition: 1, offset: 0n },
  ]);
  const out = await drain(reader, N);
  await new Promise((r) => setTimeout(r, 500));
  out.push(...(await reader.poll(300)));
  const values = out.map((r) => String(r.value)).sort((a, b) => Number(a) - Number(b));
  assert.deepEqual(
    values,
    Array.from({ length: N }, (_, i) => String(i * 2)),
    'each input exactly once, none open',
  );
});
