/**
 * The records of `__consumer_offsets`, in Kafka's binary formats, so Kafka's
 * own tooling (kafka-console-consumer with the offsets formatter,
 * kafka-dump-log --offsets-decoder) can read what this broker writes:
 *
 * - key `version int16` then the key struct: 0/1 OffsetCommitKey
 *   (group, topic, partition), 2 GroupMetadataKey (group).
 * - value `version int16` then the value struct, or null for a tombstone:
 *   OffsetCommitValue v0-4 (we write v3, or v1 when the commit carried an
 *   explicit expire timestamp, as Kafka does) and GroupMetadataValue v0-4
 *   (we write v3). Version 4 of both is flexible (compact strings, tagged
 *   fields); it is read, never written.
 * - `partitionFor` is Kafka's `Utils.abs(groupId.hashCode()) % partitions`
 *   with Java's String.hashCode over UTF-16 code units.
 */
import { Reader } from '../../protocol/reader.ts';
import { Writer } from '../../protocol/writer.ts';

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1], in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The `__consumer_offsets` partition that holds a group (Kafka's partitionFor). */
export function partitionFor(groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId);
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

/** One committed offset as stored (OffsetCommitValue). */
export interface OffsetCommitValue {
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only from v1 commits with an explicit retention; null otherwise. */
  expireTimestamp: number | null;
}

/** One member as stored in GroupMetadataValue. */
export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

/** A classic group's state as stored (GroupMetadataValue). */
export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (values before v2). */
  currentStateTimestamp: number;
  members: StoredMember[];
}

/** A decoded record key. */
export type RecordKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string }
  | { type: 'unknown'; version: number };

/** Key of an offset commit (version 1, as Kafka writes it). */
export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return Buffer.from(new Writer(64).writeInt16(1).writeString(group).writeString(topic).writeInt32(partition).finish());
}

/** Key of a group's metadata (version 2). */
export function groupMetadataKey(group: string): Buffer {
  return Buffer.from(new Writer(32).writeInt16(2).writeString(group).finish());
}

/** Decodes a record key; versions this broker does not know come back as `unknown`. */
export function decodeKey(key: Buffer): RecordKey {
  const r = new Reader(key);
  const version = r.readInt16();
  if (version === 0 || version === 1) {
    return { type: 'offset', group: r.readString(), topic: r.readString(), partition: r.readInt32() };
  }
  if (version === 2) return { type: 'group', group: r.readString() };
  return { type: 'unknown', version };
}

/** Encodes an OffsetCommitValue: v1 when it has an expire timestamp, else v3. */
export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const w = new Writer(64);
  if (v.expireTimestamp !== null) {
    w.writeInt16(1).writeInt64(v.offset).writeString(v.metadata);
    w.writeInt64(BigInt(v.commitTimestamp)).writeInt64(BigInt(v.expireTimestamp));
  } else {
    w.writeInt16(3).writeInt64(v.offset).writeInt32(v.leaderEpoch).writeString(v.metadata);
    w.writeInt64(BigInt(v.commitTimestamp));
  }
  return Buffer.from(w.finish());
}

/** Decodes an OffsetCommitValue of any version 0-4. */
export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = new Reader(value);
  const version = r.readInt16();
  const flex = version >= 4;
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = flex ? r.readCompactString() : r.readString();
  const commitTimestamp = Number(r.readInt64());
  const expire = version === 1 ? Number(r.readInt64()) : -1;
  if (flex) r.readTaggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expire === -1 ? null : expire };
}

/** Encodes a GroupMetadataValue at version 3. */
export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.writeInt16(3).writeString(v.protocolType).writeInt32(v.generation);
  w.writeNullableString(v.protocol).writeNullableString(v.leader).writeInt64(BigInt(v.currentStateTimestamp));
  w.writeArrayLength(v.members.length, false);
  for (const m of v.members) {
    w.writeString(m.memberId).writeNullableString(m.groupInstanceId).writeString(m.clientId).writeString(m.clientHost);
    w.writeInt32(m.rebalanceTimeoutMs).writeInt32(m.sessionTimeoutMs);
    w.writeBytes(m.subscription).writeBytes(m.assignment);
  }
  return Buffer.from(w.finish());
}

/** Decodes a GroupMetadataValue of any version 0-4. */
export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = new Reader(value);
  const version = r.readInt16();
  const flex = version >= 4;
  const str = (): string => (flex ? r.readCompactString() : r.readString());
  const nstr = (): string | null => (flex ? r.readCompactNullableString() : r.readNullableString());
  const bytes = (): Buffer => Buffer.from(flex ? r.readCompactBytes() : r.readBytes());
  const protocolType = str();
  const generation = r.readInt32();
  const protocol = nstr();
  const leader = nstr();
  const currentStateTimestamp = version >= 2 ? Number(r.readInt64()) : -1;
  const n = r.readArrayLength(flex);
  const members: StoredMember[] = [];
  for (let i = 0; i < n; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nstr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1;
    const sessionTimeoutMs = r.readInt32();
    const subscription = bytes();
    const assignment = bytes();
    if (flex) r.readTaggedFields();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      // as Kafka: a value without a rebalance timeout uses the session timeout
      rebalanceTimeoutMs: rebalanceTimeoutMs === -1 ? sessionTimeoutMs : rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  if (flex) r.readTaggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
