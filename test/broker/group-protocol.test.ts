/**
 * The classic group protocol frame by frame (raw connections): FindCoordinator,
 * JoinGroup's two steps, leader election and metadata, SyncGroup waiting for
 * the leader, protocol selection by vote, static membership, batched
 * LeaveGroup, session and rebalance timeouts, and every error code Kafka
 * answers for bad input.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import {
  assignment,
  decodeAssignment,
  describe as describeGroup,
  formGroup,
  Member,
  subscription,
  waitFor,
} from './group-wire.ts';

const E = {
  NONE: 0,
  INVALID_REQUEST: 42,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
};

const range = (topics = ['t']) => [{ name: 'range', metadata: subscription(topics) }];

describe('group protocol on the wire', async () => {
  const tb = await startTestBroker(after, {
    'group.initial.rebalance.delay.ms': '0',
    'group.min.session.timeout.ms': '500',
    'group.max.session.timeout.ms': '60000',
    'group.max.size': '4',
    'offsets.topic.num.partitions': '5',
  });
  const conns: Array<{ close(): void }> = [];
  after(() => {
    for (const c of conns) c.close();
  });
  const admin = await RawConnection.open(tb.port);
  conns.push(admin);
  const member = async (groupId: string): Promise<Member> => {
    const m = await Member.open(tb.port, groupId);
    conns.push(m);
    return m;
  };
  const form = async (...args: Parameters<typeof formGroup> extends [number, ...infer R] ? R : never) => {
    const ms = await formGroup(tb.port, ...args);
    conns.push(...ms);
    return ms;
  };

  test('FindCoordinator names this node for groups and transactional ids, in every version', async () => {
    for (let v = 0; v <= 3; v++) {
      const r = await admin.request(10, v, { key: 'some-group', keyType: v === 0 ? 0 : 1 });
      assert.equal(r.errorCode, E.NONE, `v${v}`);
      assert.deepEqual([r.nodeId, r.host, r.port], [1, '127.0.0.1', tb.port], `v${v}`);
      if (v >= 1) assert.equal(r.errorMessage, 'NONE', 'Kafka sends Errors.NONE.message()');
    }
    for (const v of [4, 5, 6]) {
      const r = await admin.request(10, v, { keyType: 0, coordinatorKeys: ['a', 'b', ''] });
      assert.deepEqual(
        r.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.port]),
        [
          ['a', 0, 1, tb.port],
          ['b', 0, 1, tb.port],
          ['', 0, 1, tb.port],
        ],
      );
    }
    const share = await admin.request(10, 6, { keyType: 2, coordinatorKeys: ['x'] });
    assert.equal(share.coordinators[0]?.errorCode, E.INVALID_REQUEST);
    const offsets = tb.broker.metadata.topicsByName.get('__consumer_offsets');
    assert.equal(offsets?.partitions, 5);
    assert.equal(offsets?.configs['cleanup.policy'], 'compact');
  });

  test('JoinGroup v4+: MEMBER_ID_REQUIRED first; the leader gets every member metadata; followers wait for its SyncGroup', async () => {
    const g = topicName('g');
    const m1 = await member(g);
    const first = await m1.join({ protocols: range(['a']), onlyFirstStep: true });
    assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^raw-test-[0-9a-f-]{36}$/);
    const j1 = await m1.join({ protocols: range(['a']) });
    assert.deepEqual(
      [j1.errorCode, j1.generationId, j1.leader, j1.protocolName, j1.protocolType],
      [0, 1, m1.memberId, 'range', 'consumer'],
    );
    assert.equal((await m1.sync([{ memberId: m1.memberId, assignment: assignment({ a: [0] }) }])).errorCode, 0);

    const m2 = await member(g);
    const j2p = m2.join({ protocols: range(['b']) });
    assert.equal(await waitFor(async () => (await m1.heartbeat()) === E.REBALANCE_IN_PROGRESS && 27), 27);
    // the current assignment is still served while the group prepares its rebalance
    const j1b = await m1.join({ protocols: range(['a']) });
    const j2 = await j2p;
    assert.equal(j1b.generationId, 2);
    assert.equal(j2.generationId, 2);
    assert.equal(j1b.leader, m1.memberId);
    assert.equal(j2.leader, m1.memberId);
    assert.deepEqual(j2.members, [], 'followers get no member list');
    const metadata = new Map(j1b.members.map((m) => [m.memberId, m.metadata]));
    assert.deepEqual(metadata.get(m1.memberId), subscription(['a']));
    assert.deepEqual(metadata.get(m2.memberId), subscription(['b']));
    const followerSync = m2.sync();
    const early = await Promise.race([followerSync.then(() => 'answered'), sleep(150).then(() => 'waiting')]);
    assert.equal(early, 'waiting', 'a follower SyncGroup waits for the leader');
    const leaderSync = await m1.sync([
      { memberId: m1.memberId, assignment: assignment({ a: [0] }) },
      { memberId: m2.memberId, assignment: assignment({ b: [0, 1] }) },
    ]);
    assert.deepEqual(decodeAssignment(leaderSync.assignment), ['a-0']);
    const fs = await followerSync;
    assert.deepEqual([fs.errorCode, fs.protocolType, fs.protocolName], [0, 'consumer', 'range']);
    assert.deepEqual(decodeAssignment(fs.assignment), ['b-0', 'b-1']);
    const d = await describeGroup(admin, g);
    assert.equal(d.groupState, 'Stable');
    assert.equal(d.protocolData, 'range');
    assert.deepEqual(
      d.members.map((m) => m.clientHost),
      ['/127.0.0.1', '/127.0.0.1'],
    );
    assert.deepEqual(d.members.find((m) => m.memberId === m2.memberId)?.memberAssignment, assignment({ b: [0, 1] }));
    assert.equal(await m2.heartbeat(), 0);
  });

  test('JoinGroup before v4 joins at once; a Stable follower rejoining unchanged gets the current generation', async () => {
    const g = topicName('g');
    const [leader, follower] = await form(g, [range(), range()], { version: 3 });
    assert.equal(leader?.generationId, 2);
    const again = await follower?.join({ version: 3, protocols: range() });
    assert.deepEqual([again?.errorCode, again?.generationId, again?.members.length], [0, 2, 0]);
    assert.equal((await describeGroup(admin, g)).groupState, 'Stable');
  });

  test('the protocol every member supports with the most votes wins; none in common is INCONSISTENT_GROUP_PROTOCOL', async () => {
    const g = topicName('g');
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(['t']) }));
    const ms = await form(g, [p('range', 'roundrobin', 'sticky'), p('roundrobin', 'range'), p('roundrobin', 'range')]);
    assert.deepEqual(
      ms.map((m) => m.protocolName),
      ['roundrobin', 'roundrobin', 'roundrobin'],
    );
    const outsider = await member(g);
    const r = await outsider.join({ protocols: p('sticky') });
    assert.equal(r.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(r.memberId, '');
    const other = await member(g);
    assert.equal(
      (await other.join({ protocolType: 'connect', protocols: p('range') })).errorCode,
      E.INCONSISTENT_GROUP_PROTOCOL,
    );
    const empty = await member(topicName('g'));
    assert.equal(
      (await empty.join({ protocolType: '', protocols: p('range') })).errorCode,
      E.INCONSISTENT_GROUP_PROTOCOL,
    );
  });

  test('bad JoinGroup, SyncGroup, Heartbeat and LeaveGroup requests get Kafka error codes and leave the group intact', async () => {
    const g = topicName('g');
    const [m1, m2] = (await form(g, [range(), range()])) as [Member, Member];
    const gen = m1.generationId;
    const join = (body: Record<string, unknown>, v = 9) =>
      admin.request(11, v, {
        groupId: g,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 3000,
        memberId: '',
        protocolType: 'consumer',
        protocols: range(),
        ...body,
      });
    assert.equal((await join({ groupId: '' })).errorCode, E.INVALID_GROUP_ID);
    assert.equal((await join({ sessionTimeoutMs: 100 })).errorCode, E.INVALID_SESSION_TIMEOUT);
    assert.equal((await join({ sessionTimeoutMs: 70_000 })).errorCode, E.INVALID_SESSION_TIMEOUT);
    assert.equal((await join({ groupId: topicName('nope'), memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await join({ memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);

    const hb = (body: Record<string, unknown>) =>
      admin.request(12, 4, { groupId: g, generationId: gen, memberId: m1.memberId, groupInstanceId: null, ...body });
    assert.equal((await hb({})).errorCode, E.NONE);
    assert.equal((await hb({ generationId: gen - 1 })).errorCode, E.ILLEGAL_GENERATION);
    assert.equal((await hb({ memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await hb({ groupId: '' })).errorCode, E.INVALID_GROUP_ID);
    assert.equal((await hb({ groupId: topicName('nope') })).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await hb({ groupInstanceId: 'not-static' })).errorCode, E.UNKNOWN_MEMBER_ID);

    const sync = (body: Record<string, unknown>, v = 5) =>
      admin.request(14, v, {
        groupId: g,
        generationId: gen,
        memberId: m2.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
        ...body,
      });
    assert.equal((await sync({ generationId: gen + 1 })).errorCode, E.ILLEGAL_GENERATION);
    assert.equal((await sync({ memberId: 'ghost' })).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await sync({ protocolName: 'roundrobin' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal((await sync({ protocolType: null })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal((await sync({ groupId: topicName('nope') })).errorCode, E.UNKNOWN_MEMBER_ID);
    assert.equal((await sync({ groupId: '' })).errorCode, E.INVALID_GROUP_ID);
    assert.equal((await sync({ protocolName: null }, 4)).errorCode, E.NONE, 'before v5 the protocol is optional');

    const leave = await admin.request(13, 5, {
      groupId: g,
      members: [{ memberId: 'ghost', groupInstanceId: null, reason: null }],
    });
    assert.deepEqual([leave.errorCode, leave.members.map((m) => m.errorCode)], [0, [E.UNKNOWN_MEMBER_ID]]);
    assert.equal(
      (await admin.request(13, 0, { groupId: topicName('nope'), memberId: 'x' })).errorCode,
      E.UNKNOWN_MEMBER_ID,
    );
    assert.equal((await admin.request(13, 1, { groupId: '', memberId: 'x' })).errorCode, E.INVALID_GROUP_ID);

    // nothing above disturbed the group
    const d = await describeGroup(admin, g);
    assert.deepEqual([d.groupState, d.members.length], ['Stable', 2]);
    assert.equal(await m2.heartbeat(), E.NONE);
    assert.equal(m1.generationId, gen);
  });

  test('group.max.size: a member past it gets GROUP_MAX_SIZE_REACHED', async () => {
    const g = topicName('g');
    await form(g, [range(), range(), range(), range()]);
    const fifth = await member(g);
    const r = await fifth.join();
    assert.deepEqual([r.errorCode, r.memberId], [E.GROUP_MAX_SIZE_REACHED, '']);
    assert.equal((await describeGroup(admin, g)).members.length, 4);
  });

  test('a pending member id (MEMBER_ID_REQUIRED) expires after the session timeout', async () => {
    const g = topicName('g');
    const m = await member(g);
    const first = await m.join({ sessionTimeoutMs: 600, onlyFirstStep: true });
    assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
    await sleep(900);
    const r = await m.join({ sessionTimeoutMs: 600 });
    assert.equal(r.errorCode, E.UNKNOWN_MEMBER_ID);
  });

  test('a member that stops heartbeating is removed after its session timeout and the group rebalances', async () => {
    const g = topicName('g');
    const [m1, m2] = (await form(g, [range(), range()], { sessionTimeoutMs: 1000 })) as [Member, Member];
    const gen = m1.generationId;
    const started = Date.now();
    // only m1 keeps its session alive
    const code = await waitFor(async () => {
      const c = await m1.heartbeat();
      if (c === E.REBALANCE_IN_PROGRESS) return c;
      await sleep(150);
      return 0;
    }, 5000);
    const elapsed = Date.now() - started;
    assert.equal(code, E.REBALANCE_IN_PROGRESS);
    assert.ok(elapsed >= 800, `expired after ${elapsed} ms, session timeout 1000 ms`);
    const j = await m1.join({ sessionTimeoutMs: 1000 });
    assert.deepEqual([j.errorCode, j.generationId, j.members.map((m) => m.memberId)], [0, gen + 1, [m1.memberId]]);
    assert.equal((await m1.sync([{ memberId: m1.memberId, assignment: assignment({ t: [0, 1] }) }])).errorCode, 0);
    assert.equal(await m2.heartbeat(), E.UNKNOWN_MEMBER_ID);
    const d = await describeGroup(admin, g);
    assert.deepEqual([d.groupState, d.members.map((m) => m.memberId)], ['Stable', [m1.memberId]]);
  });

  test('members that do not rejoin within the rebalance timeout are dropped; their SyncGroup meanwhile is REBALANCE_IN_PROGRESS', async () => {
    const g = topicName('g');
    const [m1, m2] = (await form(g, [range(), range()], { rebalanceTimeoutMs: 800 })) as [Member, Member];
    const gen = m1.generationId;
    const m3 = await member(g);
    const j3 = m3.join({ rebalanceTimeoutMs: 800 });
    await waitFor(async () => (await describeGroup(admin, g)).groupState === 'PreparingRebalance');
    assert.equal((await m2.sync()).errorCode, E.REBALANCE_IN_PROGRESS);
    const j1 = await m1.join({ rebalanceTimeoutMs: 800 });
    const r3 = await j3;
    assert.equal(j1.generationId, gen + 1);
    assert.equal(r3.generationId, gen + 1);
    assert.deepEqual(j1.members.map((m) => m.memberId).sort(), [m1.memberId, m3.memberId].sort());
    assert.equal(await m2.heartbeat(), E.UNKNOWN_MEMBER_ID);
  });

  test('static members: a restart with the same group.instance.id replaces the member without a rebalance and fences the old id', async () => {
    const g = topicName('g');
    const old = await member(g);
    const j = await old.join({ groupInstanceId: 'inst-1' });
    assert.equal(j.errorCode, 0, 'static members join without MEMBER_ID_REQUIRED');
    assert.match(j.memberId, /^inst-1-/);
    await old.sync([{ memberId: old.memberId, assignment: assignment({ t: [0] }) }]);
    const gen = old.generationId;

    const restarted = await member(g);
    const r = await restarted.join({ groupInstanceId: 'inst-1' });
    assert.equal(r.errorCode, 0);
    assert.notEqual(r.memberId, old.memberId);
    assert.equal(r.generationId, gen, 'no rebalance');
    assert.equal(r.leader, r.memberId);
    assert.equal(r.skipAssignment, true, 'v9: the static leader keeps the current assignment');
    assert.equal(r.members.length, 1);
    assert.equal(await old.heartbeat(), E.FENCED_INSTANCE_ID);
    const s = await restarted.sync();
    assert.deepEqual(decodeAssignment(s.assignment), ['t-0'], 'the assignment carries over');
    assert.equal((await describeGroup(admin, g)).groupState, 'Stable');

    // before v9 the previous leader id is reported, so the member does not assign
    const third = await member(g);
    const r8 = await third.join({ groupInstanceId: 'inst-1', version: 8 });
    assert.deepEqual([r8.errorCode, r8.leader, r8.skipAssignment], [0, restarted.memberId, false]);
    assert.equal(await restarted.heartbeat(), E.FENCED_INSTANCE_ID);
    // a join with a member id that is not the instance's current one is fenced
    const stale = await restarted.join({ groupInstanceId: 'inst-1' });
    assert.equal(stale.errorCode, E.FENCED_INSTANCE_ID);
  });

  test('a JoinGroup retried on another connection answers the superseded one (REBALANCE_IN_PROGRESS)', async () => {
    const g = topicName('g');
    const [m1, m2] = (await form(g, [range(), range()])) as [Member, Member];
    const m3 = await member(g);
    const j3 = m3.join();
    await waitFor(async () => (await describeGroup(admin, g)).groupState === 'PreparingRebalance');
    const first = m2.join();
    await sleep(50);
    const retry = await RawConnection.open(tb.port);
    conns.push(retry);
    const again = retry.request(11, 9, {
      groupId: g,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 3000,
      memberId: m2.memberId,
      protocolType: 'consumer',
      protocols: range(),
    });
    assert.equal((await first).errorCode, E.REBALANCE_IN_PROGRESS);
    await m1.join();
    const [r2, r3] = await Promise.all([again, j3]);
    assert.deepEqual([r2.errorCode, r3.errorCode, r2.generationId], [0, 0, m1.generationId]);
  });

  test('LeaveGroup v3+ removes a batch of members, by member id or by group.instance.id', async () => {
    const g = topicName('g');
    const [a, b, c] = (await form(g, [range(), range(), range()], { groupInstanceId: null })) as Member[];
    const r = await admin.request(13, 5, {
      groupId: g,
      members: [
        { memberId: a?.memberId, groupInstanceId: null, reason: 'scale down' },
        { memberId: 'ghost', groupInstanceId: null, reason: null },
        { memberId: b?.memberId, groupInstanceId: null, reason: null },
      ],
    });
    assert.deepEqual(
      r.members.map((m) => [m.memberId, m.errorCode]),
      [
        [a?.memberId, 0],
        ['ghost', E.UNKNOWN_MEMBER_ID],
        [b?.memberId, 0],
      ],
    );
    assert.equal(await c?.heartbeat(), E.REBALANCE_IN_PROGRESS);
    const j = await c?.join();
    assert.deepEqual(
      j?.members.map((m) => m.memberId),
      [c?.memberId],
    );

    const g2 = topicName('g');
    const st = await member(g2);
    await st.join({ groupInstanceId: 'inst-x' });
    await st.sync([{ memberId: st.memberId, assignment: Buffer.alloc(0) }]);
    const byInstance = await admin.request(13, 4, {
      groupId: g2,
      members: [
        { memberId: '', groupInstanceId: 'inst-x' },
        { memberId: '', groupInstanceId: 'inst-unknown' },
      ],
    });
    assert.deepEqual(
      byInstance.members.map((m) => m.errorCode),
      [0, E.UNKNOWN_MEMBER_ID],
    );
    const d = await describeGroup(admin, g2);
    assert.deepEqual([d.groupState, d.members.length], ['Empty', 0]);
  });
});
