/**
 * Tributary's Kafka client: the one way every platform service and the CLI
 * talk to the log, against the embedded broker or any Kafka cluster.
 *
 * | file / folder   | what                                                         |
 * |-----------------|--------------------------------------------------------------|
 * | client.ts       | Client: one Cluster and the producers/consumers made from it |
 * | connection.ts   | one broker connection: ApiVersions, SASL, pipelined requests |
 * | cluster.ts      | connections by node, metadata, coordinators, retry/backoff   |
 * | versions.ts     | API keys and the version range the client speaks per key     |
 * | errors.ts       | typed errors carrying Kafka's codes                          |
 * | sasl.ts         | PLAIN and SCRAM-SHA-256/512                                  |
 * | partitioner.ts  | Kafka's murmur2 partitioner                                  |
 * | producer/       | batching, compression, idempotence, transactions             |
 * | consumer/       | fetching, groups (classic + KIP-848), GroupMember, offsets   |
 * | admin/          | topics, configs, groups, offsets, ACLs, SCRAM, quotas        |
 */
export * from './admin/index.ts';
export { Client } from './client.ts';
export {
  type BrokerInfo,
  type ClientOptions,
  Cluster,
  CoordinatorType,
  type Logger,
  type PartitionInfo,
  type RetryOptions,
  type TopicInfo,
} from './cluster.ts';
export { Connection, type ConnectionOptions, type RequestOptions } from './connection.ts';
export * from './consumer/index.ts';
export {
  AuthenticationError,
  ConnectionError,
  ErrorCode,
  isRetriable,
  KafkaError,
  RequestTimeoutError,
} from './errors.ts';
export { murmur2, partitionForKey } from './partitioner.ts';
export * from './producer/index.ts';
export type { SaslMechanismName, SaslOptions } from './sasl.ts';
export { ApiKey, CLIENT_VERSIONS } from './versions.ts';
