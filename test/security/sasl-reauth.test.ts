/**
 * KIP-368 re-authentication with connections.max.reauth.ms, as Kafka's
 * SaslServerAuthenticator and KafkaChannel do it: the session lifetime in
 * SaslAuthenticate v1+, a new handshake on the same connection (same
 * mechanism, same principal, at most one a second), and an expired session
 * closed at its next request.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeRequest } from '../../src/protocol/index.ts';
import { rawAuthenticate, rawLogin } from '../helpers/sasl-raw.ts';
import { addUser, startSecureBroker } from '../helpers/secure-broker.ts';

const LIFETIME = 1500;
const SASL_AUTHENTICATION_FAILED = 58;
const ILLEGAL_SASL_STATE = 34;

describe('SASL re-authentication (KIP-368)', async () => {
  const sb = await startSecureBroker(after, { configs: { 'connections.max.reauth.ms': String(LIFETIME) } });
  const port = sb.port('SASL_PLAINTEXT');
  await addUser(sb.broker, 'alice', 'alice-pw');
  await addUser(sb.broker, 'bob', 'bob-pw');

  test('SaslAuthenticate v1+ carries the session lifetime', async () => {
    for (const v of [1, 2]) {
      const { conn, result } = await rawLogin(port, 'SCRAM-SHA-512', 'alice', 'alice-pw', v);
      assert.equal(result.last?.sessionLifetimeMs, BigInt(LIFETIME));
      conn.close();
    }
  });

  test('re-authenticating on the same connection keeps it alive past the first session', async () => {
    const { conn } = await rawLogin(port, 'SCRAM-SHA-256', 'alice', 'alice-pw');
    await sleep(LIFETIME - 500);
    const again = await rawAuthenticate(conn, 'SCRAM-SHA-256', 'alice', 'alice-pw');
    assert.equal(again.last?.errorCode, 0);
    assert.equal(again.last?.sessionLifetimeMs, BigInt(LIFETIME));
    await sleep(700); // past the first session's end, inside the second
    const md = await conn.request(3, 12, { topics: [] });
    assert.equal(md.brokers[0]?.port, port);
    assert.ok(sb.broker.connections().some((c) => c.principal === 'User:alice'));
    conn.close();
  });

  test('a request after the session expired closes the connection without an answer', async () => {
    const { conn } = await rawLogin(port, 'PLAIN', 'alice', 'alice-pw');
    assert.equal((await conn.request(3, 12, { topics: [] })).brokers.length, 1);
    await sleep(LIFETIME + 200);
    conn.write(encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 99, clientId: 'x' }, { topics: [] }));
    assert.equal(await conn.next(), null);
    assert.ok(conn.closed);
    // others are unaffected
    const { conn: fresh } = await rawLogin(port, 'PLAIN', 'alice', 'alice-pw');
    assert.equal((await fresh.request(3, 12, { topics: [] })).brokers.length, 1);
    fresh.close();
  });

  test('re-authentication must keep the principal and the mechanism', async () => {
    const { conn } = await rawLogin(port, 'SCRAM-SHA-512', 'alice', 'alice-pw');
    const other = await rawAuthenticate(conn, 'SCRAM-SHA-512', 'bob', 'bob-pw');
    assert.equal(other.last?.errorCode, SASL_AUTHENTICATION_FAILED);
    assert.equal(
      other.last?.errorMessage,
      'Cannot change principals during re-authentication from User.alice: User.bob',
    );
    await conn.waitClosed();

    const { conn: c2 } = await rawLogin(port, 'SCRAM-SHA-512', 'alice', 'alice-pw');
    const hs = await c2.request(17, 1, { mechanism: 'PLAIN' });
    assert.equal(hs.errorCode, 0, 'the handshake itself is answered');
    c2.write(
      encodeRequest(
        { apiKey: 36, apiVersion: 2, correlationId: 50, clientId: 'x' },
        { authBytes: Buffer.from('\0alice\0alice-pw') },
      ),
    );
    assert.equal(await c2.next(), null, 'then the exchange is refused by closing');
  });

  test('a second re-authentication within a second is answered ILLEGAL_SASL_STATE and the connection stays', async () => {
    const { conn } = await rawLogin(port, 'SCRAM-SHA-256', 'alice', 'alice-pw');
    assert.equal((await rawAuthenticate(conn, 'SCRAM-SHA-256', 'alice', 'alice-pw')).last?.errorCode, 0);
    assert.equal((await conn.request(17, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode, ILLEGAL_SASL_STATE);
    assert.equal((await conn.request(3, 12, { topics: [] })).brokers.length, 1);
    conn.close();
  });
});
