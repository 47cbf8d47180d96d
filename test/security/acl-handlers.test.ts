/**
 * What each Kafka API checks, on the wire, as the ANONYMOUS principal with
 * only the ACLs a test grants — the operations and error codes of Kafka's
 * KafkaApis and ControllerApis: topic administration, configs, producer ids
 * and transactions, groups and offsets, Fetch, and the authorized-operation
 * bitfields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { AclOperation as Op, ResourceType as RT } from '../../src/broker/security/acls.ts';
import { ErrorCode as E, ZERO_UUID } from '../../src/protocol/index.ts';
import { call } from '../broker/admin-wire.ts';
import { topicName } from '../helpers/broker.ts';
import { acl, failsWith, grant, revoke, startAclBroker } from './acl-helpers.ts';

const topicAcl = (resourceName: string, operation: number) => acl({ resourceName, operation });
const groupAcl = (resourceName: string, operation: number) => acl({ resourceType: RT.GROUP, resourceName, operation });
const txnAcl = (resourceName: string, operation: number) =>
  acl({ resourceType: RT.TRANSACTIONAL_ID, resourceName, operation });
const clusterAcl = (operation: number) => acl({ resourceType: RT.CLUSTER, resourceName: 'kafka-cluster', operation });

test('topic administration: CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords, ListOffsets', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const [denied, createOnly, full] = [topicName('ct-denied'), topicName('ct-create'), topicName('ct-full')];
  grant(tb.broker, topicAcl(createOnly, Op.CREATE), topicAcl(full, Op.CREATE), topicAcl(full, Op.DESCRIBE_CONFIGS));
  const created = await call(tb.port, 19, 7, {
    topics: [denied, createOnly, full].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })),
    timeoutMs: 5000,
  });
  const byName = new Map(created.topics.map((r) => [r.name, r]));
  assert.equal(byName.get(denied)?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(byName.get(denied)?.errorMessage, 'Authorization failed.');
  assert.equal(byName.get(createOnly)?.errorCode, E.NONE);
  assert.equal(byName.get(createOnly)?.topicConfigErrorCode, E.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(byName.get(createOnly)?.numPartitions, -1);
  assert.deepEqual(byName.get(createOnly)?.configs, []);
  assert.equal(byName.get(full)?.topicConfigErrorCode, E.NONE);
  assert.equal(byName.get(full)?.numPartitions, 1);
  assert.ok((byName.get(full)?.configs?.length ?? 0) > 10);
  assert.equal(tb.broker.metadata.topicsByName.has(denied), false);

  // DeleteTopics: existence is only revealed to those who may describe
  const [hidden, seen, gone] = [topicName('dt-hidden'), topicName('dt-seen'), topicName('dt-gone')];
  const hiddenTopic = await tb.broker.createTopic(hidden, 1, 1, {});
  await tb.broker.createTopic(seen, 1, 1, {});
  grant(tb.broker, topicAcl(seen, Op.DESCRIBE), topicAcl(gone, Op.DESCRIBE), topicAcl(full, Op.DELETE));
  const deleted = await call(tb.port, 20, 6, {
    topics: [
      { name: hidden, topicId: ZERO_UUID },
      { name: topicName('dt-nowhere'), topicId: ZERO_UUID },
      { name: seen, topicId: ZERO_UUID },
      { name: gone, topicId: ZERO_UUID },
      { name: null, topicId: hiddenTopic.id },
      { name: full, topicId: ZERO_UUID },
    ],
    timeoutMs: 5000,
  });
  assert.deepEqual(
    deleted.responses.map((r) => [r.name, r.errorCode]),
    [
      [hidden, E.TOPIC_AUTHORIZATION_FAILED],
      [deleted.responses[1]?.name, E.TOPIC_AUTHORIZATION_FAILED],
      [seen, E.TOPIC_AUTHORIZATION_FAILED],
      [gone, E.UNKNOWN_TOPIC_OR_PARTITION],
      [null, E.TOPIC_AUTHORIZATION_FAILED],
      [full, E.NONE],
    ],
  );

  const grown = await call(tb.port, 37, 3, { topics: [{ name: seen, count: 2, assignments: null }], timeoutMs: 5000 });
  assert.equal(grown.results[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
  grant(tb.broker, topicAcl(seen, Op.ALTER));
  const grown2 = await call(tb.port, 37, 3, { topics: [{ name: seen, count: 2, assignments: null }], timeoutMs: 5000 });
  assert.equal(grown2.results[0]?.errorCode, E.NONE);

  const records = await call(tb.port, 21, 2, {
    topics: [{ name: seen, partitions: [{ partitionIndex: 0, offset: 0n }] }],
    timeoutMs: 5000,
  });
  assert.equal(records.topics[0]?.partitions[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(records.topics[0]?.partitions[0]?.lowWatermark, -1n);

  const offsets = await call(tb.port, 2, 7, {
    replicaId: -1,
    topics: [hidden, seen].map((name) => ({ name, partitions: [{ partitionIndex: 0, timestamp: -1n }] })),
  });
  assert.deepEqual(
    offsets.topics.map((x) => x.partitions[0]?.errorCode),
    [E.TOPIC_AUTHORIZATION_FAILED, E.NONE],
  );
  const epochs = await call(tb.port, 23, 4, {
    replicaId: -1,
    topics: [hidden, seen].map((topic) => ({
      topic,
      partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }],
    })),
  });
  assert.deepEqual(
    epochs.topics.map((x) => x.partitions[0]?.errorCode),
    [E.TOPIC_AUTHORIZATION_FAILED, E.NONE],
  );
  const producers = await call(tb.port, 61, 0, { topics: [{ name: hidden, partitionIndexes: [0] }] });
  assert.equal(producers.topics[0]?.partitions[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
});

test('configs and cluster: DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DescribeLogDirs, bitfields', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const [plain, tunable] = [topicName('cfg-plain'), topicName('cfg-tunable')];
  await tb.broker.createTopic(plain, 1, 1, {});
  await tb.broker.createTopic(tunable, 1, 1, {});
  grant(tb.broker, topicAcl(tunable, Op.ALTER_CONFIGS), topicAcl(plain, Op.READ));
  const described = await call(tb.port, 32, 4, {
    resources: [
      { resourceType: 2, resourceName: plain, configurationKeys: ['retention.ms'] },
      { resourceType: 2, resourceName: tunable, configurationKeys: ['retention.ms'] },
      { resourceType: 4, resourceName: '1', configurationKeys: null },
    ],
  });
  assert.deepEqual(
    described.results.map((r) => [r.errorCode, r.configs.length]),
    [
      [E.TOPIC_AUTHORIZATION_FAILED, 0],
      [E.NONE, 1],
      [E.CLUSTER_AUTHORIZATION_FAILED, 0],
    ],
  );
  const altered = await call(tb.port, 33, 2, {
    resources: [
      { resourceType: 2, resourceName: plain, configs: [{ name: 'retention.ms', value: '1000' }] },
      { resourceType: 2, resourceName: tunable, configs: [{ name: 'retention.ms', value: '1000' }] },
      { resourceType: 4, resourceName: '', configs: [{ name: 'num.partitions', value: '2' }] },
    ],
    validateOnly: true,
  });
  assert.deepEqual(
    altered.responses.map((r) => r.errorCode),
    [E.TOPIC_AUTHORIZATION_FAILED, E.NONE, E.CLUSTER_AUTHORIZATION_FAILED],
  );
  const incremental = await call(tb.port, 44, 1, {
    resources: [
      { resourceType: 8, resourceName: '1', configs: [{ name: 'root', configOperation: 0, value: 'INFO' }] },
      { resourceType: 2, resourceName: plain, configs: [{ name: 'retention.ms', configOperation: 1, value: null }] },
    ],
    validateOnly: true,
  });
  assert.deepEqual(
    incremental.responses.map((r) => r.errorCode),
    [E.CLUSTER_AUTHORIZATION_FAILED, E.TOPIC_AUTHORIZATION_FAILED],
  );
  const dirs = await call(tb.port, 35, 4, { topics: null });
  assert.equal(dirs.errorCode, E.CLUSTER_AUTHORIZATION_FAILED);
  assert.deepEqual(dirs.results, []);

  // authorized operations: READ gives READ and DESCRIBE; no DESCRIBE on the cluster gives 0
  const meta = await call(tb.port, 3, 10, {
    topics: [{ name: plain, topicId: ZERO_UUID }],
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  });
  assert.equal(meta.topics[0]?.topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE));
  assert.equal(meta.clusterAuthorizedOperations, 0);
  const cluster = await call(tb.port, 60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  assert.equal(cluster.clusterAuthorizedOperations, 0);
  grant(tb.broker, clusterAcl(Op.ALTER_CONFIGS));
  const cluster2 = await call(tb.port, 60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  assert.equal(cluster2.clusterAuthorizedOperations, 0, 'ALTER_CONFIGS does not imply DESCRIBE');
  grant(tb.broker, clusterAcl(Op.DESCRIBE));
  const cluster3 = await call(tb.port, 60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  assert.equal(
    cluster3.clusterAuthorizedOperations,
    (1 << Op.DESCRIBE) | (1 << Op.ALTER_CONFIGS) | (1 << Op.DESCRIBE_CONFIGS),
  );
  assert.equal((await call(tb.port, 35, 4, { topics: null })).errorCode, E.NONE);
});

test('producer ids and transactions', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const [topic, other, group] = [topicName('txn-t'), topicName('txn-o'), topicName('txn-g')];
  await tb.broker.createTopic(topic, 1, 1, {});
  await tb.broker.createTopic(other, 1, 1, {});
  const kafka = new Kafka({
    clientId: 'acl',
    brokers: [tb.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });

  // idempotence needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic
  assert.equal(
    (await call(tb.port, 22, 4, { transactionalId: null, transactionTimeoutMs: -1 })).errorCode,
    E.CLUSTER_AUTHORIZATION_FAILED,
  );
  const idempotent = kafka.producer({ idempotent: true, retry: { retries: 1, initialRetryTime: 20 } });
  assert.equal(await failsWith(() => idempotent.connect()), 'CLUSTER_AUTHORIZATION_FAILED');
  await idempotent.disconnect();
  grant(tb.broker, topicAcl(topic, Op.WRITE));
  assert.equal((await call(tb.port, 22, 4, { transactionalId: null, transactionTimeoutMs: -1 })).errorCode, E.NONE);

  // kafkajs asks for the transaction coordinator first, is refused, and reports it "not found"
  const transactional = kafka.producer({
    transactionalId: 'tx-denied',
    idempotent: true,
    retry: { retries: 1, initialRetryTime: 20 },
  });
  await assert.rejects(
    async () => {
      await transactional.connect();
      await transactional.transaction();
    },
    { name: 'KafkaJSGroupCoordinatorNotFound' },
  );
  await transactional.disconnect();
  const refused = await call(tb.port, 22, 4, { transactionalId: 'tx-denied', transactionTimeoutMs: 60_000 });
  assert.equal(refused.errorCode, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const find = await call(tb.port, 10, 4, { keyType: 1, coordinatorKeys: ['tx-denied'] });
  assert.equal(find.coordinators[0]?.errorCode, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

  grant(tb.broker, txnAcl('tx-ok', Op.WRITE));
  const init = await call(tb.port, 22, 4, { transactionalId: 'tx-ok', transactionTimeoutMs: 60_000 });
  assert.equal(init.errorCode, E.NONE);
  const pid = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const add = (transactionalId: string) =>
    call(tb.port, 24, 3, {
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: pid.producerId,
      v3AndBelowProducerEpoch: pid.producerEpoch,
      v3AndBelowTopics: [
        { name: topic, partitions: [0] },
        { name: other, partitions: [0] },
      ],
    });
  assert.deepEqual(
    (await add('tx-denied')).resultsByTopicV3AndBelow.map((x) => x.resultsByPartition[0]?.partitionErrorCode),
    [E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED],
  );
  assert.deepEqual(
    (await add('tx-ok')).resultsByTopicV3AndBelow.map((x) => x.resultsByPartition[0]?.partitionErrorCode),
    [E.OPERATION_NOT_ATTEMPTED, E.TOPIC_AUTHORIZATION_FAILED],
  );
  const v4 = await call(tb.port, 24, 4, {
    transactions: [{ transactionalId: 'tx-ok', ...pid, verifyOnly: true, topics: [{ name: topic, partitions: [0] }] }],
  });
  assert.equal(v4.errorCode, E.CLUSTER_AUTHORIZATION_FAILED);

  const offsetsTo = (transactionalId: string) => call(tb.port, 25, 3, { transactionalId, ...pid, groupId: group });
  assert.equal((await offsetsTo('tx-denied')).errorCode, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  assert.equal((await offsetsTo('tx-ok')).errorCode, E.GROUP_AUTHORIZATION_FAILED);
  const commit = (transactionalId: string) =>
    call(tb.port, 28, 3, {
      transactionalId,
      groupId: group,
      ...pid,
      generationId: -1,
      memberId: '',
      topics: [{ name: other, partitions: [{ partitionIndex: 0, committedOffset: 0n }] }],
    });
  assert.equal(
    (await commit('tx-denied')).topics[0]?.partitions[0]?.errorCode,
    E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  assert.equal((await commit('tx-ok')).topics[0]?.partitions[0]?.errorCode, E.GROUP_AUTHORIZATION_FAILED);
  grant(tb.broker, groupAcl(group, Op.READ));
  assert.equal((await commit('tx-ok')).topics[0]?.partitions[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
  const end = await call(tb.port, 26, 3, { transactionalId: 'tx-denied', ...pid, committed: false });
  assert.equal(end.errorCode, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

  const described = await call(tb.port, 65, 0, { transactionalIds: ['tx-ok', 'tx-denied'] });
  assert.deepEqual(
    described.transactionStates.map((s) => [s.transactionalId, s.errorCode]),
    [
      ['tx-ok', E.NONE],
      ['tx-denied', E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED],
    ],
  );
  const listed = await call(tb.port, 66, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1n });
  assert.deepEqual(
    listed.transactionStates.map((s) => s.transactionalId),
    ['tx-ok'],
  );
});

test('groups and offsets: OffsetFetch, OffsetDelete, DeleteGroups, ListGroups, KIP-848 APIs', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const [shown, secret] = [topicName('g-shown'), topicName('g-secret')];
  const [group, other] = [topicName('g-mine'), topicName('g-other')];
  await tb.broker.createTopic(shown, 1, 1, {});
  await tb.broker.createTopic(secret, 1, 1, {});
  const secretRead = topicAcl(secret, Op.READ);
  grant(tb.broker, groupAcl(group, Op.READ), topicAcl(shown, Op.READ), secretRead);
  const commit = await call(tb.port, 8, 8, {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    topics: [shown, secret].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 5n }] })),
  });
  assert.deepEqual(
    commit.topics.map((x) => x.partitions[0]?.errorCode),
    [E.NONE, E.NONE],
  );
  revoke(tb.broker, secretRead);

  const fetched = await call(tb.port, 9, 8, {
    groups: [
      { groupId: other, topics: null },
      { groupId: group, topics: null },
      { groupId: group, topics: [shown, secret].map((name) => ({ name, partitionIndexes: [0] })) },
    ],
  });
  assert.equal(fetched.groups[0]?.errorCode, E.GROUP_AUTHORIZATION_FAILED);
  assert.deepEqual(
    fetched.groups[1]?.topics.map((x) => x.name),
    [shown],
  );
  assert.deepEqual(
    fetched.groups[2]?.topics.map((x) => [x.name, x.partitions[0]?.committedOffset, x.partitions[0]?.errorCode]),
    [
      [shown, 5n, E.NONE],
      [secret, -1n, E.TOPIC_AUTHORIZATION_FAILED],
    ],
  );
  const v1 = await call(tb.port, 9, 1, { groupId: other, topics: [{ name: shown, partitionIndexes: [0] }] });
  assert.equal(v1.topics[0]?.partitions[0]?.errorCode, E.GROUP_AUTHORIZATION_FAILED);

  const offsetDelete = (groupId: string) =>
    call(tb.port, 47, 0, { groupId, topics: [{ name: secret, partitions: [{ partitionIndex: 0 }] }] });
  assert.equal((await offsetDelete(group)).errorCode, E.GROUP_AUTHORIZATION_FAILED);
  grant(tb.broker, groupAcl(group, Op.DELETE));
  assert.equal((await offsetDelete(group)).topics[0]?.partitions[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);

  const listed = await call(tb.port, 16, 4, { statesFilter: [] });
  assert.deepEqual(
    listed.groups.map((g) => g.groupId),
    [group],
  );
  const deleted = await call(tb.port, 42, 2, { groupsNames: [other, group] });
  assert.deepEqual(
    deleted.results.map((r) => [r.groupId, r.errorCode]),
    [
      [group, E.NONE],
      [other, E.GROUP_AUTHORIZATION_FAILED],
    ],
  );
  const findV3 = await call(tb.port, 10, 3, { key: other, keyType: 0 });
  assert.equal(findV3.errorCode, E.GROUP_AUTHORIZATION_FAILED);
  assert.equal(findV3.nodeId, -1);
  const heartbeat = await call(tb.port, 68, 0, {
    groupId: other,
    memberId: '',
    memberEpoch: 0,
    rebalanceTimeoutMs: 5000,
    subscribedTopicNames: [shown],
    topicPartitions: [],
  });
  assert.equal(heartbeat.errorCode, E.GROUP_AUTHORIZATION_FAILED);
  const cgDescribe = await call(tb.port, 69, 0, { groupIds: [other], includeAuthorizedOperations: true });
  assert.equal(cgDescribe.groups[0]?.errorCode, E.GROUP_AUTHORIZATION_FAILED);
});

test('Fetch: denied partitions answer TOPIC_AUTHORIZATION_FAILED without ending the long poll early', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const [readable, denied] = [topicName('f-ok'), topicName('f-denied')];
  await tb.broker.createTopic(readable, 1, 1, {});
  await tb.broker.createTopic(denied, 1, 1, {});
  grant(tb.broker, topicAcl(readable, Op.READ));
  const fetch = (names: string[], maxWaitMs: number) =>
    call(tb.port, 1, 11, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionEpoch: -1,
      topics: names.map((topic) => ({
        topic,
        partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      })),
    });
  let started = Date.now();
  const mixed = await fetch([readable, denied], 400);
  assert.ok(Date.now() - started >= 350, 'the long poll waits for the readable partition');
  assert.deepEqual(
    mixed.responses.map((r) => r.partitions[0]?.errorCode),
    [E.NONE, E.TOPIC_AUTHORIZATION_FAILED],
  );
  started = Date.now();
  const onlyDenied = await fetch([denied], 5000);
  assert.ok(Date.now() - started < 2000, 'nothing readable: answered at once');
  assert.equal(onlyDenied.responses[0]?.partitions[0]?.errorCode, E.TOPIC_AUTHORIZATION_FAILED);
});
