/**
 * KIP-848 consumer groups in `__consumer_offsets`, frame by frame: offset
 * expiry follows the consumer group (subscribed topics' offsets never expire
 * while it has members; once Empty they expire offsets.retention.ms later),
 * and the group's epoch, members and assignments survive a broker restart in
 * Kafka's ConsumerGroup* records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeConsumerGroupKey } from '../../src/broker/group/consumer-group-records.ts';
import { partitionFor } from '../../src/broker/group/records.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { decodeRecordBatch, iterateBatches } from '../../src/protocol/records/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { waitFor } from './group-wire.ts';

type Owned = Array<{ topicId: string; partitions: number[] }>;

/** A consumer speaking ConsumerGroupHeartbeat v0 over a raw connection. */
class CgMember {
  memberId = '';
  epoch = 0;
  owned: Owned = [];

  constructor(
    public conn: RawConnection,
    readonly groupId: string,
    readonly topics: string[],
  ) {}

  async join(): Promise<number> {
    const r = await this.conn.request(68, 0, {
      groupId: this.groupId,
      memberId: '',
      memberEpoch: 0,
      rebalanceTimeoutMs: 5000,
      subscribedTopicNames: this.topics,
      topicPartitions: [],
    });
    this.#take(r);
    return r.errorCode;
  }

  /** One heartbeat reporting what it owns; takes the answer's epoch and assignment. */
  async step(): Promise<number> {
    const r = await this.conn.request(68, 0, {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      topicPartitions: this.owned,
    });
    if (r.errorCode === ErrorCode.NONE) this.#take(r);
    return r.errorCode;
  }

  async leave(): Promise<number> {
    const r = await this.conn.request(68, 0, {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: -1,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      topicPartitions: null,
    });
    return r.errorCode;
  }

  partitions(): number[] {
    return this.owned.flatMap((t) => t.partitions).sort((a, b) => a - b);
  }

  #take(r: { memberId: string | null; memberEpoch: number; assignment: { topicPartitions: Owned } | null }): void {
    if (r.memberId) this.memberId = r.memberId;
    this.epoch = r.memberEpoch;
    if (r.assignment) this.owned = r.assignment.topicPartitions.map((t) => ({ ...t, partitions: [...t.partitions] }));
  }
}

const describeCg = async (conn: RawConnection, groupId: string) => {
  const r = await conn.request(69, 0, { groupIds: [groupId], includeAuthorizedOperations: false });
  return r.groups[0] as NonNullable<(typeof r.groups)[number]>;
};

const commit = (conn: RawConnection, groupId: string, m: CgMember, topic: string, offset: bigint) =>
  conn.request(8, 9, {
    groupId,
    generationIdOrMemberEpoch: m.epoch,
    memberId: m.memberId,
    groupInstanceId: null,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset }] }],
  });

describe('consumer group offset expiry', () => {
  test("subscribed topics' offsets never expire while the group has members; once Empty, retention counts from then", async (t) => {
    const tb = await startTestBroker(t.after.bind(t), {
      'offsets.topic.num.partitions': '4',
      'offsets.retention.ms': '600',
      'offsets.retention.check.interval.ms': '100',
      'group.consumer.heartbeat.interval.ms': '250',
      'group.consumer.session.timeout.ms': '30000',
    });
    const conn = await RawConnection.open(tb.port);
    t.after(() => conn.close());
    const topic = topicName('cgx');
    const other = topicName('cgx-other');
    await tb.broker.createTopic(topic, 1, 1, {});
    await tb.broker.createTopic(other, 1, 1, {});
    const groupId = topicName('cgx-group');
    const m = new CgMember(conn, groupId, [topic]);
    assert.equal(await m.join(), ErrorCode.NONE);
    assert.equal((await commit(conn, groupId, m, topic, 11n)).topics[0]?.partitions[0]?.errorCode, 0);
    assert.equal((await commit(conn, groupId, m, other, 22n)).topics[0]?.partitions[0]?.errorCode, 0);
    const offsets = async () => {
      const r = await conn.request(9, 7, { groupId, topics: null });
      return r.topics.map((x) => x.name).sort();
    };

    // an unsubscribed topic's offset expires by its commit time
    await waitFor(async () => !(await offsets()).includes(other), 4000, 'unsubscribed offset expiry');
    // the subscribed one stays, however old, while the group has a member
    await sleep(900);
    assert.deepEqual(await offsets(), [topic]);
    assert.equal((await describeCg(conn, groupId)).groupState, 'Stable');

    // once Empty: retention from then, then the group goes
    const emptied = Date.now();
    assert.equal(await m.leave(), ErrorCode.NONE);
    assert.equal((await describeCg(conn, groupId)).groupState, 'Empty');
    await waitFor(async () => (await offsets()).length === 0, 4000, 'empty group offsets expiry');
    assert.ok(Date.now() - emptied >= 550, 'not before offsets.retention.ms');
    await waitFor(
      async () => (await describeCg(conn, groupId)).errorCode === ErrorCode.GROUP_ID_NOT_FOUND,
      4000,
      'empty group deleted',
    );
  });
});

