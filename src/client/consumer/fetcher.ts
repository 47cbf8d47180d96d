/**
 * The fetch loop: Fetch v4-12 (topics by name, full requests, no session)
 * to each partition's leader.
 *
 * - One request per broker holds every fetchable partition it leads; one
 *   request per broker is in flight at a time, on the consumer's own
 *   connection (a long poll must not hold up other clients' requests).
 * - Prefetch: a partition is fetched again while the application works
 *   through what was fetched before, as long as less than
 *   maxPartitionBytes of it (and less than maxBytes in all) waits in the
 *   buffer.
 * - Errors per partition: NOT_LEADER / UNKNOWN_TOPIC and other stale-metadata
 *   codes refresh metadata and retry after a backoff; OFFSET_OUT_OF_RANGE
 *   resets the position by the reset policy; anything else is kept on the
 *   partition and thrown by poll().
 */
import type { Cluster } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { type DecodedChunk, decodeChunk } from './fetch-records.ts';
import { isLeaderError } from './offsets.ts';
import type { PartitionState, Partitions } from './partition-state.ts';
import type { ResolvedConsumerOptions } from './types.ts';
import { type OwnConnections, requestTimeout, Signal } from './util.ts';

/** What the fetcher needs from the consumer. */
export interface FetcherHost {
  readonly cluster: Cluster;
  readonly options: ResolvedConsumerOptions;
  readonly partitions: Partitions;
  readonly connections: OwnConnections;
  /** New records (or a moved position): wake poll(). */
  onData(): void;
  /** OFFSET_OUT_OF_RANGE at the partition's current fetch offset. */
  onOutOfRange(p: PartitionState): void;
}

export class Fetcher {
  readonly #host: FetcherHost;
  readonly #inflight = new Set<number>();
  readonly #wake = new Signal();
  #running = false;
  #loop: Promise<void> | null = null;
  #metadataAt = 0;
  #metadataRefresh: Promise<void> | null = null;

