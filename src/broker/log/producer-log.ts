/**
 * The producer state's files and its rebuild, for the partition log:
 *
 * - `<offset>.snapshot` files (written at every roll and at a clean close,
 *   atomically) hold the state as of that offset; the ones below the first
 *   segment go with it, the newest always stays.
 * - On open the newest readable snapshot at or below the log end is loaded
 *   (unreadable ones are removed, newer ones than the log end too), then the
 *   batches after it are replayed, headers only (control batches whole, for
 *   their marker). The aborted-transaction entries of the replayed range are
 *   rebuilt with them, so entries for markers a crash lost disappear.
 */
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import {
  BatchField,
  decodeEndTxnMarker,
  decodeRecordBatch,
  RECORD_BATCH_HEADER_SIZE,
} from '../../protocol/records/index.ts';
import { type BatchInfo, isControlBatch, isTransactionalBatch } from './batch.ts';
import { parseSnapshotFileName, snapshotFileName } from './files.ts';
import { type LogFs, readWholeFile, writeFileAtomic } from './fs.ts';
import type { AppliedTxn, ProducerBatch, ProducerStateManager } from './producer-state.ts';
import type { Segment, SegmentEnv } from './segment.ts';
import type { SegmentList } from './segment-list.ts';
import type { AbortedTxn } from './txn-index.ts';

/** Offsets of the snapshot files in `dir`, ascending. */
export function snapshotOffsets(fs: LogFs, dir: string): number[] {
  return fs
    .readdir(dir)
    .map(parseSnapshotFileName)
    .filter((o): o is number => o !== null)
    .sort((a, b) => a - b);
}

/** Writes the snapshot of `offset` atomically and durably. */
export function writeSnapshot(fs: LogFs, dir: string, offset: number, bytes: Buffer): Promise<void> {
  return writeFileAtomic(fs, dir, join(dir, snapshotFileName(offset)), bytes);
}

/** Removes snapshots below the first segment (their data is gone), keeping the newest. */
export function pruneSnapshots(fs: LogFs, dir: string, firstSegmentBase: number): void {
  for (const o of snapshotOffsets(fs, dir).slice(0, -1)) {
    if (o < firstSegmentBase) fs.unlink(join(dir, snapshotFileName(o)));
  }
}

/** What {@link loadProducerState} works on. */
export interface ProducerLoad {
  env: SegmentEnv;
  segments: SegmentList;
  producers: ProducerStateManager;
  logStartOffset: number;
  now: number;
  expirationMs: number;
}

/** Rebuilds the producer state of a log just opened (Kafka's loadProducerState). */
export async function loadProducerState(l: ProducerLoad): Promise<void> {
  const { fs, dir, warn } = l.env;
  const leo = l.segments.active.nextOffset;
  const offsets = snapshotOffsets(fs, dir);
  for (const o of offsets) if (o > leo) fs.unlink(join(dir, snapshotFileName(o)));
  l.producers.clear(l.logStartOffset);
  let from = l.segments.first.baseOffset;
  for (const o of offsets.filter((x) => x <= leo).reverse()) {
    const path = join(dir, snapshotFileName(o));
    try {
      l.producers.loadSnapshot(readWholeFile(fs, path) ?? Buffer.alloc(0), o, l.now, l.expirationMs);
      from = Math.max(o, from);
      break;
    } catch (err) {
      warn(`producer snapshot ${path} unusable (${(err as Error).message}); removed`);
      fs.unlink(path);
      l.producers.clear(l.logStartOffset);
    }
  }
  const all = l.segments.all;
  const touched = new Set<Segment>();
  for (let i = l.segments.indexFor(from); i < all.length && from < leo; i++) {
    const seg = all[i]!;
    seg.truncateAbortedTxns(from);
    touched.add(seg);
    const it = seg.scan();
    for (let r = it.next(); !r.done; r = it.next()) {
      const b = r.value;
      if (b.lastOffset < from || b.producerId < 0) continue;
      const head = seg.read(b.position, isControlBatch(b) ? b.size : RECORD_BATCH_HEADER_SIZE);
      try {
        const plan = l.producers.prepare([producerBatchOf(head, b, 0)], 'replay');
        for (const t of l.producers.apply(plan, b.lastOffset + 1)) {
          if (t.aborted) seg.appendAbortedTxn(abortedEntry(t));
        }
      } catch (err) {
        warn(`${dir}: producer state replay skipped the batch at offset ${b.baseOffset}: ${(err as Error).message}`);
      }
    }
  }
  for (const seg of touched) await seg.fsync();
  l.producers.mapEndOffset = leo;
}

/** The index entry of an aborted transaction. */
export function abortedEntry(t: AppliedTxn): AbortedTxn {
  return {
    producerId: t.producerId,
    firstOffset: t.firstOffset,
    lastOffset: t.lastOffset,
    lastStableOffset: t.lastStableOffset,
  };
}

/** The producer fields of a batch whose header starts at `at` in `buf` (a control batch must be there whole). */
export function producerBatchOf(buf: Buffer, b: BatchInfo, at: number): ProducerBatch {
  const pb: ProducerBatch = {
    producerId: b.producerId,
    producerEpoch: buf.readInt16BE(at + BatchField.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BatchField.BASE_SEQUENCE),
    baseOffset: b.baseOffset,
    lastOffset: b.lastOffset,
    maxTimestamp: b.maxTimestamp,
    transactional: isTransactionalBatch(b),
  };
  if (isControlBatch(b)) {
    try {
      const batch = decodeRecordBatch(buf.subarray(at, at + b.size), { verifyCrc: false });
      const record = batch.records[0];
      const marker = record ? decodeEndTxnMarker(record) : null;
      pb.marker = marker ? { commit: marker.type === 1, coordinatorEpoch: marker.coordinatorEpoch } : null;
    } catch (err) {
      throw new KafkaError(ErrorCode.INVALID_RECORD, `unreadable control batch: ${(err as Error).message}`);
    }
  }
  return pb;
}
