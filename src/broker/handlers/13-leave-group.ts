/**
 * LeaveGroup (key 13), versions 0-5.
 * - v0-2: one member (the request's member id), its error at top level.
 * - v3+: a batch of members, each by member id or, with an empty member id,
 *   by group.instance.id (administrative removal of static members); one
 *   error per member (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID).
 * - Leaving members make the group rebalance; an unknown group answers
 *   UNKNOWN_MEMBER_ID for every member.
 * - Authorization (when on): READ on the group, else
 *   GROUP_AUTHORIZATION_FAILED (no members).
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 13,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    }
    const members =
      v >= 3
        ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
        : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const r = ctx.broker.groups.leaveGroup(req.groupId, members);
    if (v < 3) return { throttleTimeMs: 0, errorCode: r.errorCode || (r.members[0] ?? 0) };
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      members: r.members.map((errorCode, i) => ({
        memberId: members[i]?.memberId ?? '',
        groupInstanceId: members[i]?.groupInstanceId ?? null,
        errorCode,
      })),
    };
  },
});
