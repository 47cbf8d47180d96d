/**
 * SASL over a raw connection (test/helpers/raw-client.ts): SaslHandshake
 * and SaslAuthenticate frames built by hand, with the project's client-side
 * mechanisms (src/client/sasl.ts) producing the tokens.
 */

import { type SaslMechanismName, saslExchange } from '../../src/client/sasl.ts';
import type { SaslAuthenticateResponse } from '../../src/protocol/index.ts';
import { RawConnection } from './raw-client.ts';

/** Outcome of an exchange: the last SaslAuthenticate response, or where it stopped. */
export interface RawAuthResult {
  handshakeError: number;
  mechanisms: string[];
  last: SaslAuthenticateResponse | null;
}

/** Runs SaslHandshake v1 + SaslAuthenticate (version `authVersion`) on an open connection. */
export async function rawAuthenticate(
  conn: RawConnection,
  mechanism: SaslMechanismName,
  username: string,
  password: string,
  authVersion = 2,
): Promise<RawAuthResult> {
  const hs = await conn.request(17, 1, { mechanism });
  if (hs.errorCode !== 0) return { handshakeError: hs.errorCode, mechanisms: hs.mechanisms, last: null };
  const exchange = saslExchange({ mechanism, username, password });
  let out: Buffer | null = exchange.first();
  let last: SaslAuthenticateResponse | null = null;
  while (out) {
    last = await conn.request(36, authVersion, { authBytes: out });
    if (last.errorCode !== 0) break;
    out = exchange.next(last.authBytes);
  }
  return { handshakeError: 0, mechanisms: hs.mechanisms, last };
}

/** Opens a connection and authenticates it; throws unless authentication succeeds. */
export async function rawLogin(
  port: number,
  mechanism: SaslMechanismName,
  username: string,
  password: string,
  authVersion = 2,
): Promise<{ conn: RawConnection; result: RawAuthResult }> {
  const conn = await RawConnection.open(port);
  const result = await rawAuthenticate(conn, mechanism, username, password, authVersion);
  if (result.handshakeError !== 0 || !result.last || result.last.errorCode !== 0) {
    conn.close();
    const why = result.last
      ? `${result.last.errorCode} ${result.last.errorMessage}`
      : `handshake ${result.handshakeError}`;
    throw new Error(`authentication as ${username} failed: ${why}`);
  }
  return { conn, result };
}

/** A size-prefixed frame of raw bytes. */
export function frame(bytes: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(bytes.length, 0);
  return Buffer.concat([head, bytes]);
}
