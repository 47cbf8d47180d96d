/**
 * SASL client mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802,
 * RFC 7677), as Kafka uses them over SaslHandshake + SaslAuthenticate.
 *
 * A mechanism is a small state machine: `first()` gives the first client
 * message, `next(serverMessage)` the following one (or null when done).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SaslOptions {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

export interface SaslExchange {
  first(): Buffer;
  /** The reply to a server message, or null when the exchange is complete. Throws on a bad server message. */
  next(server: Buffer): Buffer | null;
}

/** `nonce` is for tests (RFC test vectors); by default 24 random bytes. */
export function saslExchange(opts: SaslOptions, nonce?: string): SaslExchange {
  switch (opts.mechanism) {
    case 'PLAIN':
      return {
        first: () => Buffer.from(`\0${opts.username}\0${opts.password}`, 'utf8'),
        next: () => null,
      };
    case 'SCRAM-SHA-256':
      return new ScramExchange('sha256', 32, opts.username, opts.password, nonce);
    case 'SCRAM-SHA-512':
      return new ScramExchange('sha512', 64, opts.username, opts.password, nonce);
    default:
      throw new TypeError(
        `unknown SASL mechanism ${String((opts as SaslOptions).mechanism)}; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
      );
  }
}

/** `=` and `,` in a SCRAM username are written as =3D and =2C. */
function escapeName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

class ScramExchange implements SaslExchange {
  readonly #hash: 'sha256' | 'sha512';
  readonly #keyLen: number;
  readonly #username: string;
  readonly #password: string;
  readonly #nonce: string;
  #clientFirstBare = '';
  #serverSignature: Buffer | null = null;
  #step = 0;

  constructor(hash: 'sha256' | 'sha512', keyLen: number, username: string, password: string, nonce?: string) {
    this.#nonce = nonce ?? randomBytes(24).toString('base64url');
    this.#hash = hash;
    this.#keyLen = keyLen;
    this.#username = username;
    this.#password = password;
  }

  first(): Buffer {
    this.#clientFirstBare = `n=${escapeName(this.#username)},r=${this.#nonce}`;
    return Buffer.from(`n,,${this.#clientFirstBare}`, 'utf8');
  }

  next(server: Buffer): Buffer | null {
    const msg = server.toString('utf8');
    const attrs = parseAttributes(msg);
    if (attrs.has('e')) throw new Error(`SCRAM authentication failed: ${attrs.get('e')}`);
    if (this.#step++ === 0) {
      const nonce = attrs.get('r') ?? '';
      const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
      const iterations = Number(attrs.get('i'));
      if (!nonce.startsWith(this.#nonce) || salt.length === 0 || !Number.isInteger(iterations) || iterations < 1) {
        throw new Error('SCRAM: malformed server-first message');
      }
      const salted = pbkdf2Sync(this.#password, salt, iterations, this.#keyLen, this.#hash);
      const clientKey = this.#hmac(salted, 'Client Key');
      const storedKey = createHash(this.#hash).update(clientKey).digest();
      const finalNoProof = `c=biws,r=${nonce}`;
      const authMessage = `${this.#clientFirstBare},${msg},${finalNoProof}`;
      const signature = this.#hmac(storedKey, authMessage);
      const proof = Buffer.alloc(clientKey.length);
      for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] as number) ^ (signature[i] as number);
      this.#serverSignature = this.#hmac(this.#hmac(salted, 'Server Key'), authMessage);
      return Buffer.from(`${finalNoProof},p=${proof.toString('base64')}`, 'utf8');
    }
    const v = Buffer.from(attrs.get('v') ?? '', 'base64');
    const expected = this.#serverSignature;
    if (!expected || v.length !== expected.length || !timingSafeEqual(v, expected)) {
      throw new Error('SCRAM: the server signature does not match (wrong server or tampered exchange)');
    }
    return null;
  }

  #hmac(key: Buffer, data: string): Buffer {
    return createHmac(this.#hash, key).update(data, 'utf8').digest();
  }
}
