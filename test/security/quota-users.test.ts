/**
 * User quotas with authenticated principals (SASL SCRAM over SASL_PLAINTEXT):
 * the quota follows the user, whatever client id it uses; a user+client-id
 * quota wins over the user's; a user without a quota is not throttled even
 * with a throttled user's client id; without ALTER_CONFIGS/DESCRIBE_CONFIGS
 * on the cluster the quota APIs answer CLUSTER_AUTHORIZATION_FAILED.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { quotasOf } from '../../src/broker/quotas/index.ts';
import { Admin, ApiKey, Cluster, Connection, ErrorCode } from '../../src/client/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { topicName } from '../helpers/broker.ts';
import { ADMIN, addUser, startSecureBroker } from '../helpers/secure-broker.ts';

describe('user quotas over SASL', async () => {
  const sb = await startSecureBroker(after, {
    configs: { 'quota.window.num': '2', 'authorizer.class.name': 'tributary' },
  });
  await addUser(sb.broker, 'alice', 'alice-pw');
  await addUser(sb.broker, 'bob', 'bob-pw');
  const port = sb.port('SASL_PLAINTEXT');
  const connect = async (user: string, password: string, clientId: string): Promise<Connection> => {
    const c = await Connection.open({
      host: '127.0.0.1',
      port,
      clientId,
      sasl: { mechanism: 'SCRAM-SHA-512', username: user, password },
    });
    after(() => c.close());
    return c;
  };
  const adminCluster = new Cluster({
    bootstrapServers: sb.address('SASL_PLAINTEXT'),
    sasl: { mechanism: 'SCRAM-SHA-512', username: ADMIN.name, password: ADMIN.password },
  });
  after(() => adminCluster.close());
  const admin = new Admin(adminCluster);
  const topic = topicName('quota-users');
  await sb.broker.createTopic(topic, 1, 1, {});
  const produce = async (c: Connection): Promise<number> => {
    const records = encodeRecordBatch({
      records: [{ key: null, value: Buffer.alloc(30_000), headers: [], timestamp: BigInt(Date.now()) }],
    });
    const r = await c.requestAt(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    return r.throttleTimeMs;
  };

  test('the quota follows the user; user+client-id wins; other users are not throttled', async () => {
    const results = await admin.alterClientQuotas([
      { entity: { user: 'alice' }, ops: [{ key: 'producer_byte_rate', value: 10_000 }] },
      { entity: { user: 'alice', 'client-id': 'vip' }, ops: [{ key: 'producer_byte_rate', value: 1_000_000 }] },
    ]);
    assert.deepEqual(
      results.map((r) => r.error),
      [null, null],
    );
    const aliceApp = await connect('alice', 'alice-pw', 'shared-app');
    const aliceVip = await connect('alice', 'alice-pw', 'vip');
    const bobApp = await connect('bob', 'bob-pw', 'shared-app');
    const [throttledAlice, vipAlice, freeBob] = await Promise.all([
      produce(aliceApp),
      produce(aliceVip),
      produce(bobApp),
    ]);
    assert.ok(throttledAlice > 1000, `alice throttled: ${throttledAlice} ms`);
    assert.equal(vipAlice, 0, 'alice/vip has its own, larger quota');
    assert.equal(freeBob, 0, 'bob has no quota, whatever his client id');
    // Kafka's metric tags: alice's user quota is counted under (alice, "") whatever her client id
    const usage = quotasOf(sb.broker)
      .usage()
      .filter((u) => u.key === 'producer_byte_rate' && u.quota !== null);
    assert.deepEqual(usage.map((u) => [u.user, u.clientId, u.quota]).sort(), [
      ['alice', '', 10_000],
      ['alice', 'vip', 1_000_000],
    ]);
  });

  test('without DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster: CLUSTER_AUTHORIZATION_FAILED', async () => {
    const bob = new Admin(
      new Cluster({
        bootstrapServers: sb.address('SASL_PLAINTEXT'),
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-pw' },
      }),
    );
    after(() => bob.cluster.close());
    await assert.rejects(bob.describeClientQuotas(), (err: { code: number }) => {
      assert.equal(err.code, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      return true;
    });
    const [r] = await bob.alterClientQuotas([
      { entity: { user: 'bob' }, ops: [{ key: 'producer_byte_rate', value: 1e9 }] },
    ]);
    assert.equal(r?.error?.code, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    assert.deepEqual(await admin.describeClientQuotas([{ entityType: 'user', match: 'bob' }]), []);
  });
});
