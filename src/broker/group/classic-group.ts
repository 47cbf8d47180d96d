/**
 * A classic consumer group (JoinGroup/SyncGroup protocol) and its members:
 * the data and bookkeeping of Kafka's ClassicGroup/ClassicGroupMember. The
 * rebalance logic that drives it lives in classic-protocol.ts.
 *
 * States (Kafka's names, as DescribeGroups and ListGroups report them):
 *
 * ```
 *            join                  all joined / timeout          leader's SyncGroup
 *   Empty ────────▶ PreparingRebalance ─────────▶ CompletingRebalance ─────────▶ Stable
 *     ▲                 ▲   │ no member left             │                          │
 *     └─────────────────┼───┘                            │ join, leave, expiry      │
 *                       └────────────────────────────────┴──────────────────────────┘
 *   Dead: deleted (DeleteGroups, offsets expired) or unloaded.
 * ```
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { Reader } from '../../protocol/reader.ts';

/** The classic group states. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

const EMPTY = Buffer.alloc(0);

/** One protocol a member supports (name and its metadata, e.g. a consumer subscription). */
export interface Protocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup waiter receives (JoinGroupResponse fields). */
export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

/** What a SyncGroup waiter receives (SyncGroupResponse fields). */
export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** A JoinGroup answer carrying only an error. */
export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode,
    memberId,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    members: [],
  };
}

/** A SyncGroup answer carrying only an error. */
export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** A member of a classic group. */
export class ClassicMember {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  protocols: Protocol[];
  assignment: Buffer;
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  awaitingSync: ((r: SyncResult) => void) | null = null;
  /** Joined but not yet through a completed join phase (its JoinGroup may time out). */
  isNew = false;

  constructor(
    init: Pick<
      ClassicMember,
      | 'memberId'
      | 'groupInstanceId'
      | 'clientId'
      | 'clientHost'
      | 'rebalanceTimeoutMs'
      | 'sessionTimeoutMs'
      | 'protocolType'
      | 'protocols'
    > & { assignment?: Buffer },
  ) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
    this.assignment = init.assignment ?? EMPTY;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** The member's metadata for `protocol` (empty if it does not support it). */
  metadata(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Whether an expiring session deadline should spare the member (it is parked in a join or sync). */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.awaitingJoin !== null || this.awaitingSync !== null;
  }

  /** Same protocols, same order, same metadata. */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every(
      (p, i) => p.name === this.protocols[i]?.name && p.metadata.equals(this.protocols[i].metadata),
    );
  }

  /** The member's most preferred protocol among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}

/** A classic group: members, generation, selected protocol, rebalance bookkeeping. */
export class ClassicGroup {
  readonly groupId: string;
  state: GroupState;
  previousState: GroupState = 'Dead';
  /** When the group entered its current state (null: unknown, from an old record). */
  stateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Set when a member joins during the initial rebalance (extends group.initial.rebalance.delay.ms). */
  newMemberAdded = false;
  /** Topics the members subscribe to (consumer protocol), or null when unknown. */
  subscribedTopics: Set<string> | null = null;
  readonly members = new Map<string, ClassicMember>();
  readonly #staticMembers = new Map<string, string>();
  readonly #pendingJoin = new Set<string>();
  readonly #pendingSync = new Set<string>();
  readonly #supported = new Map<string, number>();
  #awaitingJoin = 0;

  constructor(groupId: string, now: number, state: GroupState = 'Empty') {
    this.groupId = groupId;
    this.state = state;
    this.stateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Whether the group can move to PreparingRebalance from its current state. */
  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.stateTimestamp = now;
  }

  /** Adds a member (awaiting join when `onJoin` is given). */
  add(member: ClassicMember, onJoin: ((r: JoinResult) => void) | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.#staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.#staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.#count(member, 1);
    member.awaitingJoin = onJoin;
    if (onJoin) this.#awaitingJoin++;
    this.#pendingJoin.delete(member.memberId);
  }

  remove(memberId: string): void {
    const m = this.members.get(memberId);
    if (m) {
      this.members.delete(memberId);
      this.#count(m, -1);
      if (m.awaitingJoin) this.#awaitingJoin--;
      if (m.groupInstanceId !== null) this.#staticMembers.delete(m.groupInstanceId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
    this.#pendingJoin.delete(memberId);
    this.#pendingSync.delete(memberId);
  }

  #count(m: ClassicMember, delta: number): void {
    for (const p of m.protocols) this.#supported.set(p.name, (this.#supported.get(p.name) ?? 0) + delta);
  }

