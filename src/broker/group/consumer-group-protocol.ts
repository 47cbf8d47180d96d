/**
 * KIP-848 consumer groups: ConsumerGroupHeartbeat and ConsumerGroupDescribe
 * over the groups in memory (Kafka's GroupMetadataManager.consumerGroupHeartbeat).
 *
 * - A member joins with epoch 0 (v0: the broker makes its id when empty; v1:
 *   the client's id), leaves with -1, a static member leaves for a while with
 *   -2 and comes back with epoch 0 and the same instance id, taking over its
 *   epoch and assignment.
 * - Membership, subscription, assignor and topic metadata changes bump the
 *   group epoch; the target assignment is then recomputed by the preferred
 *   assignor (the one most members ask for, else the first configured).
 * - Members miss their session (`group.consumer.session.timeout.ms`) or take
 *   longer than their rebalance timeout to revoke: they are removed.
 * - Every change is reported to the host (`changed`), which writes the
 *   group's records to `__consumer_offsets`; after a restart `restore` picks
 *   the replayed groups up, so members go on with their ids and epochs (and
 *   those that do not heartbeat are removed after their session timeout).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/index.ts';
import type { TopicMeta } from '../metadata/metadata-store.ts';
import {
  byTopic,
  ConsumerGroup,
  ConsumerMember,
  LEAVE_EPOCH,
  type PartitionKey,
  partitionKey,
  STATIC_LEAVE_EPOCH,
} from './consumer-group.ts';
import { ASSIGNORS, type AssignorMember } from './consumer-group-assignors.ts';
import type { KeyedTimers } from './timers.ts';

/** Consumer group settings (Kafka's names and defaults). */
export interface ConsumerGroupConfig {
  /** group.consumer.assignors ("uniform,range") */
  assignors: string[];
  /** group.consumer.heartbeat.interval.ms (5000) */
  heartbeatIntervalMs: number;
  /** group.consumer.session.timeout.ms (45000) */
  sessionTimeoutMs: number;
  /** group.consumer.max.size (2^31-1) */
  maxSize: number;
}

/** Reads the consumer group settings through `get(name, default)`. */
export function readConsumerGroupConfig(get: (name: string, fallback: string) => string): ConsumerGroupConfig {
  const int = (name: string, fallback: number): number => {
    const v = Number(get(name, String(fallback)));
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const assignors = get('group.consumer.assignors', 'uniform,range')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => ASSIGNORS.has(s));
  return {
    assignors: assignors.length > 0 ? assignors : ['uniform', 'range'],
    heartbeatIntervalMs: int('group.consumer.heartbeat.interval.ms', 5000),
    sessionTimeoutMs: int('group.consumer.session.timeout.ms', 45000),
    maxSize: int('group.consumer.max.size', 2147483647),
  };
}

/** What the protocol needs from the coordinator. */
export interface ConsumerProtocolHost {
  config: ConsumerGroupConfig;
  timers: KeyedTimers;
  groups: Map<string, ConsumerGroup>;
  topics(): Iterable<TopicMeta>;
  /** Whether a classic group with members (or rebalancing) has this id. */
  classicInUse(groupId: string): boolean;
  /** Called after the group may have changed (to persist it). */
  changed?(groupId: string): void;
}

/** A heartbeat's answer. */
export interface HeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: Array<{ topicId: string; partitions: number[] }> } | null;
}

/** Who sends a heartbeat. */
export interface HeartbeatContext {
  apiVersion: number;
  clientId: string;
  clientHost: string;
}

const invalid = (message: string): KafkaError => new KafkaError(ErrorCode.INVALID_REQUEST, message);

/** The consumer group protocol. */
export class ConsumerGroupProtocol {
  readonly #h: ConsumerProtocolHost;

  constructor(host: ConsumerProtocolHost) {
    this.#h = host;
  }

