/**
 * The ordered segments of one log (active last): lookup by offset, the
 * Fetch read path, and the file work of removing segments (retention) and
 * swapping in compacted ones. Disk errors propagate; PartitionLog turns them
 * into KAFKA_STORAGE_ERROR.
 */
import { BatchField, LOG_OVERHEAD, RECORD_BATCH_HEADER_SIZE, readInt64 } from './batch.ts';
import type { Segment, SegmentEnv } from './segment.ts';

/** Whole batches read from the segments. */
export interface ReadBatches {
  records: Buffer;
  firstOffset: number;
  nextOffset: number;
}

export class SegmentList {
  #env: SegmentEnv;
  #segments: Segment[];
  #pendingUnlinks = new Map<Segment, NodeJS.Timeout | null>();

  constructor(env: SegmentEnv, segments: Segment[]) {
    this.#env = env;
    this.#segments = segments;
  }

  get all(): readonly Segment[] {
    return this.#segments;
  }
  get active(): Segment {
    return this.#segments[this.#segments.length - 1]!;
  }
  get first(): Segment {
    return this.#segments[0]!;
  }

  push(seg: Segment): void {
    this.#segments.push(seg);
  }

  /** Total bytes of the segment files. */
  size(): number {
    let n = 0;
    for (const s of this.#segments) n += s.size;
    return n;
  }

  /** Position of the segment holding `offset` (the last one whose base offset is <= it). */
  indexFor(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Base offset of the first segment not known to be fsynced: recovery scans from there. */
  recoveryPoint(): number {
    for (const s of this.#segments) if (s === this.active || !s.synced) return s.baseOffset;
    return this.active.baseOffset;
  }

  /**
   * Whole batches from the one containing `offset`, continuing into later
   * segments, up to `maxBytes` (at least one batch with `minOne`), never a
   * batch starting at or past `limit`. Segments are found by binary search
   * and positions by the offset index; batch bodies are never parsed.
   */
  read(offset: number, limit: number, maxBytes: number, minOne: boolean): ReadBatches {
    const parts: Buffer[] = [];
    let total = 0;
    let firstOffset = -1;
    let nextOffset = offset;
    for (let i = this.indexFor(offset); i < this.#segments.length && nextOffset < limit; i++) {
      const seg = this.#segments[i]!;
      // Consumers read on where they stopped: the hint saves the index lookup and scan.
      const pos = seg.hint(nextOffset) ?? seg.findBatch(nextOffset)?.position;
      if (pos === undefined || pos >= seg.size) continue;
      const budget = maxBytes - total;
      let chunk = seg.read(pos, Math.min(Math.max(budget, RECORD_BATCH_HEADER_SIZE), seg.size - pos));
      const firstSize = chunk.readInt32BE(BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
      const firstBase = readInt64(chunk, 0);
      if (firstBase >= limit) break;
      let end = 0;
      if (firstSize > budget) {
        if (!minOne || parts.length > 0) break;
        chunk = firstSize <= chunk.length ? chunk : seg.read(pos, firstSize);
        end = firstSize;
        nextOffset = firstBase + chunk.readInt32BE(BatchField.LAST_OFFSET_DELTA) + 1;
      }
      while (end + RECORD_BATCH_HEADER_SIZE <= chunk.length) {
        const size = chunk.readInt32BE(end + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
        if (size < RECORD_BATCH_HEADER_SIZE || end + size > chunk.length) break;
        const base = readInt64(chunk, end);
        if (base >= limit) break;
        nextOffset = base + chunk.readInt32BE(end + BatchField.LAST_OFFSET_DELTA) + 1;
        end += size;
      }
      if (firstOffset < 0) firstOffset = firstBase;
      parts.push(chunk.subarray(0, end));
      total += end;
      seg.rememberPosition(nextOffset, pos + end);
      if (pos + end < seg.size || total >= maxBytes) break;
    }
    const records = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
    return { records, firstOffset: firstOffset < 0 ? offset : firstOffset, nextOffset };
  }

  /**
   * Removes the first `n` segments: closed and renamed to `.deleted` at once
   * (durably), unlinked after `delayMs` (Kafka's file.delete.delay.ms).
   */
  async removePrefix(n: number, delayMs: number): Promise<Segment[]> {
    const victims = this.#segments.splice(0, n);
    for (const v of victims) {
      v.close();
      v.renameTo('.deleted');
    }
    await this.#env.fs.fsyncDir(this.#env.dir);
    this.#scheduleUnlink(victims, delayMs);
    return victims;
  }

  /**
   * The crash-safe swap of a compacted segment (files in `.cleaned` state,
   * already fsynced) for the segments it replaces: `.cleaned` → `.swap` (the
   * commit point; recovery completes the swap from here), then the old
   * segments → `.deleted` and `.swap` → live names.
   */
  async replace(old: readonly Segment[], cleaned: Segment, delayMs: number): Promise<void> {
    const at = this.#segments.indexOf(old[0]!);
    if (at < 0 || this.#segments[at + old.length - 1] !== old[old.length - 1]) {
      throw new Error('segments changed during compaction');
    }
    cleaned.renameTo('.swap');
    await this.#env.fs.fsyncDir(this.#env.dir);
    // From here on reads see the cleaned segment; nothing below awaits until the renames are done.
    this.#segments.splice(at, old.length, cleaned);
    for (const o of old) {
      o.close();
      o.renameTo('.deleted');
    }
    cleaned.renameTo('');
    await this.#env.fs.fsyncDir(this.#env.dir);
    this.#scheduleUnlink([...old], delayMs);
  }

  #scheduleUnlink(segs: Segment[], delayMs: number): void {
    for (const s of segs) {
      const unlink = () => {
        this.#pendingUnlinks.delete(s);
        try {
          s.unlinkFiles();
        } catch {
          // Left as `.deleted`; the next open removes it.
        }
      };
      if (delayMs === 0) unlink();
      else this.#pendingUnlinks.set(s, setTimeout(unlink, delayMs).unref());
    }
  }

  /** Closes every segment and finishes pending unlinks now. */
  release(): void {
    for (const s of this.#segments) s.close();
    for (const [s, timer] of this.#pendingUnlinks) {
      if (timer) clearTimeout(timer);
      try {
        s.unlinkFiles();
      } catch {
        // Removed at the next open.
      }
    }
    this.#pendingUnlinks.clear();
  }
}
