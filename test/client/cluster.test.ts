import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  ApiKey,
  Cluster,
  Connection,
  ConnectionError,
  CoordinatorType,
  ErrorCode,
  type KafkaError,
  murmur2,
  partitionForKey,
} from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

describe('client core against the embedded broker', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({
    bootstrapServers: tb.bootstrap,
    clientId: 'core-test',
    retry: { retries: 3, initialBackoffMs: 20 },
  });
  after(() => cluster.close());

  test('negotiates versions and reads metadata', async () => {
    const conn = await cluster.anyConnection();
    assert.equal(conn.pickVersion(ApiKey.Metadata), 12);
    assert.equal(conn.pickVersion(ApiKey.Fetch), 12);
    await cluster.refreshMetadata();
    assert.deepEqual(
      cluster.brokers.map((b) => b.nodeId),
      [1],
    );
    assert.ok(cluster.clusterId);
    assert.equal(cluster.controllerId, 1);
  });

  test('topic metadata, and a clear error for a missing topic', async () => {
    const name = topicName('core');
    await tb.broker.createTopic(name, 3, 1, {});
    const [t] = await cluster.topicMetadata([name]);
    assert.equal(t?.partitions.length, 3);
    assert.equal(t?.partitions[2]?.leader, 1);
    await assert.rejects(cluster.topicMetadata(['no-such-topic-core']), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.match(err.message, /no-such-topic-core/);
      return true;
    });
  });

  test('finds group and transaction coordinators', async () => {
    const g = await cluster.coordinator(CoordinatorType.GROUP, 'g1');
    assert.equal(g.nodeId, 1);
    const conn = await cluster.coordinatorConnection(CoordinatorType.TRANSACTION, 'tx1');
    assert.equal(conn.port, tb.port);
  });

  test('pipelines requests on one connection', async () => {
    const conn = await cluster.connection(1);
    const all = await Promise.all(Array.from({ length: 20 }, () => conn.request(ApiKey.Metadata, { topics: [] })));
    assert.equal(all.length, 20);
    for (const r of all) assert.equal(r.brokers.length, 1);
  });

  test('a refused connection is a retriable ConnectionError naming the broker', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = new Cluster({ bootstrapServers: `127.0.0.1:${port}`, retry: { retries: 0 } });
    // With a topic list too: the failure reaches the caller and nothing else (no unhandled rejection).
    await assert.rejects(c.topicMetadata(['x']), (err: KafkaError) => err.code === ErrorCode.NETWORK_EXCEPTION);
    await assert.rejects(c.refreshMetadata(), (err: KafkaError) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, ErrorCode.NETWORK_EXCEPTION);
      assert.equal(err.retriable, true);
      assert.match(err.message, new RegExp(`127.0.0.1:${port}`));
      return true;
    });
    await c.close();
  });

  test('a silent broker times out the request and fails the others in flight', async () => {
    // Answers ApiVersions like a broker, then never again.
    const real = await Connection.open({ host: '127.0.0.1', port: tb.port });
    real.close();
    const srv = createServer((s) => {
      let first = true;
      s.on('data', async (d) => {
        if (!first) return;
        first = false;
        const id = d.readInt32BE(8);
        const { encodeResponse } = await import('../../src/protocol/index.ts');
        s.write(encodeResponse(18, 3, id, { apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }] }));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    after(() => srv.close());
    const port = (srv.address() as { port: number }).port;
    const conn = await Connection.open({ host: '127.0.0.1', port, requestTimeoutMs: 200 });
    const a = conn.request(ApiKey.Metadata, { topics: [] });
    const b = conn.request(ApiKey.Metadata, { topics: [] }, { timeoutMs: 5000 });
    await assert.rejects(a, (err: KafkaError) => err.code === ErrorCode.REQUEST_TIMED_OUT);
    await assert.rejects(b, (err: KafkaError) => err.code === ErrorCode.NETWORK_EXCEPTION);
    assert.equal(conn.closed, true);
    // The broker only serves Metadata: anything else is UNSUPPORTED_VERSION before sending.
    await assert.rejects(
      conn.request(ApiKey.Fetch, {}),
      (err: KafkaError) => err.code === ErrorCode.UNSUPPORTED_VERSION,
    );
  });

  test('bad bootstrap strings are usage errors', () => {
    assert.throws(() => new Cluster({ bootstrapServers: 'localhost' }), /not host:port/);
    assert.throws(() => new Cluster({ bootstrapServers: ' , ' }), /empty/);
  });
});

test('murmur2 matches Apache Kafka', () => {
  // Values from Kafka's own UtilsTest for Utils.murmur2.
  const cases: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ];
  for (const [s, h] of cases) assert.equal(murmur2(Buffer.from(s)), h, s);
  assert.equal(partitionForKey(Buffer.from('21'), 7), (-973932308 & 0x7fffffff) % 7);
});
