/**
 * AlterUserScramCredentials (key 51), version 0 (KIP-554), as Kafka's
 * ScramControlManager.alterCredentials:
 * - needs ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every user.
 * - a user may be altered once per request (DUPLICATE_RESOURCE otherwise,
 *   even for two mechanisms); an empty name or a mechanism other than
 *   1/2 is UNACCEPTABLE_CREDENTIAL / UNSUPPORTED_SASL_MECHANISM; iterations
 *   outside 4096-16384 are UNACCEPTABLE_CREDENTIAL ("Too few/many iterations");
 *   deleting a credential that does not exist is RESOURCE_NOT_FOUND.
 * - an upsertion carries salt and salted password; the broker keeps salt,
 *   iterations, StoredKey and ServerKey (security/scram.ts).
 * - results: deletions, then upsertions, then errors.
 * - the last credential of a user made super user at start takes its
 *   super-user mark with it.
 */
import type {
  AlterUserScramCredentialsRequestScramCredentialDeletion as Deletion,
  AlterUserScramCredentialsRequestScramCredentialUpsertion as Upsertion,
} from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { audit } from '../security/audit.ts';
import { authorizeCluster } from '../security/authorizer.ts';
import { credentialFromSaltedPassword, SCRAM_MECHANISMS, scramMechanismOfType } from '../security/scram.ts';

interface Failure {
  code: number;
  message: string;
}

function validateName(name: string, mechanism: number): Failure | null {
  if (name === '') return { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Username must not be empty' };
  if (!scramMechanismOfType(mechanism)) {
    return { code: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: 'Unknown SCRAM mechanism' };
  }
  return null;
}

function validateDeletion(broker: Broker, d: Deletion): Failure | null {
  const bad = validateName(d.name, d.mechanism);
  if (bad) return bad;
  const m = scramMechanismOfType(d.mechanism);
  if (m && !broker.scram.get(d.name, m)) {
    return { code: ErrorCode.RESOURCE_NOT_FOUND, message: 'Attempt to delete a user credential that does not exist' };
  }
  return null;
}

function validateUpsertion(u: Upsertion): Failure | null {
  const bad = validateName(u.name, u.mechanism);
  if (bad) return bad;
  const def = SCRAM_MECHANISMS[scramMechanismOfType(u.mechanism) ?? 'SCRAM-SHA-256'];
  if (u.iterations < def.minIterations)
    return { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too few iterations' };
  if (u.iterations > def.maxIterations) {
    return { code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too many iterations' };
  }
  return null;
}

const TWICE = 'A user credential cannot be altered twice in the same request';

export default defineHandler({
  key: 51,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const { broker } = ctx;
    if (!authorizeCluster(ctx, AclOperation.ALTER)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((x) => x.name))].sort();
      return {
        throttleTimeMs: 0,
        results: users.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'Cluster authorization failed.',
        })),
      };
    }
    const host = ctx.connection.remoteAddress;
    const deletions = new Map<string, Deletion>();
    const upsertions = new Map<string, Upsertion>();
    const errors = new Map<string, Failure>();
    for (const d of req.deletions) {
      if (errors.has(d.name)) continue;
      if (deletions.delete(d.name)) errors.set(d.name, { code: ErrorCode.DUPLICATE_RESOURCE, message: TWICE });
      else {
        const bad = validateDeletion(broker, d);
        if (bad) errors.set(d.name, bad);
        else deletions.set(d.name, d);
      }
    }
    for (const u of req.upsertions) {
      if (errors.has(u.name)) continue;
      if (deletions.delete(u.name) || upsertions.delete(u.name)) {
        errors.set(u.name, { code: ErrorCode.DUPLICATE_RESOURCE, message: TWICE });
      } else {
        const bad = validateUpsertion(u);
        if (bad) errors.set(u.name, bad);
        else upsertions.set(u.name, u);
      }
    }
    const results: Array<{ user: string; errorCode: number; errorMessage: string | null }> = [];
    for (const d of deletions.values()) {
      const m = scramMechanismOfType(d.mechanism);
      if (m) broker.scram.delete(d.name, m);
      broker.scram.forgetAdminIfGone(d.name);
      audit(broker, { event: 'user-deleted', principal: ctx.principal, host, user: d.name, mechanism: m });
      results.push({ user: d.name, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    for (const u of upsertions.values()) {
      const m = scramMechanismOfType(u.mechanism);
      if (m) broker.scram.put(u.name, m, credentialFromSaltedPassword(m, u.salt, u.saltedPassword, u.iterations));
      audit(broker, { event: 'user-upserted', principal: ctx.principal, host, user: u.name, mechanism: m });
      results.push({ user: u.name, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    for (const [user, f] of errors) results.push({ user, errorCode: f.code, errorMessage: f.message });
    broker.logger.info(
      { principal: ctx.principal, upserted: [...upsertions.keys()], deleted: [...deletions.keys()] },
      'SCRAM credentials altered',
    );
    return { throttleTimeMs: 0, results };
  },
});
