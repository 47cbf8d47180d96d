/**
 * The durable log of one topic-partition: the API the broker's handlers call.
 *
 * - `append` validates and writes Produce batches as received, patching only
 *   the base offset (and, for LogAppendTime, the max timestamp and CRC), with
 *   one synchronous write into the active segment; `flush` makes it durable
 *   with group-committed fsyncs off the event loop.
 * - `read` serves whole batches as bytes of segment files for Fetch.
 * - Producer state (producer-state.ts): appends of idempotent and
 *   transactional batches are checked against it (duplicates answered with
 *   their original offsets, sequence and epoch errors), open transactions give
 *   the last stable offset, aborted ones the segments' `.txnindex` entries.
 *   It is snapshotted at every roll and at close, and rebuilt on open from the
 *   latest snapshot plus the batches after it.
 * - Retention, DeleteRecords and compaction run as awaited maintenance steps,
 *   one at a time, without blocking appends and reads for long.
 * - A failed write or fsync takes the log offline: every later call fails
 *   with KAFKA_STORAGE_ERROR, as Kafka does with an offline log dir.
 */
import { basename, dirname, join } from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import {
  setBaseOffset,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  TimestampType,
} from '../../protocol/records/index.ts';
import { type BatchInfo, isLogAppendTime, validateIncoming } from './batch.ts';
import { type CompactionStats, type CompactOptions, compactLog } from './compaction.ts';
import { type LogConfig, resolveLogConfig } from './config.ts';
import { CheckpointWriter, CLEAN_SHUTDOWN_FILE } from './files.ts';
import { type LogFs, NodeLogFs } from './fs.ts';
import { GroupCommit } from './group-commit.ts';
import { abortedEntry, loadProducerState, producerBatchOf, pruneSnapshots, writeSnapshot } from './producer-log.ts';
import {
  firstOffsetOf,
  type PreparedAppend,
  type ProducerBatch,
  type ProducerOrigin,
  ProducerStateManager,
} from './producer-state.ts';
import { type RecoveryReport, recoverLog } from './recovery.ts';
import { deletablePrefix, type RetentionResult, retentionRules, shouldRoll } from './retention.ts';
import { Segment, type SegmentEnv } from './segment.ts';
import { SegmentList } from './segment-list.ts';
import { maxTimestampOffset, offsetForTimestamp, type TimestampAndOffset } from './timestamps.ts';
import type { AbortedTxn } from './txn-index.ts';
import type { ActiveProducer, AppendOptions, AppendResult, OpenLogOptions, ReadOptions, ReadResult } from './types.ts';

const noop = () => {};

export class PartitionLog {
  readonly dir: string;
  /** What recovery did when the log was opened. */
  readonly recovery: RecoveryReport;
  #fs: LogFs;
  #config: LogConfig;
  #now: () => number;
  #env: SegmentEnv;
  #segments: SegmentList;
  #logStartOffset: number;
  #cleanerOffset: number;
  #gc = new GroupCommit(() => this.#syncNow());
  #dirDirty = false;
  #unflushedRecords = 0;
  #lastFlushAt: number;
  #offline: KafkaError | null = null;
  #closing = false;
  #closed = false;
  #lock: Promise<void> = Promise.resolve();
  #checkpoints: CheckpointWriter;
  #background = new Set<Promise<void>>();
  #nextDeleteHorizon: number | null = null;
  #producers: ProducerStateManager;

