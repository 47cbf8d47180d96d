/**
 * The records inside a v2 batch (the part that gets compressed): each is
 * `length varint` · `attributes int8` · `timestampDelta varlong` ·
 * `offsetDelta varint` · key and value as `varint length (-1 = null) + bytes` ·
 * `headers varint count`, each `varint key length + UTF-8 key`, value as above.
 * Varints here are zigzag-signed.
 */
import { ProtocolDecodeError, Reader } from '../reader.ts';
import { Writer } from '../writer.ts';
import { RecordBatchError, RecordErrorCode } from './record-batch-error.ts';

/** A record header; keys are UTF-8 strings and never null. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * A record as stored in a batch, with offset and timestamp relative to the
 * batch. (Named KafkaRecord so it does not shadow TypeScript's `Record<K, V>`.)
 */
export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A record with its absolute offset and timestamp resolved. */
export interface DecodedRecord extends KafkaRecord {
  offset: bigint;
  /** baseTimestamp + timestampDelta, or the batch's maxTimestamp under LogAppendTime. */
  timestamp: bigint;
}

type Bytes = Uint8Array | string | null | undefined;

/** A record to encode; strings are written as UTF-8. */
export interface RecordInput {
  key?: Bytes;
  value?: Bytes;
  headers?: ReadonlyArray<{ key: string; value?: Bytes }>;
  /** Absolute timestamp in ms (default: now). */
  timestamp?: bigint | number;
  /** Offset relative to the batch (default: the record's index). */
  offsetDelta?: number;
}

/** Options for encodeRecordBatch. */
export interface EncodeRecordBatchOptions {
  records: ReadonlyArray<RecordInput>;
  /** Default 0 (producers send 0, the broker assigns). */
  baseOffset?: bigint;
  /** Default -1 (unknown; the broker sets it). */
  partitionLeaderEpoch?: number;
  /** Codec id 0..4, default 0. */
  compression?: number;
  /** Default CreateTime (0). */
  timestampType?: 0 | 1;
  transactional?: boolean;
  control?: boolean;
  /** Sets attribute bit 6; `baseTimestamp` then holds the delete horizon. */
  deleteHorizon?: boolean;
  /** Default -1 (not idempotent). */
  producerId?: bigint;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Default: the first record's timestamp (-1 for an empty batch). */
  baseTimestamp?: bigint;
  /** Default: the largest record timestamp (-1 for an empty batch). */
  maxTimestamp?: bigint;
  /** Default: the last record's offsetDelta (0 for an empty batch). */
  lastOffsetDelta?: number;
}

/** Header fields the record decoder needs. */
export interface RecordsContext {
  baseOffset: bigint;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  timestampType: number;
  recordsCount: number;
}

/** length, attributes, timestampDelta, offsetDelta, key, value, header count: one byte each at least. */
const MIN_RECORD_SIZE = 7;

function invalid(message: string, cause?: unknown): RecordBatchError {
  return new RecordBatchError(RecordErrorCode.INVALID_RECORD, message, { cause });
}

function readNullableBytes(r: Reader, what: string): Buffer | null {
  const n = r.readVarint();
  if (n === -1) return null;
  if (n < 0) throw invalid(`${what} has negative length ${n}`);
  return r.readBytesRaw(n);
}

/**
 * Decodes exactly `ctx.recordsCount` records filling `block`; anything left
 * over or missing, or a record whose fields disagree with its length prefix,
 * throws INVALID_RECORD.
 */
