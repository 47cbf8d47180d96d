/**
 * DeleteGroups (key 42), versions 0-2.
 * - Deletes Empty groups and their committed offsets (tombstones in
 *   `__consumer_offsets`, answered once on disk).
 * - NON_EMPTY_GROUP while the group has members, GROUP_ID_NOT_FOUND for an
 *   unknown group, COORDINATOR_LOAD_IN_PROGRESS while groups load. A group
 *   named twice is answered once.
 * - Authorization (when on): DELETE on each group; the others are answered
 *   GROUP_AUTHORIZATION_FAILED, after the rest.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { filterAuthorized } from '../security/authorizer.ts';

export default defineHandler({
  key: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const ids = [...new Set(req.groupsNames)];
    const deletable = filterAuthorized(ctx, AclOperation.DELETE, ResourceType.GROUP, ids);
    const results = await ctx.broker.groups.deleteGroups(ids.filter((g) => deletable.has(g)));
    const refused = ids
      .filter((g) => !deletable.has(g))
      .map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
    return { throttleTimeMs: 0, results: [...results, ...refused] };
  },
});
