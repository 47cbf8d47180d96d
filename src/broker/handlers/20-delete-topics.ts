/**
 * DeleteTopics (key 20), versions 0-6.
 * - v0-5 name topics; v6 names them or gives their ids.
 * - Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID;
 *   `delete.topic.enable=false` answers TOPIC_DELETION_DISABLED.
 * - Authorization (when on), as Kafka's controller: DELETE on the cluster
 *   allows every topic; otherwise a name the principal may not DESCRIBE is
 *   TOPIC_AUTHORIZATION_FAILED whether or not it exists, and one it may not
 *   DELETE too; an id it may not DELETE is TOPIC_AUTHORIZATION_FAILED, named
 *   only when it may DESCRIBE the topic.
 */

import type { DeleteTopicsResponseDeletableTopicResult as Result } from '../../protocol/index.ts';
import { ErrorCode, type Input, KafkaError, toKafkaError, ZERO_UUID } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizeCluster, filterAuthorized } from '../security/authorizer.ts';

export default defineHandler({
  key: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, req) {
    const { broker } = ctx;
    const wanted =
      ctx.apiVersion >= 6
        ? req.topics.map((t) => ({ name: t.name, id: t.topicId }))
        : req.topicNames.map((name) => ({ name, id: ZERO_UUID }));
    const responses: Input<Result>[] = [];
    const names = wanted.flatMap((w) => {
      const name = w.name ?? broker.metadata.topicsById.get(w.id)?.name;
      return name === undefined ? [] : [name];
    });
    const everything = authorizeCluster(ctx, AclOperation.DELETE, { logIfDenied: false });
    const describable = everything
      ? new Set(names)
      : filterAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names);
    const deletable = everything
      ? new Set(names)
      : filterAuthorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, names);
    for (const w of wanted) {
      try {
        if (w.name !== null && w.id !== ZERO_UUID) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Give either a topic name or a topic id, not both.');
        }
        if (w.name !== null && !describable.has(w.name)) throw new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        const topic = w.name !== null ? broker.metadata.topicsByName.get(w.name) : broker.metadata.topicsById.get(w.id);
        if (!topic)
          throw new KafkaError(w.name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID);
        if (!deletable.has(topic.name)) {
          const name = describable.has(topic.name) ? topic.name : null;
          responses.push({ name, topicId: w.id, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
          continue;
        }
        if (broker.brokerConfig('delete.topic.enable', 'true') !== 'true') {
          throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED);
        }
        await broker.deleteTopic(topic);
        responses.push({ name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        const e = toKafkaError(err);
        responses.push({ name: w.name, topicId: w.id, errorCode: e.code, errorMessage: e.errorMessage });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
