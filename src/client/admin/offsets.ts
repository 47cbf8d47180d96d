/**
 * ListOffsets, sent to each partition's leader: the earliest offset (log
 * start), the latest (high watermark, or the last stable offset with
 * read_committed), the record with the largest timestamp, or the first
 * offset at or after a timestamp.
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, type ItemResult, onLeaders, throwFirst } from './request.ts';

/** Which offset to look up. */
export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number | bigint };

/** A partition and the offset to find in it. */
export interface ListOffsetsSpec {
  topic: string;
  partition: number;
  at: OffsetSpec;
}

/** An offset found by listOffsets. */
export interface ListedOffset {
  topic: string;
  partition: number;
  /** -1n when a timestamp lookup finds no record at or after it. */
  offset: bigint;
  /** The record's timestamp for timestamp and max-timestamp lookups, -1n otherwise. */
  timestamp: bigint;
  leaderEpoch: number;
}

/** Options of listOffsets. */
export interface ListOffsetsOptions {
  isolationLevel?: 'read_uncommitted' | 'read_committed';
}

function specTimestamp(at: OffsetSpec): bigint {
  if (at === 'latest') return -1n;
  if (at === 'earliest') return -2n;
  if (at === 'max-timestamp') return -3n;
  return BigInt(at.timestamp);
}

/** Per-partition results, `error` set where the lookup failed (used by listOffsets and groupLag). */
export function listOffsetsResults(
  cluster: Cluster,
  specs: ListOffsetsSpec[],
  opts: ListOffsetsOptions = {},
): Promise<Array<ListedOffset & ItemResult>> {
  const needsV7 = specs.some((s) => s.at === 'max-timestamp');
  return onLeaders(
    cluster,
    specs,
    ApiKey.ListOffsets,
    async (conn, items) => {
      const byTopic = new Map<string, ListOffsetsSpec[]>();
      for (const i of items) byTopic.set(i.topic, [...(byTopic.get(i.topic) ?? []), i]);
      const res = await conn.request(
        ApiKey.ListOffsets,
        {
          replicaId: -1,
          isolationLevel: opts.isolationLevel === 'read_committed' ? 1 : 0,
          topics: [...byTopic].map(([name, ps]) => ({
            name,
            partitions: ps.map((p) => ({
              partitionIndex: p.partition,
              currentLeaderEpoch: -1,
              timestamp: specTimestamp(p.at),
            })),
          })),
        },
        { minVersion: needsV7 ? 7 : 0 },
      );
      return items.map((i) => {
        const r = res.topics.find((t) => t.name === i.topic)?.partitions.find((p) => p.partitionIndex === i.partition);
        const what = `${i.topic}-${i.partition}`;
        return {
          topic: i.topic,
          partition: i.partition,
          offset: r?.offset ?? -1n,
          timestamp: r?.timestamp ?? -1n,
          leaderEpoch: r?.leaderEpoch ?? -1,
          error: r ? errorFor(r.errorCode, what) : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, what, 'no answer'),
        };
      });
    },
    (i, error) => ({ topic: i.topic, partition: i.partition, offset: -1n, timestamp: -1n, leaderEpoch: -1, error }),
    needsV7 ? 7 : 0,
    'max-timestamp lookups',
  );
}

/** Looks up offsets; throws the first partition's error (e.g. a topic that does not exist). */
export async function listOffsets(
  cluster: Cluster,
  specs: ListOffsetsSpec[],
  opts: ListOffsetsOptions = {},
): Promise<ListedOffset[]> {
  const results = await listOffsetsResults(cluster, specs, opts);
  throwFirst(results);
  return results.map(({ error: _, ...rest }) => rest);
}
