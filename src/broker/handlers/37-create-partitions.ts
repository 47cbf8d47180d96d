/**
 * CreatePartitions (key 37), versions 0-3.
 * - Grows a topic to `count` partitions; the same or a lower count is
 *   INVALID_PARTITIONS with Kafka's message; unknown topics are
 *   UNKNOWN_TOPIC_OR_PARTITION.
 * - Manual assignments need one per new partition, each naming only this
 *   broker once (INVALID_REPLICA_ASSIGNMENT otherwise).
 * - A topic named twice gets one INVALID_REQUEST result.
 * - More than 10000 new partitions in one request fail it all with
 *   POLICY_VIOLATION, as Kafka's controller bounds one operation.
 * - validateOnly checks everything and creates nothing.
 * - Authorization (when on): ALTER on each topic, else
 *   TOPIC_AUTHORIZATION_FAILED (after the duplicate check, before the rest).
 */
import {
  ErrorCode,
  type Input,
  KafkaError,
  type CreatePartitionsResponseCreatePartitionsTopicResult as ResultOut,
  type CreatePartitionsRequestCreatePartitionsTopic as TopicIn,
  toKafkaError,
} from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler } from '../handler.ts';
import type { TopicMeta } from '../metadata/metadata-store.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { filterAuthorized } from '../security/authorizer.ts';

const MAX_NEW_PARTITIONS = 10_000;
const REPLICATION_FACTOR = 1;

/** The topic to grow, after Kafka's checks on the count and assignments. */
function check(broker: Broker, t: TopicIn): TopicMeta {
  const topic = broker.metadata.topicsByName.get(t.name);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (t.count === topic.partitions) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partition(s).`);
  }
  if (t.count < topic.partitions) {
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${t.name} currently has ${topic.partitions} partition(s); ${t.count} would not be an increase.`,
    );
  }
  const additional = t.count - topic.partitions;
  if (t.assignments !== null) {
    const bad = (why: string): never => {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment ${why}`);
    };
    if (t.assignments.length !== additional) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`,
      );
    }
    for (const a of t.assignments) {
      if (a.brokerIds.length === 0) bad('includes an empty replica list.');
      const sorted = [...a.brokerIds].sort((x, y) => x - y);
      sorted.forEach((id, i) => {
        if (id !== broker.nodeId) bad(`includes broker ${id}, but no such broker is registered.`);
        if (i > 0 && sorted[i - 1] === id) bad(`includes the broker ${id} more than once.`);
      });
      if (sorted.length !== REPLICATION_FACTOR) {
        bad(
          `includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${REPLICATION_FACTOR} replica(s).`,
        );
      }
    }
  }
  return topic;
}

export default defineHandler({
  key: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, req) {
    const { broker } = ctx;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const seen = new Set<string>();
    const wanted = req.topics.filter((t) => !seen.has(t.name) && seen.add(t.name));

    const alterable = filterAuthorized(
      ctx,
      AclOperation.ALTER,
      ResourceType.TOPIC,
      wanted.filter((t) => counts.get(t.name) === 1).map((t) => t.name),
    );
    const growth = wanted.reduce((n, t) => {
      const current = alterable.has(t.name) ? broker.metadata.topicsByName.get(t.name)?.partitions : undefined;
      return current !== undefined && t.count > current ? n + (t.count - current) : n;
    }, 0);
    if (growth > MAX_NEW_PARTITIONS) {
      const errorMessage = 'Unable to perform excessively large batch operation.';
      return {
        throttleTimeMs: 0,
        results: wanted.map((t) => ({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage })),
      };
    }

    const results: Input<ResultOut>[] = [];
    for (const t of wanted) {
      try {
        if ((counts.get(t.name) ?? 0) > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
        if (!alterable.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        const topic = check(broker, t);
        await broker.createPartitions(topic, t.count, req.validateOnly);
        if (!req.validateOnly) broker.logger.info({ topic: t.name, partitions: t.count }, 'created partitions');
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const e = toKafkaError(err);
        results.push({ name: t.name, errorCode: e.code, errorMessage: e.errorMessage });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
