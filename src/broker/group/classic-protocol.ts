/**
 * The classic rebalance protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) as Kafka's GroupMetadataManager runs it for classic groups:
 *
 * - Join: v4+ dynamic members first get MEMBER_ID_REQUIRED with their id (and
 *   are "pending" for a session timeout); static members (group.instance.id)
 *   replace their previous member id, fencing it (FENCED_INSTANCE_ID).
 * - A join starts (or completes) a rebalance. The initial one, from Empty,
 *   waits group.initial.rebalance.delay.ms, extended while new members keep
 *   arriving, up to the rebalance timeout; later ones complete when every
 *   member rejoined, or at the rebalance timeout, dropping dynamic members
 *   that did not rejoin.
 * - Completing the join phase bumps the generation, selects the protocol by
 *   vote among those every member supports, and answers every JoinGroup; the
 *   leader gets the members' metadata. The group then waits for the leader's
 *   SyncGroup, persists the assignment to `__consumer_offsets`, and answers
 *   every SyncGroup (Stable). Members that do not sync within the rebalance
 *   timeout are removed and the group rebalances.
 * - Every member has a session deadline (its session timeout), pushed back by
 *   heartbeats, commits and rebalance progress; missing it removes the member.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError, toKafkaError } from '../../protocol/errors.ts';
import {
  type ClassicGroup,
  ClassicMember,
  type JoinResult,
  joinError,
  type Protocol,
  type SyncResult,
  syncError,
} from './classic-group.ts';
import type { GroupConfig } from './config.ts';
import type { KeyedTimers } from './timers.ts';

const EMPTY = Buffer.alloc(0);

/** A JoinGroup as the coordinator sees it (request fields plus connection facts). */
export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason: string | null;
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

/** A SyncGroup as the coordinator sees it. */
export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

/** One member named in a LeaveGroup. */
export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

/** What the protocol needs from the coordinator. */
export interface ProtocolHost {
  readonly config: GroupConfig;
  readonly timers: KeyedTimers;
  readonly logger: Logger;
  now(): number;
  group(groupId: string): ClassicGroup | undefined;
  createGroup(groupId: string): ClassicGroup;
  /** Persists the group with `assignment`; resolves once durable, rejects with the error to answer. */
  storeGroup(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): Promise<void>;
}

const hbKey = (groupId: string, memberId: string): string => `hb\u0000${groupId}\u0000${memberId}`;
const joinKey = (groupId: string): string => `join\u0000${groupId}`;
const syncKey = (groupId: string): string => `sync\u0000${groupId}`;

