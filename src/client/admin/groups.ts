/**
 * Consumer group operations, each sent to the group's coordinator:
 * ListGroups (every broker), DescribeGroups / ConsumerGroupDescribe,
 * DeleteGroups, OffsetFetch, OffsetCommit as an admin (generation -1, no
 * member: only while the group is empty, as kafka-consumer-groups
 * --reset-offsets), OffsetDelete. The lag table is in lag.ts.
 */

import { Reader, readConsumerProtocolAssignment, readConsumerProtocolSubscription } from '../../protocol/index.ts';
import type { Cluster } from '../cluster.ts';
import { CoordinatorType } from '../cluster.ts';
import type { Connection } from '../connection.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import type { TopicPartition, TopicPartitionOffset } from '../types.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, type ItemResult, onCoordinator, requireApi, supports } from './request.ts';

export type { TopicPartition, TopicPartitionOffset } from '../types.ts';

/** A group as ListGroups reports it. */
export interface GroupListing {
  groupId: string;
  /** "consumer" for consumer groups, "connect" etc. for other users of the classic protocol, "" for simple groups. */
  protocolType: string;
  /** Empty, Stable, PreparingRebalance, ... (null from brokers before ListGroups v4). */
  state: string | null;
  /** classic or consumer (null from brokers before ListGroups v5). */
  type: string | null;
}

/** Filters of listGroups (states need ListGroups v4, types v5). */
export interface ListGroupsOptions {
  states?: string[];
  types?: Array<'classic' | 'consumer' | string>;
}

/** ListGroups on every broker, merged and sorted by group id. */
export async function listGroups(cluster: Cluster, opts: ListGroupsOptions = {}): Promise<GroupListing[]> {
  const states = opts.states ?? [];
  const types = opts.types ?? [];
  const minVersion = types.length > 0 ? 5 : states.length > 0 ? 4 : 0;
  const feature = types.length > 0 ? 'listing groups by type' : 'listing groups by state';
  await cluster.retry(() => cluster.refreshMetadata());
  const perBroker = await Promise.all(
    cluster.brokers.map((b) =>
      cluster.retry(async () => {
        const conn = await cluster.connection(b.nodeId);
        requireApi(conn, ApiKey.ListGroups, minVersion, feature);
        const v = conn.pickVersion(ApiKey.ListGroups, { minVersion });
        const res = await conn.request(ApiKey.ListGroups, { statesFilter: states, typesFilter: types }, { version: v });
        const err = errorFor(res.errorCode, `ListGroups on broker ${b.nodeId}`);
        if (err) throw err;
        return res.groups.map(
          (g): GroupListing => ({
            groupId: g.groupId,
            protocolType: g.protocolType,
            state: v >= 4 ? g.groupState : null,
            type: v >= 5 ? g.groupType.toLowerCase() : null,
          }),
        );
      }),
    ),
  );
  return perBroker.flat().sort((a, b) => a.groupId.localeCompare(b.groupId));
}

/** One member of a described group. */
export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Partitions assigned to the member (decoded consumer-protocol assignment for classic consumer groups). */
  assignment: TopicPartition[];
  /** Subscribed topics (consumer groups; null when the protocol is not the consumer one). */
  subscription: string[] | null;
  /** KIP-848 groups: the member epoch and the assignment it is moving to. */
  memberEpoch?: number;
  targetAssignment?: TopicPartition[];
}

/** A described group. */
export interface GroupDescription {
  groupId: string;
  /** classic (JoinGroup/SyncGroup) or consumer (KIP-848). */
  type: 'classic' | 'consumer';
  /** Kafka's state names; "Dead" for a group that does not exist. */
  state: string;
  /** classic: the protocol type ("consumer", "connect", "" for simple groups); consumer groups: "consumer". */
  protocolType: string;
  /** The assignor: classic groups' chosen protocol (Stable only), KIP-848 groups' server assignor. */
  protocol: string;
  members: GroupMemberDescription[];
  /** KIP-848 groups only. */
  groupEpoch?: number;
  assignmentEpoch?: number;
}

const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

