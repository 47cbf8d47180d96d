/**
 * OffsetFetch (key 9), versions 0-9.
 * - v0-7: one group; v2+ may ask for all its offsets (topics null) and get a
 *   top-level error; before v2 a group error is repeated on every partition.
 * - v8+: several groups, each with its own error and topics.
 * - A partition without a committed offset (or an unknown group) answers
 *   offset -1 and empty metadata. v7+ requireStable: UNSTABLE_OFFSET_COMMIT
 *   where a transaction's offsets are still pending.
 * - COORDINATOR_LOAD_IN_PROGRESS while groups load.
 */
import { ErrorCode } from '../../protocol/index.ts';
import type { FetchedOffsets } from '../group/index.ts';
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 9,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const { offsets } = ctx.broker.groups;
    const requireStable = v >= 7 && req.requireStable;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => ({
          groupId: g.groupId,
          // v9+: a consumer-group member names itself (checked against its epoch)
          ...offsets.fetch(g.groupId, g.topics, requireStable, v >= 9 ? g : undefined),
        })),
      };
    }
    const topics = v >= 2 ? req.topics : (req.topics ?? []);
    const r: FetchedOffsets = offsets.fetch(req.groupId, topics, requireStable);
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
