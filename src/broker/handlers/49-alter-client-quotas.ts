/**
 * AlterClientQuotas (key 49), versions 0-1 (KIP-546).
 * - Sets (a positive value) or removes quota keys of user, client-id,
 *   user+client-id and ip entities; a null name is the type's default entity.
 * - Per entity errors, INVALID_REQUEST with Kafka's messages: an empty entity,
 *   an unknown entity type, an empty name, ip combined with user/client-id,
 *   an unknown key ("Invalid configuration key"), a value not above 0, a
 *   fraction for a byte rate, a repeated key or entity. The other entities
 *   apply; `validateOnly` checks without applying.
 * - Changes are durable (metadata log) and apply to the very next request.
 * - Authorization (when on): ALTER_CONFIGS on the cluster, else every entity
 *   gets CLUSTER_AUTHORIZATION_FAILED.
 */
import { ErrorCode, errorInfo } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { alterQuotas, quotasOf } from '../quotas/index.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeCluster } from '../security/authorizer.ts';

const DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;

export default defineHandler({
  key: 49,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    if (!authorizeCluster(ctx, AclOperation.ALTER_CONFIGS)) {
      return {
        throttleTimeMs: 0,
        entries: req.entries.map((e) => ({
          errorCode: DENIED,
          errorMessage: errorInfo(DENIED).message,
          entity: e.entity.map(({ entityType, entityName }) => ({ entityType, entityName })),
        })),
      };
    }
    const results = alterQuotas(ctx.broker.metadata, req.entries, req.validateOnly);
    if (!req.validateOnly) quotasOf(ctx.broker).reload();
    return {
      throttleTimeMs: 0,
      entries: results.map((r) => ({
        errorCode: r.error?.code ?? 0,
        errorMessage: r.error?.errorMessage ?? null,
        entity: Object.entries(r.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
      })),
    };
  },
});