function decodeAssignment(buf: Buffer): TopicPartition[] {
  if (buf.length < 2) return [];
  try {
    const r = new Reader(buf);
    const v = r.readInt16();
    const a = readConsumerProtocolAssignment(r, Math.min(v, 3));
    return a.assignedPartitions
      .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
      .sort(byTopicPartition);
  } catch {
    return []; // not the consumer protocol's layout: nothing to show
  }
}

function decodeSubscription(buf: Buffer): string[] | null {
  if (buf.length < 2) return null;
  try {
    const r = new Reader(buf);
    const v = r.readInt16();
    return readConsumerProtocolSubscription(r, Math.min(v, 3)).topics;
  } catch {
    return null;
  }
}

/** Orders topic-partitions by topic, then partition. */
export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}

async function describeOne(conn: Connection, groupId: string): Promise<GroupDescription> {
  if (supports(conn, ApiKey.ConsumerGroupDescribe)) {
    const res = await conn.request(ApiKey.ConsumerGroupDescribe, { groupIds: [groupId] });
    const g = res.groups[0];
    if (g && g.errorCode === ErrorCode.NONE) {
      const tps = (a: { topicPartitions: Array<{ topicName: string; partitions: number[] }> }) =>
        a.topicPartitions
          .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topicName, partition })))
          .sort(byTopicPartition);
      return {
        groupId,
        type: 'consumer',
        state: g.groupState,
        protocolType: 'consumer',
        protocol: g.assignorName,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: tps(m.assignment),
          subscription: m.subscribedTopicNames,
          memberEpoch: m.memberEpoch,
          targetAssignment: tps(m.targetAssignment),
        })),
      };
    }
    // GROUP_ID_NOT_FOUND: unknown, or a classic group, which DescribeGroups answers.
    if (g && g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) {
      throw errorFor(g.errorCode, `group ${groupId}`, g.errorMessage) as KafkaError;
    }
  }
  const res = await conn.request(ApiKey.DescribeGroups, { groups: [groupId] });
  const g = res.groups[0];
  if (!g)
    throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `group ${groupId}: the coordinator did not answer for it`);
  const err = errorFor(g.errorCode, `group ${groupId}`);
  if (err) throw err;
  const isConsumer = g.protocolType === 'consumer';
  return {
    groupId,
    type: 'classic',
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: isConsumer ? decodeAssignment(m.memberAssignment) : [],
      subscription: isConsumer ? decodeSubscription(m.memberMetadata) : null,
    })),
  };
}

/**
 * Describes groups: KIP-848 groups through ConsumerGroupDescribe (when the
 * coordinator serves it), classic ones through DescribeGroups. A group that
 * does not exist is reported in state Dead, as Kafka does.
 */
export function describeGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  return Promise.all(
    groupIds.map((id) =>
      onCoordinator(cluster, CoordinatorType.GROUP, id, ApiKey.DescribeGroups, (c) => describeOne(c, id)),
    ),
  );
}

/** Outcome of deleting one group. */
export interface DeleteGroupResult extends ItemResult {
  groupId: string;
}

