/**
 * kafkajs 2.2.4 against the broker: admin topics, acks=all producer, offsets.
 * (kafkajs has no consumer without a group; consumption is covered by the
 * group tests and by the other clients.)
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, topicName } from '../helpers/broker.ts';

describe('kafkajs', async () => {
  const tb = await startTestBroker(after);
  const kafka = new Kafka({
    clientId: 'interop-kafkajs',
    brokers: [tb.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());

  test('admin creates, lists, describes and deletes topics', async () => {
    const topic = topicName('kjs-admin');
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }), false, 'already exists');
    assert.ok((await admin.listTopics()).includes(topic));
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0]?.partitions.length, 3);
    assert.deepEqual(
      meta.topics[0]?.partitions.map((p) => p.leader),
      [1, 1, 1],
    );
    await admin.deleteTopics({ topics: [topic] });
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  test('createTopics rejects an illegal name and a replication factor above 1', async () => {
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: 'bad name!' }] }),
      (err: Error & { errors?: Array<{ type?: string }> }) => {
        assert.match(JSON.stringify(err.errors ?? err.message), /INVALID_TOPIC_EXCEPTION/);
        return true;
      },
    );
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: topicName('kjs-rf'), replicationFactor: 3 }] }),
      (err: Error & { errors?: unknown[] }) => {
        assert.match(JSON.stringify(err.errors ?? err.message), /INVALID_REPLICATION_FACTOR/);
        return true;
      },
    );
  });

  test('producer with acks=all gets contiguous offsets per partition; ListOffsets sees them', async () => {
    const topic = topicName('kjs-produce');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    after(() => producer.disconnect());
    const before = Date.now();
    for (let round = 0; round < 3; round++) {
      const res = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, (_, i) => ({
          partition: i % 2,
          key: `k${i}`,
          value: `v${round}-${i}`,
          headers: { h: `x${i}` },
        })),
      });
      for (const r of res) {
        assert.equal(r.errorCode, 0);
        assert.equal(r.baseOffset, String(round * 5));
      }
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.deepEqual(offsets.map((o) => [o.partition, o.high, o.low]).sort(), [
      [0, '15', '0'],
      [1, '15', '0'],
    ]);
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, before - 1000);
    assert.deepEqual(
      byTime.map((o) => o.offset),
      ['0', '0'],
    );
    const future = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() + 60_000);
    assert.deepEqual(
      future.map((o) => o.offset),
      ['15', '15'],
      'no record that late: kafkajs maps -1 to the latest offset',
    );
  });
});