describe('consumer groups across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const CONFIGS = {
    'offsets.topic.num.partitions': '4',
    'group.consumer.heartbeat.interval.ms': '250',
    'group.consumer.session.timeout.ms': '1500',
  };

  test('epoch, members and assignments come back; members go on; a silent one is removed', async (t) => {
    const first = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    const topic = topicName('cgr');
    await first.broker.createTopic(topic, 4, 1, {});
    const groupId = topicName('cgr-group');
    const conn1 = await RawConnection.open(first.port);
    const a = new CgMember(conn1, groupId, [topic]);
    const b = new CgMember(conn1, groupId, [topic]);
    assert.equal(await a.join(), ErrorCode.NONE);
    assert.equal(await b.join(), ErrorCode.NONE);
    for (let i = 0; i < 4; i++) {
      assert.equal(await a.step(), ErrorCode.NONE);
      assert.equal(await b.step(), ErrorCode.NONE);
    }
    const before = await describeCg(conn1, groupId);
    assert.equal(before.groupState, 'Stable');
    assert.equal(before.groupEpoch, 2);
    assert.deepEqual([a.partitions().length, b.partitions().length], [2, 2]);
    assert.equal(a.epoch, 2);

    // the records are Kafka's consumer group records (written in the background)
    const kinds = (): string[] => {
      const log = first.broker.log('__consumer_offsets', partitionFor(groupId, 4));
      const seen = new Set<string>();
      if (!log) return [];
      for (const slice of iterateBatches(log.read(log.logStartOffset, 1 << 20).records)) {
        for (const rec of decodeRecordBatch(slice.bytes).records) {
          const key = decodeConsumerGroupKey(Buffer.from(rec.key ?? []));
          if (key?.group === groupId) seen.add(key.type);
        }
      }
      return [...seen].sort();
    };
    await waitFor(() => kinds().length === 5, 5000, 'consumer group records');
    assert.deepEqual(kinds(), [
      'cg-current-assignment',
      'cg-member',
      'cg-metadata',
      'cg-target-member',
      'cg-target-metadata',
    ]);
    conn1.close();
    await first.broker.close();

    const second = await startTestBroker(t.after.bind(t), CONFIGS, dir);
    await second.broker.groups.loaded();
    const conn2 = await RawConnection.open(second.port);
    t.after(() => conn2.close());
    a.conn = conn2;
    const restored = await describeCg(conn2, groupId);
    assert.equal(restored.errorCode, ErrorCode.NONE);
    assert.equal(restored.groupEpoch, 2);
    assert.equal(restored.assignmentEpoch, 2);
    assert.equal(restored.groupState, 'Stable');
    assert.deepEqual(restored.members.map((m) => m.memberId).sort(), [a.memberId, b.memberId].sort());
    const restoredA = restored.members.find((m) => m.memberId === a.memberId);
    assert.equal(restoredA?.memberEpoch, 2);
    assert.deepEqual(restoredA?.subscribedTopicNames, [topic]);
    assert.deepEqual(restoredA?.assignment.topicPartitions.flatMap((x) => x.partitions).sort(), a.partitions());

    // A goes on with its id and epoch
    const held = a.partitions();
    assert.equal(await a.step(), ErrorCode.NONE);
    assert.equal(a.epoch, 2);
    assert.deepEqual(a.partitions(), held);

    // B stays silent: removed after its session timeout; A then gets everything
    await waitFor(
      async () => {
        assert.equal(await a.step(), ErrorCode.NONE);
        return a.partitions().length === 4;
      },
      6000,
      'silent member removed',
    );
    const after2 = await describeCg(conn2, groupId);
    assert.equal(after2.groupEpoch, 3);
    assert.deepEqual(
      after2.members.map((m) => m.memberId),
      [a.memberId],
    );
    assert.equal(a.epoch, 3);

    // leaving and deleting the group tombstones every record of it
    assert.equal(await a.leave(), ErrorCode.NONE);
    const del = await conn2.request(42, 2, { groupsNames: [groupId] });
    assert.equal(del.results[0]?.errorCode, ErrorCode.NONE);
    const live = (): string[] => {
      const log = second.broker.log('__consumer_offsets', partitionFor(groupId, 4));
      const last = new Map<string, string>();
      if (!log) return ['no log'];
      for (const slice of iterateBatches(log.read(log.logStartOffset, 1 << 20).records)) {
        for (const rec of decodeRecordBatch(slice.bytes).records) {
          const keyBytes = Buffer.from(rec.key ?? []);
          const key = decodeConsumerGroupKey(keyBytes);
          if (key?.group !== groupId) continue;
          const id = keyBytes.toString('hex');
          if (rec.value) last.set(id, key.type);
          else last.delete(id);
        }
      }
      return [...last.values()];
    };
    await waitFor(() => live().length === 0, 5000, 'tombstones');
    assert.equal((await describeCg(conn2, groupId)).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});
