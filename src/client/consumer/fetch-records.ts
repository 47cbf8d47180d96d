/**
 * Turns one partition of a Fetch response into ConsumerRecords, as Java's
 * CompletedFetch does:
 *
 * - batches that end before the fetch offset are skipped, and so are the
 *   records below it in the first batch (a compressed batch is returned whole);
 * - control batches (transaction markers) are never returned;
 * - read_committed: the response lists the aborted transactions (producer id,
 *   first offset) overlapping the data. Walking the batches in order, a
 *   producer becomes "aborted" once a batch reaches its first offset, its
 *   transactional batches are dropped, and its ABORT marker ends that;
 * - a partial batch at the end (cut by the byte limit) is left for the next
 *   fetch;
 * - the next fetch offset moves past everything consumed or skipped, so a
 *   response holding only markers or aborted data still advances.
 */
import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeRecordBatch,
  decodeRecordBatchAsync,
  type FetchResponseAbortedTransaction,
  iterateBatches,
  TimestampType,
} from '../../protocol/index.ts';
import type { ConsumerRecord } from './types.ts';

/** Records decoded from one partition's data. */
export interface DecodedChunk {
  records: ConsumerRecord[];
  /** Where the next fetch starts: past the last complete batch (or the fetch offset). */
  nextOffset: bigint;
  /** Bytes of the complete batches (for the prefetch bound). */
  bytes: number;
}

/** Decodes `records` fetched at `fetchOffset`; `aborted` is null under read_uncommitted. */
export async function decodeChunk(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  records: Buffer | null,
  aborted: readonly FetchResponseAbortedTransaction[] | null,
): Promise<DecodedChunk> {
  const out: ConsumerRecord[] = [];
  let nextOffset = fetchOffset;
  let bytes = 0;
  if (!records || records.length === 0) return { records: out, nextOffset, bytes };
  const pendingAborts = aborted ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : null;
  let ai = 0;
  const abortedProducers = new Set<bigint>();

  for (const slice of iterateBatches(records)) {
    const h = slice.header;
    const last = h.baseOffset + BigInt(h.lastOffsetDelta);
    if (last < fetchOffset) continue;
    bytes += h.size;
    if (pendingAborts && h.producerId >= 0n) {
      while (ai < pendingAborts.length && (pendingAborts[ai] as FetchResponseAbortedTransaction).firstOffset <= last) {
        abortedProducers.add((pendingAborts[ai] as FetchResponseAbortedTransaction).producerId);
        ai++;
      }
      if (h.isControl) {
        if (isAbortMarker(slice.bytes)) abortedProducers.delete(h.producerId);
      } else if (h.isTransactional && abortedProducers.has(h.producerId)) {
        nextOffset = last + 1n;
        continue;
      }
    }
    if (h.isControl) {
      nextOffset = last + 1n;
      continue;
    }
    const batch = h.compression === 0 ? decodeRecordBatch(slice.bytes) : await decodeRecordBatchAsync(slice.bytes);
    const timestampType = batch.timestampType === TimestampType.LOG_APPEND_TIME ? 'log-append' : 'create';
    for (const r of batch.records) {
      if (r.offset < fetchOffset) continue;
      out.push({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType,
        key: r.key,
        value: r.value,
        headers: r.headers,
        leaderEpoch: batch.partitionLeaderEpoch,
      });
    }
    nextOffset = last + 1n;
  }
  return { records: out, nextOffset, bytes };
}

function isAbortMarker(batch: Buffer): boolean {
  try {
    const first = decodeRecordBatch(batch).records[0];
    return first !== undefined && decodeControlRecordKey(first.key).type === ControlRecordType.ABORT;
  } catch {
    return false;
  }
}
