/**
 * The client's view of a Kafka cluster, shared by producers, consumers and
 * admins made from one Client:
 *
 * - connections: one per broker id (plus bootstrap connections until the
 *   first metadata answer), opened lazily, replaced when they fail;
 * - metadata: brokers, topics with ids and partition leaders, refreshed on
 *   demand (`refreshMetadata`) and whenever a caller reports a stale
 *   leader; a refresh for the same topics already in flight is shared;
 * - coordinators (group and transaction) found with FindCoordinator and
 *   cached until a caller reports NOT_COORDINATOR;
 * - `retry`: runs an operation again after retriable errors with
 *   exponential backoff and jitter, up to `retries` times.
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Connection, type ConnectionOptions } from './connection.ts';
import { ConnectionError, ErrorCode, KafkaError, shouldRetry, throwIfError } from './errors.ts';
import type { SaslOptions } from './sasl.ts';
import { ApiKey } from './versions.ts';

export interface Logger {
  debug?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
}

export interface RetryOptions {
  /** Attempts after the first; default 5. */
  retries?: number;
  /** First backoff in ms; default 100. Each retry doubles it, up to maxBackoffMs, ±20% jitter. */
  initialBackoffMs?: number;
  /** Default 1000. */
  maxBackoffMs?: number;
}

