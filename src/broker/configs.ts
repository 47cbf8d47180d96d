/**
 * Topic and broker configs with Kafka's names, types and defaults.
 *
 * A topic config's effective value comes from (first match): the topic's
 * override, a dynamic broker override of its broker synonym, the static broker
 * config, then the default — as DescribeConfigs reports through `configSource`.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.ts';

/** Kafka's ConfigType values (DescribeConfigs v3+). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** Kafka's ConfigSource values (DescribeConfigs v1+). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** Kafka's ConfigResource types (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs). */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

type Kind = 'boolean' | 'string' | 'int' | 'long' | 'double' | 'list';

/** One config key. */
export interface ConfigDef {
  name: string;
  kind: Kind;
  default: string;
  /** Broker config that supplies the topic default. */
  brokerSynonym?: string;
  /** Allowed values for strings and list items. */
  values?: readonly string[];
  min?: number;
  max?: number;
  doc: string;
  readOnly?: boolean;
}

const LONG_MAX = '9223372036854775807';
const WEEK_MS = '604800000';

/** Subject name strategies of schema validation: short names and Confluent's class names. */
export const SUBJECT_NAME_STRATEGIES: readonly string[] = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
].flatMap((s) => [s, `io.confluent.kafka.serializers.subject.${s}`]);

