/**
 * Bad input and missing things: a subscription to a topic that does not
 * exist yet (nothing delivered, no crash, records once it is created), a
 * pattern that later matches a new topic, seeks on partitions the consumer
 * does not own, autoOffsetReset 'none', fetch offsets out of range, and
 * usage errors.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Consumer, type ConsumerOptions } from '../../src/client/consumer/index.ts';
import { ErrorCode, KafkaError } from '../../src/client/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cluster, drain, FAST, GROUP_CONFIGS, rawProduce } from './consumer-helpers.ts';

describe('consumer: bad input', async () => {
  const tb = await startTestBroker(after, GROUP_CONFIGS);
  // metadata refreshes every 300 ms, so new topics show up quickly
  const c = cluster(tb, after, 300);

  const protocols: Array<[string, ConsumerOptions]> = [
    ['classic', {}],
    ['KIP-848', { groupProtocol: 'consumer' }],
  ];
  for (const [name, opts] of protocols) {
    test(`${name}: a missing topic delivers nothing, then its records once created`, async (t) => {
      const topic = topicName('missing');
      const consumer = new Consumer(c, { ...FAST, ...opts, groupId: topicName('mg'), autoOffsetReset: 'earliest' });
      t.after(() => consumer.close());
      consumer.subscribe([topic]);
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) assert.deepEqual(await consumer.poll(100), []);
      assert.deepEqual(consumer.assignment(), []);
      assert.equal(c.topic(topic), undefined, 'the consumer did not create the topic');
      await tb.broker.createTopic(topic, 2, 1, {});
      await rawProduce(c, topic, 0, [{ value: 'a' }]);
      await rawProduce(c, topic, 1, [{ value: 'b' }]);
      const got = await drain(consumer, 2, 10_000);
      assert.deepEqual(got.map((r) => r.value?.toString()).sort(), ['a', 'b']);
    });
  }

  test('a pattern subscription picks up a topic created later', async (t) => {
    const prefix = topicName('pat');
    await tb.broker.createTopic(`${prefix}-one`, 1, 1, {});
    await tb.broker.createTopic(`other-${prefix}`, 1, 1, {});
    await rawProduce(c, `${prefix}-one`, 0, [{ value: 'one' }]);
    await rawProduce(c, `other-${prefix}`, 0, [{ value: 'other' }]);
    const consumer = new Consumer(c, { ...FAST, groupId: topicName('pg'), autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.subscribe(new RegExp(`^${prefix}-`, 'g'));
    assert.deepEqual(
      (await drain(consumer, 1)).map((r) => r.value?.toString()),
      ['one'],
    );
    await tb.broker.createTopic(`${prefix}-two`, 1, 1, {});
    await rawProduce(c, `${prefix}-two`, 0, [{ value: 'two' }]);
    assert.deepEqual(
      (await drain(consumer, 1)).map((r) => r.value?.toString()),
      ['two'],
    );
    assert.deepEqual(await consumer.poll(300), []);
  });

  test('seek and pause on a partition that is not assigned: a clear Error', async (t) => {
    const topic = topicName('unassigned');
    await tb.broker.createTopic(topic, 1, 1, {});
    const consumer = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    assert.throws(() => consumer.seek({ topic, partition: 0 }, 1n), {
      name: 'Error',
      message: `seek: partition ${topic}-0 is not assigned to this consumer`,
    });
    consumer.assign([{ topic, partition: 0 }]);
    assert.throws(() => consumer.seek({ topic, partition: 1 }, 1n), /not assigned/);
    await assert.rejects(consumer.seekToBeginning([{ topic: 'nope', partition: 0 }]), /not assigned/);
    assert.throws(() => consumer.resume([{ topic: 'nope', partition: 0 }]), /not assigned/);
    assert.equal(consumer.position({ topic: 'nope', partition: 0 }), undefined);
  });

  test("autoOffsetReset 'none' without a committed offset: OFFSET_OUT_OF_RANGE from poll until a seek", async (t) => {
    const topic = topicName('none');
    await tb.broker.createTopic(topic, 1, 1, {});
    await rawProduce(c, topic, 0, [{ value: 'x' }, { value: 'y' }]);
    const consumer = new Consumer(c, { ...FAST, groupId: topicName('ng'), autoOffsetReset: 'none' });
    t.after(() => consumer.close());
    consumer.subscribe([topic]);
    const deadline = Date.now() + 10_000;
    let error: unknown = null;
    while (!error && Date.now() < deadline) {
      try {
        await consumer.poll(100);
      } catch (err) {
        error = err;
      }
    }
    assert.ok(error instanceof KafkaError, `got ${error}`);
    assert.equal(error.code, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.match(error.message, new RegExp(`no committed offset for ${topic}-0`));
    await assert.rejects(consumer.poll(10), (err: KafkaError) => err.code === ErrorCode.OFFSET_OUT_OF_RANGE);
    consumer.seek({ topic, partition: 0 }, 1n);
    assert.deepEqual(
      (await drain(consumer, 1)).map((r) => r.value?.toString()),
      ['y'],
    );
  });

  test('a fetch offset out of range resets by policy, or fails with none', async (t) => {
    const topic = topicName('oor');
    await tb.broker.createTopic(topic, 1, 1, {});
    await rawProduce(c, topic, 0, [{ value: 'first' }]);
    const earliest = new Consumer(c, { autoOffsetReset: 'earliest' });
    t.after(() => earliest.close());
    earliest.assign([{ topic, partition: 0, offset: 1000n }]);
    assert.deepEqual(
      (await drain(earliest, 1)).map((r) => r.offset),
      [0n],
    );

    const none = new Consumer(c, { autoOffsetReset: 'none' });
    t.after(() => none.close());
    none.assign([{ topic, partition: 0, offset: 1000n }]);
    let error: unknown = null;
    for (let i = 0; i < 50 && !error; i++) await none.poll(100).catch((err) => (error = err));
    assert.equal((error as KafkaError).code, ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  test('usage errors', async () => {
    assert.throws(() => new Consumer(c, { autoOffsetReset: 'sometimes' as 'none' }), TypeError);
    assert.throws(() => new Consumer(c, { groupId: '' }), TypeError);
    assert.throws(() => new Consumer(c, { assignors: ['sticky' as 'range'] }), /unknown assignor/);
    assert.throws(() => new Consumer(c, { heartbeatIntervalMs: 5000, sessionTimeoutMs: 5000 }), TypeError);
    const noGroup = new Consumer(c);
    assert.throws(() => noGroup.subscribe(['t']), /needs a groupId/);
    await assert.rejects(noGroup.poll(10), /subscribe\(\) or assign\(\) first/);
    await assert.rejects(noGroup.committed([{ topic: 't', partition: 0 }]), /needs a groupId/);
    assert.throws(() => noGroup.assign([{ topic: '', partition: 0 }]), TypeError);
    await noGroup.close();
    await assert.rejects(noGroup.poll(10), /closed/);

    const grouped = new Consumer(c, { groupId: topicName('ug') });
    grouped.assign([{ topic: 't', partition: 0 }]);
    assert.throws(() => grouped.subscribe(['t']), /not both/);
    await grouped.close();
    const subscribed = new Consumer(c, { ...FAST, groupId: topicName('ug') });
    subscribed.subscribe([topicName('t')]);
    assert.throws(() => subscribed.assign([{ topic: 't', partition: 0 }]), /not both/);
    assert.throws(() => subscribed.subscribe([''] as string[]), TypeError);
    await subscribed.close();
  });
});
