/**
 * The `__consumer_offsets` records of KIP-848 consumer groups, in Kafka's
 * formats (group-coordinator's ConsumerGroup* message schemas):
 *
 * - keys: `version int16` then non-flexible fields: 3 ConsumerGroupMetadataKey
 *   (group), 5 ConsumerGroupMemberMetadataKey (group, member), 6
 *   ConsumerGroupTargetAssignmentMetadataKey (group), 7
 *   ConsumerGroupTargetAssignmentMemberKey (group, member), 8
 *   ConsumerGroupCurrentMemberAssignmentKey (group, member).
 * - values: `version int16` (0) then a flexible struct (compact strings and
 *   arrays, tagged fields); a null value is a tombstone.
 *
 * ConsumerGroupPartitionMetadata (key 4) is not written: the subscribed
 * topics' metadata is recomputed from the broker's metadata on load.
 */
import { Reader } from '../../protocol/reader.ts';
import { Writer } from '../../protocol/writer.ts';
import { byTopic, type MemberState, type PartitionKey, partitionKey } from './consumer-group.ts';

/** A decoded consumer group record key. */
export type ConsumerGroupRecordKey =
  | { type: 'cg-metadata'; group: string }
  | { type: 'cg-member'; group: string; memberId: string }
  | { type: 'cg-target-metadata'; group: string }
  | { type: 'cg-target-member'; group: string; memberId: string }
  | { type: 'cg-current-assignment'; group: string; memberId: string };

/** ConsumerGroupMemberMetadataValue. */
export interface MemberMetadataValue {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
}

/** ConsumerGroupCurrentMemberAssignmentValue. */
export interface CurrentAssignmentValue {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Set<PartitionKey>;
  pendingRevocation: Set<PartitionKey>;
}

const STATES: MemberState[] = ['Stable', 'UnrevokedPartitions', 'UnreleasedPartitions'];

function key(version: number, group: string, memberId?: string): Buffer {
  const w = new Writer(64).writeInt16(version).writeString(group);
  if (memberId !== undefined) w.writeString(memberId);
  return Buffer.from(w.finish());
}

export const consumerGroupMetadataKey = (group: string): Buffer => key(3, group);
export const memberMetadataKey = (group: string, memberId: string): Buffer => key(5, group, memberId);
export const targetAssignmentMetadataKey = (group: string): Buffer => key(6, group);
export const targetAssignmentMemberKey = (group: string, memberId: string): Buffer => key(7, group, memberId);
export const currentAssignmentKey = (group: string, memberId: string): Buffer => key(8, group, memberId);

/** Decodes a consumer group record key, or null for another kind of key. */
export function decodeConsumerGroupKey(buf: Buffer): ConsumerGroupRecordKey | null {
  const r = new Reader(buf);
  const version = r.readInt16();
  switch (version) {
    case 3:
      return { type: 'cg-metadata', group: r.readString() };
    case 5:
      return { type: 'cg-member', group: r.readString(), memberId: r.readString() };
    case 6:
      return { type: 'cg-target-metadata', group: r.readString() };
    case 7:
      return { type: 'cg-target-member', group: r.readString(), memberId: r.readString() };
    case 8:
      return { type: 'cg-current-assignment', group: r.readString(), memberId: r.readString() };
    default:
      return null;
  }
}

/** A value with a single int32 (ConsumerGroupMetadataValue's Epoch, TargetAssignmentMetadata's AssignmentEpoch). */
export function encodeEpochValue(epoch: number): Buffer {
  return Buffer.from(new Writer(16).writeInt16(0).writeInt32(epoch).writeEmptyTaggedFields().finish());
}

export function decodeEpochValue(buf: Buffer): number {
  const r = new Reader(buf);
  r.readInt16();
  return r.readInt32();
}

export function encodeMemberMetadataValue(v: MemberMetadataValue): Buffer {
  const w = new Writer(128).writeInt16(0);
  w.writeCompactNullableString(v.instanceId).writeCompactNullableString(v.rackId);
  w.writeCompactString(v.clientId).writeCompactString(v.clientHost);
  w.writeArrayLength(v.subscribedTopicNames.length, true);
  for (const t of v.subscribedTopicNames) w.writeCompactString(t);
  w.writeCompactNullableString(v.subscribedTopicRegex);
  w.writeInt32(v.rebalanceTimeoutMs).writeCompactNullableString(v.serverAssignor);
  w.writeEmptyTaggedFields();
  return Buffer.from(w.finish());
}

export function decodeMemberMetadataValue(buf: Buffer): MemberMetadataValue {
  const r = new Reader(buf);
  r.readInt16();
  const instanceId = r.readCompactNullableString();
  const rackId = r.readCompactNullableString();
  const clientId = r.readCompactString();
  const clientHost = r.readCompactString();
  const n = r.readArrayLength(true);
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < n; i++) subscribedTopicNames.push(r.readCompactString());
  const subscribedTopicRegex = r.readCompactNullableString();
  const rebalanceTimeoutMs = r.readInt32();
  const serverAssignor = r.readCompactNullableString();
  r.readTaggedFields(); // ClassicMemberMetadata (tag 0): not used by this broker
  return {
    instanceId,
    rackId,
    clientId,
    clientHost,
    subscribedTopicNames,
    subscribedTopicRegex,
    rebalanceTimeoutMs,
    serverAssignor,
  };
}

function writePartitions(w: Writer, keys: Iterable<PartitionKey>): void {
  const topics = byTopic(keys);
  w.writeArrayLength(topics.length, true);
  for (const t of topics) {
    w.writeUuid(t.topicId);
    w.writeArrayLength(t.partitions.length, true);
    for (const p of t.partitions) w.writeInt32(p);
    w.writeEmptyTaggedFields();
  }
}

function readPartitions(r: Reader): Set<PartitionKey> {
  const out = new Set<PartitionKey>();
  const n = r.readArrayLength(true);
  for (let i = 0; i < n; i++) {
    const topicId = r.readUuid();
    const m = r.readArrayLength(true);
    for (let j = 0; j < m; j++) out.add(partitionKey(topicId, r.readInt32()));
    r.readTaggedFields();
  }
  return out;
}

/** ConsumerGroupTargetAssignmentMemberValue. */
export function encodeTargetMemberValue(keys: Iterable<PartitionKey>): Buffer {
  const w = new Writer(64).writeInt16(0);
  writePartitions(w, keys);
  w.writeEmptyTaggedFields();
  return Buffer.from(w.finish());
}

export function decodeTargetMemberValue(buf: Buffer): Set<PartitionKey> {
  const r = new Reader(buf);
  r.readInt16();
  const keys = readPartitions(r);
  r.readTaggedFields();
  return keys;
}

export function encodeCurrentAssignmentValue(v: CurrentAssignmentValue): Buffer {
  const w = new Writer(64).writeInt16(0).writeInt32(v.memberEpoch).writeInt32(v.previousMemberEpoch);
  w.writeInt8(STATES.indexOf(v.state));
  writePartitions(w, v.assigned);
  writePartitions(w, v.pendingRevocation);
  w.writeEmptyTaggedFields();
  return Buffer.from(w.finish());
}

export function decodeCurrentAssignmentValue(buf: Buffer): CurrentAssignmentValue {
  const r = new Reader(buf);
  r.readInt16();
  const memberEpoch = r.readInt32();
  const previousMemberEpoch = r.readInt32();
  const state = STATES[r.readInt8()] ?? 'Stable';
  const assigned = readPartitions(r);
  const pendingRevocation = readPartitions(r);
  r.readTaggedFields();
  return { memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation };
}
