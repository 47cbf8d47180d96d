/**
 * ListOffsets (key 2), versions 0-10.
 * - Timestamp -2 earliest (log start offset), -1 latest (high watermark, or
 *   the last stable offset with read_committed, v2+), -3 the record with the
 *   largest timestamp (v7+), -4/-5 earliest local/pending-upload (no tiered
 *   storage here: the log start offset), otherwise the first offset whose
 *   timestamp is at least the one asked for (offset -1 when there is none).
 * - As in Kafka, a timestamp lookup (and -3) finding an offset at or past the
 *   last fetchable one (the LSO with read_committed) answers offset -1.
 * - v0 answers with the old list of offsets (maxNumOffsets).
 * - Authorization (when on): DESCRIBE on each topic, else
 *   TOPIC_AUTHORIZATION_FAILED for its partitions.
 */
import {
  ErrorCode,
  type Input,
  type ListOffsetsResponseListOffsetsPartitionResponse as PartitionOut,
  type ListOffsetsResponseListOffsetsTopicResponse as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { filterAuthorized } from '../security/authorizer.ts';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const EARLIEST_PENDING_UPLOAD = -5n;

export default defineHandler({
  key: 2,
  minVersion: 0,
  maxVersion: 10,
  handle(ctx, req) {
    const { broker } = ctx;
    const topics: Input<TopicOut>[] = [];
    const describable = filterAuthorized(
      ctx,
      AclOperation.DESCRIBE,
      ResourceType.TOPIC,
      req.topics.map((t) => t.name),
    );
    for (const t of req.topics) {
      const partitions: Input<PartitionOut>[] = [];
      for (const p of t.partitions) {
        const out: Input<PartitionOut> = {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          timestamp: -1n,
          offset: -1n,
          leaderEpoch: -1,
        };
        partitions.push(out);
        if (!describable.has(t.name)) {
          out.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          continue;
        }
        const log = broker.log(t.name, p.partitionIndex);
        if (!log) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        try {
          const lastFetchable = req.isolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
          let found: { offset: number; timestamp: number } | null;
          if (p.timestamp === LATEST) found = { offset: lastFetchable, timestamp: -1 };
          else if (
            p.timestamp === EARLIEST ||
            p.timestamp === EARLIEST_LOCAL ||
            p.timestamp === EARLIEST_PENDING_UPLOAD
          ) {
            found = { offset: log.logStartOffset, timestamp: -1 };
          } else if (p.timestamp === MAX_TIMESTAMP) found = log.maxTimestampOffset();
          else if (p.timestamp < 0n) {
            out.errorCode = ErrorCode.INVALID_REQUEST;
            continue;
          } else found = log.offsetForTimestamp(Number(p.timestamp));
          const direct = p.timestamp === LATEST || p.timestamp === EARLIEST || p.timestamp === EARLIEST_LOCAL;
          if (found && !direct && found.offset >= lastFetchable) found = null;
          if (ctx.apiVersion === 0) {
            out.oldStyleOffsets = found && found.offset >= 0 && p.maxNumOffsets > 0 ? [BigInt(found.offset)] : [];
          } else if (found) {
            out.offset = BigInt(found.offset);
            out.timestamp = BigInt(found.timestamp);
            out.leaderEpoch = 0;
          }
        } catch (err) {
          out.errorCode = toKafkaError(err).code;
        }
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
});
