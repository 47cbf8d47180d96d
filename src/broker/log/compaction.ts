/**
 * Log compaction (cleanup.policy=compact), as Kafka's LogCleaner does it:
 *
 * - The cleanable range ends at the active segment, or earlier at the first
 *   segment younger than min.compaction.lag.ms. Its dirty part starts at the
 *   cleaner offset (checkpointed); cleaning runs when dirty bytes / cleanable
 *   bytes reach min.cleanable.dirty.ratio (or max.compaction.lag.ms passed).
 * - Pass 1 (compaction-map.ts) maps each key of the dirty part to its latest
 *   offset. Pass 2 rewrites every segment of the cleanable range, merged into
 *   groups of up to segment.bytes, keeping a record only if it is its key's
 *   latest. Offsets never change: kept records keep theirs, and each batch
 *   keeps its base offset, last offset delta, producer id/epoch and sequence.
 * - Tombstones (null values) are kept the first time they are cleaned, with a
 *   delete horizon (now + delete.retention.ms) stored in the batch (KIP-534);
 *   a later run after the horizon drops them.
 * - Control batches are kept as they are; aborted transactions' records are
 *   dropped; transactions still open are left untouched. The `.txnindex`
 *   entries of the replaced segments move to the cleaned one.
 * - A batch whose records all stay is copied byte for byte; only batches that
 *   lose records are re-encoded (same codec).
 * - Each group is written to `<base>.log.cleaned`, fsynced, renamed to
 *   `.swap` (the commit point), then swapped in for the old segments (see
 *   recovery.ts for how a crash in between is resolved). The last batch of a
 *   group always stays (as an empty batch if need be) so the swap's offset
 *   range covers every segment it replaces.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BatchAttribute, decodeRecordBatchAsync, encodeRecordBatchAsync } from '../../protocol/records/index.ts';
import { type BatchInfo, isControlBatch, isTransactionalBatch, readBatchInfo } from './batch.ts';
import { buildOffsetMap, type OffsetMap } from './compaction-map.ts';
import type { LogConfig } from './config.ts';
import { Segment, type SegmentEnv } from './segment.ts';

/** What one compaction run did. */
export interface CompactionStats {
  /** Why nothing was rewritten, or null if it ran. */
  skipped: 'not-compacted' | 'nothing-to-clean' | 'below-dirty-ratio' | 'stopped' | null;
  /** Dirty bytes / cleanable bytes when the run started. */
  dirtyRatio: number;
  /** The cleaner offset before and after (everything below `cleanedUpTo` is clean). */
  firstDirtyOffset: number;
  cleanedUpTo: number;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  batchesRewritten: number;
  recordsRead: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
  /** The earliest delete horizon of the tombstones kept (a run after it can drop them), or null. */
  nextDeleteHorizon: number | null;
}

/** What compaction needs from the PartitionLog (internal). */
export interface CompactionHost {
  env: SegmentEnv;
  config(): LogConfig;
  segments(): readonly Segment[];
  logStartOffset(): number;
  cleanerOffset(): number;
  setCleanerOffset(offset: number): Promise<void>;
  /** Swaps `cleaned` (files in `.cleaned` state, fsynced) in for `old`. */
  replaceSegments(old: readonly Segment[], cleaned: Segment): Promise<void>;
  shouldStop(): boolean;
}

/** Options for a run. */
export interface CompactOptions {
  /** Ignore min.cleanable.dirty.ratio (and clean even with nothing dirty, e.g. to drop expired tombstones). */
  force?: boolean;
  /** Cap on distinct keys held in memory (default 4 million). */
  maxKeys?: number;
}

const INT32_MAX = 0x7fffffff;

function emptyStats(skipped: CompactionStats['skipped'], dirtyRatio: number, firstDirty: number): CompactionStats {
  return {
    skipped,
    dirtyRatio,
    firstDirtyOffset: firstDirty,
    cleanedUpTo: firstDirty,
    segmentsBefore: 0,
    segmentsAfter: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    batchesRewritten: 0,
    recordsRead: 0,
    recordsRemoved: 0,
    tombstonesRemoved: 0,
    nextDeleteHorizon: null,
  };
}

