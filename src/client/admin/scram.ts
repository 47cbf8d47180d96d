/**
 * SCRAM credentials: DescribeUserScramCredentials and
 * AlterUserScramCredentials (KIP-554), to the controller. The password never
 * leaves the client: it is salted and hashed here (RFC 5802's Hi() is
 * PBKDF2 with the mechanism's HMAC), as Kafka's admin client does.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Cluster } from '../cluster.ts';
import { ErrorCode } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, type ItemResult, onController } from './request.ts';

/** The SCRAM mechanisms Kafka knows. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const MECHANISMS: Record<ScramMechanism, { code: number; hash: 'sha256' | 'sha512'; keyLen: number }> = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', keyLen: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', keyLen: 64 },
};

function mechanismName(code: number): ScramMechanism | 'UNKNOWN' {
  return code === 1 ? 'SCRAM-SHA-256' : code === 2 ? 'SCRAM-SHA-512' : 'UNKNOWN';
}

/** A user's SCRAM credentials (mechanisms and iteration counts; never secrets). */
export interface ScramUserDescription extends ItemResult {
  user: string;
  credentials: Array<{ mechanism: ScramMechanism | 'UNKNOWN'; iterations: number }>;
}

/**
 * Describes SCRAM users (all of them without `users`); a named user without
 * credentials comes back with RESOURCE_NOT_FOUND in its `error`.
 */
export function describeScramUsers(cluster: Cluster, users?: string[]): Promise<ScramUserDescription[]> {
  return onController(cluster, ApiKey.DescribeUserScramCredentials, async (conn) => {
    const res = await conn.request(ApiKey.DescribeUserScramCredentials, {
      users: users ? users.map((name) => ({ name })) : null,
    });
    const err = errorFor(res.errorCode, 'DescribeUserScramCredentials', res.errorMessage);
    if (err) throw err;
    return res.results.map((r) => ({
      user: r.user,
      credentials: r.credentialInfos.map((c) => ({ mechanism: mechanismName(c.mechanism), iterations: c.iterations })),
      error: errorFor(r.errorCode, `user ${r.user}`, r.errorMessage),
    }));
  });
}

/** Set a user's password for one mechanism. */
export interface ScramUpsertion {
  user: string;
  mechanism: ScramMechanism;
  password: string;
  /** Default 4096 (Kafka's minimum). */
  iterations?: number;
  /** Default 32 random bytes. */
  salt?: Buffer;
}

/** Remove a user's credential for one mechanism. */
export interface ScramDeletion {
  user: string;
  mechanism: ScramMechanism;
}

/** Outcome per user of alterScramUsers. */
export interface AlterScramResult extends ItemResult {
  user: string;
}

/** The salted password RFC 5802 stores: Hi(password, salt, iterations). */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const m = MECHANISMS[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.keyLen, m.hash);
}

/** AlterUserScramCredentials: one result per user named in the changes. */
export function alterScramUsers(
  cluster: Cluster,
  changes: { upsertions?: ScramUpsertion[]; deletions?: ScramDeletion[] },
): Promise<AlterScramResult[]> {
  const upsertions = (changes.upsertions ?? []).map((u) => {
    const iterations = u.iterations ?? 4096;
    const salt = u.salt ?? randomBytes(32);
    return {
      name: u.user,
      mechanism: MECHANISMS[u.mechanism].code,
      iterations,
      salt,
      saltedPassword: saltedPassword(u.mechanism, u.password, salt, iterations),
    };
  });
  const deletions = (changes.deletions ?? []).map((d) => ({ name: d.user, mechanism: MECHANISMS[d.mechanism].code }));
  const users = [...new Set([...deletions, ...upsertions].map((x) => x.name))];
  return onController(cluster, ApiKey.AlterUserScramCredentials, async (conn) => {
    const res = await conn.request(ApiKey.AlterUserScramCredentials, { deletions, upsertions });
    return users.map((user) => {
      const r = res.results.find((x) => x.user === user);
      return {
        user,
        error: r
          ? errorFor(r.errorCode, `user ${user}`, r.errorMessage)
          : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `user ${user}`, 'no answer for this user'),
      };
    });
  });
}
