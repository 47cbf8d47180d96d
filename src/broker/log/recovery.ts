/**
 * Opening a partition directory: finish or undo what a crash interrupted,
 * then make the segments trustworthy.
 *
 * 1. Leftovers: `.tmp` and `.cleaned` files (an unfinished checkpoint write or
 *    compaction) and `.deleted` files are removed. A `<base>.log.swap` means a
 *    compaction had finished writing its output: the swap is completed — old
 *    segments inside its offset range are removed and `.swap` files renamed.
 * 2. A clean-shutdown marker (`.kafka_cleanshutdown`, written by close) lets
 *    the scan be skipped; it is removed, durably, before anything is written.
 * 3. After a crash, every segment holding offsets at or past the checkpointed
 *    recovery point (at least the last one) is read batch by batch — framing,
 *    magic, CRC-32C, increasing offsets — and its indexes rebuilt; the file is
 *    truncated at the first bad or torn batch. If a segment was truncated, or
 *    ends before the next one starts (a tail lost whole), the later segments
 *    are dropped: they cannot hold acknowledged data, since an
 *    acknowledgement fsyncs all earlier data first. Older segments are trusted, their indexes checked
 *    when first loaded and rebuilt if inconsistent.
 */
import { dirname, join } from 'node:path';
import {
  CLEAN_SHUTDOWN_FILE,
  type LogCheckpoint,
  parseSegmentFileName,
  readCheckpoint,
  segmentFilePath,
  writeCheckpoint,
} from './files.ts';
import { Segment, type SegmentEnv } from './segment.ts';

/** What open-time recovery found and did. */
export interface RecoveryReport {
  /** The log was closed cleanly, so no segment was scanned. */
  cleanShutdown: boolean;
  /** Base offsets of segments read in full (CRC-checked). */
  scannedSegments: number[];
  /** Bytes cut from torn or corrupt tails. */
  truncatedBytes: number;
  /** Why the first truncation happened. */
  problem: string | null;
  /** Base offsets of segments dropped because an earlier one was truncated. */
  droppedSegments: number[];
  /** Leftover files removed, or swaps completed. */
  leftovers: string[];
}

/** The recovered state a PartitionLog starts from. */
export interface RecoveredLog {
  segments: Segment[];
  checkpoint: LogCheckpoint;
  report: RecoveryReport;
}