export async function compactLog(
  host: CompactionHost,
  now: number,
  opts: CompactOptions = {},
): Promise<CompactionStats> {
  const config = host.config();
  const firstDirty = Math.max(host.cleanerOffset(), host.logStartOffset());
  if (!config.cleanupPolicy.includes('compact')) return emptyStats('not-compacted', 0, firstDirty);
  const all = [...host.segments()]; // a roll meanwhile only adds segments past the cleanable range
  const sealed = all.slice(0, -1);
  // The cleanable range ends at the first dirty segment younger than min.compaction.lag.ms.
  let cleanEnd = all[all.length - 1]!.baseOffset;
  for (let i = 0; i < sealed.length; i++) {
    const s = sealed[i]!;
    if (all[i + 1]!.baseOffset <= firstDirty) continue;
    if (config.minCompactionLagMs > 0 && s.largestTimestamp > now - config.minCompactionLagMs) {
      cleanEnd = s.baseOffset;
      break;
    }
  }
  const inRange = sealed.filter((s) => s.baseOffset < cleanEnd);
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < inRange.length; i++) {
    if (all[i + 1]!.baseOffset <= firstDirty) cleanBytes += inRange[i]!.size;
    else dirtyBytes += inRange[i]!.size;
  }
  const ratio = dirtyBytes + cleanBytes === 0 ? 0 : dirtyBytes / (dirtyBytes + cleanBytes);
  if (inRange.length === 0 || (dirtyBytes === 0 && !opts.force))
    return emptyStats('nothing-to-clean', ratio, firstDirty);
  const firstDirtySeg = inRange.find((_, i) => all[i + 1]!.baseOffset > firstDirty);
  const overdue =
    config.maxCompactionLagMs !== undefined &&
    firstDirtySeg !== undefined &&
    now - (firstDirtySeg.firstBatchTimestamp ?? firstDirtySeg.openedAt) > config.maxCompactionLagMs;
  if (ratio < config.minCleanableDirtyRatio && !opts.force && !overdue) {
    return emptyStats('below-dirty-ratio', ratio, firstDirty);
  }

  const map = await buildOffsetMap({
    segments: all,
    dirtyStart: firstDirty,
    dirtyEnd: cleanEnd,
    maxKeys: opts.maxKeys ?? 4_000_000,
    shouldStop: host.shouldStop,
  });
  if (!map) return emptyStats('stopped', ratio, firstDirty);
  const stats = emptyStats(null, ratio, firstDirty);
  const toClean = inRange.filter((s) => s.baseOffset < map.dirtyEnd);
  for (const group of groupSegments(toClean, config)) {
    if (host.shouldStop()) return { ...stats, skipped: 'stopped' };
    const cleaned = await cleanGroup(host, group, map, now, stats);
    if (!cleaned) return { ...stats, skipped: 'stopped' };
    stats.segmentsBefore += group.length;
    stats.segmentsAfter++;
    for (const s of group) stats.bytesBefore += s.size;
    stats.bytesAfter += cleaned.size;
    await host.replaceSegments(group, cleaned);
  }
  stats.cleanedUpTo = Math.max(firstDirty, map.dirtyEnd);
  await host.setCleanerOffset(stats.cleanedUpTo);
  return stats;
}

