/**
 * ConsumerGroupHeartbeat (key 68), versions 0-1: KIP-848 consumer groups,
 * logic in group/consumer-group-protocol.ts.
 * - Epoch 0 joins (v0: an empty member id gets one from the broker; v1: the
 *   client makes its own), -1 leaves, -2 leaves a static member for a while;
 *   the answer carries the member epoch, the heartbeat interval and, when it
 *   changed (or on a full request), the member's assignment.
 * - Partitions move between members only after their owner's heartbeat no
 *   longer lists them; the group epoch bumps on membership, subscription and
 *   topic metadata changes.
 * - INVALID_REQUEST for missing or invalid fields, UNSUPPORTED_ASSIGNOR,
 *   UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID,
 *   GROUP_ID_NOT_FOUND (unknown group, or a classic group in use),
 *   COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - Authorization (when on): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 68,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    const r = ctx.broker.groups.consumerGroupHeartbeat(req, {
      apiVersion: ctx.apiVersion,
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress.replace(/^::ffff:/, '')}`,
    });
    return { throttleTimeMs: 0, ...r };
  },
});
