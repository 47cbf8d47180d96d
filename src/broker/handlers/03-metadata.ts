/**
 * Metadata (key 3), versions 0-12.
 * - One broker (this node) leads every partition; controllerId is this node.
 * - v0: an empty topic list means all topics; v1+: null means all, [] none.
 * - Unknown topics are created when the request allows it (v4+ flag, always
 *   before) and `auto.create.topics.enable` is true; otherwise
 *   UNKNOWN_TOPIC_OR_PARTITION. Illegal names get INVALID_TOPIC_EXCEPTION.
 * - v10+: topics can be asked for by id (UNKNOWN_TOPIC_ID when unknown).
 * - v8+: authorized-operation bitfields when asked for.
 * - Authorization (when on): topics the principal may not DESCRIBE are left
 *   out of an all-topics answer and answered TOPIC_AUTHORIZATION_FAILED when
 *   asked for (by name: without id or existence; by id: without name);
 *   auto-creation needs CREATE on the cluster or the topic
 *   (TOPIC_AUTHORIZATION_FAILED); the cluster's bitfield is 0 without
 *   DESCRIBE on it.
 */

import type { Input, MetadataResponseMetadataResponseTopic as TopicOut } from '../../protocol/index.ts';
import { ErrorCode, KafkaError, toKafkaError, ZERO_UUID } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler } from '../handler.ts';
import type { TopicMeta } from '../metadata/metadata-store.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acls.ts';
import {
  authorizationEnabled,
  authorize,
  authorizeCluster,
  authorizedOperations,
  filterAuthorized,
} from '../security/authorizer.ts';

const NOT_REQUESTED = -2147483648;
const bits = (ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);
// AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
// CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12,
// CREATE_TOKENS 13, DESCRIBE_TOKENS 14
const TOPIC_OPS = bits([3, 4, 5, 6, 7, 8, 10, 11]);
const CLUSTER_OPS = bits([5, 7, 8, 9, 10, 11, 12, 13, 14]);
const INTERNAL = new Set(['__consumer_offsets', '__transaction_state']);

/** The Metadata topic entry for an existing topic. */
export function describeTopic(broker: Broker, t: TopicMeta, withOps: boolean): Input<TopicOut> {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: INTERNAL.has(t.name),
    partitions: Array.from({ length: t.partitions }, (_, p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p,
      leaderId: broker.nodeId,
      leaderEpoch: 0,
      replicaNodes: [broker.nodeId],
      isrNodes: [broker.nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: withOps ? TOPIC_OPS : NOT_REQUESTED,
  };
}

export default defineHandler({
  key: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, req) {
    const { broker } = ctx;
    const v = ctx.apiVersion;
    const withOps = v >= 8 && req.includeTopicAuthorizedOperations;
    const all = req.topics === null || (v === 0 && req.topics.length === 0);
    const autoCreate =
      (v < 4 || req.allowAutoTopicCreation) && broker.brokerConfig('auto.create.topics.enable', 'true') === 'true';
    const topics: Input<TopicOut>[] = [];
    const { TOPIC } = ResourceType;
    const denied = (name: string | null, topicId: string, isInternal = false): Input<TopicOut> => ({
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      name,
      topicId,
      isInternal,
      partitions: [],
    });
    if (all) {
      const names = [...broker.metadata.topicsByName.keys()];
      const visible = filterAuthorized(ctx, AclOperation.DESCRIBE, TOPIC, names, { logIfDenied: false });
      for (const t of broker.metadata.topicsByName.values()) {
        if (visible.has(t.name)) topics.push(describeTopic(broker, t, withOps));
      }
    } else {
      const named = (req.topics ?? []).flatMap((w) => (w.name === null || w.name === undefined ? [] : [w.name]));
      const describable = filterAuthorized(ctx, AclOperation.DESCRIBE, TOPIC, named);
      for (const want of req.topics ?? []) {
        if (want.name === null || want.name === undefined) {
          const t = want.topicId !== ZERO_UUID ? broker.metadata.topicsById.get(want.topicId) : undefined;
          if (t && !authorize(ctx, AclOperation.DESCRIBE, TOPIC, t.name)) topics.push(denied(null, want.topicId));
          else if (t) topics.push(describeTopic(broker, t, withOps));
          else
            topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: want.topicId, partitions: [] });
          continue;
        }
        if (!describable.has(want.name)) {
          topics.push(denied(want.name, ZERO_UUID));
          continue;
        }
        const t = broker.metadata.topicsByName.get(want.name);
        if (t) {
          topics.push(describeTopic(broker, t, withOps));
          continue;
        }
        try {
          if (!autoCreate) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (
            !authorizeCluster(ctx, AclOperation.CREATE, { logIfDenied: false }) &&
            !authorize(ctx, AclOperation.CREATE, TOPIC, want.name)
          ) {
            topics.push(denied(want.name, ZERO_UUID, INTERNAL.has(want.name)));
            continue;
          }
          const created = await broker.createTopic(want.name, -1, -1, {});
          topics.push(describeTopic(broker, created, withOps));
        } catch (err) {
          topics.push({ errorCode: toKafkaError(err).code, name: want.name, partitions: [] });
        }
      }
    }
    let clusterOps = v >= 8 && req.includeClusterAuthorizedOperations ? CLUSTER_OPS : NOT_REQUESTED;
    if (authorizationEnabled(broker)) {
      if (withOps) {
        for (const t of topics) {
          if (t.errorCode === ErrorCode.NONE && t.name) {
            t.topicAuthorizedOperations = authorizedOperations(ctx, TOPIC, t.name);
          }
        }
      }
      if (clusterOps !== NOT_REQUESTED) {
        clusterOps = authorizeCluster(ctx, AclOperation.DESCRIBE)
          ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
          : 0;
      }
    }
    return {
      throttleTimeMs: 0,
      // the advertised address of the listener the request came in on
      brokers: [{ nodeId: broker.nodeId, ...broker.endpointFor(ctx.connection.listener), rack: null }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: clusterOps,
    };
  },
});
