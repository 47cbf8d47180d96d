/**
 * One segment: a `.log` file of record batches starting at `baseOffset`, with
 * its offset and time indexes. Only the last segment of a log is active
 * (appended to); the others are sealed and change only by being replaced
 * (compaction) or deleted (retention).
 *
 * Indexes of sealed segments are loaded lazily, on the first read that needs
 * them, as Kafka's LazyIndex does: opening a log with many segments touches
 * only the active one.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { type BatchInfo, readBatchInfo } from './batch.ts';
import type { LogConfig } from './config.ts';
import { type SegmentFileKind, type SegmentFileState, segmentFilePath } from './files.ts';
import { type Fd, type LogFs, readWholeFile } from './fs.ts';
import { OFFSET_ENTRY_SIZE, OffsetIndex } from './offset-index.ts';
import { type ScanEnd, type ScannedBatch, type ScanOptions, scanBatches } from './scanner.ts';
import { TIME_ENTRY_SIZE, TimeIndex } from './time-index.ts';
import { type AbortedTxn, TxnIndex } from './txn-index.ts';

/** What a segment needs from its log. */
export interface SegmentEnv {
  fs: LogFs;
  dir: string;
  config(): LogConfig;
  /** Reports repairs made outside open-time recovery (a lazily loaded index that had to be rebuilt). */
  warn(message: string): void;
}

/** The outcome of {@link Segment.recover}. */
export interface SegmentRecovery {
  validBytes: number;
  truncatedBytes: number;
  problem: string | null;
}

// Renames move the log file last: a `.log.swap` is the commit point of a compaction.
const KINDS: SegmentFileKind[] = ['index', 'timeindex', 'txnindex', 'log'];
const FIND_CHUNK = 16 * 1024;

export class Segment {
  readonly baseOffset: number;
  /** When this process created or opened the segment (for segments without timestamps). */
  readonly openedAt: number;
  #env: SegmentEnv;
  #fd: Fd | null;
  #size: number;
  #state: SegmentFileState;
  #loaded = false;
  #sealed = false;
  #offsetIndex: OffsetIndex;
  #timeIndex: TimeIndex;
  #nextOffset: number;
  #maxTimestamp = -1;
  #offsetOfMaxTimestamp = -1;
  #bytesSinceIndexEntry = 0;
  #firstBatchTimestamp: number | null | undefined;
  #dirty = false;
  /** Read-ahead hints: offset → position of the first batch whose last offset is >= it (where the last read ended). */
  #hints = new Map<number, number>();
  #syncing = 0;
  #retired = false;
  #txnIndex: TxnIndex;

  private constructor(env: SegmentEnv, baseOffset: number, fd: Fd, size: number, state: SegmentFileState, now: number) {
    this.#env = env;
    this.baseOffset = baseOffset;
    this.#fd = fd;
    this.#size = size;
    this.#state = state;
    this.openedAt = now;
    this.#nextOffset = baseOffset;
    const c = env.config();
    this.#offsetIndex = new OffsetIndex(baseOffset, Math.floor(c.segmentIndexBytes / OFFSET_ENTRY_SIZE));
    this.#timeIndex = new TimeIndex(baseOffset, Math.floor(c.segmentIndexBytes / TIME_ENTRY_SIZE));
    this.#txnIndex = new TxnIndex(env.fs, () => this.path('txnindex'));
  }

  /** A new, empty segment (its `.log` file is created, truncating any leftover). */
  static create(env: SegmentEnv, baseOffset: number, now: number, state: SegmentFileState = ''): Segment {
    const fd = env.fs.open(segmentFilePath(env.dir, baseOffset, 'log', state), 'create');
    const seg = new Segment(env, baseOffset, fd, 0, state, now);
    seg.#txnIndex.replace([]); // a leftover of an earlier segment at this offset is not ours
    seg.#loaded = true;
    seg.#dirty = true;
    return seg;
  }

  /** An existing segment; its indexes are loaded when first needed. */
  static open(env: SegmentEnv, baseOffset: number, now: number, state: SegmentFileState = ''): Segment {
    const fd = env.fs.open(segmentFilePath(env.dir, baseOffset, 'log', state), 'readwrite');
    return new Segment(env, baseOffset, fd, env.fs.size(fd), state, now);
  }

