/**
 * ListGroups (key 16), versions 0-5.
 * - Every group of this coordinator with its protocol type; v4+ also its
 *   state and an optional state filter (case-insensitive, e.g. "Stable",
 *   "empty"); v5+ its type ("classic") and a type filter.
 * - COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - Authorization (when on): DESCRIBE on the cluster lists every group;
 *   otherwise only the groups the principal may DESCRIBE (never an error).
 */
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, authorizeCluster } from '../security/authorizer.ts';

export default defineHandler({
  key: 16,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const r = ctx.broker.groups.listGroups(v >= 4 ? req.statesFilter : [], v >= 5 ? req.typesFilter : []);
    const quiet = { logIfDenied: false };
    const groups = authorizeCluster(ctx, AclOperation.DESCRIBE, quiet)
      ? r.groups
      : r.groups.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId, quiet));
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups };
  },
});
