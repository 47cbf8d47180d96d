/**
 * DeleteTopics (key 20), versions 0-6.
 * - v0-5 name topics; v6 names them or gives their ids.
 * - Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID;
 *   `delete.topic.enable=false` answers TOPIC_DELETION_DISABLED.
 */

import type { DeleteTopicsResponseDeletableTopicResult as Result } from '../../protocol/index.ts';
import { ErrorCode, type Input, KafkaError, toKafkaError, ZERO_UUID } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';

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
    for (const w of wanted) {
      try {
        if (w.name !== null && w.id !== ZERO_UUID) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Give either a topic name or a topic id, not both.');
        }
        const topic = w.name !== null ? broker.metadata.topicsByName.get(w.name) : broker.metadata.topicsById.get(w.id);
        if (!topic)
          throw new KafkaError(w.name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID);
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
