/**
 * Topic policies applied to produced batches before they reach the log:
 * - `compression.type`: when it names a codec (not `producer`), batches in
 *   another codec are recompressed, as Kafka's LogValidator does. This is the
 *   only produce path that decodes records; `producer` (the default) keeps the
 *   bytes as received.
 * - `message.timestamp.before.max.ms` / `after.max.ms`: CreateTime batches
 *   outside the window get INVALID_TIMESTAMP.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { CompressionCodec, decodeRecordBatch, encodeRecordBatch, splitBatches } from '../protocol/records/index.ts';

const CODECS: Record<string, number> = {
  uncompressed: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD,
};

/** The topic settings the policy needs. */
export interface ProducePolicy {
  compressionType: string;
  timestampType: 'CreateTime' | 'LogAppendTime';
  beforeMaxMs: number;
  afterMaxMs: number;
}

/** Applies the policy to the batches of one partition; returns the bytes to append. */
export function applyProducePolicy(records: Buffer, policy: ProducePolicy, now: number): Buffer {
  const target = CODECS[policy.compressionType];
  const checkTime =
    policy.timestampType === 'CreateTime' &&
    (policy.beforeMaxMs < Number.MAX_SAFE_INTEGER || policy.afterMaxMs < Number.MAX_SAFE_INTEGER);
  if (target === undefined && !checkTime) return records;
  const { batches } = splitBatches(records);
  let changed = false;
  const out: Buffer[] = [];
  for (const b of batches) {
    const h = b.header;
    if (checkTime && !h.isControl) {
      const max = Number(h.maxTimestamp);
      const first = Number(h.baseTimestamp);
      if (max - now > policy.afterMaxMs || now - first > policy.beforeMaxMs) {
        throw new KafkaError(
          ErrorCode.INVALID_TIMESTAMP,
          `Timestamp ${now - first > policy.beforeMaxMs ? first : max} of a record is out of range: the topic accepts ${policy.beforeMaxMs} ms before and ${policy.afterMaxMs} ms after the broker's time ${now}.`,
        );
      }
    }
    if (target === undefined || h.compression === target || h.isControl || h.magic !== 2) {
      out.push(b.bytes);
      continue;
    }
    const full = decodeRecordBatch(b.bytes);
    out.push(
      encodeRecordBatch({
        records: full.records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
          offsetDelta: r.offsetDelta,
        })),
        compression: target,
        timestampType: h.timestampType,
        transactional: h.isTransactional,
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
        baseTimestamp: h.baseTimestamp,
        maxTimestamp: h.maxTimestamp,
        lastOffsetDelta: h.lastOffsetDelta,
      }),
    );
    changed = true;
  }
  return changed ? Buffer.concat(out) : records;
}
