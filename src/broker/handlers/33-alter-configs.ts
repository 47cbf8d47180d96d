/**
 * AlterConfigs (key 33), versions 0-2 — the legacy, non-incremental API.
 * - Replaces the whole set of overrides of a topic or of the broker: keys not
 *   in the request are removed.
 * - TOPIC: every name and value is checked first (INVALID_CONFIG saying what
 *   to fix), then that the topic exists (UNKNOWN_TOPIC_OR_PARTITION).
 * - BROKER "" (cluster-wide) or this node's id (any other id is
 *   INVALID_REQUEST). Read-only configs and bad values are INVALID_REQUEST, as
 *   Kafka answers for broker configs; names Kafka would accept but this broker
 *   does not use are kept.
 * - A resource named twice, a config named twice in one resource, or a null
 *   value is INVALID_REQUEST; BROKER_LOGGER and unknown types are
 *   INVALID_REQUEST (only IncrementalAlterConfigs sets log levels).
 * - validateOnly checks everything and changes nothing.
 * - Authorization (when on, after the request checks): ALTER_CONFIGS on the
 *   topic or (broker) the cluster, else TOPIC_/CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  ErrorCode,
  errorInfo,
  type Input,
  KafkaError,
  type AlterConfigsResponseAlterConfigsResourceResponse as ResultOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { type Broker, validateTopicName } from '../broker.ts';
import {
  brokerConfigDef,
  ConfigResourceType as RT,
  resolveTopicConfig,
  validateConfigValue,
  validateTopicConfigs,
} from '../configs.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeConfigResource } from '../security/authorizer.ts';
import { brokerIdOf } from './32-describe-configs.ts';

/** A config resource as the AlterConfigs APIs name it. */
export interface ResourceKey {
  resourceType: number;
  resourceName: string;
}

/** Resources named more than once; Kafka fails every copy. */
export function duplicateResources<T extends ResourceKey>(resources: readonly T[]): Set<T> {
  const seen = new Map<string, T>();
  const dups = new Set<T>();
  for (const r of resources) {
    const key = `${r.resourceType}\u0000${r.resourceName}`;
    const first = seen.get(key);
    if (first) dups.add(first).add(r);
    else seen.set(key, r);
  }
  return dups;
}

/** Throws INVALID_REQUEST unless `name` is this node's id. */
export function checkThisNode(broker: Broker, name: string): void {
  if (brokerIdOf(name, 'Node id') !== broker.nodeId) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${broker.nodeId}, but received ${name}`,
    );
  }
}

/** Throws INVALID_REQUEST when two configs of a resource share a name. */
export function checkDuplicateKeys(names: readonly string[]): void {
  if (new Set(names).size !== names.length) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  }
}

function diff(
  current: Readonly<Record<string, string>>,
  wanted: Record<string, string>,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) if (current[k] !== v) changes[k] = v;
  for (const k of Object.keys(current)) if (!(k in wanted)) changes[k] = null;
  return changes;
}

function validateBrokerChanges(changes: Record<string, string | null>): void {
  const set = Object.entries(changes).filter((e): e is [string, string] => e[1] !== null);
  const readOnly = set.filter(([k]) => brokerConfigDef(k)?.readOnly).map(([k]) => k);
  if (readOnly.length > 0) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${readOnly.join(', ')}`);
  }
  for (const [k, v] of set) {
    const def = brokerConfigDef(k);
    try {
      if (def) validateConfigValue(def, v);
    } catch (err) {
      // Kafka answers INVALID_REQUEST for broker config values it cannot apply (KAFKA-13609)
      throw new KafkaError(ErrorCode.INVALID_REQUEST, (err as Error).message);
    }
  }
}

/** Checks between topic configs that Kafka makes once each value is valid on its own. */
function validateTopicCombination(broker: Broker, configs: Record<string, string>): void {
  const value = (name: string): string =>
    resolveTopicConfig(name, configs, broker.metadata.brokerConfigs, broker.staticConfigs)?.value ?? '';
  const minLag = BigInt(value('min.compaction.lag.ms'));
  const maxLag = BigInt(value('max.compaction.lag.ms'));
  if (minLag > maxLag) {
    throw new KafkaError(
      ErrorCode.INVALID_CONFIG,
      `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    );
  }
  if (value('remote.storage.enable').toLowerCase() === 'true') {
    throw new KafkaError(
      ErrorCode.INVALID_CONFIG,
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
  }
}

/**
 * Validates and applies a new set of overrides for a TOPIC or BROKER
 * resource; `next` computes the whole new set from the current one.
 */
export function alterResource(
  broker: Broker,
  type: number,
  name: string,
  next: (current: Readonly<Record<string, string>>) => Record<string, string>,
  validateOnly: boolean,
): void {
  if (type === RT.BROKER) {
    if (name !== '') checkThisNode(broker, name);
    const current = broker.metadata.brokerConfigs;
    const changes = diff(current, next(current));
    validateBrokerChanges(changes);
    if (!validateOnly && Object.keys(changes).length > 0) broker.alterBrokerConfigs(changes);
    return;
  }
  if (name === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
  validateTopicName(name);
  const topic = broker.metadata.topicsByName.get(name);
  const current = topic?.configs ?? {};
  const wanted = next(current);
  validateTopicConfigs(wanted);
  validateTopicCombination(broker, wanted);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  const changes = diff(current, wanted);
  if (!validateOnly && Object.keys(changes).length > 0) broker.alterTopicConfigs(topic, changes);
}

export default defineHandler({
  key: 33,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, req) {
    const { broker } = ctx;
    const dups = duplicateResources(req.resources);
    const responses: Input<ResultOut>[] = req.resources.map((r) => {
      const out = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        if (dups.has(r)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
        checkDuplicateKeys(r.configs.map((c) => c.name));
        const nulls = r.configs.filter((c) => c.value === null).map((c) => c.name);
        if (nulls.length > 0) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
        }
        if (r.resourceType !== RT.TOPIC && r.resourceType !== RT.BROKER) {
          throw new KafkaError(
            ErrorCode.INVALID_REQUEST,
            r.resourceType === RT.GROUP || r.resourceType === RT.CLIENT_METRICS
              ? `Resource type ${r.resourceType} is not supported by this broker`
              : `Unknown resource type ${r.resourceType}`,
          );
        }
        const denied = authorizeConfigResource(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName);
        if (denied !== ErrorCode.NONE) throw new KafkaError(denied, errorInfo(denied).message);
        const wanted = Object.fromEntries(r.configs.map((c) => [c.name, c.value as string]));
        alterResource(broker, r.resourceType, r.resourceName, () => wanted, req.validateOnly);
        return { ...out, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (err) {
        const e = toKafkaError(err);
        return { ...out, errorCode: e.code, errorMessage: e.errorMessage };
      }
    });
    return { throttleTimeMs: 0, responses };
  },
});
