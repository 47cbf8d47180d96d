/**
 * Writer: a growable buffer that encodes Kafka's wire primitives.
 */
import type { RawTaggedField } from './reader.ts';

const UUID_ZERO = Buffer.alloc(16);

/** Growable encoder for Kafka protocol primitives. */
export class Writer {
  buf: Buffer;
  offset = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  writeInt8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset);
    this.offset += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  writeBool(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  writeInt64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.offset);
    this.offset += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
    return this;
  }

  writeUVarint(v: number): this {
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.offset++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.offset++] = x;
    return this;
  }

  writeVarint(v: number): this {
    return this.writeUVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zigzag signed 64-bit varint from a number (exact for |v| < 2^52). */
  writeVarlong(v: number): this {
    this.ensure(10);
    // zigzag: 2v for v >= 0, -2v-1 for v < 0, computed in float64 (exact for |v| < 2^52)
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 0x80) {
      this.buf[this.offset++] = (u % 0x80) | 0x80;
      u = Math.floor(u / 0x80);
    }
    this.buf[this.offset++] = u;
    return this;
  }

  writeRaw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  #utf8(s: string, len: number): void {
    this.ensure(len);
    this.buf.write(s, this.offset, len, 'utf8');
    this.offset += len;
  }

  writeString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes exceeds int16 length`);
    this.writeInt16(len);
    this.#utf8(s, len);
    return this;
  }

  writeNullableString(s: string | null | undefined): this {
    if (s == null) return this.writeInt16(-1);
    return this.writeString(s);
  }

  writeCompactString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.writeUVarint(len + 1);
    this.#utf8(s, len);
    return this;
  }

  writeCompactNullableString(s: string | null | undefined): this {
    if (s == null) return this.writeUVarint(0);
    return this.writeCompactString(s);
  }

  writeBytes(b: Uint8Array): this {
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeNullableBytes(b: Uint8Array | null | undefined): this {
    if (b == null) return this.writeInt32(-1);
    return this.writeBytes(b);
  }

  writeCompactBytes(b: Uint8Array): this {
    this.writeUVarint(b.length + 1);
    return this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null | undefined): this {
    if (b == null) return this.writeUVarint(0);
    return this.writeCompactBytes(b);
  }

  /** A UUID in Kafka's printed form (22 chars of URL-safe base64). */
  writeUuid(id: string | null | undefined): this {
    if (!id) return this.writeRaw(UUID_ZERO);
    const b = Buffer.from(id, 'base64url');
    if (b.length !== 16) throw new RangeError(`invalid UUID ${JSON.stringify(id)}`);
    return this.writeRaw(b);
  }

  writeArrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.writeUVarint(n === null ? 0 : n + 1);
    return this.writeInt32(n === null ? -1 : n);
  }

  /**
   * Writes a tagged-field section: `known` are [tag, encoder] pairs for fields
   * that differ from their defaults; `unknown` are raw fields kept from
   * decoding. Tags are written in ascending order.
   */
  writeTaggedFields(known: Array<[number, (w: Writer) => void]> | undefined, unknown?: RawTaggedField[]): this {
    const all: Array<[number, Buffer | ((w: Writer) => void)]> = [];
    if (known) for (const k of known) all.push(k);
    if (unknown) for (const u of unknown) all.push([u.tag, u.data]);
    if (all.length > 1) all.sort((a, b) => a[0] - b[0]);
    this.writeUVarint(all.length);
    for (const [tag, body] of all) {
      this.writeUVarint(tag);
      if (Buffer.isBuffer(body)) {
        this.writeUVarint(body.length);
        this.writeRaw(body);
      } else {
        const sub = new Writer(64);
        body(sub);
        const bytes = sub.finish();
        this.writeUVarint(bytes.length);
        this.writeRaw(bytes);
      }
    }
    return this;
  }

  /** Writes zero tagged fields (the common case). */
  writeEmptyTaggedFields(): this {
    return this.writeUInt8(0);
  }
}

/** Base64url of the all-zero UUID, Kafka's `Uuid.ZERO_UUID`. */
export const ZERO_UUID = UUID_ZERO.toString('base64url');
