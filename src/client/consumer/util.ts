/**
 * Small helpers shared by the consumer's files: partition keys, a wake-up
 * signal for async loops, and a connection pool private to one consumer.
 */
import type { BrokerInfo, Cluster } from '../cluster.ts';
import { Connection } from '../connection.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import type { TopicPartition } from './types.ts';

/** A map key for a topic partition. */
export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sorts by topic, then partition (a copy). */
export function sortTps<T extends TopicPartition>(tps: readonly T[]): T[] {
  return [...tps].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/** Groups partitions by topic: topic → sorted partition numbers. */
export function byTopic(tps: readonly TopicPartition[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const tp of sortTps(tps)) {
    const list = m.get(tp.topic);
    if (list) list.push(tp.partition);
    else m.set(tp.topic, [tp.partition]);
  }
  return m;
}

/** `a` minus `b`. */
export function minus(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const drop = new Set(b.map((tp) => tpKey(tp.topic, tp.partition)));
  return a.filter((tp) => !drop.has(tpKey(tp.topic, tp.partition)));
}

/** "topic-0, topic-1" for messages. */
export const tpNames = (tps: readonly TopicPartition[]): string =>
  tps.map((tp) => `${tp.topic}-${tp.partition}`).join(', ');

/**
 * Wakes async loops: `wait()` resolves at the next `notify()` (or after the
 * timeout); notifications while nobody waits are not kept.
 */
export class Signal {
  #waiters: Array<() => void> = [];

  wait(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(
          () => {
            const i = this.#waiters.indexOf(done);
            if (i >= 0) this.#waiters.splice(i, 1);
            resolve();
          },
          Math.max(0, timeoutMs),
        );
      }
    });
  }

  notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/**
 * Connections owned by one consumer or group member, apart from the
 * cluster's shared ones: the broker serves one request per connection at a
 * time, so a Fetch long poll or a parked JoinGroup must not hold up other
 * clients' requests (nor a heartbeat wait behind someone's long poll).
 */
export class OwnConnections {
  readonly #cluster: Cluster;
  readonly #conns = new Map<string, Promise<Connection>>();
  #closed = false;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** A connection to a broker by node id (from the cluster's metadata). */
  async toNode(nodeId: number): Promise<Connection> {
    let b = this.#cluster.brokers.find((x) => x.nodeId === nodeId);
    if (!b) {
      await this.#cluster.refreshMetadata();
      b = this.#cluster.brokers.find((x) => x.nodeId === nodeId);
    }
    if (!b) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`);
    return this.toBroker(b);
  }

  /** A connection to a broker, opened on first use and reopened after it closed. */
  toBroker(b: BrokerInfo): Promise<Connection> {
    if (this.#closed) return Promise.reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'the consumer is closed'));
    const key = `${b.nodeId}@${b.host}:${b.port}`;
    const existing = this.#conns.get(key);
    if (existing) return existing;
    const o = this.#cluster.options;
    const p = Connection.open({
      host: b.host,
      port: b.port,
      ...(o.clientId !== undefined && { clientId: o.clientId }),
      ...(o.tls !== undefined && { tls: o.tls }),
      ...(o.sasl !== undefined && { sasl: o.sasl }),
      ...(o.connectTimeoutMs !== undefined && { connectTimeoutMs: o.connectTimeoutMs }),
      ...(o.requestTimeoutMs !== undefined && { requestTimeoutMs: o.requestTimeoutMs }),
    });
    this.#conns.set(key, p);
    const forget = (): void => {
      if (this.#conns.get(key) === p) this.#conns.delete(key);
    };
    p.then((c) => c.onClose(forget), forget);
    return p;
  }

  /** Closes every connection (failing what is in flight on them). */
  closeAll(): void {
    const all = [...this.#conns.values()];
    this.#conns.clear();
    for (const p of all) p.then((c) => c.close()).catch(() => {});
  }

  close(): void {
    this.#closed = true;
    this.closeAll();
  }
}

/** The request timeout the cluster was configured with. */
export const requestTimeout = (cluster: Cluster): number => cluster.options.requestTimeoutMs ?? 30_000;
