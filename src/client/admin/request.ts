/**
 * Plumbing shared by the admin operations: where a request goes (the
 * controller, a partition leader, a group or transaction coordinator), a
 * clear UNSUPPORTED_VERSION when the broker lacks an API, and retries of the
 * items of a batch that failed with a retriable error.
 */
import type { Cluster } from '../cluster.ts';
import type { ApiKeyNumber, Connection } from '../connection.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { CLIENT_VERSIONS } from '../versions.ts';

/** Kafka's name for an API key, for messages. */
const API_NAMES: Record<number, string> = {
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  15: 'DescribeGroups',
  16: 'ListGroups',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  21: 'DeleteRecords',
  29: 'DescribeAcls',
  30: 'CreateAcls',
  31: 'DeleteAcls',
  32: 'DescribeConfigs',
  37: 'CreatePartitions',
  42: 'DeleteGroups',
  44: 'IncrementalAlterConfigs',
  47: 'OffsetDelete',
  48: 'DescribeClientQuotas',
  49: 'AlterClientQuotas',
  50: 'DescribeUserScramCredentials',
  51: 'AlterUserScramCredentials',
  60: 'DescribeCluster',
  61: 'DescribeProducers',
  65: 'DescribeTransactions',
  66: 'ListTransactions',
  69: 'ConsumerGroupDescribe',
};

/** Kafka's name for an API key ("API 99" for one this table lacks). */
export function apiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? `API ${apiKey}`;
}

/** Whether the broker on `conn` serves `apiKey` at a version this client speaks (at least `minVersion`). */
export function supports(conn: Connection, apiKey: number, minVersion = 0): boolean {
  return conn.pickVersion(apiKey, { minVersion }) >= 0;
}

/**
 * Throws UNSUPPORTED_VERSION saying the broker does not support the API
 * (or the feature that needs `minVersion`), instead of the connection's
 * generic version-mismatch message.
 */
export function requireApi(conn: Connection, apiKey: number, minVersion = 0, feature?: string): void {
  if (supports(conn, apiKey, minVersion)) return;
  const theirs = conn.brokerVersions(apiKey);
  const ours = CLIENT_VERSIONS[apiKey];
  const name = apiName(apiKey);
  const detail = !theirs
    ? `does not support ${name} (API key ${apiKey})`
    : `does not support ${feature ?? name} (needs ${name} v${Math.max(minVersion, ours?.[0] ?? 0)}+, ` +
      `the broker serves v${theirs[0]}-${theirs[1]})`;
  throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `the broker at ${conn.address} ${detail}`);
}

/** Refreshes metadata after errors that mean it is stale (a moved controller or leader). */
export async function refreshOnStale(cluster: Cluster, err: KafkaError): Promise<void> {
  if (
    err.code === ErrorCode.NOT_CONTROLLER ||
    err.code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    err.code === ErrorCode.LEADER_NOT_AVAILABLE ||
    err.code === ErrorCode.NETWORK_EXCEPTION
  ) {
    await cluster.refreshMetadata().catch(() => undefined);
  }
}

/**
 * Runs `call` against the controller, retrying retriable failures of the
 * whole request (lost connection, NOT_CONTROLLER at the top level).
 */
export function onController<T>(
  cluster: Cluster,
  apiKey: ApiKeyNumber,
  call: (conn: Connection) => Promise<T>,
  minVersion = 0,
  feature?: string,
): Promise<T> {
  return cluster.retry(
    async () => {
      const conn = await cluster.controller();
      requireApi(conn, apiKey, minVersion, feature);
      return call(conn);
    },
    (err) => refreshOnStale(cluster, err),
  );
}

/** Runs `call` against any broker, retrying retriable failures. */
export function onAnyBroker<T>(
  cluster: Cluster,
  apiKey: ApiKeyNumber,
  call: (conn: Connection) => Promise<T>,
  minVersion = 0,
  feature?: string,
): Promise<T> {
  return cluster.retry(async () => {
    const conn = await cluster.anyConnection();
    requireApi(conn, apiKey, minVersion, feature);
    return call(conn);
  });
}

/** Runs `call` against the coordinator of a group (type 0) or transactional id (type 1), finding it again after NOT_COORDINATOR. */
export function onCoordinator<T>(
  cluster: Cluster,
  type: number,
  key: string,
  apiKey: ApiKeyNumber,
  call: (conn: Connection) => Promise<T>,
): Promise<T> {
  return cluster.retry(
    async () => {
      const conn = await cluster.coordinatorConnection(type, key);
      requireApi(conn, apiKey);
      return call(conn);
    },
    (err) => {
      if (
        err.code === ErrorCode.NOT_COORDINATOR ||
        err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
        err.code === ErrorCode.NETWORK_EXCEPTION
      ) {
        cluster.invalidateCoordinator(type, key);
      }
    },
  );
}

/** Errors with a retriable code that retrying cannot fix (a topic metadata says does not exist). */
const FINAL = new WeakSet<KafkaError>();

