/**
 * Reader: a cursor over a Buffer that decodes Kafka's wire primitives.
 *
 * Every read checks bounds first and throws {@link ProtocolDecodeError} on a
 * short or malformed buffer, so a hostile frame can never make the broker read
 * past the end of a message or allocate an absurd array.
 */

/** Thrown when bytes on the wire do not decode as the expected structure. */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
}

/** An unknown tagged field kept verbatim so it round-trips. */
export interface RawTaggedField {
  tag: number;
  data: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Cursor-based decoder for Kafka protocol primitives. */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  #need(n: number): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new ProtocolDecodeError(
        `truncated input: need ${n} bytes at offset ${this.offset}, ${this.end - this.offset} left`,
      );
    }
  }

  readInt8(): number {
    this.#need(1);
    return this.buf.readInt8(this.offset++);
  }

  readUInt8(): number {
    this.#need(1);
    return this.buf[this.offset++] as number;
  }

  readBool(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.#need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readUInt16(): number {
    this.#need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.#need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readUInt32(): number {
    this.#need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.#need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  readFloat64(): number {
    this.#need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint up to 32 bits (Kafka's "unsigned varint"). */
  readUVarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.#need(1);
      const b = this.buf[this.offset++] as number;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new ProtocolDecodeError('unsigned varint is longer than 5 bytes');
  }

  /** Zigzag-encoded signed 32-bit varint (record fields). */
  readVarint(): number {
    const raw = this.readUVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zigzag-encoded signed 64-bit varint, returned as a number (exact for |v| < 2^52). */
  readVarlong(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      this.#need(1);
      const b = this.buf[this.offset++] as number;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if ((b & 0x80) === 0) {
        const u = (hi >>> 0) * 4294967296 + (lo >>> 0);
        // zigzag decode on the 64-bit unsigned value
        return lo & 1 ? -Math.floor(u / 2) - 1 : Math.floor(u / 2);
      }
      shift += 7;
    }
    throw new ProtocolDecodeError('varlong is longer than 10 bytes');
  }

  readBytesRaw(n: number): Buffer {
    this.#need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  #utf8(n: number): string {
    this.#need(n);
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** int16-length string; -1 is an error here. */
  readString(): string {
    const n = this.readInt16();
    if (n < 0) throw new ProtocolDecodeError(`non-nullable string has length ${n}`);
    return this.#utf8(n);
  }

  readNullableString(): string | null {
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolDecodeError(`string has invalid length ${n}`);
    return this.#utf8(n);
  }

  readCompactString(): string {
    const n = this.readUVarint() - 1;
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact string is null');
    return this.#utf8(n);
  }

  readCompactNullableString(): string | null {
    const n = this.readUVarint() - 1;
    return n < 0 ? null : this.#utf8(n);
  }

  readBytes(): Buffer {
    const n = this.readInt32();
    if (n < 0) throw new ProtocolDecodeError(`non-nullable bytes has length ${n}`);
    return this.readBytesRaw(n);
  }

  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolDecodeError(`bytes has invalid length ${n}`);
    return this.readBytesRaw(n);
  }

  readCompactBytes(): Buffer {
    const n = this.readUVarint() - 1;
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact bytes is null');
    return this.readBytesRaw(n);
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUVarint() - 1;
    return n < 0 ? null : this.readBytesRaw(n);
  }

  /** A UUID as Kafka prints it: 22 characters of URL-safe base64, no padding. */
  readUuid(): string {
    return this.readBytesRaw(16).toString('base64url');
  }

  /**
   * Array length (int32, or compact uvarint+1). Returns -1 for null. Each
   * element takes at least one byte, so a length larger than the bytes left is
   * rejected before anything is allocated.
   */
  readArrayLength(compact: boolean): number {
    const n = compact ? this.readUVarint() - 1 : this.readInt32();
    if (n < -1) throw new ProtocolDecodeError(`array has invalid length ${n}`);
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`array length ${n} exceeds the ${this.end - this.offset} bytes left`);
    }
    return n;
  }

  /**
   * Reads a tagged-field section. Known tags are handed to `onTag`, which
   * returns false for a tag it does not know; unknown ones are returned raw.
   */
  readTaggedFields(onTag?: (tag: number, r: Reader) => boolean): RawTaggedField[] | undefined {
    const count = this.readUVarint();
    let unknown: RawTaggedField[] | undefined;
    let last = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.readUVarint();
      if (tag <= last) throw new ProtocolDecodeError(`tagged fields out of order: ${tag} after ${last}`);
      last = tag;
      const size = this.readUVarint();
      this.#need(size);
      const sub = new Reader(this.buf, this.offset, this.offset + size);
      if (onTag?.(tag, sub)) {
        if (sub.offset !== sub.end) {
          throw new ProtocolDecodeError(`tagged field ${tag} has ${sub.end - sub.offset} trailing bytes`);
        }
      } else {
        if (!unknown) unknown = [];
        unknown.push({ tag, data: this.buf.subarray(this.offset, this.offset + size) });
      }
      this.offset += size;
    }
    return unknown;
  }
}

export { EMPTY as EMPTY_BUFFER };
