/**
 * SASL on the wire, frame by frame, against Kafka's SaslServerAuthenticator,
 * ScramSaslServer and PlainSaslServer behaviour: error codes and messages,
 * SaslAuthenticate v0-2, the legacy SaslHandshake v0 flow with bare tokens,
 * SaslName escaping, and the RFC 7677 test vector.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  credentialFromSaltedPassword,
  saltPassword,
  scramHash,
  scramHmac,
  scramUsername,
} from '../../src/broker/security/scram.ts';
import { saslExchange } from '../../src/client/sasl.ts';
import { encodeRequest } from '../../src/protocol/index.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { frame, rawAuthenticate, rawLogin } from '../helpers/sasl-raw.ts';
import { ADMIN, addUser, startSecureBroker } from '../helpers/secure-broker.ts';

const SASL_AUTHENTICATION_FAILED = 58;
const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;

describe('SASL protocol', async () => {
  const sb = await startSecureBroker(after);
  const port = sb.port('SASL_PLAINTEXT');
  await addUser(sb.broker, 'alice', 'alice-pw');
  await addUser(sb.broker, 'a,b=c', 'odd-pw');

  test('SCRAM-SHA-512 with SaslAuthenticate v0, v1 and v2; the connection becomes User:alice', async () => {
    for (const v of [0, 1, 2]) {
      const { conn, result } = await rawLogin(port, 'SCRAM-SHA-512', 'alice', 'alice-pw', v);
      assert.deepEqual(result.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
      assert.equal(result.last?.sessionLifetimeMs, 0n, 'no connections.max.reauth.ms: no session lifetime');
      const md = await conn.request(3, 12, { topics: [] });
      assert.equal(md.brokers[0]?.port, port, 'Metadata names the listener the request came in on');
      const local = sb.broker.connections().filter((c) => c.listener === 'SASL_PLAINTEXT');
      assert.ok(local.some((c) => c.principal === 'User:alice'));
      conn.close();
    }
  });

  test("wrong password: SASL_AUTHENTICATION_FAILED with Kafka's message, then the connection closes", async () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const conn = await RawConnection.open(port);
      const r = await rawAuthenticate(conn, mechanism, 'alice', 'nope');
      assert.equal(r.last?.errorCode, SASL_AUTHENTICATION_FAILED);
      assert.equal(
        r.last?.errorMessage,
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
      );
      await conn.waitClosed();
    }
    // an unknown user gets the same answer: nothing says whether the user exists
    const conn = await RawConnection.open(port);
    const r = await rawAuthenticate(conn, 'SCRAM-SHA-512', 'nobody', 'x');
    assert.equal(r.last?.errorMessage?.startsWith('Authentication failed during authentication'), true);
    await conn.waitClosed();
  });

  test('an unsupported mechanism: UNSUPPORTED_SASL_MECHANISM with the enabled list, then closed', async () => {
    const conn = await RawConnection.open(port);
    const hs = await conn.request(17, 1, { mechanism: 'GSSAPI' });
    assert.equal(hs.errorCode, UNSUPPORTED_SASL_MECHANISM);
    assert.deepEqual(hs.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    await conn.waitClosed();
  });

  test("PLAIN checks the password against the SCRAM credential; Kafka's PlainSaslServer messages", async () => {
    const { conn } = await rawLogin(port, 'PLAIN', 'alice', 'alice-pw');
    conn.close();
    const cases: Array<[string, string]> = [
      ['\0alice\0wrong', 'Authentication failed: Invalid username or password'],
      ['\0nobody\0x', 'Authentication failed: Invalid username or password'],
      ['alice\0alice-pw', 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
      ['\0\0pw', 'Authentication failed: username not specified'],
      ['\0alice\0', 'Authentication failed: password not specified'],
      [
        'bob\0alice\0alice-pw',
        'Authentication failed: Client requested an authorization id that is different from username',
      ],
    ];
    for (const [token, message] of cases) {
      const c = await RawConnection.open(port);
      assert.equal((await c.request(17, 1, { mechanism: 'PLAIN' })).errorCode, 0);
      const r = await c.request(36, 1, { authBytes: Buffer.from(token) });
      assert.equal(r.errorCode, SASL_AUTHENTICATION_FAILED, token);
      assert.equal(r.errorMessage, message);
      await c.waitClosed();
    }
  });

  test('SaslHandshake v0: tokens travel as bare frames (the pre-KIP-152 flow)', async () => {
    // PLAIN: the broker answers the token with an empty frame
    const plain = await RawConnection.open(port);
    assert.equal((await plain.request(17, 0, { mechanism: 'PLAIN' })).errorCode, 0);
    plain.write(frame(Buffer.from('\0alice\0alice-pw')));
    assert.equal((await plain.next())?.length, 0);
    assert.equal((await plain.request(3, 4, { topics: [] })).brokers[0]?.port, port);
    plain.close();
    // SCRAM: server-first and server-final as bare frames
    const scram = await RawConnection.open(port);
    assert.equal((await scram.request(17, 0, { mechanism: 'SCRAM-SHA-256' })).errorCode, 0);
    const x = saslExchange({ mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-pw' });
    scram.write(frame(x.first()));
    const serverFirst = (await scram.next()) as Buffer;
    scram.write(frame(x.next(serverFirst) as Buffer));
    assert.equal(x.next((await scram.next()) as Buffer), null, 'the server signature verifies');
    assert.equal((await scram.request(3, 4, { topics: [] })).brokers.length, 1);
    scram.close();
    // a wrong password in this flow just closes the connection
    const bad = await RawConnection.open(port);
    await bad.request(17, 0, { mechanism: 'PLAIN' });
    bad.write(frame(Buffer.from('\0alice\0nope')));
    assert.equal(await bad.next(), null);
  });

  test('SaslName escaping: a user "a,b=c" logs in as n=a=2Cb=3Dc; bad escapes, tokenauth and a foreign authzid fail', async () => {
    const { conn } = await rawLogin(port, 'SCRAM-SHA-512', 'a,b=c', 'odd-pw');
    conn.close();
    assert.equal(scramUsername('a=2Cb=3Dc'), 'a,b=c');
    assert.throws(() => scramUsername('a=41'), /Invalid username/);
    const firstMessages: Array<[string, string]> = [
      ['n,,n=a=41,r=abcdef', 'Authentication failed during authentication due to invalid credentials'],
      ['n,,n=alice,r=abcdef,tokenauth=true', 'Authentication failed during authentication due to invalid credentials'],
      ['y,,n=alice,r=abcdef', 'Authentication failed during authentication due to invalid credentials'],
      [
        'n,a=bob,n=alice,r=abcdef',
        'Authentication failed: Client requested an authorization id that is different from username',
      ],
    ];
    for (const [msg, expected] of firstMessages) {
      const c = await RawConnection.open(port);
      await c.request(17, 1, { mechanism: 'SCRAM-SHA-512' });
      const r = await c.request(36, 2, { authBytes: Buffer.from(msg) });
      assert.equal(r.errorCode, SASL_AUTHENTICATION_FAILED, msg);
      assert.ok(r.errorMessage?.startsWith(expected), `${msg}: ${r.errorMessage}`);
      await c.waitClosed();
    }
    // an unknown extension is ignored
    const c = await RawConnection.open(port);
    await c.request(17, 1, { mechanism: 'SCRAM-SHA-512' });
    const r = await c.request(36, 2, { authBytes: Buffer.from('n,,n=alice,r=abcdef,foo=bar') });
    assert.equal(r.errorCode, 0);
    assert.match(r.authBytes.toString(), /^r=abcdef[0-9a-z]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    c.close();
  });

  test('a client-final with a nonce that is not the server nonce fails', async () => {
    const c = await RawConnection.open(port);
    await c.request(17, 1, { mechanism: 'SCRAM-SHA-256' });
    await c.request(36, 2, { authBytes: Buffer.from('n,,n=alice,r=abcdef') });
    const r = await c.request(36, 2, {
      authBytes: Buffer.from(`c=biws,r=abcdefXYZ,p=${Buffer.alloc(32).toString('base64')}`),
    });
    assert.equal(r.errorCode, SASL_AUTHENTICATION_FAILED);
    await c.waitClosed();
  });

  test('before authentication: one ApiVersions, then only SaslHandshake; anything else closes without an answer', async () => {
    const meta = await RawConnection.open(port);
    meta.write(encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 1, clientId: 'x' }, { topics: [] }));
    assert.equal(await meta.next(), null);
    assert.ok(meta.closed);

    const twice = await RawConnection.open(port);
    assert.equal((await twice.request(18, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })).errorCode, 0);
    twice.write(encodeRequest({ apiKey: 18, apiVersion: 3, correlationId: 9, clientId: 'x' }, {}));
    assert.equal(await twice.next(), null, 'a second ApiVersions before the handshake closes');

    // an unknown ApiVersions version is answered (KIP-511) and may be retried
    const retry = await RawConnection.open(port);
    retry.write(encodeRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'x' }, {}).fill(0x7f, 6, 8));
    assert.ok(await retry.next());
    assert.equal((await retry.request(18, 2, {})).errorCode, 0);
    assert.equal((await rawAuthenticate(retry, 'PLAIN', 'alice', 'alice-pw')).last?.errorCode, 0);
    retry.close();

    // during the exchange a second SaslHandshake gets ILLEGAL_SASL_STATE and the connection closes
    const mid = await RawConnection.open(port);
    await mid.request(17, 1, { mechanism: 'SCRAM-SHA-512' });
    const again = await mid.request(17, 1, { mechanism: 'SCRAM-SHA-512' });
    assert.equal(again.errorCode, ILLEGAL_SASL_STATE);
    await mid.waitClosed();
  });

  test('outside an exchange SaslHandshake and SaslAuthenticate get ILLEGAL_SASL_STATE and the connection stays', async () => {
    const plain = await RawConnection.open(sb.port('PLAINTEXT'));
    assert.equal((await plain.request(17, 1, { mechanism: 'PLAIN' })).errorCode, ILLEGAL_SASL_STATE);
    const a = await plain.request(36, 1, { authBytes: Buffer.from('x') });
    assert.equal(a.errorCode, ILLEGAL_SASL_STATE);
    assert.equal(a.errorMessage, 'SaslAuthenticate request received after successful authentication');
    assert.equal((await plain.request(3, 12, { topics: [] })).brokers[0]?.port, sb.port('PLAINTEXT'));
    plain.close();
    const { conn } = await rawLogin(port, 'SCRAM-SHA-256', ADMIN.name, ADMIN.password);
    assert.equal((await conn.request(17, 1, { mechanism: 'SCRAM-SHA-256' })).errorCode, ILLEGAL_SASL_STATE);
    assert.equal((await conn.request(36, 2, { authBytes: Buffer.alloc(0) })).errorCode, ILLEGAL_SASL_STATE);
    assert.equal((await conn.request(3, 12, { topics: [] })).brokers.length, 1);
    conn.close();
  });
});

test('RFC 7677 test vector: StoredKey, ServerKey, client proof and server signature', async () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const salted = await saltPassword('SCRAM-SHA-256', 'pencil', salt, 4096);
  const c = credentialFromSaltedPassword('SCRAM-SHA-256', salt, salted, 4096);
  const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  const signature = scramHmac('SCRAM-SHA-256', c.storedKey, authMessage);
  const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] as number)));
  assert.deepEqual(scramHash('SCRAM-SHA-256', clientKey), c.storedKey);
  assert.equal(
    scramHmac('SCRAM-SHA-256', c.serverKey, authMessage).toString('base64'),
    '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  );
});
