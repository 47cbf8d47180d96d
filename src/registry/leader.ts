/**
 * Leader election among registry instances through the classic group
 * protocol (GroupMember, protocolType 'sr'), as Confluent's registry does:
 * each member's metadata carries its URL; the group leader picks the
 * registry leader (the member with the lowest member id) and hands every
 * member `{leaderUrl}`. Only the registry leader writes to `_schemas`;
 * the others forward writes to it (server.ts), so ids and versions are
 * allocated in one place.
 *
 * Before a new leader answers writes it reads `_schemas` to its end, so it
 * sees everything the previous leader wrote.
 */
import type { Client, GroupMember, Logger } from '../client/index.ts';

interface ElectionAssignment {
  leaderUrl: string;
  leaderMemberId: string;
}

export class LeaderElection {
  readonly #member: GroupMember;
  readonly #url: string;
  #leader: ElectionAssignment | null = null;
  #isLeader = false;
  #waiters: Array<() => void> = [];

  /** `catchUp` runs before this instance starts answering writes as the leader. */
  constructor(client: Client, o: { groupId: string; url: string; catchUp: () => Promise<void>; logger?: Logger }) {
    this.#url = o.url;
    this.#member = client.groupMember({
      groupId: o.groupId,
      protocolType: 'sr',
      protocols: [{ name: 'v0', metadata: Buffer.from(JSON.stringify({ version: 1, url: o.url })) }],
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
      rebalanceTimeoutMs: 10_000,
      assign: (members) => {
        const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
        const chosen = sorted[0];
        let leaderUrl = '';
        try {
          leaderUrl = (JSON.parse(chosen?.metadata.toString('utf8') ?? '{}') as { url?: string }).url ?? '';
        } catch {
          // a member with unreadable metadata cannot lead; the assignment says so
        }
        const body = Buffer.from(JSON.stringify({ leaderUrl, leaderMemberId: chosen?.memberId ?? '' }));
        return new Map(members.map((m) => [m.memberId, body]));
      },
      onAssigned: async (a) => {
        const got = JSON.parse(a.assignment.toString('utf8') || '{}') as ElectionAssignment;
        const mine = got.leaderMemberId === a.memberId;
        if (mine) await o.catchUp();
        this.#leader = got.leaderUrl ? got : null;
        this.#isLeader = mine;
        o.logger?.info?.({ leader: got.leaderUrl, self: this.#url }, 'registry: leader elected');
        for (const w of this.#waiters.splice(0)) w();
      },
      onRevoked: () => {
        this.#leader = null;
        this.#isLeader = false;
      },
      logger: o.logger,
    });
  }

  /** Joins the group in the background. */
  start(): void {
    this.#member.start().catch(() => {
      // stop() before the first assignment, or a fatal group error: writes answer 50004
    });
  }

  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** The leader's URL once known (waits up to `timeoutMs` for an election); null when unknown. */
  async leaderUrl(timeoutMs: number): Promise<string | null> {
    if (this.#leader) return this.#leader.leaderUrl;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    // set by onAssigned while this method waited
    return (this.#leader as ElectionAssignment | null)?.leaderUrl ?? null;
  }

  stop(): Promise<void> {
    for (const w of this.#waiters.splice(0)) w();
    return this.#member.stop();
  }
}
