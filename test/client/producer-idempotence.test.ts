/**
 * Idempotence (on by default): many small batches in flight give contiguous
 * offsets in send order; a broker killed with SIGKILL mid-stream and
 * restarted on the same port leaves no duplicate and loses nothing, because
 * retried batches keep their sequence numbers and the broker drops the ones
 * it already wrote. Read back by kcat.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ApiKey, Cluster, Connection } from '../../src/client/index.ts';
import { Producer, type RecordMetadata } from '../../src/client/producer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { type ChildBroker, startChildBroker, waitExit } from '../helpers/child-broker.ts';
import { exec } from '../helpers/exec.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** partition → values in offset order, checking offsets are dense from 0. */
async function readAll(bootstrap: string, topic: string): Promise<Map<number, string[]>> {
  const r = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\n']);
  assert.equal(r.code, 0, r.stderr);
  const out = new Map<number, string[]>();
  for (const line of r.stdout.toString().split('\n').filter(Boolean)) {
    const [p, o, v] = line.split(' ') as [string, string, string];
    const list = out.get(Number(p)) ?? [];
    assert.equal(Number(o), list.length, `partition ${p}: offsets are dense`);
    list.push(v);
    out.set(Number(p), list);
  }
  return out;
}

/** Checks delivery reports: per partition, offsets 0, 1, 2, ... in send order. */
function assertContiguous(reports: RecordMetadata[]): Map<number, number[]> {
  const byPartition = new Map<number, number[]>();
  for (const [i, r] of reports.entries()) {
    const list = byPartition.get(r.partition) ?? [];
    assert.equal(r.offset, BigInt(list.length), `record ${i} on partition ${r.partition}`);
    list.push(i);
    byPartition.set(r.partition, list);
  }
  return byPartition;
}

/** A TCP proxy to the broker that swallows the `drop`-th Produce request (counting from 1). */
async function lossyProxy(port: number, drop: number): Promise<Server> {
  let produces = 0;
  const server = createServer((client) => {
    const upstream = netConnect(port, '127.0.0.1');
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        if (frame.readInt16BE(4) === 0 && ++produces === drop) continue;
        upstream.write(frame);
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

describe('idempotent producer', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 3, initialBackoffMs: 20 } });
  after(() => cluster.close());

  test('many batches in flight: offsets contiguous, in send order, no duplicates', async () => {
    const topic = topicName('idem');
    await tb.broker.createTopic(topic, 3, 1, {});
    const producer = new Producer(cluster, { batchSize: 2048, lingerMs: 1, maxInFlight: 5 });
    const n = 6000;
    const reports = await producer.sendBatch(
      Array.from({ length: n }, (_, i) => ({ topic, key: `k${i % 17}`, value: `v${i}-${'x'.repeat(i % 64)}` })),
    );
    await producer.close();
    const sent = assertContiguous(reports);
    const read = await readAll(tb.bootstrap, topic);
    let total = 0;
    for (const [p, indexes] of sent) {
      assert.deepEqual(
        read.get(p),
        indexes.map((i) => `v${i}-${'x'.repeat(i % 64)}`),
      );
      total += indexes.length;
    }
    assert.equal(total, n);
  });

  test('a lost request: later batches get OUT_OF_ORDER_SEQUENCE_NUMBER and are resent in sequence order', async (t) => {
    const topic = topicName('idem-lost');
    await tb.broker.createTopic(topic, 1, 1, {});
    const proxy = await lossyProxy(tb.port, 3);
    const proxyPort = (proxy.address() as { port: number }).port;
    const outOfOrder: number[] = [];
    let viaProxy: Promise<Connection> | null = null;
    // Produce requests go to the leader's connection: route it through the proxy.
    class ProxiedCluster extends Cluster {
      override async connection(): Promise<Connection> {
        const open = viaProxy ? await viaProxy.catch(() => null) : null;
        if (open && !open.closed) return open;
        viaProxy = Connection.open({ host: '127.0.0.1', port: proxyPort });
        return viaProxy;
      }
    }
    const lossy = new ProxiedCluster({
      bootstrapServers: tb.bootstrap,
      retry: { retries: 3, initialBackoffMs: 20 },
      logger: {
        debug: (o) => {
          const code = (o as { err?: { code?: number } }).err?.code;
          if (code === 45) outOfOrder.push(code);
        },
      },
    });
    t.after(async () => {
      await lossy.close();
      (await viaProxy)?.close();
      proxy.close();
    });
    const producer = new Producer(lossy, { batchSize: 1024, lingerMs: 1, requestTimeoutMs: 1000, retryBackoffMs: 10 });
    const n = 400;
    const reports = await producer.sendBatch(
      Array.from({ length: n }, (_, i) => ({ topic, value: `lost-${i}-${'y'.repeat(40)}` })),
    );
    await producer.close();
    assertContiguous(reports);
    assert.ok(outOfOrder.length > 0, 'the broker saw the gap');
    const read = await readAll(tb.bootstrap, topic);
    assert.deepEqual(
      read.get(0),
      Array.from({ length: n }, (_, i) => `lost-${i}-${'y'.repeat(40)}`),
    );
  });
});

test('kill -9 of the broker mid-stream: retries leave no duplicate and lose nothing', {
  timeout: 60_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-idem-crash-'));
  let broker: ChildBroker = await startChildBroker(dataDir);
  let retries = 0;
  const cluster = new Cluster({
    bootstrapServers: broker.bootstrap,
    retry: { retries: 20, initialBackoffMs: 50, maxBackoffMs: 300 },
    logger: { debug: (_o, msg) => void (msg === 'producer: retrying batch' && retries++) },
  });
  t.after(async () => {
    await cluster.close();
    broker.proc.kill('SIGKILL');
    await waitExit(broker.proc);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const topic = 'idem-crash';
  const conn = await cluster.anyConnection();
  const created = await conn.request(ApiKey.CreateTopics, {
    topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }],
    timeoutMs: 10_000,
  });
  assert.equal(created.topics[0]?.errorCode, 0);

  const producer = new Producer(cluster, {
    batchSize: 4096,
    lingerMs: 2,
    requestTimeoutMs: 5000,
    retryBackoffMaxMs: 300,
    deliveryTimeoutMs: 40_000,
  });
  const n = 5000;
  let acked = 0;
  const port = broker.port;
  const restart = (async () => {
    while (acked < 1500) await sleep(2);
    broker.proc.kill('SIGKILL');
    await waitExit(broker.proc);
    broker = await startChildBroker(dataDir, ['--kafka-port', String(port)]);
  })();
  const pending: Promise<RecordMetadata>[] = [];
  for (let i = 0; i < n; i++) {
    const p = producer.send({ topic, partition: i % 2, value: `r${i}` });
    p.then(() => acked++).catch(() => {});
    pending.push(p);
    if (i % 25 === 24) await sleep(1);
  }
  const reports = await Promise.all(pending);
  await restart;
  await producer.close();
  assert.ok(acked >= n);
  assert.ok(retries > 0, 'batches were retried across the restart');
  const sent = assertContiguous(reports);
  const read = await readAll(broker.bootstrap, topic);
  for (const p of [0, 1]) {
    assert.deepEqual(
      read.get(p),
      (sent.get(p) ?? []).map((i) => `r${i}`),
      `partition ${p}: every record once, in send order`,
    );
  }
});
