/**
 * Records of the compacted `__transaction_state` topic, in Kafka's format
 * (TransactionLogKey / TransactionLogValue):
 *
 * - key: `version int16 (0)` · `transactionalId string`
 * - value v0: `version int16` · `producerId int64` · `producerEpoch int16` ·
 *   `timeoutMs int32` · `state int8` · `partitions [topic string,
 *   [partition int32]]` (null when Empty) · `lastUpdateMs int64` ·
 *   `startMs int64`
 * - value v1: the same, flexible (compact strings and arrays, tagged fields:
 *   0 previous producer id, 1 next producer id, 2 client transaction version).
 * - a null value (tombstone) removes an expired transactional id.
 *
 * Offsets committed in a transaction are completed through the group
 * coordinator rather than by markers in `__consumer_offsets`, so the groups
 * of a transaction travel in a tagged field of our own (tag 10000, a value v1);
 * Kafka's readers skip unknown tags. Values without groups are written as v0,
 * as Kafka does before transaction.version 1.
 */
import { ProtocolDecodeError, Reader } from '../../protocol/reader.ts';
import { Writer } from '../../protocol/writer.ts';

/** The topic name. */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const GROUPS_TAG = 10000;

/** Java's String.hashCode over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs(id.hashCode) % partitions`. */
export function partitionForKey(key: string, partitions: number): number {
  const h = javaStringHashCode(key);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

/** One transaction's stored state. */
export interface TxnLogValue {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  /** TransactionState id (0 Empty … 7 PrepareEpochFence). */
  state: number;
  partitions: Array<{ topic: string; partitions: number[] }>;
  lastUpdateMs: number;
  startMs: number;
  previousProducerId: number;
  nextProducerId: number;
  clientTransactionVersion: number;
  /** Groups whose offsets are part of the transaction (Tributary's tag). */
  groups: string[];
}

/** Encodes a record key. */
export function encodeTxnKey(transactionalId: string): Buffer {
  return new Writer(32).writeInt16(0).writeString(transactionalId).finish();
}

/** Decodes a record key; null for a key version this broker does not know (Kafka ignores those). */
export function decodeTxnKey(buf: Buffer): string | null {
  const r = new Reader(buf);
  const version = r.readInt16();
  return version === 0 ? r.readString() : null;
}

/** Encodes a record value (v0, or v1 when it carries groups). */
export function encodeTxnValue(v: TxnLogValue): Buffer {
  const flex = v.groups.length > 0;
  const w = new Writer(128);
  w.writeInt16(flex ? 1 : 0);
  w.writeInt64(BigInt(v.producerId)).writeInt16(v.producerEpoch).writeInt32(v.timeoutMs).writeInt8(v.state);
  const parts = v.state === 0 ? null : v.partitions;
  w.writeArrayLength(parts === null ? null : parts.length, flex);
  for (const p of parts ?? []) {
    if (flex) w.writeCompactString(p.topic);
    else w.writeString(p.topic);
    w.writeArrayLength(p.partitions.length, flex);
    for (const n of p.partitions) w.writeInt32(n);
    if (flex) w.writeEmptyTaggedFields();
  }
  w.writeInt64(BigInt(v.lastUpdateMs)).writeInt64(BigInt(v.startMs));
  if (flex) {
    const tags: Array<[number, (x: Writer) => void]> = [];
    if (v.previousProducerId !== -1) tags.push([0, (x) => x.writeInt64(BigInt(v.previousProducerId))]);
    if (v.nextProducerId !== -1) tags.push([1, (x) => x.writeInt64(BigInt(v.nextProducerId))]);
    if (v.clientTransactionVersion !== 0) tags.push([2, (x) => x.writeInt16(v.clientTransactionVersion)]);
    tags.push([
      GROUPS_TAG,
      (x) => {
        x.writeArrayLength(v.groups.length, true);
        for (const g of v.groups) x.writeCompactString(g);
      },
    ]);
    w.writeTaggedFields(tags);
  }
  return w.finish();
}

/** Decodes a record value (v0 or v1); throws ProtocolDecodeError on anything else. */
export function decodeTxnValue(buf: Buffer): TxnLogValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version !== 0 && version !== 1) throw new ProtocolDecodeError(`unknown transaction log value version ${version}`);
  const flex = version === 1;
  const v: TxnLogValue = {
    producerId: Number(r.readInt64()),
    producerEpoch: r.readInt16(),
    timeoutMs: r.readInt32(),
    state: r.readInt8(),
    partitions: [],
    lastUpdateMs: 0,
    startMs: 0,
    previousProducerId: -1,
    nextProducerId: -1,
    clientTransactionVersion: 0,
    groups: [],
  };
  const n = r.readArrayLength(flex);
  for (let i = 0; i < n; i++) {
    const topic = flex ? r.readCompactString() : r.readString();
    const m = r.readArrayLength(flex);
    const partitions: number[] = [];
    for (let j = 0; j < m; j++) partitions.push(r.readInt32());
    if (flex) r.readTaggedFields();
    v.partitions.push({ topic, partitions });
  }
  v.lastUpdateMs = Number(r.readInt64());
  v.startMs = Number(r.readInt64());
  if (flex) {
    r.readTaggedFields((tag, t) => {
      if (tag === 0) v.previousProducerId = Number(t.readInt64());
      else if (tag === 1) v.nextProducerId = Number(t.readInt64());
      else if (tag === 2) v.clientTransactionVersion = t.readInt16();
      else if (tag === GROUPS_TAG) {
        const k = t.readArrayLength(true);
        for (let i = 0; i < k; i++) v.groups.push(t.readCompactString());
      } else return false;
      return true;
    });
  }
  return v;
}
