/** Options and results of the PartitionLog API. */
import type { LogFs } from './fs.ts';

/** Options for `PartitionLog.open`. */
export interface OpenLogOptions {
  /** The file system (default: node:fs). */
  fs?: LogFs;
  /** The clock (default Date.now). */
  now?: () => number;
  /** Receives notices about repairs made after open (default: ignored). */
  warn?: (message: string) => void;
}

/** Options for `PartitionLog.append`. */
export interface AppendOptions {
  /** Written into each batch's partitionLeaderEpoch (not covered by the CRC). */
  leaderEpoch?: number;
  /** The log-append time (default: the log's clock). */
  now?: number;
  /** 'client' (default) applies Kafka's checks on producer batches; 'internal' lets coordinators write control batches. */
  origin?: 'client' | 'internal';
}

/** What `PartitionLog.append` assigned. */
export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The time written into the batches under LogAppendTime, -1 under CreateTime. */
  logAppendTime: number;
  /** Largest batch max timestamp appended. */
  maxTimestamp: number;
  recordCount: number;
  /** For the Produce response (v5+). */
  logStartOffset: number;
  /** True when the batch repeated one already written: nothing was appended, the offsets are the original ones. */
  duplicate?: boolean;
}

/** A producer with state in a partition (DescribeProducers). */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  currentTxnStartOffset: number;
}

/** Options for `PartitionLog.read`. */
export interface ReadOptions {
  /** Return the first batch whole even if it is larger than maxBytes (KIP-74; default true). */
  minOneMessage?: boolean;
  /** Exclusive bound: batches starting at or past it are not returned (e.g. the last stable offset). */
  maxOffset?: number;
}

/** What `PartitionLog.read` returns. */
export interface ReadResult {
  /** Whole batches, as stored. Empty at the end of the log. */
  records: Buffer;
  /** Base offset of the first batch (may be below the offset asked for), or the offset asked for if empty. */
  firstOffset: number;
  /** The offset after the last batch returned (where the next read continues). */
  nextOffset: number;
}
