/**
 * SCRAM credentials (RFC 5802 / RFC 7677 as Kafka's ScramFormatter computes
 * them) and their store in the metadata log.
 *
 * Only salt, iteration count, StoredKey and ServerKey are kept, per user and
 * mechanism, under the metadata entity kind 'scram-credential' (key: user
 * name). A password never reaches the broker's disk: AlterUserScramCredentials
 * carries the salted password, and the admin bootstrap salts it here.
 *
 * Kafka's limits: iterations 4096-16384 for both mechanisms; mechanism type
 * codes 1 (SCRAM-SHA-256) and 2 (SCRAM-SHA-512).
 *
 * The admin user made at start (`--admin-user`) is also remembered as a super
 * user (entity kind 'super-user', key "User:NAME") until its last credential
 * is deleted.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { MetadataStore } from '../metadata/metadata-store.ts';

const pbkdf2Async = promisify(pbkdf2);

/** The SCRAM mechanisms Kafka supports. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

interface MechanismDef {
  type: number;
  hash: 'sha256' | 'sha512';
  keyLen: number;
  minIterations: number;
  maxIterations: number;
}

/** Kafka's ScramMechanism table. */
export const SCRAM_MECHANISMS: Readonly<Record<ScramMechanism, MechanismDef>> = {
  'SCRAM-SHA-256': { type: 1, hash: 'sha256', keyLen: 32, minIterations: 4096, maxIterations: 16384 },
  'SCRAM-SHA-512': { type: 2, hash: 'sha512', keyLen: 64, minIterations: 4096, maxIterations: 16384 },
};

/** The mechanism with a wire type code, if any. */
export function scramMechanismOfType(type: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((m) => SCRAM_MECHANISMS[m].type === type);
}

/** True for SCRAM-SHA-256 and SCRAM-SHA-512. */
export function isScramMechanism(name: string): name is ScramMechanism {
  return name in SCRAM_MECHANISMS;
}

/** What the broker keeps of one SCRAM password. */
export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

/** HMAC with the mechanism's hash. */
export function scramHmac(m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM_MECHANISMS[m].hash, key).update(data).digest();
}

/** H() of the mechanism. */
export function scramHash(m: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[m].hash).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, off the event loop. */
export function saltPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const d = SCRAM_MECHANISMS[m];
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, d.keyLen, d.hash);
}

/** StoredKey and ServerKey from a salted password (ScramFormatter.generateCredential). */
export function credentialFromSaltedPassword(
  m: ScramMechanism,
  salt: Buffer,
  saltedPassword: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = scramHmac(m, saltedPassword, 'Client Key');
  return {
    salt: Buffer.from(salt),
    storedKey: scramHash(m, clientKey),
    serverKey: scramHmac(m, saltedPassword, 'Server Key'),
    iterations,
  };
}

/** True when `password` is the one a credential was made from (recomputes StoredKey). */
export async function passwordMatches(m: ScramMechanism, c: ScramCredential, password: string): Promise<boolean> {
  const salted = await saltPassword(m, password, c.salt, c.iterations);
  const storedKey = credentialFromSaltedPassword(m, c.salt, salted, c.iterations).storedKey;
  return storedKey.length === c.storedKey.length && timingSafeEqual(storedKey, c.storedKey);
}

/** A salt as Kafka's ScramFormatter makes one: the bytes of a random base-36 string. */
export function newSalt(): Buffer {
  return Buffer.from(randomBase36(), 'utf8');
}

/** A 130-bit random number in base 36 (ScramFormatter.secureRandomString), used for nonces and salts. */
export function randomBase36(): string {
  const b = randomBytes(17);
  b[0] = (b[0] as number) & 0x03; // 130 bits
  return BigInt(`0x${b.toString('hex')}`).toString(36);
}

/** SaslName → user name: =2C is ',' and =3D is '='; any other '=' is invalid (ScramFormatter.username). */
export function scramUsername(saslName: string): string {
  const withCommas = saslName.replaceAll('=2C', ',');
  if (withCommas.replaceAll('=3D', '').includes('=')) throw new Error(`Invalid username: ${saslName}`);
  return withCommas.replaceAll('=3D', '=');
}