/** JoinGroup, SyncGroup, Heartbeat and LeaveGroup over the coordinator's classic groups. */
export class ClassicProtocol {
  readonly #host: ProtocolHost;

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get #timers(): KeyedTimers {
    return this.#host.timers;
  }

  // ---- JoinGroup ------------------------------------------------------------

  /** Handles a JoinGroup; resolves when the member's join phase ends (or at once with an error). */
  join(req: JoinRequest): Promise<JoinResult> {
    return new Promise((resolve) => {
      const now = this.#join(req, resolve);
      if (now) resolve(now);
    });
  }

  /** The answer to give at once, or null when the request is parked (`resolve` is called later). */
  #join(req: JoinRequest, resolve: (r: JoinResult) => void): JoinResult | null {
    const isUnknown = req.memberId === '';
    let group = this.#host.group(req.groupId);
    if (!group) {
      // a member id for a group that does not exist: the member must start over
      if (!isUnknown) return joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.#host.createGroup(req.groupId);
    }
    if (!this.#acceptJoiningMember(group, req.memberId)) {
      group.remove(req.memberId);
      return joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED);
    }
    return isUnknown ? this.#joinNewMember(group, req, resolve) : this.#joinExistingMember(group, req, resolve);
  }

  #acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const max = this.#host.config.maxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        // awaiting members count, so lowering group.max.size trims the last rejoiners
        return (group.members.get(memberId)?.awaitingJoin ?? null) !== null || group.numAwaitingJoin < max;
      default:
        return group.members.has(memberId) || group.size < max;
    }
  }

  #joinNewMember(group: ClassicGroup, req: JoinRequest, resolve: (r: JoinResult) => void): JoinResult | null {
    if (group.is('Dead')) return joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      return joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const existing = group.staticMemberId(req.groupInstanceId);
      if (existing !== undefined) this.#replaceStaticMember(group, req, existing, newMemberId, resolve);
      else this.#addMember(group, req, newMemberId, resolve);
      return null;
    }
    if (req.apiVersion >= 4) {
      // KIP-394: hand out the id first; the member rejoins with it
      group.addPendingMember(newMemberId);
      this.#timers.schedule(hbKey(group.groupId, newMemberId), req.sessionTimeoutMs, () =>
        this.#expireHeartbeat(group.groupId, newMemberId),
      );
      return joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED);
    }
    this.#addMember(group, req, newMemberId, resolve);
    return null;
  }

  #joinExistingMember(group: ClassicGroup, req: JoinRequest, resolve: (r: JoinResult) => void): JoinResult | null {
    const { memberId } = req;
    if (group.is('Dead')) return joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      return joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.isPendingMember(memberId)) {
      // Kafka fails such a request (a pending member is never static) with an internal error
      if (req.groupInstanceId !== null) return joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR);
      this.#addMember(group, req, memberId, resolve);
      return null;
    }
    const error = this.validateMember(group, memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return joinError(memberId, error);
    const member = group.members.get(memberId) as ClassicMember;
    const unchanged = member.matches(req.protocols);
    switch (group.state) {
      case 'CompletingRebalance':
        // a retry of a JoinGroup whose answer was lost: answer it again
        if (unchanged) return this.#joinAnswer(group, member, group.isLeader(memberId));
        break;
      case 'Stable':
        // the leader rejoining forces a rebalance (e.g. the topics' partitions changed)
        if (unchanged && !group.isLeader(memberId)) return this.#joinAnswer(group, member, false);
        break;
      case 'PreparingRebalance':
        break;
      default:
        return joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve);
    this.#maybePrepareRebalanceOrCompleteJoin(group);
    return null;
  }

  #joinAnswer(group: ClassicGroup, member: ClassicMember, withMembers: boolean, skipAssignment = false): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      memberId: member.memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment,
      members: withMembers ? group.currentMembers() : [],
    };
  }

  #addMember(group: ClassicGroup, req: JoinRequest, memberId: string, resolve: (r: JoinResult) => void): void {
    const member = new ClassicMember({
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
    });
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
    group.add(member, resolve);
    // a parked JoinGroup cannot heartbeat; new members time out after 5 minutes instead
    this.#rescheduleHeartbeat(group, member, this.#host.config.newMemberJoinTimeoutMs);
    this.#maybePrepareRebalanceOrCompleteJoin(group);
  }

  /** A known static member joined with a fresh member id: swap ids, and rebalance only if needed. */
  #replaceStaticMember(
    group: ClassicGroup,
    req: JoinRequest,
    oldMemberId: string,
    newMemberId: string,
    resolve: (r: JoinResult) => void,
  ): void {
    const instanceId = req.groupInstanceId as string;
    const currentLeader = group.leaderId ?? '';
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.rescheduleHeartbeat(group, member);
    const oldProtocols = member.protocols;
    const oldRebalance = member.rebalanceTimeoutMs;
    const oldSession = member.sessionTimeoutMs;
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve);
    if (group.is('Stable')) {
      if (group.protocolName !== group.selectProtocol()) {
        this.#maybePrepareRebalanceOrCompleteJoin(group);
        return;
      }
      const generation = group.generationId;
      const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
      this.#host.storeGroup(group, assignment).then(
        () => {
          if (req.apiVersion >= 9) {
            // KIP-814: a static leader learns it leads but keeps the current assignment
            const isLeader = group.isLeader(newMemberId);
            group.completeJoin(member, this.#joinAnswer(group, member, isLeader, isLeader));
          } else {
            // older clients: report the previous leader so this member does not assign
            group.completeJoin(member, { ...this.#joinAnswer(group, member, false), leader: currentLeader });
          }
        },
        (err) => {
          this.#host.logger.warn({ err, group: group.groupId }, 'failed to persist a replaced static member');
          if (group.members.get(newMemberId) === member && member.awaitingJoin === resolve) {
            // undo the replacement: the previous member id stays valid
            group.updateMember(member, oldProtocols, oldRebalance, oldSession, null);
            this.rescheduleHeartbeat(group, group.replaceStaticMember(instanceId, newMemberId, oldMemberId));
          }
          resolve({
            ...joinError('', toKafkaError(err).code),
            generationId: generation,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            leader: currentLeader,
          });
        },
      );
      return;
    }
    // in CompletingRebalance the leader may have assigned to the old id already
    if (group.is('CompletingRebalance')) this.prepareRebalance(group);
    else this.#maybeCompleteJoinPhase(group);
  }

  #maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup): void {
    if (group.canRebalance()) this.prepareRebalance(group);
    else this.#maybeCompleteJoinPhase(group);
  }

  #maybeCompleteJoinPhase(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return;
    if (group.previousState === 'Empty') return; // the initial rebalance ends on its timer
    if (!group.hasAllMembersJoined()) return;
    this.#completeJoin(group);
  }

  /** Moves the group to PreparingRebalance (answering parked SyncGroups with REBALANCE_IN_PROGRESS). */
  prepareRebalance(group: ClassicGroup): void {
    if (group.is('CompletingRebalance')) this.#resetAndPropagateError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.#removeSyncExpiration(group);
    const initial = group.is('Empty');
    if (initial) {
      const delay = this.#host.config.initialRebalanceDelayMs;
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      this.#timers.schedule(joinKey(group.groupId), delay, () =>
        this.#tryCompleteInitialRebalance(group.groupId, delay, remaining),
      );
    }
    group.transitionTo('PreparingRebalance', this.#host.now());
    if (initial) return;
    if (group.hasAllMembersJoined()) this.#completeJoin(group);
    else this.#scheduleJoinDeadline(group);
  }

  #scheduleJoinDeadline(group: ClassicGroup): void {
    const { groupId } = group;
    this.#timers.schedule(joinKey(groupId), group.rebalanceTimeoutMs(), () => {
      const g = this.#host.group(groupId);
      if (g) this.#completeJoin(g);
    });
  }

  #tryCompleteInitialRebalance(groupId: string, delayMs: number, remainingMs: number): void {
    const group = this.#host.group(groupId);
    if (!group) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const delay = Math.min(this.#host.config.initialRebalanceDelayMs, remainingMs);
      const remaining = Math.max(remainingMs - delayMs, 0);
      this.#timers.schedule(joinKey(groupId), delay, () =>
        this.#tryCompleteInitialRebalance(groupId, delay, remaining),
      );
    } else {
      this.#completeJoin(group);
    }
  }

  /** Ends the join phase: drops dynamic members that did not rejoin and starts the next generation. */
  #completeJoin(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return;
    this.#timers.cancel(joinKey(group.groupId));
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin && !m.isStatic) {
        group.remove(m.memberId);
        this.#timers.cancel(hbKey(group.groupId, m.memberId));
      }
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // nobody rejoined (only static members left): wait for their session to expire them
      this.#scheduleJoinDeadline(group);
      return;
    }
    group.initNextGeneration(this.#host.now());
    if (group.is('Empty')) {
      this.#host.storeGroup(group, new Map()).catch((err) => {
        this.#host.logger.warn({ err, group: group.groupId }, 'failed to write empty group metadata');
      });
      return;
    }
    for (const m of group.members.values()) {
      group.completeJoin(m, this.#joinAnswer(group, m, group.isLeader(m.memberId)));
      this.rescheduleHeartbeat(group, m);
      m.isNew = false;
      group.addPendingSync(m.memberId);
    }
    const { groupId, generationId } = group;
    this.#timers.schedule(syncKey(groupId), group.rebalanceTimeoutMs(), () =>
      this.#expirePendingSync(groupId, generationId),
    );
  }

  #expirePendingSync(groupId: string, generationId: number): void {
    const group = this.#host.group(groupId);
    if (!group || group.generationId !== generationId) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    if (group.hasReceivedSyncFromAllMembers()) return;
    for (const id of group.pendingSyncMembers()) {
      group.remove(id);
      this.#timers.cancel(hbKey(groupId, id));
    }
    this.prepareRebalance(group);
  }

  #removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSync();
    this.#timers.cancel(syncKey(group.groupId));
  }

  #resetAndPropagateError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.#propagate(group, errorCode);
  }

  #propagate(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const m of group.members.values()) {
      const answer: SyncResult = ok
        ? {
            errorCode,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            assignment: m.assignment,
          }
        : { ...syncError(errorCode), assignment: m.assignment };
      // the session restarts once the member has its answer
      if (group.completeSync(m, answer)) this.rescheduleHeartbeat(group, m);
    }
  }

  // ---- SyncGroup ------------------------------------------------------------

  /** Handles a SyncGroup; a follower's waits for the leader's assignment to be stored. */
  sync(req: SyncRequest): Promise<SyncResult> {
    return new Promise((resolve) => {
      const group = this.#host.group(req.groupId);
      if (!group || group.is('Empty')) return resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      const error = this.#validateSync(group, req);
      if (error !== ErrorCode.NONE) return resolve(syncError(error));
      const member = group.members.get(req.memberId) as ClassicMember;
      switch (group.state) {
        case 'PreparingRebalance':
          return resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        case 'Stable':
          this.#removePendingSync(group, req.memberId);
          return resolve({
            errorCode: ErrorCode.NONE,
            protocolType: group.protocolType,
            protocolName: group.protocolName,
            assignment: member.assignment,
          });
        case 'CompletingRebalance':
          // a SyncGroup superseded by a retry still gets an answer (Kafka drops it)
          member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          this.#removePendingSync(group, req.memberId);
          if (group.isLeader(req.memberId)) this.#storeAssignment(group, req);
          return;
        default:
          return resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      }
    });
  }

  #validateSync(group: ClassicGroup, req: SyncRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const inconsistent = (a: string | null, b: string | null): boolean => a !== null && b !== null && a !== b;
    if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) {
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    }
    return ErrorCode.NONE;
  }

  #storeAssignment(group: ClassicGroup, req: SyncRequest): void {
    const assignment = new Map<string, Buffer>();
    for (const a of req.assignments) assignment.set(a.memberId, a.assignment);
    // members the leader left out get an empty assignment
    for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY);
    const generation = req.generationId;
    const stillCurrent = (): boolean => group.is('CompletingRebalance') && group.generationId === generation;
    this.#host.storeGroup(group, assignment).then(
      () => {
        if (!stillCurrent()) return;
        for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY;
        this.#propagate(group, ErrorCode.NONE);
        group.transitionTo('Stable', this.#host.now());
      },
      (err) => {
        if (!stillCurrent()) return;
        this.#resetAndPropagateError(group, toKafkaError(err).code);
        this.#maybePrepareRebalanceOrCompleteJoin(group);
      },
    );
  }

  #removePendingSync(group: ClassicGroup, memberId: string): void {
    group.removePendingSync(memberId);
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.hasReceivedSyncFromAllMembers()) {
      this.#timers.cancel(syncKey(group.groupId));
    }
  }

  // ---- Heartbeat ------------------------------------------------------------

  /** Handles a Heartbeat; returns its error code. */
  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const group = this.#host.group(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(group, memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.members.get(memberId) as ClassicMember;
    switch (group.state) {
      case 'PreparingRebalance':
        this.rescheduleHeartbeat(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.rescheduleHeartbeat(group, member);
        return ErrorCode.NONE;
      default:
        return ErrorCode.UNKNOWN_MEMBER_ID;
    }
  }

  // ---- LeaveGroup -----------------------------------------------------------

  /**
   * Handles a LeaveGroup (members by member id, or by group.instance.id with
   * an empty member id). Throws UNKNOWN_MEMBER_ID when the group does not
   * exist; returns each member's error code otherwise.
   */
  leave(groupId: string, members: readonly LeavingMember[]): number[] {
    const group = this.#host.group(groupId);
    if (!group) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const errors: number[] = [];
    let anyLeft = false;
    for (const m of members) {
      let error: number = ErrorCode.NONE;
      if (m.memberId === '') {
        const id = m.groupInstanceId !== null ? group.staticMemberId(m.groupInstanceId) : undefined;
        if (id !== undefined) this.#removeLeavingMember(group, id);
        else error = ErrorCode.UNKNOWN_MEMBER_ID;
      } else if (group.isPendingMember(m.memberId)) {
        group.remove(m.memberId);
        this.#timers.cancel(hbKey(groupId, m.memberId));
      } else {
        error = this.validateMember(group, m.memberId, m.groupInstanceId);
        if (error === ErrorCode.NONE) this.#removeLeavingMember(group, m.memberId);
      }
      if (error === ErrorCode.NONE) anyLeft = true;
      errors.push(error);
    }
    if (anyLeft) {
      if (group.is('Stable') || group.is('CompletingRebalance')) this.#maybePrepareRebalanceOrCompleteJoin(group);
      else if (group.is('PreparingRebalance')) this.#maybeCompleteJoinPhase(group);
    }
    return errors;
  }

  #removeLeavingMember(group: ClassicGroup, memberId: string): void {
    const member = group.members.get(memberId);
    this.#timers.cancel(hbKey(group.groupId, memberId));
    if (member) group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(memberId);
  }

  // ---- sessions ---------------------------------------------------------------

  /** Checks that the member (and its static instance id, if given) is current; an error code or NONE. */
  validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMemberId(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Restarts the member's session deadline. */
  rescheduleHeartbeat(group: ClassicGroup, member: ClassicMember): void {
    this.#rescheduleHeartbeat(group, member, member.sessionTimeoutMs);
  }

  #rescheduleHeartbeat(group: ClassicGroup, member: ClassicMember, timeoutMs: number): void {
    const { groupId } = group;
    const { memberId } = member;
    this.#timers.schedule(hbKey(groupId, memberId), timeoutMs, () => this.#expireHeartbeat(groupId, memberId));
  }

  #expireHeartbeat(groupId: string, memberId: string): void {
    const group = this.#host.group(groupId);
    if (!group || group.is('Dead')) return;
    if (group.isPendingMember(memberId)) {
      group.remove(memberId);
      if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.#completeJoin(group);
      return;
    }
    const member = group.members.get(memberId);
    if (!member || member.hasSatisfiedHeartbeat()) return;
    this.#host.logger.info({ group: groupId, member: memberId }, 'member session expired, removing it from the group');
    group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.#maybePrepareRebalanceOrCompleteJoin(group);
    else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.#completeJoin(group);
  }

  // ---- loading and unloading ------------------------------------------------

  /** After a load: members restored from the log get a session deadline; an oversized group rebalances. */
  onLoaded(group: ClassicGroup): void {
    for (const m of group.members.values()) this.rescheduleHeartbeat(group, m);
    if (group.size > this.#host.config.maxSize) this.prepareRebalance(group);
  }

  /** The group leaves this coordinator: parked requests get `errorCode`, the group is Dead. */
  unload(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      group.completeJoin(m, joinError(m.memberId, errorCode));
      group.completeSync(m, syncError(errorCode));
    }
    group.transitionTo('Dead', this.#host.now());
  }
}
