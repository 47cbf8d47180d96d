/**
 * CreatePartitions against real clients: kafkajs (v1), @platformatic/kafka
 * (v3), kafka-python (v1) and confluent-kafka-python (librdkafka), with kcat
 * producing to and consuming from a new partition; raw requests for Kafka's
 * exact messages; the new partitions survive a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Kafka, type Admin as KafkaJsAdmin, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { call, cleanupStack } from './admin-wire.ts';

const PY = '/usr/bin/python3';
const ERR = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
};

async function pltCodes(p: Promise<unknown>): Promise<number[]> {
  try {
    await p;
  } catch (err) {
    const found = new Set<number>();
    const walk = (e: unknown): void => {
      const o = e as { errors?: unknown[]; apiCode?: unknown } | null;
      if (typeof o?.apiCode === 'number') found.add(o.apiCode);
      for (const x of Array.isArray(o?.errors) ? o.errors : []) walk(x);
    };
    walk(err);
    return [...found];
  }
  return [];
}

describe('CreatePartitions', () => {
  let tb: TestBroker;
  let kjs: KafkaJsAdmin;
  let plt: Admin;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup);
    const kafka = new Kafka({
      clientId: 'admin-partitions',
      brokers: [tb.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    });
    kjs = kafka.admin();
    await kjs.connect();
    plt = new Admin({ clientId: 'admin-partitions-plt', bootstrapBrokers: [tb.bootstrap] });
    cleanup(async () => {
      await kjs.disconnect();
      await plt.close();
    });
  });

  test('kafkajs grows a topic; metadata shows it and kcat produces to the new partition', async () => {
    const topic = topicName('parts-grow');
    await kjs.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await kjs.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const meta = await kjs.fetchTopicMetadata({ topics: [topic] });
    assert.deepEqual(meta.topics[0]?.partitions.map((p) => [p.partitionId, p.leader]).sort(), [
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    const p = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', topic, '-p', '2', '-X', 'acks=all'], 'a\nb\nc\n');
    assert.equal(p.code, 0, p.stderr);
    const c = await exec('kcat', [
      '-b',
      tb.bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      '2',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p:%o:%s\n',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.stdout.toString().trim().split('\n'), ['2:0:a', '2:1:b', '2:2:c']);
    const offsets = await kjs.fetchTopicOffsets(topic);
    assert.deepEqual(offsets.map((o) => [o.partition, o.high]).sort(), [
      [0, '0'],
      [1, '0'],
      [2, '3'],
    ]);
  });

  test('kafkajs: same count, lower count, unknown topic, validateOnly', async () => {
    const topic = topicName('parts-errors');
    await kjs.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await assert.rejects(kjs.createPartitions({ topicPartitions: [{ topic, count: 2 }] }), {
      type: 'INVALID_PARTITIONS',
    });
    await assert.rejects(kjs.createPartitions({ topicPartitions: [{ topic, count: 1 }] }), {
      type: 'INVALID_PARTITIONS',
    });
    await assert.rejects(kjs.createPartitions({ topicPartitions: [{ topic: topicName('parts-none'), count: 2 }] }), {
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await kjs.createPartitions({ validateOnly: true, topicPartitions: [{ topic, count: 5 }] });
    assert.equal(tb.broker.metadata.topicsByName.get(topic)?.partitions, 2);
  });

  test('@platformatic/kafka with assignments', async () => {
    const topic = topicName('parts-assign');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await plt.createPartitions({
      topics: [{ name: topic, count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] }],
    });
    const meta = await plt.metadata({ topics: [topic] });
    assert.equal(meta.topics.get(topic)?.partitionsCount, 3);
    assert.deepEqual(
      await pltCodes(plt.createPartitions({ topics: [{ name: topic, count: 4, assignments: [{ brokerIds: [2] }] }] })),
      [ERR.INVALID_REPLICA_ASSIGNMENT],
    );
    assert.deepEqual(
      await pltCodes(plt.createPartitions({ topics: [{ name: topic, count: 5, assignments: [{ brokerIds: [1] }] }] })),
      [ERR.INVALID_REPLICA_ASSIGNMENT],
    );
    assert.equal(tb.broker.metadata.topicsByName.get(topic)?.partitions, 3);
  });

  test("Kafka's messages (raw v0 and v3)", async () => {
    const topic = topicName('parts-raw');
    await plt.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const other = topicName('parts-raw-other');
    await plt.createTopics({ topics: [other], partitions: 1, replicas: 1 });
    for (const version of [0, 3]) {
      const res = await call(tb.port, 37, version, {
        timeoutMs: 5000,
        validateOnly: true,
        topics: [
          { name: topic, count: 2, assignments: null },
          { name: topic, count: 1, assignments: null },
          { name: other, count: 1, assignments: null },
          { name: topicName('parts-raw-none'), count: 3, assignments: null },
        ],
      });
      assert.deepEqual(
        res.results.map((r) => [r.errorCode, r.errorMessage]),
        [
          [ERR.INVALID_REQUEST, 'Duplicate topic name.'],
          [ERR.INVALID_PARTITIONS, 'Topic already has 1 partition(s).'],
          [ERR.UNKNOWN_TOPIC_OR_PARTITION, null],
        ],
      );
    }
    const res = await call(tb.port, 37, 3, {
      timeoutMs: 5000,
      validateOnly: true,
      topics: [
        { name: topic, count: 1, assignments: null },
        { name: other, count: 3, assignments: [{ brokerIds: [1, 1] }, { brokerIds: [] }] },
      ],
    });
    assert.deepEqual(
      res.results.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ERR.INVALID_PARTITIONS, `The topic ${topic} currently has 2 partition(s); 1 would not be an increase.`],
        [ERR.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
      ],
    );
    const huge = await call(tb.port, 37, 3, {
      timeoutMs: 5000,
      validateOnly: true,
      topics: [{ name: topic, count: 20_000, assignments: null }],
    });
    assert.deepEqual(
      huge.results.map((r) => [r.errorCode, r.errorMessage]),
      [[ERR.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.']],
    );
  });

  test('kafka-python and confluent-kafka-python create_partitions', async () => {
    const a = topicName('parts-py');
    const b = topicName('parts-ck');
    await plt.createTopics({ topics: [a, b], partitions: 1, replicas: 1 });
    const script = `
import json, sys
from kafka.admin import KafkaAdminClient, NewPartitions
from confluent_kafka.admin import AdminClient, NewPartitions as CkNewPartitions
bootstrap, a, b = sys.argv[1:4]
out = {}
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='admin-partitions-py')
r = admin.create_partitions({a: NewPartitions(total_count=4)})
out['py'] = [list(t) for t in r.topic_errors]
try:
    admin.create_partitions({a: NewPartitions(total_count=2)})
    out['py_lower'] = None
except Exception as e:
    out['py_lower'] = e.errno
admin.close()
ck = AdminClient({'bootstrap.servers': bootstrap})
ck.create_partitions([CkNewPartitions(b, 2)])[b].result(timeout=20)
try:
    ck.create_partitions([CkNewPartitions(b, 2)])[b].result(timeout=20)
    out['ck_same'] = None
except Exception as e:
    out['ck_same'] = e.args[0].code()
md = ck.list_topics(b, timeout=20)
out['ck'] = len(md.topics[b].partitions)
print(json.dumps(out))
`;
    const r = await exec(PY, ['-', tb.bootstrap, a, b], script, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.toString());
    assert.deepEqual(out.py, [[a, 0, null]]);
    assert.equal(out.py_lower, ERR.INVALID_PARTITIONS);
    assert.equal(out.ck, 2);
    assert.equal(out.ck_same, ERR.INVALID_PARTITIONS);
    assert.equal(tb.broker.metadata.topicsByName.get(a)?.partitions, 4);
  });
});

test('new partitions and their records survive a restart', async (t) => {
  const cleanups: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const first = await startTestBroker((fn) => cleanups.push(fn));
  const topic = topicName('parts-restart');
  const plt = new Admin({ clientId: 'admin-partitions-restart', bootstrapBrokers: [first.bootstrap] });
  await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  await plt.createPartitions({ topics: [{ name: topic, count: 2 }] });
  await plt.close();
  const p = await exec('kcat', ['-b', first.bootstrap, '-P', '-t', topic, '-p', '1', '-X', 'acks=all'], 'x\ny\n');
  assert.equal(p.code, 0, p.stderr);
  await first.broker.close();

  const second = await startTestBroker((fn) => cleanups.push(fn), {}, first.dataDir);
  assert.equal(second.broker.metadata.topicsByName.get(topic)?.partitions, 2);
  const c = await exec('kcat', [
    '-b',
    second.bootstrap,
    '-C',
    '-t',
    topic,
    '-p',
    '1',
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%o:%s\n',
  ]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(c.stdout.toString().trim().split('\n'), ['0:x', '1:y']);
});
