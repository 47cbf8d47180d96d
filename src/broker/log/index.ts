/**
 * The partition log: Kafka-style durable storage of one topic-partition
 * (segments, offset, time and aborted-transaction indexes, producer state,
 * recovery, retention, compaction).
 * Other code imports this folder only through this file.
 */
export type { CompactionStats, CompactOptions } from './compaction.ts';
export { DEFAULT_LOG_CONFIG, type LogConfig, NEVER, resolveLogConfig } from './config.ts';
export { FaultyLogFs } from './faulty-fs.ts';
export {
  CHECKPOINT_FILE,
  CLEAN_SHUTDOWN_FILE,
  type LogCheckpoint,
  parsePartitionDirName,
  partitionDirName,
  segmentFileName,
} from './files.ts';
export { type Fd, type LogFs, NodeLogFs, type OpenMode } from './fs.ts';
export { type CrashMode, MemoryLogFs } from './memory-fs.ts';
export { PartitionLog } from './partition-log.ts';
export type { RecoveryReport } from './recovery.ts';
export type { RetentionReason, RetentionResult } from './retention.ts';
export type { TimestampAndOffset } from './timestamps.ts';
export type { AbortedTxn } from './txn-index.ts';
export type {
  ActiveProducer,
  AppendOptions,
  AppendResult,
  OpenLogOptions,
  ReadOptions,
  ReadResult,
} from './types.ts';
