/**
 * kafkajs 2.2.4 over SASL_SSL with SCRAM-SHA-512 (ssl: { ca }): the right
 * password produces and consumes in a group (FindCoordinator answers with
 * the SASL_SSL listener too), a wrong one is refused.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { topicName } from '../helpers/broker.ts';
import { addUser, startSecureBroker } from '../helpers/secure-broker.ts';

describe('kafkajs over SASL_SSL with SCRAM-SHA-512', async () => {
  const sb = await startSecureBroker(after);
  await addUser(sb.broker, 'kjs', 'kjs-pw');
  const kafka = (password: string): Kafka =>
    new Kafka({
      clientId: 'sasl-kafkajs',
      brokers: [`localhost:${sb.port('SASL_SSL')}`],
      ssl: { ca: [sb.ca.toString()] },
      sasl: { mechanism: 'scram-sha-512', username: 'kjs', password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
      connectionTimeout: 3000,
    });

  test('the right password produces, and a group consumer reads it back', async () => {
    const k = kafka('kjs-pw');
    const topic = topicName('kjs-sasl');
    const producer = k.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    after(() => producer.disconnect());
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages });
    const consumer = k.consumer({ groupId: topicName('kjs-sasl-group') });
    await consumer.connect();
    after(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} records in time`)), 15_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(String(message.value));
            if (seen.length === messages.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    assert.deepEqual(
      seen,
      messages.map((m) => m.value),
    );
  });

  test('a wrong password is refused', async () => {
    const admin = kafka('wrong').admin();
    await assert.rejects(admin.connect(), (err: Error) => {
      assert.equal(err.name, 'KafkaJSSASLAuthenticationError');
      assert.match(
        err.message,
        /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
      );
      return true;
    });
    await admin.disconnect();
  });
});
