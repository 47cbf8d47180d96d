/**
 * Rebalance details: with autoCommit the positions of revoked partitions are
 * committed before they move (eager and cooperative), and a member the
 * coordinator removed (an admin's LeaveGroup, or a KIP-848 leave sent on its
 * behalf) reports its partitions lost, not revoked, and joins again.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Consumer, type ConsumerOptions, type TopicPartition } from '../../src/client/consumer/index.ts';
import { ApiKey, CoordinatorType } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cluster, drain, FAST, GROUP_CONFIGS, rawProduce, waitFor } from './consumer-helpers.ts';

describe('consumer rebalances', async () => {
  const tb = await startTestBroker(after, GROUP_CONFIGS);
  const c = cluster(tb, after);

  const topicWith = async (partitions: number, perPartition: number): Promise<string> => {
    const topic = topicName('rb');
    await tb.broker.createTopic(topic, partitions, 1, {});
    for (let p = 0; p < partitions; p++) {
      await rawProduce(
        c,
        topic,
        p,
        Array.from({ length: perPartition }, (_, i) => ({ value: `p${p}-${i}` })),
      );
    }
    return topic;
  };

  const protocols: Array<[string, ConsumerOptions]> = [
    ['eager (range)', { assignors: ['range'] }],
    ['cooperative-sticky', { assignors: ['cooperative-sticky'] }],
    ['KIP-848', { groupProtocol: 'consumer' }],
  ];

  for (const [name, opts] of protocols) {
    test(`${name}: autoCommit commits revoked partitions before they move`, async (t) => {
      const topic = await topicWith(2, 20);
      const groupId = topicName('rb-group');
      // no periodic commit within the test: only the revocation commits
      const base = { ...FAST, ...opts, groupId, autoOffsetReset: 'earliest' as const, autoCommitIntervalMs: 600_000 };
      const a = new Consumer(c, base);
      t.after(() => a.close());
      a.subscribe([topic]);
      assert.equal((await drain(a, 40)).length, 40);
      const b = new Consumer(c, base);
      t.after(() => b.close());
      b.subscribe([topic]);
      // a keeps polling (so revocations can proceed) while b takes its share
      await waitFor(async () => {
        await Promise.all([a.poll(50), b.poll(50)].map((p) => p.then((rs) => assert.deepEqual(rs, []))));
        return a.assignment().length === 1 && b.assignment().length === 1;
      }, 'one partition each');
      const moved = b.assignment()[0] as TopicPartition;
      await waitFor(() => b.position(moved) !== undefined, "b's start position");
      assert.equal(b.position(moved), 20n, 'b starts where a stopped');
    });
  }

  test('classic: a member removed by an admin loses its partitions and rejoins', async (t) => {
    const topic = await topicWith(2, 1);
    const groupId = topicName('lost-group');
    const events: string[] = [];
    const consumer = new Consumer(c, {
      ...FAST,
      groupId,
      autoOffsetReset: 'earliest',
      onPartitionsAssigned: (tps) => void events.push(`assigned ${tps.length}`),
      onPartitionsRevoked: (tps) => void events.push(`revoked ${tps.length}`),
      onPartitionsLost: (tps) => void events.push(`lost ${tps.length}`),
    });
    t.after(() => consumer.close());
    consumer.subscribe([topic]);
    await drain(consumer, 2);
    const { memberId, generationId } = consumer.groupMetadata();
    const conn = await c.coordinatorConnection(CoordinatorType.GROUP, groupId);
    const res = await conn.request(ApiKey.LeaveGroup, {
      groupId,
      members: [{ memberId, groupInstanceId: null, reason: 'removed by the test' }],
    });
    assert.equal(res.errorCode, 0);
    await waitFor(async () => {
      await consumer.poll(50);
      return consumer.groupMetadata().generationId > generationId && consumer.assignment().length === 2;
    }, 'a new generation with both partitions');
    assert.deepEqual(events, ['assigned 2', 'lost 2', 'assigned 2']);
    assert.notEqual(consumer.groupMetadata().memberId, memberId);
  });

  test('KIP-848: a fenced member loses its partitions and rejoins', async (t) => {
    const topic = await topicWith(2, 1);
    const groupId = topicName('lost-848');
    const events: string[] = [];
    const consumer = new Consumer(c, {
      ...FAST,
      groupId,
      groupProtocol: 'consumer',
      autoOffsetReset: 'earliest',
      onPartitionsAssigned: (tps) => void events.push(`assigned ${tps.length}`),
      onPartitionsRevoked: (tps) => void events.push(`revoked ${tps.length}`),
      onPartitionsLost: (tps) => void events.push(`lost ${tps.length}`),
    });
    t.after(() => consumer.close());
    consumer.subscribe([topic]);
    await drain(consumer, 2);
    const { memberId } = consumer.groupMetadata();
    const conn = await c.coordinatorConnection(CoordinatorType.GROUP, groupId);
    const res = await conn.request(ApiKey.ConsumerGroupHeartbeat, { groupId, memberId, memberEpoch: -1 });
    assert.equal(res.errorCode, 0);
    await waitFor(async () => {
      await consumer.poll(50);
      return consumer.groupMetadata().memberId !== memberId && consumer.assignment().length === 2;
    }, 'a new member id with both partitions');
    assert.deepEqual(
      events.filter((e) => e !== 'assigned 0'),
      ['assigned 2', 'lost 2', 'assigned 2'],
    );
  });
});