  constructor(host: FetcherHost) {
    this.#host = host;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Something changed (assignment, position, buffer drained, resume): look again. */
  wake(): void {
    this.#wake.notify();
  }

  async close(): Promise<void> {
    this.#running = false;
    this.#wake.notify();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { options } = this.#host;
    while (this.#running) {
      const now = Date.now();
      let nextRetry = Number.POSITIVE_INFINITY;
      const byLeader = new Map<number, PartitionState[]>();
      let missingLeader = false;
      let budget = options.maxBytes - this.#host.partitions.bufferedBytes;
      for (const p of this.#host.partitions.all()) {
        if (!this.#fetchable(p)) continue;
        if (p.retryAt > now) {
          nextRetry = Math.min(nextRetry, p.retryAt);
          continue;
        }
        if (budget <= 0) break;
        const leader = this.#leaderOf(p);
        if (leader === undefined) {
          missingLeader = true;
          continue;
        }
        if (this.#inflight.has(leader)) continue;
        const list = byLeader.get(leader) ?? [];
        list.push(p);
        byLeader.set(leader, list);
        budget -= options.maxPartitionBytes;
      }
      for (const [leader, list] of byLeader) {
        this.#inflight.add(leader);
        for (const p of list) p.fetching = true;
        this.#fetch(leader, list)
          .catch((err) => this.#host.cluster.logger.warn?.({ err, leader }, 'fetch handling failed'))
          .finally(() => {
            this.#inflight.delete(leader);
            for (const p of list) p.fetching = false;
            this.#wake.notify();
          });
      }
      if (missingLeader) {
        this.#refreshMetadata();
        nextRetry = Math.min(nextRetry, now + Math.max(options.retryBackoffMs, 200));
      }
      await this.#wake.wait(Number.isFinite(nextRetry) ? nextRetry - now : undefined);
    }
  }

  #fetchable(p: PartitionState): boolean {
    return (
      !p.fetching &&
      !p.paused &&
      !p.pendingRevocation &&
      p.error === undefined &&
      p.fetchOffset !== undefined &&
      p.bufferedBytes < this.#host.options.maxPartitionBytes
    );
  }

  #leaderOf(p: PartitionState): number | undefined {
    const info = this.#host.cluster.topic(p.topic)?.partitions.find((x) => x.partition === p.partition);
    return info && info.leader >= 0 ? info.leader : undefined;
  }

  /** A metadata refresh for the assigned topics, at most one at a time and one per backoff. */
  #refreshMetadata(): void {
    if (this.#metadataRefresh || Date.now() - this.#metadataAt < this.#host.options.retryBackoffMs) return;
    this.#metadataAt = Date.now();
    const topics = [...new Set(this.#host.partitions.all().map((p) => p.topic))];
    this.#metadataRefresh = this.#host.cluster
      .refreshMetadata(topics)
      .catch((err) => this.#host.cluster.logger.debug?.({ err }, 'consumer metadata refresh failed'))
      .finally(() => {
        this.#metadataRefresh = null;
        this.#wake.notify();
      });
  }

  #backoff(p: PartitionState): void {
    p.retryAt = Date.now() + this.#host.options.retryBackoffMs;
  }

  async #fetch(leader: number, list: PartitionState[]): Promise<void> {
    const { cluster, options } = this.#host;
    const asked = new Map(list.map((p) => [p.key, { p, seq: p.seq, offset: p.fetchOffset as bigint }]));
    const topics = new Map<string, PartitionState[]>();
    for (const p of list) {
      const t = topics.get(p.topic) ?? [];
      t.push(p);
      topics.set(p.topic, t);
    }
    const readCommitted = options.isolationLevel === 'read_committed';
    try {
      const conn = await this.#host.connections.toNode(leader);
      const res = await conn.request(
        ApiKey.Fetch,
        {
          replicaId: -1,
          maxWaitMs: options.maxWaitMs,
          minBytes: options.minBytes,
          maxBytes: options.maxBytes,
          isolationLevel: readCommitted ? 1 : 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...topics].map(([topic, ps]) => ({
            topic,
            topicId: cluster.topic(topic)?.topicId,
            partitions: ps.map((p) => ({
              partition: p.partition,
              currentLeaderEpoch:
                cluster.topic(topic)?.partitions.find((x) => x.partition === p.partition)?.leaderEpoch ?? -1,
              fetchOffset: p.fetchOffset as bigint,
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: options.maxPartitionBytes,
            })),
          })),
          forgottenTopicsData: [],
          rackId: '',
        },
        { timeoutMs: options.maxWaitMs + requestTimeout(cluster) },
      );
      if (res.errorCode !== ErrorCode.NONE) {
        cluster.logger.debug?.({ errorCode: res.errorCode }, 'fetch failed');
        for (const p of list) this.#backoff(p);
        return;
      }
      let data = false;
      for (const t of res.responses) {
        for (const d of t.partitions) {
          const a = asked.get(`${t.topic}\u0000${d.partitionIndex}`);
          if (!a || a.p.seq !== a.seq || this.#host.partitions.get(a.p) !== a.p) continue;
          const p = a.p;
          if (d.errorCode === ErrorCode.NONE) {
            if (d.highWatermark >= 0n) p.highWatermark = d.highWatermark;
            let chunk: DecodedChunk;
            try {
              const aborted = readCommitted ? (d.abortedTransactions ?? []) : null;
              chunk = await decodeChunk(p.topic, p.partition, a.offset, d.records, aborted);
            } catch (err) {
              p.error = new KafkaError(
                ErrorCode.CORRUPT_MESSAGE,
                `records of ${p.topic}-${p.partition} at offset ${a.offset} do not decode: ${(err as Error).message}`,
                { cause: err },
              );
              data = true;
              continue;
            }
            // a seek while decoding makes this data stale
            if (p.seq !== a.seq || this.#host.partitions.get(p) !== p) continue;
            if (chunk.records.length > 0 || chunk.nextOffset !== a.offset) {
              p.append(chunk);
              data = true;
            }
          } else if (d.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            this.#host.onOutOfRange(p);
          } else if (isLeaderError(d.errorCode)) {
            cluster.invalidateTopic(p.topic);
            this.#refreshMetadata();
            this.#backoff(p);
          } else {
            p.error = new KafkaError(
              d.errorCode,
              `fetch of ${p.topic}-${p.partition}: ${new KafkaError(d.errorCode).message}`,
            );
            data = true;
          }
        }
      }
      if (data) this.#host.onData();
    } catch (err) {
      if (!this.#running) return;
      cluster.logger.debug?.({ err, leader }, 'fetch request failed');
      for (const p of list) this.#backoff(p);
      this.#refreshMetadata();
    }
  }
}