/** Topic configs (Kafka's TopicConfig names, plus the schema validation ones of tributary and Confluent Server). */
export const TOPIC_CONFIGS: readonly ConfigDef[] = [
  {
    name: 'cleanup.policy',
    kind: 'list',
    default: 'delete',
    brokerSynonym: 'log.cleanup.policy',
    values: ['delete', 'compact'],
    doc: 'delete old segments, compact by key, or both',
  },
  {
    name: 'compression.type',
    kind: 'string',
    default: 'producer',
    brokerSynonym: 'compression.type',
    values: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    doc: 'final compression of the topic; producer keeps what the producer sent',
  },
  {
    name: 'compression.gzip.level',
    kind: 'int',
    default: '-1',
    brokerSynonym: 'compression.gzip.level',
    min: -1,
    max: 9,
    doc: 'gzip level when compression.type is gzip',
  },
  {
    name: 'compression.lz4.level',
    kind: 'int',
    default: '9',
    brokerSynonym: 'compression.lz4.level',
    min: 1,
    max: 17,
    doc: 'lz4 level when compression.type is lz4',
  },
  {
    name: 'compression.zstd.level',
    kind: 'int',
    default: '3',
    brokerSynonym: 'compression.zstd.level',
    min: -131072,
    max: 22,
    doc: 'zstd level when compression.type is zstd',
  },
  // Confluent Server's names for broker-side schema validation (synonyms of the tributary.* ones below)
  {
    name: 'confluent.key.schema.validation',
    kind: 'boolean',
    default: 'false',
    doc: 'validate record keys against the schema registry (same as tributary.key.schema.validation)',
  },
  {
    name: 'confluent.key.subject.name.strategy',
    kind: 'string',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    values: SUBJECT_NAME_STRATEGIES,
    doc: 'subject of record keys for schema validation (same as tributary.key.subject.name.strategy)',
  },
  {
    name: 'confluent.value.schema.validation',
    kind: 'boolean',
    default: 'false',
    doc: 'validate record values against the schema registry (same as tributary.value.schema.validation)',
  },
  {
    name: 'confluent.value.subject.name.strategy',
    kind: 'string',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    values: SUBJECT_NAME_STRATEGIES,
    doc: 'subject of record values for schema validation (same as tributary.value.subject.name.strategy)',
  },
  {
    name: 'delete.retention.ms',
    kind: 'long',
    default: '86400000',
    brokerSynonym: 'log.cleaner.delete.retention.ms',
    min: 0,
    doc: 'how long tombstones are kept in compacted topics',
  },
  {
    name: 'file.delete.delay.ms',
    kind: 'long',
    default: '60000',
    brokerSynonym: 'log.segment.delete.delay.ms',
    min: 0,
    doc: 'wait before deleting a file from the file system',
  },
  {
    name: 'flush.messages',
    kind: 'long',
    default: LONG_MAX,
    brokerSynonym: 'log.flush.interval.messages',
    min: 1,
    doc: 'fsync after this many messages',
  },
  {
    name: 'flush.ms',
    kind: 'long',
    default: LONG_MAX,
    brokerSynonym: 'log.flush.interval.ms',
    min: 0,
    doc: 'fsync after this much time',
  },
  {
    name: 'follower.replication.throttled.replicas',
    kind: 'list',
    default: '',
    brokerSynonym: 'follower.replication.throttled.replicas',
    doc: 'replicas throttled on the follower side',
  },
  {
    name: 'index.interval.bytes',
    kind: 'int',
    default: '4096',
    brokerSynonym: 'log.index.interval.bytes',
    min: 0,
    doc: 'bytes between offset index entries',
  },
  {
    name: 'leader.replication.throttled.replicas',
    kind: 'list',
    default: '',
    brokerSynonym: 'leader.replication.throttled.replicas',
    doc: 'replicas throttled on the leader side',
  },
  {
    name: 'local.retention.bytes',
    kind: 'long',
    default: '-2',
    brokerSynonym: 'log.local.retention.bytes',
    min: -2,
    doc: 'local bytes kept with tiered storage (-2: retention.bytes)',
  },
  {
    name: 'local.retention.ms',
    kind: 'long',
    default: '-2',
    brokerSynonym: 'log.local.retention.ms',
    min: -2,
    doc: 'local time kept with tiered storage (-2: retention.ms)',
  },
  {
    name: 'max.compaction.lag.ms',
    kind: 'long',
    default: LONG_MAX,
    brokerSynonym: 'log.cleaner.max.compaction.lag.ms',
    min: 1,
    doc: 'longest a record stays uncompacted',
  },
  {
    name: 'max.message.bytes',
    kind: 'int',
    default: '1048588',
    brokerSynonym: 'message.max.bytes',
    min: 0,
    doc: 'largest record batch the topic accepts',
  },
  {
    name: 'message.timestamp.after.max.ms',
    kind: 'long',
    default: LONG_MAX,
    brokerSynonym: 'log.message.timestamp.after.max.ms',
    min: 0,
    doc: 'how far in the future a CreateTime timestamp may be',
  },
  {
    name: 'message.timestamp.before.max.ms',
    kind: 'long',
    default: LONG_MAX,
    brokerSynonym: 'log.message.timestamp.before.max.ms',
    min: 0,
    doc: 'how far in the past a CreateTime timestamp may be',
  },
  {
    name: 'message.timestamp.type',
    kind: 'string',
    default: 'CreateTime',
    brokerSynonym: 'log.message.timestamp.type',
    values: ['CreateTime', 'LogAppendTime'],
    doc: 'producer time or broker append time',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    kind: 'double',
    default: '0.5',
    brokerSynonym: 'log.cleaner.min.cleanable.ratio',
    min: 0,
    max: 1,
    doc: 'dirty share of the log that triggers compaction',
  },
  {
    name: 'min.compaction.lag.ms',
    kind: 'long',
    default: '0',
    brokerSynonym: 'log.cleaner.min.compaction.lag.ms',
    min: 0,
    doc: 'shortest a record stays uncompacted',
  },
  {
    name: 'min.insync.replicas',
    kind: 'int',
    default: '1',
    brokerSynonym: 'min.insync.replicas',
    min: 1,
    doc: 'replicas that must acknowledge acks=all writes',
  },
  {
    name: 'preallocate',
    kind: 'boolean',
    default: 'false',
    brokerSynonym: 'log.preallocate',
    doc: 'preallocate segment files',
  },
  { name: 'remote.storage.enable', kind: 'boolean', default: 'false', doc: 'tiered storage for the topic' },
  {
    name: 'retention.bytes',
    kind: 'long',
    default: '-1',
    brokerSynonym: 'log.retention.bytes',
    doc: 'largest size of a partition before old segments are deleted (-1: no limit)',
  },
  {
    name: 'retention.ms',
    kind: 'long',
    default: WEEK_MS,
    brokerSynonym: 'log.retention.ms',
    min: -1,
    doc: 'longest time a segment is kept (-1: no limit)',
  },
  {
    name: 'segment.bytes',
    kind: 'int',
    default: '1073741824',
    brokerSynonym: 'log.segment.bytes',
    min: 14,
    doc: 'segment file size',
  },
  {
    name: 'segment.index.bytes',
    kind: 'int',
    default: '10485760',
    brokerSynonym: 'log.index.size.max.bytes',
    min: 4,
    doc: 'offset index file size',
  },
  {
    name: 'segment.jitter.ms',
    kind: 'long',
    default: '0',
    brokerSynonym: 'log.roll.jitter.ms',
    min: 0,
    doc: 'random jitter subtracted from segment.ms',
  },
  {
    name: 'segment.ms',
    kind: 'long',
    default: WEEK_MS,
    brokerSynonym: 'log.roll.ms',
    min: 1,
    doc: 'time after which a segment is rolled',
  },
  {
    name: 'unclean.leader.election.enable',
    kind: 'boolean',
    default: 'false',
    brokerSynonym: 'unclean.leader.election.enable',
    doc: 'allow out-of-sync replicas to lead',
  },
  // broker-side schema validation (src/broker/schema-validation); needs the schema registry
  {
    name: 'tributary.key.schema.validation',
    kind: 'boolean',
    default: 'false',
    doc: 'reject produced records whose key is not framed with a schema id registered under the key subject',
  },
  {
    name: 'tributary.key.subject.name.strategy',
    kind: 'string',
    default: 'TopicNameStrategy',
    values: SUBJECT_NAME_STRATEGIES,
    doc: 'subject of record keys: TopicNameStrategy (<topic>-key), RecordNameStrategy, TopicRecordNameStrategy',
  },
  {
    name: 'tributary.value.schema.validation',
    kind: 'boolean',
    default: 'false',
    doc: 'reject produced records whose value is not framed with a schema id registered under the value subject',
  },
  {
    name: 'tributary.value.subject.name.strategy',
    kind: 'string',
    default: 'TopicNameStrategy',
    values: SUBJECT_NAME_STRATEGIES,
    doc: 'subject of record values: TopicNameStrategy (<topic>-value), RecordNameStrategy, TopicRecordNameStrategy',
  },
];

