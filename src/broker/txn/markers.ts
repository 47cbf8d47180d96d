/**
 * Completing a transaction in the partitions it touched (what Kafka's
 * TransactionMarkerChannelManager does with WriteTxnMarkers, in process here):
 *
 * - a COMMIT or ABORT control batch (producer id and epoch of the
 *   transaction, coordinator epoch 0) is appended to every data partition
 *   with origin 'internal' and fsynced, then read_committed fetches waiting
 *   on the partition are woken: the marker moves its last stable offset;
 * - offsets staged with TxnOffsetCommit are committed or dropped by the group
 *   coordinator for every group of the transaction, which writes the marker
 *   into the group's `__consumer_offsets` partition itself (that partition is
 *   in the transaction's partition set, as in Kafka);
 * - a partition whose topic was deleted is skipped (Kafka drops it too);
 *   a storage error, or a group coordinator error, fails the attempt and the
 *   transaction stays in PrepareCommit/PrepareAbort to be retried.
 */
import { ControlRecordType, ErrorCode, encodeEndTxnMarkerBatch, toKafkaError } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { type PartitionKey, splitPartitionKey } from './metadata.ts';

/** The internal topic holding committed offsets. */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** Coordinator epoch written into markers (a single broker never changes coordinator). */
export const COORDINATOR_EPOCH = 0;

/** What the markers of one transaction need. */
export interface MarkerJob {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  partitions: ReadonlySet<PartitionKey>;
  groups: ReadonlySet<string>;
}

/** Writes the markers and completes the groups; throws when the attempt must be retried. */
export async function completeInPartitions(broker: Broker, job: MarkerJob): Promise<void> {
  const flushes: Array<Promise<void>> = [];
  for (const key of job.partitions) {
    const { topic, partition } = splitPartitionKey(key);
    if (topic === CONSUMER_OFFSETS_TOPIC) continue;
    const log = broker.log(topic, partition);
    if (!log) continue;
    const marker = encodeEndTxnMarkerBatch({
      type: job.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
      producerId: BigInt(job.producerId),
      producerEpoch: job.producerEpoch,
      coordinatorEpoch: COORDINATOR_EPOCH,
      timestamp: Date.now(),
    });
    try {
      log.append(marker, { origin: 'internal' });
    } catch (err) {
      const e = toKafkaError(err);
      if (e.code === ErrorCode.KAFKA_STORAGE_ERROR || e.code === ErrorCode.NOT_LEADER_OR_FOLLOWER) throw e;
      // A marker the partition rejects (a newer producer epoch there) cannot succeed on retry either.
      broker.logger.warn(
        { err, transactionalId: job.transactionalId, topic, partition },
        'transaction marker rejected; partition skipped',
      );
      continue;
    }
    broker.waiters.notify(topic, partition);
    flushes.push(log.flush());
  }
  await Promise.all(flushes);
  for (const group of job.groups) {
    await broker.groups.completeTransaction(group, BigInt(job.producerId), job.commit, job.producerEpoch);
  }
}
