/**
 * Producer and transaction state: DescribeProducers (to partition leaders),
 * ListTransactions (every broker), DescribeTransactions (to each
 * transactional id's coordinator).
 */
import type { Cluster } from '../cluster.ts';
import { CoordinatorType } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { byTopicPartition, type TopicPartition } from './groups.ts';
import { errorFor, onCoordinator, onLeaders, requireApi, throwFirst } from './request.ts';

/** An active producer of a partition. */
export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: bigint;
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction, -1n when none. */
  currentTxnStartOffset: bigint;
}

/** The active producers of one partition. */
export interface PartitionProducers extends TopicPartition {
  producers: ProducerState[];
}

/** DescribeProducers; throws the first partition's error. */
export async function describeProducers(cluster: Cluster, partitions: TopicPartition[]): Promise<PartitionProducers[]> {
  const results = await onLeaders(
    cluster,
    partitions,
    ApiKey.DescribeProducers,
    async (conn, items) => {
      const topics = new Map<string, number[]>();
      for (const i of items) topics.set(i.topic, [...(topics.get(i.topic) ?? []), i.partition]);
      const res = await conn.request(ApiKey.DescribeProducers, {
        topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
      return items.map((i) => {
        const r = res.topics.find((t) => t.name === i.topic)?.partitions.find((p) => p.partitionIndex === i.partition);
        const what = `${i.topic}-${i.partition}`;
        return {
          topic: i.topic,
          partition: i.partition,
          producers: (r?.activeProducers ?? []).map((p) => ({
            producerId: p.producerId,
            producerEpoch: p.producerEpoch,
            lastSequence: p.lastSequence,
            lastTimestamp: p.lastTimestamp,
            coordinatorEpoch: p.coordinatorEpoch,
            currentTxnStartOffset: p.currentTxnStartOffset,
          })),
          error: r
            ? errorFor(r.errorCode, what, r.errorMessage)
            : errorFor(ErrorCode.UNKNOWN_SERVER_ERROR, what, 'no answer'),
        };
      });
    },
    (i, error) => ({ topic: i.topic, partition: i.partition, producers: [], error }),
  );
  throwFirst(results);
  return results.map(({ error: _, ...rest }) => rest);
}

/** A transaction as ListTransactions reports it. */
export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  /** Ongoing, PrepareCommit, CompleteCommit, Empty, ... */
  state: string;
}

/** Filters of listTransactions (durationMs needs ListTransactions v1). */
export interface ListTransactionsOptions {
  states?: string[];
  producerIds?: bigint[];
  /** Only transactions running longer than this. */
  durationMs?: number;
}

/** ListTransactions on every broker, merged and sorted by transactional id. */
export async function listTransactions(
  cluster: Cluster,
  opts: ListTransactionsOptions = {},
): Promise<TransactionListing[]> {
  const minVersion = opts.durationMs !== undefined ? 1 : 0;
  await cluster.retry(() => cluster.refreshMetadata());
  const perBroker = await Promise.all(
    cluster.brokers.map((b) =>
      cluster.retry(async () => {
        const conn = await cluster.connection(b.nodeId);
        requireApi(conn, ApiKey.ListTransactions, minVersion, 'filtering transactions by duration');
        const res = await conn.request(
          ApiKey.ListTransactions,
          {
            stateFilters: opts.states ?? [],
            producerIdFilters: opts.producerIds ?? [],
            durationFilter: BigInt(opts.durationMs ?? -1),
          },
          { minVersion },
        );
        const err = errorFor(res.errorCode, `ListTransactions on broker ${b.nodeId}`);
        if (err) throw err;
        return res.transactionStates.map((t) => ({
          transactionalId: t.transactionalId,
          producerId: t.producerId,
          state: t.transactionState,
        }));
      }),
    ),
  );
  return perBroker.flat().sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
}

/** A described transaction. */
export interface TransactionDescription {
  transactionalId: string;
  state: string;
  timeoutMs: number;
  /** -1n when no transaction is open. */
  startTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  /** Partitions in the open transaction. */
  partitions: TopicPartition[];
}

/** DescribeTransactions; an unknown id throws TRANSACTIONAL_ID_NOT_FOUND. */
export function describeTransactions(cluster: Cluster, transactionalIds: string[]): Promise<TransactionDescription[]> {
  return Promise.all(
    transactionalIds.map((id) =>
      onCoordinator(cluster, CoordinatorType.TRANSACTION, id, ApiKey.DescribeTransactions, async (conn) => {
        const res = await conn.request(ApiKey.DescribeTransactions, { transactionalIds: [id] });
        const t = res.transactionStates.find((x) => x.transactionalId === id);
        if (!t) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `transactional id ${id}: no answer`);
        const err = errorFor(t.errorCode, `transactional id ${id}`);
        if (err) throw err;
        return {
          transactionalId: id,
          state: t.transactionState,
          timeoutMs: t.transactionTimeoutMs,
          startTimeMs: t.transactionStartTimeMs,
          producerId: t.producerId,
          producerEpoch: t.producerEpoch,
          partitions: t.topics
            .flatMap((x) => x.partitions.map((partition) => ({ topic: x.topic, partition })))
            .sort(byTopicPartition),
        };
      }),
    ),
  );
}