/** Broker configs served by DescribeConfigs for the broker resource. */
export const BROKER_CONFIGS: readonly ConfigDef[] = [
  {
    name: 'auto.create.topics.enable',
    kind: 'boolean',
    default: 'true',
    doc: 'create topics on first metadata request',
  },
  { name: 'num.partitions', kind: 'int', default: '1', min: 1, doc: 'partitions of auto-created topics' },
  {
    name: 'default.replication.factor',
    kind: 'int',
    default: '1',
    min: 1,
    doc: 'replication factor of auto-created topics',
  },
  { name: 'delete.topic.enable', kind: 'boolean', default: 'true', doc: 'allow DeleteTopics' },
  {
    name: 'socket.request.max.bytes',
    kind: 'int',
    default: '104857600',
    min: 1,
    doc: 'largest request frame',
    readOnly: true,
  },
  { name: 'log.dirs', kind: 'string', default: 'data/logs', doc: 'where partition logs live', readOnly: true },
  { name: 'node.id', kind: 'int', default: '1', doc: 'this broker id', readOnly: true },
  { name: 'broker.id', kind: 'int', default: '1', doc: 'this broker id', readOnly: true },
  { name: 'log.retention.check.interval.ms', kind: 'long', default: '300000', min: 1, doc: 'how often retention runs' },
  { name: 'log.cleaner.backoff.ms', kind: 'long', default: '15000', min: 0, doc: 'pause between compaction passes' },
  { name: 'log.retention.hours', kind: 'int', default: '168', doc: 'retention in hours (log.retention.ms wins)' },
  // consumer groups (static in Kafka, so read-only here too)
  {
    name: 'group.initial.rebalance.delay.ms',
    kind: 'int',
    default: '3000',
    min: 0,
    doc: 'wait for more members before the first rebalance of an empty group',
    readOnly: true,
  },
  {
    name: 'group.min.session.timeout.ms',
    kind: 'int',
    default: '6000',
    doc: 'smallest session timeout a classic member may ask for',
    readOnly: true,
  },
  {
    name: 'group.max.session.timeout.ms',
    kind: 'int',
    default: '1800000',
    doc: 'largest session timeout a classic member may ask for',
    readOnly: true,
  },
  {
    name: 'group.max.size',
    kind: 'int',
    default: '2147483647',
    min: 1,
    doc: 'most members in a classic group',
    readOnly: true,
  },
  {
    name: 'group.consumer.assignors',
    kind: 'list',
    default: 'uniform,range',
    doc: 'server-side assignors of consumer groups (KIP-848)',
    readOnly: true,
  },
  {
    name: 'group.consumer.heartbeat.interval.ms',
    kind: 'int',
    default: '5000',
    min: 1,
    doc: 'heartbeat interval of consumer group members',
    readOnly: true,
  },
  {
    name: 'group.consumer.session.timeout.ms',
    kind: 'int',
    default: '45000',
    min: 1,
    doc: 'session timeout of consumer group members',
    readOnly: true,
  },
  {
    name: 'group.consumer.max.size',
    kind: 'int',
    default: '2147483647',
    min: 1,
    doc: 'most members in a consumer group',
    readOnly: true,
  },
  {
    name: 'offsets.topic.num.partitions',
    kind: 'int',
    default: '50',
    min: 1,
    doc: 'partitions of __consumer_offsets',
    readOnly: true,
  },
  {
    name: 'offsets.topic.segment.bytes',
    kind: 'int',
    default: '104857600',
    min: 1,
    doc: 'segment size of __consumer_offsets',
    readOnly: true,
  },
  {
    name: 'offsets.retention.minutes',
    kind: 'int',
    default: '10080',
    min: 1,
    doc: 'how long offsets of empty groups are kept',
    readOnly: true,
  },
  {
    name: 'offsets.retention.check.interval.ms',
    kind: 'long',
    default: '600000',
    min: 1,
    doc: 'how often expired offsets are removed',
    readOnly: true,
  },
  {
    name: 'offset.metadata.max.bytes',
    kind: 'int',
    default: '4096',
    doc: 'largest metadata string of a committed offset',
    readOnly: true,
  },
  // transactions and idempotence
  {
    name: 'transaction.state.log.num.partitions',
    kind: 'int',
    default: '50',
    min: 1,
    doc: 'partitions of __transaction_state',
    readOnly: true,
  },
  {
    name: 'transaction.state.log.segment.bytes',
    kind: 'int',
    default: '104857600',
    min: 1,
    doc: 'segment size of __transaction_state',
    readOnly: true,
  },
  {
    name: 'transaction.max.timeout.ms',
    kind: 'int',
    default: '900000',
    min: 1,
    doc: 'largest transaction timeout a producer may ask for',
    readOnly: true,
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    kind: 'int',
    default: '10000',
    min: 1,
    doc: 'how often timed-out transactions are aborted',
    readOnly: true,
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    kind: 'int',
    default: '3600000',
    min: 1,
    doc: 'how often expired transactional ids are removed',
    readOnly: true,
  },
  {
    name: 'transactional.id.expiration.ms',
    kind: 'int',
    default: '604800000',
    min: 1,
    doc: 'idle time after which a transactional id is forgotten',
    readOnly: true,
  },
  {
    name: 'transaction.partition.verification.enable',
    kind: 'boolean',
    default: 'true',
    doc: 'verify that transactional produces target partitions added to the transaction',
  },
  {
    name: 'producer.id.expiration.ms',
    kind: 'int',
    default: '86400000',
    min: 1,
    doc: 'idle time after which a producer id is forgotten by a partition',
  },
  {
    name: 'quota.window.num',
    kind: 'int',
    default: '11',
    min: 1,
    doc: 'samples kept to measure client quota rates',
    readOnly: true,
  },
  {
    name: 'quota.window.size.seconds',
    kind: 'int',
    default: '1',
    min: 1,
    doc: 'time span of each client quota sample',
    readOnly: true,
  },
  {
    name: 'authorizer.class.name',
    kind: 'string',
    default: '',
    // Kafka refuses to start with a class it cannot load; these are the ones this broker implements.
    values: [
      '',
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'kafka.security.authorizer.AclAuthorizer',
      'kafka.security.auth.SimpleAclAuthorizer',
      'tributary',
    ],
    doc: 'the authorizer that checks ACLs (empty: none)',
    readOnly: true,
  },
  // listeners, SASL and users (src/broker/security)
  {
    name: 'super.users',
    kind: 'string',
    default: '',
    doc: 'principals allowed everything, semicolon-separated (User:alice;User:bob)',
    readOnly: true,
  },
  {
    name: 'sasl.enabled.mechanisms',
    kind: 'list',
    default: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    values: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    doc: 'SASL mechanisms offered on SASL listeners',
    readOnly: true,
  },
  {
    name: 'connections.max.reauth.ms',
    kind: 'long',
    default: '0',
    min: 0,
    doc: 'SASL session lifetime; clients re-authenticate before it ends, else the connection closes (0: never)',
    readOnly: true,
  },
  {
    name: 'sasl.server.max.receive.size',
    kind: 'int',
    default: '524288',
    min: 1,
    doc: 'largest frame accepted before SASL authentication',
    readOnly: true,
  },
  // broker synonyms of every topic config, with the topic default
  ...TOPIC_CONFIGS.filter((d) => d.brokerSynonym).map((d) => ({
    ...d,
    name: d.brokerSynonym as string,
    brokerSynonym: undefined,
  })),
];

