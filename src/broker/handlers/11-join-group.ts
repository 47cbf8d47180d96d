/**
 * JoinGroup (key 11), versions 0-9.
 * - Classic group membership; the rebalance logic is in group/classic-protocol.ts.
 * - v4+: a dynamic member without an id gets MEMBER_ID_REQUIRED and its id,
 *   and joins again with it; static members (v5+ group.instance.id) join
 *   directly, replacing their previous member id.
 * - The answer waits for the join phase to end (all members rejoined, the
 *   rebalance timeout, or group.initial.rebalance.delay.ms for a new group).
 * - INVALID_GROUP_ID for an empty id, INVALID_SESSION_TIMEOUT outside
 *   group.min/max.session.timeout.ms, GROUP_MAX_SIZE_REACHED past
 *   group.max.size, INCONSISTENT_GROUP_PROTOCOL when no protocol is shared,
 *   COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - v0 has no rebalance timeout: the session timeout is used (as Kafka);
 *   before v7 a missing protocol name is sent as "".
 * - Authorization (when on): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 11,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const v = ctx.apiVersion;
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        generationId: -1,
        protocolName: v >= 7 ? null : '',
        leader: '',
        memberId: '',
        members: [],
      };
    }
    ctx.broker.groups.watch(ctx.signal);
    const r = await ctx.broker.groups.joinGroup({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: v >= 5 ? req.groupInstanceId : null,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      reason: req.reason,
      clientId: ctx.header.clientId ?? '',
      // Kafka reports the client's InetAddress, printed with a leading slash
      clientHost: `/${ctx.connection.remoteAddress.replace(/^::ffff:/, '')}`,
      apiVersion: v,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: v < 7 ? (r.protocolName ?? '') : r.protocolName,
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    };
  },
});
