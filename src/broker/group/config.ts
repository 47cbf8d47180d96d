/**
 * Group coordinator settings, read from broker configs with Kafka's names and
 * defaults (GroupCoordinatorConfig). `offsets.retention.ms`, when set, takes
 * precedence over Kafka's `offsets.retention.minutes` (finer control for
 * tests and small deployments).
 */

/** The settings the coordinator works with. */
export interface GroupConfig {
  /** group.min.session.timeout.ms (6000) */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms (1800000) */
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms (3000) */
  initialRebalanceDelayMs: number;
  /** group.max.size (2^31-1) */
  maxSize: number;
  /** offsets.topic.num.partitions (50), used when the topic is created */
  offsetsTopicPartitions: number;
  /** offsets.topic.segment.bytes (100 MiB) */
  offsetsTopicSegmentBytes: number;
  /** offsets.retention.minutes (7 days) or offsets.retention.ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms (600000) */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (4096) */
  offsetMetadataMaxBytes: number;
  /** How long a new member's JoinGroup may wait (Kafka: 5 minutes, not configurable). */
  newMemberJoinTimeoutMs: number;
}

/** Reads the group settings through `get(name, default)` (the broker's effective config). */
export function readGroupConfig(get: (name: string, fallback: string) => string): GroupConfig {
  const int = (name: string, fallback: number): number => {
    const v = Number(get(name, String(fallback)));
    return Number.isFinite(v) ? v : fallback;
  };
  const retentionMs = get('offsets.retention.ms', '');
  return {
    minSessionTimeoutMs: int('group.min.session.timeout.ms', 6000),
    maxSessionTimeoutMs: int('group.max.session.timeout.ms', 1_800_000),
    initialRebalanceDelayMs: int('group.initial.rebalance.delay.ms', 3000),
    maxSize: int('group.max.size', 2147483647),
    offsetsTopicPartitions: Math.max(1, int('offsets.topic.num.partitions', 50)),
    offsetsTopicSegmentBytes: int('offsets.topic.segment.bytes', 104_857_600),
    offsetsRetentionMs:
      retentionMs !== '' && Number.isFinite(Number(retentionMs))
        ? Number(retentionMs)
        : int('offsets.retention.minutes', 10080) * 60_000,
    offsetsRetentionCheckIntervalMs: Math.max(1, int('offsets.retention.check.interval.ms', 600_000)),
    offsetMetadataMaxBytes: int('offset.metadata.max.bytes', 4096),
    newMemberJoinTimeoutMs: 300_000,
  };
}
