/**
 * Admin ACLs, SCRAM users and client quotas, and producer/transaction state:
 * - against a broker that does not serve the ACL, SCRAM and quota APIs:
 *   each call fails with UNSUPPORTED_VERSION saying so;
 * - against a fake broker that serves them: the requests on the wire carry
 *   Kafka's codes and fields, and the answers decode;
 * - describeProducers, listTransactions, describeTransactions around an
 *   open kafkajs transaction.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '../../src/client/admin/index.ts';
import { Cluster, ErrorCode, type KafkaError } from '../../src/client/index.ts';
import {
  decodeRequest,
  encodeResponse,
  FrameDecoder,
  type Input,
  type RequestBodies,
  type ResponseBodies,
} from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

type Answer = { [K in keyof ResponseBodies]?: (body: RequestBodies[K]) => Input<ResponseBodies[K]> };

/** A broker that serves ApiVersions, Metadata and the APIs in `answers`, recording each request body. */
async function fakeBroker(
  cleanup: (fn: () => Promise<void>) => void,
  answers: Answer,
): Promise<{ port: number; seen: Array<{ key: number; version: number; body: unknown }> }> {
  const seen: Array<{ key: number; version: number; body: unknown }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const frames = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const frame of frames.push(chunk)) {
        const { header, body } = decodeRequest(frame);
        const key = header.requestApiKey;
        const version = header.requestApiVersion;
        const id = header.correlationId;
        if (key === 18) {
          const served = [3, 18, ...Object.keys(answers).map(Number)];
          const apiKeys = served.map((k) => ({
            apiKey: k,
            minVersion: 0,
            maxVersion: k === 3 ? 12 : k === 18 ? 3 : 5,
          }));
          socket.write(encodeResponse(18, version, id, { errorCode: 0, apiKeys }));
        } else if (key === 3) {
          socket.write(
            encodeResponse(3, version, id, {
              brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
              clusterId: 'fake',
              controllerId: 1,
              topics: [],
            }),
          );
        } else {
          seen.push({ key, version, body });
          const answer = (answers as Record<number, (b: unknown) => unknown>)[key];
          // biome-ignore lint/suspicious/noExplicitAny: the body type follows the key at run time
          socket.write(encodeResponse(key as any, version, id, answer?.(body) as any));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanup(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port, seen };
}

describe('Admin: ACLs, SCRAM users, quotas, producers and transactions', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 3, initialBackoffMs: 20 } });
  const admin = new Admin(cluster);
  after(() => cluster.close());

  test('a broker without the ACL, SCRAM and quota APIs: UNSUPPORTED_VERSION saying so', async (t) => {
    // A broker that serves only ApiVersions and Metadata (an old or stripped-down Kafka).
    const fake = await fakeBroker((fn) => t.after(fn), {});
    const bare = new Cluster({
      bootstrapServers: `127.0.0.1:${fake.port}`,
      retry: { retries: 3, initialBackoffMs: 20 },
    });
    t.after(() => bare.close());
    const a = new Admin(bare);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['DescribeAcls', () => a.describeAcls({})],
      ['DescribeUserScramCredentials', () => a.describeScramUsers()],
      [
        'AlterUserScramCredentials',
        () => a.alterScramUsers({ upsertions: [{ user: 'a', mechanism: 'SCRAM-SHA-256', password: 'p' }] }),
      ],
      ['DescribeClientQuotas', () => a.describeClientQuotas([])],
    ];
    for (const [api, call] of calls) {
      const started = Date.now();
      await assert.rejects(call(), (err: KafkaError) => {
        assert.equal(err.code, ErrorCode.UNSUPPORTED_VERSION, api);
        assert.match(
          err.message,
          new RegExp(`the broker at 127.0.0.1:${fake.port} does not support ${api} \\(API key`),
        );
        return true;
      });
      assert.ok(Date.now() - started < 1000, `${api} failed at once, without retries`);
    }
    assert.equal(fake.seen.length, 0, 'nothing was sent for an API the broker does not serve');
  });

  test('ACL requests and answers on the wire', async (t) => {
    const fake = await fakeBroker((fn) => t.after(fn), {
      30: (b) => ({ results: b.creations.map(() => ({ errorCode: 0, errorMessage: null })) }),
      29: () => ({
        errorCode: 0,
        resources: [
          {
            resourceType: 2,
            resourceName: 'orders',
            patternType: 4,
            acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
          },
        ],
      }),
      31: () => ({
        filterResults: [
          {
            errorCode: 0,
            matchingAcls: [
              {
                errorCode: 0,
                resourceType: 3,
                resourceName: 'g',
                patternType: 3,
                principal: 'User:bob',
                host: '10.0.0.1',
                operation: 8,
                permissionType: 2,
              },
            ],
          },
        ],
      }),
    });
    const c = new Cluster({ bootstrapServers: `127.0.0.1:${fake.port}`, retry: { retries: 0 } });
    t.after(() => c.close());
    const a = new Admin(c);
    const created = await a.createAcls([
      {
        resourceType: 'topic',
        resourceName: 'orders',
        patternType: 'prefixed',
        principal: 'User:alice',
        operation: 'read',
        permission: 'allow',
      },
    ]);
    assert.equal(created[0]?.error, null);
    assert.deepEqual(await a.describeAcls({ resourceType: 'topic', principal: 'User:alice' }), [
      {
        resourceType: 'topic',
        resourceName: 'orders',
        patternType: 'prefixed',
        principal: 'User:alice',
        host: '*',
        operation: 'read',
        permission: 'allow',
      },
    ]);
    const [del] = await a.deleteAcls([{ resourceType: 'group', permission: 'deny' }]);
    assert.deepEqual(del?.deleted[0]?.binding, {
      resourceType: 'group',
      resourceName: 'g',
      patternType: 'literal',
      principal: 'User:bob',
      host: '10.0.0.1',
      operation: 'describe',
      permission: 'deny',
    });
    const [create, describeReq, deleteReq] = fake.seen;
    assert.equal(create?.version, 3);
    assert.deepEqual(
      (create!.body as RequestBodies[30]).creations.map(({ _tagged, ...x }) => x),
      [
        {
          resourceType: 2,
          resourceName: 'orders',
          resourcePatternType: 4,
          principal: 'User:alice',
          host: '*',
          operation: 3,
          permissionType: 3,
        },
      ],
    );
    const { _tagged, ...filter } = describeReq!.body as RequestBodies[29];
    assert.deepEqual(filter, {
      resourceTypeFilter: 2,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: 'User:alice',
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    assert.deepEqual(
      (deleteReq!.body as RequestBodies[31]).filters.map((f) => [f.resourceTypeFilter, f.permissionType]),
      [[3, 2]],
    );
  });

  test('SCRAM and quota requests and answers on the wire', async (t) => {
    const fake = await fakeBroker((fn) => t.after(fn), {
      50: () => ({
        errorCode: 0,
        results: [
          { user: 'alice', errorCode: 0, credentialInfos: [{ mechanism: 2, iterations: 8192 }] },
          { user: 'nobody', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'no credentials' },
        ],
      }),
      51: (b) => ({
        results: [...new Set([...b.deletions, ...b.upsertions].map((x) => x.name))].map((user) => ({
          user,
          errorCode: 0,
        })),
      }),
      48: () => ({
        errorCode: 0,
        entries: [
          {
            entity: [{ entityType: 'user', entityName: 'alice' }],
            values: [{ key: 'producer_byte_rate', value: 1048576 }],
          },
        ],
      }),
      49: (b) => ({ entries: b.entries.map((e) => ({ errorCode: 0, entity: e.entity })) }),
    });
    const c = new Cluster({ bootstrapServers: `127.0.0.1:${fake.port}`, retry: { retries: 0 } });
    t.after(() => c.close());
    const a = new Admin(c);

    const users = await a.describeScramUsers(['alice', 'nobody']);
    assert.deepEqual(users[0]?.credentials, [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }]);
    assert.equal(users[1]?.error?.code, ErrorCode.RESOURCE_NOT_FOUND);
    const salt = Buffer.from('0123456789abcdef');
    const altered = await a.alterScramUsers({
      upsertions: [{ user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'secret', iterations: 4096, salt }],
      deletions: [{ user: 'bob', mechanism: 'SCRAM-SHA-512' }],
    });
    assert.deepEqual(
      altered.map((r) => [r.user, r.error]),
      [
        ['bob', null],
        ['alice', null],
      ],
    );
    const alter = fake.seen[1]!.body as RequestBodies[51];
    assert.deepEqual(
      alter.deletions.map((d) => [d.name, d.mechanism]),
      [['bob', 2]],
    );
    const up = alter.upsertions[0];
    assert.deepEqual([up?.name, up?.mechanism, up?.iterations, up?.salt], ['alice', 1, 4096, salt]);
    assert.deepEqual(up?.saltedPassword, pbkdf2Sync('secret', salt, 4096, 32, 'sha256'));

    assert.deepEqual(await a.describeClientQuotas([{ entityType: 'user', match: 'alice' }]), [
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1048576 } },
    ]);
    const q = await a.alterClientQuotas([
      {
        entity: { user: 'alice', 'client-id': null },
        ops: [
          { key: 'producer_byte_rate', value: 2048 },
          { key: 'consumer_byte_rate', remove: true },
        ],
      },
    ]);
    assert.equal(q[0]?.error, null);
    const describeQ = fake.seen[2]!.body as RequestBodies[48];
    assert.deepEqual(
      describeQ.components.map((x) => [x.entityType, x.matchType, x.match]),
      [['user', 0, 'alice']],
    );
    const alterQ = fake.seen[3]!.body as RequestBodies[49];
    assert.deepEqual(
      alterQ.entries[0]?.entity.map((e) => [e.entityType, e.entityName]),
      [
        ['user', 'alice'],
        ['client-id', null],
      ],
    );
    assert.deepEqual(
      alterQ.entries[0]?.ops.map((o) => [o.key, o.value, o.remove]),
      [
        ['producer_byte_rate', 2048, false],
        ['consumer_byte_rate', 0, true],
      ],
    );
  });

  test('describeProducers, listTransactions and describeTransactions around an open transaction', async (t) => {
    const topic = topicName('adm-txn');
    const transactionalId = topicName('adm-txid');
    await admin.createTopics([{ name: topic, numPartitions: 2 }]);
    const kafka = new Kafka({ clientId: 'admin-txn', brokers: [tb.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    t.after(() => producer.disconnect());
    const txn = await producer.transaction();
    await txn.send({ topic, acks: -1, messages: [{ value: 'a', partition: 1 }] });

    const listed = await admin.listTransactions({ states: ['Ongoing'] });
    const mine = listed.find((x) => x.transactionalId === transactionalId);
    assert.equal(mine?.state, 'Ongoing');
    const [d] = await admin.describeTransactions([transactionalId]);
    assert.equal(d?.state, 'Ongoing');
    assert.equal(d?.producerId, mine?.producerId);
    assert.deepEqual(d?.partitions, [{ topic, partition: 1 }]);
    const [p0, p1] = await admin.describeProducers([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    assert.deepEqual(p0?.producers, []);
    assert.equal(p1?.producers[0]?.producerId, mine?.producerId);
    assert.equal(p1?.producers[0]?.currentTxnStartOffset, 0n);
    await txn.commit();

    await assert.rejects(admin.describeTransactions(['no-such-txid-adm']), (err: KafkaError) => {
      assert.equal(err.code, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      return true;
    });
  });
});
