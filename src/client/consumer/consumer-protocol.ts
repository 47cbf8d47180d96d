/**
 * The classic "consumer" protocol type's metadata: what a member puts in
 * JoinGroup (ConsumerProtocolSubscription) and what the leader hands out in
 * SyncGroup (ConsumerProtocolAssignment), each an int16 version followed by
 * the struct (codec generated from Kafka's schemas).
 *
 * We write version 3 (Java 3.5+): topics, user data, owned partitions (v1),
 * generation (v2), rack (v3). Readers take any version: a newer one is read
 * as the newest we know, since later versions only append fields.
 */
import {
  Reader,
  readConsumerProtocolAssignment,
  readConsumerProtocolSubscription,
  Writer,
  writeConsumerProtocolAssignment,
  writeConsumerProtocolSubscription,
} from '../../protocol/index.ts';
import type { TopicPartition } from './types.ts';
import { byTopic } from './util.ts';

const VERSION = 3;

/** A member's subscription as the leader's assignor sees it. */
export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartition[];
  /** The generation in which the member owned `ownedPartitions` (-1 unknown). */
  generationId: number;
  rackId: string | null;
}

/** Encodes a subscription (JoinGroup protocol metadata). */
export function encodeSubscription(s: Partial<Subscription> & { topics: string[] }): Buffer {
  const w = new Writer();
  w.writeInt16(VERSION);
  writeConsumerProtocolSubscription(w, VERSION, {
    topics: [...s.topics].sort(),
    userData: s.userData ?? null,
    ownedPartitions: [...byTopic(s.ownedPartitions ?? [])].map(([topic, partitions]) => ({ topic, partitions })),
    generationId: s.generationId ?? -1,
    rackId: s.rackId ?? null,
  });
  return Buffer.from(w.finish());
}

/** Decodes a subscription; throws ProtocolDecodeError on malformed bytes. */
export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf);
  const version = r.readInt16();
  const s = readConsumerProtocolSubscription(r, Math.min(Math.max(version, 0), VERSION));
  return {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: s.ownedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    generationId: s.generationId,
    rackId: s.rackId,
  };
}

/** Encodes an assignment (SyncGroup). */
export function encodeAssignment(tps: readonly TopicPartition[], userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.writeInt16(VERSION);
  writeConsumerProtocolAssignment(w, VERSION, {
    assignedPartitions: [...byTopic(tps)].map(([topic, partitions]) => ({ topic, partitions })),
    userData,
  });
  return Buffer.from(w.finish());
}

/** Decodes an assignment; an empty buffer (no assignment) is no partitions. */
export function decodeAssignment(buf: Buffer): { partitions: TopicPartition[]; userData: Buffer | null } {
  if (buf.length === 0) return { partitions: [], userData: null };
  const r = new Reader(buf);
  const version = r.readInt16();
  const a = readConsumerProtocolAssignment(r, Math.min(Math.max(version, 0), VERSION));
  return {
    partitions: a.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    userData: a.userData,
  };
}
