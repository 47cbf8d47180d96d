/**
 * Server-side assignors of KIP-848 consumer groups
 * (`group.consumer.assignors`, default "uniform,range").
 *
 * - uniform: every subscribed partition goes to one subscriber, counts as
 *   even as the subscriptions allow; a partition stays with its current
 *   target owner when that keeps the balance (sticky).
 * - range: per topic, the subscribers sorted by member id get contiguous
 *   ranges, the first ones one partition more when it does not divide.
 */
import { type PartitionKey, partitionKey } from './consumer-group.ts';

/** What an assignor sees of a member. */
export interface AssignorMember {
  memberId: string;
  /** Topic ids the member subscribes to (existing topics only). */
  topics: ReadonlySet<string>;
  /** Its current target, for stickiness. */
  current: ReadonlySet<PartitionKey>;
}

/** Member id → partitions. */
export type Assignor = (
  members: readonly AssignorMember[],
  partitionsOf: ReadonlyMap<string, number>,
) => Map<string, Set<PartitionKey>>;

function uniform(members: readonly AssignorMember[], partitionsOf: ReadonlyMap<string, number>) {
  const out = new Map(members.map((m) => [m.memberId, new Set<PartitionKey>()]));
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const all: Array<{ topicId: string; key: PartitionKey; subscribers: AssignorMember[] }> = [];
  for (const [topicId, n] of [...partitionsOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subscribers = members.filter((m) => m.topics.has(topicId));
    if (subscribers.length === 0) continue;
    for (let p = 0; p < n; p++) all.push({ topicId, key: partitionKey(topicId, p), subscribers });
  }
  const quota = Math.ceil(all.length / Math.max(1, members.length));
  const owner = new Map<PartitionKey, string>();
  const count = (id: string): number => out.get(id)?.size ?? 0;
  const give = (key: PartitionKey, id: string): void => {
    out.get(id)?.add(key);
    owner.set(key, id);
  };
  // sticky pass: keep current owners up to the quota
  const rest: typeof all = [];
  for (const p of all) {
    const cur = members.find((m) => m.current.has(p.key) && m.topics.has(p.topicId));
    if (cur && count(cur.memberId) < quota) give(p.key, cur.memberId);
    else rest.push(p);
  }
  for (const p of rest) {
    const least = p.subscribers.reduce((a, b) => (count(b.memberId) < count(a.memberId) ? b : a));
    give(p.key, least.memberId);
  }
  // balance: move partitions from the fullest to the emptiest subscriber while it helps
  for (let moved = true, guard = 0; moved && guard < all.length * 4; guard++) {
    moved = false;
    for (const p of all) {
      const from = owner.get(p.key) as string;
      const to = p.subscribers.reduce((a, b) => (count(b.memberId) < count(a.memberId) ? b : a));
      if (count(from) - count(to.memberId) > 1 && byId.has(from)) {
        out.get(from)?.delete(p.key);
        give(p.key, to.memberId);
        moved = true;
      }
    }
  }
  return out;
}

function range(members: readonly AssignorMember[], partitionsOf: ReadonlyMap<string, number>) {
  const out = new Map(members.map((m) => [m.memberId, new Set<PartitionKey>()]));
  for (const [topicId, n] of partitionsOf) {
    const subs = members
      .filter((m) => m.topics.has(topicId))
      .map((m) => m.memberId)
      .sort();
    if (subs.length === 0) continue;
    const base = Math.floor(n / subs.length);
    const extra = n % subs.length;
    let p = 0;
    subs.forEach((id, i) => {
      const take = base + (i < extra ? 1 : 0);
      for (let j = 0; j < take; j++) out.get(id)?.add(partitionKey(topicId, p++));
    });
  }
  return out;
}

/** The assignors this broker knows, by name. */
export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ['uniform', uniform],
  ['range', range],
]);
