/**
 * The batch that is appended when some records went to a dead letter topic,
 * made the way log compaction rewrites a batch: the header stays (base
 * offset, producer id, epoch and base sequence, lastOffsetDelta, base
 * timestamp, attributes with the compression codec and transactional bit) and
 * only the surviving records are written, with their original offset and
 * timestamp deltas. The dropped records leave offset gaps, as compaction
 * does, so the batch still covers the producer's whole sequence range and
 * idempotent producers' accounting (and the offsets in the Produce response)
 * stay what they would have been. The records are recompressed with the
 * batch's codec and the CRC recomputed. A batch left with no records is
 * written uncompressed (an empty records block).
 */
import { encodeRecordBatchAsync, type RecordBatch, TimestampType } from '../../protocol/records/index.ts';

/** `batch` without the records whose index (within the batch) `drop` holds. */
export function rebuildBatch(batch: RecordBatch, drop: ReadonlySet<number>): Promise<Buffer> {
  const kept = batch.records.filter((_, i) => !drop.has(i));
  const logAppendTime = batch.timestampType === TimestampType.LOG_APPEND_TIME;
  return encodeRecordBatchAsync({
    records: kept.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      // the original delta, also under LogAppendTime (where the decoded timestamp is the batch's)
      timestamp: batch.baseTimestamp + BigInt(r.timestampDelta),
      offsetDelta: r.offsetDelta,
    })),
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: kept.length === 0 ? 0 : batch.compression,
    timestampType: logAppendTime ? 1 : 0,
    transactional: batch.isTransactional,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    lastOffsetDelta: batch.lastOffsetDelta,
    baseTimestamp: batch.baseTimestamp,
    // CreateTime: the largest timestamp of the records kept; LogAppendTime (or none kept): the batch's
    maxTimestamp: logAppendTime || kept.length === 0 ? batch.maxTimestamp : undefined,
  });
}
