/**
 * DescribeUserScramCredentials (key 50), version 0 (KIP-554), as Kafka's
 * ScramImage.describe:
 * - needs DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED (top
 *   level and once per named user).
 * - null or no users: every user with a credential.
 * - per user its mechanisms and iteration counts (never salts or keys);
 *   RESOURCE_NOT_FOUND for a user without credentials, DUPLICATE_RESOURCE
 *   for a user named twice.
 */
import type { DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult as Result } from '../../protocol/index.ts';
import { ErrorCode, type Input } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeCluster } from '../security/authorizer.ts';
import { SCRAM_MECHANISMS } from '../security/scram.ts';

export default defineHandler({
  key: 50,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE)) {
      const errorMessage = 'Cluster authorization failed.';
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage,
        results: (req.users ?? []).map(() => ({
          user: '',
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage,
          credentialInfos: [],
        })),
      };
    }
    const users = ctx.broker.scram.users();
    const asked = new Map<string, boolean>(); // name → named twice
    if (!req.users || req.users.length === 0) for (const u of users.keys()) asked.set(u, false);
    else for (const { name } of req.users) asked.set(name, asked.has(name));
    const results: Input<Result>[] = [];
    for (const [user, duplicate] of asked) {
      const infos = users.get(user);
      if (duplicate) {
        results.push({
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          credentialInfos: [],
        });
      } else if (!infos) {
        results.push({
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
          credentialInfos: [],
        });
      } else {
        results.push({
          user,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          credentialInfos: infos.map((c) => ({
            mechanism: SCRAM_MECHANISMS[c.mechanism].type,
            iterations: c.iterations,
          })),
        });
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
