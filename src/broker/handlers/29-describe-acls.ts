/**
 * DescribeAcls (key 29), versions 0-3.
 * - Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED); without
 *   an authorizer the answer is SECURITY_DISABLED.
 * - Every ACL the filter matches (see security/acls.ts), grouped by resource
 *   pattern in Kafka's order. v0 has no pattern type: LITERAL.
 * - A filter with an UNKNOWN (0) code is a request Kafka cannot parse: the
 *   connection closes. Codes Kafka does not know read as UNKNOWN and match
 *   nothing.
 */
import {
  ErrorCode,
  type Input,
  ProtocolDecodeError,
  type DescribeAclsResponseDescribeAclsResource as ResourceOut,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { type AclFilter, AclOperation, fromCode } from '../security/acls.ts';
import { authorizeCluster, authorizerOf } from '../security/authorizer.ts';

/** The request's filter as Kafka reads it; throws (closing the connection) on an UNKNOWN code. */
export function readFilter(f: {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}): AclFilter {
  if ([f.resourceTypeFilter, f.patternTypeFilter, f.operation, f.permissionType].includes(0)) {
    throw new ProtocolDecodeError('ACL filter contains UNKNOWN elements');
  }
  return {
    resourceType: fromCode.resourceType(f.resourceTypeFilter),
    resourceName: f.resourceNameFilter,
    patternType: fromCode.patternType(f.patternTypeFilter),
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: fromCode.operation(f.operation),
    permission: fromCode.permission(f.permissionType),
  };
}

export default defineHandler({
  key: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    const filter = readFilter(req);
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: null,
        resources: [],
      };
    }
    const az = authorizerOf(ctx.broker);
    if (!az) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: 'No Authorizer is configured on the broker',
        resources: [],
      };
    }
    const resources = new Map<string, Input<ResourceOut>>();
    for (const a of az.acls(filter)) {
      const key = JSON.stringify([a.resourceType, a.resourceName, a.patternType]);
      let r = resources.get(key);
      if (!r) {
        r = { resourceType: a.resourceType, resourceName: a.resourceName, patternType: a.patternType, acls: [] };
        resources.set(key, r);
      }
      (r.acls as object[]).push({
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permission,
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...resources.values()] };
  },
});
