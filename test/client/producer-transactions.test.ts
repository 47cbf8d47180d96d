/**
 * Transactions: committed records are visible to a read_committed reader
 * (kcat), aborted ones never; offsets sent to a transaction are committed
 * only with it; a second producer with the same transactional id fences the
 * first; a transaction left open by a broker killed with SIGKILL is aborted
 * after the restart and a new producer with the same id carries on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ApiKey, Cluster, CoordinatorType, ErrorCode, type KafkaError } from '../../src/client/index.ts';
import { Producer } from '../../src/client/producer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { type ChildBroker, startChildBroker, waitExit } from '../helpers/child-broker.ts';
import { kcatLines } from '../helpers/exec.ts';

async function committedOffset(cluster: Cluster, group: string, topic: string): Promise<bigint> {
  const conn = await cluster.coordinatorConnection(CoordinatorType.GROUP, group);
  const res = await conn.request(
    ApiKey.OffsetFetch,
    { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: true },
    { maxVersion: 7 },
  );
  return res.topics[0]?.partitions[0]?.committedOffset ?? -1n;
}

const isFenced = (err: KafkaError): boolean => {
  assert.equal(err.code, ErrorCode.PRODUCER_FENCED, err.message);
  assert.match(err.message, /fenced/);
  return true;
};

describe('transactional producer', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 5, initialBackoffMs: 20 } });
  after(() => cluster.close());

  test('committed records are visible to read_committed, aborted ones are not', async () => {
    const topic = topicName('txn');
    await tb.broker.createTopic(topic, 2, 1, {});
    const producer = new Producer(cluster, { transactionalId: topicName('txn-id'), compression: 'lz4' });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.sendBatch(['c1', 'c2', 'c3'].map((value, i) => ({ topic, partition: i % 2, value })));
    await producer.commitTransaction();

    producer.beginTransaction();
    await producer.sendBatch(['a1', 'a2'].map((value, i) => ({ topic, partition: i % 2, value })));
    await producer.abortTransaction();

    producer.beginTransaction();
    await producer.send({ topic, partition: 1, value: 'c4' });
    await producer.commitTransaction();
    await producer.close();

    const committed = await kcatLines(tb.bootstrap, topic, 'read_committed');
    assert.deepEqual(committed.sort(), ['c1', 'c2', 'c3', 'c4']);
    const all = await kcatLines(tb.bootstrap, topic, 'read_uncommitted');
    assert.deepEqual(all.sort(), ['a1', 'a2', 'c1', 'c2', 'c3', 'c4']);
  });

  test('abort fails records not sent yet; the producer goes on with the next transaction', async () => {
    const topic = topicName('txn-unsent');
    await tb.broker.createTopic(topic, 1, 1, {});
    const producer = new Producer(cluster, { transactionalId: topicName('txn-id'), lingerMs: 60_000 });
    await producer.initTransactions();
    producer.beginTransaction();
    const lingering = producer.send({ topic, value: 'never' });
    await producer.abortTransaction();
    await assert.rejects(lingering, /aborted/);
    producer.beginTransaction();
    const kept = producer.send({ topic, value: 'kept' });
    await producer.commitTransaction();
    assert.equal((await kept).offset, 0n);
    await producer.close();
    assert.deepEqual(await kcatLines(tb.bootstrap, topic, 'read_committed'), ['kept']);
  });

  test("sendOffsetsToTransaction commits the group's offsets only with the transaction", async () => {
    const topic = topicName('txn-offsets');
    const out = topicName('txn-out');
    const group = topicName('txn-group');
    await tb.broker.createTopic(topic, 1, 1, {});
    await tb.broker.createTopic(out, 1, 1, {});
    const producer = new Producer(cluster, { transactionalId: topicName('txn-id') });
    await producer.initTransactions();

    producer.beginTransaction();
    await producer.send({ topic: out, value: 'processed-0-4' });
    await producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 5n }], group);
    await producer.commitTransaction();
    assert.equal(await committedOffset(cluster, group, topic), 5n);

    producer.beginTransaction();
    await producer.send({ topic: out, value: 'processed-5-8' });
    await producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 9n, metadata: 'm' }], {
      groupId: group,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
    });
    await producer.abortTransaction();
    assert.equal(await committedOffset(cluster, group, topic), 5n, 'aborted offsets are dropped');
    await producer.close();
    assert.deepEqual(await kcatLines(tb.bootstrap, out, 'read_committed'), ['processed-0-4']);
  });

  test('a second producer with the same transactional id fences the first', async () => {
    const topic = topicName('txn-fence');
    const id = topicName('txn-fence-id');
    await tb.broker.createTopic(topic, 1, 1, {});
    const first = new Producer(cluster, { transactionalId: id });
    await first.initTransactions();
    first.beginTransaction();
    await first.send({ topic, value: 'zombie-1' });

    const second = new Producer(cluster, { transactionalId: id });
    await second.initTransactions(); // aborts the first one's open transaction

    await assert.rejects(first.send({ topic, value: 'zombie-2' }), isFenced);
    await assert.rejects(first.commitTransaction(), isFenced);
    assert.throws(() => first.beginTransaction(), isFenced);
    await assert.rejects(first.send({ topic, value: 'zombie-3' }), isFenced);
    await first.close();

    second.beginTransaction();
    await second.send({ topic, value: 'live' });
    await second.commitTransaction();
    await second.close();
    assert.deepEqual(await kcatLines(tb.bootstrap, topic, 'read_committed'), ['live']);
  });
});

test('kill -9 with a transaction open: aborted after the restart, a new producer carries on', {
  timeout: 60_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-producer-'));
  const args = [
    '--broker-config',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=200',
    '--broker-config',
    'transaction.state.log.num.partitions=2',
  ];
  let broker: ChildBroker = await startChildBroker(dataDir, args);
  const clusters: Cluster[] = [];
  t.after(async () => {
    for (const c of clusters) await c.close();
    broker.proc.kill('SIGKILL');
    await waitExit(broker.proc);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const connect = (b: ChildBroker): Cluster => {
    const c = new Cluster({ bootstrapServers: b.bootstrap, retry: { retries: 10, initialBackoffMs: 50 } });
    clusters.push(c);
    return c;
  };
  const topic = 'txn-restart';
  const id = 'txn-restart-id';
  let cluster = connect(broker);
  const conn = await cluster.anyConnection();
  await conn.request(ApiKey.CreateTopics, {
    topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }],
    timeoutMs: 10_000,
  });

  const before = new Producer(cluster, { transactionalId: id, transactionTimeoutMs: 30_000 });
  await before.initTransactions();
  before.beginTransaction();
  await before.sendBatch(['done-1', 'done-2', 'done-3'].map((value, i) => ({ topic, partition: i % 2, value })));
  await before.commitTransaction();
  before.beginTransaction();
  await before.sendBatch(['open-1', 'open-2', 'open-3'].map((value, i) => ({ topic, partition: i % 2, value })));

  broker.proc.kill('SIGKILL');
  await waitExit(broker.proc);
  broker = await startChildBroker(dataDir, args);
  cluster = connect(broker);

  const after = new Producer(cluster, { transactionalId: id });
  await after.initTransactions(); // waits while the coordinator aborts the open transaction
  after.beginTransaction();
  await after.sendBatch(['next-1', 'next-2'].map((value, i) => ({ topic, partition: i % 2, value })));
  await after.commitTransaction();
  await after.close();

  const committed = await kcatLines(broker.bootstrap, topic, 'read_committed');
  assert.deepEqual(committed.sort(), ['done-1', 'done-2', 'done-3', 'next-1', 'next-2']);
  const all = await kcatLines(broker.bootstrap, topic, 'read_uncommitted');
  assert.deepEqual(all.sort(), ['done-1', 'done-2', 'done-3', 'next-1', 'next-2', 'open-1', 'open-2', 'open-3']);
});
