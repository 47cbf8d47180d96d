/**
 * CreateTopics (key 19), versions 0-7.
 * - Partitions/replication factor -1 take the broker defaults; a replication
 *   factor above 1 is INVALID_REPLICATION_FACTOR (one broker).
 * - Manual assignments must name this broker only (INVALID_REPLICA_ASSIGNMENT)
 *   and cannot be combined with a partition count (INVALID_REQUEST).
 * - Configs are validated by name and value (INVALID_CONFIG with a message).
 * - validateOnly checks everything and creates nothing.
 * - v5+: the result carries partitions, replication factor and every config.
 * - Authorization (when on): CREATE on the cluster or on the topic, else
 *   TOPIC_AUTHORIZATION_FAILED ("Authorization failed."); without
 *   DESCRIBE_CONFIGS on the topic a created topic's result leaves out
 *   configs, partitions and replication factor (topicConfigErrorCode
 *   TOPIC_AUTHORIZATION_FAILED), as Kafka's controller.
 */
import {
  ErrorCode,
  type Input,
  KafkaError,
  type CreateTopicsResponseCreatableTopicResult as Result,
  toKafkaError,
} from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { resolveTopicConfig, TOPIC_CONFIGS } from '../configs.ts';
import { defineHandler } from '../handler.ts';
import type { TopicMeta } from '../metadata/metadata-store.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizeCluster, filterAuthorized } from '../security/authorizer.ts';

function configsOf(broker: Broker, t: TopicMeta): Result['configs'] {
  return TOPIC_CONFIGS.map((d) => {
    const r = resolveTopicConfig(d.name, t.configs, broker.metadata.brokerConfigs, broker.staticConfigs);
    return {
      name: d.name,
      value: r?.value ?? d.default,
      readOnly: false,
      configSource: r?.source ?? 5,
      isSensitive: false,
    };
  });
}

export default defineHandler({
  key: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, req) {
    const { broker } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: Input<Result>[] = [];
    const names = [...counts.keys()].filter((n) => counts.get(n) === 1);
    const creatable = authorizeCluster(ctx, AclOperation.CREATE, { logIfDenied: false })
      ? new Set(names)
      : filterAuthorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, names);
    const quiet = { logIfDenied: false };
    const describable = filterAuthorized(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, names, quiet);
    for (const t of req.topics) {
      try {
        if ((counts.get(t.name) ?? 0) > 1) {
          throw new KafkaError(
            ErrorCode.INVALID_REQUEST,
            `Create topics request contains the topic ${t.name} more than once.`,
          );
        }
        if (!creatable.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
        let partitions = t.numPartitions;
        let rf = t.replicationFactor;
        if (t.assignments.length > 0) {
          if (partitions !== -1 || rf !== -1) {
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
            );
          }
          const sorted = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
          sorted.forEach((a, i) => {
            if (a.partitionIndex !== i) {
              throw new KafkaError(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                'Partitions should be a consecutive 0-based integer sequence.',
              );
            }
            if (a.brokerIds.length === 0 || a.brokerIds.some((id) => id !== broker.nodeId)) {
              throw new KafkaError(
                ErrorCode.INVALID_REPLICA_ASSIGNMENT,
                `Replica assignment [${a.brokerIds.join(', ')}] for partition ${i} names brokers that do not exist; the only broker is ${broker.nodeId}.`,
              );
            }
          });
          partitions = sorted.length;
          rf = 1;
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) {
          if (c.value === null)
            throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${c.name}.`);
          configs[c.name] = c.value;
        }
        const meta = await broker.createTopic(t.name, partitions, rf, configs, req.validateOnly);
        if (!describable.has(t.name)) {
          topics.push({
            name: t.name,
            topicId: meta.id,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            numPartitions: -1,
            replicationFactor: -1,
            configs: [],
          });
          continue;
        }
        topics.push({
          name: t.name,
          topicId: meta.id,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: meta.partitions,
          replicationFactor: 1,
          configs: configsOf(broker, meta),
        });
      } catch (err) {
        const e = toKafkaError(err);
        topics.push({
          name: t.name,
          errorCode: e.code,
          errorMessage: e.errorMessage,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        });
      }
    }
    return { throttleTimeMs: 0, topics };
  },
});
