/**
 * Committed offsets and group administration on the wire: OffsetCommit and
 * OffsetFetch across versions (multi-group v8+), simple consumers, the
 * transactional-offset hooks with requireStable, OffsetDelete, DeleteGroups,
 * ListGroups filters, DescribeGroups, COORDINATOR_LOAD_IN_PROGRESS during a
 * load, Kafka's record formats in `__consumer_offsets`, restart, and offset
 * retention.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readGroupConfig } from '../../src/broker/group/config.ts';
import { javaStringHashCode, partitionFor } from '../../src/broker/group/index.ts';
import { decodeGroupMetadataValue, decodeKey, decodeOffsetCommitValue } from '../../src/broker/group/records.ts';
import { decodeRecordBatch, iterateBatches } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { describe as describeGroup, formGroup, Member, subscription, waitFor } from './group-wire.ts';

const E = {
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  NOT_COORDINATOR: 16,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_METADATA_TOO_LARGE: 12,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  UNSTABLE_OFFSET_COMMIT: 88,
};

const CONFIGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
  'offsets.topic.num.partitions': '4',
};

type CommitBody = Record<string, unknown>;

function commitBody(groupId: string, topic: string, offsets: number[], extra: CommitBody = {}): CommitBody {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: topic,
        partitions: offsets.map((o, p) => ({
          partitionIndex: p,
          committedOffset: BigInt(o),
          committedLeaderEpoch: 0,
          committedMetadata: `m${p}`,
        })),
      },
    ],
    ...extra,
  };
}

const codes = (r: { topics: Array<{ partitions: Array<{ errorCode: number }> }> }) =>
  r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

describe('Java String.hashCode and the offsets partition of a group', () => {
  test('matches Java for ASCII, non-ASCII, empty and Integer.MIN_VALUE hashes', () => {
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('my-group'), -1906497762);
    assert.equal(javaStringHashCode('groupé'), -1237460406);
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(partitionFor('polygenelubricants', 50), 0, 'Utils.abs(MIN_VALUE) is 0');
    assert.equal(partitionFor('my-group', 50), 12);
    assert.equal(partitionFor('console-consumer-12345', 50), 6);
  });

  test("Kafka's defaults", () => {
    const c = readGroupConfig((_, fallback) => fallback);
    assert.equal(c.offsetsTopicPartitions, 50);
    assert.equal(c.initialRebalanceDelayMs, 3000);
    assert.equal(c.offsetsRetentionMs, 7 * 24 * 3600 * 1000);
    assert.equal(c.minSessionTimeoutMs, 6000);
    assert.equal(c.maxSessionTimeoutMs, 1_800_000);
  });
});

describe('offsets and group administration', async () => {
  const tb = await startTestBroker(after, CONFIGS);
  const conns: Array<{ close(): void }> = [];
  after(() => {
    for (const c of conns) c.close();
  });
  const admin = await RawConnection.open(tb.port);
  conns.push(admin);
  const topic = topicName('ot');
  await tb.broker.createTopic(topic, 3, 1, {});
  const form = async (groupId: string, n: number, topics = [topic]) => {
    const protocols = Array.from({ length: n }, () => [{ name: 'range', metadata: subscription(topics) }]);
    const ms = await formGroup(tb.port, groupId, protocols);
    conns.push(...ms);
    return ms;
  };
  const fetch = async (groupId: string, v = 7, requireStable = false) => {
    const r = await admin.request(9, v, {
      groupId,
      topics: [{ name: topic, partitionIndexes: [0, 1, 2] }],
      requireStable,
    });
    return {
      errorCode: r.errorCode,
      offsets: r.topics[0]?.partitions.map((p) => [Number(p.committedOffset), p.errorCode]),
    };
  };

  test('a simple consumer (generation -1) commits into a new Empty group; every version reads it back', async () => {
    const g = topicName('g');
    for (const v of [0, 1, 2, 5, 8, 9]) {
      const r = await admin.request(8, v, commitBody(g, topic, [10 + v, 20, 30]));
      assert.deepEqual(codes(r), [0, 0, 0], `commit v${v}`);
    }
    for (const v of [0, 1, 3, 5, 7]) {
      const r = await admin.request(9, v, { groupId: g, topics: [{ name: topic, partitionIndexes: [0, 1, 2] }] });
      assert.deepEqual(
        r.topics[0]?.partitions.map((p) => [p.partitionIndex, Number(p.committedOffset), p.errorCode]),
        [
          [0, 19, 0],
          [1, 20, 0],
          [2, 30, 0],
        ],
        `fetch v${v}`,
      );
      if (v >= 5) assert.equal(r.topics[0]?.partitions[0]?.committedLeaderEpoch, 0);
      if (v >= 1) assert.equal(r.topics[0]?.partitions[1]?.metadata, 'm1');
    }
    const all = await admin.request(9, 6, { groupId: g, topics: null });
    assert.deepEqual(
      all.topics.map((t) => [t.name, t.partitions.length]),
      [[topic, 3]],
    );
    const groups = await admin.request(16, 4, { statesFilter: [] });
    assert.deepEqual(
      groups.groups.filter((x) => x.groupId === g).map((x) => [x.protocolType, x.groupState]),
      [['', 'Empty']],
    );
  });

  test('OffsetFetch v8+ answers several groups at once; unknown groups and partitions read -1', async () => {
    const [g1, g2, g3] = [topicName('g'), topicName('g'), topicName('g')];
    await admin.request(8, 8, commitBody(g1, topic, [1, 2, 3]));
    await admin.request(8, 8, commitBody(g2, topic, [4]));
    for (const v of [8, 9]) {
      const r = await admin.request(9, v, {
        groups: [
          { groupId: g1, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0, 2] }] },
          { groupId: g2, memberId: null, memberEpoch: -1, topics: null },
          { groupId: g3, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [0] }] },
          { groupId: g3, memberId: null, memberEpoch: -1, topics: null },
        ],
        requireStable: true,
      });
      assert.deepEqual(
        r.groups.map((g) => [
          g.groupId,
          g.errorCode,
          g.topics.map((t) => t.partitions.map((p) => Number(p.committedOffset))),
        ]),
        [
          [g1, 0, [[1, 3]]],
          [g2, 0, [[4]]],
          [g3, 0, [[-1]]],
          [g3, 0, []],
        ],
      );
    }
  });

  test('OffsetCommit errors: unknown topics, group generations and members, rebalancing, oversized metadata', async () => {
    const g = topicName('g');
    const [m1, m2] = (await form(g, 2)) as [Member, Member];
    const gen = m1.generationId;
    const commit = (extra: CommitBody, v = 8, offsets = [5, 6]) =>
      admin.request(8, v, commitBody(g, topic, offsets, extra));
    const member = (m: Member, generation = gen) => ({ generationIdOrMemberEpoch: generation, memberId: m.memberId });
    assert.deepEqual(codes(await commit(member(m1))), [0, 0]);
    assert.deepEqual(codes(await commit(member(m2, gen - 1))), [E.ILLEGAL_GENERATION, E.ILLEGAL_GENERATION]);
    assert.deepEqual(codes(await commit({ generationIdOrMemberEpoch: gen, memberId: 'ghost' })), [25, 25]);
    assert.deepEqual(
      codes(await commit({})),
      [E.UNKNOWN_MEMBER_ID, E.UNKNOWN_MEMBER_ID],
      'no member: only into an Empty group',
    );
    assert.deepEqual(codes(await commit({ ...member(m1), groupInstanceId: 'nobody' })), [25, 25]);
    const unknownTopic = await admin.request(8, 8, {
      ...commitBody(g, topic, [1], member(m1)),
      topics: [
        { name: topicName('missing'), partitions: [{ partitionIndex: 0, committedOffset: 1n }] },
        {
          name: topic,
          partitions: [
            { partitionIndex: 7, committedOffset: 1n },
            { partitionIndex: 0, committedOffset: 9n },
          ],
        },
      ],
    });
    assert.deepEqual(codes(unknownTopic), [E.UNKNOWN_TOPIC_OR_PARTITION, E.UNKNOWN_TOPIC_OR_PARTITION, 0]);
    const big = await admin.request(8, 8, {
      ...commitBody(g, topic, [1, 2], member(m1)),
      topics: [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, committedOffset: 11n, committedMetadata: 'x'.repeat(4097) },
            { partitionIndex: 1, committedOffset: 12n, committedMetadata: 'ok' },
          ],
        },
      ],
    });
    assert.deepEqual(codes(big), [E.OFFSET_METADATA_TOO_LARGE, 0]);
    assert.deepEqual((await fetch(g)).offsets, [
      [9, 0],
      [12, 0],
      [-1, 0],
    ]);
    const missing = topicName('g');
    assert.deepEqual(
      codes(await admin.request(8, 8, commitBody(missing, topic, [1], { generationIdOrMemberEpoch: 3 }))),
      [E.ILLEGAL_GENERATION],
    );
    assert.deepEqual(
      codes(await admin.request(8, 9, commitBody(missing, topic, [1], { generationIdOrMemberEpoch: 3 }))),
      [E.GROUP_ID_NOT_FOUND],
    );
    // CompletingRebalance: a member joined, both rejoined, nobody synced yet
    const m3 = await Member.open(tb.port, g);
    conns.push(m3);
    const j3 = m3.join({ protocols: [{ name: 'range', metadata: subscription([topic]) }] });
    await waitFor(async () => (await describeGroup(admin, g)).groupState === 'PreparingRebalance');
    assert.deepEqual(codes(await commit(member(m1))), [0, 0], 'commits still work while preparing a rebalance');
    const rejoin = [m1, m2].map((m) => m.join({ protocols: [{ name: 'range', metadata: subscription([topic]) }] }));
    await Promise.all([...rejoin, j3]);
    assert.equal((await describeGroup(admin, g)).groupState, 'CompletingRebalance');
    assert.deepEqual(codes(await commit(member(m1, m1.generationId))), [
      E.REBALANCE_IN_PROGRESS,
      E.REBALANCE_IN_PROGRESS,
    ]);
  });

  test('transactional offsets stay pending (UNSTABLE_OFFSET_COMMIT with requireStable) until commit; abort drops them', async () => {
    const g = topicName('g');
    await admin.request(8, 8, commitBody(g, topic, [100, 100, 100]));
    const groups = tb.broker.groups;
    const staged = await groups.stageTxnOffsets({
      groupId: g,
      producerId: 4000n,
      producerEpoch: 3,
      offsets: [
        { topic, partition: 0, offset: 150n, leaderEpoch: -1, metadata: 'txn' },
        { topic, partition: 1, offset: 160n, leaderEpoch: -1, metadata: null },
      ],
    });
    assert.deepEqual(
      staged.map((s) => s.errorCode),
      [0, 0],
    );
    assert.deepEqual((await fetch(g)).offsets, [
      [100, 0],
      [100, 0],
      [100, 0],
    ]);
    assert.deepEqual((await fetch(g, 7, true)).offsets, [
      [-1, E.UNSTABLE_OFFSET_COMMIT],
      [-1, E.UNSTABLE_OFFSET_COMMIT],
      [100, 0],
    ]);
    assert.equal((await admin.request(42, 2, { groupsNames: [] })).results.length, 0);
    await groups.completeTransaction(g, 4000n, true);
    assert.deepEqual((await fetch(g, 7, true)).offsets, [
      [150, 0],
      [160, 0],
      [100, 0],
    ]);
    await groups.stageTxnOffsets({
      groupId: g,
      producerId: 4001n,
      producerEpoch: 0,
      offsets: [{ topic, partition: 2, offset: 999n, leaderEpoch: -1, metadata: null }],
    });
    await groups.completeTransaction(g, 4001n, false);
    assert.deepEqual((await fetch(g, 7, true)).offsets, [
      [150, 0],
      [160, 0],
      [100, 0],
    ]);
    await assert.rejects(
      groups.stageTxnOffsets({ groupId: '', producerId: 1n, producerEpoch: 0, offsets: [] }),
      (err: { code?: number }) => err.code === E.INVALID_GROUP_ID,
    );
  });

  test('OffsetDelete: only offsets the group does not consume; GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP', async () => {
    const other = topicName('ot');
    await tb.broker.createTopic(other, 1, 1, {});
    const g = topicName('g');
    const [m1] = (await form(g, 1)) as [Member];
    await admin.request(8, 8, {
      ...commitBody(g, topic, [7], { generationIdOrMemberEpoch: m1.generationId, memberId: m1.memberId }),
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, committedOffset: 7n }] },
        { name: other, partitions: [{ partitionIndex: 0, committedOffset: 8n }] },
      ],
    });
    const del = await admin.request(47, 0, {
      groupId: g,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0 }] },
        { name: other, partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] },
      ],
    });
    assert.equal(del.errorCode, 0);
    assert.deepEqual(codes(del), [E.GROUP_SUBSCRIBED_TO_TOPIC, 0, E.UNKNOWN_TOPIC_OR_PARTITION]);
    const left = await admin.request(9, 7, { groupId: g, topics: null });
    assert.deepEqual(
      left.topics.map((t) => t.name),
      [topic],
    );
    assert.equal((await admin.request(47, 0, { groupId: topicName('g'), topics: [] })).errorCode, E.GROUP_ID_NOT_FOUND);
    assert.equal((await admin.request(47, 0, { groupId: '', topics: [] })).errorCode, E.INVALID_GROUP_ID);
    const connect = topicName('g');
    const c = await Member.open(tb.port, connect);
    conns.push(c);
    await c.join({ protocolType: 'connect', protocols: [{ name: 'default', metadata: Buffer.from('x') }] });
    assert.equal((await admin.request(47, 0, { groupId: connect, topics: [] })).errorCode, E.NON_EMPTY_GROUP);
    // once the consumer group is empty its offsets can go
    assert.equal(await m1.leave(), 0);
    const del2 = await admin.request(47, 0, {
      groupId: g,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }],
    });
    assert.deepEqual(codes(del2), [0]);
    assert.deepEqual((await admin.request(9, 7, { groupId: g, topics: null })).topics, []);
  });

  test('DeleteGroups removes Empty groups and their offsets; NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND', async () => {
    const empty = topicName('g');
    await admin.request(8, 8, commitBody(empty, topic, [1, 2, 3]));
    const busy = topicName('g');
    await form(busy, 1);
    const ghost = topicName('g');
    const r = await admin.request(42, 2, { groupsNames: [empty, busy, ghost, empty] });
    assert.deepEqual(
      r.results.map((x) => [x.groupId, x.errorCode]),
      [
        [empty, 0],
        [busy, E.NON_EMPTY_GROUP],
        [ghost, E.GROUP_ID_NOT_FOUND],
      ],
    );
    assert.deepEqual((await fetch(empty)).offsets, [
      [-1, 0],
      [-1, 0],
      [-1, 0],
    ]);
    const d = await describeGroup(admin, empty);
    assert.deepEqual([d.errorCode, d.groupState, d.members], [0, 'Dead', []]);
  });

  test('ListGroups filters by state (v4+) and type (v5+); DescribeGroups reports members, metadata and assignments', async () => {
    const stable = topicName('g');
    const [leader] = (await form(stable, 2)) as [Member, Member];
    const empty = topicName('g');
    await admin.request(8, 8, commitBody(empty, topic, [1]));
    const list = async (v: number, body: Record<string, unknown>) =>
      new Set((await admin.request(16, v, body)).groups.map((g) => g.groupId));
    assert.ok((await list(0, {})).has(stable));
    const stableOnly = await list(4, { statesFilter: ['stable'] });
    assert.ok(stableOnly.has(stable) && !stableOnly.has(empty));
    const emptyOnly = await list(4, { statesFilter: [' Empty '] });
    assert.ok(emptyOnly.has(empty) && !emptyOnly.has(stable));
    assert.equal((await list(4, { statesFilter: ['Dead'] })).size, 0);
    assert.ok((await list(5, { typesFilter: ['Classic'] })).has(stable));
    assert.equal((await list(5, { typesFilter: ['consumer'] })).size, 0);
    const listed = (await admin.request(16, 5, {})).groups.find((g) => g.groupId === stable);
    assert.deepEqual([listed?.protocolType, listed?.groupState, listed?.groupType], ['consumer', 'Stable', 'classic']);

    const r = await admin.request(15, 5, { groups: [stable, topicName('none')], includeAuthorizedOperations: true });
    const [d, none] = r.groups;
    assert.deepEqual(
      [d?.errorCode, d?.groupState, d?.protocolType, d?.protocolData],
      [0, 'Stable', 'consumer', 'range'],
    );
    assert.equal(d?.members.length, 2);
    for (const m of d?.members ?? []) {
      assert.equal(m.clientId, 'raw-test');
      assert.equal(m.clientHost, '/127.0.0.1');
      assert.deepEqual(m.memberMetadata, subscription([topic]));
    }
    assert.ok(d?.members.some((m) => m.memberId === leader.memberId));
    assert.notEqual(d?.authorizedOperations, -2147483648);
    assert.deepEqual([none?.errorCode, none?.groupState, none?.members], [0, 'Dead', []]);
  });

  test('while groups load: COORDINATOR_LOAD_IN_PROGRESS (Heartbeat NONE); parked joins get NOT_COORDINATOR', async () => {
    const g = topicName('g');
    const [m1] = (await form(g, 1)) as [Member];
    await admin.request(
      8,
      8,
      commitBody(g, topic, [42], { generationIdOrMemberEpoch: m1.generationId, memberId: m1.memberId }),
    );
    // a second member parks in JoinGroup (the group waits for m1 to rejoin)
    const m2 = await Member.open(tb.port, g);
    conns.push(m2);
    const parked = m2.join({ protocols: [{ name: 'range', metadata: subscription([topic]) }] });
    await waitFor(async () => (await describeGroup(admin, g)).groupState === 'PreparingRebalance');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const loading = tb.broker.groups.reload(gate);
    assert.equal((await parked).errorCode, E.NOT_COORDINATOR);
    assert.equal((await fetch(g)).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.deepEqual(codes(await admin.request(8, 8, commitBody(g, topic, [1]))), [E.COORDINATOR_LOAD_IN_PROGRESS]);
    assert.equal((await m1.join({ protocols: [] })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal((await m1.sync()).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(await m1.heartbeat(), 0, 'heartbeats are answered blindly while loading');
    assert.equal((await admin.request(16, 4, {})).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal((await describeGroup(admin, g)).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(
      (await admin.request(42, 2, { groupsNames: [g] })).results[0]?.errorCode,
      E.COORDINATOR_LOAD_IN_PROGRESS,
    );
    assert.equal((await admin.request(13, 5, { groupId: g, members: [] })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    const fc = await admin.request(10, 3, { key: g, keyType: 0 });
    assert.equal(fc.errorCode, 0, 'FindCoordinator still answers');
    open();
    await loading;
    assert.deepEqual((await fetch(g)).offsets?.[0], [42, 0]);
    // the group came back from its stored metadata, with its member and generation
    const d = await describeGroup(admin, g);
    assert.deepEqual([d.groupState, d.members.map((m) => m.memberId)], ['Stable', [m1.memberId]]);
    assert.equal(await m1.heartbeat(), 0);
  });
});

describe('__consumer_offsets across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-group-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("records are Kafka's formats; groups and offsets come back; restored members expire into an Empty group", async (t) => {
    const topic = topicName('rt');
    const g = topicName('g');
    const first = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    await first.broker.createTopic(topic, 2, 1, {});
    const [m] = await formGroup(first.port, g, [[{ name: 'range', metadata: subscription([topic]) }]], {
      sessionTimeoutMs: 700,
    });
    const admin1 = await RawConnection.open(first.port);
    const c = await admin1.request(8, 8, {
      ...commitBody(g, topic, [5, 6], { generationIdOrMemberEpoch: m?.generationId, memberId: m?.memberId }),
    });
    assert.deepEqual(codes(c), [0, 0]);
    const simple = topicName('g');
    await admin1.request(8, 8, commitBody(simple, topic, [77]));
    admin1.close();
    m?.close();

    // what is on disk, decoded with Kafka's schemas
    const p = partitionFor(g, 4);
    const log = first.broker.log('__consumer_offsets', p);
    assert.ok(log);
    const bytes = log.read(log.logStartOffset, 1 << 20).records;
    const seen: string[] = [];
    for (const slice of iterateBatches(bytes)) {
      for (const rec of decodeRecordBatch(slice.bytes).records) {
        const key = decodeKey(Buffer.from(rec.key ?? []));
        if (key.type === 'unknown' || key.group !== g) continue;
        const kv = Buffer.from(rec.key ?? []).readInt16BE(0);
        const vv = rec.value ? Buffer.from(rec.value).readInt16BE(0) : null;
        if (key.type === 'offset') {
          const v = decodeOffsetCommitValue(Buffer.from(rec.value ?? []));
          seen.push(`offset k${kv} v${vv} ${key.topic}-${key.partition}=${v.offset}`);
        } else {
          const v = decodeGroupMetadataValue(Buffer.from(rec.value ?? []));
          seen.push(
            `group k${kv} v${vv} gen${v.generation} ${v.protocolType}/${v.protocol} members=${v.members.length}`,
          );
        }
      }
    }
    assert.deepEqual(seen, [
      `group k2 v3 gen1 consumer/range members=1`,
      `offset k1 v3 ${topic}-0=5`,
      `offset k1 v3 ${topic}-1=6`,
    ]);
    await first.broker.close();

    const second = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    await second.broker.groups.loaded();
    const admin2 = await RawConnection.open(second.port);
    t.after(() => admin2.close());
    const f = await admin2.request(9, 8, {
      groups: [
        { groupId: g, memberId: null, memberEpoch: -1, topics: null },
        { groupId: simple, memberId: null, memberEpoch: -1, topics: null },
      ],
    });
    assert.deepEqual(
      f.groups.map((x) => x.topics.flatMap((tp) => tp.partitions.map((pp) => Number(pp.committedOffset)))),
      [[5, 6], [77]],
    );
    const restored = await describeGroup(admin2, g);
    assert.deepEqual([restored.groupState, restored.members.length], ['Stable', 1], 'the member is restored');
    // nobody heartbeats for it: after its session timeout the group is Empty, offsets kept
    await waitFor(async () => (await describeGroup(admin2, g)).groupState === 'Empty', 5000, 'Empty');
    const again = await admin2.request(9, 7, { groupId: g, topics: null });
    assert.deepEqual(
      again.topics[0]?.partitions.map((pp) => Number(pp.committedOffset)),
      [5, 6],
    );
    // and a new member can use the group
    const [n] = await formGroup(second.port, g, [[{ name: 'range', metadata: subscription([topic]) }]]);
    assert.equal(n?.generationId, 3);
    n?.close();
  });
});

describe('offset retention', () => {
  test('offsets expire offsets.retention.ms after a group empties (or after their commit for simple groups); then the group goes', async (t) => {
    const tb = await startTestBroker(t.after.bind(t), {
      ...CONFIGS,
      'offsets.retention.ms': '600',
      'offsets.retention.check.interval.ms': '100',
    });
    const admin = await RawConnection.open(tb.port);
    t.after(() => admin.close());
    const topic = topicName('rt');
    await tb.broker.createTopic(topic, 1, 1, {});
    const listed = async (g: string) => (await admin.request(16, 4, {})).groups.some((x) => x.groupId === g);
    const offsetsOf = async (g: string) => (await admin.request(9, 7, { groupId: g, topics: null })).topics.length;

    const simple = topicName('g');
    await admin.request(8, 8, commitBody(simple, topic, [3]));
    const consumer = topicName('g');
    const [m] = await formGroup(tb.port, consumer, [[{ name: 'range', metadata: subscription([topic]) }]]);
    t.after(() => m?.close());
    await admin.request(
      8,
      8,
      commitBody(consumer, topic, [9], { generationIdOrMemberEpoch: m?.generationId, memberId: m?.memberId }),
    );
    const unsubscribed = topicName('g');
    const [u] = await formGroup(tb.port, unsubscribed, [[{ name: 'range', metadata: subscription(['elsewhere']) }]]);
    t.after(() => u?.close());
    await admin.request(
      8,
      8,
      commitBody(unsubscribed, topic, [4], { generationIdOrMemberEpoch: u?.generationId, memberId: u?.memberId }),
    );

    // a simple group's offset expires by its commit time, and the group with it
    await waitFor(async () => !(await listed(simple)), 4000, 'simple group expiry');
    // a Stable consumer group loses offsets of topics it no longer subscribes to, and stays
    await waitFor(async () => (await offsetsOf(unsubscribed)) === 0, 4000, 'unsubscribed offsets');
    assert.equal((await describeGroup(admin, unsubscribed)).groupState, 'Stable');
    // ...but keeps those it consumes, however old
    await sleep(400);
    assert.equal(await m?.heartbeat(), 0);
    assert.equal(await offsetsOf(consumer), 1);
    // once Empty, the retention counts from then: offsets and group go
    const emptied = Date.now();
    assert.equal(await m?.leave(), 0);
    await waitFor(async () => !(await listed(consumer)), 4000, 'empty group expiry');
    assert.ok(Date.now() - emptied >= 550, 'not before offsets.retention.ms');
    assert.equal(await offsetsOf(consumer), 0);
  });
});
