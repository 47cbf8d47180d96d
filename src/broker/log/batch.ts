/**
 * Byte-level access to record batch headers, for the append path and for
 * scans of segment files. Offsets and timestamps are read as JS numbers
 * (exact below 2^53) so the hot paths never allocate bigints.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import {
  BatchAttribute,
  BatchField,
  crc32c,
  decodeRecordBatch,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  RECORD_BATCH_HEADER_SIZE,
  RecordBatchError,
} from '../../protocol/records/index.ts';

export { BatchAttribute, BatchField, LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE };

/** The header fields the log works with. */
export interface BatchInfo {
  /** Position of the batch in the buffer or file it was read from. */
  position: number;
  /** Whole batch, batchLength + 12. */
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  attributes: number;
  recordsCount: number;
  producerId: number;
}

/** A signed big-endian int64 as a number (exact for |v| < 2^53). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

/** Parses a header known to be complete (`RECORD_BATCH_HEADER_SIZE` bytes at `at`). */
export function readBatchInfo(buf: Buffer, at: number, position = at): BatchInfo {
  const baseOffset = readInt64(buf, at);
  return {
    position,
    size: buf.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA),
    maxTimestamp: readInt64(buf, at + BatchField.MAX_TIMESTAMP),
    attributes: buf.readInt16BE(at + BatchField.ATTRIBUTES),
    recordsCount: buf.readInt32BE(at + BatchField.RECORDS_COUNT),
    producerId: readInt64(buf, at + BatchField.PRODUCER_ID),
  };
}

export const isControlBatch = (b: BatchInfo): boolean => (b.attributes & BatchAttribute.CONTROL) !== 0;
export const isTransactionalBatch = (b: BatchInfo): boolean => (b.attributes & BatchAttribute.TRANSACTIONAL) !== 0;
export const isLogAppendTime = (b: BatchInfo): boolean => (b.attributes & BatchAttribute.TIMESTAMP_TYPE) !== 0;

/** Whether the stored CRC-32C of the complete batch at `at` matches its bytes. */
export function crcMatches(buf: Buffer, at: number, size: number): boolean {
  return crc32c(buf.subarray(at + BatchField.ATTRIBUTES, at + size)) === buf.readUInt32BE(at + BatchField.CRC);
}

/**
 * Why a stored batch at `at` is not acceptable, or null if it is. `avail` is
 * how many bytes of the file follow `at`. Used by recovery to find the end of
 * the valid prefix of a segment.
 */
export function storedBatchProblem(buf: Buffer, at: number, avail: number): string | null {
  if (avail < RECORD_BATCH_HEADER_SIZE) return `torn header (${avail} bytes)`;
  const batchLength = buf.readInt32BE(at + BatchField.BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) return `batch length ${batchLength} below minimum`;
  if (batchLength + LOG_OVERHEAD > avail)
    return `torn batch (length ${batchLength}, ${avail - LOG_OVERHEAD} bytes left)`;
  const magic = buf.readInt8(at + BatchField.MAGIC);
  if (magic !== 2) return `magic ${magic}`;
  if (buf.readInt32BE(at + BatchField.LAST_OFFSET_DELTA) < 0) return 'negative lastOffsetDelta';
  return null;
}

const corrupt = (msg: string) => new KafkaError(ErrorCode.CORRUPT_MESSAGE, msg);
const invalid = (msg: string) => new KafkaError(ErrorCode.INVALID_RECORD, msg);

/** What {@link validateIncoming} needs to know about the log. */
export interface IncomingLimits {
  maxMessageBytes: number;
  /** Client batches are checked as Kafka's LogValidator does; internal ones (coordinators) may be control batches. */
  fromClient: boolean;
  /** Compacted topics need a key on every record, which means decoding. */
  requireKeys: boolean;
}

/**
 * Checks a Produce `records` field batch by batch, in Kafka's order:
 * framing and magic, then max.message.bytes, then CRC, then LogValidator's
 * rules for client batches. Throws a KafkaError with the code Kafka answers;
 * returns the batches' headers (positions within `buf`).
 */
export function validateIncoming(buf: Buffer, limits: IncomingLimits): BatchInfo[] {
  const out: BatchInfo[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const left = buf.length - pos;
    if (left < RECORD_BATCH_HEADER_SIZE) throw corrupt(`truncated record batch: ${left} bytes at position ${pos}`);
    const batchLength = buf.readInt32BE(pos + BatchField.BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`batch length ${batchLength} is below the minimum`);
    if (batchLength + LOG_OVERHEAD > left) {
      throw corrupt(`truncated record batch: length ${batchLength}, ${left - LOG_OVERHEAD} bytes follow`);
    }
    const magic = buf.readInt8(pos + BatchField.MAGIC);
    if (magic === 0 || magic === 1) {
      // As the records module (and Kafka's ProduceRequest.validateRecords) decides.
      throw invalid(`record batch has magic v${magic}; only magic v2 is supported`);
    }
    if (magic !== 2) throw corrupt(`invalid magic byte ${magic}`);
    const info = readBatchInfo(buf, pos);
    if (info.size > limits.maxMessageBytes) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `record batch of ${info.size} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`,
      );
    }
    if (!crcMatches(buf, pos, info.size)) throw corrupt(`CRC mismatch in record batch at position ${pos}`);
    const codec = info.attributes & BatchAttribute.COMPRESSION_MASK;
    if (codec > 4) throw new KafkaError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${codec}`);
    const lastOffsetDelta = info.lastOffset - info.baseOffset;
    if (lastOffsetDelta < 0) throw invalid(`negative lastOffsetDelta ${lastOffsetDelta}`);
    if (limits.fromClient) {
      if (info.recordsCount <= 0) throw invalid(`invalid record count ${info.recordsCount}`);
      if (lastOffsetDelta + 1 !== info.recordsCount) {
        throw invalid(`lastOffsetDelta ${lastOffsetDelta} disagrees with record count ${info.recordsCount}`);
      }
      if (isControlBatch(info)) throw invalid('clients may not write control batches');
      const baseSequence = buf.readInt32BE(pos + BatchField.BASE_SEQUENCE);
      if (info.producerId >= 0 && baseSequence < 0) throw invalid(`idempotent batch with sequence ${baseSequence}`);
    }
    if (limits.requireKeys && !isControlBatch(info)) checkKeys(buf, pos);
    out.push(info);
    pos += info.size;
  }
  if (out.length === 0) throw invalid('no record batch to append');
  return out;
}

function checkKeys(buf: Buffer, pos: number): void {
  try {
    const batch = decodeRecordBatch(buf, { offset: pos, verifyCrc: false });
    if (batch.records.some((r) => r.key === null))
      throw invalid('compacted topic cannot accept a record without a key');
  } catch (err) {
    if (err instanceof RecordBatchError) throw new KafkaError(err.code, err.message, { cause: err });
    throw err;
  }
}
