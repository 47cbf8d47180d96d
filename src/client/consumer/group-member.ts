/**
 * A member of a classic group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) for
 * any protocol type: the consumer uses it with 'consumer'; services use it
 * with their own type for leader election and work distribution, as Kafka
 * Connect and Schema Registry do.
 *
 * - Join: FindCoordinator (cached by the cluster), JoinGroup; v4+ brokers
 *   answer a new dynamic member MEMBER_ID_REQUIRED with its id, and the
 *   member joins again with it. The leader gets every member's metadata and
 *   runs `assign`; SyncGroup hands each member its part, then `onAssigned`.
 * - Heartbeats every heartbeatIntervalMs while the generation is valid,
 *   including while callbacks run. REBALANCE_IN_PROGRESS → rejoin;
 *   UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION → the generation is lost
 *   (`onRevoked({ lost: true })`) and the member joins afresh;
 *   NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / a broken connection →
 *   the coordinator is looked up again.
 * - Before every rejoin that follows an assignment, `onRevoked` runs.
 * - Fatal (the member stops, `start()` rejects or `onError` is called):
 *   FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, GROUP_MAX_SIZE_REACHED,
 *   INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, GROUP_AUTHORIZATION_FAILED,
 *   UNSUPPORTED_VERSION.
 * - stop(): runs `onRevoked` and sends LeaveGroup. A static member
 *   (groupInstanceId) stays in the group until its session times out, as
 *   Java's clients do, unless `stop({ leave: true })`.
 * - JoinGroup and SyncGroup may wait up to the rebalance timeout at the
 *   broker, so they run on a connection of the member's own.
 */
import { type Cluster, CoordinatorType, type Logger } from '../cluster.ts';
import type { Connection } from '../connection.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { FATAL, type GroupMemberOptions, type MemberGeneration, REJOIN_NOW } from './group-member-options.ts';
import { OwnConnections, requestTimeout, Signal } from './util.ts';

export type {
  GroupAssignment,
  GroupMemberOptions,
  GroupProtocol,
  JoinedMember,
  MemberGeneration,
} from './group-member-options.ts';

export class GroupMember {
  readonly #cluster: Cluster;
  readonly #o: GroupMemberOptions;
  readonly #conns: OwnConnections;
  readonly #log: Logger;
  readonly #wake = new Signal();
  #memberId = '';
  #generationId = -1;
  #protocol: string | null = null;
  #leaderId = '';
  #state: 'unjoined' | 'joining' | 'stable' = 'unjoined';
  #rejoin = true;
  #reason = 'joining the group';
  /** onAssigned ran and onRevoked did not since. */
  #hasAssignment = false;
  /** An assignment was handed out since the last loss (the application may still hold it). */
  #holding = false;
  /** The generation was lost while holding: the next onRevoked says `lost`. */
  #lost = false;
  #stopping = false;
  #error: Error | null = null;
  #loop: Promise<void> | null = null;
  #started: Promise<void> | null = null;
  #stopped: Promise<void> | null = null;
  #first: { resolve: () => void; reject: (err: Error) => void; done: boolean } | null = null;
  #hbTimer: NodeJS.Timeout | null = null;

  constructor(cluster: Cluster, options: GroupMemberOptions) {
    if (!options.groupId) throw new TypeError('groupId must not be empty');
    if (!options.protocolType) throw new TypeError('protocolType must not be empty');
    this.#cluster = cluster;
    this.#o = options;
    this.#conns = new OwnConnections(cluster);
    this.#log = options.logger ?? cluster.logger;
    if (this.#heartbeatIntervalMs >= this.#sessionTimeoutMs) {
      throw new TypeError('heartbeatIntervalMs must be lower than sessionTimeoutMs');
    }
  }

