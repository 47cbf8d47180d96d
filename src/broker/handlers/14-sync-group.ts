/**
 * SyncGroup (key 14), versions 0-5.
 * - The leader sends the assignment; it is stored in `__consumer_offsets`
 *   and every member's SyncGroup is answered with its part (followers wait
 *   for the leader's). In a Stable group a member gets its assignment again.
 * - REBALANCE_IN_PROGRESS while preparing a rebalance; UNKNOWN_MEMBER_ID,
 *   FENCED_INSTANCE_ID, ILLEGAL_GENERATION for stale members;
 *   INCONSISTENT_GROUP_PROTOCOL when the protocol type or name differs from
 *   the group's (and in v5+ when either is missing, as Kafka requires them).
 * - Authorization (when on, after that check): READ on the group, else
 *   GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 14,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const v = ctx.apiVersion;
    if (v >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, assignment: Buffer.alloc(0) };
    }
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) };
    }
    ctx.broker.groups.watch(ctx.signal);
    const r = await ctx.broker.groups.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      assignment: r.assignment,
    };
  },
});
