/**
 * Confluent's wire format: magic byte 0, the schema id as a big-endian
 * int32, then (PROTOBUF only) the message indexes, then the payload.
 *
 * Message indexes locate the message type in the .proto file: the path of
 * indexes from a top-level message down through nested ones. They are written
 * as a zigzag varint count followed by zigzag varint indexes, and the common
 * case `[0]` (first top-level message) as the single byte 0 — exactly as
 * Confluent's serializers (Java ByteUtils, JS BufferWrapper) do.
 */
import { SerdeError } from './errors.ts';
import type { SchemaType } from './types.ts';

export const MAGIC_BYTE = 0;

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** Bytes of the message-index list (`[0]` as the single byte 0). */
export function writeMessageIndexes(indexes: number[]): Buffer {
  if (indexes.length === 0 || (indexes.length === 1 && indexes[0] === 0)) return Buffer.from([0]);
  const out: number[] = [];
  const put = (v: number): void => {
    let u = zigzag(v);
    while (u >= 0x80) {
      out.push((u % 0x80) | 0x80);
      u = Math.floor(u / 0x80);
    }
    out.push(u);
  };
  put(indexes.length);
  for (const i of indexes) put(i);
  return Buffer.from(out);
}

/** Reads the message-index list at the start of `buf`; returns the indexes and the bytes after them. */
export function readMessageIndexes(buf: Buffer): { messageIndexes: number[]; payload: Buffer } {
  let pos = 0;
  const get = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new SerdeError('BAD_FRAMING', 'Message indexes are truncated');
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return unzigzag(result);
      mul *= 0x80;
    }
    throw new SerdeError('BAD_FRAMING', 'Message indexes: varint too long');
  };
  const count = get();
  if (count === 0) return { messageIndexes: [0], payload: buf.subarray(pos) };
  if (count < 0 || count > buf.length) throw new SerdeError('BAD_FRAMING', 'Message indexes are absent or malformed');
  const messageIndexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const idx = get();
    if (idx < 0) throw new SerdeError('BAD_FRAMING', 'Message indexes are absent or malformed');
    messageIndexes.push(idx);
  }
  return { messageIndexes, payload: buf.subarray(pos) };
}

/** Frames a payload: magic 0, int32 BE id, message indexes (PROTOBUF), payload. */
export function encodeFrame(id: number, payload: Buffer, messageIndexes?: number[]): Buffer {
  const idx = messageIndexes ? writeMessageIndexes(messageIndexes) : undefined;
  const out = Buffer.allocUnsafe(5 + (idx?.length ?? 0) + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  let pos = 5;
  if (idx) {
    idx.copy(out, pos);
    pos += idx.length;
  }
  payload.copy(out, pos);
  return out;
}

/**
 * Splits a framed buffer. Message indexes are read only for PROTOBUF; without
 * a schema type the payload starts right after the id.
 */
export function decodeFrame(
  buf: Buffer,
  schemaType?: SchemaType,
): { id: number; messageIndexes?: number[]; payload: Buffer } {
  if (!Buffer.isBuffer(buf) || buf.length === 0) {
    throw new SerdeError('BAD_FRAMING', 'Empty payload: expected magic byte 0 and a 4-byte schema id');
  }
  if (buf[0] !== MAGIC_BYTE) {
    throw new SerdeError('BAD_FRAMING', `Unknown magic byte ${buf[0]}: expected 0 (Confluent wire format)`);
  }
  if (buf.length < 5) {
    throw new SerdeError('BAD_FRAMING', `Payload of ${buf.length} bytes is too short for the 5-byte header`);
  }
  const id = buf.readInt32BE(1);
  const rest = buf.subarray(5);
  if (schemaType === 'PROTOBUF') {
    const { messageIndexes, payload } = readMessageIndexes(rest);
    return { id, messageIndexes, payload };
  }
  return { id, payload: rest };
}
