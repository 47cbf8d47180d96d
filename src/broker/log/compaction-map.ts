/**
 * The first pass of compaction: one read of the whole log that finds
 * - the latest offset of every key in the dirty range (committed data only);
 * - the outcome of every transaction whose batches lie in the range to rewrite
 *   (its COMMIT/ABORT marker may come later, even in the active segment);
 * - the last data batch of every producer id, which compaction keeps (at least
 *   as an empty batch) so idempotent producers' sequence state survives.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ControlRecordType, decodeControlRecordKey, decodeRecordBatchAsync } from '../../protocol/records/index.ts';
import { isControlBatch, isTransactionalBatch } from './batch.ts';
import type { Segment } from './segment.ts';

/** What a transactional batch turned out to be. */
export type TxnOutcome = 'commit' | 'abort';

export interface OffsetMap {
  /** Key (bytes as latin1) → latest offset in the dirty range. */
  latest: Map<string, number>;
  /** Last offset of a transactional data batch → its transaction's outcome (absent: still open). */
  txnOutcome: Map<number, TxnOutcome>;
  /** Producer id → last offset of its last data batch in the log. */
  lastBatchOfProducer: Map<number, number>;
  /** The dirty range actually mapped ends here (may be below the requested end when the map filled up). */
  dirtyEnd: number;
  bytesRead: number;
}

export interface MapRange {
  /** All segments, active last, scanned from the first (the range to rewrite starts there) to the active one's end. */
  segments: readonly Segment[];
  /** First dirty offset. */
  dirtyStart: number;
  /** End of the cleanable range (exclusive, a segment base). */
  dirtyEnd: number;
  /** Stop mapping after the segment that takes the map past this many keys. */
  maxKeys: number;
  shouldStop: () => boolean;
}

interface PendingTxnBatch {
  lastOffset: number;
  keys: Array<[string, number]>;
}

/** Builds the {@link OffsetMap}; returns null if asked to stop midway. */
export async function buildOffsetMap(r: MapRange): Promise<OffsetMap | null> {
  const latest = new Map<string, number>();
  const txnOutcome = new Map<number, TxnOutcome>();
  const lastBatchOfProducer = new Map<number, number>();
  const open = new Map<number, PendingTxnBatch[]>();
  let dirtyEnd = r.dirtyEnd;
  let bytesRead = 0;
  const put = (key: string, offset: number) => {
    if (offset >= dirtyEnd) return;
    const prev = latest.get(key);
    if (prev === undefined || offset > prev) latest.set(key, offset);
  };

  for (const seg of r.segments) {
    const it = seg.scan({ withBytes: true });
    let sinceYield = 0;
    for (let step = it.next(); !step.done; step = it.next()) {
      const b = step.value;
      bytesRead += b.size;
      sinceYield += b.size;
      if (sinceYield > 1024 * 1024) {
        sinceYield = 0;
        await yieldToEventLoop();
        if (r.shouldStop()) return null;
      }
      if (b.producerId >= 0 && !isControlBatch(b)) lastBatchOfProducer.set(b.producerId, b.lastOffset);
      if (isControlBatch(b)) {
        const batch = await decodeRecordBatchAsync(b.bytes!, { verifyCrc: false });
        const type = batch.records[0] ? decodeControlRecordKey(batch.records[0].key).type : -1;
        if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) continue;
        for (const pending of open.get(b.producerId) ?? []) {
          txnOutcome.set(pending.lastOffset, type === ControlRecordType.COMMIT ? 'commit' : 'abort');
          if (type === ControlRecordType.COMMIT) for (const [k, o] of pending.keys) put(k, o);
        }
        open.delete(b.producerId);
        continue;
      }
      if (b.baseOffset >= dirtyEnd) continue; // only markers and producers matter past the cleanable range
      const inDirty = b.lastOffset >= r.dirtyStart;
      const keys: Array<[string, number]> = [];
      if (inDirty) {
        const batch = await decodeRecordBatchAsync(b.bytes!, { verifyCrc: false });
        for (const rec of batch.records) {
          const offset = Number(rec.offset);
          if (rec.key !== null && offset >= r.dirtyStart) keys.push([rec.key.toString('latin1'), offset]);
        }
      }
      if (isTransactionalBatch(b)) {
        const list = open.get(b.producerId) ?? [];
        list.push({ lastOffset: b.lastOffset, keys });
        open.set(b.producerId, list);
      } else for (const [k, o] of keys) put(k, o);
    }
    if (seg.baseOffset >= r.dirtyStart && seg.nextOffset <= dirtyEnd && latest.size > r.maxKeys) {
      // Kafka's rule too: the map covers whole segments; the rest waits for the next run.
      const next = r.segments[r.segments.indexOf(seg) + 1];
      if (next && next.baseOffset < dirtyEnd) dirtyEnd = next.baseOffset;
    }
    await yieldToEventLoop();
    if (r.shouldStop()) return null;
  }
  return { latest, txnOutcome, lastBatchOfProducer, dirtyEnd, bytesRead };
}
