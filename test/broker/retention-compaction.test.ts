/**
 * Retention and compaction, observed through real clients (kafkajs to
 * produce with chosen timestamps, kcat to consume).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

describe('retention and compaction', async () => {
  const tb = await startTestBroker(after);
  const kafka = new Kafka({ clientId: 'retention', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());
  const producer = kafka.producer();
  await producer.connect();
  after(() => producer.disconnect());

  const consume = async (topic: string): Promise<string[]> => {
    const r = await exec('kcat', [
      '-b',
      tb.bootstrap,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-Z',
      '-f',
      '%o:%k=%s\n',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.toString().split('\n').filter(Boolean);
  };

  test('retention.ms deletes old segments; the log start offset moves and consumers start there', async () => {
    const topic = topicName('ret-time');
    await admin.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'segment.bytes', value: '1024' },
          ],
        },
      ],
    });
    const old = Date.now() - 2 * 3600_000;
    for (let i = 0; i < 20; i++) {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: `k${i}`, value: `old-${i}-${'x'.repeat(100)}`, timestamp: String(old) }],
      });
    }
    for (let i = 0; i < 3; i++) {
      await producer.send({ topic, acks: -1, messages: [{ key: `n${i}`, value: `new-${i}-${'y'.repeat(100)}` }] });
    }
    assert.equal((await consume(topic)).length, 23);
    await tb.broker.runMaintenance(Date.now());
    const offsets = await admin.fetchTopicOffsets(topic);
    const low = Number(offsets[0]?.low);
    assert.ok(low >= 15 && low <= 20, `log start offset ${low} moved past the old segments`);
    assert.equal(offsets[0]?.high, '23');
    const left = await consume(topic);
    assert.equal(Number(left[0]?.split(':')[0]), low, 'consumption starts at the new log start offset');
    assert.ok(left.every((l) => l.includes('new-') || l.includes('old-')));
    assert.ok(left.slice(-3).every((l) => l.includes('new-')));
  });

  test('retention.bytes keeps the partition under the limit', async () => {
    const topic = topicName('ret-bytes');
    await admin.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'retention.bytes', value: '2048' },
            { name: 'segment.bytes', value: '1024' },
          ],
        },
      ],
    });
    for (let i = 0; i < 40; i++)
      await producer.send({ topic, acks: 1, messages: [{ value: `v${i}-${'z'.repeat(150)}` }] });
    await tb.broker.runMaintenance(Date.now());
    const log = tb.broker.log(topic, 0);
    assert.ok(log, 'partition exists');
    assert.ok(log.sizeInBytes() <= 2048 + 1024, `size ${log.sizeInBytes()} near retention.bytes`);
    const left = await consume(topic);
    assert.ok(left.length < 40 && left.length > 0);
    assert.equal(left.at(-1)?.endsWith(`v39-${'z'.repeat(150)}`), true);
  });

  test('compaction keeps the latest value per key, keeps offsets, and drops tombstones after delete.retention.ms', async () => {
    const topic = topicName('compact');
    await admin.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: '1024' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'delete.retention.ms', value: '1000' },
          ],
        },
      ],
    });
    const expected = new Map<string, string>();
    let offset = 0;
    const latestOffset = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 5; k++) {
        const value = `r${round}-k${k}-${'c'.repeat(60)}`;
        await producer.send({ topic, acks: -1, messages: [{ key: `key${k}`, value }] });
        expected.set(`key${k}`, value);
        latestOffset.set(`key${k}`, offset++);
      }
    }
    await producer.send({ topic, acks: -1, messages: [{ key: 'key0', value: null }] }); // tombstone
    latestOffset.set('key0', offset++);
    // more records so the tombstone is not in the active segment
    for (let i = 0; i < 12; i++) {
      await producer.send({ topic, acks: -1, messages: [{ key: `tail${i}`, value: `t${i}-${'d'.repeat(80)}` }] });
      latestOffset.set(`tail${i}`, offset++);
    }
    const before = await consume(topic);
    assert.equal(before.length, offset);
    await tb.broker.runMaintenance(Date.now());
    const after1 = await consume(topic);
    assert.ok(after1.length < before.length, 'compaction removed superseded records');
    const offsets = after1.map((l) => Number(l.split(':')[0]));
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
      'offsets stay in order',
    );
    for (const line of after1) {
      const [o, kv] = [Number(line.split(':')[0]), line.slice(line.indexOf(':') + 1)];
      const key = kv.slice(0, kv.indexOf('='));
      // whatever survives in the cleaned part is the latest record of its key, at its original offset
      if (o < Math.min(...[...latestOffset.values()].slice(-3))) {
        assert.equal(latestOffset.get(key), o, `${key} kept at its latest offset`);
      }
    }
    for (let k = 1; k < 5; k++) {
      assert.ok(
        after1.some((l) => l.endsWith(`key${k}=${expected.get(`key${k}`)}`)),
        `key${k} latest value kept`,
      );
    }
    assert.ok(
      after1.some((l) => /:key0=NULL$/.test(l)),
      `the tombstone is kept until delete.retention.ms passes: ${after1.join(' ')}`,
    );
    // once delete.retention.ms has passed, the tombstone goes too
    await new Promise((r) => setTimeout(r, 1100));
    await tb.broker.runMaintenance(Date.now() + 5_000);
    const after2 = await consume(topic);
    assert.ok(!after2.some((l) => l.includes(':key0=')), 'tombstone and key0 gone');
    assert.equal(
      (await admin.fetchTopicOffsets(topic))[0]?.high,
      String(offset),
      'the log end offset never moves back',
    );
  });
});
