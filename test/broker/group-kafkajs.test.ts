/**
 * kafkajs 2.2.4 consumer groups (JoinGroup v5 with MEMBER_ID_REQUIRED, its
 * round-robin assignor, offset commits): three members share six
 * partitions and every record is consumed once; after one member leaves
 * the other two take its partitions and still read every record once; a
 * consumer restarted in the same group resumes from the committed offsets.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { decodeAssignment, describe as describeGroup, waitFor } from './group-wire.ts';

describe('kafkajs consumer group', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '8',
  });
  const kafka = new Kafka({ clientId: 'group-kafkajs', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const admin = await RawConnection.open(tb.port);
  after(() => admin.close());

  test('three members split the partitions, one leaves and the rest take over, each record consumed once', async (t) => {
    const topic = topicName('kjs-group');
    const groupId = topicName('kjs');
    await tb.broker.createTopic(topic, 6, 1, {});
    const producer = kafka.producer();
    await producer.connect();
    t.after(() => producer.disconnect());

    const seen = new Map<string, Array<{ partition: number; value: string }>>();
    const consumers: Consumer[] = [];
    t.after(async () => {
      for (const c of consumers) await c.disconnect().catch(() => {});
    });
    const start = async (name: string): Promise<Consumer> => {
      const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 250, maxWaitTimeInMs: 200 });
      consumers.push(c);
      seen.set(name, []);
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommitInterval: 100,
        eachMessage: async ({ partition, message }) => {
          seen.get(name)?.push({ partition, value: message.value?.toString() ?? '' });
        },
      });
      return c;
    };
    const stableWith = (n: number, per: number) =>
      waitFor(
        async () => {
          const d = await describeGroup(admin, groupId);
          const a = d.members.map((m) => decodeAssignment(m.memberAssignment));
          return d.groupState === 'Stable' && a.length === n && a.every((x) => x.length === per) ? a : null;
        },
        20_000,
        `${n} members with ${per} partitions each`,
      );
    const produce = async (tag: string, n: number) => {
      const values = Array.from({ length: n }, (_, i) => `${tag}-${i}`);
      await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ value, partition: i % 6 })) });
      return values;
    };
    const consumedSince = (marks: Map<string, number>) =>
      [...seen].map(([name, list]) => ({ name, got: list.slice(marks.get(name) ?? 0) }));
    const mark = () => new Map([...seen].map(([name, list]) => [name, list.length]));

    await start('c1');
    await start('c2');
    const c3 = await start('c3');
    const split = await stableWith(3, 2);
    assert.deepEqual(
      split.flat().sort(),
      [0, 1, 2, 3, 4, 5].map((p) => `${topic}-${p}`),
    );

    let before = mark();
    const first = await produce('a', 300);
    await waitFor(() => consumedSince(before).reduce((n, c) => n + c.got.length, 0) >= first.length, 20_000, 'batch a');
    let got = consumedSince(before);
    assert.deepEqual(
      got.flatMap((c) => c.got.map((m) => m.value)).sort(),
      [...first].sort(),
      'each record exactly once',
    );
    for (const c of got) {
      assert.equal(new Set(c.got.map((m) => m.partition)).size, 2, `${c.name} reads its two partitions`);
    }

    await c3.disconnect();
    consumers.splice(consumers.indexOf(c3), 1);
    await stableWith(2, 3);
    before = mark();
    const second = await produce('b', 300);
    await waitFor(
      () => consumedSince(before).reduce((n, c) => n + c.got.length, 0) >= second.length,
      20_000,
      'batch b',
    );
    got = consumedSince(before);
    assert.deepEqual(
      got.flatMap((c) => c.got.map((m) => m.value)).sort(),
      [...second].sort(),
      'each record exactly once',
    );
    assert.deepEqual(got.find((c) => c.name === 'c3')?.got, [], 'the member that left reads nothing');
    const p1 = new Set(got.find((c) => c.name === 'c1')?.got.map((m) => m.partition));
    const p2 = new Set(got.find((c) => c.name === 'c2')?.got.map((m) => m.partition));
    assert.equal(p1.size + p2.size, 6);
    assert.deepEqual(
      [...p1].filter((p) => p2.has(p)),
      [],
      'no partition read by both',
    );

    // everyone leaves; a new member resumes after the committed offsets
    for (const c of consumers.splice(0)) await c.disconnect();
    await waitFor(async () => (await describeGroup(admin, groupId)).groupState === 'Empty', 10_000, 'Empty');
    const third = await produce('c', 30);
    before = mark();
    await start('c4');
    await waitFor(() => (seen.get('c4')?.length ?? 0) >= third.length, 20_000, 'batch c');
    assert.deepEqual(
      seen
        .get('c4')
        ?.map((m) => m.value)
        .sort(),
      [...third].sort(),
    );
  });

  test('deleting a topic drops its committed offsets, as Kafka does', async () => {
    const topic = topicName('kjs-deleted');
    const groupId = topicName('kjs-del-group');
    const kadmin = kafka.admin();
    await kadmin.connect();
    await kadmin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await kadmin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '5' },
        { partition: 1, offset: '7' },
      ],
    });
    const before = await kadmin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(before[0]?.partitions.map((p) => p.offset).sort(), ['5', '7']);
    await kadmin.deleteTopics({ topics: [topic] });
    await kadmin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const after2 = await kadmin.fetchOffsets({ groupId, topics: [topic] });
    assert.deepEqual(
      after2[0]?.partitions.map((p) => p.offset),
      ['-1', '-1'],
      'a new topic of the same name starts without offsets',
    );
    await kadmin.disconnect();
  });
});
