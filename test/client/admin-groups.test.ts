/**
 * Admin group operations against the embedded broker, with kafkajs as the
 * group member: listGroups (state and type filters), describeGroups (classic
 * members with decoded assignments; a KIP-848 member through
 * ConsumerGroupDescribe), fetchOffsets, alterGroupOffsets (refused while the
 * group has members), groupLag, deleteGroupOffsets, deleteGroups.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../src/client/admin/index.ts';
import { ApiKey, Cluster, ErrorCode, type KafkaError } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('Admin: groups, offsets and lag', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '2',
    'group.consumer.heartbeat.interval.ms': '250',
  });
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 5, initialBackoffMs: 50 } });
  const admin = new Admin(cluster);
  const kafka = new Kafka({ clientId: 'admin-groups', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  after(async () => {
    await producer.disconnect();
    await cluster.close();
  });

  const seed = async (topic: string): Promise<void> => {
    await admin.createTopics([{ name: topic, numPartitions: 2 }]);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
    });
  };

  test('alter offsets of an empty group, lag, then a live member: describe, refusal, delete', async (t) => {
    const topic = topicName('adm-g');
    const groupId = topicName('adm-grp');
    await seed(topic);

    await admin.alterGroupOffsets(groupId, [
      { topic, partition: 0, offset: 2n },
      { topic, partition: 1, offset: 4n },
    ]);
    assert.deepEqual(
      (await admin.fetchOffsets(groupId)).map((o) => [o.topic, o.partition, o.offset]),
      [
        [topic, 0, 2n],
        [topic, 1, 4n],
      ],
    );
    assert.deepEqual(
      (await admin.groupLag(groupId)).map((r) => [r.partition, r.committed, r.logEnd, r.lag, r.memberId]),
      [
        [0, 2n, 5n, 3n, null],
        [1, 4n, 5n, 1n, null],
      ],
    );

    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    await consumer.connect();
    t.after(() => consumer.disconnect().catch(() => {}));
    await consumer.subscribe({ topic });
    const seen: string[] = [];
    await consumer.run({
      autoCommitInterval: 50,
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
      },
    });

    const [desc] = await waitFor('a stable group', async () => {
      const d = await admin.describeGroups([groupId]);
      return d[0]?.state === 'Stable' && d;
    });
    assert.equal(desc?.type, 'classic');
    assert.equal(desc?.protocolType, 'consumer');
    assert.ok(desc?.protocol);
    assert.equal(desc?.members.length, 1);
    assert.equal(desc?.members[0]?.clientId, 'admin-groups');
    assert.deepEqual(desc?.members[0]?.assignment, [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(desc?.members[0]?.subscription, [topic]);

    const lag = await waitFor('the consumer to catch up', async () => {
      const rows = await admin.groupLag(groupId);
      return rows.every((r) => r.lag === 0n) && rows;
    });
    assert.deepEqual(
      lag.map((r) => [r.partition, r.committed, r.logEnd, r.memberId === desc?.members[0]?.memberId]),
      [
        [0, 5n, 5n, true],
        [1, 5n, 5n, true],
      ],
    );
    assert.equal(seen.length, 4, 'resumed from the altered offsets (3 + 1 records)');

    const listed = await admin.listGroups({ states: ['Stable'] });
    assert.ok(listed.some((g) => g.groupId === groupId && g.state === 'Stable' && g.protocolType === 'consumer'));
    assert.equal(
      (await admin.listGroups({ states: ['Empty'] })).some((g) => g.groupId === groupId),
      false,
    );
    assert.ok(
      (await admin.listGroups({ types: ['classic'] })).some((g) => g.groupId === groupId && g.type === 'classic'),
    );

    await assert.rejects(admin.alterGroupOffsets(groupId, [{ topic, partition: 0, offset: 0n }]), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.NON_EMPTY_GROUP);
      assert.match(err.message, /Stable with 1 member.*stop its consumers/);
      return true;
    });
    const notEmpty = await admin.deleteGroups([groupId]);
    assert.equal(notEmpty[0]?.error?.code, ErrorCode.NON_EMPTY_GROUP);
    await assert.rejects(admin.deleteGroupOffsets(groupId, [{ topic, partition: 0 }]), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
      return true;
    });

    await consumer.disconnect();
    await waitFor('an empty group', async () => (await admin.describeGroups([groupId]))[0]?.state === 'Empty');
    await admin.deleteGroupOffsets(groupId, [{ topic, partition: 0 }]);
    assert.deepEqual(
      (await admin.fetchOffsets(groupId)).map((o) => o.partition),
      [1],
    );
    const deleted = await admin.deleteGroups([groupId, 'no-such-group-adm']);
    assert.equal(deleted[0]?.error, null);
    assert.equal(deleted[1]?.error?.code, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal((await admin.describeGroups([groupId]))[0]?.state, 'Dead');
    await assert.rejects(admin.groupLag(groupId), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.GROUP_ID_NOT_FOUND);
      return true;
    });
  });

  test('describeGroups reports a KIP-848 group through ConsumerGroupDescribe', async () => {
    const topic = topicName('adm-848');
    const groupId = topicName('adm-848g');
    await seed(topic);
    const conn = await cluster.coordinatorConnection(0, groupId);
    const hb = await conn.request(ApiKey.ConsumerGroupHeartbeat, {
      groupId,
      memberId: 'member-a',
      memberEpoch: 0,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: [topic],
      serverAssignor: 'uniform',
      topicPartitions: [],
    });
    assert.equal(hb.errorCode, ErrorCode.NONE);
    const [d] = await admin.describeGroups([groupId]);
    assert.equal(d?.type, 'consumer');
    assert.equal(d?.protocol, 'uniform');
    assert.equal(d?.members[0]?.memberId, hb.memberId);
    assert.deepEqual(d?.members[0]?.subscription, [topic]);
    assert.deepEqual(d?.members[0]?.targetAssignment, [
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.ok((await admin.listGroups({ types: ['consumer'] })).some((g) => g.groupId === groupId));
    // leave, so the group is empty for the next run
    await conn.request(ApiKey.ConsumerGroupHeartbeat, { groupId, memberId: hb.memberId ?? '', memberEpoch: -1 });
  });
});