  get size(): number {
    return this.#size;
  }
  /** Whether written data awaits an fsync. */
  get dirty(): boolean {
    return this.#dirty;
  }
  /** No written data awaits an fsync, and none is in progress. */
  get synced(): boolean {
    return !this.#dirty && this.#syncing === 0;
  }
  get sealed(): boolean {
    return this.#sealed;
  }
  /** The offset after the last batch (the base offset when empty). */
  get nextOffset(): number {
    this.#ensureLoaded();
    return this.#nextOffset;
  }
  /** Largest batch max timestamp in the segment, -1 if none. */
  get maxTimestamp(): number {
    this.#ensureLoaded();
    return this.#maxTimestamp;
  }
  /** Last offset of the first batch holding {@link maxTimestamp}. */
  get offsetOfMaxTimestamp(): number {
    this.#ensureLoaded();
    return this.#offsetOfMaxTimestamp;
  }
  /** Largest timestamp, or when the segment was opened if it has no timestamps (retention's measure). */
  get largestTimestamp(): number {
    const t = this.maxTimestamp;
    return t >= 0 ? t : this.openedAt;
  }
  get indexesFull(): boolean {
    this.#ensureLoaded();
    return this.#offsetIndex.isFull || this.#timeIndex.isFull;
  }
  /** The first batch's max timestamp, which segment.ms counts from (Kafka's rollingBasedTimestamp). */
  get firstBatchTimestamp(): number | null {
    if (this.#firstBatchTimestamp === undefined) {
      const head = this.#size >= 61 ? this.read(0, 61) : null;
      const ts = head && head.length === 61 ? readBatchInfo(head, 0).maxTimestamp : -1;
      this.#firstBatchTimestamp = ts >= 0 ? ts : null;
    }
    return this.#firstBatchTimestamp;
  }

