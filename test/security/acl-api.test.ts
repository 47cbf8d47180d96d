/**
 * CreateAcls, DescribeAcls and DeleteAcls on the wire, at every version:
 * SECURITY_DISABLED without an authorizer, CLUSTER_AUTHORIZATION_FAILED
 * without ALTER/DESCRIBE on the cluster, Kafka's validation (INVALID_REQUEST
 * per ACL, UNKNOWN_SERVER_ERROR for ANY/MATCH codes, a closed connection for
 * UNKNOWN codes), duplicates stored once, delete filters that overlap, and
 * the audit log of denials and changes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Broker } from '../../src/broker/index.ts';
import { AclPermission, AclOperation as Op, PatternType, ResourceType as RT } from '../../src/broker/security/acls.ts';
import { authorizerOf } from '../../src/broker/security/authorizer.ts';
import { ErrorCode } from '../../src/protocol/index.ts';
import { cli } from '../cli/run-cli.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { ANONYMOUS, startAclBroker } from './acl-helpers.ts';

const { ALLOW, DENY } = AclPermission;
const ANY_FILTER = {
  resourceTypeFilter: RT.ANY,
  resourceNameFilter: null,
  patternTypeFilter: PatternType.ANY,
  principalFilter: null,
  hostFilter: null,
  operation: Op.ANY,
  permissionType: AclPermission.ANY,
};

function creation(name: string, over: Record<string, unknown> = {}) {
  return {
    resourceType: RT.TOPIC,
    resourceName: name,
    resourcePatternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: ALLOW,
    ...over,
  };
}

async function open(port: number, t: { after: (fn: () => void) => void }): Promise<RawConnection> {
  const c = await RawConnection.open(port);
  t.after(() => c.close());
  return c;
}

test('without an authorizer the ACL APIs answer SECURITY_DISABLED', async (t) => {
  const tb = await startTestBroker((fn) => t.after(fn));
  const c = await open(tb.port, t);
  const created = await c.request(30, 3, { creations: [creation('t')] });
  assert.deepEqual(
    created.results.map((r) => [r.errorCode, r.errorMessage]),
    [[ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.']],
  );
  const described = await c.request(29, 1, ANY_FILTER);
  assert.equal(described.errorCode, ErrorCode.SECURITY_DISABLED);
  assert.equal(described.errorMessage, 'No Authorizer is configured on the broker');
  const deleted = await c.request(31, 2, { filters: [ANY_FILTER, ANY_FILTER] });
  assert.deepEqual(
    deleted.filterResults.map((r) => r.errorCode),
    [ErrorCode.SECURITY_DISABLED, ErrorCode.SECURITY_DISABLED],
  );
  const r = await cli(['acl', 'list', '-b', tb.bootstrap]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SECURITY_DISABLED/);
});

test('without ALTER/DESCRIBE on the cluster: CLUSTER_AUTHORIZATION_FAILED, and the denial is audited', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn));
  const c = await open(tb.port, t);
  const created = await c.request(30, 2, { creations: [creation('a'), creation('b')] });
  assert.deepEqual(
    created.results.map((r) => r.errorCode),
    [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED],
  );
  assert.equal((await c.request(29, 3, ANY_FILTER)).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const deleted = await c.request(31, 3, { filters: [ANY_FILTER] });
  assert.equal(deleted.filterResults[0]?.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

  const lines = readFileSync(join(tb.dataDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.event, l.principal, l.host, l.operation, l.resourceType, l.resourceName, l.api]),
    [
      ['denied', ANONYMOUS, '127.0.0.1', 'ALTER', 'CLUSTER', 'kafka-cluster', 'CreateAcls'],
      ['denied', ANONYMOUS, '127.0.0.1', 'DESCRIBE', 'CLUSTER', 'kafka-cluster', 'DescribeAcls'],
      ['denied', ANONYMOUS, '127.0.0.1', 'ALTER', 'CLUSTER', 'kafka-cluster', 'DeleteAcls'],
    ],
  );
  assert.equal(lines[0].rule, 'DefaultDeny');
  assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT/);
});

test('create, describe and delete at every version, with Kafka validation', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn), { 'super.users': `User:admin; ${ANONYMOUS}` });
  const c = await open(tb.port, t);

  for (const v of [0, 1, 2, 3]) {
    const r = await c.request(30, v, { creations: [creation(`v${v}`)] });
    assert.deepEqual(r.results, [{ errorCode: ErrorCode.NONE, errorMessage: null }], `v${v}`);
  }
  const prefixed = await c.request(30, 1, {
    creations: [
      creation('team-a.', { resourcePatternType: PatternType.PREFIXED, permissionType: DENY, operation: Op.WRITE }),
      creation('v1'), // a duplicate: succeeds, stored once
      creation('x', { resourceType: RT.CLUSTER }),
      creation(''),
      creation('y', { resourceType: 42 }),
      creation('kafka-cluster', { resourceType: RT.CLUSTER, operation: Op.ALTER, principal: 'User:bob' }),
    ],
  });
  assert.deepEqual(
    prefixed.results.map((r) => [r.errorCode, r.errorMessage]),
    [
      [ErrorCode.NONE, null],
      [ErrorCode.NONE, null],
      [ErrorCode.INVALID_REQUEST, 'The only valid name for the CLUSTER resource is kafka-cluster'],
      [ErrorCode.INVALID_REQUEST, 'Invalid empty resource name'],
      [ErrorCode.INVALID_REQUEST, 'Invalid resourceType UNKNOWN'],
      [ErrorCode.NONE, null],
    ],
  );
  // ANY and MATCH cannot form an ACL: Kafka fails the whole request
  const any = await c.request(30, 2, { creations: [creation('ok'), creation('z', { resourcePatternType: 2 })] });
  assert.deepEqual(
    any.results.map((r) => r.errorCode),
    [ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.UNKNOWN_SERVER_ERROR],
  );

  // v0 knows only literal patterns: the prefixed ACL is not shown there
  const v0 = await c.request(29, 0, { ...ANY_FILTER, resourceTypeFilter: RT.TOPIC });
  assert.deepEqual(v0.resources.map((r) => r.resourceName).sort(), ['v0', 'v1', 'v2', 'v3']);
  for (const v of [1, 2, 3]) {
    const all = await c.request(29, v, ANY_FILTER);
    assert.equal(all.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      all.resources.map((r) => [r.resourceType, r.resourceName, r.patternType, r.acls.length]),
      [
        [RT.TOPIC, 'v3', PatternType.LITERAL, 1],
        [RT.TOPIC, 'v2', PatternType.LITERAL, 1],
        [RT.TOPIC, 'v1', PatternType.LITERAL, 1],
        [RT.TOPIC, 'v0', PatternType.LITERAL, 1],
        [RT.TOPIC, 'team-a.', PatternType.PREFIXED, 1],
        [RT.CLUSTER, 'kafka-cluster', PatternType.LITERAL, 1],
      ],
      `v${v}`,
    );
  }
  const match = await c.request(29, 3, {
    ...ANY_FILTER,
    resourceTypeFilter: RT.TOPIC,
    resourceNameFilter: 'team-a.orders',
    patternTypeFilter: PatternType.MATCH,
  });
  assert.deepEqual(match.resources[0]?.acls, [
    { principal: 'User:alice', host: '*', operation: Op.WRITE, permissionType: DENY },
  ]);

  // two filters matching the same ACL both report it; it is removed once
  const deleted = await c.request(31, 3, {
    filters: [
      { ...ANY_FILTER, resourceNameFilter: 'v1' },
      { ...ANY_FILTER, resourceTypeFilter: RT.TOPIC, patternTypeFilter: PatternType.LITERAL, operation: Op.READ },
      { ...ANY_FILTER, resourceTypeFilter: 42 },
      { ...ANY_FILTER, permissionType: 9 },
    ],
  });
  assert.deepEqual(
    deleted.filterResults.map((r) => [r.errorCode, r.errorMessage, r.matchingAcls.map((m) => m.resourceName)]),
    [
      [ErrorCode.NONE, null, ['v1']],
      [ErrorCode.NONE, null, ['v3', 'v2', 'v1', 'v0']],
      [ErrorCode.INVALID_REQUEST, 'Unknown patternFilter.', []],
      [ErrorCode.INVALID_REQUEST, 'Unknown entryFilter.', []],
    ],
  );
  const left = await c.request(29, 2, ANY_FILTER);
  assert.deepEqual(
    left.resources.map((r) => r.resourceName),
    ['team-a.', 'kafka-cluster'],
  );
  const v0delete = await c.request(31, 0, { filters: [{ ...ANY_FILTER, resourceNameFilter: 'team-a.' }] });
  assert.deepEqual(v0delete.filterResults[0]?.matchingAcls, []);

  const audit = readFileSync(join(tb.dataDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    audit.map((l) => `${l.event} ${l.acl.resourceName}`),
    [
      'acl-created v0',
      'acl-created v1',
      'acl-created v2',
      'acl-created v3',
      'acl-created team-a.',
      'acl-created kafka-cluster',
      'acl-deleted v1',
      'acl-deleted v3',
      'acl-deleted v2',
      'acl-deleted v0',
    ],
  );
  assert.deepEqual(audit[4].acl, {
    resourceType: 'TOPIC',
    resourceName: 'team-a.',
    patternType: 'PREFIXED',
    principal: 'User:alice',
    host: '*',
    operation: 'WRITE',
    permission: 'DENY',
  });
  assert.equal(audit[4].principal, ANONYMOUS);
});

test('requests Kafka cannot parse close the connection; the broker carries on', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn), { 'super.users': ANONYMOUS });
  for (const [key, version, body] of [
    [30, 1, { creations: [creation('t', { operation: 0 })] }],
    [29, 1, { ...ANY_FILTER, permissionType: 0 }],
    [31, 1, { filters: [{ ...ANY_FILTER, resourceTypeFilter: 0 }] }],
  ] as const) {
    const c = await open(tb.port, t);
    await assert.rejects(c.request(key, version, body as never), /connection closed/);
  }
  const c = await open(tb.port, t);
  assert.equal((await c.request(29, 1, ANY_FILTER)).errorCode, ErrorCode.NONE);
});

test('tributary acl: tables by default, usage errors exit 2', async (t) => {
  const tb = await startAclBroker((fn) => t.after(fn), { 'super.users': ANONYMOUS });
  const topic = topicName('acl-cli');
  const b = ['-b', tb.bootstrap];
  const created = await cli([
    'acl',
    'create',
    '--allow-principal',
    'User:alice',
    '--deny-principal',
    'User:bob',
    '--host',
    '10.0.0.1',
    '--operation',
    'DescribeConfigs',
    '--operation',
    'alter_configs',
    '--topic',
    topic,
    '--group',
    'g1',
    ...b,
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim().split('\n').length, 1 + 8);
  const listed = await cli(['acl', 'list', '--principal', 'User:bob', '--group', 'g1', ...b]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(
    listed.stdout,
    [
      'RESOURCE-TYPE  RESOURCE-NAME  PATTERN  PRINCIPAL  HOST      OPERATION         PERMISSION',
      'group          g1             literal  User:bob   10.0.0.1  describe-configs  deny',
      'group          g1             literal  User:bob   10.0.0.1  alter-configs     deny',
      '',
    ].join('\n'),
  );
  const bad = await cli(['acl', 'create', '--allow-principal', 'alice', '--operation', 'Read', '--topic', 't', ...b]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TYPE:NAME/);
  const noResource = await cli(['acl', 'delete', '--principal', 'User:bob', ...b]);
  assert.equal(noResource.code, 2);
  const removed = await cli(['acl', 'delete', '--group', 'g1', '--topic', topic, '--format', 'json', ...b]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(JSON.parse(removed.stdout).length, 8);
  assert.deepEqual(authorizerOf(tb.broker)?.acls(), []);
});

test('an unknown authorizer.class.name stops the broker from starting, as Kafka does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-az-'));
  try {
    await assert.rejects(
      Broker.start({
        dataDir: dir,
        host: '127.0.0.1',
        port: 0,
        configs: { 'authorizer.class.name': 'com.example.NoSuchAuthorizer' },
        logger: pino({ level: 'silent' }),
      }),
      /Invalid value com\.example\.NoSuchAuthorizer for configuration authorizer\.class\.name/,
    );
    assert.equal(existsSync(join(dir, '.lock')), false, 'no lock left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