  /** ConsumerGroupHeartbeat; protocol errors come back in the result. */
  heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): HeartbeatResult {
    try {
      return this.#heartbeat(req, ctx);
    } catch (err) {
      if (this.#h.groups.has(req.groupId)) this.#h.changed?.(req.groupId);
      if (!(err instanceof KafkaError)) throw err;
      return {
        errorCode: err.code,
        errorMessage: err.errorMessage,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
    }
  }

  #validate(req: ConsumerGroupHeartbeatRequest, v: number): void {
    if (req.groupId === '') throw invalid("GroupId can't be empty.");
    if (req.instanceId !== null && req.instanceId === '') throw invalid("InstanceId can't be empty.");
    if (req.rackId !== null && req.rackId === '') throw invalid("RackId can't be empty.");
    if (v >= 1 && req.memberId === '') throw invalid("MemberId can't be empty.");
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) throw invalid('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0) {
        throw invalid('TopicPartitions must be empty when (re-)joining.');
      }
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
        throw invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
      }
    } else if (req.memberEpoch === STATIC_LEAVE_EPOCH) {
      if (req.memberId === '') throw invalid("MemberId can't be empty.");
      if (req.instanceId === null) throw invalid('InstanceId can not be null.');
    } else if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch > 0) {
      if (req.memberId === '') throw invalid("MemberId can't be empty.");
    } else {
      throw invalid(`MemberEpoch is invalid: ${req.memberEpoch}.`);
    }
    if (req.serverAssignor !== null && !this.#h.config.assignors.includes(req.serverAssignor)) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported.`);
    }
    if (req.subscribedTopicRegex !== null) {
      try {
        new RegExp(req.subscribedTopicRegex);
      } catch {
        throw new KafkaError(ErrorCode.INVALID_REGULAR_EXPRESSION, `Invalid regex ${req.subscribedTopicRegex}.`);
      }
    }
  }

  #heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): HeartbeatResult {
    this.#validate(req, ctx.apiVersion);
    const { groups, config } = this.#h;
    if (this.#h.classicInUse(req.groupId)) {
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group`);
    }
    let g = groups.get(req.groupId);
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) return this.#leave(g, req);
    if (!g) {
      if (req.memberEpoch !== 0)
        throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
      g = new ConsumerGroup(req.groupId);
      groups.set(req.groupId, g);
    }
    const owned = req.topicPartitions === null ? null : toKeys(req.topicPartitions);
    let bump = false;
    const m =
      req.instanceId === null
        ? this.#dynamicMember(g, req, owned)
        : this.#staticMemberFor(g, req, req.instanceId, owned);
    m.instanceId = req.instanceId ?? m.instanceId;
    m.clientId = ctx.clientId;
    m.clientHost = ctx.clientHost;
    if (req.rackId !== null) m.rackId = req.rackId;
    if (req.rebalanceTimeoutMs > 0) m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.subscribedTopicNames !== null && !sameList(req.subscribedTopicNames, m.subscribedTopicNames)) {
      m.subscribedTopicNames = [...req.subscribedTopicNames].sort();
      bump = true;
    }
    if (
      ctx.apiVersion >= 1 &&
      req.subscribedTopicRegex !== null &&
      req.subscribedTopicRegex !== m.subscribedTopicRegex
    ) {
      m.subscribedTopicRegex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      bump = true;
    }
    // a new assignor preference applies from the next target assignment, as in Kafka
    if (req.serverAssignor !== null) m.serverAssignor = req.serverAssignor;
    const signature = this.#signature(g);
    if (signature !== g.metadataSignature) {
      g.metadataSignature = signature;
      bump = true;
    }
    if (bump) g.groupEpoch++;
    if (g.assignmentEpoch < g.groupEpoch) this.#computeTarget(g);
    const before = [...m.assigned].sort().join(',');
    g.reconcile(m, owned);
    this.#scheduleTimeouts(g, m);
    const changed = before !== [...m.assigned].sort().join(',');
    this.#h.changed?.(g.groupId);
    const full =
      req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && owned !== null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: m.memberId,
      memberEpoch: m.memberEpoch,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      assignment: changed || full ? { topicPartitions: byTopic(m.assigned) } : null,
    };
  }

  #fenced(error: number, m: ConsumerMember, received: number): KafkaError {
    return new KafkaError(
      error,
      `The member epoch ${received} does not match the one the coordinator knows (${m.memberEpoch}); ` +
        'the member must abandon its partitions and rejoin.',
    );
  }

  #newMember(g: ConsumerGroup, memberId: string): ConsumerMember {
    if (g.members.size >= this.#h.config.maxSize) {
      throw new KafkaError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum size.`);
    }
    const m = new ConsumerMember(memberId);
    g.add(m);
    return m;
  }

  /** A member without instance id: created on epoch 0, else known with a valid epoch. */
  #dynamicMember(g: ConsumerGroup, req: ConsumerGroupHeartbeatRequest, owned: Set<PartitionKey> | null) {
    const memberId = req.memberId !== '' ? req.memberId : randomUUID();
    let m = g.members.get(memberId);
    if (!m) {
      if (req.memberEpoch !== 0) {
        throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of the group.`);
      }
      m = this.#newMember(g, memberId);
    }
    const error = g.validateEpoch(m, req.memberEpoch, owned);
    if (error !== ErrorCode.NONE) throw this.#fenced(error, m, req.memberEpoch);
    return m;
  }

  /**
   * A member with an instance id. Joining (epoch 0) while a member with that
   * id is there: UNRELEASED_INSTANCE_ID unless it left with -2, in which case
   * the new member id takes over its subscription and assignment.
   */
  #staticMemberFor(
    g: ConsumerGroup,
    req: ConsumerGroupHeartbeatRequest,
    instanceId: string,
    owned: Set<PartitionKey> | null,
  ): ConsumerMember {
    const memberId = req.memberId !== '' ? req.memberId : randomUUID();
    const previous = this.#staticMember(g, instanceId);
    if (req.memberEpoch === 0) {
      if (!previous) {
        const m = g.members.get(memberId) ?? this.#newMember(g, memberId);
        m.instanceId = instanceId;
        g.add(m);
        return m;
      }
      if (previous.memberEpoch !== STATIC_LEAVE_EPOCH) {
        throw new KafkaError(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id ` +
            `is owned by ${previous.memberId} member.`,
        );
      }
      // the static member is back: subscription and assignment carry over, epoch 0
      const m = new ConsumerMember(memberId);
      m.instanceId = instanceId;
      m.rackId = previous.rackId;
      m.rebalanceTimeoutMs = previous.rebalanceTimeoutMs;
      m.subscribedTopicNames = previous.subscribedTopicNames;
      m.subscribedTopicRegex = previous.subscribedTopicRegex;
      m.serverAssignor = previous.serverAssignor;
      m.state = previous.state;
      const { assigned, pendingRevocation } = previous;
      const target = g.target.get(previous.memberId);
      this.#forget(g, previous.memberId);
      g.add(m);
      g.setAssignment(m, assigned, pendingRevocation);
      if (target) g.target.set(memberId, target);
      return m;
    }
    if (!previous) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (previous.memberId !== memberId) {
      throw new KafkaError(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${instanceId} was fenced by member ${previous.memberId}.`,
      );
    }
    const error = g.validateEpoch(previous, req.memberEpoch, owned);
    if (error !== ErrorCode.NONE) throw this.#fenced(error, previous, req.memberEpoch);
    return previous;
  }

  #leave(g: ConsumerGroup | undefined, req: ConsumerGroupHeartbeatRequest): HeartbeatResult {
    if (!g) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
    let m: ConsumerMember | undefined;
    if (req.instanceId === null) {
      m = g.members.get(req.memberId);
      if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of the group.`);
    } else {
      m = this.#staticMember(g, req.instanceId);
      if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
      if (m.memberId !== req.memberId) {
        throw new KafkaError(
          ErrorCode.FENCED_INSTANCE_ID,
          `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${m.memberId}.`,
        );
      }
    }
    const result: HeartbeatResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
    if (req.memberEpoch === STATIC_LEAVE_EPOCH && m.instanceId !== null) {
      // keeps its assignment until it comes back or its session expires
      m.memberEpoch = STATIC_LEAVE_EPOCH;
      this.#h.timers.cancel(this.#key(g, m, 'rebalance'));
      this.#h.changed?.(g.groupId);
      return result;
    }
    this.removeMember(g, m.memberId);
    return result;
  }

  /** Removes a member (left, session expired, or revocation timed out) and bumps the group epoch. */
  removeMember(g: ConsumerGroup, memberId: string): void {
    if (!g.members.has(memberId)) return;
    this.#forget(g, memberId);
    g.groupEpoch++;
    this.#computeTarget(g);
    this.#h.changed?.(g.groupId);
  }

  /**
   * Takes up a group replayed from `__consumer_offsets`: the topic metadata
   * it was assigned against is taken to be today's (not stored), and every
   * member must heartbeat within its session timeout (and finish a pending
   * revocation within its rebalance timeout) or is removed.
   */
  restore(g: ConsumerGroup, now: number): void {
    g.metadataSignature = this.#signature(g);
    g.assignorName = this.#preferredAssignor(g);
    if (g.members.size === 0) g.emptySince ??= now;
    for (const m of g.members.values()) this.#scheduleTimeouts(g, m);
  }

  #forget(g: ConsumerGroup, memberId: string): void {
    const m = g.members.get(memberId);
    if (!m) return;
    this.#h.timers.cancel(this.#key(g, m, 'session'));
    this.#h.timers.cancel(this.#key(g, m, 'rebalance'));
    g.remove(memberId);
  }

  #staticMember(g: ConsumerGroup, instanceId: string): ConsumerMember | undefined {
    const id = g.staticMembers.get(instanceId);
    return id === undefined ? undefined : g.members.get(id);
  }

  #key(g: ConsumerGroup, m: ConsumerMember, kind: string): string {
    return `consumer:${kind}:${g.groupId}\u0000${m.memberId}`;
  }

  #scheduleTimeouts(g: ConsumerGroup, m: ConsumerMember): void {
    const { timers, config, groups } = this.#h;
    const expire = (): void => {
      if (groups.get(g.groupId) !== g || g.members.get(m.memberId) !== m) return;
      this.removeMember(g, m.memberId);
    };
    timers.schedule(this.#key(g, m, 'session'), config.sessionTimeoutMs, expire);
    const rebalanceKey = this.#key(g, m, 'rebalance');
    if (m.state === 'UnrevokedPartitions') {
      if (!timers.has(rebalanceKey)) timers.schedule(rebalanceKey, m.rebalanceTimeoutMs, expire);
    } else {
      timers.cancel(rebalanceKey);
    }
  }

  #topicIndex(): { byName: Map<string, TopicMeta>; byId: Map<string, TopicMeta> } {
    const byName = new Map<string, TopicMeta>();
    const byId = new Map<string, TopicMeta>();
    for (const t of this.#h.topics()) {
      byName.set(t.name, t);
      byId.set(t.id, t);
    }
    return { byName, byId };
  }

  /** The subscribed topics of each member, as existing topic metadata. */
  #subscriptions(g: ConsumerGroup): Map<string, TopicMeta[]> {
    const { byName } = this.#topicIndex();
    const out = new Map<string, TopicMeta[]>();
    for (const m of g.members.values()) {
      const regex = m.subscribedTopicRegex === null ? null : safeRegex(m.subscribedTopicRegex);
      const topics = new Map<string, TopicMeta>();
      for (const name of m.subscribedTopicNames) {
        const t = byName.get(name);
        if (t) topics.set(t.id, t);
      }
      if (regex) {
        for (const t of byName.values()) if (!t.name.startsWith('__') && regex.test(t.name)) topics.set(t.id, t);
      }
      out.set(m.memberId, [...topics.values()]);
    }
    return out;
  }

  #signature(g: ConsumerGroup): string {
    const seen = new Map<string, TopicMeta>();
    for (const ts of this.#subscriptions(g).values()) for (const t of ts) seen.set(t.id, t);
    return [...seen.values()]
      .map((t) => `${t.name}/${t.id}/${t.partitions}`)
      .sort()
      .join(',');
  }

  #preferredAssignor(g: ConsumerGroup): string {
    const counts = new Map<string, number>();
    for (const m of g.members.values()) {
      if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
    }
    let best = this.#h.config.assignors[0] ?? 'uniform';
    let most = 0;
    for (const [name, n] of counts) {
      if (n > most) {
        best = name;
        most = n;
      }
    }
    return best;
  }

  #computeTarget(g: ConsumerGroup): void {
    const subs = this.#subscriptions(g);
    const partitionsOf = new Map<string, number>();
    const members: AssignorMember[] = [];
    for (const m of g.members.values()) {
      const ts = subs.get(m.memberId) ?? [];
      for (const t of ts) partitionsOf.set(t.id, t.partitions);
      members.push({
        memberId: m.memberId,
        topics: new Set(ts.map((t) => t.id)),
        current: g.target.get(m.memberId) ?? new Set(),
      });
    }
    const name = this.#preferredAssignor(g);
    const assignor = ASSIGNORS.get(name) ?? (ASSIGNORS.get('uniform') as NonNullable<ReturnType<typeof ASSIGNORS.get>>);
    const target = assignor(members, partitionsOf);
    g.target.clear();
    for (const [id, keys] of target) g.target.set(id, keys);
    g.assignorName = name;
    g.assignmentEpoch = g.groupEpoch;
  }

  // ---- ConsumerGroupDescribe --------------------------------------------------

  /** One group of a ConsumerGroupDescribe answer (without the authorized operations). */
  describe(groupId: string): {
    errorCode: number;
    errorMessage: string | null;
    groupId: string;
    groupState: string;
    groupEpoch: number;
    assignmentEpoch: number;
    assignorName: string;
    members: Array<{
      memberId: string;
      instanceId: string | null;
      rackId: string | null;
      memberEpoch: number;
      clientId: string;
      clientHost: string;
      subscribedTopicNames: string[];
      subscribedTopicRegex: string | null;
      assignment: { topicPartitions: Array<{ topicId: string; topicName: string; partitions: number[] }> };
      targetAssignment: { topicPartitions: Array<{ topicId: string; topicName: string; partitions: number[] }> };
    }>;
  } {
    const g = this.#h.groups.get(groupId);
    const base = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    if (!g) {
      const message = this.#h.classicInUse(groupId)
        ? `Group ${groupId} is not a consumer group`
        : `Group ${groupId} not found.`;
      return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: message };
    }
    const { byId } = this.#topicIndex();
    const named = (keys: Iterable<PartitionKey>) => ({
      topicPartitions: byTopic(keys).map((t) => ({ ...t, topicName: byId.get(t.topicId)?.name ?? '' })),
    });
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupState: g.state,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: g.assignorName || this.#preferredAssignor(g),
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: named(m.assigned),
        targetAssignment: named(g.target.get(m.memberId) ?? []),
      })),
    };
  }
}

function toKeys(tps: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>): Set<PartitionKey> {
  const s = new Set<PartitionKey>();
  for (const t of tps) for (const p of t.partitions) s.add(partitionKey(t.topicId, p));
  return s;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  return sa.every((x, i) => x === b[i]);
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}
