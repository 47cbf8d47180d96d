/**
 * The broker: metadata, partition logs and the network server, wired together.
 * A single node (id 1 by default) leads every partition.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import { brokerConfigDef, resolveTopicConfig, validateConfigValue, validateTopicConfigs } from './configs.ts';
import { GroupCoordinator } from './group/index.ts';
import type { ConnectionInfo } from './handler.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig, PartitionLog } from './log/index.ts';
import { MetadataStore, type TopicMeta } from './metadata/metadata-store.ts';
import type { ProducePolicy } from './produce-policy.ts';
import { type RecordValidator, SchemaValidation } from './schema-validation/index.ts';
import { type AdvertisedEndpoint, isWildcardHost, type ListenerSpec } from './security/listeners.ts';
import { checkSaslMechanisms } from './security/sasl-mechanisms.ts';
import { ScramCredentialStore } from './security/scram.ts';
import { type TlsMaterial, validateTlsMaterial } from './security/tls.ts';
import { BrokerServer, type ServerTestHooks } from './server.ts';
import { TransactionCoordinator } from './txn/index.ts';
import { DataWaiters } from './waiters.ts';

/** How to start a broker. */
export interface BrokerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  advertisedHost?: string;
  nodeId?: number;
  /** Static broker configs by Kafka name (from flags, environment or a config file). */
  configs?: Record<string, string>;
  logger: Logger;
  /** Listeners (security/listeners.ts); default one PLAINTEXT listener on host:port. */
  listeners?: ListenerSpec[];
  /** Addresses clients are told to use, per listener name; default the listener's host (advertisedHost) and bound port. */
  advertisedListeners?: AdvertisedEndpoint[];
  /** Certificate and key (PEM) of SSL and SASL_SSL listeners. */
  tls?: TlsMaterial;
  /** Created or updated at start with SCRAM-SHA-256 and -512 credentials, and made a super user. */
  adminUser?: { name: string; password: string };
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME = 249;

