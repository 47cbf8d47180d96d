/**
 * Quota enforcement in detail:
 * - Kafka's windowed Rate and throttle time formula, by hand-computed values;
 * - Kafka's precedence of the eight quota levels, how usage is grouped per
 *   quota entity, ANONYMOUS and the <default> user;
 * - on the wire: throttleTimeMs in Produce, Fetch and other responses, the
 *   connection muted for that time after the response (KIP-219), a throttled
 *   Fetch answered empty (its session kept or not opened), request_percentage
 *   capped at one window.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { quotasOf } from '../../src/broker/quotas/index.ts';
import { ClientQuotaManager } from '../../src/broker/quotas/manager.ts';
import { Rate } from '../../src/broker/quotas/rate.ts';
import type { StoredQuota } from '../../src/broker/quotas/store.ts';
import { Admin, ApiKey, Cluster, Connection } from '../../src/client/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';

const batch = (bytes: number): Buffer =>
  encodeRecordBatch({
    records: [{ key: null, value: Buffer.alloc(bytes, 'q'), headers: [], timestamp: BigInt(Date.now()) }],
  });

describe('Rate (Kafka stats.Rate over a WindowedSum)', () => {
  test('a fresh rate counts samples − 1 full windows; throttle is (O − T) / T × W', () => {
    const r = new Rate({ samples: 11, windowMs: 1000 });
    r.record(1000, 0);
    assert.equal(r.windowSizeMs(0), 10_000);
    assert.equal(r.measure(0), 100);
    assert.equal(r.throttleMs(100, 0), 0, 'at the bound is within it');
    assert.equal(r.throttleMs(50, 0), 10_000); // (100 − 50) / 50 × 10 s
    r.record(1000, 1500); // a new sample
    assert.equal(r.windowSizeMs(1500), 10_500);
    assert.equal(r.measure(1500), 2000 / 10.5);
  });

  test('samples idle for samples × window are dropped; a negative value takes one back', () => {
    const r = new Rate({ samples: 2, windowMs: 1000 });
    r.record(500, 0);
    assert.equal(r.measure(500), 500 / 1.5, '0.5 s elapsed + 1 full window');
    assert.equal(r.measure(2000), 0, 'expired after 2 × 1 s');
    r.record(800, 3000);
    r.record(-800, 3000);
    assert.equal(r.measure(3000), 0);
    r.record(300, 3500);
    r.record(300, 4200); // next sample; oldest started at 3000
    assert.equal(r.windowSizeMs(4200), 1200);
    assert.equal(r.measure(4200), 600 / 1.2);
  });
});

const LEVELS: Array<[StoredQuota['entity'], string]> = [
  [{ user: 'alice', 'client-id': 'app' }, '/users/alice/clients/app'],
  [{ user: 'alice', 'client-id': null }, '/users/alice/clients/<default>'],
  [{ user: 'alice' }, '/users/alice'],
  [{ user: null, 'client-id': 'app' }, '/users/<default>/clients/app'],
  [{ user: null, 'client-id': null }, '/users/<default>/clients/<default>'],
  [{ user: null }, '/users/<default>'],
  [{ 'client-id': 'app' }, '/clients/app'],
  [{ 'client-id': null }, '/clients/<default>'],
];

describe('ClientQuotaManager (Kafka precedence and metric tags)', () => {
  const window = { samples: 2, windowMs: 1000 };
  const manager = (quotas: Array<[StoredQuota['entity'], number]>): ClientQuotaManager => {
    const m = new ClientQuotaManager('producer_byte_rate', window);
    m.load(quotas.map(([entity, v]) => ({ entity, values: { producer_byte_rate: v } })));
    return m;
  };

  test('the most specific of the eight levels applies, in Kafka order', () => {
    for (let i = 0; i < LEVELS.length; i++) {
      const m = manager(LEVELS.slice(i).map(([e], j) => [e, i + j + 1]));
      assert.equal(m.quotaFor('alice', 'app'), i + 1, `${LEVELS[i]?.[1]} wins over the levels below it`);
    }
    const all = manager(LEVELS.map(([e], j) => [e, j + 1]));
    assert.equal(all.quotaFor('bob', 'app'), 4, 'bob/app: /users/<default>/clients/app');
    assert.equal(all.quotaFor('bob', 'web'), 5, 'bob/web: /users/<default>/clients/<default>');
    const clientsOnly = manager(LEVELS.slice(6).map(([e], j) => [e, j + 7]));
    assert.equal(clientsOnly.quotaFor('ANONYMOUS', 'web'), 8);
    assert.equal(clientsOnly.quotaFor('ANONYMOUS', ''), undefined, 'an empty client id matches no client-id quota');
    const defaultUser = manager([[{ user: null }, 6]]);
    assert.equal(defaultUser.quotaFor('ANONYMOUS', 'x'), 6, 'unauthenticated clients are user ANONYMOUS');
  });

  test('usage is counted per quota entity: a user quota is shared, a default one is per client', () => {
    const shared = manager([[{ user: 'alice' }, 1000]]);
    assert.equal(shared.record('alice', 'a', 800, 0), 0);
    assert.equal(shared.record('alice', 'b', 800, 0), 600, 'both client ids spend alice’s 1000 B/s');
    assert.equal(shared.record('bob', 'a', 800, 0), 0, 'bob has no quota');
    const perClient = manager([[{ 'client-id': null }, 1000]]);
    assert.equal(perClient.record('u', 'x', 800, 0), 0);
    assert.equal(perClient.record('u', 'y', 800, 0), 0, 'each client id has its own <default> budget');
    assert.equal(perClient.record('u', 'x', 800, 0), 600);
    assert.deepEqual(
      perClient.usage(0).map((u) => [u.user, u.clientId, u.quota, u.rate]),
      [
        ['', 'x', 1000, 1600],
        ['', 'y', 1000, 800],
      ],
    );
  });

  test('request quota throttles cap at one window; fetch sizes cap at quota × (samples − 1) × window', () => {
    const req = new ClientQuotaManager('request_percentage', window, 1000);
    req.load([{ entity: { 'client-id': 'c' }, values: { request_percentage: 1 } }]);
    assert.equal(req.record('u', 'c', 500, 0), 1000);
    const fetch = new ClientQuotaManager('consumer_byte_rate', { samples: 11, windowMs: 1000 });
    fetch.load([{ entity: { 'client-id': 'c' }, values: { consumer_byte_rate: 1000 } }]);
    assert.equal(fetch.maxValueInWindow('u', 'c'), 10_000);
    assert.equal(fetch.maxValueInWindow('u', 'other'), Number.POSITIVE_INFINITY);
  });
});

describe('quotas on the wire', async () => {
  const tb = await startTestBroker(after, { 'quota.window.num': '2' });
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap });
  const admin = new Admin(cluster);
  after(() => cluster.close());
  const open = async (clientId: string): Promise<Connection> => {
    const c = await Connection.open({ host: '127.0.0.1', port: tb.port, clientId });
    after(() => c.close());
    return c;
  };
  const setQuota = async (entity: Record<string, string | null>, key: string, value: number): Promise<void> => {
    const [r] = await admin.alterClientQuotas([{ entity, ops: [{ key, value }] }]);
    assert.equal(r?.error, null);
  };
  const produce = (c: Connection, topic: string, bytes: number, acks = 1) =>
    c.requestAt(ApiKey.Produce, 9, {
      acks,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(bytes) }] }],
    });

  test('Produce over its byte rate: throttleTimeMs by Kafka’s formula, then the connection is muted', async (t) => {
    const topic = topicName('q-wire-p');
    await tb.broker.createTopic(topic, 1, 1, {});
    await setQuota({ 'client-id': 'wire-producer' }, 'producer_byte_rate', 10_000);
    // A raw connection: the project's client would itself wait out the throttle before its next request.
    const c = await RawConnection.open(tb.port);
    after(() => c.close());
    c.clientId = 'wire-producer';
    const first = await c.request(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(30_000) }] }],
    });
    assert.equal(first.responses[0]?.partitionResponses[0]?.errorCode, 0, 'the data is appended');
    // ~30 KB in a 1 s window at 10 KB/s: (30000 − 10000) / 10000 × 1000 ms
    assert.ok(first.throttleTimeMs >= 1900 && first.throttleTimeMs <= 2200, `throttleTimeMs ${first.throttleTimeMs}`);
    const t0 = Date.now();
    const meta = await c.request(ApiKey.Metadata, 12, { topics: [] });
    const waited = Date.now() - t0;
    t.diagnostic(`produce throttleTimeMs ${first.throttleTimeMs}, next request answered after ${waited} ms`);
    assert.ok(waited >= first.throttleTimeMs - 150, `muted for the throttle time (waited ${waited} ms)`);
    assert.equal(meta.throttleTimeMs, 0, 'no request quota: Metadata is not throttled');
  });

  test("the project's client waits out a throttle before its next request on that connection (KIP-219)", async () => {
    const topic = topicName('q-wire-client');
    await tb.broker.createTopic(topic, 1, 1, {});
    await setQuota({ 'client-id': 'wire-client' }, 'producer_byte_rate', 10_000);
    const c = await open('wire-client');
    const first = await produce(c, topic, 30_000);
    assert.ok(first.throttleTimeMs > 1000, `throttleTimeMs ${first.throttleTimeMs}`);
    assert.ok(c.throttledMs > 1000, 'the connection knows it is throttled');
    const t0 = Date.now();
    await c.requestAt(ApiKey.Metadata, 12, { topics: [] }, 1000); // a 1 s timeout: it must not start before the mute ends
    assert.ok(Date.now() - t0 >= first.throttleTimeMs - 150, 'waited for the throttle');
    assert.equal(c.throttledMs, 0);
  });

  test('acks=0 produce over its rate gets no response but still mutes the connection', async () => {
    const topic = topicName('q-wire-acks0');
    await tb.broker.createTopic(topic, 1, 1, {});
    await setQuota({ 'client-id': 'wire-acks0' }, 'producer_byte_rate', 10_000);
    const c = await open('wire-acks0');
    await c.sendNoResponse(
      ApiKey.Produce,
      { acks: 0, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(30_000) }] }] },
      { version: 9 },
    );
    const t0 = Date.now();
    await c.requestAt(ApiKey.Metadata, 12, { topics: [] });
    assert.ok(Date.now() - t0 >= 1700, `muted after the acks=0 produce (${Date.now() - t0} ms)`);
  });

  test('Fetch over its byte rate: an empty response with throttleTimeMs, the session kept', async () => {
    const topic = topicName('q-wire-f');
    await tb.broker.createTopic(topic, 1, 1, {});
    const filler = await open('filler');
    for (let i = 0; i < 40; i++) await produce(filler, topic, 1000);
    await setQuota({ 'client-id': 'wire-consumer' }, 'consumer_byte_rate', 10_000);
    const c = await open('wire-consumer');
    const fetch = (fetchOffset: bigint, sessionId: number, sessionEpoch: number) =>
      c.requestAt(ApiKey.Fetch, 12, {
        maxWaitMs: 0,
        maxBytes: 1 << 20,
        sessionId,
        sessionEpoch,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
      });
    const first = await fetch(0n, 0, 0);
    const records = first.responses[0]?.partitions[0]?.records;
    assert.equal(first.throttleTimeMs, 0);
    assert.ok(records && records.length > 5000 && records.length <= 10_000, `capped at 10 KB: ${records?.length}`);
    assert.notEqual(first.sessionId, 0);
    const second = await fetch(5n, first.sessionId, 1);
    assert.ok(second.throttleTimeMs > 0, 'over the rate');
    assert.equal(second.errorCode, 0);
    assert.deepEqual(second.responses, [], 'a throttled fetch returns no data');
    assert.equal(second.sessionId, first.sessionId, 'an incremental session keeps its id');
    const t0 = Date.now();
    const third = await fetch(5n, first.sessionId, 2);
    assert.ok(Date.now() - t0 >= second.throttleTimeMs - 150, 'muted for the throttle time');
    assert.equal(third.errorCode, 0, 'the session moved to its next epoch');
    // a throttled first fetch of a session does not open it (Kafka's FullFetchContext)
    await setQuota({ 'client-id': 'wire-tiny' }, 'consumer_byte_rate', 1000);
    const tiny = await open('wire-tiny');
    const fresh = await tiny.requestAt(ApiKey.Fetch, 12, {
      maxWaitMs: 0,
      maxBytes: 1 << 20,
      sessionId: 0,
      sessionEpoch: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    assert.ok(fresh.throttleTimeMs > 0, 'one batch is more than 1000 B/s allows');
    assert.equal(fresh.sessionId, 0);
    assert.deepEqual(fresh.responses, []);
  });

  test('request_percentage: handler time throttles every API, capped at one window', async (t) => {
    await setQuota({ 'client-id': 'wire-requests' }, 'request_percentage', 0.01);
    const c = await open('wire-requests');
    let throttle = 0;
    let n = 0;
    while (throttle === 0 && n < 5000) {
      n++;
      throttle = (await c.requestAt(ApiKey.Metadata, 12, { topics: null })).throttleTimeMs;
    }
    t.diagnostic(`request_percentage 0.01: throttled after ${n} Metadata requests, ${throttle} ms`);
    assert.ok(throttle > 0 && throttle <= 1000, `throttleTimeMs ${throttle}, at most one window`);
    const t0 = Date.now();
    const versions = await c.requestAt(ApiKey.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    assert.ok(Date.now() - t0 >= throttle - 150);
    assert.ok(versions.throttleTimeMs >= 0);
    const usage = quotasOf(tb.broker)
      .usage()
      .find((u) => u.clientId === 'wire-requests');
    assert.equal(usage?.key, 'request_percentage');
    assert.equal(usage?.quota, 0.01);
  });

  test('a <default> user quota applies to unauthenticated (ANONYMOUS) clients', async () => {
    const topic = topicName('q-wire-anon');
    await tb.broker.createTopic(topic, 1, 1, {});
    const b = await startTestBroker(after, { 'quota.window.num': '2' });
    const a = new Admin(new Cluster({ bootstrapServers: b.bootstrap }));
    after(() => a.cluster.close());
    await a.alterClientQuotas([{ entity: { user: null }, ops: [{ key: 'producer_byte_rate', value: 10_000 }] }]);
    await b.broker.createTopic(topic, 1, 1, {});
    const c = await Connection.open({ host: '127.0.0.1', port: b.port, clientId: 'any-client' });
    after(() => c.close());
    const r = await produce(c, topic, 30_000);
    assert.ok(r.throttleTimeMs > 0);
    const usage = quotasOf(b.broker)
      .usage()
      .filter((u) => u.key === 'producer_byte_rate');
    assert.deepEqual(
      usage.map((u) => [u.user, u.clientId, u.quota]),
      [['ANONYMOUS', '', 10_000]],
    );
  });
});
