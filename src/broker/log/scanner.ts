/**
 * Sequential scans of a segment file, batch by batch, reading it in large
 * chunks. Recovery, index rebuilds, timestamp searches and compaction use it;
 * the append and fetch paths do not.
 */
import { type BatchInfo, crcMatches, RECORD_BATCH_HEADER_SIZE, readBatchInfo, storedBatchProblem } from './batch.ts';
import type { Fd, LogFs } from './fs.ts';

/** A batch found by {@link scanBatches}; `bytes` only when asked for. */
export interface ScannedBatch extends BatchInfo {
  /** The whole batch (a fresh buffer per chunk, safe to keep). */
  bytes: Buffer | null;
}

/** Where a scan stopped: at `end`, or at the first bad batch (`problem` says why). */
export interface ScanEnd {
  position: number;
  problem: string | null;
}

/** Options for {@link scanBatches}. */
export interface ScanOptions {
  /** Yield each batch's bytes (default false: headers only). */
  withBytes?: boolean;
  /** Check each batch's CRC-32C, as recovery does (default false). */
  verify?: boolean;
  /** When given, offsets must increase from here and fit the segment's int32 index (base = this). */
  minOffset?: number;
  /** Read size (default 1 MiB). */
  chunkSize?: number;
}

const INT32_MAX = 0x7fffffff;

/**
 * Walks the batches in `[start, end)` of a file. Framing is always checked
 * (a scan must never loop on garbage); a bad or torn batch ends the scan and
 * its position and reason are the generator's return value.
 */
export function* scanBatches(
  lfs: LogFs,
  fd: Fd,
  start: number,
  end: number,
  opts: ScanOptions = {},
): Generator<ScannedBatch, ScanEnd> {
  const chunkSize = opts.chunkSize ?? 1024 * 1024;
  const needBytes = opts.withBytes === true || opts.verify === true;
  let chunk = Buffer.alloc(0);
  let chunkPos = start;
  let pos = start;
  let nextMin = opts.minOffset ?? -1;
  const baseLimit = opts.minOffset ?? 0;

  /** Makes `[pos, pos + need)` available in `chunk`; false if the file is shorter. */
  const ensure = (need: number): boolean => {
    if (pos >= chunkPos && pos + need <= chunkPos + chunk.length) return true;
    const len = Math.min(Math.max(need, chunkSize), end - pos);
    const buf = Buffer.allocUnsafe(len);
    const n = lfs.read(fd, buf, 0, len, pos);
    chunk = buf.subarray(0, n);
    chunkPos = pos;
    return n >= need;
  };

  while (pos < end) {
    const avail = end - pos;
    if (!ensure(Math.min(RECORD_BATCH_HEADER_SIZE, avail))) return { position: pos, problem: 'short read' };
    let at = pos - chunkPos;
    const problem = storedBatchProblem(chunk, at, avail);
    if (problem) return { position: pos, problem };
    const info = readBatchInfo(chunk, at, pos);
    if (needBytes) {
      if (!ensure(info.size)) return { position: pos, problem: 'short read' };
      at = pos - chunkPos;
    }
    if (opts.minOffset !== undefined) {
      if (info.baseOffset < nextMin) return { position: pos, problem: `offset ${info.baseOffset} does not increase` };
      if (info.lastOffset - baseLimit > INT32_MAX) return { position: pos, problem: 'offset overflows the segment' };
      nextMin = info.lastOffset + 1;
    }
    if (opts.verify && !crcMatches(chunk, at, info.size)) return { position: pos, problem: 'CRC mismatch' };
    const bytes = opts.withBytes ? chunk.subarray(at, at + info.size) : null;
    yield { ...info, bytes };
    pos += info.size;
  }
  return { position: pos, problem: null };
}
