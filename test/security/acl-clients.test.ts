/**
 * ACLs as real clients see them, over PLAINTEXT as the ANONYMOUS principal
 * (which holds only ALTER and DESCRIBE on the cluster, enough to run
 * `tributary acl`): kafkajs and kcat get TOPIC_AUTHORIZATION_FAILED until
 * `tributary acl create` (the real binary) grants access; a PREFIXED ACL
 * covers `team-a.*` only; a DENY wins over an ALLOW; Metadata hides topics
 * the principal may not describe; groups need their own ACLs; ACLs survive
 * a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { AclOperation } from '../../src/broker/security/acls.ts';
import { ErrorCode } from '../../src/protocol/index.ts';
import { call } from '../broker/admin-wire.ts';
import { cli } from '../cli/run-cli.ts';
import { topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { acl, failsWith, grant, grantAclAdmin, startAclBroker } from './acl-helpers.ts';

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'acl-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 50 },
  });
}

async function send(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const p = kafka.producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    await p.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await p.disconnect();
  }
}

async function aclCli(bootstrap: string, ...args: string[]): Promise<string> {
  const r = await cli(['acl', ...args, '-b', bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('no ACLs: kafkajs and kcat cannot write or read; after `tributary acl create` they can', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  grantAclAdmin(tb.broker);
  const topic = topicName('acl-rw');
  await tb.broker.createTopic(topic, 1, 1, {});
  const kafka = kafkaFor(tb.bootstrap);

  assert.equal(await failsWith(() => send(kafka, topic, ['a'])), 'TOPIC_AUTHORIZATION_FAILED');
  const kcatWrite = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', topic], 'k1\n', 15_000);
  assert.notEqual(kcatWrite.code, 0);
  assert.match(kcatWrite.stderr, /Broker: Topic authorization failed/);
  const kcatRead = await exec('kcat', ['-b', tb.bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning'], '', 15_000);
  assert.notEqual(kcatRead.code, 0);
  assert.match(kcatRead.stderr, /Topic authorization failed/);

  const created = await aclCli(
    tb.bootstrap,
    'create',
    '--allow-principal',
    'User:ANONYMOUS',
    '--operation',
    'Write',
    '--topic',
    topic,
  );
  assert.match(
    created,
    new RegExp(`topic\\s+${topic}\\s+literal\\s+User:ANONYMOUS\\s+\\*\\s+write\\s+allow\\s+created`),
  );
  await send(kafka, topic, ['a', 'b']);
  const kcatWrite2 = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', topic], 'k1\n', 15_000);
  assert.equal(kcatWrite2.code, 0, kcatWrite2.stderr);
  // WRITE implies DESCRIBE but not READ
  const kcatRead2 = await exec('kcat', ['-b', tb.bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning'], '', 15_000);
  assert.match(kcatRead2.stderr, /Topic authorization failed/);

  await aclCli(tb.bootstrap, 'create', '--allow-principal', 'User:ANONYMOUS', '--operation', 'read', '--topic', topic);
  const kcatRead3 = await exec(
    'kcat',
    ['-b', tb.bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%s\n'],
    '',
    15_000,
  );
  assert.equal(kcatRead3.code, 0, kcatRead3.stderr);
  assert.equal(kcatRead3.stdout.toString(), 'a\nb\nk1\n');

  const listed = JSON.parse(await aclCli(tb.bootstrap, 'list', '--topic', topic, '--format', 'json'));
  assert.deepEqual(
    listed.map((b: { operation: string; permission: string }) => `${b.operation}:${b.permission}`).sort(),
    ['read:allow', 'write:allow'],
  );
});

test('a prefixed ACL covers team-a.* topics only', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  grantAclAdmin(tb.broker);
  for (const name of ['team-a.orders', 'team-a.payments', 'team-b.orders', 'team-a']) {
    await tb.broker.createTopic(name, 1, 1, {});
  }
  await aclCli(
    tb.bootstrap,
    'create',
    '--allow-principal',
    'User:ANONYMOUS',
    '--producer',
    '--topic',
    'team-a.',
    '--resource-pattern-type',
    'prefixed',
  );
  const kafka = kafkaFor(tb.bootstrap);
  await send(kafka, 'team-a.orders', ['1']);
  await send(kafka, 'team-a.payments', ['2']);
  assert.equal(await failsWith(() => send(kafka, 'team-b.orders', ['3'])), 'TOPIC_AUTHORIZATION_FAILED');
  assert.equal(await failsWith(() => send(kafka, 'team-a', ['4'])), 'TOPIC_AUTHORIZATION_FAILED');
  const kcat = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', 'team-b.orders'], 'x\n', 15_000);
  assert.match(kcat.stderr, /Topic authorization failed/);

  // a MATCH listing shows the prefixed ACL for a topic it covers
  const match = JSON.parse(
    await aclCli(
      tb.bootstrap,
      'list',
      '--topic',
      'team-a.orders',
      '--resource-pattern-type',
      'match',
      '--format',
      'json',
    ),
  );
  assert.deepEqual(match.map((b: { resourceName: string; patternType: string }) => b.resourceName).sort(), [
    'team-a.',
    'team-a.',
    'team-a.',
  ]);
  assert.ok(match.every((b: { patternType: string }) => b.patternType === 'prefixed'));
});

test('a deny ACL wins over an allow', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  grantAclAdmin(tb.broker);
  const open = topicName('acl-open');
  const locked = topicName('acl-locked');
  await tb.broker.createTopic(open, 1, 1, {});
  await tb.broker.createTopic(locked, 1, 1, {});
  await aclCli(tb.bootstrap, 'create', '--allow-principal', 'User:*', '--operation', 'All', '--topic', '*');
  await aclCli(tb.bootstrap, 'create', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Write', '--topic', locked);
  const kafka = kafkaFor(tb.bootstrap);
  await send(kafka, open, ['ok']);
  assert.equal(await failsWith(() => send(kafka, locked, ['no'])), 'TOPIC_AUTHORIZATION_FAILED');
  const kcat = await exec('kcat', ['-b', tb.bootstrap, '-P', '-t', locked], 'x\n', 15_000);
  assert.match(kcat.stderr, /Topic authorization failed/);
  // the deny is for WRITE only: the topic can still be read
  const read = await exec('kcat', ['-b', tb.bootstrap, '-C', '-t', locked, '-e', '-o', 'beginning'], '', 15_000);
  assert.equal(read.code, 0, read.stderr);

  // deleting the deny ACL lets writes through again
  const deleted = JSON.parse(
    await aclCli(tb.bootstrap, 'delete', '--topic', locked, '--deny-principal', 'User:ANONYMOUS', '--format', 'json'),
  );
  assert.equal(deleted.length, 1);
  assert.equal(deleted[0].permission, 'deny');
  await send(kafka, locked, ['yes']);
});

test('Metadata hides topics the principal may not describe', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const visible = topicName('acl-visible');
  const hidden = topicName('acl-hidden');
  await tb.broker.createTopic(visible, 2, 1, {});
  await tb.broker.createTopic(hidden, 1, 1, {});
  grant(tb.broker, acl({ resourceName: visible, operation: AclOperation.READ }));
  const admin = kafkaFor(tb.bootstrap).admin();
  await admin.connect();
  t.after(() => admin.disconnect());

  assert.deepEqual(await admin.listTopics(), [visible]);
  const kcat = await exec('kcat', ['-b', tb.bootstrap, '-L', '-J'], '', 15_000);
  assert.equal(kcat.code, 0, kcat.stderr);
  assert.deepEqual(
    JSON.parse(kcat.stdout.toString()).topics.map((x: { topic: string }) => x.topic),
    [visible],
  );
  assert.equal(await failsWith(() => admin.fetchTopicMetadata({ topics: [hidden] })), 'TOPIC_AUTHORIZATION_FAILED');
  // an unknown topic looks the same as a hidden one, and is not auto-created without CREATE
  const unknown = topicName('acl-unknown');
  const meta = await exec('kcat', ['-b', tb.bootstrap, '-L', '-J', '-t', unknown], '', 15_000);
  assert.match(JSON.stringify(JSON.parse(meta.stdout.toString()).topics), /Topic authorization failed/);
  assert.equal(tb.broker.metadata.topicsByName.has(unknown), false);
  const [described] = (await admin.fetchTopicMetadata({ topics: [visible] })).topics;
  assert.equal(described?.partitions.length, 2);
});

test('groups need READ to join and commit, DESCRIBE to be described or listed', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  grantAclAdmin(tb.broker);
  const topic = topicName('acl-group');
  const groupId = topicName('acl-g');
  await tb.broker.createTopic(topic, 1, 1, {});
  grant(tb.broker, acl({ resourceName: topic, operation: AclOperation.ALL }));
  await send(kafkaFor(tb.bootstrap), topic, ['m1', 'm2']);

  // kafkajs turns a refused FindCoordinator into "coordinator not found"; its debug log keeps the code
  const seen = new Set<string>();
  const kafka = new Kafka({
    clientId: 'acl-test',
    brokers: [tb.bootstrap],
    logLevel: logLevel.DEBUG,
    retry: { retries: 0 },
    logCreator: () => (entry) => {
      const type = (entry.log as { error?: { type?: string } }).error?.type;
      if (type) seen.add(type);
    },
  });
  const denied = kafka.consumer({ groupId, retry: { retries: 0 } });
  await denied.connect();
  await denied.subscribe({ topic, fromBeginning: true });
  const crashed = new Promise<Error>((resolve) => denied.on(denied.events.CRASH, (e) => resolve(e.payload.error)));
  await denied.run({ eachMessage: async () => {} });
  assert.equal((await crashed).name, 'KafkaJSGroupCoordinatorNotFound');
  assert.ok(seen.has('GROUP_AUTHORIZATION_FAILED'), [...seen].join());
  await denied.disconnect();
  // the group APIs themselves answer GROUP_AUTHORIZATION_FAILED
  const join = await call(tb.port, 11, 5, {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  });
  assert.equal(join.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const commit = await call(tb.port, 8, 8, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
  });
  assert.equal(commit.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);

  await aclCli(
    tb.bootstrap,
    'create',
    '--allow-principal',
    'User:ANONYMOUS',
    '--operation',
    'Read',
    '--group',
    groupId,
  );
  const consumer = kafkaFor(tb.bootstrap).consumer({ groupId, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.after(() => consumer.disconnect().catch(() => {}));
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (values.length === 2) resolve();
      },
    });
  });
  assert.deepEqual(values, ['m1', 'm2']);
  await consumer.disconnect();

  // READ implies DESCRIBE: the group is described and listed; others are not
  const admin = kafkaFor(tb.bootstrap).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const [g] = (await admin.describeGroups([groupId])).groups;
  assert.equal(g?.state, 'Empty');
  assert.deepEqual(
    (await admin.listGroups()).groups.map((x) => x.groupId),
    [groupId],
  );
  const other = await call(tb.port, 15, 5, { groups: [topicName('acl-other-g'), groupId] });
  assert.deepEqual(
    other.groups.map((x) => x.errorCode),
    [ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.NONE],
  );
});

test('ACLs survive a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-acl-'));
  const first = await startAclBroker((fn) => t.after(fn), {}, dataDir);
  grantAclAdmin(first.broker);
  const topic = topicName('acl-restart');
  await first.broker.createTopic(topic, 1, 1, {});
  await aclCli(first.bootstrap, 'create', '--allow-principal', 'User:ANONYMOUS', '--producer', '--topic', topic);
  await first.broker.close();

  const second = await startAclBroker((fn) => t.after(fn), {}, dataDir);
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  await send(kafkaFor(second.bootstrap), topic, ['after restart']);
  const listed: Array<{ resourceType: string; operation: string }> = JSON.parse(
    await aclCli(second.bootstrap, 'list', '--format', 'json'),
  );
  assert.deepEqual(
    listed
      .filter((b) => b.resourceType === 'topic')
      .map((b) => b.operation)
      .sort(),
    ['create', 'describe', 'write'],
  );
});
