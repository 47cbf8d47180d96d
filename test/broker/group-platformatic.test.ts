/**
 * @platformatic/kafka 1.35 consumer groups (classic protocol, its own
 * assignor, autocommit): two members split four partitions and read every
 * record once; when one closes the other takes everything; a new consumer in
 * `committed` mode resumes after the committed offsets.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { decodeAssignment, describe as describeGroup, waitFor } from './group-wire.ts';

describe('@platformatic/kafka consumer group', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '8',
  });
  const admin = await RawConnection.open(tb.port);
  after(() => admin.close());

  test('two members share the partitions, the survivor takes over, committed offsets resume', async (t) => {
    const topic = topicName('plt-group');
    const groupId = topicName('plt');
    await tb.broker.createTopic(topic, 4, 1, {});
    const producer = new Producer({
      clientId: 'group-plt-producer',
      bootstrapBrokers: [tb.bootstrap],
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
    });
    t.after(() => producer.close());
    const produce = async (tag: string, n: number) => {
      const values = Array.from({ length: n }, (_, i) => `${tag}-${i}`);
      await producer.send({ messages: values.map((value, i) => ({ topic, partition: i % 4, value })) });
      return values;
    };

    const seen = new Map<string, Array<{ partition: number; value: string }>>();
    const consumers = new Map<string, Consumer<string, string, string, string>>();
    const streams = new Map<string, { close(): Promise<void> }>();
    t.after(async () => {
      for (const s of streams.values()) await s.close().catch(() => {});
      for (const c of consumers.values()) await c.close().catch(() => {});
    });
    const start = async (name: string) => {
      const c = new Consumer({
        clientId: `group-plt-${name}`,
        bootstrapBrokers: [tb.bootstrap],
        groupId,
        deserializers: stringDeserializers,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
        heartbeatInterval: 250,
      });
      consumers.set(name, c);
      seen.set(name, []);
      const stream = await c.consume({
        topics: [topic],
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        autocommit: 100,
        maxWaitTime: 200,
      });
      stream.on('data', (m) => seen.get(name)?.push({ partition: m.partition, value: m.value }));
      streams.set(name, stream);
      return c;
    };
    const stop = async (name: string) => {
      await streams.get(name)?.close();
      await consumers.get(name)?.close();
      streams.delete(name);
      consumers.delete(name);
    };
    const total = (names: string[], from: Map<string, number>) =>
      names.flatMap((n) => (seen.get(n) ?? []).slice(from.get(n) ?? 0));
    const mark = () => new Map([...seen].map(([n, l]) => [n, l.length]));
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

    await start('a');
    await start('b');
    const split = await stableWith(2, 2);
    assert.deepEqual(
      split.flat().sort(),
      [0, 1, 2, 3].map((p) => `${topic}-${p}`),
    );
    // the client keeps fetching its old partitions while it rejoins; let those long polls end
    await sleep(500);
    let from = mark();
    const first = await produce('x', 100);
    await waitFor(() => total(['a', 'b'], from).length >= first.length, 20_000, 'first batch');
    assert.deepEqual(
      total(['a', 'b'], from)
        .map((m) => m.value)
        .sort(),
      [...first].sort(),
      'each record once',
    );
    const pa = new Set(total(['a'], from).map((m) => m.partition));
    const pb = new Set(total(['b'], from).map((m) => m.partition));
    assert.deepEqual([pa.size, pb.size], [2, 2]);

    await stop('b');
    await stableWith(1, 4);
    // as above: the survivor's fetches of its old assignment end before new records arrive (under load
    // the client otherwise delivers them from both the old and the new fetch session)
    await sleep(500);
    from = mark();
    const second = await produce('y', 40);
    await waitFor(() => total(['a'], from).length >= second.length, 20_000, 'second batch');
    assert.deepEqual(
      total(['a'], from)
        .map((m) => m.value)
        .sort(),
      [...second].sort(),
    );

    // let the last autocommit land, leave, then a new member resumes after the commits
    await waitFor(
      async () => {
        const r = await admin.request(9, 7, { groupId, topics: null });
        const sum = r.topics.flatMap((x) => x.partitions).reduce((n, p) => n + Number(p.committedOffset), 0);
        return sum === first.length + second.length;
      },
      10_000,
      'commits',
    );
    await stop('a');
    const third = await produce('z', 8);
    await start('c');
    await waitFor(() => (seen.get('c')?.length ?? 0) >= third.length, 20_000, 'third batch');
    assert.deepEqual(
      seen
        .get('c')
        ?.map((m) => m.value)
        .sort(),
      [...third].sort(),
    );
  });
});
