/**
 * Record batches, magic v2 (the only format Produce v3+ / Fetch v4+ carry).
 *
 * Layout (big-endian): baseOffset int64 · batchLength int32 (bytes after this
 * field) · partitionLeaderEpoch int32 · magic int8 · crc uint32 · attributes
 * int16 · lastOffsetDelta int32 · baseTimestamp int64 · maxTimestamp int64 ·
 * producerId int64 · producerEpoch int16 · baseSequence int32 · recordsCount
 * int32 · records. The CRC-32C covers attributes..end, so the broker can patch
 * baseOffset and partitionLeaderEpoch in place without recomputing it.
 *
 * Decoded keys, values and header values of an uncompressed batch are views
 * into the input buffer, not copies.
 */
import { assertSupportedCodec, compress, compressSync, decompress, decompressSync } from './compression.ts';
import { crc32c } from './crc32c.ts';
import { RecordBatchError, RecordErrorCode } from './record-batch-error.ts';
import {
  type DecodedRecord,
  decodeRecords,
  type EncodeRecordBatchOptions,
  encodeRecords,
  type RecordsMeta,
} from './records-block.ts';

export type {
  DecodedRecord,
  EncodeRecordBatchOptions,
  KafkaRecord,
  RecordHeader,
  RecordInput,
} from './records-block.ts';

/** Size of the fixed batch header, up to and including recordsCount. */
export const RECORD_BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** The smallest valid batchLength (a header with no records). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_HEADER_SIZE - LOG_OVERHEAD;

/** Field positions inside a batch, for byte-level patching. */
export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  RECORDS: 61,
} as const;

/** Attribute bits of a batch. */
export const BatchAttribute = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

/** Timestamp types (attribute bit 3). */
export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const;
/** 0 CreateTime, 1 LogAppendTime. */
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Attribute bits as named flags. */
export interface BatchAttributeFlags {
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
}

/** The fixed header of a batch, plus the attribute bits spelled out. */
export interface RecordBatchHeader extends BatchAttributeFlags {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  /** Total bytes of the batch (batchLength + 12). */
  size: number;
}

/** A fully decoded batch. */
export interface RecordBatch extends RecordBatchHeader {
  records: DecodedRecord[];
}

/** Splits attribute bits into named flags. */
export function decodeAttributes(attributes: number): BatchAttributeFlags {
  return {
    compression: attributes & BatchAttribute.COMPRESSION_MASK,
    timestampType:
      attributes & BatchAttribute.TIMESTAMP_TYPE ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    isTransactional: (attributes & BatchAttribute.TRANSACTIONAL) !== 0,
    isControl: (attributes & BatchAttribute.CONTROL) !== 0,
    hasDeleteHorizon: (attributes & BatchAttribute.DELETE_HORIZON) !== 0,
  };
}

/** Builds attribute bits from named flags (missing flags are 0). */
export function encodeAttributes(flags: Partial<BatchAttributeFlags>): number {
  let a = (flags.compression ?? 0) & BatchAttribute.COMPRESSION_MASK;
  if (flags.timestampType === TimestampType.LOG_APPEND_TIME) a |= BatchAttribute.TIMESTAMP_TYPE;
  if (flags.isTransactional) a |= BatchAttribute.TRANSACTIONAL;
  if (flags.isControl) a |= BatchAttribute.CONTROL;
  if (flags.hasDeleteHorizon) a |= BatchAttribute.DELETE_HORIZON;
  return a;
}

