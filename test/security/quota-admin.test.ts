/**
 * DescribeClientQuotas / AlterClientQuotas through the project's Admin, and
 * `tributary quota` with the real binary:
 * - round trip of user, client-id, user+client-id and <default> entities;
 *   filters matching a name, the default, or any entity, strict or not;
 * - Kafka's validation errors (INVALID_REQUEST with its messages,
 *   UNSUPPORTED_VERSION for an unknown filter type), validateOnly;
 * - quotas survive a restart and are enforced from the first request;
 * - the CLI: alter/describe in table and JSON, usage errors exit 2, broker
 *   errors exit 1.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Admin, ApiKey, Cluster, Connection, ErrorCode, type QuotaEntity } from '../../src/client/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { cli } from '../cli/run-cli.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

const sortEntries = <T extends { entity: QuotaEntity }>(list: T[]): T[] =>
  [...list].sort((a, b) => JSON.stringify(a.entity).localeCompare(JSON.stringify(b.entity)));

describe('client quota administration', async () => {
  const tb = await startTestBroker(after, { 'quota.window.num': '2' });
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap });
  const admin = new Admin(cluster);
  after(() => cluster.close());

  test('alter and describe: entities, defaults, filters (exact, default, any, strict), removal', async () => {
    const set = (entity: QuotaEntity, values: Record<string, number>) => ({
      entity,
      ops: Object.entries(values).map(([key, value]) => ({ key, value })),
    });
    const results = await admin.alterClientQuotas([
      set({ user: 'alice' }, { producer_byte_rate: 1024, consumer_byte_rate: 2048 }),
      set({ user: 'alice', 'client-id': 'app' }, { request_percentage: 12.5 }),
      set({ user: null }, { producer_byte_rate: 100 }),
      set({ user: null, 'client-id': null }, { controller_mutation_rate: 5 }),
      set({ 'client-id': null }, { consumer_byte_rate: 300 }),
      set({ 'client-id': 'app' }, { producer_byte_rate: 400 }),
      set({ ip: '10.0.0.1' }, { connection_creation_rate: 10 }),
    ]);
    assert.deepEqual(
      results.map((r) => r.error),
      results.map(() => null),
    );
    const all = sortEntries(await admin.describeClientQuotas());
    assert.equal(all.length, 7);
    assert.deepEqual(all.find((e) => e.entity.user === 'alice' && !('client-id' in e.entity))?.values, {
      producer_byte_rate: 1024,
      consumer_byte_rate: 2048,
    });
    const entities = async (filter: Parameters<Admin['describeClientQuotas']>[0], strict = false) =>
      sortEntries(await admin.describeClientQuotas(filter, { strict })).map((e) => e.entity);
    assert.deepEqual(await entities([{ entityType: 'user', match: 'alice' }]), [
      { user: 'alice', 'client-id': 'app' },
      { user: 'alice' },
    ]);
    assert.deepEqual(await entities([{ entityType: 'user', match: 'alice' }], true), [{ user: 'alice' }]);
    assert.deepEqual(await entities([{ entityType: 'user', match: null }]), [
      { user: null, 'client-id': null },
      { user: null },
    ]);
    assert.deepEqual(await entities([{ entityType: 'client-id', match: null }], true), [{ 'client-id': null }]);
    assert.deepEqual(await entities([{ entityType: 'user' }, { entityType: 'client-id' }], true), [
      { user: 'alice', 'client-id': 'app' },
      { user: null, 'client-id': null },
    ]);
    assert.deepEqual(await entities([{ entityType: 'ip' }]), [{ ip: '10.0.0.1' }]);

    // removing keys; an entity without keys disappears; removing an absent key is fine
    const removed = await admin.alterClientQuotas([
      { entity: { user: 'alice' }, ops: [{ key: 'consumer_byte_rate', remove: true }] },
      { entity: { 'client-id': 'app' }, ops: [{ key: 'producer_byte_rate', remove: true }] },
      { entity: { 'client-id': 'nobody' }, ops: [{ key: 'producer_byte_rate', remove: true }] },
    ]);
    assert.deepEqual(
      removed.map((r) => r.error),
      [null, null, null],
    );
    assert.deepEqual(
      (await admin.describeClientQuotas([{ entityType: 'user', match: 'alice' }], { strict: true }))[0]?.values,
      {
        producer_byte_rate: 1024,
      },
    );
    assert.deepEqual(await entities([{ entityType: 'client-id', match: 'app' }], true), []);
  });

  test('Kafka’s validation errors per entity; valid entities still apply; validateOnly applies nothing', async () => {
    const cases: Array<[QuotaEntity, string, number, RegExp]> = [
      [{ 'client-id': 'v1' }, 'foo', 1, /Invalid configuration key foo/],
      [{ 'client-id': 'v2' }, 'producer_byte_rate', 0, /Quota producer_byte_rate must be greater than 0/],
      [{ 'client-id': 'v3' }, 'consumer_byte_rate', -5, /Quota consumer_byte_rate must be greater than 0/],
      [{ 'client-id': 'v4' }, 'producer_byte_rate', 1.5, /producer_byte_rate cannot be a fractional value/],
      [{ 'client-id': 'v5' }, 'connection_creation_rate', 1, /Invalid configuration key connection_creation_rate/],
      [{}, 'producer_byte_rate', 1, /Invalid empty client quota entity/],
      [{ group: 'g' }, 'producer_byte_rate', 1, /Unhandled client quota entity type: group/],
      [{ user: '' }, 'producer_byte_rate', 1, /Empty user not supported/],
      [{ user: 'u', ip: '10.0.0.2' }, 'producer_byte_rate', 1, /IP entity shouldnot be combined/],
      [{ ip: 'not an ip' }, 'connection_creation_rate', 1, /not a valid IP/],
    ];
    const results = await admin.alterClientQuotas([
      ...cases.map(([entity, key, value]) => ({ entity, ops: [{ key, value }] })),
      { entity: { 'client-id': 'valid' }, ops: [{ key: 'request_percentage', value: 0.5 }] },
    ]);
    cases.forEach(([entity, , , message], i) => {
      const err = results[i]?.error;
      assert.equal(err?.code, ErrorCode.INVALID_REQUEST, JSON.stringify(entity));
      assert.match(err?.message ?? '', message);
    });
    assert.equal(results.at(-1)?.error, null);
    const stored = await admin.describeClientQuotas([{ entityType: 'client-id' }], { strict: true });
    assert.deepEqual(
      stored.map((e) => e.entity['client-id']).filter((n) => n?.startsWith('v')),
      ['valid'],
    );

    const dup = await admin.alterClientQuotas([
      {
        entity: { 'client-id': 'dup' },
        ops: [
          { key: 'producer_byte_rate', value: 1 },
          { key: 'producer_byte_rate', value: 2 },
        ],
      },
    ]);
    assert.match(dup[0]?.error?.message ?? '', /Ignoring duplicate entity/);

    const dry = await admin.alterClientQuotas(
      [
        { entity: { 'client-id': 'dry' }, ops: [{ key: 'producer_byte_rate', value: 10 }] },
        { entity: { 'client-id': 'dry-bad' }, ops: [{ key: 'bogus', value: 10 }] },
      ],
      { validateOnly: true },
    );
    assert.equal(dry[0]?.error, null);
    assert.equal(dry[1]?.error?.code, ErrorCode.INVALID_REQUEST);
    assert.deepEqual(await admin.describeClientQuotas([{ entityType: 'client-id', match: 'dry' }]), []);
  });

  test('malformed filters: INVALID_REQUEST or UNSUPPORTED_VERSION with Kafka’s messages', async () => {
    const c = await Connection.open({ host: '127.0.0.1', port: tb.port });
    after(() => c.close());
    const ask = (components: Array<{ entityType: string; matchType: number; match: string | null }>) =>
      c.requestAt(ApiKey.DescribeClientQuotas, 1, { components, strict: false });
    const cases: Array<[Parameters<typeof ask>[0], number, string]> = [
      [[{ entityType: 'user', matchType: 0, match: null }], ErrorCode.INVALID_REQUEST, 'MATCH_TYPE_EXACT'],
      [[{ entityType: 'user', matchType: 1, match: 'x' }], ErrorCode.INVALID_REQUEST, 'MATCH_TYPE_DEFAULT'],
      [
        [
          { entityType: 'user', matchType: 2, match: null },
          { entityType: 'user', matchType: 1, match: null },
        ],
        ErrorCode.INVALID_REQUEST,
        'cannot appear more than once',
      ],
      [
        [
          { entityType: 'ip', matchType: 2, match: null },
          { entityType: 'client-id', matchType: 2, match: null },
        ],
        ErrorCode.INVALID_REQUEST,
        'IP filter component should not be used',
      ],
      [[{ entityType: 'group', matchType: 2, match: null }], ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type'],
      [[{ entityType: 'user', matchType: 7, match: null }], ErrorCode.INVALID_REQUEST, 'Unknown match type 7'],
    ];
    for (const [components, code, message] of cases) {
      const r = await ask(components);
      assert.equal(r.errorCode, code, message);
      assert.match(r.errorMessage ?? '', new RegExp(message));
      assert.equal(r.entries, null);
    }
  });

  test('quotas survive a restart and are enforced from the first request', async () => {
    const first = await startTestBroker(() => {}, { 'quota.window.num': '2' });
    const a1 = new Admin(new Cluster({ bootstrapServers: first.bootstrap }));
    await a1.alterClientQuotas([
      { entity: { 'client-id': 'durable' }, ops: [{ key: 'producer_byte_rate', value: 10_000 }] },
      { entity: { user: 'bob', 'client-id': null }, ops: [{ key: 'request_percentage', value: 40 }] },
    ]);
    await a1.cluster.close();
    await first.broker.close();

    const again = await startTestBroker(after, { 'quota.window.num': '2' }, first.dataDir);
    const a2 = new Admin(new Cluster({ bootstrapServers: again.bootstrap }));
    after(() => a2.cluster.close());
    assert.deepEqual(sortEntries(await a2.describeClientQuotas()), [
      { entity: { 'client-id': 'durable' }, values: { producer_byte_rate: 10_000 } },
      { entity: { user: 'bob', 'client-id': null }, values: { request_percentage: 40 } },
    ]);
    const topic = topicName('quota-durable');
    await again.broker.createTopic(topic, 1, 1, {});
    const c = await Connection.open({ host: '127.0.0.1', port: again.port, clientId: 'durable' });
    after(() => c.close());
    const records = encodeRecordBatch({
      records: [{ key: null, value: Buffer.alloc(30_000), headers: [], timestamp: BigInt(Date.now()) }],
    });
    const r = await c.requestAt(ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    assert.ok(r.throttleTimeMs > 1000, `throttled after the restart: ${r.throttleTimeMs} ms`);
  });

  test('tributary quota alter|describe', async () => {
    const b = ['-b', tb.bootstrap];
    const quota = (...args: string[]) => cli(['quota', ...args, ...b]);
    await admin.alterClientQuotas([
      {
        entity: { 'client-id': 'cli-app' },
        ops: [
          { key: 'producer_byte_rate', value: 1048576 },
          { key: 'request_percentage', value: 25 },
        ],
      },
      { entity: { user: null, 'client-id': null }, ops: [{ key: 'consumer_byte_rate', value: 5000 }] },
    ]);
    // CLI processes start slowly: run the independent ones together
    const [del, add, table, dry, notNumber, rejected] = await Promise.all([
      quota('alter', '--client-id', 'cli-app', '--delete', 'request_percentage'),
      quota('alter', '--user', 'carol', '--add', 'producer_byte_rate=7', '--add', 'request_percentage=2.5'),
      quota('describe', '--default-user', '--default-client'),
      quota('alter', '--client-id', 'cli-dry', '--add', 'producer_byte_rate=1', '--dry-run'),
      quota('alter', '--add', 'producer_byte_rate=fast'),
      quota('alter', '--client-id', 'x', '--add', 'bogus_rate=1'),
    ]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /^USER\s+CLIENT-ID\s+IP\s+STATUS\n-\s+cli-app\s+-\s+altered\n$/);
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual((await admin.describeClientQuotas([{ entityType: 'user', match: 'carol' }]))[0]?.values, {
      producer_byte_rate: 7,
      request_percentage: 2.5,
    });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^USER\s+CLIENT-ID\s+IP\s+KEY\s+VALUE\n/);
    assert.match(table.stdout, /\n<default>\s+<default>\s+-\s+consumer_byte_rate\s+5000\n/);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /cli-dry\s+-\s+valid/);
    assert.deepEqual(await admin.describeClientQuotas([{ entityType: 'client-id', match: 'cli-dry' }]), []);
    assert.equal(notNumber.code, 2, 'a usage error');
    assert.match(notNumber.stderr, /must be a number/);
    assert.equal(rejected.code, 1, 'a broker error');
    assert.match(rejected.stderr, /Invalid configuration key bogus_rate/);

    const json = await quota('describe', '--client-id', 'cli-app', '--format', 'json');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [
      { entity: { 'client-id': 'cli-app' }, values: { producer_byte_rate: 1048576 } },
    ]);
  });
});
