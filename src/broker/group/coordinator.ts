/**
 * The group coordinator: every classic consumer group of this broker and
 * their committed offsets, persisted in `__consumer_offsets` (Kafka's
 * GroupCoordinatorService + GroupCoordinatorShard, for one node).
 *
 * - State lives in memory and is rebuilt on start by replaying
 *   `__consumer_offsets` (groups come back with their last stored generation
 *   and members; offsets with their commits). While that runs, group APIs
 *   answer COORDINATOR_LOAD_IN_PROGRESS (Heartbeat answers NONE, as Kafka).
 * - Writes append records to the group's partition, apply them to memory and
 *   answer once the partition is fsynced.
 * - Every offsets.retention.check.interval.ms, expired offsets get tombstones
 *   and groups left Empty without offsets are deleted.
 * - The rebalance protocol itself is in classic-protocol.ts, offsets APIs in
 *   offset-apis.ts.
 * - KIP-848 consumer groups (ConsumerGroupHeartbeat) live next to classic
 *   groups (consumer-group-protocol.ts); one id is either kind. Their epoch,
 *   members, target and current assignments are written as Kafka's
 *   ConsumerGroup* records when they change (consumer-group-records.ts,
 *   flushed in the background like offset commits) and replayed on load;
 *   tombstones follow removed members and deleted groups. Their offsets are
 *   stored as for classic groups, and an Empty consumer group without offsets
 *   is deleted by the expiration pass.
 */
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import {
  ClassicGroup,
  ClassicMember,
  type JoinResult,
  joinError,
  type SyncResult,
  syncError,
} from './classic-group.ts';
import { ClassicProtocol, type JoinRequest, type LeavingMember, type SyncRequest } from './classic-protocol.ts';
import { type GroupConfig, readGroupConfig } from './config.ts';
import { ConsumerGroup, ConsumerMember } from './consumer-group.ts';
import { GroupOffsetApis } from './consumer-group-offsets.ts';
import {
  type ConsumerGroupConfig,
  ConsumerGroupProtocol,
  type HeartbeatContext,
  type HeartbeatResult,
  readConsumerGroupConfig,
} from './consumer-group-protocol.ts';
import {
  type ConsumerGroupRecordKey,
  consumerGroupMetadataKey,
  currentAssignmentKey,
  decodeConsumerGroupKey,
  decodeCurrentAssignmentValue,
  decodeEpochValue,
  decodeMemberMetadataValue,
  decodeTargetMemberValue,
  encodeCurrentAssignmentValue,
  encodeEpochValue,
  encodeMemberMetadataValue,
  encodeTargetMemberValue,
  memberMetadataKey,
  targetAssignmentMemberKey,
  targetAssignmentMetadataKey,
} from './consumer-group-records.ts';
import type { TxnOffsetCommit, TxnOffsetResult } from './offset-apis.ts';
import { OffsetStore } from './offset-store.ts';
import { type CoordinatorRecord, type LoadedEntry, OffsetsTopic } from './offsets-topic.ts';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataValue,
  groupMetadataKey,
} from './records.ts';
import { KeyedTimers } from './timers.ts';

export type { TxnOffsetCommit, TxnOffsetResult } from './offset-apis.ts';

const EMPTY = Buffer.alloc(0);
const NOT_REQUESTED = -2147483648;
// AclOperation bits a group supports: READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11
const GROUP_OPS = [3, 6, 8, 10, 11].reduce((acc, op) => acc | (1 << op), 0);

/** One group in a ListGroups answer. */
export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

/** One group in a DescribeGroups answer. */
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }>;
  authorizedOperations: number;
}

/** The values last written for a member of a consumer group (null: none). */
interface PersistedMember {
  meta: Buffer | null;
  target: Buffer | null;
  current: Buffer | null;
}

/** The values last written for a consumer group. */
interface PersistedConsumerGroup {
  epoch: Buffer | null;
  targetEpoch: Buffer | null;
  members: Map<string, PersistedMember>;
}

