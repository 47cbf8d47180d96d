/**
 * The cooperative-sticky assignor (KIP-429, Kafka's CooperativeStickyAssignor
 * in behaviour, written from its description):
 *
 * - Balance: with equal subscriptions every member gets ⌊P/M⌋ or ⌈P/M⌉
 *   partitions; otherwise partitions go to the least loaded subscriber and
 *   are moved while some member has two more than another that could take one.
 * - Stickiness: a member keeps the partitions it owned (from its
 *   subscription's ownedPartitions) up to its quota. When two members claim
 *   one partition the higher generation wins; equal generations void both
 *   claims.
 * - Cooperative: a partition that changes owner is left out of this round;
 *   its owner sees it revoked, gives it up and rejoins, and the next
 *   rebalance hands it over.
 */
import type { TopicPartition } from '../types.ts';
import { tpKey } from '../util.ts';
import { type Assignor, type AssignorMember, sortMembers } from './assignor.ts';

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  cooperative: true,
  assign(partitionsPerTopic, members) {
    const sorted = sortMembers(members);
    const subscribes = (m: AssignorMember, topic: string): boolean => m.topics.includes(topic);
    const exists = (tp: TopicPartition): boolean => tp.partition < (partitionsPerTopic.get(tp.topic) ?? 0);

    // every partition of a topic somebody subscribes to, in order
    const all: TopicPartition[] = [];
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      if (!sorted.some((m) => subscribes(m, topic))) continue;
      for (let partition = 0; partition < (partitionsPerTopic.get(topic) ?? 0); partition++) {
        all.push({ topic, partition });
      }
    }
    const byKey = new Map(all.map((tp) => [tpKey(tp.topic, tp.partition), tp]));

    // valid previous owners
    const claims = new Map<string, { memberId: string; generation: number }>();
    const voided = new Set<string>();
    for (const m of sorted) {
      for (const tp of m.ownedPartitions) {
        if (!exists(tp) || !subscribes(m, tp.topic)) continue;
        const k = tpKey(tp.topic, tp.partition);
        const c = claims.get(k);
        if (!c || m.generationId > c.generation) claims.set(k, { memberId: m.memberId, generation: m.generationId });
        else if (m.generationId === c.generation && c.memberId !== m.memberId) voided.add(k);
      }
    }
    for (const k of voided) claims.delete(k);
    const ownedBy = new Map<string, string[]>(sorted.map((m) => [m.memberId, []]));
    for (const [k, c] of claims) ownedBy.get(c.memberId)?.push(k);
    for (const list of ownedBy.values()) list.sort(compareKeys(byKey));

    const assigned = new Map<string, Set<string>>(sorted.map((m) => [m.memberId, new Set()]));
    const owner = new Map<string, string>();
    const give = (memberId: string, k: string): void => {
      const prev = owner.get(k);
      if (prev !== undefined) assigned.get(prev)?.delete(k);
      assigned.get(memberId)?.add(k);
      owner.set(k, memberId);
    };
    const count = (memberId: string): number => assigned.get(memberId)?.size ?? 0;

    const first = sorted[0];
    const equal = first !== undefined && sorted.every((m) => sameTopics(m.topics, first.topics));
    if (sorted.length === 0) return new Map();
    if (equal) {
      const total = all.length;
      const minQuota = Math.floor(total / sorted.length);
      const maxQuota = Math.ceil(total / sorted.length);
      const expectedOverMin = total % sorted.length;
      let overMin = 0;
      for (const m of sorted) {
        const own = ownedBy.get(m.memberId) ?? [];
        const keep = own.length >= maxQuota && overMin < expectedOverMin ? maxQuota : Math.min(own.length, minQuota);
        if (keep === maxQuota && maxQuota > minQuota) overMin++;
        for (const k of own.slice(0, keep)) give(m.memberId, k);
      }
      const free = all.map((tp) => tpKey(tp.topic, tp.partition)).filter((k) => !owner.has(k));
      for (const m of sorted) {
        while (count(m.memberId) < minQuota && free.length > 0) give(m.memberId, free.shift() as string);
      }
      for (const m of sorted) {
        if (free.length === 0 || overMin >= expectedOverMin) break;
        if (count(m.memberId) === minQuota) {
          give(m.memberId, free.shift() as string);
          overMin++;
        }
      }
      // anything left (cannot happen with consistent quotas) goes to the least loaded
      for (const k of free) give(leastLoaded(sorted, count) as string, k);
    } else {
      for (const [memberId, own] of ownedBy) for (const k of own) give(memberId, k);
      const eligible = (k: string): AssignorMember[] => sorted.filter((m) => subscribes(m, byKey.get(k)?.topic ?? ''));
      const free = all
        .map((tp) => tpKey(tp.topic, tp.partition))
        .filter((k) => !owner.has(k))
        .sort((a, b) => eligible(a).length - eligible(b).length);
      for (const k of free) {
        const target = leastLoaded(eligible(k), count);
        if (target !== undefined) give(target, k);
      }
      // move partitions from the most to less loaded subscribers until no move helps
      for (let moved = true; moved; ) {
        moved = false;
        for (const k of [...owner.keys()].sort(compareKeys(byKey))) {
          const from = owner.get(k) as string;
          const to = leastLoaded(eligible(k), count);
          if (to !== undefined && count(from) > count(to) + 1) {
            give(to, k);
            moved = true;
          }
        }
      }
    }

    const out = new Map<string, TopicPartition[]>();
    for (const m of sorted) {
      const keys = [...(assigned.get(m.memberId) ?? [])].sort(compareKeys(byKey));
      // cooperative: a partition still owned by another member waits for the next round
      const ready = keys.filter((k) => {
        const c = claims.get(k);
        return c === undefined || c.memberId === m.memberId;
      });
      out.set(
        m.memberId,
        ready.map((k) => byKey.get(k) as TopicPartition),
      );
    }
    return out;
  },
};

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((t) => s.has(t));
}

function leastLoaded(members: readonly AssignorMember[], count: (id: string) => number): string | undefined {
  let best: AssignorMember | undefined;
  for (const m of members) if (!best || count(m.memberId) < count(best.memberId)) best = m;
  return best?.memberId;
}

function compareKeys(byKey: ReadonlyMap<string, TopicPartition>): (a: string, b: string) => number {
  return (a, b) => {
    const x = byKey.get(a) as TopicPartition;
    const y = byKey.get(b) as TopicPartition;
    return x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition;
  };
}
