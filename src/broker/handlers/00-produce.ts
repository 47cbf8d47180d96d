/**
 * Produce (key 0), versions 3-11 served; 0-11 advertised, because librdkafka
 * only compresses when it sees Produce v0 in the range (KAFKA-18659). v0-2
 * (magic 0/1 message sets) close the connection, as on Kafka 4.
 * - acks must be -1, 0 or 1 (INVALID_REQUIRED_ACKS otherwise).
 * - Each partition's batches are validated (magic 2, CRC, size) and appended
 *   as received, with only the base offset patched.
 * - acks=all answers after the data is fsynced (group commit across requests);
 *   acks=1 after it reached the OS; acks=0 sends no response.
 * - Topic policies (produce-policy.ts): compression.type recompresses,
 *   timestamps outside the configured window get INVALID_TIMESTAMP.
 * - Errors are per partition: UNKNOWN_TOPIC_OR_PARTITION, CORRUPT_MESSAGE,
 *   MESSAGE_TOO_LARGE, INVALID_RECORD, INVALID_TIMESTAMP, KAFKA_STORAGE_ERROR.
 */
import {
  ErrorCode,
  type Input,
  type ProduceResponsePartitionProduceResponse as PartitionOut,
  type ProduceResponseTopicProduceResponse as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { applyProducePolicy, type ProducePolicy } from '../produce-policy.ts';

export default defineHandler({
  key: 0,
  minVersion: 3,
  maxVersion: 11,
  advertisedMin: 0,
  async handle(ctx, req) {
    const { broker } = ctx;
    const acks = req.acks;
    const validAcks = acks === -1 || acks === 0 || acks === 1;
    const now = Date.now();
    const policies = new Map<string, ProducePolicy>();
    const pending: Array<{ out: Input<PartitionOut>; flush?: Promise<void> }> = [];
    const responses: Input<TopicOut>[] = [];
    for (const t of req.topicData) {
      const partitionResponses: Input<PartitionOut>[] = [];
      for (const p of t.partitionData) {
        const out: Input<PartitionOut> = {
          index: p.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          errorMessage: null,
        };
        partitionResponses.push(out);
        try {
          if (!validAcks) {
            out.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
            continue;
          }
          const log = broker.log(t.name, p.index);
          if (!log) {
            out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            continue;
          }
          if (!p.records || p.records.length === 0) {
            out.errorCode = ErrorCode.CORRUPT_MESSAGE;
            out.errorMessage = 'The produce request has no record batches for this partition.';
            continue;
          }
          if (p.records.length >= 12 && p.records.readInt32BE(8) + 12 < p.records.length) {
            // ProduceRequest.validateRecords: v3+ carries exactly one batch per partition
            out.errorCode = ErrorCode.INVALID_RECORD;
            out.errorMessage =
              'Produce requests with version 3 or later must contain exactly one record batch per partition.';
            continue;
          }
          const meta = broker.metadata.topicsByName.get(t.name);
          const policy = meta ? (policies.get(t.name) ?? broker.producePolicy(meta)) : undefined;
          if (meta && policy) policies.set(t.name, policy);
          const records = policy ? applyProducePolicy(p.records, policy, now) : p.records;
          const result = log.append(records, { now });
          out.baseOffset = BigInt(result.baseOffset);
          out.logAppendTimeMs = BigInt(result.logAppendTime);
          out.logStartOffset = BigInt(log.logStartOffset);
          broker.waiters.notify(t.name, p.index);
          if (acks === -1) {
            const f = log.flush();
            pending.push({ out, flush: f });
          }
        } catch (err) {
          const e = toKafkaError(err);
          if (e.code === ErrorCode.UNKNOWN_SERVER_ERROR) broker.logger.error({ err }, 'produce failed');
          out.errorCode = e.code;
          out.errorMessage = e.errorMessage;
          out.baseOffset = -1n;
        }
      }
      responses.push({ name: t.name, partitionResponses });
    }
    // acks=all: the answer waits for fsync; a failed fsync fails the partition
    for (const p of pending) {
      try {
        await p.flush;
      } catch (err) {
        const e = toKafkaError(err);
        p.out.errorCode = e.code === ErrorCode.UNKNOWN_SERVER_ERROR ? ErrorCode.KAFKA_STORAGE_ERROR : e.code;
        p.out.errorMessage = e.errorMessage;
        p.out.baseOffset = -1n;
      }
    }
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});