/** The offset of the batch's last record: baseOffset + lastOffsetDelta. */
export function lastOffsetOf(header: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint {
  return header.baseOffset + BigInt(header.lastOffsetDelta);
}

// ---- validation helpers --------------------------------------------------

function corrupt(message: string): RecordBatchError {
  return new RecordBatchError(RecordErrorCode.CORRUPT_MESSAGE, message);
}

/** Magic 0/1 is Kafka's INVALID_RECORD (ProduceRequest.validateRecords); anything else but 2 is CORRUPT_MESSAGE. */
function checkMagic(magic: number): void {
  if (magic === 2) return;
  if (magic === 0 || magic === 1) {
    throw new RecordBatchError(
      RecordErrorCode.INVALID_RECORD,
      `record batch has magic v${magic} (legacy message set); only magic v2 is supported`,
    );
  }
  throw corrupt(`invalid magic byte ${magic}`);
}

/**
 * Validates the length prefix and magic of the batch at `offset` and returns
 * its total size; throws if the batch is not fully inside `buf`.
 */
function batchSizeAt(buf: Buffer, offset: number): number {
  const avail = buf.length - offset;
  if (offset < 0 || avail < BatchField.MAGIC + 1) {
    throw corrupt(`truncated record batch: ${Math.max(avail, 0)} bytes at offset ${offset}`);
  }
  checkMagic(buf.readInt8(offset + BatchField.MAGIC));
  const batchLength = buf.readInt32BE(offset + BatchField.BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH)
    throw corrupt(`batch length ${batchLength} is below the minimum ${MIN_BATCH_LENGTH}`);
  if (avail < LOG_OVERHEAD + batchLength) {
    throw corrupt(`truncated record batch: batch length ${batchLength} but only ${avail - LOG_OVERHEAD} bytes follow`);
  }
  return LOG_OVERHEAD + batchLength;
}

// ---- header, CRC, iteration ---------------------------------------------

/**
 * Reads the fixed header of the batch at `offset` without touching the
 * records. Checks magic, batchLength, and that the whole batch is present;
 * does not check the CRC.
 */
export function decodeRecordBatchHeader(buf: Buffer, offset = 0): RecordBatchHeader {
  const size = batchSizeAt(buf, offset);
  const attributes = buf.readInt16BE(offset + BatchField.ATTRIBUTES);
  return {
    baseOffset: buf.readBigInt64BE(offset),
    batchLength: size - LOG_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(offset + BatchField.PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(offset + BatchField.MAGIC),
    crc: buf.readUInt32BE(offset + BatchField.CRC),
    attributes,
    lastOffsetDelta: buf.readInt32BE(offset + BatchField.LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(offset + BatchField.BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(offset + BatchField.MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(offset + BatchField.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(offset + BatchField.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(offset + BatchField.BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(offset + BatchField.RECORDS_COUNT),
    size,
    ...decodeAttributes(attributes),
  };
}

/** CRC-32C of bytes attributes..end of the batch at `offset`. */
export function computeCrc(buf: Buffer, offset = 0): number {
  const size = batchSizeAt(buf, offset);
  return crc32c(buf.subarray(offset + BatchField.ATTRIBUTES, offset + size));
}

/**
 * Whether the stored CRC of the batch at `offset` matches its bytes. A batch
 * that is truncated or has a bad length or magic throws RecordBatchError.
 */
export function verifyCrc(buf: Buffer, offset = 0): boolean {
  return computeCrc(buf, offset) === buf.readUInt32BE(offset + BatchField.CRC);
}

/** Recomputes and stores the CRC of the batch at `offset`; returns it. */
export function updateCrc(buf: Buffer, offset = 0): number {
  const crc = computeCrc(buf, offset);
  buf.writeUInt32BE(crc, offset + BatchField.CRC);
  return crc;
}

/** One batch found by {@link iterateBatches}. */
export interface BatchSlice {
  /** Position of the batch in the buffer that was iterated. */
  offset: number;
  header: RecordBatchHeader;
  /** The batch's bytes (a view into the iterated buffer). */
  bytes: Buffer;
}

/** What {@link iterateBatches} returns when it is done. */
export interface BatchIterationEnd {
  /** Bytes taken by complete batches. */
  consumed: number;
  /** Bytes of an incomplete trailing batch that were skipped (0 if none). */
  trailingBytes: number;
}

/**
 * Walks concatenated batches (a Produce or Fetch `records` field). A partial
 * batch at the end — normal in Fetch responses cut at maxBytes — ends the walk
 * and is reported as `trailingBytes` in the generator's return value. A batch
 * with a bad length or magic throws {@link RecordBatchError}.
 */
export function* iterateBatches(buf: Buffer, start = 0, end = buf.length): Generator<BatchSlice, BatchIterationEnd> {
  end = Math.min(end, buf.length);
  const view = end === buf.length ? buf : buf.subarray(0, end);
  const first = Math.max(0, start);
  let pos = first;
  while (pos < end) {
    const left = end - pos;
    if (left < LOG_OVERHEAD) break;
    if (left > BatchField.MAGIC) checkMagic(view.readInt8(pos + BatchField.MAGIC));
    const batchLength = view.readInt32BE(pos + BatchField.BATCH_LENGTH);
    if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`batch length ${batchLength} at ${pos} is below the minimum`);
    if (left < LOG_OVERHEAD + batchLength) break;
    const header = decodeRecordBatchHeader(view, pos);
    yield { offset: pos, header, bytes: view.subarray(pos, pos + header.size) };
    pos += header.size;
  }
  return { consumed: pos - first, trailingBytes: Math.max(0, end - pos) };
}

/** {@link iterateBatches} collected into an array. */
export function splitBatches(buf: Buffer): { batches: BatchSlice[]; trailingBytes: number } {
  const batches: BatchSlice[] = [];
  const it = iterateBatches(buf);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { batches, trailingBytes: r.value.trailingBytes };
    batches.push(r.value);
  }
}

// ---- in-place patches (the broker's append path) -------------------------

/** Writes baseOffset of the batch at `offset` (not covered by the CRC). */
export function setBaseOffset(buf: Buffer, offset: number, baseOffset: bigint): void {
  batchSizeAt(buf, offset);
  buf.writeBigInt64BE(baseOffset, offset + BatchField.BASE_OFFSET);
}

/** Writes partitionLeaderEpoch of the batch at `offset` (not covered by the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, offset: number, epoch: number): void {
  batchSizeAt(buf, offset);
  buf.writeInt32BE(epoch, offset + BatchField.PARTITION_LEADER_EPOCH);
}

/**
 * Sets maxTimestamp and the timestamp-type bit (LogAppendTime by default) of
 * the batch at `offset` and recomputes the CRC. A no-op when both already hold.
 */
export function setMaxTimestamp(
  buf: Buffer,
  offset: number,
  maxTimestamp: bigint,
  timestampType: TimestampType = TimestampType.LOG_APPEND_TIME,
): void {
  batchSizeAt(buf, offset);
  const attributes = buf.readInt16BE(offset + BatchField.ATTRIBUTES);
  const next =
    timestampType === TimestampType.LOG_APPEND_TIME
      ? attributes | BatchAttribute.TIMESTAMP_TYPE
      : attributes & ~BatchAttribute.TIMESTAMP_TYPE;
  if (next === attributes && buf.readBigInt64BE(offset + BatchField.MAX_TIMESTAMP) === maxTimestamp) return;
  buf.writeInt16BE(next, offset + BatchField.ATTRIBUTES);
  buf.writeBigInt64BE(maxTimestamp, offset + BatchField.MAX_TIMESTAMP);
  updateCrc(buf, offset);
}

// ---- full decode ---------------------------------------------------------

/** Options for {@link decodeRecordBatch}. */
export interface DecodeRecordBatchOptions {
  /** Position of the batch in the buffer (default 0). */
  offset?: number;
  /** Check the CRC first and throw CORRUPT_MESSAGE on a mismatch (default true). */
  verifyCrc?: boolean;
  /** Cap on the decompressed records block (default 256 MiB). */
  maxDecompressedSize?: number;
}

function prepareDecode(buf: Buffer, options: DecodeRecordBatchOptions | undefined) {
  const offset = options?.offset ?? 0;
  const header = decodeRecordBatchHeader(buf, offset);
  if (options?.verifyCrc !== false) {
    const actual = crc32c(buf.subarray(offset + BatchField.ATTRIBUTES, offset + header.size));
    if (actual !== header.crc) throw corrupt(`CRC mismatch: stored ${header.crc}, computed ${actual}`);
  }
  if (header.recordsCount < 0) {
    throw new RecordBatchError(RecordErrorCode.INVALID_RECORD, `invalid record count ${header.recordsCount}`);
  }
  assertSupportedCodec(header.compression);
  const payload = buf.subarray(offset + RECORD_BATCH_HEADER_SIZE, offset + header.size);
  // An empty batch may carry no compressed stream at all.
  const raw = header.compression === 0 || (header.recordsCount === 0 && payload.length === 0);
  return { header, payload, raw };
}

/** Decodes the batch at `options.offset`, decompressing its records. */
export function decodeRecordBatch(buf: Buffer, options?: DecodeRecordBatchOptions): RecordBatch {
  const { header, payload, raw } = prepareDecode(buf, options);
  const block = raw ? payload : decompressSync(header.compression, payload, { maxSize: options?.maxDecompressedSize });
  return { ...header, records: decodeRecords(block, header) };
}

/** {@link decodeRecordBatch} with gzip/lz4 decompression off the main thread. */
export async function decodeRecordBatchAsync(buf: Buffer, options?: DecodeRecordBatchOptions): Promise<RecordBatch> {
  const { header, payload, raw } = prepareDecode(buf, options);
  const block = raw
    ? payload
    : await decompress(header.compression, payload, { maxSize: options?.maxDecompressedSize });
  return { ...header, records: decodeRecords(block, header) };
}

// ---- encode --------------------------------------------------------------

/** Builds a complete batch: header, records (compressed if asked), CRC. */
export function encodeRecordBatch(options: EncodeRecordBatchOptions): Buffer {
  const codec = options.compression ?? 0;
  assertSupportedCodec(codec);
  const block = encodeRecords(options, codec === 0 ? RECORD_BATCH_HEADER_SIZE : 0);
  if (codec === 0) return finishBatch(block.writer.buf.subarray(0, block.writer.offset), options, block.meta);
  const compressed = compressSync(codec, block.writer.finish());
  return finishBatch(withHeaderRoom(compressed), options, block.meta);
}

/** {@link encodeRecordBatch} with gzip/lz4 compression off the main thread. */
export async function encodeRecordBatchAsync(options: EncodeRecordBatchOptions): Promise<Buffer> {
  const codec = options.compression ?? 0;
  assertSupportedCodec(codec);
  if (codec === 0) return encodeRecordBatch(options);
  const block = encodeRecords(options, 0);
  const compressed = await compress(codec, block.writer.finish());
  return finishBatch(withHeaderRoom(compressed), options, block.meta);
}

function withHeaderRoom(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_SIZE + payload.length);
  payload.copy(out, RECORD_BATCH_HEADER_SIZE);
  return out;
}

/** Fills the header of `out` (records already at byte 61) and its CRC. */
function finishBatch(out: Buffer, o: EncodeRecordBatchOptions, meta: RecordsMeta): Buffer {
  const attributes = encodeAttributes({
    compression: o.compression ?? 0,
    timestampType: o.timestampType,
    isTransactional: o.transactional,
    isControl: o.control,
    hasDeleteHorizon: o.deleteHorizon,
  });
  out.writeBigInt64BE(o.baseOffset ?? 0n, BatchField.BASE_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  out.writeInt32BE(o.partitionLeaderEpoch ?? -1, BatchField.PARTITION_LEADER_EPOCH);
  out.writeInt8(2, BatchField.MAGIC);
  out.writeInt16BE(attributes, BatchField.ATTRIBUTES);
  out.writeInt32BE(o.lastOffsetDelta ?? meta.lastOffsetDelta, BatchField.LAST_OFFSET_DELTA);
  out.writeBigInt64BE(meta.baseTimestamp, BatchField.BASE_TIMESTAMP);
  out.writeBigInt64BE(o.maxTimestamp ?? meta.maxTimestamp, BatchField.MAX_TIMESTAMP);
  out.writeBigInt64BE(o.producerId ?? -1n, BatchField.PRODUCER_ID);
  out.writeInt16BE(o.producerEpoch ?? -1, BatchField.PRODUCER_EPOCH);
  out.writeInt32BE(o.baseSequence ?? -1, BatchField.BASE_SEQUENCE);
  out.writeInt32BE(meta.count, BatchField.RECORDS_COUNT);
  out.writeUInt32BE(crc32c(out.subarray(BatchField.ATTRIBUTES)), BatchField.CRC);
  return out;
}
