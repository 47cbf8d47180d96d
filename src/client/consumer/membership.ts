/**
 * The seam between the consumer and its group protocol (classic.ts on
 * GroupMember, or kip848.ts): the protocol decides which partitions the
 * consumer owns; the consumer does the rest (positions, commits before
 * revocation, the application's callbacks).
 */
import type { Cluster } from '../cluster.ts';
import type { Committer } from './offsets.ts';
import type { ResolvedConsumerOptions, TopicPartition } from './types.ts';

/** What a group protocol needs from the consumer. */
export interface MembershipHost {
  readonly cluster: Cluster;
  readonly options: ResolvedConsumerOptions & { groupId: string };
  /** The subscribed topic names (a pattern resolved against the cached metadata), sorted. */
  subscribedTopics(): string[];
  /** The partitions the consumer owns now. */
  owned(): TopicPartition[];
  /** Adds partitions and runs onPartitionsAssigned (also with none, after each rebalance). */
  assign(tps: TopicPartition[]): Promise<void>;
  /**
   * Takes partitions away. Unless `lost`: waits until the application is
   * back in poll() (so what it was given is processed), commits their
   * positions when autoCommit, runs onPartitionsRevoked. When `lost`: runs
   * onPartitionsLost, without a commit.
   */
  revoke(tps: TopicPartition[], lost: boolean): Promise<void>;
  /** A fatal group error: poll() throws it from now on. */
  fail(err: Error): void;
}

/** A running group protocol. */
export interface Membership {
  start(): void;
  /** The subscription changed (subscribe() again, or the pattern matches other topics). */
  subscriptionChanged(): void;
  /** Called after each periodic metadata refresh. */
  metadataRefreshed(): void;
  /** Who commits offsets now. */
  committer(): Committer;
  /** Whether a rebalance is under way (commits may fail and be retried). */
  readonly rebalancing: boolean;
  /** Revokes everything (committing first when autoCommit) and leaves the group. */
  close(): Promise<void>;
}

/** Whether two sorted topic lists are equal. */
export const sameTopics = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((t, i) => t === b[i]);