export function decodeRecords(block: Buffer, ctx: RecordsContext): DecodedRecord[] {
  const count = ctx.recordsCount;
  if (count > block.length / MIN_RECORD_SIZE) {
    throw invalid(`record count ${count} cannot fit in ${block.length} bytes of records`);
  }
  const logAppendTime = ctx.timestampType === 1;
  const records: DecodedRecord[] = new Array(count);
  const r = new Reader(block);
  try {
    for (let i = 0; i < count; i++) {
      const length = r.readVarint();
      const end = r.offset + length;
      if (length < 0 || end > block.length) {
        throw invalid(`record ${i} has length ${length} but ${block.length - r.offset} bytes are left`);
      }
      const attributes = r.readInt8();
      const timestampDelta = r.readVarlong();
      const offsetDelta = r.readVarint();
      const key = readNullableBytes(r, 'record key');
      const value = readNullableBytes(r, 'record value');
      const headerCount = r.readVarint();
      if (headerCount < 0 || headerCount > end - r.offset) throw invalid(`record ${i} has ${headerCount} headers`);
      const headers: RecordHeader[] = new Array(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyLength = r.readVarint();
        if (keyLength < 0) throw invalid(`record ${i} header ${h} has key length ${keyLength}`);
        const headerKey = r.readBytesRaw(keyLength).toString('utf8');
        headers[h] = { key: headerKey, value: readNullableBytes(r, 'header value') };
      }
      if (r.offset !== end)
        throw invalid(`record ${i} declares ${length} bytes but its fields take ${r.offset - end + length}`);
      records[i] = {
        attributes,
        timestampDelta,
        offsetDelta,
        key,
        value,
        headers,
        offset: ctx.baseOffset + BigInt(offsetDelta),
        timestamp: logAppendTime ? ctx.maxTimestamp : ctx.baseTimestamp + BigInt(timestampDelta),
      };
    }
  } catch (err) {
    if (err instanceof ProtocolDecodeError) throw invalid(`malformed record: ${err.message}`, err);
    throw err;
  }
  if (r.offset !== block.length) {
    throw invalid(`${block.length - r.offset} bytes left after the ${count} records the batch declares`);
  }
  return records;
}

// ---- encoding ------------------------------------------------------------

function sizeOfUVarint(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    n++;
  }
  return n;
}

const sizeOfVarint = (v: number): number => sizeOfUVarint(((v << 1) ^ (v >> 31)) >>> 0);
const sizeOfVarlong = (v: number): number => sizeOfUVarint(v >= 0 ? v * 2 : -v * 2 - 1);
const sizeOfBytes = (b: Buffer | null): number => (b === null ? 1 : sizeOfVarint(b.length) + b.length);

function toBytes(v: Bytes): Buffer | null {
  if (v == null) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

interface PreparedRecord {
  bodySize: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: Buffer; value: Buffer | null }>;
}

/** Values of the batch header that follow from the records. */
export interface RecordsMeta {
  count: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
}

/**
 * Encodes the records block into a Writer whose first `reserve` bytes are left
 * free for the batch header, and returns the header values it implies.
 */
export function encodeRecords(o: EncodeRecordBatchOptions, reserve: number): { writer: Writer; meta: RecordsMeta } {
  const inputs = o.records;
  let now: bigint | undefined;
  const timestamps = inputs.map((r) =>
    r.timestamp === undefined ? (now ??= BigInt(Date.now())) : BigInt(r.timestamp),
  );
  let maxTimestamp = timestamps.length ? timestamps[0]! : -1n;
  for (const t of timestamps) if (t > maxTimestamp) maxTimestamp = t;
  const baseTimestamp = o.baseTimestamp ?? (timestamps.length ? timestamps[0]! : -1n);

  let total = 0;
  const prepared: PreparedRecord[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const timestampDelta = Number(timestamps[i]! - baseTimestamp);
    if (!Number.isSafeInteger(timestampDelta)) throw new RangeError(`record ${i}: timestamp delta out of range`);
    const offsetDelta = input.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x7fffffff) {
      throw new RangeError(`record ${i}: invalid offsetDelta ${offsetDelta}`);
    }
    const key = toBytes(input.key);
    const value = toBytes(input.value);
    const headers = (input.headers ?? []).map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: toBytes(h.value) }));
    let bodySize =
      1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(key) + sizeOfBytes(value);
    bodySize += sizeOfVarint(headers.length);
    for (const h of headers) bodySize += sizeOfBytes(h.key) + sizeOfBytes(h.value);
    total += sizeOfVarint(bodySize) + bodySize;
    prepared[i] = { bodySize, timestampDelta, offsetDelta, key, value, headers };
  }

  const w = new Writer(reserve + total);
  w.offset = reserve;
  for (const p of prepared) {
    w.writeVarint(p.bodySize);
    w.writeInt8(0);
    w.writeVarlong(p.timestampDelta);
    w.writeVarint(p.offsetDelta);
    writeNullableBytes(w, p.key);
    writeNullableBytes(w, p.value);
    w.writeVarint(p.headers.length);
    for (const h of p.headers) {
      writeNullableBytes(w, h.key);
      writeNullableBytes(w, h.value);
    }
  }
  const last = prepared[prepared.length - 1];
  return {
    writer: w,
    meta: { count: prepared.length, lastOffsetDelta: last ? last.offsetDelta : 0, baseTimestamp, maxTimestamp },
  };
}

function writeNullableBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.writeVarint(-1);
    return;
  }
  w.writeVarint(b.length);
  w.writeRaw(b);
}
