/**
 * The typed error for everything that can be wrong with a record batch or its
 * compressed payload. `code` is the Kafka error code the broker answers with,
 * so a produce handler can copy it into the partition's `errorCode` as is.
 * `errorName` (from KafkaError) gives the code's Kafka name.
 *
 * Which code for which fault follows Apache Kafka (read at apache/kafka
 * 1eb7644, Oct 2024):
 * - magic 0/1 batch in Produce v3+ → INVALID_RECORD: `ProduceRequest.validateRecords`
 *   raises `org.apache.kafka.common.InvalidRecordException`, which `Errors`
 *   maps to 87; `KafkaApis.handleProduceRequest` turns it into the partition error.
 * - magic outside 0..2, or a batch length under the minimum → CORRUPT_MESSAGE:
 *   `ByteBufferLogInputStream.nextBatchSize` raises `CorruptRecordException`.
 * - CRC mismatch → CORRUPT_MESSAGE: `UnifiedLog.analyzeAndValidateRecords`
 *   and `DefaultRecordBatch.ensureValid`.
 * - a record that does not parse, a negative record count, records left over
 *   or missing → INVALID_RECORD: `DefaultRecord.readFrom` and
 *   `DefaultRecordBatch.RecordIterator` raise `InvalidRecordException`.
 * - codec id 5..7: Kafka's `CompressionType.forId` throws a plain
 *   IllegalArgumentException (which surfaces as UNKNOWN_SERVER_ERROR); we answer
 *   UNSUPPORTED_COMPRESSION_TYPE, the code Kafka uses for ZSTD in Produce < v7,
 *   which tells the client what is actually wrong.
 * - compressed bytes that fail to decompress: Kafka wraps the IOException in a
 *   KafkaException (UNKNOWN_SERVER_ERROR); we answer CORRUPT_MESSAGE.
 * - decompressed size over the configured cap (our own guard against
 *   decompression bombs, Kafka has none) → MESSAGE_TOO_LARGE, which makes the
 *   Java producer split the batch and retry.
 */

import { ErrorCode, KafkaError } from '../errors.ts';

/** The Kafka error codes that record-batch and compression checks produce. */
export const RecordErrorCode = {
  UNKNOWN_SERVER_ERROR: ErrorCode.UNKNOWN_SERVER_ERROR,
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  UNSUPPORTED_COMPRESSION_TYPE: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
} as const;

/** One of the {@link RecordErrorCode} values. */
export type RecordErrorCode = (typeof RecordErrorCode)[keyof typeof RecordErrorCode];

/**
 * A malformed, corrupt or unsupported record batch. It is a KafkaError, so
 * `toKafkaError` passes it through and the handler writes `code` into the
 * partition's errorCode.
 */
export class RecordBatchError extends KafkaError {
  override name = 'RecordBatchError';
  declare readonly code: RecordErrorCode;

  constructor(code: RecordErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
