/**
 * Heartbeat (key 12), versions 0-4.
 * - Keeps a member's session alive (pushes its session deadline back).
 * - REBALANCE_IN_PROGRESS while the group is preparing a rebalance (the
 *   member must rejoin); UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (v3+ static
 *   members), ILLEGAL_GENERATION for stale members; INVALID_GROUP_ID for an
 *   empty group id.
 * - While the coordinator loads, heartbeats are answered NONE (as Kafka).
 * - Authorization (when on): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 12,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const errorCode = ctx.broker.groups.heartbeat(
      req.groupId,
      req.memberId,
      ctx.apiVersion >= 3 ? req.groupInstanceId : null,
      req.generationId,
    );
    return { throttleTimeMs: 0, errorCode };
  },
});
