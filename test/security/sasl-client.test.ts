/**
 * The project's own client over SASL_SSL with SCRAM-SHA-256 and PLAIN:
 * producer, group consumer and admin through one authenticated cluster.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AuthenticationError, Client, ErrorCode } from '../../src/client/index.ts';
import { drain } from '../client/consumer-helpers.ts';
import { topicName } from '../helpers/broker.ts';
import { addUser, startSecureBroker } from '../helpers/secure-broker.ts';

describe("the project's client over SASL_SSL", async () => {
  const sb = await startSecureBroker(after);
  await addUser(sb.broker, 'own', 'own-pw');

  for (const mechanism of ['SCRAM-SHA-256', 'PLAIN'] as const) {
    test(`${mechanism}: produce, consume in a group, describe the cluster`, async (t) => {
      const client = new Client({
        bootstrapServers: `localhost:${sb.port('SASL_SSL')}`,
        tls: { ca: sb.ca },
        sasl: { mechanism, username: 'own', password: 'own-pw' },
      });
      t.after(() => client.close());
      const topic = topicName(`own-${mechanism}`);
      await sb.broker.createTopic(topic, 2, 1, {});
      const producer = client.producer({ lingerMs: 2 });
      const sent = Array.from({ length: 50 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` }));
      await producer.sendBatch(sent);
      const consumer = client.consumer({ groupId: topicName('own-g'), autoOffsetReset: 'earliest' });
      t.after(() => consumer.close());
      consumer.subscribe([topic]);
      const got = await drain(consumer, sent.length);
      assert.deepEqual(got.map((r) => r.value?.toString()).sort(), sent.map((s) => s.value).sort());
      const c = await client.admin().describeCluster();
      assert.deepEqual(
        c.brokers.map((b) => b.port),
        [sb.port('SASL_SSL')],
      );
      assert.ok(sb.broker.connections().some((x) => x.listener === 'SASL_SSL' && x.principal === 'User:own'));
    });
  }

  test('a wrong password fails with SASL_AUTHENTICATION_FAILED', async (t) => {
    const client = new Client({
      bootstrapServers: sb.address('SASL_SSL'),
      tls: { ca: sb.ca },
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'own', password: 'nope' },
      retry: { retries: 0 },
    });
    t.after(() => client.close());
    await assert.rejects(client.admin().describeCluster(), (err: Error) => {
      let e: unknown = err;
      while (e && !(e instanceof AuthenticationError)) e = (e as { cause?: unknown }).cause;
      assert.ok(e instanceof AuthenticationError, String(err));
      assert.equal(e.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
      return true;
    });
  });
});
