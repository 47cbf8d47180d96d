/**
 * GroupMember with a protocol type of its own, as services use it for leader
 * election: three members, exactly one leader whose assignment everyone
 * sees; when the leader stops another member leads. A static member that
 * stops without leaving comes back into the same generation.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type GroupAssignment, GroupMember } from '../../src/client/consumer/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { cluster, GROUP_CONFIGS, waitFor } from './consumer-helpers.ts';

interface Node {
  name: string;
  member: GroupMember;
  last: GroupAssignment | null;
  revoked: number;
}

describe('GroupMember with a custom protocol type', async () => {
  const tb = await startTestBroker(after, GROUP_CONFIGS);
  const c = cluster(tb, after);

  const node = (groupId: string, name: string, extra: { groupInstanceId?: string } = {}): Node => {
    const n: Node = { name, member: null as unknown as GroupMember, last: null, revoked: 0 };
    n.member = new GroupMember(c, {
      groupId,
      protocolType: 'tributary-election',
      protocols: [{ name: 'v1', metadata: Buffer.from(`http://${name}`) }],
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 100,
      rebalanceTimeoutMs: 3000,
      ...extra,
      // the leader tells everyone who leads, by the URL in its metadata
      assign: (members, protocol) => {
        assert.equal(protocol, 'v1');
        const me = members.find((m) => m.metadata.toString() === `http://${name}`);
        const leaderUrl = me?.metadata ?? Buffer.alloc(0);
        return new Map(members.map((m) => [m.memberId, leaderUrl]));
      },
      onAssigned: (a) => {
        n.last = a;
      },
      onRevoked: () => {
        n.revoked++;
      },
    });
    return n;
  };

  /** The members agree on one leader, the one that ran the assignment. */
  const agreedLeader = (nodes: Node[]): string | null => {
    const gens = new Set(nodes.map((n) => n.last?.generationId));
    if (gens.size !== 1 || nodes.some((n) => !n.last)) return null;
    const leaders = nodes.filter((n) => n.last?.isLeader);
    if (leaders.length !== 1) return null;
    const leader = leaders[0] as Node;
    const urls = new Set(nodes.map((n) => n.last?.assignment.toString()));
    if (urls.size !== 1 || !urls.has(`http://${leader.name}`)) return null;
    if (nodes.some((n) => n.last?.leaderId !== leader.last?.memberId)) return null;
    return leader.name;
  };

  test('three members, one leader; the leader stops and another takes over', async (t) => {
    const groupId = topicName('election');
    const nodes = ['n1', 'n2', 'n3'].map((name) => node(groupId, name));
    t.after(async () => {
      for (const n of nodes) await n.member.stop();
    });
    await Promise.all(nodes.map((n) => n.member.start()));
    await waitFor(() => agreedLeader(nodes) !== null, 'one agreed leader');
    const first = agreedLeader(nodes) as string;
    const leader = nodes.find((n) => n.name === first) as Node;
    assert.equal(leader.member.isLeader, true);
    assert.equal(nodes.filter((n) => n.member.isLeader).length, 1);

    await leader.member.stop();
    assert.ok(leader.revoked >= 1, 'the stopping leader ran onRevoked');
    const rest = nodes.filter((n) => n !== leader);
    await waitFor(() => {
      const l = agreedLeader(rest);
      return l !== null && l !== first;
    }, 'a new leader among the other two');
    assert.equal(rest.filter((n) => n.member.isLeader).length, 1);
    assert.ok(
      rest.every((n) => n.revoked >= 1),
      'the others rebalanced',
    );
  });

  test('a static member that stops without leaving rejoins its generation', async (t) => {
    const groupId = topicName('static');
    const a = node(groupId, 'a', { groupInstanceId: 'instance-a' });
    const b = node(groupId, 'b', { groupInstanceId: 'instance-b' });
    t.after(async () => {
      await a.member.stop({ leave: true });
      await b.member.stop({ leave: true });
    });
    await Promise.all([a.member.start(), b.member.start()]);
    await waitFor(() => agreedLeader([a, b]) !== null, 'an agreed leader');
    const generation = b.last?.generationId;

    await b.member.stop(); // static: no LeaveGroup
    const again = node(groupId, 'b', { groupInstanceId: 'instance-b' });
    t.after(() => again.member.stop({ leave: true }));
    await again.member.start();
    assert.equal(again.last?.generationId, generation, 'no new generation');
    assert.equal(a.last?.generationId, generation);
    assert.equal(a.revoked, 0, 'the other member did not rebalance');
  });

  test('usage errors', () => {
    assert.throws(
      () =>
        new GroupMember(c, {
          groupId: '',
          protocolType: 'x',
          protocols: [],
          assign: () => new Map(),
          onAssigned: () => {},
        }),
      /groupId/,
    );
    assert.throws(
      () =>
        new GroupMember(c, {
          groupId: 'g',
          protocolType: 'x',
          protocols: [],
          sessionTimeoutMs: 1000,
          heartbeatIntervalMs: 1000,
          assign: () => new Map(),
          onAssigned: () => {},
        }),
      /heartbeatIntervalMs/,
    );
  });
});
