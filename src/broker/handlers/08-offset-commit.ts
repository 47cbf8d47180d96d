/**
 * OffsetCommit (key 8), versions 0-9.
 * - Stores offsets in `__consumer_offsets`; answered once fsynced.
 * - Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION without
 *   reaching the coordinator (as Kafka).
 * - Generation -1 (v0, or a consumer without group management) commits into
 *   an Empty group, creating it if needed; otherwise the member and
 *   generation must be current: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 *   ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS. An unknown group with a
 *   generation: GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before.
 * - OFFSET_METADATA_TOO_LARGE past offset.metadata.max.bytes;
 *   COORDINATOR_LOAD_IN_PROGRESS while groups load.
 * - v1 per-partition commit timestamps and v2-4 retention times are kept
 *   (an explicit retention sets the offset's expire timestamp).
 * - Authorization (when on): READ on the group (else every partition
 *   GROUP_AUTHORIZATION_FAILED), then READ on each topic (else
 *   TOPIC_AUTHORIZATION_FAILED, before the existence check).
 */
import { ErrorCode } from '../../protocol/index.ts';
import type { OffsetCommitInput } from '../group/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, filterAuthorized } from '../security/authorizer.ts';

export default defineHandler({
  key: 8,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const { broker } = ctx;
    const topics: OffsetCommitInput['topics'] = [];
    const reply = (code: (topic: string, partition: number) => number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code(t.name, p.partitionIndex),
        })),
      })),
    });
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return reply(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const readable = filterAuthorized(
      ctx,
      AclOperation.READ,
      ResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    for (const t of req.topics) {
      if (!readable.has(t.name)) continue;
      const meta = broker.metadata.topicsByName.get(t.name);
      const partitions = t.partitions.filter(
        (p) => meta && p.partitionIndex >= 0 && p.partitionIndex < meta.partitions,
      );
      if (partitions.length > 0) topics.push({ name: t.name, partitions });
    }
    const done = new Map<string, number>();
    if (topics.length > 0) {
      const r = await broker.groups.offsets.commit({ ...req, topics }, ctx.apiVersion);
      for (const t of r) for (const p of t.partitions) done.set(`${t.name}\u0000${p.partitionIndex}`, p.errorCode);
    }
    return reply((topic, partition) =>
      readable.has(topic)
        ? (done.get(`${topic}\u0000${partition}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
  },
});
