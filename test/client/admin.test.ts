/**
 * Admin against the embedded broker: topics (create with configs and
 * validateOnly, per-topic Kafka errors, list, describe with configs,
 * partitions, delete), configs (describe, incremental set/delete/append/
 * subtract), ListOffsets (earliest, latest, timestamp, max-timestamp),
 * DeleteRecords and DescribeCluster.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../src/client/admin/index.ts';
import { Cluster, ErrorCode, KafkaError } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

describe('Admin: topics, configs, offsets, records, cluster', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 3, initialBackoffMs: 20 } });
  const admin = new Admin(cluster);
  const kafka = new Kafka({ clientId: 'admin-test', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  after(async () => {
    await producer.disconnect();
    await cluster.close();
  });

  test('createTopics: configs, validateOnly, and Kafka errors per topic', async () => {
    const a = topicName('adm-a');
    const b = topicName('adm-b');
    const dry = await admin.createTopics([{ name: a, numPartitions: 2 }], { validateOnly: true });
    assert.equal(dry[0]?.error, null);
    assert.equal(
      (await admin.listTopics()).some((t) => t.name === a),
      false,
      'validateOnly created nothing',
    );

    const res = await admin.createTopics([
      {
        name: a,
        numPartitions: 3,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact', 'retention.ms': '60000' },
      },
      { name: b },
      { name: 'bad', configs: { 'retention.ms': 'soon' } },
    ]);
    assert.equal(res[0]?.error, null);
    assert.equal(res[0]?.numPartitions, 3);
    assert.ok(res[0]?.topicId);
    assert.equal(res[0]?.configs.find((c) => c.name === 'cleanup.policy')?.value, 'compact');
    assert.equal(res[1]?.error, null, 'broker defaults for partitions and replication');
    assert.ok(res[2]?.error instanceof KafkaError);
    assert.equal(res[2]?.error?.code, ErrorCode.INVALID_CONFIG);

    const again = await admin.createTopics([{ name: a, numPartitions: 1 }]);
    assert.equal(again[0]?.error?.code, ErrorCode.TOPIC_ALREADY_EXISTS);
    assert.match(again[0]?.error?.message ?? '', new RegExp(a));
  });

  test('listTopics and describeTopics (partitions, leader, replicas, isr, id, configs)', async () => {
    const name = topicName('adm-desc');
    await admin.createTopics([{ name, numPartitions: 2, configs: { 'retention.ms': '120000' } }]);
    const list = await admin.listTopics();
    const listed = list.find((t) => t.name === name);
    assert.equal(listed?.partitions, 2);
    assert.equal(
      list.some((t) => t.isInternal),
      false,
    );
    assert.deepEqual(
      list.map((t) => t.name),
      [...list.map((t) => t.name)].sort(),
    );

    const [d] = await admin.describeTopics([name], { includeConfigs: true });
    assert.equal(d?.topicId, listed?.topicId);
    assert.deepEqual(
      d?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr]),
      [
        [0, 1, [1], [1]],
        [1, 1, [1], [1]],
      ],
    );
    const retention = d?.configs?.find((c) => c.name === 'retention.ms');
    assert.deepEqual(
      { value: retention?.value, source: retention?.source, isDefault: retention?.isDefault },
      { value: '120000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false },
    );
    const segment = d?.configs?.find((c) => c.name === 'segment.bytes');
    assert.equal(segment?.isDefault, true);

    await assert.rejects(admin.describeTopics(['no-such-topic-adm']), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.match(err.message, /topic no-such-topic-adm does not exist/);
      return true;
    });
  });

  test('createPartitions and deleteTopics', async () => {
    const name = topicName('adm-grow');
    await admin.createTopics([{ name, numPartitions: 1 }]);
    const grown = await admin.createPartitions([
      { topic: name, count: 4 },
      { topic: 'no-such-topic-grow', count: 2 },
    ]);
    assert.equal(grown[0]?.error, null);
    assert.equal(grown[1]?.error?.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const shrink = await admin.createPartitions([{ topic: name, count: 2 }]);
    assert.equal(shrink[0]?.error?.code, ErrorCode.INVALID_PARTITIONS);
    const [d] = await admin.describeTopics([name]);
    assert.equal(d?.partitions.length, 4);

    const del = await admin.deleteTopics([name, 'no-such-topic-del']);
    assert.equal(del[0]?.error, null);
    assert.equal(del[1]?.error?.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(
      (await admin.listTopics()).some((t) => t.name === name),
      false,
    );
  });

  test('describeConfigs and incrementalAlterConfigs: set, delete, append, subtract', async () => {
    const name = topicName('adm-cfg');
    await admin.createTopics([{ name, numPartitions: 1 }]);
    const alter = await admin.incrementalAlterConfigs([
      {
        type: 'topic',
        name,
        ops: [
          { name: 'retention.ms', op: 'set', value: '3600000' },
          { name: 'cleanup.policy', op: 'append', value: 'compact' },
        ],
      },
    ]);
    assert.equal(alter[0]?.error, null);
    let [cfg] = await admin.describeConfigs([{ type: 'topic', name, keys: ['retention.ms', 'cleanup.policy'] }]);
    assert.deepEqual(
      cfg?.configs.map((c) => [c.name, c.value, c.source]),
      [
        ['cleanup.policy', 'delete,compact', 'DYNAMIC_TOPIC_CONFIG'],
        ['retention.ms', '3600000', 'DYNAMIC_TOPIC_CONFIG'],
      ],
    );
    await admin.incrementalAlterConfigs([
      {
        type: 'topic',
        name,
        ops: [
          { name: 'retention.ms', op: 'delete' },
          { name: 'cleanup.policy', op: 'subtract', value: 'delete' },
        ],
      },
    ]);
    [cfg] = await admin.describeConfigs([{ type: 'topic', name, keys: ['retention.ms', 'cleanup.policy'] }]);
    const byName = new Map(cfg?.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('cleanup.policy')?.value, 'compact');
    assert.equal(byName.get('retention.ms')?.isDefault, true);
    assert.equal(byName.get('retention.ms')?.source, 'DEFAULT_CONFIG');

    const bad = await admin.incrementalAlterConfigs([
      { type: 'topic', name, ops: [{ name: 'retention.ms', op: 'set', value: 'forever' }] },
    ]);
    assert.equal(bad[0]?.error?.code, ErrorCode.INVALID_CONFIG);

    const [broker] = await admin.describeConfigs([{ type: 'broker', name: '1', keys: ['num.partitions'] }]);
    const entry = broker?.configs[0];
    assert.equal(entry?.name, 'num.partitions');
    assert.equal(typeof entry?.readOnly, 'boolean');
    assert.equal(entry?.sensitive, false);

    await assert.rejects(admin.describeConfigs([{ type: 'topic', name: 'no-such-topic-cfg' }]), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return true;
    });
  });

  test('listOffsets: earliest, latest, timestamp, max-timestamp; deleteRecords', async () => {
    const topic = topicName('adm-off');
    await admin.createTopics([{ name: topic, numPartitions: 1 }]);
    const base = 1_700_000_000_000;
    await producer.send({
      topic,
      acks: -1,
      messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, timestamp: String(base + [10, 20, 50, 30, 40][i]!) })),
    });
    const at = (spec: Parameters<Admin['listOffsets']>[0][number]['at']) =>
      admin.listOffsets([{ topic, partition: 0, at: spec }]).then((r) => r[0]);
    assert.equal((await at('earliest'))?.offset, 0n);
    assert.equal((await at('latest'))?.offset, 5n);
    assert.equal((await at({ timestamp: base + 25 }))?.offset, 2n);
    assert.equal((await at({ timestamp: base + 1000 }))?.offset, -1n);
    const max = await at('max-timestamp');
    assert.deepEqual([max?.offset, max?.timestamp], [2n, BigInt(base + 50)]);

    const del = await admin.deleteRecords([{ topic, partition: 0, offset: 3n }]);
    assert.deepEqual([del[0]?.lowWatermark, del[0]?.error], [3n, null]);
    assert.equal((await at('earliest'))?.offset, 3n);

    await assert.rejects(
      admin.listOffsets([{ topic: 'no-such-topic-off', partition: 0, at: 'latest' }]),
      (err: KafkaError) => {
        assert.equal(err.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assert.match(err.message, /no-such-topic-off does not exist/);
        return true;
      },
    );
    const missingPartition = await admin.deleteRecords([{ topic, partition: 7, offset: 1n }]);
    assert.equal(missingPartition[0]?.error?.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('describeCluster', async () => {
    const c = await admin.describeCluster();
    assert.ok(c.clusterId);
    assert.equal(c.controllerId, 1);
    assert.deepEqual(
      c.brokers.map((b) => [b.nodeId, b.port]),
      [[1, tb.port]],
    );
  });
});
