/**
 * Per-topic log configuration, named after Kafka's topic configs. Values are
 * milliseconds and bytes; -1 means "unlimited" where Kafka allows it.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';

/** Kafka's Long.MAX_VALUE as a JS number (only compared against, never summed). */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** Log settings; the comment on each field is the Kafka topic config it mirrors. */
export interface LogConfig {
  /** segment.bytes: roll the active segment when the next append would pass this size. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first timestamp is this old. */
  segmentMs: number;
  /** segment.index.bytes: roll when an index of the active segment would pass this size. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of batches between two offset-index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete segments whose largest timestamp is older (-1 = keep forever). */
  retentionMs: number;
  /** retention.bytes: delete the oldest segments while the log is larger (-1 = no limit). */
  retentionBytes: number;
  /** cleanup.policy. */
  cleanupPolicy: Array<'delete' | 'compact'>;
  /** delete.retention.ms: how long compaction keeps tombstones once it has seen them. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: compact dirty data this old even below the dirty ratio (default never). */
  maxCompactionLagMs?: number;
  /** min.cleanable.dirty.ratio: compact only when dirty bytes / cleanable bytes reach this. */
  minCleanableDirtyRatio: number;
  /** file.delete.delay.ms: deleted segment files linger as `.deleted` this long. */
  fileDeleteDelayMs: number;
  /** flush.messages: fsync after this many unflushed records (NEVER = only when asked). */
  flushMessages: number;
  /** flush.ms: `flushIfDue` fsyncs when the last fsync is this old (NEVER = only when asked). */
  flushMs: number;
  /** message.timestamp.type. */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** max.message.bytes: the largest record batch accepted. */
  maxMessageBytes: number;
  /** producer.id.expiration.ms (a broker config): idle producers without an open transaction are forgotten after this. */
  producerIdExpirationMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** Kafka's defaults. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze<LogConfig>({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * DAY,
  retentionBytes: -1,
  cleanupPolicy: ['delete'],
  deleteRetentionMs: DAY,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  fileDeleteDelayMs: 60_000,
  flushMessages: NEVER,
  flushMs: NEVER,
  messageTimestampType: 'CreateTime',
  maxMessageBytes: 1048588,
  producerIdExpirationMs: DAY,
});

function check(ok: boolean, what: string): void {
  if (!ok) throw new KafkaError(ErrorCode.INVALID_CONFIG, what);
}

/**
 * Defaults filled in and values checked against Kafka's bounds; throws
 * INVALID_CONFIG naming the offending setting.
 */
export function resolveLogConfig(partial: Partial<LogConfig> = {}): LogConfig {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG, ...partial, cleanupPolicy: [...(partial.cleanupPolicy ?? ['delete'])] };
  const int = (v: number, min: number) => Number.isSafeInteger(v) && v >= min;
  check(int(c.segmentBytes, 14), 'segment.bytes must be an integer >= 14');
  check(int(c.segmentMs, 1), 'segment.ms must be an integer >= 1');
  check(int(c.segmentIndexBytes, 12), 'segment.index.bytes must be an integer >= 12');
  check(int(c.indexIntervalBytes, 0), 'index.interval.bytes must be an integer >= 0');
  check(int(c.retentionMs, -1), 'retention.ms must be an integer >= -1');
  check(int(c.retentionBytes, -1), 'retention.bytes must be an integer >= -1');
  check(
    c.cleanupPolicy.every((p) => p === 'delete' || p === 'compact'),
    'cleanup.policy must be a list of delete and compact',
  );
  check(int(c.deleteRetentionMs, 0), 'delete.retention.ms must be an integer >= 0');
  check(int(c.minCompactionLagMs, 0), 'min.compaction.lag.ms must be an integer >= 0');
  check(c.maxCompactionLagMs === undefined || int(c.maxCompactionLagMs, 1), 'max.compaction.lag.ms must be >= 1');
  check(c.minCleanableDirtyRatio >= 0 && c.minCleanableDirtyRatio <= 1, 'min.cleanable.dirty.ratio must be in [0, 1]');
  check(int(c.fileDeleteDelayMs, 0), 'file.delete.delay.ms must be an integer >= 0');
  check(int(c.flushMessages, 1), 'flush.messages must be an integer >= 1');
  check(int(c.flushMs, 0), 'flush.ms must be an integer >= 0');
  check(
    c.messageTimestampType === 'CreateTime' || c.messageTimestampType === 'LogAppendTime',
    'message.timestamp.type must be CreateTime or LogAppendTime',
  );
  check(int(c.maxMessageBytes, 0), 'max.message.bytes must be an integer >= 0');
  check(int(c.producerIdExpirationMs, 1), 'producer.id.expiration.ms must be an integer >= 1');
  return c;
}
