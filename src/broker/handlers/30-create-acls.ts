/**
 * CreateAcls (key 30), versions 0-3.
 * - Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED for every
 *   creation); without an authorizer every creation is SECURITY_DISABLED.
 * - v0 has no pattern type: LITERAL.
 * - As Kafka: an UNKNOWN (0) code makes the request unparseable and closes
 *   the connection; ANY/MATCH codes cannot form an ACL and fail the whole
 *   request with UNKNOWN_SERVER_ERROR; then per ACL INVALID_REQUEST for a
 *   CLUSTER resource not named "kafka-cluster", an empty name, and codes
 *   Kafka does not know.
 * - Valid ACLs are stored durably (the metadata log) and audited; creating
 *   an ACL that exists already succeeds and stores nothing.
 */
import { ErrorCode, ProtocolDecodeError } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { type Acl, AclOperation, fromCode, invalidAclReason, unbuildableAcl } from '../security/acls.ts';
import { authorizeCluster, authorizerOf, clientHost } from '../security/authorizer.ts';

export default defineHandler({
  key: 30,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req) {
    for (const c of req.creations) {
      if ([c.resourceType, c.resourcePatternType, c.operation, c.permissionType].includes(0)) {
        throw new ProtocolDecodeError('CreatableAcls contain unknown elements');
      }
    }
    const all = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      results: req.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!authorizeCluster(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const az = authorizerOf(ctx.broker);
    if (!az) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const acls: Acl[] = req.creations.map((c) => ({
      resourceType: fromCode.resourceType(c.resourceType),
      resourceName: c.resourceName,
      patternType: fromCode.patternType(c.resourcePatternType),
      principal: c.principal,
      host: c.host,
      operation: fromCode.operation(c.operation),
      permission: fromCode.permission(c.permissionType),
    }));
    if (acls.some(unbuildableAcl)) return all(ErrorCode.UNKNOWN_SERVER_ERROR, null);
    const reasons = acls.map(invalidAclReason);
    az.create(
      acls.filter((_, i) => reasons[i] === null),
      { principal: ctx.principal, host: clientHost(ctx) },
    );
    return {
      throttleTimeMs: 0,
      results: reasons.map((r) =>
        r === null
          ? { errorCode: ErrorCode.NONE, errorMessage: null }
          : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: r },
      ),
    };
  },
});
