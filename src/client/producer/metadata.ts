/**
 * Topic metadata for the producer, through the shared Cluster cache: only
 * the producer's topics are asked for.
 */
import type { Cluster, TopicInfo } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';

/** Refreshes the cache for `topics` (creating them when `allowAutoTopicCreation`). */
export function refreshTopics(cluster: Cluster, topics: string[], allowAutoTopicCreation: boolean): Promise<void> {
  return cluster.refreshMetadata(topics, allowAutoTopicCreation);
}

/**
 * A topic's metadata: the cache, else refreshed with the cluster's retries.
 * Throws UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
 */
export async function topicInfo(cluster: Cluster, topic: string, allowAutoTopicCreation: boolean): Promise<TopicInfo> {
  const cached = cluster.topic(topic);
  if (cached) return cached;
  return cluster.retry(async () => {
    await refreshTopics(cluster, [topic], allowAutoTopicCreation);
    const t = cluster.topic(topic);
    if (t && t.partitions.length > 0) return t;
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
  });
}
