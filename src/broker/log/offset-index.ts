/**
 * The sparse offset index of one segment: entries of (offset relative to the
 * segment's base, file position of a batch), one per index.interval.bytes of
 * batches, kept in memory as typed arrays and in the `.index` file as
 * big-endian int32 pairs — Kafka's format. As in Kafka, an entry's offset is
 * the *last* offset of the batch at its position.
 */
export const OFFSET_ENTRY_SIZE = 8;

/** An entry with its absolute offset. */
export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  readonly baseOffset: number;
  #rel: Int32Array;
  #pos: Int32Array;
  #n = 0;
  /** Entries below this are already in the file as they are in memory. */
  #clean = 0;
  maxEntries: number;

  constructor(baseOffset: number, maxEntries: number) {
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, maxEntries);
    this.#rel = new Int32Array(64);
    this.#pos = new Int32Array(64);
  }

  get entries(): number {
    return this.#n;
  }
  get isFull(): boolean {
    return this.#n >= this.maxEntries;
  }
  /** Whether the file lags behind memory. */
  get dirty(): boolean {
    return this.#clean !== this.#n;
  }

  last(): OffsetPosition | null {
    return this.#n === 0 ? null : this.entry(this.#n - 1);
  }

  entry(i: number): OffsetPosition {
    return { offset: this.baseOffset + this.#rel[i]!, position: this.#pos[i]! };
  }

  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    if (this.#n > 0 && (rel <= this.#rel[this.#n - 1]! || position <= this.#pos[this.#n - 1]!)) {
      throw new Error(`offset index entry (${offset}, ${position}) is not after the last entry`);
    }
    if (this.#n === this.#rel.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.#rel = grow(this.#rel);
      this.#pos = grow(this.#pos);
    }
    this.#rel[this.#n] = rel;
    this.#pos[this.#n] = position;
    this.#n++;
  }

  /**
   * The entry with the largest offset <= `offset` — the batch there or a
   * later one holds `offset` — or the segment start when there is none.
   */
  lookup(offset: number): OffsetPosition {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.#n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#rel[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(found);
  }

  /** Drops entries at or past `position` (the file was truncated there). */
  truncateToPosition(position: number): void {
    let n = this.#n;
    while (n > 0 && this.#pos[n - 1]! >= position) n--;
    this.#n = n;
    this.#clean = Math.min(this.#clean, n);
  }

  /** Entries from `from` on, as the file stores them. */
  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.#n - from) * OFFSET_ENTRY_SIZE);
    for (let i = from, p = 0; i < this.#n; i++, p += OFFSET_ENTRY_SIZE) {
      buf.writeInt32BE(this.#rel[i]!, p);
      buf.writeInt32BE(this.#pos[i]!, p + 4);
    }
    return buf;
  }

  /** The part of the file to rewrite: `[from, entries)`; then call {@link markPersisted}. */
  get firstDirty(): number {
    return this.#clean;
  }
  markPersisted(): void {
    this.#clean = this.#n;
  }

  /**
   * Loads a `.index` file's bytes, or returns why they cannot be trusted:
   * a partial entry, or entries that do not increase or point past `logSize`.
   */
  static decode(baseOffset: number, buf: Buffer, maxEntries: number, logSize: number): OffsetIndex | string {
    if (buf.length % OFFSET_ENTRY_SIZE !== 0) return `index size ${buf.length} is not a multiple of 8`;
    const idx = new OffsetIndex(baseOffset, maxEntries);
    for (let p = 0; p < buf.length; p += OFFSET_ENTRY_SIZE) {
      const rel = buf.readInt32BE(p);
      const pos = buf.readInt32BE(p + 4);
      if (rel < 0 || pos < 0 || pos >= logSize) return `index entry ${p / 8} (${rel}, ${pos}) is out of range`;
      const last = idx.last();
      if (last && (baseOffset + rel <= last.offset || pos <= last.position)) {
        return `index entry ${p / 8} does not increase`;
      }
      idx.append(baseOffset + rel, pos);
    }
    idx.markPersisted();
    return idx;
  }
}
