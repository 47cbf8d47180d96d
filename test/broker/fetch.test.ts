/**
 * Fetch semantics with exact frames: long poll, byte limits (KIP-74), fetch
 * sessions (KIP-227), topic ids (v13+), and ListOffsets.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeRecordBatch, ErrorCode, encodeRecordBatch, iterateBatches } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';

const batch = (values: string[], timestamp = Date.now()): Buffer =>
  encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [], timestamp: BigInt(timestamp) })),
  });

function values(records: Buffer | null | undefined): string[] {
  const out: string[] = [];
  if (!records) return out;
  for (const b of iterateBatches(records))
    for (const r of decodeRecordBatch(b.bytes).records) out.push(String(r.value));
  return out;
}

describe('fetch', async () => {
  const tb = await startTestBroker(after);
  const conn = await RawConnection.open(tb.port);
  after(() => conn.close());
  const produce = async (topic: string, partition: number, records: Buffer): Promise<bigint> => {
    const res = await conn.request(0, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    });
    const p = res.responses[0]?.partitionResponses[0];
    assert.equal(p?.errorCode, 0);
    return p?.baseOffset as bigint;
  };

  test('long poll: waits for minBytes, wakes on produce, returns after maxWait otherwise', async () => {
    const topic = topicName('longpoll');
    await tb.broker.createTopic(topic, 1, 1, {});
    const c = await RawConnection.open(tb.port);
    after(() => c.close());
    const started = Date.now();
    const empty = await c.request(1, 12, {
      maxWaitMs: 300,
      minBytes: 1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    assert.ok(Date.now() - started >= 280, 'waited for maxWaitMs');
    assert.equal(values(empty.responses[0]?.partitions[0]?.records).length, 0);
    const pending = c.request(1, 12, {
      maxWaitMs: 10_000,
      minBytes: 1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await produce(topic, 0, batch(['woke']));
    const res = await pending;
    assert.ok(Date.now() - t0 < 2000, 'answered soon after the produce');
    assert.deepEqual(values(res.responses[0]?.partitions[0]?.records), ['woke']);
  });

  test('byte limits: partition and response maximums, but the first batch always comes whole', async () => {
    const topic = topicName('limits');
    await tb.broker.createTopic(topic, 2, 1, {});
    for (let i = 0; i < 5; i++) await produce(topic, 0, batch([`a${i}-${'x'.repeat(200)}`]));
    for (let i = 0; i < 5; i++) await produce(topic, 1, batch([`b${i}-${'y'.repeat(200)}`]));
    // maxBytes 10: still one whole batch from the first partition, nothing from the second
    const tiny = await conn.request(1, 11, {
      maxWaitMs: 0,
      maxBytes: 10,
      topics: [
        { topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 10 })) },
      ],
    });
    const [p0, p1] = tiny.responses[0]?.partitions ?? [];
    assert.equal(values(p0?.records).length, 1);
    assert.equal(values(p1?.records).length, 0);
    // a partition limit of two batches' worth
    const one = (
      await conn.request(1, 11, {
        maxWaitMs: 0,
        topics: [{ topic, partitions: [{ partition: 1, fetchOffset: 2n, partitionMaxBytes: 600 }] }],
      })
    ).responses[0]?.partitions[0];
    assert.deepEqual(
      values(one?.records).map((v) => v.slice(0, 2)),
      ['b2', 'b3'],
    );
    assert.equal(one?.highWatermark, 5n);
  });

  test('offset out of range and unknown topics', async () => {
    const topic = topicName('oor');
    await tb.broker.createTopic(topic, 1, 1, {});
    await produce(topic, 0, batch(['one']));
    const res = await conn.request(1, 12, {
      maxWaitMs: 0,
      topics: [
        { topic, partitions: [{ partition: 0, fetchOffset: 5n, partitionMaxBytes: 1000 }] },
        { topic: topicName('missing'), partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] },
      ],
    });
    assert.equal(res.responses[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.equal(res.responses[1]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('v13+ names topics by id; an unknown id gets UNKNOWN_TOPIC_ID', async () => {
    const topic = topicName('ids');
    const meta = await tb.broker.createTopic(topic, 1, 1, {});
    await produce(topic, 0, batch(['by-id']));
    const res = await conn.request(1, 16, {
      maxWaitMs: 0,
      topics: [
        { topicId: meta.id, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] },
        {
          topicId: Buffer.alloc(16, 7).toString('base64url'),
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }],
        },
      ],
    });
    assert.equal(res.responses[0]?.topicId, meta.id);
    assert.deepEqual(values(res.responses[0]?.partitions[0]?.records), ['by-id']);
    assert.equal(res.responses[1]?.partitions[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  });

  test('fetch sessions: full then incremental responses name only partitions with news', async () => {
    const topic = topicName('session');
    await tb.broker.createTopic(topic, 3, 1, {});
    await produce(topic, 0, batch(['p0-0']));
    const c = await RawConnection.open(tb.port);
    after(() => c.close());
    const full = await c.request(1, 12, {
      maxWaitMs: 0,
      sessionId: 0,
      sessionEpoch: 0,
      topics: [
        { topic, partitions: [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 1000 })) },
      ],
    });
    assert.ok(full.sessionId > 0);
    assert.equal(full.responses[0]?.partitions.length, 3);
    // epoch 1: the client moved partition 0 to offset 1; nothing new anywhere
    await produce(topic, 2, batch(['p2-0']));
    const inc = await c.request(1, 12, {
      maxWaitMs: 0,
      sessionId: full.sessionId,
      sessionEpoch: 1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 1n, partitionMaxBytes: 1000 }] }],
    });
    assert.equal(inc.sessionId, full.sessionId);
    assert.deepEqual(
      inc.responses.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, values(p.records)])),
      [[2, ['p2-0']]],
    );
    // wrong epoch and unknown session
    const stale = await c.request(1, 12, { maxWaitMs: 0, sessionId: full.sessionId, sessionEpoch: 1, topics: [] });
    assert.equal(stale.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    const unknown = await c.request(1, 12, { maxWaitMs: 0, sessionId: 12345, sessionEpoch: 3, topics: [] });
    assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // forgetting a partition removes it from the session
    const forget = await c.request(1, 12, {
      maxWaitMs: 0,
      sessionId: full.sessionId,
      sessionEpoch: 2,
      topics: [{ topic, partitions: [{ partition: 2, fetchOffset: 0n, partitionMaxBytes: 1000 }] }],
      forgottenTopicsData: [{ topic, partitions: [0, 1] }],
    });
    assert.deepEqual(
      forget.responses.flatMap((t) => t.partitions.map((p) => p.partitionIndex)),
      [2],
    );
    // epoch -1 closes the session and fetches without one
    const sessionless = await c.request(1, 12, {
      maxWaitMs: 0,
      sessionId: full.sessionId,
      sessionEpoch: -1,
      topics: [],
    });
    assert.equal(sessionless.sessionId, 0);
    const gone = await c.request(1, 12, { maxWaitMs: 0, sessionId: full.sessionId, sessionEpoch: 3, topics: [] });
    assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  test('ListOffsets: earliest, latest, by timestamp, max timestamp, and v0', async () => {
    const topic = topicName('offsets');
    await tb.broker.createTopic(topic, 1, 1, {});
    await produce(topic, 0, batch(['a', 'b'], 1_000_000));
    await produce(topic, 0, batch(['c'], 5_000_000));
    await produce(topic, 0, batch(['d'], 3_000_000));
    const res = await conn.request(2, 8, {
      topics: [
        {
          name: topic,
          partitions: [-2n, -1n, 2_000_000n, -3n, 9_000_000n].map((timestamp) => ({ partitionIndex: 0, timestamp })),
        },
      ],
    });
    const got = res.topics[0]?.partitions.map((p) => [p.offset, p.timestamp]);
    assert.deepEqual(got, [
      [0n, -1n],
      [4n, -1n],
      [2n, 5_000_000n],
      [2n, 5_000_000n],
      [-1n, -1n],
    ]);
    const v0 = await conn.request(2, 0, {
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    assert.deepEqual(v0.topics[0]?.partitions[0]?.oldStyleOffsets, [4n]);
  });

  test('Metadata: auto-create can be refused, illegal names are reported, ids are stable', async () => {
    const name = topicName('meta');
    const m1 = await conn.request(3, 12, { topics: [{ name }], allowAutoTopicCreation: false });
    assert.equal(m1.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const m2 = await conn.request(3, 12, { topics: [{ name }, { name: 'bad/name' }], allowAutoTopicCreation: true });
    assert.equal(m2.topics[0]?.errorCode, 0);
    assert.equal(m2.topics[0]?.partitions.length, 1);
    assert.equal(m2.topics[1]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const m3 = await conn.request(3, 12, { topics: [{ name: null, topicId: m2.topics[0]?.topicId }] });
    assert.equal(m3.topics[0]?.name, name);
    const all = await conn.request(3, 1, { topics: null });
    assert.ok(all.topics.some((t) => t.name === name));
    assert.equal(all.controllerId, 1);
  });
});