  private constructor(dir: string, fs: LogFs, config: LogConfig, opts: OpenLogOptions) {
    this.dir = dir;
    this.#fs = fs;
    this.#config = config;
    this.#now = opts.now ?? Date.now;
    this.#env = { fs, dir, config: () => this.#config, warn: opts.warn ?? noop };
    this.#segments = new SegmentList(this.#env, []);
    this.#producers = new ProducerStateManager(basename(dir));
    this.#logStartOffset = 0;
    this.#cleanerOffset = 0;
    this.#lastFlushAt = this.#now();
    this.#checkpoints = new CheckpointWriter(fs, dir, () => ({
      logStartOffset: this.#logStartOffset,
      recoveryPoint: this.#segments.recoveryPoint(),
      cleanerOffset: this.#cleanerOffset,
    }));
    this.recovery = {} as RecoveryReport;
  }

  /** Opens (creating if needed) the log in `dir`, running recovery. Missing config values take Kafka's defaults. */
  static async open(dir: string, config: Partial<LogConfig> = {}, opts: OpenLogOptions = {}): Promise<PartitionLog> {
    const log = new PartitionLog(dir, opts.fs ?? new NodeLogFs(), resolveLogConfig(config), opts);
    const r = await recoverLog(log.#env, log.#now());
    log.#segments = new SegmentList(log.#env, r.segments);
    log.#logStartOffset = r.checkpoint.logStartOffset;
    log.#cleanerOffset = r.checkpoint.cleanerOffset;
    (log as { recovery: RecoveryReport }).recovery = r.report;
    await loadProducerState({
      env: log.#env,
      segments: log.#segments,
      producers: log.#producers,
      logStartOffset: log.#logStartOffset,
      now: log.#now(),
      expirationMs: log.#config.producerIdExpirationMs,
    });
    return log;
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }
  get logEndOffset(): number {
    return this.#segments.active.nextOffset;
  }
  /** Single node: a record is on every replica once written, so HW = LEO. */
  get highWatermark(): number {
    return this.logEndOffset;
  }
  /**
   * The last stable offset: the first offset of the earliest open
   * transaction (not below the log start), or the high watermark when none
   * is open. read_committed consumers read only below it.
   */
  get lastStableOffset(): number {
    const first = this.#producers.firstUnstableOffset();
    const hw = this.highWatermark;
    return first === null ? hw : Math.min(Math.max(first, this.#logStartOffset), hw);
  }
  get config(): Readonly<LogConfig> {
    return this.#config;
  }
  /** True once a disk error took the log offline. */
  get offline(): boolean {
    return this.#offline !== null;
  }
  /** fsync rounds so far (group commit keeps this far below the number of flush calls). */
  get fsyncRounds(): number {
    return this.#gc.rounds;
  }
  /** Base offset and size of each segment, oldest first. */
  segments(): Array<{ baseOffset: number; size: number }> {
    return this.#segments.all.map((s) => ({ baseOffset: s.baseOffset, size: s.size }));
  }
  /** Bytes of all segment files (DescribeLogDirs). */
  sizeInBytes(): number {
    return this.#segments.size();
  }
  /** New settings apply from the next append, roll or maintenance run. */
  updateConfig(config: Partial<LogConfig>): void {
    this.#config = resolveLogConfig({ ...this.#config, ...config });
  }

  #check(): void {
    if (this.#offline) throw this.#offline;
    if (this.#closed || this.#closing)
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `log ${this.dir} is closed`);
  }

  /** Records a disk failure: the log stays offline until reopened. */
  #fail(err: unknown): KafkaError {
    if (err instanceof KafkaError && err.code === ErrorCode.KAFKA_STORAGE_ERROR) return (this.#offline ??= err);
    this.#offline ??= new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is offline after a disk error`, {
      cause: err,
    });
    return this.#offline;
  }

  /**
   * Appends one or more batches as received in Produce, assigning offsets by
   * patching them in `batches` (the buffer is modified). Written to the OS,
   * not yet fsynced: await {@link flush} before acknowledging acks=all.
   */
  append(batches: Buffer, opts: AppendOptions = {}): AppendResult {
    this.#check();
    const config = this.#config;
    const infos = validateIncoming(batches, {
      maxMessageBytes: config.maxMessageBytes,
      fromClient: opts.origin !== 'internal',
      requireKeys: config.cleanupPolicy.includes('compact'),
    });
    if (batches.length > config.segmentBytes) {
      throw new KafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, `${batches.length} bytes exceed segment.bytes`);
    }
    const now = opts.now ?? this.#now();
    const logAppendTime = config.messageTimestampType === 'LogAppendTime';
    const plan = this.#prepareProducers(batches, infos, opts.origin === 'internal' ? 'coordinator' : 'client', now);
    if (plan?.duplicate) {
      // Kafka answers a retried batch with the offsets it got the first time and writes nothing.
      const d = plan.duplicate;
      return {
        baseOffset: firstOffsetOf(d),
        lastOffset: d.lastOffset,
        logAppendTime: d.timestamp,
        maxTimestamp: d.timestamp,
        recordCount: 0,
        logStartOffset: this.#logStartOffset,
        duplicate: true,
      };
    }
    let next = this.logEndOffset;
    let maxTimestamp = -1;
    let recordCount = 0;
    for (const b of infos) {
      const delta = b.lastOffset - b.baseOffset;
      setBaseOffset(batches, b.position, BigInt(next));
      if (opts.leaderEpoch !== undefined) setPartitionLeaderEpoch(batches, b.position, opts.leaderEpoch);
      if (logAppendTime) {
        setMaxTimestamp(batches, b.position, BigInt(now), TimestampType.LOG_APPEND_TIME);
        b.maxTimestamp = now;
      } else if (isLogAppendTime(b)) {
        setMaxTimestamp(batches, b.position, BigInt(b.maxTimestamp), TimestampType.CREATE_TIME);
      }
      b.baseOffset = next;
      b.lastOffset = next + delta;
      next = b.lastOffset + 1;
      recordCount += b.recordsCount;
      if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp;
    }
    const baseOffset = infos[0]!.baseOffset;
    try {
      if (shouldRoll(this.#segments.active, config, batches.length, next - 1, maxTimestamp, now)) this.#roll(now);
      this.#segments.active.append(batches, infos);
      if (plan) {
        for (const t of this.#producers.apply(plan, next)) {
          if (t.aborted) this.#segments.active.appendAbortedTxn(abortedEntry(t));
        }
      } else this.#producers.mapEndOffset = next;
    } catch (err) {
      throw this.#fail(err);
    }
    this.#gc.markWritten();
    this.#unflushedRecords += recordCount;
    if (this.#unflushedRecords >= config.flushMessages) this.flush().catch(noop);
    return {
      baseOffset,
      lastOffset: next - 1,
      logAppendTime: logAppendTime ? now : -1,
      maxTimestamp,
      recordCount,
      logStartOffset: this.#logStartOffset,
    };
  }

  /**
   * Checks the producer batches of an append against the producer state
   * (offsets as they will be assigned); null when no batch has a producer id.
   */
  #prepareProducers(buf: Buffer, infos: BatchInfo[], origin: ProducerOrigin, now: number): PreparedAppend | null {
    if (!infos.some((b) => b.producerId >= 0)) return null;
    const logAppendTime = this.#config.messageTimestampType === 'LogAppendTime';
    let next = this.logEndOffset;
    const batches: ProducerBatch[] = [];
    for (const b of infos) {
      const base = next;
      next = base + b.lastOffset - b.baseOffset + 1;
      if (b.producerId < 0) continue;
      const pb = producerBatchOf(buf, b, b.position);
      pb.baseOffset = base;
      pb.lastOffset = next - 1;
      if (logAppendTime) pb.maxTimestamp = now;
      batches.push(pb);
    }
    return this.#producers.prepare(batches, origin);
  }

  /** Starts a new active segment at the log end; the old one is synced in the background. */
  #roll(now: number): void {
    const old = this.#segments.active;
    old.seal();
    // The producer state as of the roll point, written once the old segment is durable.
    const snapshotAt = old.nextOffset;
    const snapshot = this.#producers.snapshot();
    this.#segments.push(Segment.create(this.#env, old.nextOffset, now));
    this.#dirDirty = true;
    this.#gc.markWritten();
    const task = (async () => {
      try {
        await new Promise((r) => setImmediate(r)); // not in the append that rolled: writing the indexes takes a while
        await old.persistIndexes(true);
        await this.flush();
        await writeSnapshot(this.#fs, this.dir, snapshotAt, snapshot);
        await this.#persistCheckpoint();
      } catch (err) {
        if (!this.#closed) this.#fail(err);
      }
    })();
    this.#background.add(task);
    task.finally(() => this.#background.delete(task));
  }

  /**
   * Makes everything appended so far durable (fsync of the segments written
   * to, and of the directory if files were created). Concurrent callers share
   * fsyncs; a failure rejects them all with KAFKA_STORAGE_ERROR and takes the
   * log offline.
   */
  flush(): Promise<void> {
    if (this.#offline) return Promise.reject(this.#offline);
    return this.#gc.flush();
  }

  /** Flushes if flush.ms has passed since the last fsync and something is unflushed. */
  async flushIfDue(now: number = this.#now()): Promise<void> {
    if (this.#gc.pending && now - this.#lastFlushAt >= this.#config.flushMs) await this.flush();
  }

  async #syncNow(): Promise<void> {
    if (this.#offline) throw this.#offline;
    const segs = this.#segments.all.filter((s) => s.dirty);
    const dir = this.#dirDirty;
    const covered = this.#unflushedRecords;
    this.#dirDirty = false;
    try {
      await Promise.all([...segs.map((s) => s.fsync()), dir ? this.#fs.fsyncDir(this.dir) : undefined]);
    } catch (err) {
      throw this.#fail(err);
    }
    this.#unflushedRecords = Math.max(0, this.#unflushedRecords - covered);
    this.#lastFlushAt = this.#now();
  }

  /**
   * Whole batches from the one containing `offset`, up to `maxBytes` in
   * total, as stored in the segment files (no decoding). Throws
   * OFFSET_OUT_OF_RANGE below the log start or past the log end.
   */
  read(offset: number, maxBytes: number, opts: ReadOptions = {}): ReadResult {
    this.#check();
    const leo = this.logEndOffset;
    if (!Number.isSafeInteger(offset) || offset < this.#logStartOffset || offset > leo) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.#logStartOffset}, ${leo}] of ${this.dir}`,
      );
    }
    try {
      return this.#segments.read(offset, Math.min(opts.maxOffset ?? leo, leo), maxBytes, opts.minOneMessage ?? true);
    } catch (err) {
      if (err instanceof KafkaError) throw err;
      throw this.#fail(err);
    }
  }

  /** ListOffsets by timestamp: the first record at or after the log start with a timestamp >= `timestamp`. */
  offsetForTimestamp(timestamp: number): TimestampAndOffset | null {
    this.#check();
    return offsetForTimestamp(this.#segments.all, timestamp, this.#logStartOffset);
  }

  /** ListOffsets MAX_TIMESTAMP: the earliest record with the largest timestamp, or null for an empty log. */
  maxTimestampOffset(): TimestampAndOffset | null {
    this.#check();
    return maxTimestampOffset(this.#segments.all);
  }

  /** Whether the producer has a transaction open in this partition (transactions skip verification then). */
  hasOngoingTransaction(producerId: number): boolean {
    return this.#producers.hasOngoingTransaction(producerId);
  }

  /**
   * Aborted transactions overlapping `[fetchOffset, upperBound)` (Fetch with
   * read_committed), found through the `.txnindex` of the segment holding
   * `fetchOffset` and the ones after it, as Kafka's collectAbortedTxns.
   */
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxn[] {
    this.#check();
    const out: AbortedTxn[] = [];
    const all = this.#segments.all;
    for (let i = this.#segments.indexFor(fetchOffset); i < all.length; i++) {
      for (const t of all[i]!.abortedTxns()) {
        if (t.lastOffset >= fetchOffset && t.firstOffset < upperBound) out.push(t);
        if (t.lastStableOffset >= upperBound) return out;
      }
    }
    return out;
  }

  /** Producers with state in this partition (DescribeProducers). */
  activeProducers(): ActiveProducer[] {
    return [...this.#producers.producers()].map((e) => ({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      lastSequence: e.lastSeq,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.currentTxnFirstOffset,
    }));
  }

  /** Runs `fn` after any maintenance in progress (retention, DeleteRecords, compaction, close). */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.#lock;
    let release = noop;
    this.#lock = new Promise((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 = the high
   * watermark), durably, and deletes the segments wholly below it. Returns
   * the new log start offset (the partition's low watermark).
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    this.#check();
    const target = offset === -1 ? this.highWatermark : offset;
    if (!Number.isSafeInteger(target) || target < 0 || target > this.highWatermark) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is beyond the high watermark ${this.highWatermark}`,
      );
    }
    return this.#exclusive(async () => {
      this.#check();
      if (target > this.#logStartOffset) {
        this.#logStartOffset = target;
        await this.#persistCheckpoint();
        const n = deletablePrefix(this.#segments.all, 'log-start-offset', this.#config, 0, this.#logStartOffset);
        if (n > 0) await this.#removeSegments(n);
      }
      return this.#logStartOffset;
    });
  }

  /** Deletes segments past retention.ms / retention.bytes or below the log start offset. */
  applyRetention(now: number = this.#now()): Promise<RetentionResult> {
    return this.#exclusive(async () => {
      this.#check();
      const result: RetentionResult = { deleted: [], deletedBytes: 0, logStartOffset: this.#logStartOffset };
      this.#producers.removeExpired(now, this.#config.producerIdExpirationMs);
      for (const reason of retentionRules(this.#config)) {
        const n = deletablePrefix(this.#segments.all, reason, this.#config, now, this.#logStartOffset);
        if (n === 0) continue;
        if (n === this.#segments.all.length) this.#roll(now); // Kafka too: the active segment expired
        for (const v of await this.#removeSegments(n)) {
          result.deleted.push({ baseOffset: v.baseOffset, size: v.size, reason });
          result.deletedBytes += v.size;
        }
      }
      result.logStartOffset = this.#logStartOffset;
      return result;
    });
  }

  async #removeSegments(n: number): Promise<Segment[]> {
    try {
      const removed = this.#segments.removePrefix(n, this.#config.fileDeleteDelayMs);
      this.#logStartOffset = Math.max(this.#logStartOffset, this.#segments.first.baseOffset);
      const victims = await removed;
      pruneSnapshots(this.#fs, this.dir, this.#segments.first.baseOffset);
      return victims;
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /** Compacts the log if cleanup.policy includes compact (see compaction.ts). */
  compact(now: number = this.#now(), opts: CompactOptions = {}): Promise<CompactionStats> {
    return this.#exclusive(async () => {
      this.#check();
      const horizonDue = this.#nextDeleteHorizon !== null && now >= this.#nextDeleteHorizon;
      const host = {
        env: this.#env,
        config: () => this.#config,
        segments: () => this.#segments.all,
        logStartOffset: () => this.#logStartOffset,
        cleanerOffset: () => this.#cleanerOffset,
        setCleanerOffset: (o: number) => {
          this.#cleanerOffset = o;
          return this.#persistCheckpoint();
        },
        replaceSegments: async (old: readonly Segment[], cleaned: Segment) => {
          try {
            await this.#segments.replace(old, cleaned, this.#config.fileDeleteDelayMs);
          } catch (err) {
            throw this.#fail(err);
          }
        },
        shouldStop: () => this.#closing || this.#offline !== null,
      };
      const stats = await compactLog(host, now, { ...opts, force: opts.force || horizonDue });
      if (stats.skipped === null) this.#nextDeleteHorizon = stats.nextDeleteHorizon;
      return stats;
    });
  }

  #persistCheckpoint(recoveryPoint?: number): Promise<void> {
    return this.#checkpoints.write(recoveryPoint === undefined ? undefined : { recoveryPoint }).catch((err) => {
      throw this.#fail(err);
    });
  }

  /** Resolves when background work (syncing rolled segments, checkpoints) has finished. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
    await this.#checkpoints.settled();
  }

  /**
   * Flushes, writes indexes, the checkpoint and the clean-shutdown marker,
   * and closes every file. A compaction in progress stops at its next step.
   * An offline log only releases its files (its error was reported already).
   */
  async close(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    let failure: unknown = null;
    await this.#exclusive(async () => {
      await this.idle();
      if (this.#offline) return;
      try {
        await this.#gc.flush();
        this.#segments.active.seal();
        for (const s of this.#segments.all) await s.persistIndexes(true);
        await this.#persistCheckpoint(this.logEndOffset);
        await writeSnapshot(this.#fs, this.dir, this.logEndOffset, this.#producers.snapshot());
        this.#fs.close(this.#fs.open(join(this.dir, CLEAN_SHUTDOWN_FILE), 'create'));
        await this.#fs.fsyncDir(this.dir);
      } catch (err) {
        failure = this.#fail(err);
      }
    });
    this.#segments.release();
    this.#closed = true;
    if (failure) throw failure;
  }

  /** Closes the files without flushing and removes the partition directory. */
  async delete(): Promise<void> {
    this.#closing = true;
    await this.#exclusive(() => this.idle());
    this.#segments.release();
    this.#closed = true;
    this.#fs.rmrf(this.dir);
    await this.#fs.fsyncDir(dirname(this.dir));
  }
}
