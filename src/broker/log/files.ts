/**
 * Names of the files in a partition directory, and its checkpoint file.
 *
 * ```
 * <topic>-<partition>/
 *   00000000000000000000.log        record batches as on the wire
 *   00000000000000000000.index      offset index (relative offset int32, position int32)
 *   00000000000000000000.timeindex  time index (timestamp int64, relative offset int32)
 *   00000000000000000000.txnindex   aborted transactions whose ABORT marker is in the segment
 *   00000000000000000042.snapshot   producer state as of offset 42 (at a roll or a clean close)
 *   log.checkpoint                  log start offset, recovery point, cleaner offset
 *   .kafka_cleanshutdown            present only while the log is closed cleanly
 * ```
 * During compaction a segment's files carry a `.cleaned` then `.swap` suffix;
 * deleted segments linger as `.deleted` until file.delete.delay.ms passes.
 */
import { join } from 'node:path';
import { type LogFs, readWholeFile, writeFileAtomic } from './fs.ts';

/** Kinds of file a segment has. */
export type SegmentFileKind = 'log' | 'index' | 'timeindex' | 'txnindex';
/** Suffixes a segment file may carry while it is being swapped or deleted. */
export type SegmentFileState = '' | '.cleaned' | '.swap' | '.deleted';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const CHECKPOINT_FILE = 'log.checkpoint';

/** `00000000000000000042.log` and friends. */
export function segmentFileName(baseOffset: number, kind: SegmentFileKind, state: SegmentFileState = ''): string {
  return `${String(baseOffset).padStart(20, '0')}.${kind}${state}`;
}

export function segmentFilePath(
  dir: string,
  baseOffset: number,
  kind: SegmentFileKind,
  state: SegmentFileState = '',
): string {
  return join(dir, segmentFileName(baseOffset, kind, state));
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)(\.cleaned|\.swap|\.deleted)?$/;

/** Parses a segment file name, or returns null for anything else. */
export function parseSegmentFileName(
  name: string,
): { baseOffset: number; kind: SegmentFileKind; state: SegmentFileState } | null {
  const m = SEGMENT_FILE.exec(name);
  if (!m) return null;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, kind: m[2] as SegmentFileKind, state: (m[3] ?? '') as SegmentFileState };
}

const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;

/** `00000000000000000042.snapshot`: the producer state as of offset 42. */
export function snapshotFileName(offset: number): string {
  return `${String(offset).padStart(20, '0')}.snapshot`;
}

/** The offset of a producer-state snapshot file name, or null for anything else. */
export function parseSnapshotFileName(name: string): number | null {
  const m = SNAPSHOT_FILE.exec(name);
  if (!m) return null;
  const offset = Number(m[1]);
  return Number.isSafeInteger(offset) ? offset : null;
}

/** The directory name of a topic-partition under `data/logs/`. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>` (topics may contain `-`), or null if it is not one. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (!m) return null;
  return { topic: m[1]!, partition: Number(m[2]) };
}

/** What survives a restart besides the segments themselves. */
export interface LogCheckpoint {
  /** The log start offset (DeleteRecords may put it inside the first segment). */
  logStartOffset: number;
  /** Everything below this offset was fsynced; recovery scans only from here. */
  recoveryPoint: number;
  /** Compaction has cleaned everything below this offset (the first dirty offset). */
  cleanerOffset: number;
}

/** Reads the checkpoint; a missing or unreadable file yields null (recovery then scans everything). */
export function readCheckpoint(lfs: LogFs, dir: string): LogCheckpoint | null {
  const buf = readWholeFile(lfs, join(dir, CHECKPOINT_FILE));
  if (!buf) return null;
  try {
    const j = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    const n = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
    const logStartOffset = n(j.logStartOffset);
    const recoveryPoint = n(j.recoveryPoint);
    const cleanerOffset = n(j.cleanerOffset) ?? 0;
    if (j.version !== 1 || logStartOffset === null || recoveryPoint === null) return null;
    return { logStartOffset, recoveryPoint, cleanerOffset };
  } catch {
    return null;
  }
}

/** Writes the checkpoint atomically and durably. */
export function writeCheckpoint(lfs: LogFs, dir: string, cp: LogCheckpoint): Promise<void> {
  const json = `${JSON.stringify({ version: 1, ...cp })}\n`;
  return writeFileAtomic(lfs, dir, join(dir, CHECKPOINT_FILE), Buffer.from(json, 'utf8'));
}

/**
 * Serializes checkpoint writes. Each write takes the values current when it
 * starts; a caller arriving while another write waits to start shares it.
 */
export class CheckpointWriter {
  #lfs: LogFs;
  #dir: string;
  #values: () => LogCheckpoint;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | null = null;

  constructor(lfs: LogFs, dir: string, values: () => LogCheckpoint) {
    this.#lfs = lfs;
    this.#dir = dir;
    this.#values = values;
  }

  /** Writes the checkpoint; `override` replaces some values for this write only (not shared). */
  write(override?: Partial<LogCheckpoint>): Promise<void> {
    if (this.#queued && !override) return this.#queued;
    const run = () => {
      if (this.#queued === p) this.#queued = null;
      return writeCheckpoint(this.#lfs, this.#dir, { ...this.#values(), ...override });
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => {});
    if (!override) this.#queued = p;
    return p;
  }

  /** Resolves when no write is pending. */
  settled(): Promise<void> {
    return this.#chain;
  }
}
