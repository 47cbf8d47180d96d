/**
 * The aborted-transaction index of one segment (`<base>.txnindex`), as
 * Kafka's TransactionIndex: one 34-byte entry per aborted transaction whose
 * ABORT marker is in the segment — `version int16 (0)` · `producerId int64` ·
 * `firstOffset int64` · `lastOffset int64` (the marker) · `lastStableOffset
 * int64` (the LSO right after the marker). Fetch with read_committed returns
 * the entries overlapping the fetched range so consumers can drop the
 * aborted records; the LSO field lets a search stop early.
 *
 * Entries are few (one per aborted transaction), so the file is read whole
 * when first needed, appended to in place and rewritten on truncation.
 * A torn last entry (crash mid-write) is ignored; recovery rebuilds the
 * entries past the producer-state snapshot from the log itself.
 */
import type { LogFs } from './fs.ts';
import { readWholeFile } from './fs.ts';

/** One aborted transaction. */
export interface AbortedTxn {
  producerId: number;
  /** First offset of the transaction's data in this partition. */
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
  /** The last stable offset once the marker was written. */
  lastStableOffset: number;
}

/** Bytes per entry. */
export const TXN_ENTRY_SIZE = 34;

function writeInt64(buf: Buffer, v: number, at: number): void {
  buf.writeBigInt64BE(BigInt(v), at);
}

/** Encodes entries in the file format. */
export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * TXN_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const at = i * TXN_ENTRY_SIZE;
    buf.writeInt16BE(0, at);
    writeInt64(buf, e.producerId, at + 2);
    writeInt64(buf, e.firstOffset, at + 10);
    writeInt64(buf, e.lastOffset, at + 18);
    writeInt64(buf, e.lastStableOffset, at + 26);
  });
  return buf;
}

/** Decodes whole entries; a trailing partial entry is ignored. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + TXN_ENTRY_SIZE <= buf.length; at += TXN_ENTRY_SIZE) {
    out.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

/** The `.txnindex` file of one segment. */
export class TxnIndex {
  #fs: LogFs;
  #path: () => string;
  #entries: AbortedTxn[] | null = null;
  #dirty = false;

  /** `path` is asked each time: the segment's files are renamed during compaction and deletion. */
  constructor(fs: LogFs, path: () => string) {
    this.#fs = fs;
    this.#path = path;
  }

  /** Entries in marker order. */
  entries(): readonly AbortedTxn[] {
    if (this.#entries === null) {
      const buf = readWholeFile(this.#fs, this.#path());
      this.#entries = buf ? decodeAbortedTxns(buf) : [];
    }
    return this.#entries;
  }

  /** Whether written entries await an fsync. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Appends one entry to the file. */
  append(e: AbortedTxn): void {
    const entries = this.entries() as AbortedTxn[];
    const path = this.#path();
    const fd = this.#fs.open(path, this.#fs.exists(path) ? 'readwrite' : 'create');
    try {
      const bytes = encodeAbortedTxns([e]);
      this.#fs.write(fd, bytes, 0, bytes.length, entries.length * TXN_ENTRY_SIZE);
    } finally {
      this.#fs.close(fd);
    }
    entries.push(e);
    this.#dirty = true;
  }

  /** Replaces every entry (rewrites the file; removes it when empty). */
  replace(entries: readonly AbortedTxn[]): void {
    const path = this.#path();
    if (entries.length === 0) {
      if (this.#fs.exists(path)) this.#fs.unlink(path);
    } else {
      const fd = this.#fs.open(path, 'create');
      try {
        const bytes = encodeAbortedTxns(entries);
        this.#fs.write(fd, bytes, 0, bytes.length, 0);
      } finally {
        this.#fs.close(fd);
      }
    }
    this.#entries = [...entries];
    this.#dirty = entries.length > 0;
  }

  /** Drops the entries whose marker is at or past `offset`. */
  truncateFrom(offset: number): void {
    const entries = this.entries();
    const kept = entries.filter((e) => e.lastOffset < offset);
    if (kept.length !== entries.length) this.replace(kept);
  }

  /** fsyncs the file if entries were written since the last fsync. */
  async fsync(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const path = this.#path();
    if (!this.#fs.exists(path)) return;
    const fd = this.#fs.open(path, 'readwrite');
    try {
      await this.#fs.fsync(fd);
    } catch (err) {
      this.#dirty = true;
      throw err;
    } finally {
      this.#fs.close(fd);
    }
  }
}
