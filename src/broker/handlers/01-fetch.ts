/**
 * Fetch (key 1), versions 4-17 (v0-3 only carry magic 0/1 message sets).
 * - Long poll: waits up to maxWaitMs for minBytes, woken by appends.
 * - Byte limits: partitionMaxBytes per partition and maxBytes for the whole
 *   response, but the first batch of the first partition with data is always
 *   returned whole (KIP-74), so a large batch cannot stall a consumer.
 * - Records are byte ranges of segment files, never re-encoded.
 * - v7+: incremental fetch sessions (KIP-227, see fetch-sessions.ts).
 * - v13+: topics are named by id (UNKNOWN_TOPIC_ID for unknown ids).
 * - Every partition reports its last stable offset; read_committed
 *   (isolation level 1) returns only batches below it, with the aborted
 *   transactions (producer id, first offset) overlapping the returned range
 *   so the consumer can drop their records (an empty list when nothing is
 *   returned, null for read_uncommitted), as Kafka's collectAbortedTxns.
 * - Authorization (when on): consumers need READ on each topic, followers
 *   (replica id >= 0) CLUSTER_ACTION on the cluster; other partitions get
 *   TOPIC_AUTHORIZATION_FAILED and, as in Kafka, do not end the long poll.
 */
import {
  ErrorCode,
  type Input,
  type FetchResponsePartitionData as PartitionOut,
  type FetchResponseFetchableTopicResponse as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import {
  type FetchSession,
  FetchSessionCache,
  FINAL_EPOCH,
  INITIAL_EPOCH,
  type SessionPartition,
  sessionKey,
} from '../fetch-sessions.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorizeCluster, filterAuthorized } from '../security/authorizer.ts';
import { partitionKey } from '../waiters.ts';

// Kafka sends empty records (never null) with an error; librdkafka rejects a null set.
const EMPTY = Buffer.alloc(0);
const sessionsByBroker = new WeakMap<Broker, FetchSessionCache>();
/** A broker's fetch sessions (quotas close the one a throttled fetch would have opened). */
export const sessionsOf = (b: Broker): FetchSessionCache => {
  let c = sessionsByBroker.get(b);
  if (!c) sessionsByBroker.set(b, (c = new FetchSessionCache()));
  return c;
};

interface Entry extends SessionPartition {
  /** Resolved topic name, or null when the topic (id) is unknown. */
  name: string | null;
}

interface ReadResult {
  entry: Entry;
  out: Input<PartitionOut>;
  bytes: number;
  news: boolean;
}

function readAll(
  broker: Broker,
  entries: Entry[],
  maxBytes: number,
  useIds: boolean,
  committed: boolean,
  denied: ReadonlySet<string>,
): ReadResult[] {
  let remaining = maxBytes;
  let written = 0;
  const results: ReadResult[] = [];
  for (const e of entries) {
    const out: Input<PartitionOut> = {
      partitionIndex: e.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: committed ? [] : null,
      preferredReadReplica: -1,
      records: EMPTY,
    };
    let bytes = 0;
    const log = e.name === null ? undefined : broker.log(e.name, e.partition);
    if (e.name !== null && denied.has(e.name)) {
      out.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    } else if (!log) {
      out.errorCode = useIds && e.name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    } else {
      const hw = log.highWatermark;
      const lso = log.lastStableOffset;
      out.highWatermark = BigInt(hw);
      out.lastStableOffset = BigInt(lso);
      out.logStartOffset = BigInt(log.logStartOffset);
      try {
        const limit = Math.min(e.maxBytes, remaining);
        if (limit > 0 || written === 0) {
          const maxOffset = committed ? lso : hw;
          const r = log.read(e.fetchOffset, Math.max(limit, 0), { minOneMessage: written === 0, maxOffset });
          bytes = r.records.length;
          out.records = r.records;
          if (committed && bytes > 0) {
            out.abortedTransactions = log
              .abortedTransactions(e.fetchOffset, r.nextOffset)
              .map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }));
          }
          written += bytes;
          remaining -= bytes;
        } else {
          out.records = Buffer.alloc(0);
        }
      } catch (err) {
        out.errorCode = toKafkaError(err).code;
        out.records = EMPTY;
      }
    }
    const news =
      bytes > 0 ||
      out.errorCode !== ErrorCode.NONE ||
      Number(out.highWatermark) !== e.lastHighWatermark ||
      Number(out.logStartOffset) !== e.lastLogStartOffset;
    results.push({ entry: e, out, bytes, news });
  }
  return results;
}

