/**
 * The consumer's public types: records, partitions with offsets, options and
 * the group metadata a transactional producer needs.
 */

import type { TopicPartition } from '../types.ts';

export type { ConsumerGroupMetadata, TopicPartition, TopicPartitionOffset } from '../types.ts';

/** A record as the consumer returns it. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  timestampType: 'create' | 'log-append';
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  leaderEpoch: number;
}

/** Client-side assignors of the classic protocol. */
export type AssignorName = 'cooperative-sticky' | 'range' | 'roundrobin';

/** Partition callbacks; they may be async, and the rebalance waits for them. */
export type PartitionsCallback = (tps: TopicPartition[]) => void | Promise<void>;

/** Consumer options (Java consumer config names in camelCase where one exists). */
export interface ConsumerOptions {
  /** The consumer group; absent: manual assignment only, no commits. */
  groupId?: string;
  /** 'classic' (JoinGroup/SyncGroup, default) or 'consumer' (KIP-848 ConsumerGroupHeartbeat). */
  groupProtocol?: 'classic' | 'consumer';
  /**
   * Classic protocol assignors in order of preference; default
   * ['range', 'cooperative-sticky'] as Java 3.x. The rebalance is cooperative
   * only when every listed assignor is ('cooperative-sticky' alone), else eager.
   */
  assignors?: AssignorName[];
  /** KIP-848 server-side assignor; default: the broker's choice. */
  remoteAssignor?: 'uniform' | 'range';
  /** Static membership (KIP-345 / KIP-848). */
  groupInstanceId?: string;
  /** Classic: default 45000. KIP-848 uses the broker's group.consumer.session.timeout.ms. */
  sessionTimeoutMs?: number;
  /** Classic: default 3000. KIP-848 uses the interval the broker answers with. */
  heartbeatIntervalMs?: number;
  /**
   * How long a rebalance may take, and how long a revocation waits for the
   * application to come back to poll() (max.poll.interval.ms); default 300000.
   */
  rebalanceTimeoutMs?: number;
  /** Default true. */
  autoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
  /** Where to start without a committed offset or after OFFSET_OUT_OF_RANGE; default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** Default 'read_uncommitted'. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Fetch long poll; default 500. */
  maxWaitMs?: number;
  /** Default 1. */
  minBytes?: number;
  /** Per fetch response, and the cap on prefetched bytes; default 52428800 (fetch.max.bytes). */
  maxBytes?: number;
  /** Default 1048576 (max.partition.fetch.bytes). */
  maxPartitionBytes?: number;
  /** Records per poll(); default 500. */
  maxPollRecords?: number;
  /** Backoff after fetch and coordinator errors; default 100. */
  retryBackoffMs?: number;
  onPartitionsAssigned?: PartitionsCallback;
  onPartitionsRevoked?: PartitionsCallback;
  onPartitionsLost?: PartitionsCallback;
}

/** Options with defaults filled in. */
export type ResolvedConsumerOptions = Required<
  Omit<
    ConsumerOptions,
    | 'groupId'
    | 'remoteAssignor'
    | 'groupInstanceId'
    | 'onPartitionsAssigned'
    | 'onPartitionsRevoked'
    | 'onPartitionsLost'
  >
> &
  Pick<
    ConsumerOptions,
    | 'groupId'
    | 'remoteAssignor'
    | 'groupInstanceId'
    | 'onPartitionsAssigned'
    | 'onPartitionsRevoked'
    | 'onPartitionsLost'
  >;

/** Fills in defaults and rejects impossible values. */
export function resolveOptions(o: ConsumerOptions = {}): ResolvedConsumerOptions {
  const r: ResolvedConsumerOptions = {
    ...o,
    groupProtocol: o.groupProtocol ?? 'classic',
    assignors: o.assignors ?? ['range', 'cooperative-sticky'],
    sessionTimeoutMs: o.sessionTimeoutMs ?? 45_000,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? 3000,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 300_000,
    autoCommit: o.autoCommit ?? true,
    autoCommitIntervalMs: o.autoCommitIntervalMs ?? 5000,
    autoOffsetReset: o.autoOffsetReset ?? 'latest',
    isolationLevel: o.isolationLevel ?? 'read_uncommitted',
    maxWaitMs: o.maxWaitMs ?? 500,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 52_428_800,
    maxPartitionBytes: o.maxPartitionBytes ?? 1_048_576,
    maxPollRecords: o.maxPollRecords ?? 500,
    retryBackoffMs: o.retryBackoffMs ?? 100,
  };
  if (r.groupId === '') throw new TypeError('groupId must not be empty');
  if (r.assignors.length === 0) throw new TypeError('assignors must name at least one assignor');
  for (const a of r.assignors) {
    if (!['cooperative-sticky', 'range', 'roundrobin'].includes(a)) throw new TypeError(`unknown assignor "${a}"`);
  }
  if (!['earliest', 'latest', 'none'].includes(r.autoOffsetReset)) {
    throw new TypeError(`autoOffsetReset must be 'earliest', 'latest' or 'none', not "${r.autoOffsetReset}"`);
  }
  if (r.maxPollRecords < 1) throw new TypeError('maxPollRecords must be at least 1');
  if (r.heartbeatIntervalMs >= r.sessionTimeoutMs) {
    throw new TypeError('heartbeatIntervalMs must be lower than sessionTimeoutMs');
  }
  return r;
}
