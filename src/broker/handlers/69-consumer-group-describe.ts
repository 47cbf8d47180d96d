/**
 * ConsumerGroupDescribe (key 69), version 0.
 * - Each KIP-848 consumer group's state (Empty, Assigning, Reconciling,
 *   Stable), group and assignment epochs, assignor, and members with their
 *   epoch, subscription, current and target assignment (topic ids and names).
 * - GROUP_ID_NOT_FOUND for an unknown group or a classic one (with Kafka's
 *   message); COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - The authorized operations when asked for.
 */
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 69,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      groups: ctx.broker.groups.consumerGroupDescribe(req.groupIds, req.includeAuthorizedOperations),
    };
  },
});
