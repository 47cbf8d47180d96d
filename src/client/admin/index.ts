/**
 * The admin client: topics, configs, offsets, groups, ACLs, SCRAM users,
 * client quotas, producers and transactions, over one Cluster.
 *
 * Errors follow one rule:
 * - batch changes over independent resources (createTopics, deleteTopics,
 *   createPartitions, incrementalAlterConfigs, deleteGroups, deleteRecords,
 *   ACLs, SCRAM users, quotas) resolve with one result per item, whose
 *   `error` is a KafkaError carrying Kafka's code (TOPIC_ALREADY_EXISTS,
 *   INVALID_CONFIG, ...) or null;
 * - reads and single-group changes reject with the first KafkaError.
 * Retriable errors (lost connections, NOT_CONTROLLER, NOT_COORDINATOR,
 * leaders moving) are retried with the cluster's backoff, only for the items
 * that hit them. An API the broker does not serve fails with
 * UNSUPPORTED_VERSION saying the broker does not support it.
 *
 * | file              | what                                                     |
 * |-------------------|----------------------------------------------------------|
 * | request.ts        | routing (controller, leaders, coordinators), retries     |
 * | topics.ts         | create/delete/list/describe topics, partitions, records  |
 * | configs.ts        | DescribeConfigs, IncrementalAlterConfigs                 |
 * | offsets.ts        | ListOffsets                                              |
 * | groups.ts         | groups and their committed offsets                       |
 * | lag.ts            | a group's lag per partition                              |
 * | acls.ts           | ACLs                                                     |
 * | scram.ts          | SCRAM credentials                                        |
 * | quotas.ts         | client quotas                                            |
 * | transactions.ts   | producers and transactions                               |
 * | cluster-info.ts   | DescribeCluster                                          |
 */
import type { Cluster } from '../cluster.ts';
import * as acls from './acls.ts';
import { type ClusterDescription, describeCluster } from './cluster-info.ts';
import * as configs from './configs.ts';
import * as groups from './groups.ts';
import { groupLag, type PartitionLag } from './lag.ts';
import * as offsets from './offsets.ts';
import * as quotas from './quotas.ts';
import * as scram from './scram.ts';
import * as topics from './topics.ts';
import * as txns from './transactions.ts';

