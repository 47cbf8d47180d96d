/**
 * ListOffsets by timestamp. The time index narrows the search to an index
 * interval; batch headers (max timestamps) narrow it to a batch; only that
 * batch is decoded to find the record (under LogAppendTime every record
 * carries the batch's timestamp, so nothing is decoded).
 */
import { decodeRecordBatch } from '../../protocol/records/index.ts';
import { type BatchInfo, isLogAppendTime } from './batch.ts';
import type { Segment } from './segment.ts';

/** A record's offset and timestamp. */
export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
}

function firstRecord(
  seg: Segment,
  b: BatchInfo,
  match: (offset: number, timestamp: number) => boolean,
): TimestampAndOffset | null {
  const batch = decodeRecordBatch(seg.read(b.position, b.size), { verifyCrc: false });
  for (const rec of batch.records) {
    const offset = Number(rec.offset);
    const timestamp = Number(rec.timestamp);
    if (match(offset, timestamp)) return { offset, timestamp };
  }
  return null;
}

/** The first record of `seg` at or after `minOffset` with a timestamp >= `timestamp`, or null. */
export function segmentOffsetForTimestamp(
  seg: Segment,
  timestamp: number,
  minOffset: number,
): TimestampAndOffset | null {
  if (seg.maxTimestamp < timestamp) return null;
  const from = Math.max(seg.offsetBeforeTimestamp(timestamp), minOffset);
  const it = seg.scan({ chunkSize: 64 * 1024 }, seg.positionBefore(from));
  for (let r = it.next(); !r.done; r = it.next()) {
    const b = r.value;
    if (b.maxTimestamp < timestamp || b.lastOffset < minOffset || b.recordsCount === 0) continue;
    if (isLogAppendTime(b)) return { offset: Math.max(b.baseOffset, minOffset), timestamp: b.maxTimestamp };
    const found = firstRecord(seg, b, (o, t) => o >= minOffset && t >= timestamp);
    if (found) return found;
  }
  return null;
}

/** The first record at or after `logStartOffset` with a timestamp >= `timestamp`, or null. */
export function offsetForTimestamp(
  segments: readonly Segment[],
  timestamp: number,
  logStartOffset: number,
): TimestampAndOffset | null {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (i < segments.length - 1 && segments[i + 1]!.baseOffset <= logStartOffset) continue;
    const found = segmentOffsetForTimestamp(seg, timestamp, logStartOffset);
    if (found) return found;
  }
  return null;
}

/** The earliest record carrying the log's largest timestamp, or null if the log has none. */
export function maxTimestampOffset(segments: readonly Segment[]): TimestampAndOffset | null {
  let best: Segment | null = null;
  for (const seg of segments) if (seg.maxTimestamp > (best?.maxTimestamp ?? -1)) best = seg;
  if (!best) return null;
  const max = best.maxTimestamp;
  const b = best.findBatch(best.offsetOfMaxTimestamp);
  if (!b) return null;
  if (isLogAppendTime(b)) return { offset: b.baseOffset, timestamp: max };
  return firstRecord(best, b, (_, t) => t === max) ?? { offset: b.lastOffset, timestamp: max };
}
