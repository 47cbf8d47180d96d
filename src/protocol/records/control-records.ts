/**
 * Control records: the one-record batches (attribute bit 5, plus bit 4 for
 * transactions) that the transaction coordinator writes to end a transaction.
 *
 * - key: `version int16 (0)` · `type int16` — 0 ABORT, 1 COMMIT; 2..6 occur in
 *   KRaft logs only. Unknown types are decoded, not rejected, so readers can
 *   skip them.
 * - value of an ABORT/COMMIT marker: `version int16 (0)` · `coordinatorEpoch int32`.
 *   A higher version is read as version 0 (later versions may only append
 *   fields); a negative version or a short buffer is INVALID_RECORD, as in Kafka.
 */

import { encodeRecordBatch } from './record-batch.ts';
import { RecordBatchError, RecordErrorCode } from './record-batch-error.ts';
import type { KafkaRecord } from './records-block.ts';

/** Control record types (key field `type`). */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const;

/** A decoded control record key. */
export interface ControlRecordKey {
  version: number;
  /** May be a type this code does not know; callers skip those. */
  type: number;
}

/** A decoded end-transaction marker value. */
export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

const KEY_SIZE = 4;
const MARKER_VALUE_SIZE = 6;

function invalid(message: string): RecordBatchError {
  return new RecordBatchError(RecordErrorCode.INVALID_RECORD, message);
}

/** Encodes a control record key (version 0 unless given). */
export function encodeControlRecordKey(type: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(KEY_SIZE);
  b.writeInt16BE(version, 0);
  b.writeInt16BE(type, 2);
  return b;
}

/** Decodes a control record key; throws INVALID_RECORD if it is short or its version negative. */
export function decodeControlRecordKey(key: Uint8Array | null): ControlRecordKey {
  if (key === null || key.length < KEY_SIZE) {
    throw invalid(`control record key needs ${KEY_SIZE} bytes, got ${key === null ? 'null' : key.length}`);
  }
  const view = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const version = view.readInt16BE(0);
  if (version < 0) throw invalid(`control record key has version ${version}`);
  return { version, type: view.readInt16BE(2) };
}

/** Encodes an end-transaction marker value (version 0). */
export function encodeEndTxnMarkerValue(coordinatorEpoch: number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(MARKER_VALUE_SIZE);
  b.writeInt16BE(version, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

/** Decodes an end-transaction marker value; throws INVALID_RECORD if it is short or its version negative. */
export function decodeEndTxnMarkerValue(value: Uint8Array | null): EndTxnMarker {
  if (value === null || value.length < MARKER_VALUE_SIZE) {
    throw invalid(
      `end transaction marker needs ${MARKER_VALUE_SIZE} bytes, got ${value === null ? 'null' : value.length}`,
    );
  }
  const view = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const version = view.readInt16BE(0);
  if (version < 0) throw invalid(`end transaction marker has version ${version}`);
  return { version, coordinatorEpoch: view.readInt32BE(2) };
}

/** The transaction outcome of a marker record, or null when the record is some other control type. */
export function decodeEndTxnMarker(
  record: Pick<KafkaRecord, 'key' | 'value'>,
): (EndTxnMarker & { type: typeof ControlRecordType.ABORT | typeof ControlRecordType.COMMIT }) | null {
  const { type } = decodeControlRecordKey(record.key);
  if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) return null;
  return { type, ...decodeEndTxnMarkerValue(record.value) };
}

/** Options for {@link encodeEndTxnMarkerBatch}. */
export interface EndTxnMarkerBatchOptions {
  type: typeof ControlRecordType.ABORT | typeof ControlRecordType.COMMIT;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** Default 0; the log assigns the real offset. */
  baseOffset?: bigint;
  /** Default -1. */
  partitionLeaderEpoch?: number;
  /** Marker timestamp in ms (default: now). */
  timestamp?: bigint | number;
}

/**
 * Builds the control batch that commits or aborts a transaction: attributes
 * transactional + control, the producer's id and epoch, baseSequence -1 and a
 * single record (key = type, value = coordinator epoch).
 */
export function encodeEndTxnMarkerBatch(o: EndTxnMarkerBatchOptions): Buffer {
  if (o.type !== ControlRecordType.ABORT && o.type !== ControlRecordType.COMMIT) {
    throw new RangeError(`end transaction marker type must be ABORT (0) or COMMIT (1), got ${o.type}`);
  }
  return encodeRecordBatch({
    records: [
      {
        key: encodeControlRecordKey(o.type),
        value: encodeEndTxnMarkerValue(o.coordinatorEpoch),
        timestamp: o.timestamp,
      },
    ],
    baseOffset: o.baseOffset,
    partitionLeaderEpoch: o.partitionLeaderEpoch,
    transactional: true,
    control: true,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: -1,
  });
}
