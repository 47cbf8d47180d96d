/**
 * DeleteAcls (key 31), versions 0-3.
 * - Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED for every
 *   filter); without an authorizer every filter is SECURITY_DISABLED.
 * - Per filter, the ACLs it matched and removed. Every filter sees the ACLs
 *   as they were before the request, so one ACL can be reported twice.
 * - A filter with an UNKNOWN (0) code closes the connection (Kafka cannot
 *   parse it); one with a code Kafka does not know is INVALID_REQUEST
 *   ("Unknown patternFilter." / "Unknown entryFilter."). v0 has no pattern
 *   type: LITERAL.
 */
import {
  ErrorCode,
  type Input,
  type DeleteAclsResponseDeleteAclsFilterResult as Result,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { type AclFilter, AclOperation, AclPermission, PatternType, ResourceType } from '../security/acls.ts';
import { authorizeCluster, authorizerOf, clientHost } from '../security/authorizer.ts';
import { readFilter } from './29-describe-acls.ts';

function unknownReason(f: AclFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN || f.patternType === PatternType.UNKNOWN) return 'Unknown patternFilter.';
  if (f.operation === AclOperation.UNKNOWN || f.permission === AclPermission.UNKNOWN) return 'Unknown entryFilter.';
  return null;
}

export default defineHandler({
  key: 31,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    const filters = req.filters.map(readFilter);
    const all = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      filterResults: filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!authorizeCluster(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const az = authorizerOf(ctx.broker);
    if (!az) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const reasons = filters.map(unknownReason);
    const valid = filters.filter((_, i) => reasons[i] === null);
    const matched = az.delete(valid, { principal: ctx.principal, host: clientHost(ctx) });
    let next = 0;
    const filterResults: Input<Result>[] = reasons.map((reason) => {
      if (reason !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason, matchingAcls: [] };
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: (matched[next++] ?? []).map((a) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: a.resourceType,
          resourceName: a.resourceName,
          patternType: a.patternType,
          principal: a.principal,
          host: a.host,
          operation: a.operation,
          permissionType: a.permission,
        })),
      };
    });
    return { throttleTimeMs: 0, filterResults };
  },
});
