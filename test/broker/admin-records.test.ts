/**
 * DeleteRecords, OffsetForLeaderEpoch and DescribeLogDirs against real
 * clients: kafkajs deleteTopicRecords (DeleteRecords v1) and
 * fetchTopicOffsets, @platformatic/kafka deleteRecords (v2), listOffsets and
 * describeLogDirs (v4), kcat to produce and to see what stays readable; raw
 * requests for the other versions and for OffsetForLeaderEpoch, which no
 * installed client can send correctly (@platformatic/kafka 1.35's v4 codec
 * reads Partition before ErrorCode, the reverse of Kafka's schema).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Kafka, type Admin as KafkaJsAdmin, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker, topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { call, cleanupStack } from './admin-wire.ts';

const ERR = {
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  POLICY_VIOLATION: 44,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
};

async function produce(bootstrap: string, topic: string, partition: number, n: number): Promise<void> {
  const lines = Array.from({ length: n }, (_, i) => `v${i}`).join('\n');
  const r = await exec(
    'kcat',
    ['-b', bootstrap, '-P', '-t', topic, '-p', String(partition), '-X', 'acks=all'],
    `${lines}\n`,
  );
  assert.equal(r.code, 0, r.stderr);
}

async function consume(
  bootstrap: string,
  topic: string,
  partition: number,
  from: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  const r = await exec(
    'kcat',
    [
      '-b',
      bootstrap,
      '-C',
      '-t',
      topic,
      '-p',
      String(partition),
      '-o',
      from,
      '-X',
      'auto.offset.reset=earliest',
      '-e',
      '-q',
      '-f',
      '%o:%s\n',
    ],
    '',
    timeoutMs,
  );
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.toString().split('\n').filter(Boolean);
}

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

describe('DeleteRecords', () => {
  let tb: TestBroker;
  let kjs: KafkaJsAdmin;
  let plt: Admin;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup);
    const kafka = new Kafka({
      clientId: 'admin-records',
      brokers: [tb.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    });
    kjs = kafka.admin();
    await kjs.connect();
    plt = new Admin({ clientId: 'admin-records-plt', bootstrapBrokers: [tb.bootstrap] });
    cleanup(async () => {
      await kjs.disconnect();
      await plt.close();
    });
  });

  test('kafkajs deletes records: earlier offsets become unreadable, the earliest offset moves', async () => {
    const topic = topicName('del-kjs');
    await kjs.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await produce(tb.bootstrap, topic, 0, 10);
    await produce(tb.bootstrap, topic, 1, 3);
    // kafkajs looks the leader up in metadata it already holds: fetch the topic's offsets (and metadata) first
    await kjs.fetchTopicOffsets(topic);
    await kjs.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });

    const offsets = await kjs.fetchTopicOffsets(topic);
    assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]).sort(), [
      [0, '4', '10'],
      [1, '0', '3'],
    ]);
    const earliest = await plt.listOffsets({
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
    });
    assert.equal(earliest[0]?.partitions[0]?.offset, 4n);

    // from the beginning kcat starts at 4; a fetch at 2 is OFFSET_OUT_OF_RANGE
    const all = await consume(tb.bootstrap, topic, 0, 'beginning');
    assert.deepEqual(all, ['4:v4', '5:v5', '6:v6', '7:v7', '8:v8', '9:v9']);
    const fetch = await call(tb.port, 1, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 2n, partitionMaxBytes: 1 << 20 }] }],
    });
    const part = fetch.responses[0]?.partitions[0];
    assert.equal(part?.errorCode, ERR.OFFSET_OUT_OF_RANGE);
    assert.equal(part?.logStartOffset, 4n);

    // asking for less than the current start changes nothing
    await kjs.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
    assert.equal((await kjs.fetchTopicOffsets(topic)).find((o) => o.partition === 0)?.low, '4');
  });

  test('kcat asking for a deleted offset resets to the earliest', async () => {
    const topic = topicName('del-reset');
    await kjs.createTopics({ topics: [{ topic }] });
    await produce(tb.bootstrap, topic, 0, 6);
    await plt.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 4n }] }] });
    assert.deepEqual(await consume(tb.bootstrap, topic, 0, '2', 15_000), ['4:v4', '5:v5']);
  });

  test('@platformatic/kafka: offset -1 deletes up to the high watermark; above it is OFFSET_OUT_OF_RANGE', async () => {
    const topic = topicName('del-plt');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await produce(tb.bootstrap, topic, 0, 5);
    assert.deepEqual(
      await pltCodes(plt.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 6n }] }] })),
      [ERR.OFFSET_OUT_OF_RANGE],
    );
    const deleted = await plt.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: -1n }] }] });
    assert.deepEqual(deleted, [{ name: topic, partitions: [{ partition: 0, lowWatermark: 5n }] }]);
    assert.deepEqual(await consume(tb.bootstrap, topic, 0, 'beginning'), []);
    await produce(tb.bootstrap, topic, 0, 1);
    assert.deepEqual(await consume(tb.bootstrap, topic, 0, 'beginning'), ['5:v0']);
  });

  test('per-partition errors (raw v0 and v2)', async () => {
    const topic = topicName('del-raw');
    const compacted = topicName('del-raw-compact');
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await plt.createTopics({
      topics: [compacted],
      partitions: 1,
      replicas: 1,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    });
    await produce(tb.bootstrap, topic, 0, 3);
    for (const version of [0, 2]) {
      const res = await call(tb.port, 21, version, {
        timeoutMs: 1000,
        topics: [
          {
            name: topic,
            partitions: [
              { partitionIndex: 0, offset: 1n },
              { partitionIndex: 1, offset: 0n },
            ],
          },
          { name: compacted, partitions: [{ partitionIndex: 0, offset: 0n }] },
          { name: topicName('del-none'), partitions: [{ partitionIndex: 0, offset: 0n }] },
          { name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: 0n }] },
          { name: topic, partitions: [{ partitionIndex: 0, offset: -7n }] },
        ],
      });
      assert.deepEqual(
        res.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark])),
        [
          [
            [0, 0, 1n],
            [1, ERR.UNKNOWN_TOPIC_OR_PARTITION, -1n],
          ],
          [[0, ERR.POLICY_VIOLATION, -1n]],
          [[0, ERR.UNKNOWN_TOPIC_OR_PARTITION, -1n]],
          [[0, ERR.INVALID_TOPIC_EXCEPTION, -1n]],
          [[0, ERR.OFFSET_OUT_OF_RANGE, -1n]],
        ],
      );
    }
  });
});

describe('OffsetForLeaderEpoch', () => {
  let tb: TestBroker;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup);
  });

  test('every version: epochs, current leader epoch checks, unknown partitions (raw)', async () => {
    const topic = topicName('ofle-raw');
    const plt = new Admin({ clientId: 'admin-ofle-raw', bootstrapBrokers: [tb.bootstrap] });
    await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await plt.close();
    await produce(tb.bootstrap, topic, 0, 4);
    for (let version = 0; version <= 4; version++) {
      const res = await call(tb.port, 23, version, {
        replicaId: -1,
        topics: [
          {
            topic,
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 },
              { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 },
              { partition: 0, currentLeaderEpoch: -1, leaderEpoch: -1 },
              { partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 },
              { partition: 0, currentLeaderEpoch: -3, leaderEpoch: 0 },
              { partition: 9, currentLeaderEpoch: -1, leaderEpoch: 0 },
            ],
          },
        ],
      });
      // v0 has no leader epoch in the answer (decoded as its default -1); v0-1 no current epoch in the question
      const epoch = (e: number): number => (version === 0 ? -1 : e);
      const checked = version >= 2;
      assert.deepEqual(
        res.topics[0]?.partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset]),
        [
          [0, epoch(0), 4n],
          [0, -1, -1n],
          [0, -1, -1n],
          checked ? [ERR.UNKNOWN_LEADER_EPOCH, -1, -1n] : [0, epoch(0), 4n],
          checked ? [ERR.FENCED_LEADER_EPOCH, -1, -1n] : [0, epoch(0), 4n],
          [ERR.UNKNOWN_TOPIC_OR_PARTITION, -1, -1n],
        ],
        `v${version}`,
      );
    }
  });
});

describe('DescribeLogDirs', () => {
  let tb: TestBroker;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup);
  });

  test('@platformatic/kafka (v4): one log dir with partition sizes and disk space', async (t) => {
    const topic = topicName('logdirs');
    const plt = new Admin({ clientId: 'admin-logdirs', bootstrapBrokers: [tb.bootstrap] });
    t.after(() => plt.close());
    await plt.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await produce(tb.bootstrap, topic, 0, 50);
    const [desc] = await plt.describeLogDirs({ topics: [{ name: topic, partitions: [0, 1, 7] }] });
    assert.equal(desc?.broker, 1);
    assert.equal(desc?.results.length, 1);
    const dir = desc?.results[0];
    assert.equal(dir?.logDir, `${tb.dataDir}/logs`);
    assert.ok((dir?.totalBytes ?? 0n) > 0n);
    assert.ok((dir?.usableBytes ?? 0n) > 0n && (dir?.usableBytes ?? 0n) <= (dir?.totalBytes ?? 0n));
    const parts = dir?.topics.find((t) => t.name === topic)?.partitions ?? [];
    assert.deepEqual(
      parts.map((p) => [p.partitionIndex, p.offsetLag, p.isFutureKey]),
      [
        [0, 0n, false],
        [1, 0n, false],
      ],
    );
    const size0 = parts[0]?.partitionSize ?? 0n;
    assert.equal(size0, BigInt(tb.broker.log(topic, 0)?.sizeInBytes() ?? -1));
    assert.ok(size0 > 50n * 2n, `partition 0 holds ${size0} bytes`);
  });

  test('topics null lists every partition; unknown ones are left out (raw v0-4)', async () => {
    const topic = topicName('logdirs-raw');
    const plt = new Admin({ clientId: 'admin-logdirs-raw', bootstrapBrokers: [tb.bootstrap] });
    await plt.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    await plt.close();
    for (let version = 0; version <= 4; version++) {
      const all = await call(tb.port, 35, version, { topics: null });
      assert.deepEqual(
        all.results[0]?.topics.find((t) => t.name === topic)?.partitions.map((p) => p.partitionIndex),
        [0, 1, 2],
        `v${version}`,
      );
      const some = await call(tb.port, 35, version, {
        topics: [
          { topic, partitions: [2, 5] },
          { topic: topicName('logdirs-none'), partitions: [0] },
        ],
      });
      assert.deepEqual(
        some.results[0]?.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
        [[topic, [2]]],
      );
      const total = some.results[0]?.totalBytes ?? 0n;
      assert.ok(version >= 4 ? total > 0n : total === -1n, `v${version} totalBytes ${total}`);
    }
  });
});

test('deleted records stay deleted after a restart', async (t) => {
  const cleanups: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const first = await startTestBroker((fn) => cleanups.push(fn));
  const topic = topicName('del-restart');
  const plt = new Admin({ clientId: 'admin-records-restart', bootstrapBrokers: [first.bootstrap] });
  await plt.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  await produce(first.bootstrap, topic, 0, 6);
  await plt.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 3n }] }] });
  await plt.close();
  await first.broker.close();

  const second = await startTestBroker((fn) => cleanups.push(fn), {}, first.dataDir);
  assert.equal(second.broker.log(topic, 0)?.logStartOffset, 3);
  assert.deepEqual(await consume(second.bootstrap, topic, 0, 'beginning'), ['3:v3', '4:v4', '5:v5']);
});
