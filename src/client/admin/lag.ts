/**
 * A group's lag table, as kafka-consumer-groups --describe prints it: per
 * partition the committed offset (OffsetFetch), the log end offset
 * (ListOffsets latest) and their difference, with the member the partition
 * is assigned to.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { byTopicPartition, describeGroups, fetchOffsets, type TopicPartition } from './groups.ts';
import { listOffsetsResults } from './offsets.ts';

/** One row of a group's lag table. */
export interface PartitionLag extends TopicPartition {
  /** Committed offset, null when the group has none for the partition. */
  committed: bigint | null;
  /** Log end offset (high watermark), null when it could not be read (e.g. the topic was deleted). */
  logEnd: bigint | null;
  /** logEnd - committed (never negative), null when either is unknown. */
  lag: bigint | null;
  /** The member the partition is assigned to, if any. */
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

/**
 * Per partition: committed offset, log end offset and lag, for every
 * partition the group has an offset for or a member is assigned. A group
 * that does not exist throws GROUP_ID_NOT_FOUND.
 */
export async function groupLag(cluster: Cluster, groupId: string): Promise<PartitionLag[]> {
  const [desc, committed] = await Promise.all([
    describeGroups(cluster, [groupId]).then((d) => d[0]),
    fetchOffsets(cluster, groupId),
  ]);
  const rows = new Map<string, PartitionLag>();
  const row = (tp: TopicPartition): PartitionLag => {
    const key = `${tp.topic}\u0000${tp.partition}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        topic: tp.topic,
        partition: tp.partition,
        committed: null,
        logEnd: null,
        lag: null,
        memberId: null,
        clientId: null,
        host: null,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of committed) if (c.offset >= 0n) row(c).committed = c.offset;
  for (const m of desc?.members ?? []) {
    for (const tp of m.assignment) {
      const r = row(tp);
      r.memberId = m.memberId;
      r.clientId = m.clientId;
      r.host = m.clientHost;
    }
  }
  if (rows.size === 0 && (!desc || desc.state === 'Dead')) {
    throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `group ${groupId} does not exist`);
  }
  const list = [...rows.values()].sort(byTopicPartition);
  if (list.length > 0) {
    const ends = await listOffsetsResults(
      cluster,
      list.map((r) => ({ topic: r.topic, partition: r.partition, at: 'latest' })),
    );
    list.forEach((r, i) => {
      const e = ends[i];
      if (!e || e.error) return;
      r.logEnd = e.offset;
      if (r.committed !== null) r.lag = e.offset > r.committed ? e.offset - r.committed : 0n;
    });
  }
  return list;
}