export default defineHandler({
  key: 1,
  minVersion: 4,
  maxVersion: 17,
  async handle(ctx, req) {
    const { broker } = ctx;
    const v = ctx.apiVersion;
    const useIds = v >= 13;
    const now = Date.now();
    const cache = sessionsOf(broker);
    const nameOf = (topic: string, topicId: string): string | null =>
      useIds ? (broker.metadata.topicsById.get(topicId)?.name ?? null) : topic;
    const toEntry = (topic: string, topicId: string, p: (typeof req.topics)[0]['partitions'][0]): Entry => ({
      name: nameOf(topic, topicId),
      topic,
      topicId,
      partition: p.partition,
      fetchOffset: Number(p.fetchOffset),
      maxBytes: p.partitionMaxBytes,
      lastHighWatermark: -2,
      lastLogStartOffset: -2,
    });

    // Which partitions this request fetches, per KIP-227.
    let session: FetchSession | null = null;
    let incremental = false;
    if (v >= 7 && req.sessionEpoch !== FINAL_EPOCH) {
      if (req.sessionEpoch === INITIAL_EPOCH) {
        if (req.sessionId !== 0) cache.close(req.sessionId);
        session = cache.create(now);
      } else {
        try {
          session = cache.resume(req.sessionId, req.sessionEpoch, now);
          incremental = true;
        } catch (err) {
          return { throttleTimeMs: 0, errorCode: toKafkaError(err).code, sessionId: 0, responses: [] };
        }
      }
    } else if (v >= 7 && req.sessionId !== 0) {
      cache.close(req.sessionId);
    }

    let entries: Entry[];
    if (session) {
      if (incremental) {
        for (const f of req.forgottenTopicsData) {
          for (const p of f.partitions) session.partitions.delete(sessionKey(useIds ? f.topicId : f.topic, p));
        }
      }
      for (const t of req.topics) {
        for (const p of t.partitions) {
          const key = sessionKey(useIds ? t.topicId : t.topic, p.partition);
          const old = session.partitions.get(key);
          const e = toEntry(t.topic, t.topicId, p);
          if (old) {
            e.lastHighWatermark = old.lastHighWatermark;
            e.lastLogStartOffset = old.lastLogStartOffset;
          }
          session.partitions.set(key, e);
        }
      }
      entries = [...session.partitions.values()].map((sp) => ({ ...sp, name: nameOf(sp.topic, sp.topicId) }));
    } else {
      entries = req.topics.flatMap((t) => t.partitions.map((p) => toEntry(t.topic, t.topicId, p)));
    }

    // Long poll until minBytes, an error, the max wait, or shutdown.
    const committed = req.isolationLevel === 1;
    const deadline = now + Math.max(0, req.maxWaitMs);
    const keys = entries.filter((e) => e.name !== null).map((e) => partitionKey(e.name as string, e.partition));
    const names = entries.flatMap((e) => (e.name === null ? [] : [e.name]));
    const follower = (v >= 15 ? req.replicaState.replicaId : req.replicaId) >= 0;
    const readable = follower
      ? new Set(authorizeCluster(ctx, AclOperation.CLUSTER_ACTION) ? names : [])
      : filterAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, names);
    const denied = new Set(names.filter((n) => !readable.has(n)));
    const allDenied = names.length > 0 && denied.size > 0 && names.every((n) => denied.has(n));
    let results = readAll(broker, entries, req.maxBytes, useIds, committed, denied);
    for (;;) {
      const total = results.reduce((n, r) => n + r.bytes, 0);
      const failed =
        allDenied ||
        results.some(
          (r) => r.out.errorCode !== ErrorCode.NONE && r.out.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        );
      const left = deadline - Date.now();
      if (total >= req.minBytes || failed || left <= 0 || ctx.signal.aborted) break;
      await broker.waiters.wait(keys, left, ctx.signal);
      results = readAll(broker, entries, req.maxBytes, useIds, committed, denied);
    }

    // Build the response; an incremental one names only partitions with news.
    const byTopic = new Map<string, Input<TopicOut>>();
    const responses: Input<TopicOut>[] = [];
    for (const r of results) {
      if (session) {
        const sp = session.partitions.get(sessionKey(useIds ? r.entry.topicId : r.entry.topic, r.entry.partition));
        if (sp) {
          sp.lastHighWatermark = Number(r.out.highWatermark);
          sp.lastLogStartOffset = Number(r.out.logStartOffset);
        }
      }
      if (incremental && !r.news) continue;
      const tkey = useIds ? r.entry.topicId : r.entry.topic;
      let t = byTopic.get(tkey);
      if (!t) {
        t = { topic: r.entry.topic, topicId: r.entry.topicId, partitions: [] };
        byTopic.set(tkey, t);
        responses.push(t);
      }
      (t.partitions as Input<PartitionOut>[]).push(r.out);
    }
    if (session) cache.advance(session);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session?.id ?? 0, responses };
  },
});
