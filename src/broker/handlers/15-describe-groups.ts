/**
 * DescribeGroups (key 15), versions 0-5.
 * - State, protocol type, and members (client id, host, v4+ instance id);
 *   a Stable group also reports its protocol and each member's metadata and
 *   assignment (other states send them empty, as Kafka).
 * - An unknown group is reported in state Dead without an error;
 *   COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - v3+: the group's authorized operations when asked for.
 */
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 15,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const withOps = ctx.apiVersion >= 3 && req.includeAuthorizedOperations;
    return { throttleTimeMs: 0, groups: ctx.broker.groups.describeGroups(req.groups, withOps) };
  },
});