/** Coordinates every consumer group of this broker. */
export class GroupCoordinator {
  readonly config: GroupConfig;
  readonly logger: Logger;
  readonly timers: KeyedTimers;
  readonly #topic: OffsetsTopic;
  readonly #groups = new Map<string, ClassicGroup>();
  readonly #offsets = new OffsetStore();
  readonly #protocol: ClassicProtocol;
  readonly #offsetApis: GroupOffsetApis;
  readonly consumerConfig: ConsumerGroupConfig;
  readonly #consumerGroups = new Map<string, ConsumerGroup>();
  readonly #consumer: ConsumerGroupProtocol;
  /** What `__consumer_offsets` holds for each consumer group (to write only changes). */
  readonly #persisted = new Map<string, PersistedConsumerGroup>();
  /** Consumer groups changed since their records were last written. */
  readonly #dirty = new Set<string>();
  readonly #background = new Set<Promise<unknown>>();
  readonly #watched = new WeakSet<AbortSignal>();
  #loading: Promise<void> | null = null;
  #loadSeq = 0;
  #active = true;
  #cleanup: NodeJS.Timeout | null = null;

  private constructor(broker: Broker) {
    this.config = readGroupConfig((name, fallback) => broker.brokerConfig(name, fallback));
    this.logger = broker.logger.child({ component: 'group-coordinator' });
    this.timers = new KeyedTimers((err) => this.logger.error({ err }, 'group coordinator timer failed'));
    this.#topic = new OffsetsTopic(broker, this.config);
    this.#protocol = new ClassicProtocol({
      config: this.config,
      timers: this.timers,
      logger: this.logger,
      now: () => Date.now(),
      group: (id) => this.#groups.get(id),
      createGroup: (id) => this.#createGroup(id),
      storeGroup: (group, assignment) => this.#storeGroup(group, assignment),
    });
    this.consumerConfig = readConsumerGroupConfig((name, fallback) => broker.brokerConfig(name, fallback));
    this.#consumer = new ConsumerGroupProtocol({
      config: this.consumerConfig,
      timers: this.timers,
      groups: this.#consumerGroups,
      topics: () => broker.metadata.topicsByName.values(),
      classicInUse: (id) => {
        const g = this.#groups.get(id);
        return g !== undefined && !g.is('Empty') && !g.is('Dead');
      },
      changed: (id) => this.#consumerChanged(id),
    });
    this.#offsetApis = new GroupOffsetApis(
      {
        config: this.config,
        topic: this.#topic,
        offsets: this.#offsets,
        protocol: this.#protocol,
        groups: this.#groups,
        createGroup: (id) => this.#createGroup(id),
        removeGroup: (id) => this.#removeGroup(id),
        status: (id, allowEmpty) => this.status(id, allowEmpty),
        tombstoneGroup: (id) => ({ key: groupMetadataKey(id), value: null }),
        loaded: () => this.loaded(),
      },
      this.#consumerGroups,
    );
  }

  /** Starts the coordinator; groups and offsets load from `__consumer_offsets` in the background. */
  static async start(broker: Broker): Promise<GroupCoordinator> {
    const c = new GroupCoordinator(broker);
    c.#loading = c.#load();
    c.#cleanup = setInterval(() => c.#cleanupGroupMetadata(), c.config.offsetsRetentionCheckIntervalMs);
    c.#cleanup.unref();
    return c;
  }

  /** Resolves when the current load (if any) is done. */
  async loaded(): Promise<void> {
    await this.#loading;
  }

  /**
   * Drops every group and reloads from `__consumer_offsets`, as after a
   * coordinator election: parked JoinGroup/SyncGroup requests get
   * NOT_COORDINATOR, and group APIs answer COORDINATOR_LOAD_IN_PROGRESS until
   * the load (started after `gate`, if given) is done.
   */
  reload(gate?: Promise<void>): Promise<void> {
    for (const g of this.#groups.values()) if (!g.is('Dead')) this.#protocol.unload(g, ErrorCode.NOT_COORDINATOR);
    this.#groups.clear();
    this.#consumerGroups.clear();
    this.#persisted.clear();
    this.#dirty.clear();
    this.#offsets.clear();
    this.timers.reset();
    this.#loading = this.#load(gate);
    return this.#loading;
  }

  async #load(gate?: Promise<void>): Promise<void> {
    const seq = ++this.#loadSeq;
    const stale = (): boolean => !this.#active || seq !== this.#loadSeq;
    const started = Date.now();
    try {
      await gate;
      if (this.#topic.exists) {
        for (let p = 0; p < this.#topic.partitions && !stale(); p++) {
          await this.#topic.load(p, (e) => this.#replay(p, e), stale);
        }
      }
      if (stale()) return;
      for (const g of this.#groups.values()) {
        g.subscribedTopics = g.computeSubscribedTopics();
        this.#protocol.onLoaded(g);
      }
      const now = Date.now();
      for (const g of this.#consumerGroups.values()) this.#consumer.restore(g, now);
      this.logger.info({ groups: this.#groups.size, ms: Date.now() - started }, 'loaded consumer groups and offsets');
    } catch (err) {
      this.logger.error({ err }, 'loading __consumer_offsets failed');
    } finally {
      if (seq === this.#loadSeq) this.#loading = null;
    }
  }

  #replay(partition: number, e: LoadedEntry): void {
    if (e.kind === 'marker') {
      this.#offsets.replayMarker(e.producerId, e.commit, (g) => this.#topic.partitionFor(g) === partition);
      return;
    }
    let key: ReturnType<typeof decodeKey>;
    try {
      key = decodeKey(e.key);
      if (key.type === 'offset') {
        const value = e.value ? decodeOffsetCommitValue(e.value) : null;
        if (value && !this.#groups.has(key.group)) this.#createGroup(key.group);
        this.#offsets.replayCommit(e.offset, e.producerId, key.group, key.topic, key.partition, value);
        if (e.producerId >= 0n) this.#offsetApis.noteProducerEpoch(e.producerId, e.producerEpoch);
      } else if (key.type === 'group') {
        if (e.value) this.#groups.set(key.group, this.#groupFromRecord(key.group, decodeGroupMetadataValue(e.value)));
        else this.#removeGroup(key.group);
      } else {
        const cgKey = decodeConsumerGroupKey(e.key);
        if (cgKey) this.#replayConsumerGroup(cgKey, e.value);
      }
    } catch (err) {
      this.logger.warn({ err, partition, offset: e.offset }, 'skipping an unreadable __consumer_offsets record');
    }
  }

  /** Replays a consumer group record (value null: tombstone). */
  #replayConsumerGroup(key: ConsumerGroupRecordKey, value: Buffer | null): void {
    const id = key.group;
    if (key.type === 'cg-metadata' && value === null) {
      this.#consumerGroups.delete(id);
      this.#persisted.delete(id);
      return;
    }
    let g = this.#consumerGroups.get(id);
    if (!g) {
      if (value === null) return;
      g = new ConsumerGroup(id);
      this.#consumerGroups.set(id, g);
    }
    let p = this.#persisted.get(id);
    if (!p) this.#persisted.set(id, (p = { epoch: null, targetEpoch: null, members: new Map() }));
    if (key.type === 'cg-metadata' || key.type === 'cg-target-metadata') {
      if (key.type === 'cg-metadata') {
        g.groupEpoch = decodeEpochValue(value as Buffer);
        p.epoch = value;
      } else {
        if (value) g.assignmentEpoch = decodeEpochValue(value);
        p.targetEpoch = value;
      }
      return;
    }
    const memberId = key.memberId;
    if (value === null) {
      const pm = p.members.get(memberId);
      if (key.type === 'cg-member') {
        g.remove(memberId);
        p.members.delete(memberId);
        return;
      }
      if (key.type === 'cg-target-member') g.target.delete(memberId);
      else {
        const m = g.members.get(memberId);
        if (m) g.setAssignment(m, new Set(), new Set());
      }
      if (pm) pm[key.type === 'cg-target-member' ? 'target' : 'current'] = null;
      return;
    }
    let pm = p.members.get(memberId);
    if (!pm) p.members.set(memberId, (pm = { meta: null, target: null, current: null }));
    if (key.type === 'cg-target-member') {
      g.target.set(memberId, decodeTargetMemberValue(value));
      pm.target = value;
      return;
    }
    let m = g.members.get(memberId);
    if (!m) m = new ConsumerMember(memberId);
    if (key.type === 'cg-member') {
      const v = decodeMemberMetadataValue(value);
      m.instanceId = v.instanceId;
      m.rackId = v.rackId;
      m.clientId = v.clientId;
      m.clientHost = v.clientHost;
      m.subscribedTopicNames = [...v.subscribedTopicNames].sort();
      m.subscribedTopicRegex = v.subscribedTopicRegex;
      if (v.rebalanceTimeoutMs > 0) m.rebalanceTimeoutMs = v.rebalanceTimeoutMs;
      m.serverAssignor = v.serverAssignor;
      g.add(m);
      pm.meta = value;
    } else {
      const v = decodeCurrentAssignmentValue(value);
      g.add(m);
      m.memberEpoch = v.memberEpoch;
      m.previousMemberEpoch = v.previousMemberEpoch;
      m.state = v.state;
      g.setAssignment(m, v.assigned, v.pendingRevocation);
      pm.current = value;
    }
  }

  /** Notes that a consumer group changed and writes its new records. */
  #consumerChanged(groupId: string): void {
    if (this.#loading || !this.#active) return;
    this.#dirty.add(groupId);
    if (this.#topic.exists) {
      this.#writeConsumerGroups();
      return;
    }
    this.#track(
      this.#topic.ensure().then(
        () => this.#writeConsumerGroups(),
        (err) => this.logger.warn({ err }, 'could not create __consumer_offsets for a consumer group'),
      ),
    );
  }

  /** Appends the records of every changed consumer group; the fsync runs in the background. */
  #writeConsumerGroups(): void {
    if (this.#dirty.size === 0 || !this.#topic.exists) return;
    const byPartition = new Map<number, CoordinatorRecord[]>();
    for (const id of this.#dirty) {
      const records = this.#consumerGroupRecords(id);
      if (records.length === 0) continue;
      const p = this.#topic.partitionFor(id);
      byPartition.set(p, [...(byPartition.get(p) ?? []), ...records]);
    }
    this.#dirty.clear();
    for (const [p, records] of byPartition) {
      try {
        this.#topic.append(p, records);
        this.#track(this.#topic.flush(p)).catch(() => {
          // the log goes offline on a failed fsync; later writes fail too
        });
      } catch (err) {
        this.logger.warn({ err, partition: p }, 'writing consumer group records failed');
      }
    }
  }

  /**
   * The records that bring `__consumer_offsets` from what was last written for
   * the group to its state now (in Kafka's order: group epoch, member
   * metadata, target assignment, current assignments; a removed member's
   * records and a deleted group's are tombstoned).
   */
  #consumerGroupRecords(groupId: string): CoordinatorRecord[] {
    const g = this.#consumerGroups.get(groupId);
    const prev = this.#persisted.get(groupId);
    const out: CoordinatorRecord[] = [];
    const memberTombstones = (memberId: string): void => {
      out.push(
        { key: currentAssignmentKey(groupId, memberId), value: null },
        { key: targetAssignmentMemberKey(groupId, memberId), value: null },
        { key: memberMetadataKey(groupId, memberId), value: null },
      );
    };
    if (!g) {
      if (!prev) return out;
      for (const memberId of prev.members.keys()) memberTombstones(memberId);
      out.push(
        { key: targetAssignmentMetadataKey(groupId), value: null },
        { key: consumerGroupMetadataKey(groupId), value: null },
      );
      this.#persisted.delete(groupId);
      return out;
    }
    let p = prev;
    if (!p) this.#persisted.set(groupId, (p = { epoch: null, targetEpoch: null, members: new Map() }));
    const epoch = encodeEpochValue(g.groupEpoch);
    if (!p.epoch?.equals(epoch)) {
      out.push({ key: consumerGroupMetadataKey(groupId), value: epoch });
      p.epoch = epoch;
    }
    for (const memberId of [...p.members.keys()]) {
      if (g.members.has(memberId)) continue;
      memberTombstones(memberId);
      p.members.delete(memberId);
    }
    const targets: CoordinatorRecord[] = [];
    const currents: CoordinatorRecord[] = [];
    for (const m of g.members.values()) {
      let pm = p.members.get(m.memberId);
      if (!pm) p.members.set(m.memberId, (pm = { meta: null, target: null, current: null }));
      const meta = encodeMemberMetadataValue({
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        serverAssignor: m.serverAssignor,
      });
      if (!pm.meta?.equals(meta)) {
        out.push({ key: memberMetadataKey(groupId, m.memberId), value: meta });
        pm.meta = meta;
      }
      const target = encodeTargetMemberValue(g.target.get(m.memberId) ?? []);
      if (!pm.target?.equals(target)) {
        targets.push({ key: targetAssignmentMemberKey(groupId, m.memberId), value: target });
        pm.target = target;
      }
      const current = encodeCurrentAssignmentValue(m);
      if (!pm.current?.equals(current)) {
        currents.push({ key: currentAssignmentKey(groupId, m.memberId), value: current });
        pm.current = current;
      }
    }
    out.push(...targets);
    const targetEpoch = encodeEpochValue(g.assignmentEpoch);
    if (!p.targetEpoch?.equals(targetEpoch)) {
      out.push({ key: targetAssignmentMetadataKey(groupId), value: targetEpoch });
      p.targetEpoch = targetEpoch;
    }
    out.push(...currents);
    return out;
  }

  #groupFromRecord(groupId: string, v: ReturnType<typeof decodeGroupMetadataValue>): ClassicGroup {
    const g = new ClassicGroup(groupId, Date.now(), v.members.length > 0 ? 'Stable' : 'Empty');
    g.generationId = v.generation;
    g.protocolType = v.protocolType === '' ? null : v.protocolType;
    g.protocolName = v.protocol;
    g.leaderId = v.leader;
    g.stateTimestamp = v.currentStateTimestamp === -1 ? null : v.currentStateTimestamp;
    for (const m of v.members) {
      g.add(
        new ClassicMember({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          protocolType: v.protocolType,
          protocols: [{ name: v.protocol ?? '', metadata: m.subscription }],
          assignment: m.assignment,
        }),
      );
    }
    return g;
  }

  #createGroup(groupId: string): ClassicGroup {
    const g = new ClassicGroup(groupId, Date.now());
    this.#groups.set(groupId, g);
    return g;
  }

  #removeGroup(groupId: string): void {
    const g = this.#groups.get(groupId);
    if (!g) return;
    if (!g.is('Dead')) g.transitionTo('Dead', Date.now());
    this.#groups.delete(groupId);
  }

  /** Writes the group's metadata with `assignment` (not replayed: memory is ahead already). */
  #storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<void> {
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.stateTimestamp ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadata(group.protocolName),
        assignment: assignment.get(m.memberId) ?? EMPTY,
      })),
    });
    const record: CoordinatorRecord = { key: groupMetadataKey(group.groupId), value };
    return this.#track(
      (async () => {
        await this.#topic.ensure();
        const p = this.#topic.partitionFor(group.groupId);
        this.#topic.append(p, [record]);
        await this.#topic.flush(p);
      })(),
    );
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#background.add(p);
    const done = (): void => {
      this.#background.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /**
   * The error every group API answers before looking at the group, or NONE:
   * INVALID_GROUP_ID for an empty id (where Kafka requires one),
   * COORDINATOR_NOT_AVAILABLE when stopped, COORDINATOR_LOAD_IN_PROGRESS
   * while loading.
   */
  status(groupId: string, allowEmptyId = false): number {
    if (!this.#active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!allowEmptyId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (this.#loading) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** Answers parked requests when the broker shuts down (the listener waits for them). */
  watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    this.#watched.add(signal);
    if (signal.aborted) this.#shutdown();
    else signal.addEventListener('abort', () => this.#shutdown(), { once: true });
  }

  #shutdown(): void {
    if (!this.#active) return;
    this.#active = false;
    this.timers.clear();
    if (this.#cleanup) clearInterval(this.#cleanup);
    for (const g of this.#groups.values()) if (!g.is('Dead')) this.#protocol.unload(g, ErrorCode.NOT_COORDINATOR);
  }

  // ---- FindCoordinator ------------------------------------------------------

  /** Makes sure `__consumer_offsets` exists (FindCoordinator creates it on first use). */
  ensureOffsetsTopic(): Promise<void> {
    return this.#topic.ensure();
  }

  /** The `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number {
    return this.#topic.partitionFor(groupId);
  }

  // ---- membership -------------------------------------------------------------

  /** JoinGroup. */
  async joinGroup(req: JoinRequest): Promise<JoinResult> {
    if (!this.#active) return joinError(req.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (req.groupId === '') return joinError(req.memberId, ErrorCode.INVALID_GROUP_ID);
    if (
      req.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    if (this.#loading) return joinError('', ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const cg = this.#consumerGroups.get(req.groupId);
    if (cg) {
      // classic members cannot join a consumer group in use; an empty one gives way
      if (cg.members.size > 0) return joinError(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      this.#consumerGroups.delete(req.groupId);
      this.#consumerChanged(req.groupId);
    }
    return this.#protocol.join(req);
  }

  /** SyncGroup. */
  async syncGroup(req: SyncRequest): Promise<SyncResult> {
    const error = this.status(req.groupId);
    if (error !== ErrorCode.NONE) return syncError(error);
    return this.#protocol.sync(req);
  }

  /** Heartbeat; returns its error code. */
  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const error = this.status(groupId);
    // while loading, heartbeats are answered blindly (Kafka does the same)
    if (error === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (error !== ErrorCode.NONE) return error;
    return this.#protocol.heartbeat(groupId, memberId, groupInstanceId, generationId);
  }

  /** LeaveGroup: a top-level error, or one error per member. */
  leaveGroup(groupId: string, members: readonly LeavingMember[]): { errorCode: number; members: number[] } {
    const error = this.status(groupId);
    if (error !== ErrorCode.NONE) return { errorCode: error, members: [] };
    try {
      return { errorCode: ErrorCode.NONE, members: this.#protocol.leave(groupId, members) };
    } catch (err) {
      const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
      // an unknown group: every member is unknown
      if (code === ErrorCode.UNKNOWN_MEMBER_ID) return { errorCode: ErrorCode.NONE, members: members.map(() => code) };
      return { errorCode: code, members: [] };
    }
  }

  // ---- group administration -------------------------------------------------

  /** ListGroups with Kafka's state filter (v4+) and type filter (v5+), both case-insensitive. */
  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): { errorCode: number; groups: ListedGroup[] } {
    if (!this.#active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (this.#loading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.trim().toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const g of this.#consumerGroups.values()) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('consumer')) continue;
      groups.push({ groupId: g.groupId, protocolType: 'consumer', groupState: g.state, groupType: 'consumer' });
    }
    for (const g of this.#groups.values()) {
      if (this.#consumerGroups.has(g.groupId)) continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({
        groupId: g.groupId,
        protocolType: g.protocolType ?? '',
        groupState: g.state,
        groupType: 'classic',
      });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** DescribeGroups; an unknown group is reported Dead with no error, as Kafka does. */
  describeGroups(groupIds: readonly string[], includeAuthorizedOperations: boolean): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const base = {
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: NOT_REQUESTED,
      };
      const error = this.status(groupId, true);
      if (error !== ErrorCode.NONE) return { ...base, errorCode: error };
      const ops = includeAuthorizedOperations ? GROUP_OPS : NOT_REQUESTED;
      // DescribeGroups describes classic groups only: a consumer group is reported Dead, as Kafka does
      const g = this.#consumerGroups.has(groupId) ? undefined : this.#groups.get(groupId);
      if (!g || g.is('Dead'))
        return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead', authorizedOperations: ops };
      const stable = g.is('Stable');
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        groupState: g.state,
        protocolType: g.protocolType ?? '',
        protocolData: stable ? (g.protocolName ?? '') : '',
        authorizedOperations: ops,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadata(g.protocolName) : EMPTY,
          memberAssignment: stable ? m.assignment : EMPTY,
        })),
      };
    });
  }

  /** DeleteGroups: only Empty groups; their offsets go with them. */
  async deleteGroups(groupIds: readonly string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const done = new Map<string, number>();
    for (const id of groupIds) {
      const cg = this.#consumerGroups.get(id);
      if (!cg || this.status(id) !== ErrorCode.NONE) continue;
      if (cg.members.size > 0) done.set(id, ErrorCode.NON_EMPTY_GROUP);
      else {
        this.#consumerGroups.delete(id);
        this.#consumerChanged(id);
        // without offsets there is no classic record to delete
        if (!this.#groups.has(id)) done.set(id, ErrorCode.NONE);
      }
    }
    const rest = await this.#offsetApis.deleteGroups(groupIds.filter((id) => !done.has(id)));
    const byId = new Map(rest.map((r) => [r.groupId, r.errorCode]));
    return groupIds.map((groupId) => ({ groupId, errorCode: done.get(groupId) ?? byId.get(groupId) ?? 0 }));
  }

  // ---- KIP-848 consumer groups ------------------------------------------------

  /** ConsumerGroupHeartbeat. */
  consumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): HeartbeatResult {
    const error = this.status(req.groupId, true);
    if (error !== ErrorCode.NONE) {
      return {
        errorCode: error,
        errorMessage: null,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
    }
    return this.#consumer.heartbeat(req, ctx);
  }

  /** ConsumerGroupDescribe for each id. */
  consumerGroupDescribe(
    groupIds: readonly string[],
    includeAuthorizedOperations: boolean,
  ): Array<ReturnType<ConsumerGroupProtocol['describe']> & { authorizedOperations: number }> {
    const ops = includeAuthorizedOperations ? GROUP_OPS : NOT_REQUESTED;
    return groupIds.map((groupId) => {
      const error = this.status(groupId);
      if (error !== ErrorCode.NONE) {
        return {
          errorCode: error,
          errorMessage: null,
          groupId,
          groupState: '',
          groupEpoch: 0,
          assignmentEpoch: 0,
          assignorName: '',
          members: [],
          authorizedOperations: ops,
        };
      }
      return { ...this.#consumer.describe(groupId), authorizedOperations: ops };
    });
  }

  // ---- offsets ----------------------------------------------------------------

  /** The offsets APIs (OffsetCommit, OffsetFetch, OffsetDelete). */
  get offsets(): GroupOffsetApis {
    return this.#offsetApis;
  }

  /**
   * Stages offsets of a transaction (TxnOffsetCommit); they become committed
   * offsets only when {@link completeTransaction} is called with commit=true.
   * Throws a KafkaError for a group-level error (to answer for every
   * partition); returns each partition's error code otherwise.
   */
  stageTxnOffsets(commit: TxnOffsetCommit): Promise<TxnOffsetResult[]> {
    return this.#offsetApis.stageTxnOffsets(commit);
  }

  /** Applies (commit) or drops (abort) the offsets staged by a producer for a group. */
  completeTransaction(groupId: string, producerId: bigint, commit: boolean, producerEpoch?: number): Promise<void> {
    return this.#offsetApis.completeTransaction(groupId, producerId, commit, producerEpoch);
  }

  // ---- expiration -------------------------------------------------------------

  #cleanupGroupMetadata(): void {
    if (!this.#active || this.#loading) return;
    const job = this.#expire(Date.now()).catch((err) => {
      this.logger.warn({ err }, 'offset expiration failed');
    });
    this.#track(job);
  }

  /** Runs one offset-expiration pass now (what the periodic task does). */
  async expireOffsets(now = Date.now()): Promise<void> {
    await this.#expire(now);
  }

  /** Expires offsets, then deletes Empty consumer groups left without offsets (as Kafka's cleanupGroupMetadata). */
  async #expire(now: number): Promise<void> {
    await this.#offsetApis.cleanupExpired(now);
    for (const [id, g] of [...this.#consumerGroups]) {
      if (g.members.size > 0 || this.#offsets.hasOffsets(id) || this.#offsets.hasOpenTransactions(id)) continue;
      this.#consumerGroups.delete(id);
      this.#consumerChanged(id);
    }
  }

  /** A topic was deleted: its committed offsets go too (best effort while loading). */
  async onTopicDeleted(topic: string): Promise<void> {
    await this.#offsetApis.removeTopic(topic);
  }

  /** Stops timers and waits for writes in flight. */
  async close(): Promise<void> {
    this.#shutdown();
    await Promise.allSettled([...this.#background, this.#loading]);
  }
}
