/**
 * DescribeClientQuotas (key 48), versions 0-1 (KIP-546).
 * - Filter components per entity type (user, client-id, ip): match exactly a
 *   name (matchType 0), the default entity (1, null match), or any entity
 *   that names the type (2); `strict` keeps only entities with no other types.
 * - A malformed filter answers INVALID_REQUEST (empty or repeated type, a
 *   match that contradicts its type, ip combined with user/client-id), an
 *   unknown entity type UNSUPPORTED_VERSION, with Kafka's messages and null
 *   entries.
 * - Authorization (when on): DESCRIBE_CONFIGS on the cluster, else
 *   CLUSTER_AUTHORIZATION_FAILED.
 */
import { ErrorCode, errorInfo, toKafkaError } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { describeQuotas } from '../quotas/index.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeCluster } from '../security/authorizer.ts';

const DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;

export default defineHandler({
  key: 48,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE_CONFIGS)) {
      return { throttleTimeMs: 0, errorCode: DENIED, errorMessage: errorInfo(DENIED).message, entries: null };
    }
    try {
      const found = describeQuotas(ctx.broker.metadata, req.components, req.strict);
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        entries: found.map((q) => ({
          entity: Object.entries(q.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
          values: Object.entries(q.values).map(([key, value]) => ({ key, value })),
        })),
      };
    } catch (err) {
      const e = toKafkaError(err);
      return { throttleTimeMs: 0, errorCode: e.code, errorMessage: e.errorMessage, entries: null };
    }
  },
});
