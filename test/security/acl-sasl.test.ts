/**
 * ACLs with authenticated principals: two SCRAM-SHA-512 users over
 * SASL_PLAINTEXT, admin (the super user made at start) and alice. alice
 * without ACLs gets TOPIC_AUTHORIZATION_FAILED in kafkajs and kcat; after
 * admin runs `tributary acl create` (the real binary, logged in as admin)
 * she can; a PREFIXED ACL covers `team-a.*` only; a DENY wins over an
 * ALLOW; alice may not manage ACLs herself; Metadata hides what she may not
 * describe; her ACLs do not apply to ANONYMOUS on the PLAINTEXT listener.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { cli } from '../cli/run-cli.ts';
import { topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { ADMIN, addUser, startSecureBroker } from '../helpers/secure-broker.ts';
import { failsWith } from './acl-helpers.ts';

const ALICE = { name: 'alice', password: 'alice-secret' };

describe('ACLs over SASL_PLAINTEXT with SCRAM users', async () => {
  const sb = await startSecureBroker(after, {
    configs: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' },
  });
  await addUser(sb.broker, ALICE.name, ALICE.password);
  const address = sb.address('SASL_PLAINTEXT');

  const kafka = (user: { name: string; password: string }): Kafka =>
    new Kafka({
      clientId: 'acl-sasl',
      brokers: [address],
      sasl: { mechanism: 'scram-sha-512', username: user.name, password: user.password },
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 50 },
    });
  const send = async (k: Kafka, topic: string, values: string[]): Promise<void> => {
    const p = k.producer({ allowAutoTopicCreation: false });
    await p.connect();
    try {
      await p.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    } finally {
      await p.disconnect();
    }
  };
  const kcat = (user: { name: string; password: string }, args: string[], input = '') =>
    exec(
      'kcat',
      [
        '-b',
        address,
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        'sasl.mechanisms=SCRAM-SHA-512',
        '-X',
        `sasl.username=${user.name}`,
        '-X',
        `sasl.password=${user.password}`,
        ...args,
      ],
      input,
      15_000,
    );
  const aclAs = (user: { name: string; password: string }, ...args: string[]) =>
    cli(['acl', ...args, '-b', address, '--user', user.name, '--password', user.password]);
  const aclAsAdmin = async (...args: string[]): Promise<string> => {
    const r = await aclAs(ADMIN, ...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('alice cannot write or read until admin creates ACLs with `tributary acl create`', async () => {
    const topic = topicName('sasl-acl');
    await sb.broker.createTopic(topic, 1, 1, {});
    assert.equal(await failsWith(() => send(kafka(ALICE), topic, ['a'])), 'TOPIC_AUTHORIZATION_FAILED');
    const denied = await kcat(ALICE, ['-P', '-t', topic], 'x\n');
    assert.match(denied.stderr, /Broker: Topic authorization failed/);
    // admin is a super user without any ACL
    await send(kafka(ADMIN), topic, ['from-admin']);

    await aclAsAdmin('create', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', topic);
    await send(kafka(ALICE), topic, ['from-alice']);
    const written = await kcat(ALICE, ['-P', '-t', topic], 'from-kcat\n');
    assert.equal(written.code, 0, written.stderr);
    const unread = await kcat(ALICE, ['-C', '-t', topic, '-e', '-o', 'beginning']);
    assert.match(unread.stderr, /Topic authorization failed/);

    await aclAsAdmin('create', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', topic);
    const read = await kcat(ALICE, ['-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%s\n']);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout.toString(), 'from-admin\nfrom-alice\nfrom-kcat\n');

    // the same ACLs say nothing about ANONYMOUS on the PLAINTEXT listener
    const anonymous = await exec('kcat', ['-b', sb.address('PLAINTEXT'), '-P', '-t', topic], 'x\n', 15_000);
    assert.match(anonymous.stderr, /Topic authorization failed/);

    const audit = readFileSync(join(sb.dataDir, 'audit.log'), 'utf8');
    assert.match(
      audit,
      /"event":"denied","principal":"User:alice","host":"127.0.0.1","operation":"DESCRIBE","resourceType":"TOPIC",.*"api":"Metadata"/,
    );
    assert.match(audit, /"event":"acl-created","principal":"User:admin"/);
  });

  test('a prefixed ACL covers team-a.* topics only', async () => {
    for (const name of ['team-a.orders', 'team-a.audit', 'team-b.orders']) await sb.broker.createTopic(name, 1, 1, {});
    await aclAsAdmin(
      'create',
      '--allow-principal',
      'User:alice',
      '--producer',
      '--topic',
      'team-a.',
      '--resource-pattern-type',
      'prefixed',
    );
    await send(kafka(ALICE), 'team-a.orders', ['1']);
    const kc = await kcat(ALICE, ['-P', '-t', 'team-a.audit'], 'k\n');
    assert.equal(kc.code, 0, kc.stderr);
    assert.equal(await failsWith(() => send(kafka(ALICE), 'team-b.orders', ['2'])), 'TOPIC_AUTHORIZATION_FAILED');
    const other = await kcat(ALICE, ['-P', '-t', 'team-b.orders'], 'k\n');
    assert.match(other.stderr, /Topic authorization failed/);
  });

  test('a deny ACL wins over an allow', async () => {
    const open = topicName('sasl-open');
    const locked = topicName('sasl-locked');
    await sb.broker.createTopic(open, 1, 1, {});
    await sb.broker.createTopic(locked, 1, 1, {});
    await aclAsAdmin(
      'create',
      '--allow-principal',
      'User:alice',
      '--operation',
      'All',
      '--topic',
      open,
      '--topic',
      locked,
    );
    await aclAsAdmin('create', '--deny-principal', 'User:alice', '--operation', 'Write', '--topic', locked);
    await send(kafka(ALICE), open, ['ok']);
    assert.equal(await failsWith(() => send(kafka(ALICE), locked, ['no'])), 'TOPIC_AUTHORIZATION_FAILED');
    const kc = await kcat(ALICE, ['-P', '-t', locked], 'k\n');
    assert.match(kc.stderr, /Topic authorization failed/);
  });

  test('alice cannot manage ACLs, and sees only the topics she may describe', async () => {
    const r = await aclAs(ALICE, 'create', '--allow-principal', 'User:alice', '--operation', 'All', '--topic', '*');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CLUSTER_AUTHORIZATION_FAILED/);
    const secret = topicName('sasl-secret');
    await sb.broker.createTopic(secret, 1, 1, {});
    const admin = kafka(ALICE).admin();
    await admin.connect();
    after(() => admin.disconnect());
    const topics = await admin.listTopics();
    assert.ok(!topics.includes(secret));
    assert.ok(topics.includes('team-a.orders'));
    assert.equal(await failsWith(() => admin.fetchTopicMetadata({ topics: [secret] })), 'TOPIC_AUTHORIZATION_FAILED');
    const superAdmin = kafka(ADMIN).admin();
    await superAdmin.connect();
    after(() => superAdmin.disconnect());
    assert.ok((await superAdmin.listTopics()).includes(secret));
  });
});
