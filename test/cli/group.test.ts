/**
 * `tributary group ...` with the real binary: a kafkajs consumer commits
 * offsets and stays in the group with known lag; describe shows state,
 * members and the lag table; seek is refused while the member is there and
 * moves the offsets once it left; consume --group commits what it printed;
 * delete removes the group.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cli } from './run-cli.ts';

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('tributary group commands', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '2',
  });
  const b = ['-b', tb.bootstrap];
  const kafka = new Kafka({ clientId: 'cli-group-test', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  after(() => producer.disconnect());
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());

  const committed = async (groupId: string, topic: string): Promise<string[]> => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (t?.partitions ?? []).sort((x, y) => x.partition - y.partition).map((p) => p.offset);
  };

  test('describe with lag, seek refused while a member is active, seek and delete after', async (t) => {
    const topic = topicName('cli-g');
    const groupId = topicName('cli-grp');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ value: `a${i}` })) });

    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    await consumer.connect();
    t.after(() => consumer.disconnect().catch(() => {}));
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({
      autoCommitInterval: 50,
      eachMessage: async () => {
        seen++;
      },
    });
    await waitFor(
      '6 records consumed and committed',
      async () => seen === 6 && (await committed(groupId, topic))[0] === '6',
    );
    consumer.pause([{ topic }]);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 4 }, (_, i) => ({ value: `b${i}` })) });

    const described = await cli(['group', 'describe', groupId, ...b]);
    assert.equal(described.code, 0, described.stderr);
    const [summary, members, partitions] = described.stdout.split('\n\n');
    assert.equal(
      summary,
      [
        `GROUP          ${groupId}`,
        'STATE          Stable',
        'TYPE           classic',
        'PROTOCOL-TYPE  consumer',
        'PROTOCOL       RoundRobinAssigner',
        'MEMBERS        1',
        'TOTAL-LAG      4',
      ].join('\n'),
    );
    const memberLine = members?.split('\n')[1] ?? '';
    const [memberId, clientId, host, assignment] = memberLine.split(/ {2,}/);
    assert.match(memberId ?? '', /^cli-group-test-/);
    assert.equal(clientId, 'cli-group-test');
    assert.ok(host);
    assert.equal(assignment, `${topic}[0]`);
    const rows = (partitions ?? '').trimEnd().split('\n');
    assert.match(
      rows[0] ?? '',
      /^TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/,
    );
    assert.deepEqual(rows[1]?.split(/ {2,}/), [topic, '0', '6', '10', '4', memberId, host, 'cli-group-test']);

    const json = JSON.parse((await cli(['group', 'describe', groupId, '--format', 'json', ...b])).stdout);
    assert.equal(json[0].totalLag, 4);
    assert.deepEqual(
      json[0].partitions.map((p: { committed: number; logEnd: number; lag: number }) => [p.committed, p.logEnd, p.lag]),
      [[6, 10, 4]],
    );

    const listed = await cli(['group', 'list', '--state', 'Stable', ...b]);
    assert.match(listed.stdout, /^GROUP +STATE +TYPE +PROTOCOL-TYPE$/m);
    assert.match(listed.stdout, new RegExp(`^${groupId} +Stable +classic +consumer$`, 'm'));

    const refused = await cli(['group', 'seek', groupId, '--to', 'beginning', ...b]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `error: group ${groupId} is Stable with 1 member(s); its offsets can be changed only while it is empty: stop its consumers first\n`,
    );
    assert.deepEqual(await committed(groupId, topic), ['6']);

    await consumer.disconnect();
    const seek = await cli(['group', 'seek', groupId, '--to', '2', ...b]);
    assert.equal(seek.code, 0, seek.stderr);
    assert.deepEqual(
      seek.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/ {2,}/)),
      [
        ['TOPIC', 'PARTITION', 'OLD-OFFSET', 'NEW-OFFSET'],
        [topic, '0', '6', '2'],
      ],
    );
    assert.deepEqual(await committed(groupId, topic), ['2']);
    const dry = await cli(['group', 'seek', groupId, '--to', 'end', '--dry-run', '--format', 'json', ...b]);
    assert.deepEqual(JSON.parse(dry.stdout), [{ topic, partition: 0, previous: 2, offset: 10 }]);
    assert.deepEqual(await committed(groupId, topic), ['2'], 'a dry run commits nothing');
    const back = await cli(['group', 'describe', groupId, '--format', 'json', ...b]);
    assert.equal(JSON.parse(back.stdout)[0].state, 'Empty');
    assert.equal(JSON.parse(back.stdout)[0].totalLag, 8);

    const deleted = await cli(['group', 'delete', groupId, ...b]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const gone = await cli(['group', 'describe', groupId, ...b]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `error: group ${groupId} does not exist; list groups with 'tributary group list'\n`);
  });

  test('consume --group commits what it printed; seek by timestamp', async () => {
    const topic = topicName('cli-gc');
    const groupId = topicName('cli-gcg');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const base = Date.now() - 60_000;
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 6 }, (_, i) => ({
        value: `v${i}`,
        partition: i % 2,
        timestamp: String(base + i * 1000),
      })),
    });
    const consumed = await cli(['topic', 'consume', topic, '--group', groupId, '-e', '--format', '%p:%v\\n', ...b]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.trimEnd().split('\n').sort(), ['0:v0', '0:v2', '0:v4', '1:v1', '1:v3', '1:v5']);
    assert.deepEqual(await committed(groupId, topic), ['3', '3']);

    const again = await cli(['topic', 'consume', topic, '--group', groupId, '-e', ...b]);
    assert.deepEqual([again.code, again.stdout], [0, ''], 'resumes from the committed offsets');

    const seek = await cli(['group', 'seek', groupId, '--to', `@${base + 2500}`, '--topic', topic, ...b]);
    assert.equal(seek.code, 0, seek.stderr);
    // partition 0 holds v0 v2 v4 at +0 +2 +4 s, partition 1 v1 v3 v5 at +1 +3 +5 s
    assert.deepEqual(await committed(groupId, topic), ['2', '1']);
    const one = await cli(['topic', 'consume', topic, '--group', groupId, '-n', '1', '--partition', '0', ...b]);
    assert.equal(one.code, 2);
    assert.equal(one.stderr, 'error: --partition cannot be used with --group: the group assigns the partitions\n');
  });
});
