/**
 * DescribeGroups (key 15), versions 0-5.
 * - State, protocol type, and members (client id, host, v4+ instance id);
 *   a Stable group also reports its protocol and each member's metadata and
 *   assignment (other states send them empty, as Kafka).
 * - An unknown group is reported in state Dead without an error;
 *   COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - v3+: the group's authorized operations when asked for.
 * - Authorization (when on): DESCRIBE on each group; the others come first,
 *   as GROUP_AUTHORIZATION_FAILED with nothing else (as Kafka's groupError).
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizationEnabled, authorize, authorizedOperations } from '../security/authorizer.ts';

const NOT_REQUESTED = -2147483648;

export default defineHandler({
  key: 15,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const withOps = ctx.apiVersion >= 3 && req.includeAuthorizedOperations;
    const allowed = req.groups.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g));
    const refused = req.groups
      .filter((g) => !allowed.includes(g))
      .map((groupId) => ({
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: NOT_REQUESTED,
      }));
    const groups = ctx.broker.groups.describeGroups(allowed, withOps);
    if (withOps && authorizationEnabled(ctx.broker)) {
      for (const g of groups) {
        if (g.errorCode === ErrorCode.NONE) {
          g.authorizedOperations = authorizedOperations(ctx, ResourceType.GROUP, g.groupId);
        }
      }
    }
    return { throttleTimeMs: 0, groups: [...refused, ...groups] };
  },
});
