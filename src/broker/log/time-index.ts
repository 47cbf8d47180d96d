/**
 * The time index of one segment: entries of (timestamp, offset) saying "up
 * to the batch ending at this offset, the largest timestamp is this". An
 * entry is added only when the largest timestamp grows, at most once per
 * index interval, plus a final one when the segment stops being active. The
 * `.timeindex` file holds big-endian int64 timestamp + int32 relative offset
 * pairs — Kafka's format.
 */
import { readInt64 } from './batch.ts';

export const TIME_ENTRY_SIZE = 12;

/** A time index entry with its absolute offset. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  readonly baseOffset: number;
  #ts: Float64Array;
  #rel: Int32Array;
  #n = 0;
  #clean = 0;
  maxEntries: number;

  constructor(baseOffset: number, maxEntries: number) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, maxEntries);
    this.#ts = new Float64Array(32);
    this.#rel = new Int32Array(32);
  }

  get entries(): number {
    return this.#n;
  }
  get isFull(): boolean {
    return this.#n >= this.maxEntries;
  }
  get dirty(): boolean {
    return this.#clean !== this.#n;
  }
  get firstDirty(): number {
    return this.#clean;
  }
  markPersisted(): void {
    this.#clean = this.#n;
  }

  last(): TimestampOffset | null {
    return this.#n === 0 ? null : this.entry(this.#n - 1);
  }

  entry(i: number): TimestampOffset {
    return { timestamp: this.#ts[i]!, offset: this.baseOffset + this.#rel[i]! };
  }

  /** Adds an entry if `timestamp` is larger than the last one's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.last();
    if (last && (timestamp <= last.timestamp || offset < last.offset)) return;
    if (this.#n === this.#ts.length) {
      const ts = new Float64Array(this.#n * 2);
      ts.set(this.#ts);
      const rel = new Int32Array(this.#n * 2);
      rel.set(this.#rel);
      this.#ts = ts;
      this.#rel = rel;
    }
    this.#ts[this.#n] = timestamp;
    this.#rel[this.#n] = offset - this.baseOffset;
    this.#n++;
  }

  /** The offset of the last entry whose timestamp is below `timestamp`, or the base offset. */
  lookupBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.#n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.#rel[found]!;
  }

  /** Drops entries pointing at or past `offset` (the segment was truncated below it). */
  truncateToOffset(offset: number): void {
    let n = this.#n;
    while (n > 0 && this.baseOffset + this.#rel[n - 1]! >= offset) n--;
    this.#n = n;
    this.#clean = Math.min(this.#clean, n);
  }

  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.#n - from) * TIME_ENTRY_SIZE);
    for (let i = from, p = 0; i < this.#n; i++, p += TIME_ENTRY_SIZE) {
      buf.writeBigInt64BE(BigInt(this.#ts[i]!), p);
      buf.writeInt32BE(this.#rel[i]!, p + 8);
    }
    return buf;
  }

  /** Loads a `.timeindex` file's bytes, or returns why they cannot be trusted. */
  static decode(baseOffset: number, buf: Buffer, maxEntries: number, nextOffset: number): TimeIndex | string {
    if (buf.length % TIME_ENTRY_SIZE !== 0) return `time index size ${buf.length} is not a multiple of 12`;
    const idx = new TimeIndex(baseOffset, maxEntries);
    for (let p = 0; p < buf.length; p += TIME_ENTRY_SIZE) {
      const ts = readInt64(buf, p);
      const rel = buf.readInt32BE(p + 8);
      const last = idx.last();
      if (rel < 0 || baseOffset + rel >= nextOffset) return `time index entry ${p / 12} is out of range`;
      if (last && (ts <= last.timestamp || baseOffset + rel < last.offset)) {
        return `time index entry ${p / 12} does not increase`;
      }
      idx.maybeAppend(ts, baseOffset + rel);
    }
    idx.markPersisted();
    return idx;
  }
}
