/**
 * DeleteRecords (key 21), versions 0-2.
 * - Moves a partition's log start offset up to `offset` (-1: the high
 *   watermark) and answers the new low watermark; records below it are no
 *   longer readable (fetches there get OFFSET_OUT_OF_RANGE).
 * - An offset above the high watermark, or another negative one, is
 *   OFFSET_OUT_OF_RANGE; asking for less than the current start is a no-op.
 * - Topics without the delete cleanup policy get POLICY_VIOLATION, internal
 *   topics INVALID_TOPIC_EXCEPTION, unknown partitions
 *   UNKNOWN_TOPIC_OR_PARTITION; a failed partition reports low watermark -1.
 * - One replica, so the answer never waits for followers.
 * - Authorization (when on): DELETE on each topic, else
 *   TOPIC_AUTHORIZATION_FAILED for its partitions, checked first.
 */
import {
  ErrorCode,
  type Input,
  KafkaError,
  type DeleteRecordsResponseDeleteRecordsPartitionResult as PartitionOut,
  type DeleteRecordsResponseDeleteRecordsTopicResult as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { filterAuthorized } from '../security/authorizer.ts';

const HIGH_WATERMARK = -1n;
const INTERNAL = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export default defineHandler({
  key: 21,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const { broker } = ctx;
    const topics: Input<TopicOut>[] = [];
    const deletable = filterAuthorized(
      ctx,
      AclOperation.DELETE,
      ResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    for (const t of req.topics) {
      const partitions: Input<PartitionOut>[] = [];
      for (const p of t.partitions) {
        const where = `${t.name}-${p.partitionIndex}`;
        try {
          if (!deletable.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (INTERNAL.has(t.name)) {
            throw new KafkaError(
              ErrorCode.INVALID_TOPIC_EXCEPTION,
              `Cannot delete records of internal topic ${t.name}`,
            );
          }
          const log = broker.log(t.name, p.partitionIndex);
          const topic = broker.metadata.topicsByName.get(t.name);
          if (!log || !topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const policy = broker
            .topicConfig(topic, 'cleanup.policy')
            .split(',')
            .map((s) => s.trim());
          if (!policy.includes('delete')) {
            throw new KafkaError(
              ErrorCode.POLICY_VIOLATION,
              `Records of partition ${where} can not be deleted due to the configured policy`,
            );
          }
          const hw = log.highWatermark;
          const offset = p.offset === HIGH_WATERMARK ? hw : Number(p.offset);
          if (offset < 0) {
            throw new KafkaError(
              ErrorCode.OFFSET_OUT_OF_RANGE,
              `The offset ${offset} for partition ${where} is not valid`,
            );
          }
          if (offset > hw) {
            throw new KafkaError(
              ErrorCode.OFFSET_OUT_OF_RANGE,
              `Cannot increment the log start offset to ${offset} of partition ${where} since it is larger than the high watermark ${hw}`,
            );
          }
          const before = log.logStartOffset;
          const low = await log.deleteRecordsBefore(offset);
          if (low > before) {
            broker.logger.info({ partition: where, logStartOffset: low }, 'deleted records');
            // fetch sessions report the new log start offset
            broker.waiters.notify(t.name, p.partitionIndex);
          }
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: BigInt(low), errorCode: ErrorCode.NONE });
        } catch (err) {
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: toKafkaError(err).code });
        }
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
