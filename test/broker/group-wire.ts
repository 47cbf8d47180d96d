/**
 * Group members on raw connections, for tests that drive the classic group
 * protocol frame by frame: consumer-protocol metadata, JoinGroup (with the
 * v4+ MEMBER_ID_REQUIRED step), SyncGroup, Heartbeat, LeaveGroup.
 */
import {
  type JoinGroupResponse,
  Reader,
  readConsumerProtocolAssignment,
  type SyncGroupResponse,
  Writer,
  writeConsumerProtocolAssignment,
  writeConsumerProtocolSubscription,
} from '../../src/protocol/index.ts';
import { RawConnection } from '../helpers/raw-client.ts';

/** A consumer-protocol subscription (version int16 + ConsumerProtocolSubscription). */
export function subscription(topics: string[], version = 0): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  writeConsumerProtocolSubscription(w, version, { topics, userData: null });
  return Buffer.from(w.finish());
}

/** A consumer-protocol assignment. */
export function assignment(parts: Record<string, number[]>): Buffer {
  const w = new Writer();
  w.writeInt16(0);
  writeConsumerProtocolAssignment(w, 0, {
    assignedPartitions: Object.entries(parts).map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });
  return Buffer.from(w.finish());
}

/** Decodes a consumer-protocol assignment into "topic-partition" strings. */
export function decodeAssignment(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const r = new Reader(buf);
  const v = r.readInt16();
  const a = readConsumerProtocolAssignment(r, Math.min(v, 3));
  return a.assignedPartitions.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).sort();
}

/** Options of a join. */
export interface JoinOptions {
  version?: number;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  groupInstanceId?: string | null;
  protocolType?: string;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  /** Stop after the MEMBER_ID_REQUIRED answer (v4+). */
  onlyFirstStep?: boolean;
}

/** One member of a group on its own connection. */
export class Member {
  readonly conn: RawConnection;
  readonly groupId: string;
  memberId = '';
  generationId = -1;
  groupInstanceId: string | null = null;
  protocolName: string | null = null;

  private constructor(conn: RawConnection, groupId: string) {
    this.conn = conn;
    this.groupId = groupId;
  }

  static async open(port: number, groupId: string): Promise<Member> {
    return new Member(await RawConnection.open(port), groupId);
  }

  /** JoinGroup; with v4+ and no member id, takes the MEMBER_ID_REQUIRED step first (dynamic members). */
  async join(o: JoinOptions = {}): Promise<JoinGroupResponse> {
    const version = o.version ?? 9;
    this.groupInstanceId = o.groupInstanceId ?? this.groupInstanceId;
    const send = () =>
      this.conn.request(11, version, {
        groupId: this.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 3000,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        protocolType: o.protocolType ?? 'consumer',
        protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
      });
    let r = await send();
    if (r.errorCode === 79 /* MEMBER_ID_REQUIRED */) {
      this.memberId = r.memberId;
      if (o.onlyFirstStep) return r;
      r = await send();
    }
    if (r.errorCode === 0) {
      this.memberId = r.memberId;
      this.generationId = r.generationId;
      this.protocolName = r.protocolName;
    }
    return r;
  }

  /** SyncGroup (v5), the leader passing `assignments`. */
  sync(assignments: Array<{ memberId: string; assignment: Buffer }> = [], version = 5): Promise<SyncGroupResponse> {
    return this.conn.request(14, version, {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
      protocolType: 'consumer',
      protocolName: this.protocolName,
      assignments,
    });
  }

  /** Heartbeat (v4); the error code. */
  async heartbeat(): Promise<number> {
    const r = await this.conn.request(12, 4, {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
    });
    return r.errorCode;
  }

  /** LeaveGroup (v5) for this member; its member-level error code. */
  async leave(): Promise<number> {
    const r = await this.conn.request(13, 5, {
      groupId: this.groupId,
      members: [{ memberId: this.memberId, groupInstanceId: this.groupInstanceId, reason: 'test' }],
    });
    return r.errorCode || (r.members[0]?.errorCode ?? -1);
  }

  close(): void {
    this.conn.close();
  }
}

/** Polls `check` every 50 ms until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The group as DescribeGroups (v5) reports it. */
export async function describe(conn: RawConnection, groupId: string) {
  const r = await conn.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
  return r.groups[0] as NonNullable<(typeof r.groups)[number]>;
}

/**
 * Forms a Stable group of `protocols.length` members: the first joins alone,
 * the others join, the first rejoins once all are in, and the leader assigns
 * `assign(memberIds)`. Returns the members, leader first.
 */
export async function formGroup(
  port: number,
  groupId: string,
  protocols: Array<Array<{ name: string; metadata: Buffer }>>,
  o: Omit<JoinOptions, 'protocols'> = {},
  assign: (memberIds: string[]) => Buffer[] = (ids) => ids.map(() => Buffer.alloc(0)),
): Promise<Member[]> {
  const admin = await RawConnection.open(port);
  try {
    const members = await Promise.all(protocols.map(() => Member.open(port, groupId)));
    const [first, ...rest] = members as [Member, ...Member[]];
    const r = await first.join({ ...o, protocols: protocols[0] });
    if (r.errorCode !== 0) throw new Error(`first join failed with ${r.errorCode}`);
    await first.sync([{ memberId: first.memberId, assignment: Buffer.alloc(0) }]);
    if (rest.length === 0) return members;
    const joins = rest.map((m, i) => m.join({ ...o, protocols: protocols[i + 1] }));
    await waitFor(async () => (await describe(admin, groupId)).members.length === members.length, 5000, 'members');
    const leaderJoin = await first.join({ ...o, protocols: protocols[0] });
    const all = [leaderJoin, ...(await Promise.all(joins))];
    if (all.some((j) => j.errorCode !== 0)) throw new Error(`join failed: ${all.map((j) => j.errorCode)}`);
    const leader = members.find((m) => m.memberId === leaderJoin.leader) as Member;
    const ids = leaderJoin.members.map((m) => m.memberId);
    const parts = assign(ids);
    const syncs = members.map((m) =>
      m === leader ? m.sync(ids.map((memberId, i) => ({ memberId, assignment: parts[i] as Buffer }))) : m.sync(),
    );
    const done = await Promise.all(syncs);
    if (done.some((s) => s.errorCode !== 0)) throw new Error(`sync failed: ${done.map((s) => s.errorCode)}`);
    return [leader, ...members.filter((m) => m !== leader)];
  } finally {
    admin.close();
  }
}