  /** Replaces a member's protocols and timeouts, and parks (or unparks) its JoinGroup. */
  updateMember(
    m: ClassicMember,
    protocols: Protocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinResult) => void) | null,
  ): void {
    this.#count(m, -1);
    m.protocols = protocols;
    this.#count(m, 1);
    m.rebalanceTimeoutMs = rebalanceTimeoutMs;
    m.sessionTimeoutMs = sessionTimeoutMs;
    const previous = m.awaitingJoin;
    if (onJoin && !previous) this.#awaitingJoin++;
    else if (!onJoin && previous) this.#awaitingJoin--;
    m.awaitingJoin = onJoin;
    // a JoinGroup superseded by a newer one from the same member (a client-side retry) still gets
    // an answer, so its connection is not left waiting (Kafka drops it)
    if (previous && onJoin && previous !== onJoin) previous(joinError(m.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
  }

  /** Answers the member's parked JoinGroup, if any. */
  completeJoin(m: ClassicMember, r: JoinResult): boolean {
    const cb = m.awaitingJoin;
    if (!cb) return false;
    m.awaitingJoin = null;
    this.#awaitingJoin--;
    cb(r);
    return true;
  }

  /** Answers the member's parked SyncGroup, if any. */
  completeSync(m: ClassicMember, r: SyncResult): boolean {
    const cb = m.awaitingSync;
    if (!cb) return false;
    m.awaitingSync = null;
    cb(r);
    return true;
  }

  /** [Static members] Moves a member to a new member id, fencing whoever waits on the old one. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.completeJoin(old, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.completeSync(old, syncError(ErrorCode.FENCED_INSTANCE_ID));
    const m = new ClassicMember({ ...old, memberId: newMemberId, assignment: old.assignment });
    this.members.set(newMemberId, m);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.#staticMembers.set(groupInstanceId, newMemberId);
    return m;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.#staticMembers.get(groupInstanceId);
  }

  get staticMemberCount(): number {
    return this.#staticMembers.size;
  }

  isPendingMember(memberId: string): boolean {
    return this.#pendingJoin.has(memberId);
  }

  addPendingMember(memberId: string): void {
    this.#pendingJoin.add(memberId);
  }

  addPendingSync(memberId: string): void {
    this.#pendingSync.add(memberId);
  }

  removePendingSync(memberId: string): void {
    this.#pendingSync.delete(memberId);
  }

  clearPendingSync(): void {
    this.#pendingSync.clear();
  }

  pendingSyncMembers(): string[] {
    return [...this.#pendingSync];
  }

  hasReceivedSyncFromAllMembers(): boolean {
    return this.#pendingSync.size === 0;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.#awaitingJoin && this.#pendingJoin.size === 0;
  }

  get numPendingJoin(): number {
    return this.#pendingJoin.size;
  }

  get numAwaitingJoin(): number {
    return this.#awaitingJoin;
  }

  /** The largest rebalance timeout of the members (the join and sync phase deadline). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Keeps the leader if it rejoined, else picks a member that did; false if none did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.awaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /** Whether a member with these protocols could join (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    return (
      this.protocolType === protocolType &&
      protocols.some((p) => (this.#supported.get(p.name) ?? 0) === this.members.size)
    );
  }

  /** The protocol every member supports that gets the most first-preference votes. */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, n] of this.#supported) if (n === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let most = -1;
    for (const [name, n] of votes) {
      if (n > most) {
        best = name;
        most = n;
      }
    }
    return best;
  }

  /** Starts the next generation: CompletingRebalance with a protocol, or Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.clearPendingSync();
  }

  /** Members and their metadata for the selected protocol (what the leader receives). */
  currentMembers(): JoinResult['members'] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName),
    }));
  }

  usesConsumerProtocol(): boolean {
    return this.protocolType === 'consumer';
  }

  /**
   * Topics of the members' consumer subscriptions, read as version 0 (the
   * prefix of every version). Null unless the protocol type is `consumer`
   * and every subscription parses.
   */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer') return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        const r = new Reader(m.metadata(this.protocolName));
        r.readInt16(); // version
        const n = r.readArrayLength(false);
        for (let i = 0; i < n; i++) topics.add(r.readString());
      }
    } catch {
      return null;
    }
    return topics;
  }

  /** Whether offsets of `topic` are in use (OffsetDelete, offset expiry). */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics ? this.subscribedTopics.has(topic) : this.usesConsumerProtocol();
  }
}
