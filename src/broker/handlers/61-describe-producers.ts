/**
 * DescribeProducers (key 61), version 0.
 * - Per partition, the producers the log keeps state for: producer id and
 *   epoch, last sequence and timestamp, coordinator epoch of the last marker
 *   and the first offset of the open transaction (-1 if none).
 * - An illegal topic name is INVALID_TOPIC_EXCEPTION (with Kafka's message),
 *   an unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION.
 * - Authorization (when on): READ on the topic, else
 *   TOPIC_AUTHORIZATION_FAILED (after the name check, before existence).
 */
import {
  ErrorCode,
  errorInfo,
  type Input,
  type DescribeProducersResponsePartitionResponse as PartitionOut,
  type DescribeProducersResponseTopicResponse as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { validateTopicName } from '../broker.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 61,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const { broker } = ctx;
    const topics: Input<TopicOut>[] = [];
    for (const t of req.topics) {
      let topicError: { code: number; message: string | null } | null = null;
      try {
        validateTopicName(t.name);
        if (!authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.name)) {
          const code = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          topicError = { code, message: errorInfo(code).message };
        } else if (!broker.metadata.topicsByName.has(t.name)) {
          topicError = { code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null };
        }
      } catch (err) {
        const e = toKafkaError(err);
        topicError = { code: e.code, message: e.errorMessage };
      }
      const partitions: Input<PartitionOut>[] = t.partitionIndexes.map((partitionIndex) => {
        if (topicError) return { partitionIndex, errorCode: topicError.code, errorMessage: topicError.message };
        const log = broker.log(t.name, partitionIndex);
        if (!log) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
        return {
          partitionIndex,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          activeProducers: log.activeProducers().map((p) => ({
            producerId: BigInt(p.producerId),
            producerEpoch: p.producerEpoch,
            lastSequence: p.lastSequence,
            lastTimestamp: BigInt(p.lastTimestamp),
            coordinatorEpoch: p.coordinatorEpoch,
            currentTxnStartOffset: BigInt(p.currentTxnStartOffset),
          })),
        };
      });
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
