/**
 * OffsetForLeaderEpoch (key 23), versions 0-4.
 * - One node leads every partition with leader epoch 0 since the log began,
 *   so the epoch cache Kafka keeps has the single entry (0, log start).
 * - Epoch 0: (0, log end offset). Epoch -1 (undefined) or any epoch above 0:
 *   (-1, -1), as Kafka answers for epochs it does not know. An epoch below -1
 *   is older than every known epoch: (that epoch, log start offset).
 * - v2+ currentLeaderEpoch: below 0 is FENCED_LEADER_EPOCH, above 0
 *   UNKNOWN_LEADER_EPOCH, -1 skips the check.
 * - Unknown partitions are UNKNOWN_TOPIC_OR_PARTITION.
 * - Authorization (when on): CLUSTER_ACTION on the cluster (brokers) or
 *   DESCRIBE on each topic (consumers, KIP-320), else
 *   TOPIC_AUTHORIZATION_FAILED.
 */
import {
  ErrorCode,
  type Input,
  type OffsetForLeaderEpochResponseEpochEndOffset as PartitionOut,
  type OffsetForLeaderEpochResponseOffsetForLeaderTopicResult as TopicOut,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizeCluster, filterAuthorized } from '../security/authorizer.ts';

const LEADER_EPOCH = 0;
const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1n;

export default defineHandler({
  key: 23,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const { broker } = ctx;
    const names = req.topics.map((t) => t.topic);
    const describable = authorizeCluster(ctx, AclOperation.CLUSTER_ACTION, { logIfDenied: false })
      ? new Set(names)
      : filterAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names);
    const topics: Input<TopicOut>[] = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p): Input<PartitionOut> => {
        const out = {
          errorCode: ErrorCode.NONE,
          partition: p.partition,
          leaderEpoch: UNDEFINED_EPOCH,
          endOffset: UNDEFINED_EPOCH_OFFSET,
        };
        if (!describable.has(t.topic)) return { ...out, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        const log = broker.log(t.topic, p.partition);
        if (!log) return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (p.currentLeaderEpoch !== UNDEFINED_EPOCH) {
          if (p.currentLeaderEpoch < LEADER_EPOCH) return { ...out, errorCode: ErrorCode.FENCED_LEADER_EPOCH };
          if (p.currentLeaderEpoch > LEADER_EPOCH) return { ...out, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
        }
        if (p.leaderEpoch === LEADER_EPOCH)
          return { ...out, leaderEpoch: LEADER_EPOCH, endOffset: BigInt(log.logEndOffset) };
        if (p.leaderEpoch < UNDEFINED_EPOCH)
          return { ...out, leaderEpoch: p.leaderEpoch, endOffset: BigInt(log.logStartOffset) };
        return out;
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
});
