/**
 * DescribeConfigs lists the group and transaction broker configs with their
 * effective values and sources (static from flags, or Kafka's defaults).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker } from '../helpers/broker.ts';

test('group and transaction configs are described with values and sources', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'transaction.max.timeout.ms': '60000',
  });
  const kafka = new Kafka({ clientId: 'coord-configs', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());
  const res = await admin.describeConfigs({
    resources: [
      {
        type: 4, // BROKER
        name: '1',
        configNames: [
          'group.initial.rebalance.delay.ms',
          'transaction.max.timeout.ms',
          'offsets.topic.num.partitions',
          'group.consumer.assignors',
        ],
      },
    ],
    includeSynonyms: false,
  });
  const byName = new Map(res.resources[0]?.configEntries.map((e) => [e.configName, e]));
  assert.equal(byName.get('group.initial.rebalance.delay.ms')?.configValue, '0');
  assert.equal(byName.get('group.initial.rebalance.delay.ms')?.configSource, 4, 'STATIC_BROKER_CONFIG');
  assert.equal(byName.get('transaction.max.timeout.ms')?.configValue, '60000');
  assert.equal(byName.get('offsets.topic.num.partitions')?.configValue, '50');
  assert.equal(byName.get('offsets.topic.num.partitions')?.configSource, 5, 'DEFAULT_CONFIG');
  assert.equal(byName.get('group.consumer.assignors')?.configValue, 'uniform,range');
  assert.equal(byName.get('group.initial.rebalance.delay.ms')?.readOnly, true);
});
