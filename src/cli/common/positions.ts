/**
 * Turns a position (beginning, end, offset, -N, @timestamp) into an offset
 * per partition with ListOffsets, as kafka-consumer-groups --reset-offsets
 * does: an absolute offset is clamped to the partition's range, a time with
 * no record at or after it means the log end.
 */
import type { Admin, TopicPartition } from '../../client/admin/index.ts';
import type { Position } from './parse.ts';

/** A partition and the offset a position resolves to. */
export interface ResolvedOffset extends TopicPartition {
  offset: bigint;
}

/** Resolves `pos` for every partition in `tps`. */
export async function resolvePositions(admin: Admin, tps: TopicPartition[], pos: Position): Promise<ResolvedOffset[]> {
  if (tps.length === 0) return [];
  const lookup = (at: 'earliest' | 'latest' | { timestamp: number }) =>
    admin.listOffsets(tps.map((tp) => ({ ...tp, at })));
  const [earliest, latest, byTime] = await Promise.all([
    lookup('earliest'),
    lookup('latest'),
    pos.kind === 'timestamp' ? lookup({ timestamp: pos.timestamp }) : Promise.resolve(null),
  ]);
  return tps.map((tp, i) => {
    const lo = earliest[i]?.offset ?? 0n;
    const hi = latest[i]?.offset ?? 0n;
    let offset: bigint;
    switch (pos.kind) {
      case 'beginning':
        offset = lo;
        break;
      case 'end':
        offset = hi;
        break;
      case 'offset':
        offset = pos.offset < lo ? lo : pos.offset > hi ? hi : pos.offset;
        break;
      case 'from-end':
        offset = hi - pos.count < lo ? lo : hi - pos.count;
        break;
      case 'timestamp': {
        const found = byTime?.[i]?.offset ?? -1n;
        offset = found < 0n ? hi : found;
        break;
      }
    }
    return { topic: tp.topic, partition: tp.partition, offset };
  });
}

/** Every partition of the topics, in order. */
export async function partitionsOf(admin: Admin, topics: string[]): Promise<TopicPartition[]> {
  const described = await admin.describeTopics(topics);
  return described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
}