export async function recoverLog(env: SegmentEnv, now: number): Promise<RecoveredLog> {
  const { fs, dir } = env;
  if (!fs.exists(dir)) {
    fs.mkdir(dir);
    await fs.fsyncDir(dirname(dir));
  }
  const report: RecoveryReport = {
    cleanShutdown: false,
    scannedSegments: [],
    truncatedBytes: 0,
    problem: null,
    droppedSegments: [],
    leftovers: [],
  };
  let dirChanged = resolveLeftovers(env, now, report);

  const cp = readCheckpoint(fs, dir);
  const marker = join(dir, CLEAN_SHUTDOWN_FILE);
  if (fs.exists(marker)) {
    report.cleanShutdown = true;
    fs.unlink(marker);
    // Must be durable before the first append: a marker reappearing after a
    // crash would make the next open skip the scan of a torn tail.
    await fs.fsyncDir(dir);
    dirChanged = false;
  }

  const bases = fs
    .readdir(dir)
    .map(parseSegmentFileName)
    .filter((p) => p !== null && p.kind === 'log' && p.state === '')
    .map((p) => p!.baseOffset)
    .sort((a, b) => a - b);
  let segments = bases.map((b) => Segment.open(env, b, now));
  for (let i = 0; i < segments.length - 1; i++) segments[i]!.markSealed();

  const touched = new Set<Segment>();
  if (!report.cleanShutdown) {
    const recoveryPoint = cp?.recoveryPoint ?? 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const next = segments[i + 1];
      if (next && next.baseOffset <= recoveryPoint) continue;
      const r = seg.recover(true);
      touched.add(seg);
      report.scannedSegments.push(seg.baseOffset);
      report.truncatedBytes += r.truncatedBytes;
      if (r.truncatedBytes > 0) report.problem ??= `${seg.path('log')} at ${r.validBytes}: ${r.problem}`;
      // A tail lost at a batch boundary looks valid; the hole before the next segment gives it away.
      const lostTail = next !== undefined && seg.nextOffset < next.baseOffset;
      if (lostTail)
        report.problem ??= `${seg.path('log')} ends at offset ${seg.nextOffset}, the next segment starts at ${next.baseOffset}`;
      if (next && (r.truncatedBytes > 0 || lostTail)) {
        for (const dropped of segments.slice(i + 1)) {
          dropped.close();
          dropped.unlinkFiles();
          report.droppedSegments.push(dropped.baseOffset);
        }
        segments = segments.slice(0, i + 1);
        dirChanged = true;
        break;
      }
    }
  }

  let logStartOffset = Math.max(cp?.logStartOffset ?? 0, segments[0]?.baseOffset ?? 0);
  const last = segments[segments.length - 1];
  if (!last || logStartOffset > last.nextOffset) {
    // Nothing at or past the log start survived: start over there.
    for (const s of segments) {
      s.close();
      s.unlinkFiles();
    }
    segments = [Segment.create(env, logStartOffset, now)];
    dirChanged = true;
  }
  logStartOffset = Math.max(logStartOffset, segments[0]!.baseOffset);

  // What was scanned is what the disk will keep: make it durable, and the
  // recovery point with it, so the next crash does not rescan it.
  for (const seg of touched) {
    if (seg.closed) continue;
    if (seg !== segments[segments.length - 1]) seg.seal();
    await seg.fsync();
    await seg.persistIndexes(true);
  }
  if (dirChanged || touched.size > 0) await fs.fsyncDir(dir);
  const checkpoint: LogCheckpoint = {
    logStartOffset,
    recoveryPoint: report.cleanShutdown ? (cp?.recoveryPoint ?? 0) : segments[segments.length - 1]!.nextOffset,
    cleanerOffset: cp?.cleanerOffset ?? 0,
  };
  if (!report.cleanShutdown) await writeCheckpoint(fs, dir, checkpoint);
  return { segments, checkpoint, report };
}

/** Step 1; returns whether directory entries changed. */
function resolveLeftovers(env: SegmentEnv, now: number, report: RecoveryReport): boolean {
  const { fs, dir } = env;
  let changed = false;
  const names = fs.readdir(dir);
  const regular = new Set<number>();
  const swaps: number[] = [];
  for (const name of names) {
    if (name.endsWith('.tmp')) {
      fs.unlink(join(dir, name));
      report.leftovers.push(name);
      changed = true;
      continue;
    }
    const p = parseSegmentFileName(name);
    if (!p) continue;
    if (p.state === '.deleted' || p.state === '.cleaned') {
      fs.unlink(join(dir, name));
      report.leftovers.push(name);
      changed = true;
    } else if (p.state === '.swap' && p.kind === 'log') swaps.push(p.baseOffset);
    else if (p.state === '' && p.kind === 'log') regular.add(p.baseOffset);
  }
  for (const base of swaps.sort((a, b) => a - b)) {
    const swap = Segment.open(env, base, now, '.swap');
    swap.recover(true);
    const end = swap.nextOffset;
    swap.close();
    for (const old of regular) {
      if (old < base || old >= end) continue;
      for (const kind of ['log', 'index', 'timeindex', 'txnindex'] as const) {
        const path = segmentFilePath(dir, old, kind);
        if (fs.exists(path)) fs.unlink(path);
      }
      regular.delete(old);
    }
    for (const kind of ['index', 'timeindex', 'txnindex', 'log'] as const) {
      const from = segmentFilePath(dir, base, kind, '.swap');
      if (fs.exists(from)) fs.rename(from, segmentFilePath(dir, base, kind));
    }
    regular.add(base);
    report.leftovers.push(`completed swap of ${segmentFilePath(dir, base, 'log')}`);
    changed = true;
  }
  // Index files whose segment is gone (or a swap's index without its log).
  for (const name of fs.readdir(dir)) {
    const p = parseSegmentFileName(name);
    if (!p || p.kind === 'log') continue;
    if (p.state === '.swap' || !regular.has(p.baseOffset)) {
      fs.unlink(join(dir, name));
      report.leftovers.push(name);
      changed = true;
    }
  }
  return changed;
}