const TOPIC_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));
const BROKER_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));

/** The definition of a topic config, if Kafka has it. */
export function topicConfigDef(name: string): ConfigDef | undefined {
  return TOPIC_BY_NAME.get(name);
}

/** The definition of a broker config, if the broker serves it. */
export function brokerConfigDef(name: string): ConfigDef | undefined {
  return BROKER_BY_NAME.get(name);
}

/** Kafka ConfigType for a definition. */
export function configTypeOf(d: ConfigDef): number {
  return { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 }[d.kind];
}

/** Checks one value against its definition; throws INVALID_CONFIG with a message saying what to fix. */
export function validateConfigValue(d: ConfigDef, value: string): void {
  const bad = (why: string): never => {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${d.name}: ${why}`);
  };
  switch (d.kind) {
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) bad('Expected value to be either true or false');
      break;
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value.trim())) bad(`Not a number of type ${d.kind.toUpperCase()}`);
      const n = BigInt(value.trim());
      const limit = d.kind === 'int' ? 2n ** 31n : 2n ** 63n;
      if (n < -limit || n >= limit) bad(`Not a number of type ${d.kind.toUpperCase()}`);
      if (d.min !== undefined && n < BigInt(d.min)) bad(`Value must be at least ${d.min}`);
      if (d.max !== undefined && n > BigInt(d.max)) bad(`Value must be no more than ${d.max}`);
      break;
    }
    case 'double': {
      const n = Number(value);
      if (value.trim() === '' || Number.isNaN(n)) bad('Not a number of type DOUBLE');
      if (d.min !== undefined && n < d.min) bad(`Value must be at least ${d.min}`);
      if (d.max !== undefined && n > d.max) bad(`Value must be no more than ${d.max}`);
      break;
    }
    case 'string':
      if (d.values && !d.values.includes(value)) bad(`String must be one of: ${d.values.join(', ')}`);
      break;
    case 'list':
      if (d.values) {
        for (const item of value.split(',').map((s) => s.trim())) {
          if (item !== '' && !d.values.includes(item)) bad(`String must be one of: ${d.values.join(', ')}`);
        }
      }
      break;
  }
}

/** Validates topic config overrides (CreateTopics, AlterConfigs). */
export function validateTopicConfigs(configs: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(configs)) {
    const d = TOPIC_BY_NAME.get(name);
    if (!d) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    if (value !== null) validateConfigValue(d, value);
  }
}

/** An effective config value with where it came from. */
export interface ResolvedConfig {
  def: ConfigDef;
  value: string;
  source: number;
}

/**
 * Effective topic config: topic override, then dynamic broker override of the
 * synonym, then static broker config, then Kafka's default.
 */
export function resolveTopicConfig(
  name: string,
  topic: Record<string, string>,
  dynamicBroker: Record<string, string>,
  staticBroker: Record<string, string>,
): ResolvedConfig | undefined {
  const def = TOPIC_BY_NAME.get(name);
  if (!def) return undefined;
  if (topic[name] !== undefined) return { def, value: topic[name], source: ConfigSource.TOPIC_CONFIG };
  const syn = def.brokerSynonym;
  if (syn && dynamicBroker[syn] !== undefined) {
    return { def, value: dynamicBroker[syn], source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
  }
  if (syn && staticBroker[syn] !== undefined) {
    return { def, value: staticBroker[syn], source: ConfigSource.STATIC_BROKER_CONFIG };
  }
  return { def, value: def.default, source: ConfigSource.DEFAULT_CONFIG };
}