export type {
  AclBinding,
  AclFilter,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
  CreateAclResult,
  DeleteAclsResult,
} from './acls.ts';
export type { ClusterDescription } from './cluster-info.ts';
export type {
  AlterConfigsResource,
  AlterConfigsResult,
  ConfigEntry,
  ConfigOperation,
  ConfigResource,
  ConfigResourceType,
  ConfigSource,
  DescribeConfigsOptions,
  ResourceConfigs,
} from './configs.ts';
export type {
  CommittedOffset,
  DeleteGroupResult,
  FetchOffsetsOptions,
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  ListGroupsOptions,
  TopicPartition,
  TopicPartitionOffset,
} from './groups.ts';
export type { PartitionLag } from './lag.ts';
export type { ListedOffset, ListOffsetsOptions, ListOffsetsSpec, OffsetSpec } from './offsets.ts';
export type { AlterQuotaResult, QuotaAlteration, QuotaEntity, QuotaEntry, QuotaFilterComponent } from './quotas.ts';
export type { ItemResult } from './request.ts';
export type {
  AlterScramResult,
  ScramDeletion,
  ScramMechanism,
  ScramUpsertion,
  ScramUserDescription,
} from './scram.ts';
export { saltedPassword } from './scram.ts';
export type {
  CreateOptions,
  CreatePartitionsResult,
  CreateTopicResult,
  DeleteRecordsResult,
  DeleteRecordsSpec,
  DeleteTopicResult,
  NewPartitions,
  NewTopic,
  PartitionDescription,
  TopicDescription,
  TopicListing,
} from './topics.ts';
export type {
  ListTransactionsOptions,
  PartitionProducers,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from './transactions.ts';

/** Admin operations over a Cluster (which the caller owns and closes). */
export class Admin {
  readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  /** CreateTopics; per-topic results. */
  createTopics(list: topics.NewTopic[], opts?: topics.CreateOptions): Promise<topics.CreateTopicResult[]> {
    return topics.createTopics(this.cluster, list, opts);
  }

  /** DeleteTopics; per-topic results. */
  deleteTopics(names: string[], opts?: { timeoutMs?: number }): Promise<topics.DeleteTopicResult[]> {
    return topics.deleteTopics(this.cluster, names, opts);
  }

  /** Every topic, sorted; internal topics only with includeInternal. */
  listTopics(opts?: { includeInternal?: boolean }): Promise<topics.TopicListing[]> {
    return topics.listTopics(this.cluster, opts);
  }

  /** Partitions, leaders, replicas, ISR and topic id (and configs with includeConfigs). */
  describeTopics(names: string[], opts?: { includeConfigs?: boolean }): Promise<topics.TopicDescription[]> {
    return topics.describeTopics(this.cluster, names, opts);
  }

  /** CreatePartitions (count = new total); per-topic results. */
  createPartitions(
    list: topics.NewPartitions[],
    opts?: topics.CreateOptions,
  ): Promise<topics.CreatePartitionsResult[]> {
    return topics.createPartitions(this.cluster, list, opts);
  }

  /** DescribeConfigs for topics, brokers, broker loggers, groups. */
  describeConfigs(
    resources: configs.ConfigResource[],
    opts?: configs.DescribeConfigsOptions,
  ): Promise<configs.ResourceConfigs[]> {
    return configs.describeConfigs(this.cluster, resources, opts);
  }

  /** IncrementalAlterConfigs (set, delete, append, subtract); per-resource results. */
  incrementalAlterConfigs(
    resources: configs.AlterConfigsResource[],
    opts?: { validateOnly?: boolean },
  ): Promise<configs.AlterConfigsResult[]> {
    return configs.incrementalAlterConfigs(this.cluster, resources, opts);
  }

  /** ListOffsets: earliest, latest, max-timestamp or by timestamp. */
  listOffsets(specs: offsets.ListOffsetsSpec[], opts?: offsets.ListOffsetsOptions): Promise<offsets.ListedOffset[]> {
    return offsets.listOffsets(this.cluster, specs, opts);
  }

  /** ListGroups on every broker, with state and type filters. */
  listGroups(opts?: groups.ListGroupsOptions): Promise<groups.GroupListing[]> {
    return groups.listGroups(this.cluster, opts);
  }

  /** Classic (DescribeGroups) and KIP-848 (ConsumerGroupDescribe) groups. */
  describeGroups(groupIds: string[]): Promise<groups.GroupDescription[]> {
    return groups.describeGroups(this.cluster, groupIds);
  }

  /** DeleteGroups; per-group results. */
  deleteGroups(groupIds: string[]): Promise<groups.DeleteGroupResult[]> {
    return groups.deleteGroups(this.cluster, groupIds);
  }

  /** A group's committed offsets. */
  fetchOffsets(groupId: string, opts?: groups.FetchOffsetsOptions): Promise<groups.CommittedOffset[]> {
    return groups.fetchOffsets(this.cluster, groupId, opts);
  }

  /** Sets a group's committed offsets; only while the group is empty (NON_EMPTY_GROUP otherwise). */
  alterGroupOffsets(groupId: string, list: groups.TopicPartitionOffset[]): Promise<void> {
    return groups.alterGroupOffsets(this.cluster, groupId, list);
  }

  /** OffsetDelete. */
  deleteGroupOffsets(groupId: string, partitions: groups.TopicPartition[]): Promise<void> {
    return groups.deleteGroupOffsets(this.cluster, groupId, partitions);
  }

  /** Per partition: committed offset, log end offset, lag and the member it is assigned to. */
  groupLag(groupId: string): Promise<PartitionLag[]> {
    return groupLag(this.cluster, groupId);
  }

  /** DeleteRecords before each offset; per-partition results with the new low watermark. */
  deleteRecords(
    specs: topics.DeleteRecordsSpec[],
    opts?: { timeoutMs?: number },
  ): Promise<topics.DeleteRecordsResult[]> {
    return topics.deleteRecords(this.cluster, specs, opts);
  }

  /** Cluster id, controller and brokers. */
  describeCluster(): Promise<ClusterDescription> {
    return describeCluster(this.cluster);
  }

  /** CreateAcls; per-binding results. */
  createAcls(bindings: acls.AclBinding[]): Promise<acls.CreateAclResult[]> {
    return acls.createAcls(this.cluster, bindings);
  }

  /** DescribeAcls matching a filter. */
  describeAcls(filter?: acls.AclFilter): Promise<Array<Required<acls.AclBinding>>> {
    return acls.describeAcls(this.cluster, filter);
  }

  /** DeleteAcls; per-filter results with the ACLs removed. */
  deleteAcls(filters: acls.AclFilter[]): Promise<acls.DeleteAclsResult[]> {
    return acls.deleteAcls(this.cluster, filters);
  }

  /** SCRAM users and their mechanisms (all users without a list). */
  describeScramUsers(users?: string[]): Promise<scram.ScramUserDescription[]> {
    return scram.describeScramUsers(this.cluster, users);
  }

  /** Sets or removes SCRAM credentials; per-user results. */
  alterScramUsers(changes: {
    upsertions?: scram.ScramUpsertion[];
    deletions?: scram.ScramDeletion[];
  }): Promise<scram.AlterScramResult[]> {
    return scram.alterScramUsers(this.cluster, changes);
  }

  /** Client quotas matching the filter components. */
  describeClientQuotas(
    components?: quotas.QuotaFilterComponent[],
    opts?: { strict?: boolean },
  ): Promise<quotas.QuotaEntry[]> {
    return quotas.describeClientQuotas(this.cluster, components, opts);
  }

  /** Sets or removes client quotas; per-entity results. */
  alterClientQuotas(
    alterations: quotas.QuotaAlteration[],
    opts?: { validateOnly?: boolean },
  ): Promise<quotas.AlterQuotaResult[]> {
    return quotas.alterClientQuotas(this.cluster, alterations, opts);
  }

  /** Active producers of partitions. */
  describeProducers(partitions: groups.TopicPartition[]): Promise<txns.PartitionProducers[]> {
    return txns.describeProducers(this.cluster, partitions);
  }

  /** ListTransactions on every broker. */
  listTransactions(opts?: txns.ListTransactionsOptions): Promise<txns.TransactionListing[]> {
    return txns.listTransactions(this.cluster, opts);
  }

  /** DescribeTransactions. */
  describeTransactions(transactionalIds: string[]): Promise<txns.TransactionDescription[]> {
    return txns.describeTransactions(this.cluster, transactionalIds);
  }
}
