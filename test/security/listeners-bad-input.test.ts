/**
 * Bad input on security listeners: garbage SASL tokens, truncated
 * handshakes, requests before authentication, plaintext on a TLS port, TLS
 * on a plaintext port, random bytes inside a TLS handshake, oversized and
 * random frames. Each closes only the offending connection; the broker keeps
 * serving everyone else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { Cluster } from '../../src/client/index.ts';
import { encodeRequest } from '../../src/protocol/index.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { frame, rawLogin } from '../helpers/sasl-raw.ts';
import { ADMIN, startSecureBroker } from '../helpers/secure-broker.ts';

/** Resolves when the peer closes the socket (rejects if it stays open). */
function closedBy(socket: Socket, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('the broker kept the connection open')), timeoutMs);
    socket.on('error', () => {});
    socket.resume(); // read what the broker sends (a TLS alert), so its close is seen
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

describe('bad input on security listeners', async () => {
  const sb = await startSecureBroker(after);
  const sasl = sb.port('SASL_PLAINTEXT');

  /** The broker still serves: SASL over plaintext and over TLS. */
  async function othersStillServed(): Promise<void> {
    const { conn } = await rawLogin(sasl, 'SCRAM-SHA-512', ADMIN.name, ADMIN.password);
    assert.equal((await conn.request(3, 12, { topics: [] })).brokers.length, 1);
    conn.close();
    const c = new Cluster({
      bootstrapServers: `localhost:${sb.port('SASL_SSL')}`,
      tls: { ca: sb.ca },
      sasl: { mechanism: 'SCRAM-SHA-256', username: ADMIN.name, password: ADMIN.password },
      retry: { retries: 0 },
    });
    await c.refreshMetadata();
    await c.close();
  }

  test('garbage SASL tokens: an answer of SASL_AUTHENTICATION_FAILED or a close, never a crash', async () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      for (let i = 0; i < 20; i++) {
        const conn = await RawConnection.open(sasl);
        await conn.request(17, 1, { mechanism });
        conn.write(
          encodeRequest(
            { apiKey: 36, apiVersion: i % 3, correlationId: 7, clientId: 'fuzz' },
            { authBytes: randomBytes(i * 13) },
          ),
        );
        const answer = await conn.next();
        if (answer) assert.equal(answer.readInt16BE(4 + (i % 3 === 2 ? 1 : 0)), 58, 'SASL_AUTHENTICATION_FAILED');
        await conn.waitClosed();
      }
      // bare garbage after a v0 handshake
      const raw = await RawConnection.open(sasl);
      await raw.request(17, 0, { mechanism });
      raw.write(frame(randomBytes(64)));
      if (mechanism !== 'PLAIN') assert.equal(await raw.next(), null);
      await raw.waitClosed();
    }
    await othersStillServed();
  });

  test('truncated handshakes and undecodable frames close the connection', async () => {
    const hs = encodeRequest(
      { apiKey: 17, apiVersion: 1, correlationId: 1, clientId: 'trunc' },
      { mechanism: 'PLAIN' },
    );
    // a frame that ends early: the broker waits for the rest; the client gives up
    const partial = await open(sasl);
    partial.write(hs.subarray(0, hs.length - 3));
    partial.end();
    await closedBy(partial);
    // a frame whose body is shorter than its fields
    const short = Buffer.from(hs.subarray(0, hs.length - 3));
    short.writeInt32BE(short.length - 4, 0);
    const s2 = await open(sasl);
    s2.write(short);
    await closedBy(s2);
    // a frame too short for a header, and an oversized frame before authentication
    for (const bytes of [frame(Buffer.from([0, 17])), Buffer.from([0x00, 0x08, 0x00, 0x01, 0, 0])]) {
      const s = await open(sasl);
      s.write(bytes);
      await closedBy(s);
    }
    await othersStillServed();
  });

  test('a request other than the handshake before authentication closes the connection', async () => {
    for (const [apiKey, apiVersion, body] of [
      [3, 12, { topics: null }],
      [0, 9, { acks: -1, timeoutMs: 1000, topicData: [] }],
      [36, 2, { authBytes: Buffer.from('\0admin\0x') }],
    ] as const) {
      const conn = await RawConnection.open(sasl);
      conn.write(encodeRequest({ apiKey, apiVersion, correlationId: 3, clientId: 'early' }, body as never));
      assert.equal(await conn.next(), null, `API ${apiKey} before the handshake`);
    }
    await othersStillServed();
  });

  test('a plaintext client on a TLS port and a TLS client on plaintext ports are closed', async () => {
    for (const listener of ['SSL', 'SASL_SSL'] as const) {
      const conn = await RawConnection.open(sb.port(listener));
      conn.write(encodeRequest({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'plain' }, {}));
      assert.equal(await conn.next(), null, `plaintext on ${listener}`);
    }
    for (const listener of ['PLAINTEXT', 'SASL_PLAINTEXT'] as const) {
      const s = tlsConnect({ host: '127.0.0.1', port: sb.port(listener), ca: sb.ca, servername: 'localhost' });
      const failed = await new Promise<boolean>((resolve) => {
        s.once('secureConnect', () => resolve(false));
        s.once('error', () => resolve(true));
        s.once('close', () => resolve(true));
      });
      assert.ok(failed, `TLS on ${listener}`);
      s.destroy();
    }
    await othersStillServed();
  });

  test('random bytes during the TLS handshake close the connection', async () => {
    for (let i = 0; i < 20; i++) {
      const s = await open(sb.port(i % 2 ? 'SSL' : 'SASL_SSL'));
      const noise = randomBytes(40 + i * 20);
      const record = (type: number, body: Buffer): Buffer =>
        Buffer.concat([Buffer.from([type, 0x03, 0x01, body.length >> 8, body.length & 0xff]), body]);
      if (i % 4 < 2) {
        // a handshake record holding a ClientHello of random content
        s.write(record(0x16, Buffer.concat([Buffer.from([0x01, 0, noise.length >> 8, noise.length & 0xff]), noise])));
      } else {
        // an application-data record before any handshake
        s.write(record(0x17, noise));
      }
      await closedBy(s);
    }
    await othersStillServed();
  });

  test('random frames on a SASL listener never take the broker down', async () => {
    for (let i = 0; i < 100; i++) {
      const s = await open(sasl);
      const body = randomBytes(8 + (i % 40));
      body.writeInt16BE([17, 18, 36, 3, 0][i % 5] as number, 0);
      s.write(frame(body));
      s.end();
      await closedBy(s).catch(() => s.destroy());
    }
    await othersStillServed();
  });
});
