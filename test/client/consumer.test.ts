/**
 * The consumer's controls against the embedded broker: manual assignment
 * without a group, seeks by offset and timestamp, pause/resume,
 * read_committed over kafkajs transactions, auto and manual commits seen by
 * kafkajs's admin and by a new consumer.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Consumer } from '../../src/client/consumer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { at, cluster, drain, FAST, GROUP_CONFIGS, rawProduce, waitFor } from './consumer-helpers.ts';

describe('consumer', async () => {
  const tb = await startTestBroker(after, { ...GROUP_CONFIGS, 'transaction.state.log.num.partitions': '2' });
  const c = cluster(tb, after);
  const kafka = new Kafka({ clientId: 'consumer-test', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());

  const topicWith = async (prefix: string, partitions: number, perPartition: number): Promise<string> => {
    const topic = topicName(prefix);
    await tb.broker.createTopic(topic, partitions, 1, {});
    for (let p = 0; p < partitions; p++) {
      const records = Array.from({ length: perPartition }, (_, i) => ({
        value: `p${p}-${i}`,
        timestamp: 1_000_000 + i * 1000,
      }));
      if (records.length > 0) await rawProduce(c, topic, p, records);
    }
    return topic;
  };

  test('manual assignment without a group: start offsets, positions, no commits', async (t) => {
    const topic = await topicWith('manual', 2, 10);
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([
      { topic, partition: 0, offset: 4n },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(consumer.assignment(), [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const got = await drain(consumer, 16);
    assert.deepEqual(
      got.map(at).sort(),
      [
        ...Array.from({ length: 6 }, (_, i) => `${topic}-0@${i + 4}`),
        ...Array.from({ length: 10 }, (_, i) => `${topic}-1@${i}`),
      ].sort(),
    );
    assert.equal(consumer.position({ topic, partition: 0 }), 10n);
    assert.equal(consumer.position({ topic, partition: 1 }), 10n);
    await assert.rejects(consumer.commit(), /groupId/);
    assert.throws(() => consumer.groupMetadata(), /groupId/);
    assert.throws(() => consumer.subscribe([topic]), /groupId/);
  });

  test('seek, seekToBeginning, seekToEnd', async (t) => {
    const topic = await topicWith('seek', 1, 20);
    const tp = { topic, partition: 0 };
    const consumer = new Consumer(c, { autoOffsetReset: 'latest' });
    t.after(() => consumer.close());
    consumer.assign([tp]);
    await waitFor(() => consumer.position(tp) === 20n, 'the latest position');
    assert.deepEqual(await consumer.poll(100), []);
    consumer.seek(tp, 15n);
    assert.deepEqual(
      (await drain(consumer, 5)).map((r) => r.value?.toString()),
      ['p0-15', 'p0-16', 'p0-17', 'p0-18', 'p0-19'],
    );
    await consumer.seekToBeginning();
    assert.equal(consumer.position(tp), 0n);
    assert.equal((await drain(consumer, 20)).length, 20);
    consumer.seek(tp, 3n);
    await consumer.seekToEnd([tp]);
    assert.equal(consumer.position(tp), 20n);
    assert.throws(() => consumer.seek({ topic, partition: 7 }, 0n), /seek: partition .*-7 is not assigned/);
    assert.throws(() => consumer.seek(tp, -1n), TypeError);
  });

  test('offsetsForTimes and seekToTimestamp', async (t) => {
    const topic = await topicWith('time', 1, 10); // timestamps 1000000, 1001000, ...
    const tp = { topic, partition: 0 };
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([tp]);
    const found = await consumer.offsetsForTimes([
      { ...tp, timestamp: 1_002_500 },
      { ...tp, timestamp: 0 },
    ]);
    assert.deepEqual(
      found.map((o) => o.offset),
      [3n, 0n],
    );
    assert.deepEqual(await consumer.offsetsForTimes([{ ...tp, timestamp: 9_999_999 }]), [{ ...tp, offset: -1n }]);
    await consumer.seekToTimestamp([tp], 1_006_000n);
    const got = await drain(consumer, 4);
    assert.deepEqual(
      got.map((r) => [r.offset, r.timestamp]),
      [6n, 7n, 8n, 9n].map((o) => [o, 1_000_000n + o * 1000n]),
    );
    await consumer.seekToTimestamp([tp], 9_999_999);
    assert.equal(consumer.position(tp), 10n, 'past the last timestamp: the end');
  });

  test('pause and resume', async (t) => {
    const topic = await topicWith('pause', 2, 5);
    const [p0, p1] = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ];
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([p0, p1]);
    consumer.pause([p0]);
    assert.deepEqual(consumer.paused(), [p0]);
    const first = await drain(consumer, 5);
    assert.ok(first.every((r) => r.partition === 1));
    assert.deepEqual(await consumer.poll(300), [], 'nothing from the paused partition');
    assert.equal(consumer.position(p0), 0n);
    consumer.resume([p0]);
    assert.deepEqual(consumer.paused(), []);
    const rest = await drain(consumer, 5);
    assert.deepEqual(
      rest.map((r) => r.value?.toString()),
      ['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-4'],
    );
    assert.throws(() => consumer.pause([{ topic, partition: 9 }]), /not assigned/);
  });

  test('read_committed over kafkajs transactions: committed visible, aborted and open not', async (t) => {
    const topic = topicName('rc');
    await tb.broker.createTopic(topic, 2, 1, {});
    const producer = kafka.producer({ transactionalId: topicName('rc-tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    t.after(() => producer.disconnect());
    const txn = async (values: string[], end: 'commit' | 'abort' | 'open') => {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
      if (end === 'commit') await tx.commit();
      else if (end === 'abort') await tx.abort();
      return tx;
    };
    await txn(['c1-a', 'c1-b'], 'commit');
    await txn(['a1-a', 'a1-b', 'a1-c'], 'abort');
    await txn(['c2-a', 'c2-b'], 'commit');
    const open = await txn(['o1-a', 'o1-b'], 'open');

    const committed = new Consumer(c, { autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
    const uncommitted = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => committed.close());
    t.after(() => uncommitted.close());
    const tps = [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ];
    committed.assign(tps);
    uncommitted.assign(tps);
    const values = (rs: Awaited<ReturnType<typeof drain>>) => rs.map((r) => r.value?.toString()).sort();
    assert.deepEqual(values(await drain(uncommitted, 9)), [
      'a1-a',
      'a1-b',
      'a1-c',
      'c1-a',
      'c1-b',
      'c2-a',
      'c2-b',
      'o1-a',
      'o1-b',
    ]);
    assert.deepEqual(values(await drain(committed, 4)), ['c1-a', 'c1-b', 'c2-a', 'c2-b']);
    assert.deepEqual(await committed.poll(300), [], 'the open transaction is not visible');
    await open.commit();
    assert.deepEqual(values(await drain(committed, 2)), ['o1-a', 'o1-b']);
    // the position moves past the last commit marker (p0: c1-a, marker, a1-a, a1-c, marker, c2-a, marker, o1-a, marker)
    await waitFor(async () => {
      await committed.poll(50);
      return committed.position(tps[0] as (typeof tps)[0]) === 9n;
    }, 'the position past the last marker');
  });

  test('auto commit: periodic and on close, seen by kafkajs admin', async (t) => {
    const topic = await topicWith('auto', 2, 10);
    const groupId = topicName('auto-group');
    const consumer = new Consumer(c, { ...FAST, groupId, autoOffsetReset: 'earliest', autoCommitIntervalMs: 100 });
    t.after(() => consumer.close());
    consumer.subscribe([topic]);
    assert.equal((await drain(consumer, 20)).length, 20);
    const offsets = async () =>
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions
        .map((p) => `${p.partition}:${p.offset}`)
        .sort();
    await waitFor(async () => {
      await consumer.poll(50);
      return JSON.stringify(await offsets()) === JSON.stringify(['0:10', '1:10']);
    }, 'auto-committed offsets');
    for (let p = 0; p < 2; p++) await rawProduce(c, topic, p, [{ value: 'late' }]);
    assert.equal((await drain(consumer, 2)).length, 2);
    await consumer.close();
    assert.deepEqual(await offsets(), ['0:11', '1:11'], 'committed on close');
  });

  test('manual commit: committed(), kafkajs admin, and a new member starts there', async (t) => {
    const topic = await topicWith('manual-commit', 1, 10);
    const groupId = topicName('mc-group');
    const tp = { topic, partition: 0 };
    const first = new Consumer(c, { ...FAST, groupId, autoCommit: false, autoOffsetReset: 'earliest' });
    t.after(() => first.close());
    first.subscribe([topic]);
    assert.equal((await drain(first, 10)).length, 10);
    await first.commit([{ ...tp, offset: 6n, metadata: 'six' }]);
    assert.deepEqual(await first.committed([tp]), [{ ...tp, offset: 6n, metadata: 'six' }]);
    const meta = first.groupMetadata();
    assert.equal(meta.groupId, groupId);
    assert.ok(meta.generationId > 0 && meta.memberId !== '');
    const seen = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.equal(seen[0]?.partitions[0]?.offset, '6');
    await first.close();

    const second = new Consumer(c, { ...FAST, groupId, autoCommit: false, autoOffsetReset: 'earliest' });
    t.after(() => second.close());
    second.subscribe([topic]);
    const again = await drain(second, 4);
    assert.deepEqual(
      again.map((r) => r.offset),
      [6n, 7n, 8n, 9n],
    );
    await second.commit();
    assert.deepEqual(await second.committed([tp, { topic, partition: 5 }]), [
      { ...tp, offset: 10n, metadata: '' },
      { topic, partition: 5, offset: -1n, metadata: null },
    ]);
  });
});
