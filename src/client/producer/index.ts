/**
 * The producer: batching per partition, compression, idempotence (on by
 * default), transactions, delivery reports as promises.
 *
 * | file                  | what                                                        |
 * |-----------------------|-------------------------------------------------------------|
 * | producer.ts           | Producer: send, flush, transactions API, close              |
 * | types.ts              | public types, options with Kafka's defaults                 |
 * | batch.ts              | a batch of one partition: records, deliveries, encoding     |
 * | accumulator.ts        | per-partition batch queues, readiness, buffer memory        |
 * | sender.ts             | Produce requests, retries, ordering, answers                |
 * | idempotence.ts        | producer id, epoch, sequences per partition                 |
 * | transactions.ts       | transaction state machine and coordinator requests          |
 * | txn-offsets.ts        | TxnOffsetCommit for sendOffsetsToTransaction                |
 * | metadata.ts           | topic metadata through the cluster cache                    |
 * | sticky-partitioner.ts | Kafka's default partitioner (murmur2, sticky without key)   |
 * | context.ts            | state the parts share; fatal errors                         |
 */
export { Producer } from './producer.ts';
export type {
  Bytes,
  CompressionName,
  ConsumerGroupMetadata,
  Partitioner,
  ProducerOptions,
  ProducerRecord,
  RecordMetadata,
  TopicPartition,
  TopicPartitionOffset,
} from './types.ts';
