/**
 * @platformatic/kafka 1.35 against the broker: admin topics, acks=all
 * producer, fetch by partition and offset (topic ids, Fetch v17), ListOffsets.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Admin, Consumer, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { decodeRecordBatch, iterateBatches } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

describe('@platformatic/kafka', async () => {
  const tb = await startTestBroker(after);
  const admin = new Admin({ clientId: 'interop-plt', bootstrapBrokers: [tb.bootstrap] });
  after(() => admin.close());

  test('admin creates, lists and deletes topics', async () => {
    const topic = topicName('plt-admin');
    const created = await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
    assert.equal(created[0]?.name, topic);
    assert.equal(created[0]?.partitions, 4);
    assert.ok((await admin.listTopics()).includes(topic));
    await assert.rejects(
      admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 }),
      (err: Error & { errors?: unknown[] }) => {
        assert.match(JSON.stringify(err.errors?.map(String)), /Topic with this name already exists/);
        return true;
      },
    );
    await admin.deleteTopics({ topics: [topic] });
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  test('produce with acks=all, then fetch by partition and offset', async () => {
    const topic = topicName('plt-produce');
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const producer = new Producer({
      clientId: 'interop-plt-producer',
      bootstrapBrokers: [tb.bootstrap],
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
    });
    after(() => producer.close());
    const sent = await producer.send({
      messages: Array.from({ length: 20 }, (_, i) => ({
        topic,
        partition: i % 2,
        key: `k${i}`,
        value: `value-${i}`,
        headers: new Map([['n', String(i)]]),
      })),
    });
    assert.equal(sent.offsets?.length, 2);

    const consumer = new Consumer({
      clientId: 'interop-plt-consumer',
      groupId: topicName('plt-group'),
      bootstrapBrokers: [tb.bootstrap],
      deserializers: stringDeserializers,
    });
    after(() => consumer.close(true));
    const offsets = await consumer.listOffsets({ topics: [topic] });
    assert.deepEqual(offsets.get(topic), [10n, 10n]);

    const meta = await consumer.metadata({ topics: [topic] });
    const topicId = meta.topics.get(topic)?.id as string;
    // the same id the broker assigned, in the client's hex form
    assert.equal(
      Buffer.from(topicId.replaceAll('-', ''), 'hex').toString('base64url'),
      tb.broker.metadata.topicsByName.get(topic)?.id,
    );
    const res = await consumer.fetch({
      node: 1,
      topics: [
        {
          topicId,
          partitions: [
            { partition: 1, fetchOffset: 3n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 },
          ],
        },
      ],
      maxWaitTime: 100,
    });
    const part = res.responses[0]?.partitions[0];
    assert.equal(part?.errorCode, 0);
    assert.equal(part?.highWatermark, 10n);
    const values: string[] = [];
    for (const batch of part?.records ?? []) {
      for (const r of batch.records) {
        const offset = batch.firstOffset + BigInt(r.offsetDelta);
        if (offset >= 3n) values.push(`${offset}:${r.key?.toString()}=${r.value?.toString()}`);
      }
    }
    assert.deepEqual(
      values,
      [3, 4, 5, 6, 7, 8, 9].map((o) => `${o}:k${o * 2 + 1}=value-${o * 2 + 1}`),
    );
    // the same bytes through our own decoder, from the broker's log
    const raw = tb.broker.log(topic, 1)?.read(0, 1 << 20);
    let count = 0;
    for (const slice of iterateBatches(raw?.records as Buffer)) {
      count += decodeRecordBatch(slice.bytes).records.length;
    }
    assert.equal(count, 10);
  });
});