  get #sessionTimeoutMs(): number {
    return this.#o.sessionTimeoutMs ?? 45_000;
  }

  get #rebalanceTimeoutMs(): number {
    return this.#o.rebalanceTimeoutMs ?? 300_000;
  }

  get #heartbeatIntervalMs(): number {
    return this.#o.heartbeatIntervalMs ?? 3000;
  }

  /** The current generation; generationId -1 outside one. */
  generation(): MemberGeneration {
    return {
      generationId: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: this.#o.groupInstanceId ?? null,
      protocol: this.#protocol,
    };
  }

  /** Whether this member led the last completed rebalance. */
  get isLeader(): boolean {
    return this.#state === 'stable' && this.#memberId !== '' && this.#memberId === this.#leaderId;
  }

  /** Whether the member holds a valid generation and is not rebalancing. */
  get stable(): boolean {
    return this.#state === 'stable' && !this.#rejoin;
  }

  /** The fatal error that stopped the member, if any. */
  get error(): Error | null {
    return this.#error;
  }

  /** Joins the group; resolves after the first assignment was handed to `onAssigned`. */
  start(): Promise<void> {
    if (this.#started) return this.#started;
    if (this.#stopping) return Promise.reject(new Error('the group member was stopped'));
    this.#started = new Promise<void>((resolve, reject) => {
      this.#first = { resolve, reject, done: false };
    });
    this.#loop = this.#run();
    return this.#started;
  }

  /** Asks for a rebalance (a changed subscription, or revoked partitions to hand over). */
  requestRejoin(reason: string): void {
    if (this.#stopping) return;
    this.#rejoin = true;
    this.#reason = reason;
    this.#wake.notify();
  }

  /** Leaves the group (see the header for static members). */
  stop(opts: { leave?: boolean } = {}): Promise<void> {
    this.#stopped ??= this.#stop(opts.leave ?? this.#o.groupInstanceId === undefined);
    return this.#stopped;
  }

  async #stop(leave: boolean): Promise<void> {
    this.#stopping = true;
    this.#wake.notify();
    // a JoinGroup or SyncGroup parked at the broker would hold the loop up to the rebalance timeout
    if (this.#state === 'joining') this.#conns.closeAll();
    await this.#loop;
    if (this.#holding) {
      try {
        await this.#o.onRevoked?.({ lost: this.#lost });
      } catch (err) {
        this.#log.warn?.({ err, groupId: this.#o.groupId }, 'onRevoked failed while stopping');
      }
      this.#hasAssignment = false;
    }
    this.#state = 'unjoined';
    this.#stopHeartbeats();
    if (leave && this.#memberId !== '' && this.#error === null) {
      try {
        await this.#leaveGroup();
      } catch (err) {
        this.#log.debug?.({ err, groupId: this.#o.groupId }, 'LeaveGroup failed');
      }
    }
    this.#conns.close();
    this.#settleFirst(new Error(`the member of group ${this.#o.groupId} was stopped before its first assignment`));
  }

  async #leaveGroup(): Promise<void> {
    const conn = await this.#coordinator();
    const member = { memberId: this.#memberId, groupInstanceId: this.#o.groupInstanceId ?? null, reason: 'stopping' };
    const res = await conn.request(ApiKey.LeaveGroup, (v) =>
      v >= 3 ? { groupId: this.#o.groupId, members: [member] } : { groupId: this.#o.groupId, memberId: this.#memberId },
    );
    if (res.errorCode !== ErrorCode.NONE) {
      this.#log.debug?.({ errorCode: res.errorCode, groupId: this.#o.groupId }, 'LeaveGroup answered an error');
    }
  }

  #settleFirst(err?: Error): void {
    const f = this.#first;
    if (!f || f.done) return;
    f.done = true;
    if (err) f.reject(err);
    else f.resolve();
  }

  #fail(err: Error): void {
    this.#error = err;
    this.#stopping = true;
    this.#state = 'unjoined';
    this.#stopHeartbeats();
    this.#wake.notify();
    const before = this.#first && !this.#first.done;
    this.#settleFirst(err);
    if (!before) this.#o.onError?.(err);
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopping) {
      if (!this.#rejoin) {
        await this.#wake.wait();
        continue;
      }
      try {
        await this.#joinOnce();
        attempt = 0;
      } catch (err) {
        if (this.#stopping) break;
        if (this.#state === 'joining') this.#state = 'unjoined';
        this.#rejoin = true;
        const code = err instanceof KafkaError ? err.code : -1;
        if (FATAL.has(code)) {
          this.#fail(err as Error);
          break;
        }
        this.#log.debug?.({ err, groupId: this.#o.groupId }, 'join failed; retrying');
        if (code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.REQUEST_TIMED_OUT) this.#coordinatorLost();
        if (!REJOIN_NOW.has(code)) {
          const backoff = Math.min(1000, (this.#o.retryBackoffMs ?? 100) * 2 ** attempt++);
          await this.#wake.wait(backoff);
        }
      }
    }
  }

  async #joinOnce(): Promise<void> {
    if (this.#hasAssignment || this.#lost) {
      const lost = this.#lost;
      await this.#o.onRevoked?.({ lost });
      this.#hasAssignment = false;
      this.#lost = false;
      if (lost) this.#holding = false;
    }
    if (this.#stopping) return;
    this.#rejoin = false;
    const protocols = typeof this.#o.protocols === 'function' ? await this.#o.protocols() : this.#o.protocols;
    if (this.#stopping) return;
    this.#state = 'joining';
    this.#stopHeartbeats();
    const timeoutMs = Math.max(requestTimeout(this.#cluster), this.#rebalanceTimeoutMs + 5000);
    const { groupId, protocolType } = this.#o;
    const groupInstanceId = this.#o.groupInstanceId ?? null;

    let assignment: Buffer = Buffer.alloc(0);
    for (let attempt = 0; ; attempt++) {
      const conn = await this.#coordinator();
      if (this.#stopping) return;
      const res = await conn.request(
        ApiKey.JoinGroup,
        {
          groupId,
          sessionTimeoutMs: this.#sessionTimeoutMs,
          rebalanceTimeoutMs: this.#rebalanceTimeoutMs,
          memberId: this.#memberId,
          groupInstanceId,
          protocolType,
          protocols,
          reason: this.#reason,
        },
        { timeoutMs },
      );
      if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED && attempt < 3) {
        this.#memberId = res.memberId;
        continue;
      }
      this.#check(res.errorCode, 'JoinGroup');
      this.#memberId = res.memberId;
      this.#generationId = res.generationId;
      this.#protocol = res.protocolName ?? '';
      this.#leaderId = res.leader;
      let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
      if (res.leader === res.memberId && !res.skipAssignment) {
        const members = res.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          metadata: m.metadata,
        }));
        const map = await this.#o.assign(members, this.#protocol);
        assignments = [...map].map(([memberId, assignment]) => ({ memberId, assignment }));
      }
      if (this.#stopping) return;
      const sync = await conn.request(
        ApiKey.SyncGroup,
        {
          groupId,
          generationId: this.#generationId,
          memberId: this.#memberId,
          groupInstanceId,
          protocolType,
          protocolName: this.#protocol,
          assignments,
        },
        { timeoutMs },
      );
      this.#check(sync.errorCode, 'SyncGroup');
      assignment = sync.assignment;
      break;
    }
    this.#state = 'stable';
    this.#hasAssignment = true;
    this.#holding = true;
    this.#scheduleHeartbeat();
    this.#log.debug?.({ groupId, generationId: this.#generationId, memberId: this.#memberId }, 'joined the group');
    await this.#o.onAssigned({
      assignment,
      generationId: this.#generationId,
      memberId: this.#memberId,
      leaderId: this.#leaderId,
      isLeader: this.#memberId === this.#leaderId,
      protocol: this.#protocol ?? '',
    });
    this.#settleFirst();
  }

  /** Throws for an error code, after updating what it invalidates. */
  #check(code: number, what: string): void {
    if (code === ErrorCode.NONE) return;
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.#coordinatorLost();
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) this.#resetGeneration(code);
    throw new KafkaError(code, `${what} in group ${this.#o.groupId}: ${new KafkaError(code).message}`);
  }

  #resetGeneration(code: number): void {
    if (this.#holding) this.#lost = true;
    this.#hasAssignment = false;
    this.#generationId = -1;
    this.#state = 'unjoined';
    this.#stopHeartbeats();
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = '';
  }

  #coordinatorLost(): void {
    this.#cluster.invalidateCoordinator(CoordinatorType.GROUP, this.#o.groupId);
    this.#conns.closeAll();
  }

  async #coordinator(): Promise<Connection> {
    const b = await this.#cluster.coordinator(CoordinatorType.GROUP, this.#o.groupId);
    return this.#conns.toBroker(b);
  }

  #stopHeartbeats(): void {
    if (this.#hbTimer) clearTimeout(this.#hbTimer);
    this.#hbTimer = null;
  }

  #scheduleHeartbeat(): void {
    if (this.#hbTimer || this.#state !== 'stable' || this.#error) return;
    this.#hbTimer = setTimeout(() => {
      this.#hbTimer = null;
      void this.#heartbeat();
    }, this.#heartbeatIntervalMs);
  }

  async #heartbeat(): Promise<void> {
    if (this.#state !== 'stable') return;
    const generationId = this.#generationId;
    try {
      const conn = await this.#coordinator();
      const res = await conn.request(ApiKey.Heartbeat, {
        groupId: this.#o.groupId,
        generationId,
        memberId: this.#memberId,
        groupInstanceId: this.#o.groupInstanceId ?? null,
      });
      if (this.#state !== 'stable' || generationId !== this.#generationId) return;
      const code = res.errorCode;
      if (code === ErrorCode.NONE) return;
      if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.requestRejoin('the group is rebalancing');
      } else if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) {
        this.#log.debug?.({ groupId: this.#o.groupId, code }, 'heartbeat: the generation is lost');
        this.#resetGeneration(code);
        this.requestRejoin('the generation was lost');
      } else if (code === ErrorCode.FENCED_INSTANCE_ID) {
        this.#fail(new KafkaError(code, `group ${this.#o.groupId}: instance id ${this.#o.groupInstanceId} was fenced`));
      } else if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
        this.#coordinatorLost();
      }
    } catch (err) {
      this.#log.debug?.({ err, groupId: this.#o.groupId }, 'heartbeat failed');
      if (this.#state === 'stable') this.#coordinatorLost();
    } finally {
      this.#scheduleHeartbeat();
    }
  }
}
