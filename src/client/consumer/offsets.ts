/**
 * Offset requests of the consumer:
 *
 * - ListOffsets to each partition's leader: earliest (-2), latest (-1, the
 *   last stable offset under read_committed) or the first offset at or after
 *   a timestamp; retried after refreshing metadata on leader errors.
 * - OffsetFetch from the group coordinator (v8+ in the multi-group form),
 *   with requireStable under read_committed (UNSTABLE_OFFSET_COMMIT retried).
 * - OffsetCommit with the member's generation (classic) or member epoch
 *   (KIP-848); coordinator errors are retried after rediscovery, member and
 *   generation errors are thrown for the caller to decide.
 */
import { type Cluster, CoordinatorType } from '../cluster.ts';
import { ErrorCode, KafkaError, throwIfError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import type { TopicPartition } from './types.ts';
import { byTopic, tpKey } from './util.ts';

/** ListOffsets special timestamps. */
export const EARLIEST = -2n;
export const LATEST = -1n;

/** The answer for one partition; offset -1 when no record is at or after the timestamp. */
export interface ListedOffset {
  offset: bigint;
  timestamp: bigint;
  leaderEpoch: number;
}

/** Errors after which the leader may have moved: refresh metadata and retry. */
const LEADER_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

export const isLeaderError = (code: number): boolean => LEADER_ERRORS.has(code);

/** ListOffsets for partitions, each with its own timestamp (or EARLIEST / LATEST). */
export async function listOffsets(
  cluster: Cluster,
  tps: ReadonlyArray<TopicPartition & { timestamp: bigint }>,
  readCommitted: boolean,
): Promise<Map<string, ListedOffset>> {
  const out = new Map<string, ListedOffset>();
  let pending = [...tps];
  await cluster.retry(async () => {
    const topics = [...new Set(pending.map((tp) => tp.topic))];
    const meta = await cluster.topicMetadata(topics);
    const leaders = new Map<number, Array<TopicPartition & { timestamp: bigint }>>();
    for (const tp of pending) {
      const p = meta.find((t) => t.name === tp.topic)?.partitions.find((x) => x.partition === tp.partition);
      if (!p)
        throw new KafkaError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `partition ${tp.topic}-${tp.partition} does not exist`,
        );
      const list = leaders.get(p.leader) ?? [];
      list.push(tp);
      leaders.set(p.leader, list);
    }
    const failed: Array<TopicPartition & { timestamp: bigint }> = [];
    let firstError: KafkaError | null = null;
    await Promise.all(
      [...leaders].map(async ([leader, list]) => {
        const conn = await cluster.connection(leader);
        const timestamps = new Map(list.map((tp) => [tpKey(tp.topic, tp.partition), tp.timestamp]));
        const res = await conn.request(ApiKey.ListOffsets, {
          replicaId: -1,
          isolationLevel: readCommitted ? 1 : 0,
          topics: [...byTopic(list)].map(([name, partitions]) => ({
            name,
            partitions: partitions.map((partitionIndex) => ({
              partitionIndex,
              currentLeaderEpoch: -1,
              timestamp: timestamps.get(tpKey(name, partitionIndex)) ?? LATEST,
            })),
          })),
        });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            const k = tpKey(t.name, p.partitionIndex);
            if (p.errorCode === ErrorCode.NONE) {
              out.set(k, { offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch });
              continue;
            }
            const tp = list.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
            if (tp) failed.push(tp);
            const err = new KafkaError(
              p.errorCode,
              `ListOffsets for ${t.name}-${p.partitionIndex}: ${new KafkaError(p.errorCode).message}`,
            );
            if (!firstError || (firstError.retriable && !err.retriable)) firstError = err;
            if (isLeaderError(p.errorCode)) cluster.invalidateTopic(t.name);
          }
        }
      }),
    );
    pending = failed;
    if (firstError) throw firstError;
  });
  return out;
}

/** Committed offsets; partitions without one are absent from the map. */
export async function fetchCommitted(
  cluster: Cluster,
  groupId: string,
  tps: readonly TopicPartition[],
  requireStable: boolean,
): Promise<Map<string, { offset: bigint; leaderEpoch: number; metadata: string | null }>> {
  const out = new Map<string, { offset: bigint; leaderEpoch: number; metadata: string | null }>();
  if (tps.length === 0) return out;
  const topics = [...byTopic(tps)].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  await cluster.retry(
    async () => {
      const conn = await cluster.coordinatorConnection(CoordinatorType.GROUP, groupId);
      const multi = conn.pickVersion(ApiKey.OffsetFetch) >= 8;
      const res = await conn.request(ApiKey.OffsetFetch, (v) =>
        v >= 8
          ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable }
          : { groupId, topics, requireStable },
      );
      const group = multi ? res.groups[0] : undefined;
      const errorCode = multi ? (group?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR) : res.errorCode;
      const resTopics = multi ? (group?.topics ?? []) : res.topics;
      if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
        cluster.invalidateCoordinator(CoordinatorType.GROUP, groupId);
      }
      throwIfError(errorCode, `group ${groupId}`);
      for (const t of resTopics) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NOT_COORDINATOR) cluster.invalidateCoordinator(CoordinatorType.GROUP, groupId);
          throwIfError(p.errorCode, `committed offset of ${t.name}-${p.partitionIndex} in group ${groupId}`);
          if (p.committedOffset >= 0n) {
            out.set(tpKey(t.name, p.partitionIndex), {
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch,
              metadata: p.metadata,
            });
          }
        }
      }
    },
    (err) => {
      if (err.code === ErrorCode.NETWORK_EXCEPTION) cluster.invalidateCoordinator(CoordinatorType.GROUP, groupId);
    },
  );
  return out;
}

/** Who commits: a group member (classic generation or KIP-848 epoch), or nobody (-1, ''). */
export interface Committer {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** An offset to commit. */
export interface CommitOffset extends TopicPartition {
  offset: bigint;
  leaderEpoch?: number;
  metadata?: string | null;
}

/** OffsetCommit; throws the first partition error (coordinator errors are retried). */
export async function commitOffsets(
  cluster: Cluster,
  groupId: string,
  who: Committer,
  offsets: readonly CommitOffset[],
): Promise<void> {
  if (offsets.length === 0) return;
  const byName = new Map<string, CommitOffset[]>();
  for (const o of offsets) {
    const list = byName.get(o.topic) ?? [];
    list.push(o);
    byName.set(o.topic, list);
  }
  await cluster.retry(
    async () => {
      const conn = await cluster.coordinatorConnection(CoordinatorType.GROUP, groupId);
      const res = await conn.request(ApiKey.OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: who.generationId,
        memberId: who.memberId,
        groupInstanceId: who.groupInstanceId,
        retentionTimeMs: -1n,
        topics: [...byName].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            commitTimestamp: -1n,
            committedMetadata: o.metadata ?? '',
          })),
        })),
      });
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === ErrorCode.NOT_COORDINATOR || p.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
            cluster.invalidateCoordinator(CoordinatorType.GROUP, groupId);
          }
          throwIfError(p.errorCode, `commit of ${t.name}-${p.partitionIndex} in group ${groupId}`);
        }
      }
    },
    (err) => {
      if (err.code === ErrorCode.NETWORK_EXCEPTION) cluster.invalidateCoordinator(CoordinatorType.GROUP, groupId);
    },
  );
}
