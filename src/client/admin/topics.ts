/**
 * Topic operations: CreateTopics, DeleteTopics, CreatePartitions (to the
 * controller), listing and describing through Metadata, DeleteRecords (to
 * partition leaders).
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { type ConfigEntry, configSourceName, describeConfigs } from './configs.ts';
import {
  errorFor,
  final,
  type ItemResult,
  onAnyBroker,
  onController,
  onLeaders,
  sendItems,
  throwFirst,
} from './request.ts';

/** A topic to create. Absent counts and factors take the broker's defaults. */
export interface NewTopic {
  name: string;
  numPartitions?: number;
  replicationFactor?: number;
  /** Explicit replica placement: partition → broker ids (then numPartitions/replicationFactor stay unset). */
  assignments?: Record<number, number[]>;
  /** Topic configs by Kafka name, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string | null>;
}

/** Outcome of creating one topic. */
export interface CreateTopicResult extends ItemResult {
  name: string;
  /** null when the broker did not say (validateOnly, older versions, errors). */
  topicId: string | null;
  numPartitions: number;
  replicationFactor: number;
  /** The topic's configs as created (CreateTopics v5+). */
  configs: ConfigEntry[];
}

/** Options of createTopics and other controller operations. */
export interface CreateOptions {
  /** Check the request without creating anything. */
  validateOnly?: boolean;
  /** How long the broker may take; default 30000. */
  timeoutMs?: number;
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** CreateTopics: one result per topic, `error` set (e.g. TOPIC_ALREADY_EXISTS, INVALID_CONFIG) where it failed. */
export function createTopics(
  cluster: Cluster,
  topics: NewTopic[],
  opts: CreateOptions = {},
): Promise<CreateTopicResult[]> {
  return sendItems(cluster, topics, (batch) =>
    onController(cluster, ApiKey.CreateTopics, async (conn) => {
      const res = await conn.request(ApiKey.CreateTopics, {
        topics: batch.map((t) => {
          const assigned = t.assignments ? Object.entries(t.assignments) : [];
          return {
            name: t.name,
            numPartitions: assigned.length > 0 ? -1 : (t.numPartitions ?? -1),
            replicationFactor: assigned.length > 0 ? -1 : (t.replicationFactor ?? -1),
            assignments: assigned.map(([p, brokerIds]) => ({ partitionIndex: Number(p), brokerIds })),
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          };
        }),
        timeoutMs: opts.timeoutMs ?? 30_000,
        validateOnly: opts.validateOnly ?? false,
      });
      return batch.map((t): CreateTopicResult => {
        const r = res.topics.find((x) => x.name === t.name);
        if (!r) {
          return {
            name: t.name,
            topicId: null,
            numPartitions: -1,
            replicationFactor: -1,
            configs: [],
            error: errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `topic ${t.name}`, 'the broker did not answer for it'),
          };
        }
        return {
          name: t.name,
          topicId: r.topicId && r.topicId !== ZERO_UUID ? r.topicId : null,
          numPartitions: r.numPartitions,
          replicationFactor: r.replicationFactor,
          configs: (r.configs ?? []).map((c) => ({
            name: c.name,
            value: c.value,
            source: configSourceName(c.configSource),
            readOnly: c.readOnly,
            sensitive: c.isSensitive,
            isDefault: c.configSource === 5,
            type: 'UNKNOWN',
            synonyms: [],
            documentation: null,
          })),
          error: errorFor(r.errorCode, `topic ${t.name}`, r.errorMessage),
        };
      });
    }),
  );
}

/** Outcome of deleting one topic. */
export interface DeleteTopicResult extends ItemResult {
  name: string;
}

/** DeleteTopics by name: one result per topic (UNKNOWN_TOPIC_OR_PARTITION for a missing one). */
export function deleteTopics(
  cluster: Cluster,
  names: string[],
  opts: { timeoutMs?: number } = {},
): Promise<DeleteTopicResult[]> {
  return sendItems(cluster, names, (batch) =>
    onController(cluster, ApiKey.DeleteTopics, async (conn) => {
      const res = await conn.request(ApiKey.DeleteTopics, (v) =>
        v >= 6
          ? { topics: batch.map((name) => ({ name })), timeoutMs: opts.timeoutMs ?? 30_000 }
          : { topicNames: batch, timeoutMs: opts.timeoutMs ?? 30_000 },
      );
      return batch.map((name) => {
        const r = res.responses.find((x) => x.name === name);
        const code = r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        return { name, error: missingIsFinal(code, name, r?.errorMessage) };
      });
    }),
  );
}

/** A topic the controller does not know is not worth retrying, though Kafka marks the code retriable. */
function missingIsFinal(code: number, topic: string, message?: string | null): KafkaError | null {
  return code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    ? final(new KafkaError(code, `topic ${topic} does not exist`))
    : errorFor(code, `topic ${topic}`, message);
}

/** A topic as listTopics reports it. */
export interface TopicListing {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: number;
  /** Replicas of the first partition. */
  replicationFactor: number;
}

/** Every topic, sorted by name; internal ones (__consumer_offsets, __transaction_state) only with `includeInternal`. */
export async function listTopics(cluster: Cluster, opts: { includeInternal?: boolean } = {}): Promise<TopicListing[]> {
  const res = await onAnyBroker(cluster, ApiKey.Metadata, (conn) =>
    conn.request(ApiKey.Metadata, { topics: null, allowAutoTopicCreation: false }),
  );
  return res.topics
    .filter((t) => t.name && t.errorCode === ErrorCode.NONE && (opts.includeInternal || !t.isInternal))
    .map((t) => ({
      name: t.name as string,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One partition of a described topic. */
export interface PartitionDescription {
  partition: number;
  /** Broker id, -1 without a leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

/** A described topic. */
export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
  /** With `includeConfigs`: every config of the topic. */
  configs?: ConfigEntry[];
}

/**
 * Describes topics through Metadata (waiting out partitions still without a
 * leader); a missing topic throws UNKNOWN_TOPIC_OR_PARTITION naming it.
 */
export async function describeTopics(
  cluster: Cluster,
  names: string[],
  opts: { includeConfigs?: boolean } = {},
): Promise<TopicDescription[]> {
  if (names.length === 0) return [];
  const res = await cluster.retry(
    async () => {
      const conn = await cluster.anyConnection();
      const r = await conn.request(ApiKey.Metadata, {
        topics: names.map((name) => ({ name })),
        allowAutoTopicCreation: false,
      });
      const electing = r.topics.find((t) => t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE);
      if (electing) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic ${electing.name} has no leader yet`);
      return r;
    },
    () => undefined,
  );
  const out = names.map((name): TopicDescription => {
    const t = res.topics.find((x) => x.name === name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `topic ${name}: the broker did not answer for it`);
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new KafkaError(t.errorCode, `topic ${name} does not exist`);
    }
    const err = errorFor(t.errorCode, `topic ${name}`);
    if (err) throw err;
    return {
      name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition),
    };
  });
  if (opts.includeConfigs) {
    const configs = await describeConfigs(
      cluster,
      names.map((name) => ({ type: 'topic', name })),
    );
    out.forEach((t, i) => {
      t.configs = configs[i]?.configs ?? [];
    });
  }
  return out;
}

/** Partitions to add to a topic: `count` is the new total. */
export interface NewPartitions {
  topic: string;
  count: number;
  /** Replica broker ids for each new partition. */
  assignments?: number[][];
}

/** Outcome for one topic of createPartitions. */
export interface CreatePartitionsResult extends ItemResult {
  topic: string;
}

/** CreatePartitions: grows topics to `count` partitions; one result per topic. */
export function createPartitions(
  cluster: Cluster,
  list: NewPartitions[],
  opts: CreateOptions = {},
): Promise<CreatePartitionsResult[]> {
  return sendItems(cluster, list, (batch) =>
    onController(cluster, ApiKey.CreatePartitions, async (conn) => {
      const res = await conn.request(ApiKey.CreatePartitions, {
        topics: batch.map((t) => ({
          name: t.topic,
          count: t.count,
          assignments: t.assignments ? t.assignments.map((brokerIds) => ({ brokerIds })) : null,
        })),
        timeoutMs: opts.timeoutMs ?? 30_000,
        validateOnly: opts.validateOnly ?? false,
      });
      return batch.map((t) => {
        const r = res.results.find((x) => x.name === t.topic);
        return {
          topic: t.topic,
          error: r
            ? missingIsFinal(r.errorCode, t.topic, r.errorMessage)
            : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, `topic ${t.topic}`, 'the broker did not answer for it'),
        };
      });
    }),
  );
}

/** Records to delete: everything before `offset` (-1n: up to the high watermark). */
export interface DeleteRecordsSpec {
  topic: string;
  partition: number;
  offset: bigint;
}

/** Outcome for one partition of deleteRecords. */
export interface DeleteRecordsResult extends ItemResult {
  topic: string;
  partition: number;
  /** The partition's new log start offset (-1n on error). */
  lowWatermark: bigint;
}

/** DeleteRecords, sent to each partition's leader; one result per partition. */
export function deleteRecords(
  cluster: Cluster,
  specs: DeleteRecordsSpec[],
  opts: { timeoutMs?: number } = {},
): Promise<DeleteRecordsResult[]> {
  return onLeaders(
    cluster,
    specs,
    ApiKey.DeleteRecords,
    async (conn, items) => {
      const byTopic = new Map<string, DeleteRecordsSpec[]>();
      for (const i of items) byTopic.set(i.topic, [...(byTopic.get(i.topic) ?? []), i]);
      const res = await conn.request(ApiKey.DeleteRecords, {
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: p.offset })),
        })),
        timeoutMs: opts.timeoutMs ?? 30_000,
      });
      return items.map((i) => {
        const r = res.topics.find((t) => t.name === i.topic)?.partitions.find((p) => p.partitionIndex === i.partition);
        const what = `${i.topic}-${i.partition}`;
        return {
          topic: i.topic,
          partition: i.partition,
          lowWatermark: r?.lowWatermark ?? -1n,
          error: r ? errorFor(r.errorCode, what) : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, what, 'no answer'),
        };
      });
    },
    (i, error) => ({ topic: i.topic, partition: i.partition, lowWatermark: -1n, error }),
  );
}

/** Throws the first failure among per-item results (for callers that want all-or-error). */
export function orThrow<R extends ItemResult>(results: R[]): R[] {
  throwFirst(results);
  return results;
}