interface StoredCredential {
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

type StoredUser = Partial<Record<ScramMechanism, StoredCredential>>;

const KIND = 'scram-credential';
/** Users made super users at start (`--admin-user`), keyed by principal. */
const SUPER_USER_KIND = 'super-user';

/** SCRAM credentials by user and mechanism, durable in the metadata log. */
export class ScramCredentialStore {
  readonly #metadata: MetadataStore;

  constructor(metadata: MetadataStore) {
    this.#metadata = metadata;
  }

  /** One credential, or undefined. */
  get(user: string, m: ScramMechanism): ScramCredential | undefined {
    const s = this.#metadata.entity<StoredUser>(KIND, user)?.[m];
    if (!s) return undefined;
    return {
      salt: Buffer.from(s.salt, 'base64'),
      storedKey: Buffer.from(s.storedKey, 'base64'),
      serverKey: Buffer.from(s.serverKey, 'base64'),
      iterations: s.iterations,
    };
  }

  /** Users with at least one credential, each with its mechanisms and iteration counts. */
  users(): Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>> {
    const out = new Map<string, Array<{ mechanism: ScramMechanism; iterations: number }>>();
    for (const [user, stored] of this.#metadata.entities<StoredUser>(KIND)) {
      const list = (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[])
        .filter((m) => stored[m])
        .map((m) => ({ mechanism: m, iterations: (stored[m] as StoredCredential).iterations }));
      if (list.length > 0) out.set(user, list);
    }
    return out;
  }

  /** Stores (or replaces) one credential. */
  put(user: string, m: ScramMechanism, c: ScramCredential): void {
    const current = this.#metadata.entity<StoredUser>(KIND, user) ?? {};
    const next: StoredUser = {
      ...current,
      [m]: {
        salt: c.salt.toString('base64'),
        storedKey: c.storedKey.toString('base64'),
        serverKey: c.serverKey.toString('base64'),
        iterations: c.iterations,
      },
    };
    this.#metadata.putEntity(KIND, user, next);
  }

  /** Removes one credential; false when there was none. */
  delete(user: string, m: ScramMechanism): boolean {
    const current = this.#metadata.entity<StoredUser>(KIND, user);
    if (!current?.[m]) return false;
    const next: StoredUser = { ...current };
    delete next[m];
    this.#metadata.putEntity(KIND, user, Object.keys(next).length > 0 ? next : null);
    return true;
  }

  /** Salts `password` and stores it for each mechanism (the admin bootstrap). */
  async setPassword(
    user: string,
    password: string,
    mechanisms: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
    iterations = 8192,
  ): Promise<void> {
    for (const m of mechanisms) {
      const salt = newSalt();
      const salted = await saltPassword(m, password, salt, iterations);
      this.put(user, m, credentialFromSaltedPassword(m, salt, salted, iterations));
    }
  }

  /**
   * Creates or updates the admin user's SCRAM-SHA-256 and -512 credentials
   * (kept as they are when the password still matches) and marks it a super user.
   */
  async bootstrapAdmin(name: string, password: string): Promise<void> {
    if (name === '' || password === '') throw new Error('the admin user needs a non-empty name and password');
    const stale: ScramMechanism[] = [];
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const c = this.get(name, m);
      if (!c || !(await passwordMatches(m, c, password))) stale.push(m);
    }
    if (stale.length > 0) await this.setPassword(name, password, stale);
    if (this.#metadata.entity(SUPER_USER_KIND, `User:${name}`) !== true) {
      this.#metadata.putEntity(SUPER_USER_KIND, `User:${name}`, true);
    }
  }

  /** In `super.users` (semicolon-separated principals), or the admin user made at start. */
  isSuperUser(principal: string, superUsers: string): boolean {
    if (superUsers.split(';').some((p) => p.trim() === principal)) return true;
    return this.#metadata.entity(SUPER_USER_KIND, principal) === true;
  }

  /** Drops the super-user mark of an admin made at start once its last credential is deleted. */
  forgetAdminIfGone(user: string): void {
    if (this.users().has(user)) return;
    if (this.#metadata.entity(SUPER_USER_KIND, `User:${user}`) !== undefined) {
      this.#metadata.putEntity(SUPER_USER_KIND, `User:${user}`, null);
    }
  }
}