/** Throws INVALID_TOPIC_EXCEPTION unless `name` is a legal Kafka topic name. */
export function validateTopicName(name: string): void {
  const bad = (why: string): never => {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${name}" is illegal, ${why}`);
  };
  if (name.length === 0) bad('it is empty');
  if (name === '.' || name === '..') bad('it cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME) bad(`it cannot be longer than ${MAX_TOPIC_NAME} characters`);
  if (!TOPIC_NAME.test(name)) bad("it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
}

/** A running single-node Kafka broker. */
export class Broker {
  readonly nodeId: number;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly staticConfigs: Record<string, string>;
  readonly waiters = new DataWaiters();
  /** SCRAM credentials (users) in the metadata log. */
  readonly scram: ScramCredentialStore;
  /** The configured listeners, first one first. */
  readonly listeners: readonly ListenerSpec[];
  readonly #advertised: ReadonlyMap<string, AdvertisedEndpoint>;
  readonly #advertisedHostOption: string | undefined;
  /** Schema validation of produced records (schema-validation/): settings, dead letter topics, counters. */
  readonly schemaValidation: SchemaValidation;
  /** Test-only hooks (see ServerTestHooks); empty in production. */
  readonly testHooks: ServerTestHooks = {};
  #groups: GroupCoordinator | null = null;
  #txns: TransactionCoordinator | null = null;
  readonly #logs = new Map<string, PartitionLog[]>();
  readonly #lockPath: string;
  #server: BrokerServer | null = null;
  #maintenance: NodeJS.Timeout | null = null;
  #flusher: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(opts: BrokerOptions, metadata: MetadataStore) {
    this.nodeId = opts.nodeId ?? 1;
    this.dataDir = opts.dataDir;
    this.logger = opts.logger;
    this.metadata = metadata;
    this.staticConfigs = { ...opts.configs };
    this.#advertisedHostOption = opts.advertisedHost;
    this.scram = new ScramCredentialStore(metadata);
    this.schemaValidation = new SchemaValidation(this);
    this.listeners = opts.listeners?.length
      ? opts.listeners
      : [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: opts.host ?? '127.0.0.1', port: opts.port ?? 9092 }];
    this.#advertised = new Map((opts.advertisedListeners ?? []).map((a) => [a.name, a]));
    this.#lockPath = join(opts.dataDir, '.lock');
  }

  /** Opens the data dir (taking its lock), recovers every log and starts listening. */
  static async start(opts: BrokerOptions): Promise<Broker> {
    if (opts.tls) validateTlsMaterial(opts.tls);
    checkSaslMechanisms(opts.configs ?? {});
    // Enumerated broker configs (e.g. authorizer.class.name) must hold a known value, or the broker does not start.
    for (const [name, value] of Object.entries(opts.configs ?? {})) {
      const def = brokerConfigDef(name);
      if (def?.values) validateConfigValue(def, value.trim());
    }
    mkdirSync(opts.dataDir, { recursive: true });
    takeLock(join(opts.dataDir, '.lock'));
    let broker: Broker | undefined;
    try {
      const metadata = MetadataStore.open(join(opts.dataDir, 'meta'));
      broker = new Broker(opts, metadata);
      await broker.#openLogs();
      broker.#txns = await TransactionCoordinator.start(broker);
      broker.#groups = await GroupCoordinator.start(broker);
      if (opts.adminUser) {
        await broker.scram.bootstrapAdmin(opts.adminUser.name, opts.adminUser.password);
        broker.logger.info({ user: opts.adminUser.name }, 'admin user ready (SCRAM-SHA-256/512, super user)');
      }
      broker.#server = new BrokerServer(broker, broker.listeners, opts.tls);
      await broker.#server.listen();
      broker.#startMaintenance();
      return broker;
    } catch (err) {
      if (broker) await broker.close().catch(() => {});
      else rmSync(join(opts.dataDir, '.lock'), { force: true });
      throw err;
    }
  }

  /** The hook that validates records of topics with schema validation (the platform wires the registry's); null when the registry is off. */
  setRecordValidator(validator: RecordValidator | null): void {
    this.schemaValidation.setValidator(validator);
  }

  /** The consumer group coordinator. */
  get groups(): GroupCoordinator {
    if (!this.#groups) throw new Error('the group coordinator is not running');
    return this.#groups;
  }

  /** The transaction coordinator and producer state. */
  get txns(): TransactionCoordinator {
    if (!this.#txns) throw new Error('the transaction coordinator is not running');
    return this.#txns;
  }

  /** Port the Kafka listener is bound to. */
  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** Host clients are told to connect to. */
  get advertisedHost(): string {
    return this.endpointFor((this.listeners[0] as ListenerSpec).name).host;
  }

  /** The open client connections with their listener and principal. */
  connections(): ConnectionInfo[] {
    return this.#server?.connections() ?? [];
  }

  /** The bound port of a listener by name, or undefined when there is no such listener. */
  listenerPort(name: string): number | undefined {
    return this.#server?.portOf(name);
  }

  /**
   * The address clients of a listener are told to use (Metadata,
   * FindCoordinator, DescribeCluster answer with the listener the request came in on).
   */
  endpointFor(listener: string): { host: string; port: number } {
    const spec = this.listeners.find((l) => l.name === listener) ?? (this.listeners[0] as ListenerSpec);
    const port = this.listenerPort(spec.name) ?? 0;
    const adv = this.#advertised.get(spec.name);
    if (adv) return { host: adv.host, port: adv.port || port };
    if (this.#advertisedHostOption) return { host: this.#advertisedHostOption, port };
    return { host: isWildcardHost(spec.host) ? hostname() : spec.host, port };
  }

  /**
   * Whether a principal may do anything (the authorizer asks): listed in
   * `super.users` ("User:a;User:b"), or the admin user made at start.
   */
  isSuperUser(principal: string): boolean {
    return this.scram.isSuperUser(principal, this.brokerConfig('super.users', ''));
  }

  get clusterId(): string {
    return this.metadata.clusterId;
  }

  /** Effective broker config value (dynamic override, static, default). */
  brokerConfig(name: string, fallback: string): string {
    return this.metadata.brokerConfigs[name] ?? this.staticConfigs[name] ?? fallback;
  }

  /** Effective topic config value. */
  topicConfig(topic: TopicMeta, name: string): string {
    const r = resolveTopicConfig(name, topic.configs, this.metadata.brokerConfigs, this.staticConfigs);
    if (!r) throw new Error(`unknown topic config ${name}`);
    return r.value;
  }

  /** The log config of a topic, from its effective configs. */
  logConfigFor(topic: TopicMeta): LogConfig {
    const num = (name: string): number => {
      const v = Number(this.topicConfig(topic, name));
      return Math.min(v, Number.MAX_SAFE_INTEGER);
    };
    return {
      ...DEFAULT_LOG_CONFIG,
      segmentBytes: num('segment.bytes'),
      segmentMs: num('segment.ms'),
      segmentIndexBytes: num('segment.index.bytes'),
      indexIntervalBytes: num('index.interval.bytes'),
      retentionMs: num('retention.ms'),
      retentionBytes: num('retention.bytes'),
      cleanupPolicy: this.topicConfig(topic, 'cleanup.policy')
        .split(',')
        .map((s) => s.trim())
        .filter((s): s is 'delete' | 'compact' => s === 'delete' || s === 'compact'),
      deleteRetentionMs: num('delete.retention.ms'),
      minCompactionLagMs: num('min.compaction.lag.ms'),
      maxCompactionLagMs: num('max.compaction.lag.ms'),
      minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
      fileDeleteDelayMs: num('file.delete.delay.ms'),
      flushMessages: num('flush.messages'),
      flushMs: num('flush.ms'),
      messageTimestampType:
        this.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
      maxMessageBytes: num('max.message.bytes'),
      producerIdExpirationMs: Number(this.brokerConfig('producer.id.expiration.ms', '86400000')),
    };
  }

  /** Topic settings applied to produced batches (compression.type, timestamp window). */
  producePolicy(topic: TopicMeta): ProducePolicy {
    const num = (name: string): number => Math.min(Number(this.topicConfig(topic, name)), Number.MAX_SAFE_INTEGER);
    return {
      compressionType: this.topicConfig(topic, 'compression.type'),
      timestampType:
        this.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
      beforeMaxMs: num('message.timestamp.before.max.ms'),
      afterMaxMs: num('message.timestamp.after.max.ms'),
    };
  }

  #partitionDir(topic: TopicMeta, partition: number): string {
    return join(this.dataDir, 'logs', `${topic.name}-${partition}`);
  }

  async #openLogs(): Promise<void> {
    for (const topic of this.metadata.topicsById.values()) {
      const logs: PartitionLog[] = [];
      for (let p = 0; p < topic.partitions; p++) {
        logs.push(await PartitionLog.open(this.#partitionDir(topic, p), this.logConfigFor(topic)));
      }
      this.#logs.set(topic.name, logs);
    }
  }

  /** The log of a partition, or undefined when the topic or partition does not exist. */
  log(topic: string, partition: number): PartitionLog | undefined {
    return this.#logs.get(topic)?.[partition];
  }

  /** All logs of a topic. */
  logsOf(topic: string): readonly PartitionLog[] {
    return this.#logs.get(topic) ?? [];
  }

  /**
   * Creates a topic. Throws KafkaError with Kafka's codes: TOPIC_ALREADY_EXISTS,
   * INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG.
   */
  async createTopic(
    name: string,
    partitions: number,
    replicationFactor: number,
    configs: Record<string, string>,
    validateOnly = false,
  ): Promise<TopicMeta> {
    validateTopicName(name);
    if (this.metadata.topicsByName.has(name)) {
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    }
    const n = partitions === -1 ? Number(this.brokerConfig('num.partitions', '1')) : partitions;
    if (!Number.isInteger(n) || n < 1) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    const rf =
      replicationFactor === -1 ? Number(this.brokerConfig('default.replication.factor', '1')) : replicationFactor;
    if (rf < 1) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > 1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
    validateTopicConfigs(configs);
    const topic: TopicMeta = {
      name,
      id: randomBytes(16).toString('base64url'),
      partitions: n,
      configs: { ...configs },
    };
    if (validateOnly) return topic;
    const logs: PartitionLog[] = [];
    for (let p = 0; p < n; p++)
      logs.push(await PartitionLog.open(this.#partitionDir(topic, p), this.logConfigFor(topic)));
    this.metadata.apply({ type: 'topic', topic });
    this.#logs.set(name, logs);
    this.logger.info({ topic: name, partitions: n }, 'created topic');
    return this.metadata.topicsByName.get(name) as TopicMeta;
  }

  /** Deletes a topic and its data. */
  async deleteTopic(topic: TopicMeta): Promise<void> {
    this.metadata.apply({ type: 'delete-topic', id: topic.id });
    const logs = this.#logs.get(topic.name) ?? [];
    this.#logs.delete(topic.name);
    this.schemaValidation.forgetTopic(topic.name);
    for (const log of logs) await log.delete();
    this.waiters.wakeAll();
    if (!topic.name.startsWith('__')) {
      await this.#groups
        ?.onTopicDeleted(topic.name)
        .catch((err) => this.logger.warn({ err }, 'could not drop offsets of a deleted topic'));
    }
    this.logger.info({ topic: topic.name }, 'deleted topic');
  }

  /** Grows a topic to `count` partitions. */
  async createPartitions(topic: TopicMeta, count: number, validateOnly = false): Promise<void> {
    if (count <= topic.partitions) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`,
      );
    }
    if (validateOnly) return;
    const logs = this.#logs.get(topic.name) ?? [];
    for (let p = topic.partitions; p < count; p++) {
      logs.push(await PartitionLog.open(this.#partitionDir(topic, p), this.logConfigFor(topic)));
    }
    this.metadata.apply({ type: 'partitions', id: topic.id, partitions: count });
    this.#logs.set(topic.name, logs);
  }

  /** Applies topic config changes (already validated) and updates the logs. */
  alterTopicConfigs(topic: TopicMeta, changes: Record<string, string | null>): void {
    this.metadata.apply({ type: 'topic-config', id: topic.id, configs: changes });
    const config = this.logConfigFor(topic);
    for (const log of this.logsOf(topic.name)) log.updateConfig(config);
  }

  /** Applies dynamic broker config changes and updates every log. */
  alterBrokerConfigs(changes: Record<string, string | null>): void {
    this.metadata.apply({ type: 'broker-config', configs: changes });
    for (const topic of this.metadata.topicsById.values()) {
      const config = this.logConfigFor(topic);
      for (const log of this.logsOf(topic.name)) log.updateConfig(config);
    }
  }

  #startMaintenance(): void {
    let running = false;
    const interval = Math.min(Number(this.brokerConfig('log.retention.check.interval.ms', '300000')), 30_000);
    this.#maintenance = setInterval(() => {
      if (running) return;
      running = true;
      this.runMaintenance(Date.now())
        .catch((err) => this.logger.error({ err }, 'log maintenance failed'))
        .finally(() => {
          running = false;
        });
    }, interval);
    this.#maintenance.unref();
    // flush.ms: logs fsync on their own schedule when configured (never by default)
    this.#flusher = setInterval(() => {
      for (const logs of this.#logs.values()) {
        for (const log of logs) log.flushIfDue().catch((err) => this.logger.error({ err }, 'scheduled flush failed'));
      }
    }, 1000);
    this.#flusher.unref();
  }

  /** One pass of retention and compaction over every partition. */
  async runMaintenance(now: number): Promise<void> {
    for (const logs of [...this.#logs.values()]) {
      for (const log of logs) {
        if (this.#closed) return;
        await log.applyRetention(now);
        await log.compact(now);
      }
    }
  }

  /** Stops accepting, finishes in-flight requests, flushes and closes every log. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#maintenance) clearInterval(this.#maintenance);
    if (this.#flusher) clearInterval(this.#flusher);
    this.waiters.wakeAll();
    await this.#server?.close();
    await this.#groups?.close();
    await this.#txns?.close();
    for (const logs of this.#logs.values()) for (const log of logs) await log.close();
    this.#logs.clear();
    this.metadata.close();
    rmSync(this.#lockPath, { force: true });
  }
}

/** Takes the data dir lock or throws if another live process holds it. */
function takeLock(path: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(`data dir is in use by process ${pid} (lock file ${path})`);
      }
      if (pid === process.pid) throw new Error(`data dir is already open in this process (lock file ${path})`);
      rmSync(path, { force: true }); // stale lock from a dead process
    }
  }
  throw new Error(`could not take the data dir lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
