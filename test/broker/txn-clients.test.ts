/**
 * Transactions and idempotence with real clients:
 * - kafkajs transactional producer (commit, abort, sendOffsets), read back
 *   with kcat (librdkafka) in read_committed and read_uncommitted;
 * - @platformatic/kafka transactions (it sends AddPartitionsToTxn v5, the
 *   batched form);
 * - a kafkajs idempotent producer whose first Produce response is lost (the
 *   broker's test hook closes the connection after appending): its retry is
 *   recognised as a duplicate and the record exists once, at its offset.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { kcatLines } from '../helpers/exec.ts';

/** `partition:offset value` lines kcat reads with the given isolation level, sorted. */
const kcatRead = async (bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted') =>
  (await kcatLines(bootstrap, topic, isolation, '%p:%o %s\\n')).sort();

describe('transactions with real clients', async () => {
  const tb = await startTestBroker(after, { 'transaction.state.log.num.partitions': '4' });
  const kafka = new Kafka({ clientId: 'txn-test', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  after(() => admin.disconnect());

  test('kafkajs commit and abort, read back by kcat in both isolation levels', async () => {
    const topic = topicName('txn-kafkajs');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer({
      transactionalId: topicName('kafkajs-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    after(() => producer.disconnect());
    const run = async (values: string[], commit: boolean) => {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
      await (commit ? tx.commit() : tx.abort());
    };
    await run(['c1-a', 'c1-b'], true);
    await run(['a1-a', 'a1-b', 'a1-c'], false);
    await run(['c2-a', 'c2-b'], true);
    const committed = await kcatRead(tb.bootstrap, topic, 'read_committed');
    // offsets 1 and 4 (partition 0), 1 and 3 (partition 1) are the COMMIT/ABORT markers
    assert.deepEqual(committed, ['0:0 c1-a', '0:5 c2-a', '1:0 c1-b', '1:4 c2-b']);
    const all = await kcatRead(tb.bootstrap, topic, 'read_uncommitted');
    assert.deepEqual(all, ['0:0 c1-a', '0:2 a1-a', '0:3 a1-c', '0:5 c2-a', '1:0 c1-b', '1:2 a1-b', '1:4 c2-b']);
  });

  test('kafkajs sendOffsets: committed offsets follow the transaction', async () => {
    const topic = topicName('txn-offsets');
    const groupId = topicName('txn-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = kafka.producer({
      transactionalId: topicName('kafkajs-offsets'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    after(() => producer.disconnect());
    const offsetsOf = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset;
    let tx = await producer.transaction();
    await tx.send({ topic, messages: [{ value: 'out-1' }] });
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }],
    });
    await tx.abort();
    assert.equal(await offsetsOf(), '-1', 'aborted offsets are dropped');
    tx = await producer.transaction();
    await tx.send({ topic, messages: [{ value: 'out-2' }] });
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }],
    });
    await tx.commit();
    assert.equal(await offsetsOf(), '7', 'committed with the transaction');
    assert.deepEqual(await kcatRead(tb.bootstrap, topic, 'read_committed'), ['0:2 out-2']);
  });

  test('@platformatic/kafka transactions (batched AddPartitionsToTxn v5)', async () => {
    const topic = topicName('txn-plt');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = new Producer({
      clientId: 'txn-plt',
      bootstrapBrokers: [tb.bootstrap],
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
      idempotent: true,
      transactionalId: topicName('plt-tx'),
    });
    after(() => producer.close());
    let tx = await producer.beginTransaction();
    await tx.send({ messages: [{ topic, partition: 0, value: 'plt-aborted' }] });
    await tx.abort();
    tx = await producer.beginTransaction();
    await tx.send({ messages: [{ topic, partition: 0, value: 'plt-committed' }] });
    await tx.commit();
    assert.deepEqual(await kcatRead(tb.bootstrap, topic, 'read_committed'), ['0:2 plt-committed']);
  });

  test('idempotent retry after a lost Produce response writes the record once', async () => {
    const topic = topicName('txn-idem');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    let produces = 0;
    tb.broker.testHooks.dropResponse = (apiKey) => apiKey === 0 && ++produces === 1;
    after(() => {
      tb.broker.testHooks.dropResponse = undefined;
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 5, initialRetryTime: 50 },
    });
    await producer.connect();
    after(() => producer.disconnect());
    const [res] = await producer.send({ topic, acks: -1, messages: [{ value: 'once' }] });
    assert.ok(produces >= 2, `the client retried (${produces} Produce requests)`);
    assert.equal(res?.errorCode, 0);
    assert.equal(res?.baseOffset, '0', 'the retry is answered with the original offset');
    const [next] = await producer.send({ topic, acks: -1, messages: [{ value: 'twice' }] });
    assert.equal(next?.baseOffset, '1');
    assert.deepEqual(await kcatRead(tb.bootstrap, topic, 'read_uncommitted'), ['0:0 once', '0:1 twice']);
  });
});