  path(kind: SegmentFileKind, state: SegmentFileState = this.#state): string {
    return segmentFilePath(this.#env.dir, this.baseOffset, kind, state);
  }

  #fdOrThrow(): Fd {
    if (this.#fd === null) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `segment ${this.baseOffset} is closed`);
    return this.#fd;
  }

  /**
   * Writes batches (offsets already assigned) at the end of the file and
   * indexes them. `batches` give positions within `buf`.
   */
  append(buf: Buffer, batches: readonly BatchInfo[]): void {
    this.#ensureLoaded();
    const start = this.#size;
    this.#env.fs.write(this.#fdOrThrow(), buf, 0, buf.length, start);
    this.#dirty = true;
    this.#size += buf.length;
    for (const b of batches) this.#index({ ...b, position: start + b.position });
    if (this.#firstBatchTimestamp === null && start === 0) this.#firstBatchTimestamp = undefined;
  }

  #index(b: BatchInfo): void {
    if (b.maxTimestamp > this.#maxTimestamp) {
      this.#maxTimestamp = b.maxTimestamp;
      this.#offsetOfMaxTimestamp = b.lastOffset;
    }
    if (this.#bytesSinceIndexEntry > this.#env.config().indexIntervalBytes) {
      this.#offsetIndex.append(b.lastOffset, b.position);
      this.#timeIndex.maybeAppend(this.#maxTimestamp, this.#offsetOfMaxTimestamp);
      this.#bytesSinceIndexEntry = 0;
    }
    this.#bytesSinceIndexEntry += b.size;
    this.#nextOffset = b.lastOffset + 1;
  }

  /** The segment stops being active: record the final time index entry, as Kafka's onBecomeInactiveSegment. */
  seal(): void {
    this.#ensureLoaded();
    this.#sealed = true;
    if (this.#maxTimestamp >= 0) this.#timeIndex.maybeAppend(this.#maxTimestamp, this.#offsetOfMaxTimestamp);
  }

  /** Reads `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.#size - position)));
    const n = this.#env.fs.read(this.#fdOrThrow(), buf, 0, buf.length, position);
    return n === buf.length ? buf : buf.subarray(0, n);
  }

  /** A position recorded by {@link rememberPosition} for `offset`, if any. */
  hint(offset: number): number | undefined {
    return this.#hints.get(offset);
  }

  /** Records that the first batch with a last offset >= `offset` starts at `position` (consumers read on from there). */
  rememberPosition(offset: number, position: number): void {
    if (this.#hints.size >= 32) this.#hints.delete(this.#hints.keys().next().value!);
    this.#hints.set(offset, position);
  }

  /** The first batch whose last offset is >= `offset`, or null if there is none in this segment. */
  findBatch(offset: number): BatchInfo | null {
    if (offset >= this.nextOffset) return null;
    const { position } = this.#offsetIndex.lookup(offset);
    const it = this.scan({ chunkSize: FIND_CHUNK }, position);
    for (let r = it.next(); !r.done; r = it.next()) if (r.value.lastOffset >= offset) return r.value;
    return null;
  }

  /** Batches from `start` (a batch boundary) to the end of the file. */
  scan(opts: ScanOptions = {}, start = 0, end = this.#size): Generator<ScannedBatch, ScanEnd> {
    return scanBatches(this.#env.fs, this.#fdOrThrow(), start, end, opts);
  }

  /**
   * Rebuilds the indexes by reading every batch from the start, checking
   * framing and increasing offsets (and CRC when `verify`), and truncates the
   * file at the first batch that fails.
   */
  recover(verify: boolean): SegmentRecovery {
    const c = this.#env.config();
    this.#offsetIndex = new OffsetIndex(this.baseOffset, Math.floor(c.segmentIndexBytes / OFFSET_ENTRY_SIZE));
    this.#timeIndex = new TimeIndex(this.baseOffset, Math.floor(c.segmentIndexBytes / TIME_ENTRY_SIZE));
    this.#maxTimestamp = -1;
    this.#offsetOfMaxTimestamp = -1;
    this.#bytesSinceIndexEntry = 0;
    this.#nextOffset = this.baseOffset;
    this.#firstBatchTimestamp = undefined;
    this.#hints.clear();
    this.#loaded = true;
    const it = this.scan({ verify, minOffset: this.baseOffset });
    let r = it.next();
    for (; !r.done; r = it.next()) this.#index(r.value);
    const end = r.value;
    const truncatedBytes = this.#size - end.position;
    if (truncatedBytes > 0) {
      this.#env.fs.truncate(this.#fdOrThrow(), end.position);
      this.#size = end.position;
      this.#dirty = true;
    }
    if (this.#sealed && this.#maxTimestamp >= 0) {
      this.#timeIndex.maybeAppend(this.#maxTimestamp, this.#offsetOfMaxTimestamp);
    }
    return { validBytes: end.position, truncatedBytes, problem: end.problem };
  }

  /** Marks the segment sealed without loading it (sealed segments found on disk at open). */
  markSealed(): void {
    this.#sealed = true;
  }

  #ensureLoaded(): void {
    if (this.#loaded) return;
    const problem = this.#loadIndexes();
    if (problem) {
      const r = this.recover(false);
      this.#env.warn(
        `segment ${this.path('log')}: rebuilt indexes (${problem})` +
          (r.truncatedBytes ? `; truncated ${r.truncatedBytes} bytes (${r.problem})` : ''),
      );
    }
  }

  /** Loads the index files and checks them against the log; returns why they cannot be used, or null. */
  #loadIndexes(): string | null {
    const c = this.#env.config();
    const fs = this.#env.fs;
    const offBuf = readWholeFile(fs, this.path('index'));
    if (!offBuf) return 'index file missing';
    const off = OffsetIndex.decode(this.baseOffset, offBuf, Math.floor(c.segmentIndexBytes / 8), this.#size);
    if (typeof off === 'string') return off;
    const last = off.last();
    // The tail after the last entry is scanned anyway: it yields the next offset and checks the entry.
    const it = scanBatches(fs, this.#fdOrThrow(), last?.position ?? 0, this.#size, { chunkSize: 64 * 1024 });
    let nextOffset = this.baseOffset;
    let tailMax = -1;
    let tailMaxOffset = -1;
    let r = it.next();
    if (last && (r.done || r.value.lastOffset !== last.offset)) return 'last index entry does not match the log';
    for (; !r.done; r = it.next()) {
      nextOffset = r.value.lastOffset + 1;
      if (r.value.maxTimestamp > tailMax) {
        tailMax = r.value.maxTimestamp;
        tailMaxOffset = r.value.lastOffset;
      }
    }
    if (r.value.problem) return `log tail: ${r.value.problem}`;
    const timeBuf = readWholeFile(fs, this.path('timeindex'));
    if (!timeBuf) return 'time index file missing';
    const time = TimeIndex.decode(this.baseOffset, timeBuf, Math.floor(c.segmentIndexBytes / 12), nextOffset);
    if (typeof time === 'string') return time;
    const lastTime = time.last();
    this.#offsetIndex = off;
    this.#timeIndex = time;
    this.#nextOffset = nextOffset;
    if (lastTime && lastTime.timestamp >= tailMax) {
      this.#maxTimestamp = lastTime.timestamp;
      this.#offsetOfMaxTimestamp = lastTime.offset;
    } else {
      this.#maxTimestamp = tailMax;
      this.#offsetOfMaxTimestamp = tailMaxOffset;
    }
    this.#bytesSinceIndexEntry = this.#size - (last?.position ?? 0);
    this.#loaded = true;
    return null;
  }

  /** Writes index entries not yet in the files (and fsyncs them when asked). */
  async persistIndexes(fsync: boolean): Promise<void> {
    if (!this.#loaded || this.#retired) return;
    const fs = this.#env.fs;
    const jobs: Array<[SegmentFileKind, OffsetIndex | TimeIndex, number]> = [
      ['index', this.#offsetIndex, OFFSET_ENTRY_SIZE],
      ['timeindex', this.#timeIndex, TIME_ENTRY_SIZE],
    ];
    for (const [kind, idx, entrySize] of jobs) {
      if (this.#retired) return; // deleted or replaced meanwhile
      const path = this.path(kind);
      const exists = fs.exists(path);
      if (exists && !idx.dirty) continue;
      const from = exists ? idx.firstDirty : 0;
      const fd = fs.open(path, exists ? 'readwrite' : 'create');
      try {
        const bytes = idx.encode(from);
        fs.write(fd, bytes, 0, bytes.length, from * entrySize);
        fs.truncate(fd, idx.entries * entrySize);
        if (fsync) await fs.fsync(fd);
      } finally {
        fs.close(fd);
      }
      idx.markPersisted();
    }
  }

  /** fsyncs the log file. Safe against a concurrent close: the fd stays open until the fsync ends. */
  async fsync(): Promise<void> {
    if (this.#fd === null) return;
    this.#syncing++;
    this.#dirty = false;
    try {
      await Promise.all([this.#env.fs.fsync(this.#fd), this.#txnIndex.fsync()]);
    } catch (err) {
      this.#dirty = true;
      throw err;
    } finally {
      if (--this.#syncing === 0 && this.#retired) this.#closeFd();
    }
  }

  /** Aborted transactions whose ABORT marker is in this segment, in marker order. */
  abortedTxns(): readonly AbortedTxn[] {
    return this.#txnIndex.entries();
  }

  /** Records an aborted transaction whose marker was just appended here (durable with the next fsync). */
  appendAbortedTxn(txn: AbortedTxn): void {
    this.#txnIndex.append(txn);
    this.#dirty = true;
  }

  /** Replaces the aborted-transaction entries (compaction's cleaned segments, recovery). */
  replaceAbortedTxns(txns: readonly AbortedTxn[]): void {
    this.#txnIndex.replace(txns);
    this.#dirty = true;
  }

  /** Drops the aborted-transaction entries whose marker is at or past `offset` (recovery rebuilds them). */
  truncateAbortedTxns(offset: number): void {
    this.#txnIndex.truncateFrom(offset);
  }

  /** Renames every file of the segment to carry `state` (e.g. `.deleted`). */
  renameTo(state: SegmentFileState): void {
    for (const kind of KINDS) {
      const from = this.path(kind);
      if (this.#env.fs.exists(from)) this.#env.fs.rename(from, this.path(kind, state));
    }
    this.#state = state;
  }

  /** Closes the file (once no fsync is using it); the segment is retired for good. */
  close(): void {
    this.#retired = true;
    if (this.#syncing === 0) this.#closeFd();
  }

  #closeFd(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    this.#env.fs.close(fd);
  }

  get closed(): boolean {
    return this.#fd === null;
  }

  /** Removes the segment's files (in their current state). */
  unlinkFiles(): void {
    for (const kind of KINDS) {
      const p = this.path(kind);
      if (this.#env.fs.exists(p)) this.#env.fs.unlink(p);
    }
  }

  /** Position of the offset index entry with the largest offset <= `offset` (0 if none): a batch boundary at or before it. */
  positionBefore(offset: number): number {
    this.#ensureLoaded();
    return this.#offsetIndex.lookup(offset).position;
  }

  /** Offset of the last time index entry with a timestamp below `timestamp` (the base offset if none). */
  offsetBeforeTimestamp(timestamp: number): number {
    this.#ensureLoaded();
    return this.#timeIndex.lookupBefore(timestamp);
  }
}