/** DeleteGroups: one result per group (NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND). */
export function deleteGroups(cluster: Cluster, groupIds: string[]): Promise<DeleteGroupResult[]> {
  return Promise.all(
    groupIds.map(async (groupId) => {
      try {
        return await onCoordinator(cluster, CoordinatorType.GROUP, groupId, ApiKey.DeleteGroups, async (conn) => {
          const res = await conn.request(ApiKey.DeleteGroups, { groupsNames: [groupId] });
          const code = res.results.find((r) => r.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          const error = errorFor(
            code,
            `group ${groupId}`,
            code === ErrorCode.GROUP_ID_NOT_FOUND ? 'the group does not exist' : null,
          );
          if (error && COORDINATOR_ERRORS.has(code)) throw error;
          return { groupId, error };
        });
      } catch (err) {
        if (err instanceof KafkaError) return { groupId, error: err };
        throw err;
      }
    }),
  );
}

/** A committed offset as OffsetFetch reports it. */
export interface CommittedOffset extends TopicPartition {
  /** -1n when nothing is committed for the partition. */
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

/** Options of fetchOffsets. */
export interface FetchOffsetsOptions {
  /** Only these partitions (default: every partition with a committed offset). */
  partitions?: TopicPartition[];
  /** Wait for pending transactional offsets (OffsetFetch v7+). */
  requireStable?: boolean;
}

/** The group's committed offsets, sorted by topic and partition. */
export function fetchOffsets(
  cluster: Cluster,
  groupId: string,
  opts: FetchOffsetsOptions = {},
): Promise<CommittedOffset[]> {
  const topics = opts.partitions
    ? [...groupTopics(opts.partitions)].map(([name, ps]) => ({ name, partitionIndexes: ps }))
    : null;
  return onCoordinator(cluster, CoordinatorType.GROUP, groupId, ApiKey.OffsetFetch, async (conn) => {
    const res = await conn.request(ApiKey.OffsetFetch, (v) =>
      v >= 8
        ? { groups: [{ groupId, topics }], requireStable: opts.requireStable ?? false }
        : { groupId, topics, requireStable: opts.requireStable ?? false },
    );
    const group = res.groups[0];
    const code = group ? group.errorCode : res.errorCode;
    const err = errorFor(code, `group ${groupId}`);
    if (err) throw err;
    const out: CommittedOffset[] = [];
    for (const t of group ? group.topics : res.topics) {
      for (const p of t.partitions) {
        const perr = errorFor(p.errorCode, `group ${groupId} ${t.name}-${p.partitionIndex}`);
        if (perr) throw perr;
        out.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.metadata,
        });
      }
    }
    return out.sort(byTopicPartition);
  });
}

function groupTopics(tps: readonly TopicPartition[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tp of tps) out.set(tp.topic, [...(out.get(tp.topic) ?? []), tp.partition]);
  return out;
}

/** States in which a group has no members, so an admin may change its offsets. */
const INACTIVE = new Set(['Empty', 'Dead']);

/**
 * Sets a group's committed offsets (OffsetCommit with generation -1 and no
 * member id), as `kafka-consumer-groups --reset-offsets` does: only while
 * the group has no members. A group with members fails with NON_EMPTY_GROUP
 * before anything is written; the broker refuses a race (UNKNOWN_MEMBER_ID).
 */
export async function alterGroupOffsets(
  cluster: Cluster,
  groupId: string,
  offsets: TopicPartitionOffset[],
): Promise<void> {
  const [desc] = await describeGroups(cluster, [groupId]);
  if (desc && !INACTIVE.has(desc.state)) {
    throw new KafkaError(
      ErrorCode.NON_EMPTY_GROUP,
      `group ${groupId} is ${desc.state} with ${desc.members.length} member(s); ` +
        'its offsets can be changed only while it is empty: stop its consumers first',
    );
  }
  await onCoordinator(cluster, CoordinatorType.GROUP, groupId, ApiKey.OffsetCommit, async (conn) => {
    const res = await conn.request(ApiKey.OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...groupTopics(offsets)].map(([name]) => ({
        name,
        partitions: offsets
          .filter((o) => o.topic === name)
          .map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: o.metadata ?? '',
          })),
      })),
    });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const msg =
          p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ? 'the group has members; stop its consumers first' : null;
        const err = errorFor(p.errorCode, `group ${groupId} ${t.name}-${p.partitionIndex}`, msg);
        if (err) throw err;
      }
    }
  });
}

/** Deletes committed offsets (OffsetDelete); refused for topics the group is consuming (GROUP_SUBSCRIBED_TO_TOPIC). */
export async function deleteGroupOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: TopicPartition[],
): Promise<void> {
  await onCoordinator(cluster, CoordinatorType.GROUP, groupId, ApiKey.OffsetDelete, async (conn) => {
    const res = await conn.request(ApiKey.OffsetDelete, {
      groupId,
      topics: [...groupTopics(partitions)].map(([name, ps]) => ({
        name,
        partitions: ps.map((partitionIndex) => ({ partitionIndex })),
      })),
    });
    const err = errorFor(res.errorCode, `group ${groupId}`);
    if (err) throw err;
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const perr = errorFor(p.errorCode, `group ${groupId} ${t.name}-${p.partitionIndex}`);
        if (perr) throw perr;
      }
    }
  });
}