/** Consecutive segments whose total size fits one segment and whose offsets fit its int32 index. */
function groupSegments(segments: readonly Segment[], config: LogConfig): Segment[][] {
  const groups: Segment[][] = [];
  let cur: Segment[] = [];
  let size = 0;
  for (const s of segments) {
    const fits =
      cur.length > 0 && size + s.size <= config.segmentBytes && s.nextOffset - 1 - cur[0]!.baseOffset <= INT32_MAX;
    if (!fits && cur.length > 0) {
      groups.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(s);
    size += s.size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** Writes one group's surviving batches into a new `.cleaned` segment; null if asked to stop. */
async function cleanGroup(
  host: CompactionHost,
  group: readonly Segment[],
  map: OffsetMap,
  now: number,
  stats: CompactionStats,
): Promise<Segment | null> {
  const config = host.config();
  const cleaned = Segment.create(host.env, group[0]!.baseOffset, now, '.cleaned');
  const out = new OutputBuffer(cleaned);
  try {
    const lastSeg = group[group.length - 1]!;
    const groupLastOffset = lastSeg.nextOffset - 1;
    for (const seg of group) {
      const it = seg.scan({ withBytes: true });
      for (let step = it.next(); !step.done; step = it.next()) {
        const b = step.value;
        const kept = await filterBatch(b, b.bytes!, map, now, config, b.lastOffset === groupLastOffset, stats);
        if (kept) out.add(kept);
        if (out.pendingBytes > 1024 * 1024) {
          out.flush();
          await yieldToEventLoop();
          if (host.shouldStop()) throw new StopCompaction();
        }
      }
    }
    out.flush();
    // Aborted transactions keep their index entries (their markers stay in the cleaned segment).
    const aborted = group.flatMap((seg) => seg.abortedTxns());
    if (aborted.length > 0) cleaned.replaceAbortedTxns(aborted);
    cleaned.seal();
    await cleaned.fsync();
    await cleaned.persistIndexes(true);
    return cleaned;
  } catch (err) {
    cleaned.close();
    cleaned.unlinkFiles();
    if (err instanceof StopCompaction) return null;
    throw err;
  }
}

class StopCompaction extends Error {}

/** Batches accumulated before one write into the cleaned segment. */
class OutputBuffer {
  #seg: Segment;
  #bufs: Buffer[] = [];
  #infos: BatchInfo[] = [];
  pendingBytes = 0;
  constructor(seg: Segment) {
    this.#seg = seg;
  }
  add(batch: Buffer): void {
    this.#infos.push(readBatchInfo(batch, 0, this.pendingBytes));
    this.#bufs.push(batch);
    this.pendingBytes += batch.length;
  }
  flush(): void {
    if (this.#bufs.length === 0) return;
    this.#seg.append(Buffer.concat(this.#bufs, this.pendingBytes), this.#infos);
    this.#bufs = [];
    this.#infos = [];
    this.pendingBytes = 0;
  }
}

/** The bytes to keep for one batch (the original, a re-encoded one, or an empty one), or null to drop it. */
async function filterBatch(
  b: BatchInfo,
  bytes: Buffer,
  map: OffsetMap,
  now: number,
  config: LogConfig,
  isGroupLast: boolean,
  stats: CompactionStats,
): Promise<Buffer | null> {
  if (isControlBatch(b)) return bytes;
  const outcome = isTransactionalBatch(b) ? map.txnOutcome.get(b.lastOffset) : 'commit';
  if (outcome === undefined) return bytes; // transaction still open: leave it alone
  const batch = await decodeRecordBatchAsync(bytes, { verifyCrc: false });
  stats.recordsRead += batch.records.length;
  const hasHorizon = (b.attributes & BatchAttribute.DELETE_HORIZON) !== 0;
  const horizon = hasHorizon ? Number(batch.baseTimestamp) : null;
  const tombstonesExpired = horizon !== null && now >= horizon;
  let tombstonesKept = false;
  const kept = batch.records.filter((rec) => {
    if (outcome === 'abort' || rec.key === null) return false;
    const latest = map.latest.get(rec.key.toString('latin1'));
    if (latest !== undefined && Number(rec.offset) < latest) return false;
    if (rec.value === null) {
      if (tombstonesExpired) {
        stats.tombstonesRemoved++;
        return false;
      }
      tombstonesKept = true;
    }
    return true;
  });
  stats.recordsRemoved += batch.records.length - kept.length;
  const needsHorizon = tombstonesKept && !hasHorizon;
  if (tombstonesKept) {
    const h = horizon ?? now + config.deleteRetentionMs;
    if (stats.nextDeleteHorizon === null || h < stats.nextDeleteHorizon) stats.nextDeleteHorizon = h;
  }
  if (kept.length === batch.records.length && !needsHorizon) return bytes;
  const lastOfProducer = b.producerId >= 0 && map.lastBatchOfProducer.get(b.producerId) === b.lastOffset;
  if (kept.length === 0 && !lastOfProducer && !isGroupLast) return null;
  stats.batchesRewritten++;
  const logAppendTime = batch.timestampType === 1;
  const newHorizon = needsHorizon
    ? BigInt(now + config.deleteRetentionMs)
    : hasHorizon
      ? batch.baseTimestamp
      : undefined;

  return encodeRecordBatchAsync({
    records: kept.map((rec) => ({
      key: rec.key,
      value: rec.value,
      headers: rec.headers,
      timestamp: rec.timestamp,
      offsetDelta: rec.offsetDelta,
    })),
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: batch.compression,
    timestampType: logAppendTime ? 1 : 0,
    transactional: batch.isTransactional,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    lastOffsetDelta: batch.lastOffsetDelta,
    deleteHorizon: newHorizon !== undefined,
    baseTimestamp: newHorizon ?? (kept.length === 0 ? batch.maxTimestamp : undefined),
    maxTimestamp: logAppendTime || kept.length === 0 ? batch.maxTimestamp : undefined,
  });
}
