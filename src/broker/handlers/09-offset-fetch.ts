/**
 * OffsetFetch (key 9), versions 0-9.
 * - v0-7: one group; v2+ may ask for all its offsets (topics null) and get a
 *   top-level error; before v2 a group error is repeated on every partition.
 * - v8+: several groups, each with its own error and topics.
 * - A partition without a committed offset (or an unknown group) answers
 *   offset -1 and empty metadata. v7+ requireStable: UNSTABLE_OFFSET_COMMIT
 *   where a transaction's offsets are still pending.
 * - COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - Authorization (when on): DESCRIBE on the group (else
 *   GROUP_AUTHORIZATION_FAILED for it); topics the principal may not
 *   DESCRIBE are answered TOPIC_AUTHORIZATION_FAILED when asked for and left
 *   out of an all-topics answer.
 */
import { ErrorCode } from '../../protocol/index.ts';
import type { FetchedOffsets } from '../group/index.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, filterAuthorized } from '../security/authorizer.ts';

type Wanted = ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null;

/** One group's offsets, as far as the principal may see them (KafkaApis.handleOffsetFetchRequestFromCoordinator). */
function fetchAuthorized(
  ctx: RequestContext,
  groupId: string,
  topics: Wanted,
  requireStable: boolean,
  member?: { memberId: string | null; memberEpoch: number },
): FetchedOffsets {
  const { offsets } = ctx.broker.groups;
  if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  }
  const describable = (names: string[]): Set<string> =>
    filterAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names);
  if (topics === null) {
    const r = offsets.fetch(groupId, null, requireStable, member);
    if (r.errorCode !== ErrorCode.NONE) return r;
    const ok = describable(r.topics.map((t) => t.name));
    return { ...r, topics: r.topics.filter((t) => ok.has(t.name)) };
  }
  const ok = describable(topics.map((t) => t.name));
  const r = offsets.fetch(
    groupId,
    topics.filter((t) => ok.has(t.name)),
    requireStable,
    member,
  );
  if (r.errorCode !== ErrorCode.NONE) return r;
  const refused = topics
    .filter((t) => !ok.has(t.name))
    .map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => ({
        partitionIndex: p,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    }));
  return { ...r, topics: [...r.topics, ...refused] };
}

export default defineHandler({
  key: 9,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const requireStable = v >= 7 && req.requireStable;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => ({
          groupId: g.groupId,
          // v9+: a consumer-group member names itself (checked against its epoch)
          ...fetchAuthorized(ctx, g.groupId, g.topics, requireStable, v >= 9 ? g : undefined),
        })),
      };
    }
    const topics = v >= 2 ? req.topics : (req.topics ?? []);
    const r: FetchedOffsets = fetchAuthorized(ctx, req.groupId, topics, requireStable);
    if (r.errorCode !== ErrorCode.NONE && v < 2) {
      // no top-level error before v2: every requested partition carries it
      return {
        throttleTimeMs: 0,
        topics: (topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => ({
            partitionIndex: p,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: r.errorCode,
          })),
        })),
      };
    }
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
  },
});
