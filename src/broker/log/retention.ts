/**
 * When the active segment rolls, and which segments retention may delete, as
 * Kafka's LogSegment.shouldRoll and UnifiedLog.deleteOldSegments decide.
 * Retention: Each rule deletes a prefix of the log (it stops at the first
 * segment that does not qualify); the active segment qualifies too, and the
 * log then rolls a new empty one first, but an empty active segment never
 * does.
 */
import type { LogConfig } from './config.ts';
import type { Segment } from './segment.ts';

/** Why segments were deleted. */
export type RetentionReason = 'retention.ms' | 'retention.bytes' | 'log-start-offset';

/** What `applyRetention` deleted. */
export interface RetentionResult {
  /** Base offsets of the deleted segments, per reason. */
  deleted: Array<{ baseOffset: number; size: number; reason: RetentionReason }>;
  deletedBytes: number;
  logStartOffset: number;
}

/** How many leading segments one rule allows to delete. */
export function deletablePrefix(
  segments: readonly Segment[],
  reason: RetentionReason,
  config: LogConfig,
  now: number,
  logStartOffset: number,
): number {
  let sizeOver = 0;
  if (reason === 'retention.bytes') {
    if (config.retentionBytes < 0) return 0;
    sizeOver = segments.reduce((n, s) => n + s.size, 0) - config.retentionBytes;
    if (sizeOver <= 0) return 0;
  }
  if (reason === 'retention.ms' && config.retentionMs < 0) return 0;
  let n = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    if (!next && seg.size === 0) break;
    let ok: boolean;
    if (reason === 'retention.ms') ok = now - seg.largestTimestamp > config.retentionMs;
    else if (reason === 'retention.bytes') {
      ok = sizeOver - seg.size >= 0;
      if (ok) sizeOver -= seg.size;
    } else ok = next !== undefined && next.baseOffset <= logStartOffset;
    if (!ok) break;
    n++;
  }
  return n;
}

/** The rules that apply, in Kafka's order. */
export function retentionRules(config: LogConfig): RetentionReason[] {
  const rules: RetentionReason[] = [];
  if (config.cleanupPolicy.includes('delete')) rules.push('retention.ms', 'retention.bytes');
  rules.push('log-start-offset');
  return rules;
}

const INT32_MAX = 0x7fffffff;

/**
 * Whether an append of `size` bytes ending at `lastOffset` must go to a new
 * segment: segment.bytes would be passed, segment.ms has passed since the
 * first batch's timestamp (or since the segment was opened, if it has none),
 * an index is full, or offsets would overflow the index's int32.
 */
export function shouldRoll(
  seg: Segment,
  config: LogConfig,
  size: number,
  lastOffset: number,
  maxTimestamp: number,
  now: number,
): boolean {
  if (seg.size === 0) return false;
  const first = seg.firstBatchTimestamp;
  const waited = first !== null ? maxTimestamp - first : now - seg.openedAt;
  return (
    seg.size > config.segmentBytes - size ||
    waited > config.segmentMs ||
    seg.indexesFull ||
    lastOffset - seg.baseOffset > INT32_MAX
  );
}
