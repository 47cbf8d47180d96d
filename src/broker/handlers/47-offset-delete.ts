/**
 * OffsetDelete (key 47), version 0.
 * - Deletes a group's committed offsets for some partitions (tombstones in
 *   `__consumer_offsets`).
 * - Group errors: INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (a
 *   non-consumer group with members), COORDINATOR_LOAD_IN_PROGRESS.
 * - Partition errors: GROUP_SUBSCRIBED_TO_TOPIC while members of a consumer
 *   group subscribe to the topic; UNKNOWN_TOPIC_OR_PARTITION for partitions
 *   that do not exist (checked first, as Kafka does).
 * - Authorization (when on): DELETE on the group (else
 *   GROUP_AUTHORIZATION_FAILED), READ on each topic (else
 *   TOPIC_AUTHORIZATION_FAILED for its partitions, before existence).
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, filterAuthorized } from '../security/authorizer.ts';

export default defineHandler({
  key: 47,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, req) {
    const { broker } = ctx;
    if (!authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, req.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    }
    const readable = filterAuthorized(
      ctx,
      AclOperation.READ,
      ResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    const unknown = new Map<string, number[]>();
    const known: Array<{ name: string; partitions: number[] }> = [];
    for (const t of req.topics) {
      if (!readable.has(t.name)) continue;
      const meta = broker.metadata.topicsByName.get(t.name);
      const ok: number[] = [];
      for (const p of t.partitions) {
        if (meta && p.partitionIndex >= 0 && p.partitionIndex < meta.partitions) ok.push(p.partitionIndex);
        else unknown.set(t.name, [...(unknown.get(t.name) ?? []), p.partitionIndex]);
      }
      if (ok.length > 0) known.push({ name: t.name, partitions: ok });
    }
    const r = await broker.groups.offsets.delete(req.groupId, known);
    if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    const byTopic = new Map(r.topics.map((t) => [t.name, t.partitions]));
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const done = new Map((byTopic.get(t.name) ?? []).map((p) => [p.partitionIndex, p.errorCode]));
        return {
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: readable.has(t.name)
              ? (done.get(p.partitionIndex) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
              : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          })),
        };
      }),
    };
  },
});