/** Marks an error as not worth retrying though its code is retriable (e.g. a topic that does not exist). */
export function final(err: KafkaError | null): KafkaError | null {
  if (err) FINAL.add(err);
  return err;
}

/** A per-item result of a batch operation: `error` is null on success. */
export interface ItemResult {
  error: KafkaError | null;
}

/**
 * Sends a batch and resends only the items that failed with a retriable
 * error, with the cluster's backoff; items still failing when the retries
 * run out keep their last error. `send` answers one result per item, in order.
 */
export async function sendItems<I, R extends ItemResult>(
  cluster: Cluster,
  items: readonly I[],
  send: (items: I[]) => Promise<R[]>,
): Promise<R[]> {
  const results: Array<R | undefined> = new Array(items.length);
  let pending = items.map((_, i) => i);
  try {
    await cluster.retry(
      async () => {
        let answers: R[];
        try {
          answers = await send(pending.map((i) => items[i] as I));
        } catch (err) {
          // `send` retries failures of the whole request itself; retrying here would multiply them.
          throw new WholeFailure(err);
        }
        const again: number[] = [];
        let firstRetriable: KafkaError | null = null;
        answers.forEach((r, j) => {
          const i = pending[j] as number;
          results[i] = r;
          if (r.error?.retriable && !FINAL.has(r.error)) {
            again.push(i);
            firstRetriable ??= r.error;
          }
        });
        pending = again;
        if (firstRetriable) throw firstRetriable;
      },
      (err) => refreshOnStale(cluster, err),
    );
  } catch (err) {
    const cause = err instanceof WholeFailure ? err.cause : err;
    // Items that never got an answer (or a bug): the failure is the caller's to see.
    if (!(cause instanceof KafkaError) || pending.some((i) => results[i] === undefined)) throw cause;
  }
  return results as R[];
}

/** Carries a failure of a whole request past cluster.retry (it is not a KafkaError, so not retried). */
class WholeFailure {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

/** A KafkaError for a response's error code, or null for NONE; `what` names the resource. */
export function errorFor(code: number, what: string, message?: string | null): KafkaError | null {
  if (code === ErrorCode.NONE) return null;
  const base = new KafkaError(code);
  return new KafkaError(code, `${what}: ${message || base.message} (${base.errorName})`);
}

/** Groups items by a key (e.g. partitions by leader). */
export function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** A topic-partition item of a request routed to partition leaders. */
export interface PartitionItem {
  topic: string;
  partition: number;
}

/**
 * Sends partition items to their leaders (one request per leader, in
 * parallel) and answers one result per item, in order. Metadata is
 * refreshed for the items' topics on every attempt; items whose topic or
 * partition does not exist fail at once with UNKNOWN_TOPIC_OR_PARTITION,
 * those without a leader or whose leader moved are retried.
 */
export function onLeaders<I extends PartitionItem, R extends ItemResult>(
  cluster: Cluster,
  items: readonly I[],
  apiKey: ApiKeyNumber,
  call: (conn: Connection, items: I[]) => Promise<R[]>,
  failed: (item: I, error: KafkaError) => R,
  minVersion = 0,
  feature?: string,
): Promise<R[]> {
  return sendItems(cluster, items, async (batch) => {
    await cluster.retry(() => cluster.refreshMetadata([...new Set(batch.map((i) => i.topic))]));
    const out: R[] = new Array(batch.length);
    const byLeader = new Map<number, number[]>();
    batch.forEach((item, j) => {
      const topic = cluster.topic(item.topic);
      const p = topic?.partitions.find((x) => x.partition === item.partition);
      if (!topic || !p) {
        const err = new KafkaError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          topic
            ? `partition ${item.partition} of topic ${item.topic} does not exist (it has ${topic.partitions.length})`
            : `topic ${item.topic} does not exist`,
        );
        FINAL.add(err);
        out[j] = failed(item, err);
      } else if (p.leader < 0) {
        out[j] = failed(
          item,
          new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${item.topic}-${item.partition} has no leader`),
        );
      } else {
        const list = byLeader.get(p.leader) ?? [];
        list.push(j);
        byLeader.set(p.leader, list);
      }
    });
    await Promise.all(
      [...byLeader].map(async ([leader, idx]) => {
        const mine = idx.map((j) => batch[j] as I);
        let answers: R[];
        try {
          const conn = await cluster.connection(leader);
          requireApi(conn, apiKey, minVersion, feature);
          answers = await call(conn, mine);
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err;
          answers = mine.map((item) => failed(item, err));
        }
        idx.forEach((j, k) => {
          const r = answers[k] as R;
          if (r.error?.code === ErrorCode.NOT_LEADER_OR_FOLLOWER) cluster.invalidateTopic((batch[j] as I).topic);
          out[j] = r;
        });
      }),
    );
    return out;
  });
}

/** Throws the first error among results (for read operations, which fail as a whole). */
export function throwFirst<R extends ItemResult>(results: readonly R[]): void {
  const bad = results.find((r) => r.error);
  if (bad?.error) throw bad.error;
}
