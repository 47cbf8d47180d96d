/**
 * DeleteGroups (key 42), versions 0-2.
 * - Deletes Empty groups and their committed offsets (tombstones in
 *   `__consumer_offsets`, answered once on disk).
 * - NON_EMPTY_GROUP while the group has members, GROUP_ID_NOT_FOUND for an
 *   unknown group, COORDINATOR_LOAD_IN_PROGRESS while groups load. A group
 *   named twice is answered once.
 */
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const results = await ctx.broker.groups.deleteGroups([...new Set(req.groupsNames)]);
    return { throttleTimeMs: 0, results };
  },
});
