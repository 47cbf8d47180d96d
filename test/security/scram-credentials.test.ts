/**
 * SCRAM users through AlterUserScramCredentials / DescribeUserScramCredentials
 * (KIP-554) with Kafka's error codes and messages, credentials that survive a
 * restart and never hold the password, and the cluster permission checks
 * (the admin made at start is a super user).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import { Admin, saltedPassword } from '../../src/client/admin/index.ts';
import { Cluster, ErrorCode } from '../../src/client/index.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { rawAuthenticate, rawLogin } from '../helpers/sasl-raw.ts';
import { ADMIN, addUser, startSecureBroker } from '../helpers/secure-broker.ts';

describe('SCRAM credentials', async () => {
  const sb = await startSecureBroker(after, { configs: { 'authorizer.class.name': 'tributary' } });
  const port = sb.port('SASL_PLAINTEXT');
  const adminCluster = new Cluster({
    bootstrapServers: sb.address('SASL_PLAINTEXT'),
    sasl: { mechanism: 'SCRAM-SHA-512', username: ADMIN.name, password: ADMIN.password },
    retry: { retries: 0 },
  });
  after(() => adminCluster.close());
  const admin = new Admin(adminCluster);

  test('an upserted credential logs in with its mechanism (and PLAIN), not with the other', async () => {
    const [r] = await admin.alterScramUsers({
      upsertions: [{ user: 'carol', mechanism: 'SCRAM-SHA-256', password: 'carol-pw', iterations: 4096 }],
    });
    assert.equal(r?.error, null);
    const [d] = await admin.describeScramUsers(['carol']);
    assert.deepEqual(d?.credentials, [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }]);
    (await rawLogin(port, 'SCRAM-SHA-256', 'carol', 'carol-pw')).conn.close();
    (await rawLogin(port, 'PLAIN', 'carol', 'carol-pw')).conn.close();
    const c = await RawConnection.open(port);
    assert.equal((await rawAuthenticate(c, 'SCRAM-SHA-512', 'carol', 'carol-pw')).last?.errorCode, 58);
    c.close();
    // The change is in the audit log, with who made it and without the password.
    const lines = readFileSync(join(sb.dataDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const entry = lines.find((l) => l.event === 'user-upserted' && l.user === 'carol');
    assert.equal(entry?.principal, `User:${ADMIN.name}`);
    assert.equal(entry?.mechanism, 'SCRAM-SHA-256');
    assert.ok(!JSON.stringify(lines).includes('carol-pw'));
  });

  test("Kafka's error codes for alterations", async () => {
    const conn = (await rawLogin(port, 'SCRAM-SHA-512', ADMIN.name, ADMIN.password)).conn;
    after(() => conn.close());
    const salt = Buffer.from('salt-salt-salt');
    const up = (name: string, mechanism: number, iterations: number) => ({
      name,
      mechanism,
      iterations,
      salt,
      saltedPassword: saltedPassword(mechanism === 2 ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256', 'pw', salt, iterations),
    });
    await addUser(sb.broker, 'twice', 'twice-pw');
    const res = await conn.request(51, 0, {
      deletions: [
        { name: 'ghost', mechanism: 1 },
        { name: 'twice', mechanism: 1 },
        { name: 'twice', mechanism: 2 },
      ],
      upsertions: [up('few', 1, 4095), up('many', 2, 16385), up('', 1, 4096), up('mech', 3, 4096), up('ok', 2, 16384)],
    });
    const byUser = Object.fromEntries(res.results.map((r) => [r.user, [r.errorCode, r.errorMessage]]));
    assert.deepEqual(byUser, {
      ghost: [ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      twice: [ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
      few: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      many: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
      '': [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'],
      mech: [ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
      ok: [ErrorCode.NONE, null],
    });
    (await rawLogin(port, 'SCRAM-SHA-256', 'twice', 'twice-pw')).conn.close(); // nothing was deleted
    // a user upserted and deleted in one request
    const both = await conn.request(51, 0, {
      deletions: [{ name: 'ok', mechanism: 2 }],
      upsertions: [up('ok', 2, 4096)],
    });
    assert.equal(both.results[0]?.errorCode, ErrorCode.DUPLICATE_RESOURCE);
    (await rawLogin(port, 'SCRAM-SHA-512', 'ok', 'pw')).conn.close();

    const d = await conn.request(50, 0, { users: [{ name: 'ok' }, { name: 'nobody' }, { name: 'ok' }] });
    assert.deepEqual(
      d.results.map((r) => [r.user, r.errorCode, r.errorMessage]),
      [
        [
          'ok',
          ErrorCode.DUPLICATE_RESOURCE,
          'Cannot describe SCRAM credentials for the same user twice in a single request: ok',
        ],
        ['nobody', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist: nobody'],
      ],
    );
    const all = await conn.request(50, 0, { users: null });
    assert.ok(all.results.some((r) => r.user === ADMIN.name && r.credentialInfos.length === 2));
  });

  test('without cluster permissions: CLUSTER_AUTHORIZATION_FAILED; the admin made at start is a super user', async () => {
    await addUser(sb.broker, 'dave', 'dave-pw');
    const { conn } = await rawLogin(port, 'SCRAM-SHA-256', 'dave', 'dave-pw');
    const d = await conn.request(50, 0, { users: [{ name: 'dave' }] });
    assert.equal(d.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const a = await conn.request(51, 0, { deletions: [{ name: ADMIN.name, mechanism: 1 }], upsertions: [] });
    assert.deepEqual(
      a.results.map((r) => [r.user, r.errorCode]),
      [[ADMIN.name, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]],
    );
    conn.close();
    assert.equal(sb.broker.isSuperUser(`User:${ADMIN.name}`), true);
    assert.equal(sb.broker.isSuperUser('User:dave'), false);
  });

  test('credentials live in the metadata log without the password, and survive a restart', async () => {
    const meta = join(sb.dataDir, 'meta');
    const bytes = readdirSync(meta)
      .map((f) => readFileSync(join(meta, f)).toString('latin1'))
      .join('');
    assert.ok(bytes.includes('scram-credential'));
    for (const secret of [ADMIN.password, 'carol-pw', 'dave-pw']) assert.ok(!bytes.includes(secret), secret);
    await sb.broker.close();
    const again = await Broker.start({
      dataDir: sb.dataDir,
      logger: pino({ level: 'silent' }),
      listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
    });
    try {
      (await rawLogin(again.port, 'SCRAM-SHA-256', 'carol', 'carol-pw')).conn.close();
      assert.equal(again.isSuperUser(`User:${ADMIN.name}`), true, 'the admin stays a super user');
      // deleting the admin's last credential takes its super-user mark with it
      const { conn } = await rawLogin(again.port, 'SCRAM-SHA-512', ADMIN.name, ADMIN.password);
      for (const mechanism of [1, 2]) {
        const r = await conn.request(51, 0, { deletions: [{ name: ADMIN.name, mechanism }], upsertions: [] });
        assert.equal(r.results[0]?.errorCode, ErrorCode.NONE);
        assert.equal(again.isSuperUser(`User:${ADMIN.name}`), mechanism === 1);
      }
      conn.close();
    } finally {
      await again.close();
    }
  });
});
