/**
 * The classic protocol's client-side pieces without a broker: consumer
 * protocol encoding (round trips, older versions), and the range,
 * roundrobin and cooperative-sticky assignors (Kafka's documented examples,
 * balance, stickiness, the cooperative hand-over rule).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ASSIGNORS,
  type AssignorMember,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartition,
} from '../../src/client/consumer/index.ts';
import { Writer, writeConsumerProtocolSubscription } from '../../src/protocol/index.ts';

const member = (
  memberId: string,
  topics: string[],
  owned: TopicPartition[] = [],
  generationId = -1,
  groupInstanceId: string | null = null,
): AssignorMember => ({
  memberId,
  groupInstanceId,
  topics,
  ownedPartitions: owned,
  generationId,
  userData: null,
  rackId: null,
});

const names = (tps: TopicPartition[] | undefined): string[] => (tps ?? []).map((tp) => `${tp.topic}${tp.partition}`);
const assign = (
  name: 'range' | 'roundrobin' | 'cooperative-sticky',
  counts: Record<string, number>,
  ms: AssignorMember[],
) => ASSIGNORS.get(name)?.assign(new Map(Object.entries(counts)), ms) as Map<string, TopicPartition[]>;

describe('consumer protocol encoding', () => {
  test('subscription and assignment round trip (version 3)', () => {
    const sub = encodeSubscription({
      topics: ['b', 'a'],
      ownedPartitions: [
        { topic: 'a', partition: 1 },
        { topic: 'a', partition: 0 },
      ],
      generationId: 7,
    });
    assert.equal(sub.readInt16BE(0), 3);
    assert.deepEqual(decodeSubscription(sub), {
      topics: ['a', 'b'],
      userData: null,
      ownedPartitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
      ],
      generationId: 7,
      rackId: null,
    });
    const a = encodeAssignment([
      { topic: 'x', partition: 2 },
      { topic: 'x', partition: 0 },
    ]);
    assert.deepEqual(decodeAssignment(a).partitions, [
      { topic: 'x', partition: 0 },
      { topic: 'x', partition: 2 },
    ]);
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)).partitions, []);
  });

  test('a version 0 subscription (older clients) and a newer version decode', () => {
    const w = new Writer();
    w.writeInt16(0);
    writeConsumerProtocolSubscription(w, 0, { topics: ['t'], userData: Buffer.from('u') });
    const s = decodeSubscription(Buffer.from(w.finish()));
    assert.deepEqual(s.topics, ['t']);
    assert.deepEqual(s.userData, Buffer.from('u'));
    assert.deepEqual(s.ownedPartitions, []);
    const v9 = encodeSubscription({ topics: ['t'] });
    v9.writeInt16BE(9, 0);
    assert.deepEqual(decodeSubscription(Buffer.concat([v9, Buffer.from([1, 2, 3])])).topics, ['t']);
  });
});

describe('assignors', () => {
  const two = [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])];

  test("range: Kafka's example", () => {
    const r = assign('range', { t0: 3, t1: 3 }, two);
    assert.deepEqual(names(r.get('C0')), ['t00', 't01', 't10', 't11']);
    assert.deepEqual(names(r.get('C1')), ['t02', 't12']);
  });

  test("roundrobin: Kafka's example, and only subscribers get a topic", () => {
    const r = assign('roundrobin', { t0: 3, t1: 3 }, two);
    assert.deepEqual(names(r.get('C0')), ['t00', 't02', 't11']);
    assert.deepEqual(names(r.get('C1')), ['t01', 't10', 't12']);
    const mixed = assign('roundrobin', { t0: 2, t1: 2 }, [member('A', ['t0']), member('B', ['t0', 't1'])]);
    assert.deepEqual(names(mixed.get('A')), ['t00']);
    assert.deepEqual(names(mixed.get('B')), ['t01', 't10', 't11']);
  });

  test('static members come first, by instance id', () => {
    const r = assign('range', { t: 3 }, [member('a', ['t']), member('z', ['t'], [], -1, 'i1')]);
    assert.deepEqual(names(r.get('z')), ['t0', 't1']);
    assert.deepEqual(names(r.get('a')), ['t2']);
  });

  test('cooperative-sticky: balanced, every partition once', () => {
    for (const [members, partitions] of [
      [3, 6],
      [4, 10],
      [5, 3],
      [1, 7],
    ] as const) {
      const ms = Array.from({ length: members }, (_, i) => member(`m${i}`, ['t']));
      const r = assign('cooperative-sticky', { t: partitions }, ms);
      const all = [...r.values()].flat().map((tp) => tp.partition);
      assert.deepEqual(
        all.sort((a, b) => a - b),
        Array.from({ length: partitions }, (_, i) => i),
      );
      const sizes = [...r.values()].map((l) => l.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${members}x${partitions}: ${sizes}`);
    }
  });

  test('cooperative-sticky: owners keep their partitions; moved ones wait a round', () => {
    const t = (p: number) => ({ topic: 't', partition: p });
    // A owned everything; B and C join
    const round1 = assign('cooperative-sticky', { t: 6 }, [
      member('A', ['t'], [0, 1, 2, 3, 4, 5].map(t), 1),
      member('B', ['t'], [], 1),
      member('C', ['t'], [], 1),
    ]);
    assert.equal(round1.get('A')?.length, 2, 'A keeps its quota');
    assert.deepEqual(round1.get('B'), [], 'partitions still owned by A are not handed over yet');
    assert.deepEqual(round1.get('C'), []);
    // A revoked the rest and rejoins
    const kept = round1.get('A') ?? [];
    const round2 = assign('cooperative-sticky', { t: 6 }, [
      member('A', ['t'], kept, 2),
      member('B', ['t'], [], 2),
      member('C', ['t'], [], 2),
    ]);
    assert.deepEqual(round2.get('A'), kept);
    assert.equal(round2.get('B')?.length, 2);
    assert.equal(round2.get('C')?.length, 2);
    // a member leaves: the others keep theirs and split its partitions
    const round3 = assign('cooperative-sticky', { t: 6 }, [
      member('A', ['t'], kept, 3),
      member('B', ['t'], round2.get('B'), 3),
    ]);
    assert.ok(kept.every((tp) => round3.get('A')?.some((x) => x.partition === tp.partition)));
    assert.equal(round3.get('A')?.length, 3);
    assert.equal(round3.get('B')?.length, 3);
  });

  test('cooperative-sticky: a claim from an older generation loses', () => {
    const r = assign('cooperative-sticky', { t: 2 }, [
      member('old', ['t'], [{ topic: 't', partition: 0 }], 1),
      member('new', ['t'], [{ topic: 't', partition: 0 }], 2),
    ]);
    assert.deepEqual(names(r.get('new')), ['t0']);
    assert.deepEqual(names(r.get('old')), ['t1']);
  });

  test('cooperative-sticky: different subscriptions', () => {
    const r = assign('cooperative-sticky', { a: 4, b: 2 }, [member('X', ['a']), member('Y', ['a', 'b'])]);
    assert.ok(names(r.get('X')).every((n) => n.startsWith('a')));
    const all = [...r.values()].flat();
    assert.equal(all.length, 6);
    assert.equal(new Set(names(all)).size, 6);
    assert.deepEqual(
      [...r.values()].map((l) => l.length),
      [3, 3],
    );
  });
});
