/**
 * ConsumerGroupDescribe (key 69), version 0.
 * - Each KIP-848 consumer group's state (Empty, Assigning, Reconciling,
 *   Stable), group and assignment epochs, assignor, and members with their
 *   epoch, subscription, current and target assignment (topic ids and names).
 * - GROUP_ID_NOT_FOUND for an unknown group or a classic one (with Kafka's
 *   message); COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - The authorized operations when asked for.
 * - Authorization (when on): DESCRIBE on each group; the others come first,
 *   as GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizationEnabled, authorize, authorizedOperations } from '../security/authorizer.ts';

export default defineHandler({
  key: 69,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const allowed = req.groupIds.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const refused = req.groupIds
      .filter((g) => !allowed.includes(g))
      .map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
    const groups = ctx.broker.groups.consumerGroupDescribe(allowed, req.includeAuthorizedOperations);
    if (req.includeAuthorizedOperations && authorizationEnabled(ctx.broker)) {
      for (const g of groups) {
        if (g.errorCode === ErrorCode.NONE) {
          g.authorizedOperations = authorizedOperations(ctx, ResourceType.GROUP, g.groupId);
        }
      }
    }
    return { throttleTimeMs: 0, groups: [...refused, ...groups] };
  },
});