export interface ClientOptions {
  /** Bootstrap brokers, `host:port` strings or one comma-separated string. */
  bootstrapServers: string | string[];
  clientId?: string;
  tls?: boolean | TlsOptions;
  sasl?: SaslOptions;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** Metadata older than this is refreshed before use; default 300000 (metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
  logger?: Logger;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

function parseBootstrap(servers: string | string[]): Array<{ host: string; port: number }> {
  const list = (Array.isArray(servers) ? servers : [servers]).flatMap((s) => s.split(','));
  const out = list
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
      if (!m) throw new TypeError(`bootstrap server "${s}" is not host:port`);
      return { host: m[1] as string, port: Number(m[2]) };
    });
  if (out.length === 0) throw new TypeError('bootstrapServers is empty; give at least one host:port');
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Cluster {
  readonly options: ClientOptions;
  readonly logger: Logger;
  readonly #bootstrap: Array<{ host: string; port: number }>;
  readonly #conns = new Map<string, Promise<Connection>>();
  #brokers = new Map<number, BrokerInfo>();
  #topics = new Map<string, TopicInfo>();
  readonly #topicErrors = new Map<string, number>();
  #clusterId: string | null = null;
  #controllerId = -1;
  #metadataAt = 0;
  #refreshing: Promise<void> | null = null;
  readonly #coordinators = new Map<string, Promise<BrokerInfo>>();
  #closed = false;

  constructor(options: ClientOptions) {
    this.options = options;
    this.logger = options.logger ?? {};
    this.#bootstrap = parseBootstrap(options.bootstrapServers);
  }

  get clusterId(): string | null {
    return this.#clusterId;
  }

  get controllerId(): number {
    return this.#controllerId;
  }

  get brokers(): BrokerInfo[] {
    return [...this.#brokers.values()];
  }

  /** Topic metadata from the cache (no request). */
  topic(name: string): TopicInfo | undefined {
    return this.#topics.get(name);
  }

  topics(): TopicInfo[] {
    return [...this.#topics.values()];
  }

  #connOptions(host: string, port: number): ConnectionOptions {
    const o = this.options;
    return {
      host,
      port,
      ...(o.clientId !== undefined && { clientId: o.clientId }),
      ...(o.tls !== undefined && { tls: o.tls }),
      ...(o.sasl !== undefined && { sasl: o.sasl }),
      ...(o.connectTimeoutMs !== undefined && { connectTimeoutMs: o.connectTimeoutMs }),
      ...(o.requestTimeoutMs !== undefined && { requestTimeoutMs: o.requestTimeoutMs }),
    };
  }

  /** A connection to host:port, shared by every caller; reopened after it fails. */
  #connectTo(host: string, port: number, key: string): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError(`${host}:${port}`, 'the client is closed'));
    const existing = this.#conns.get(key);
    if (existing) return existing;
    const p = Connection.open(this.#connOptions(host, port));
    this.#conns.set(key, p);
    p.then(
      (c) => c.onClose(() => this.#conns.get(key) === p && this.#conns.delete(key)),
      () => this.#conns.get(key) === p && this.#conns.delete(key),
    );
    return p;
  }

  /** The connection to a broker by node id (metadata must know the broker). */
  async connection(nodeId: number): Promise<Connection> {
    let b = this.#brokers.get(nodeId);
    if (!b) {
      await this.refreshMetadata();
      b = this.#brokers.get(nodeId);
    }
    if (!b) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`);
    return this.#connectTo(b.host, b.port, `node-${nodeId}`);
  }

  /** A connection to any reachable broker: known brokers first, then the bootstrap list. */
  async anyConnection(): Promise<Connection> {
    const candidates = [
      ...[...this.#brokers.values()].map((b) => ({ host: b.host, port: b.port, key: `node-${b.nodeId}` })),
      ...this.#bootstrap.map((b) => ({ ...b, key: `bootstrap-${b.host}:${b.port}` })),
    ];
    let last: unknown;
    for (const c of candidates) {
      try {
        return await this.#connectTo(c.host, c.port, c.key);
      } catch (err) {
        last = err;
      }
    }
    const list = this.#bootstrap.map((b) => `${b.host}:${b.port}`).join(', ');
    throw new ConnectionError(list, `no broker reachable (${(last as Error)?.message ?? 'no candidates'})`, {
      cause: last,
    });
  }

  /** The controller (for admin requests that must go there). */
  async controller(): Promise<Connection> {
    if (this.#controllerId < 0) await this.refreshMetadata();
    return this.#controllerId >= 0 ? this.connection(this.#controllerId) : this.anyConnection();
  }

  /**
   * Fetches metadata. `topics` null or absent asks for every topic; a list
   * asks for those (merged into the cache). Concurrent calls share one request.
   */
  async refreshMetadata(topics?: string[] | null, allowAutoTopicCreation = false): Promise<void> {
    if (this.#refreshing && !topics) return this.#refreshing;
    const run = (async () => {
      const conn = await this.anyConnection();
      const res = await conn.request(ApiKey.Metadata, {
        topics: topics ? topics.map((name) => ({ name })) : null,
        allowAutoTopicCreation,
      });
      this.#brokers = new Map(res.brokers.map((b) => [b.nodeId, { ...b }]));
      this.#clusterId = res.clusterId;
      this.#controllerId = res.controllerId;
      if (!topics) this.#topics.clear();
      for (const t of res.topics) {
        if (!t.name) continue;
        if (t.errorCode !== ErrorCode.NONE) {
          this.#topics.delete(t.name);
          this.#topicErrors.set(t.name, t.errorCode);
          continue;
        }
        this.#topicErrors.delete(t.name);
        this.#topics.set(t.name, {
          name: t.name,
          topicId: t.topicId,
          isInternal: t.isInternal,
          partitions: t.partitions
            .map((p) => ({
              partition: p.partitionIndex,
              leader: p.leaderId,
              leaderEpoch: p.leaderEpoch,
              replicas: p.replicaNodes,
              isr: p.isrNodes,
              errorCode: p.errorCode,
            }))
            .sort((a, b) => a.partition - b.partition),
        });
      }
      this.#metadataAt = Date.now();
      return res;
    })();
    if (!topics) {
      const shared = run.then(() => undefined);
      this.#refreshing = shared;
      // Callers await `run` (or `shared` when they join); this handler only clears the slot.
      shared.then(
        () => {
          this.#refreshing = null;
        },
        () => {
          this.#refreshing = null;
        },
      );
    }
    const res = await run;
    if (topics) {
      for (const t of res.topics) {
        if (t.name && t.errorCode !== ErrorCode.NONE && !shouldRetryCode(t.errorCode)) {
          throwIfError(t.errorCode, `topic ${t.name}`);
        }
      }
    }
  }

  /**
   * Metadata for topics, from the cache when fresh; refreshed (retrying while
   * leaders are being elected) otherwise. Throws UNKNOWN_TOPIC_OR_PARTITION
   * for a topic that does not exist.
   */
  async topicMetadata(names: string[], allowAutoTopicCreation = false): Promise<TopicInfo[]> {
    const maxAge = this.options.metadataMaxAgeMs ?? 300_000;
    const fresh = Date.now() - this.#metadataAt < maxAge;
    const missing = names.filter((n) => !this.#topics.has(n));
    if (!fresh || missing.length > 0) {
      await this.retry(async () => {
        await this.refreshMetadata(fresh ? missing : names, allowAutoTopicCreation);
        for (const n of names) {
          if (this.#topics.has(n)) continue;
          const code = this.#topicErrors.get(n) ?? ErrorCode.LEADER_NOT_AVAILABLE;
          throw new KafkaError(
            code,
            code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
              ? `topic ${n} does not exist`
              : `topic ${n} has no leader yet`,
          );
        }
      });
    }
    return names.map((n) => this.#topics.get(n) as TopicInfo);
  }

  /** Drops a topic's cached metadata so the next use refreshes it (after NOT_LEADER and the like). */
  invalidateTopic(name: string): void {
    this.#topics.delete(name);
  }

  /** The coordinator broker for a group (type 0) or transactional id (type 1). */
  coordinator(type: number, key: string): Promise<BrokerInfo> {
    const cacheKey = `${type}:${key}`;
    const cached = this.#coordinators.get(cacheKey);
    if (cached) return cached;
    const p = this.retry(async () => {
      const conn = await this.anyConnection();
      const res = await conn.request(ApiKey.FindCoordinator, (v) =>
        v >= 4 ? { keyType: type, coordinatorKeys: [key] } : { key, keyType: type },
      );
      const c = res.coordinators[0] ?? {
        key,
        nodeId: res.nodeId,
        host: res.host,
        port: res.port,
        errorCode: res.errorCode,
        errorMessage: res.errorMessage,
      };
      throwIfError(c.errorCode, `coordinator for ${type === 1 ? 'transactional id' : 'group'} ${key}`, c.errorMessage);
      return { nodeId: c.nodeId, host: c.host, port: c.port, rack: null };
    });
    this.#coordinators.set(cacheKey, p);
    p.catch(() => this.#coordinators.get(cacheKey) === p && this.#coordinators.delete(cacheKey));
    return p;
  }

  /** A connection to the coordinator of a group or transactional id. */
  async coordinatorConnection(type: number, key: string): Promise<Connection> {
    const b = await this.coordinator(type, key);
    return this.#connectTo(b.host, b.port, `node-${b.nodeId}`);
  }

  /** Forgets a coordinator after NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE. */
  invalidateCoordinator(type: number, key: string): void {
    this.#coordinators.delete(`${type}:${key}`);
  }

  /**
   * Runs `fn` and runs it again after retriable errors (KafkaError with a
   * retriable code, lost connections, timeouts), with backoff. `onRetry`
   * runs before each new attempt, e.g. to refresh metadata.
   */
  async retry<T>(fn: (attempt: number) => Promise<T>, onRetry?: (err: KafkaError) => unknown): Promise<T> {
    const r = this.options.retry ?? {};
    const retries = r.retries ?? 5;
    const initial = r.initialBackoffMs ?? 100;
    const max = r.maxBackoffMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (this.#closed || attempt >= retries || !shouldRetry(err)) throw err;
        const backoff = Math.min(max, initial * 2 ** attempt) * (0.8 + Math.random() * 0.4);
        this.logger.debug?.({ err, attempt, backoff }, 'retrying after a retriable error');
        await sleep(backoff);
        await onRetry?.(err as KafkaError);
      }
    }
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const conns = [...this.#conns.values()];
    this.#conns.clear();
    for (const p of conns) {
      try {
        (await p).close();
      } catch {
        // a connection that never opened has nothing to close
      }
    }
  }
}

function shouldRetryCode(code: number): boolean {
  return new KafkaError(code).retriable;
}
