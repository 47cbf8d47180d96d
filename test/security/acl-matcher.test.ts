/**
 * The ACL rules without a broker: which ACLs cover a resource (literal,
 * wildcard, prefixed), principal and host matching, DENY winning, implied
 * operations, super users, allow.everyone.if.no.acl.found, filters (ANY,
 * MATCH, LITERAL, PREFIXED), creation checks, authorizeByResourceType and
 * Java's printing of client addresses — each as Kafka's StandardAuthorizer,
 * AclBindingFilter and AclControlManager decide them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Access,
  type Acl,
  type AclFilter,
  AclIndex,
  AclPermission,
  type AuthorizerSettings,
  compareAcls,
  decide,
  decideByResourceType,
  filterIsUnknown,
  filterMatches,
  fromCode,
  invalidAclReason,
  javaHostAddress,
  AclOperation as Op,
  PatternType,
  ResourceType as RT,
  supportedOperations,
  unbuildableAcl,
} from '../../src/broker/security/acls.ts';

const { ALLOW, DENY } = AclPermission;

function acl(p: Partial<Acl> & Pick<Acl, 'resourceName'>): Acl {
  return {
    resourceType: RT.TOPIC,
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permission: ALLOW,
    ...p,
  };
}

const settings = (over: Partial<AuthorizerSettings> = {}): AuthorizerSettings => ({
  superUsers: new Set<string>(),
  allowEveryoneIfNoAcl: false,
  ...over,
});

function allowed(acls: Acl[], access: Partial<Access> & { resourceName: string }, s = settings()): boolean {
  return decide(new AclIndex(acls), s, {
    principal: 'User:alice',
    host: '10.0.0.1',
    operation: Op.READ,
    resourceType: RT.TOPIC,
    ...access,
  }).allowed;
}

describe('which ACLs cover a resource', () => {
  test('a literal ACL covers exactly its name', () => {
    const acls = [acl({ resourceName: 'orders' })];
    assert.equal(allowed(acls, { resourceName: 'orders' }), true);
    assert.equal(allowed(acls, { resourceName: 'orders2' }), false);
    assert.equal(allowed(acls, { resourceName: 'order' }), false);
  });

  test('the literal name "*" covers every resource of its type only', () => {
    const acls = [acl({ resourceName: '*' })];
    assert.equal(allowed(acls, { resourceName: 'anything' }), true);
    assert.equal(allowed(acls, { resourceName: 'g', resourceType: RT.GROUP }), false);
  });

  test('a prefixed ACL covers names starting with it, including the prefix itself', () => {
    const acls = [acl({ resourceName: 'team-a.', patternType: PatternType.PREFIXED })];
    assert.equal(allowed(acls, { resourceName: 'team-a.orders' }), true);
    assert.equal(allowed(acls, { resourceName: 'team-a.' }), true);
    assert.equal(allowed(acls, { resourceName: 'team-b.orders' }), false);
    assert.equal(allowed(acls, { resourceName: 'team-a' }), false);
  });

  test('a prefixed "*" is a prefix like any other, not a wildcard', () => {
    const acls = [acl({ resourceName: '*', patternType: PatternType.PREFIXED })];
    assert.equal(allowed(acls, { resourceName: 'orders' }), false);
    assert.equal(allowed(acls, { resourceName: '*x' }), true);
  });

  test('resource types are separate', () => {
    const acls = [acl({ resourceName: 'x', resourceType: RT.GROUP })];
    assert.equal(allowed(acls, { resourceName: 'x' }), false);
    assert.equal(allowed(acls, { resourceName: 'x', resourceType: RT.GROUP }), true);
    assert.equal(allowed(acls, { resourceName: 'x', resourceType: RT.TRANSACTIONAL_ID }), false);
  });
});

describe('entries', () => {
  test('principals match exactly or through User:*', () => {
    assert.equal(allowed([acl({ resourceName: 't', principal: 'User:bob' })], { resourceName: 't' }), false);
    assert.equal(allowed([acl({ resourceName: 't', principal: 'User:*' })], { resourceName: 't' }), true);
    assert.equal(allowed([acl({ resourceName: 't', principal: 'User:Alice' })], { resourceName: 't' }), false);
    // Kafka adds User:* to every session's principals, whatever their type
    assert.equal(
      allowed([acl({ resourceName: 't', principal: 'User:*' })], { resourceName: 't', principal: 'Group:x' }),
      true,
    );
    assert.equal(allowed([acl({ resourceName: 't', principal: 'Group:*' })], { resourceName: 't' }), false);
  });

  test('hosts match exactly or through *', () => {
    assert.equal(allowed([acl({ resourceName: 't', host: '10.0.0.1' })], { resourceName: 't' }), true);
    assert.equal(allowed([acl({ resourceName: 't', host: '10.0.0.2' })], { resourceName: 't' }), false);
  });

  test('a matching DENY wins over any ALLOW, from any covering pattern', () => {
    const allowAll = acl({ resourceName: '*', operation: Op.ALL });
    assert.equal(allowed([allowAll, acl({ resourceName: 't', permission: DENY })], { resourceName: 't' }), false);
    const prefixedDeny = acl({ resourceName: 'te', patternType: PatternType.PREFIXED, permission: DENY });
    assert.equal(allowed([acl({ resourceName: 't1' }), prefixedDeny], { resourceName: 't1' }), true);
    assert.equal(allowed([acl({ resourceName: 'te1' }), prefixedDeny], { resourceName: 'te1' }), false);
    // a DENY for someone else or another host does not apply
    const bobDeny = acl({ resourceName: 't', permission: DENY, principal: 'User:bob' });
    assert.equal(allowed([acl({ resourceName: 't' }), bobDeny], { resourceName: 't' }), true);
    const hostDeny = acl({ resourceName: 't', permission: DENY, host: '10.9.9.9' });
    assert.equal(allowed([acl({ resourceName: 't' }), hostDeny], { resourceName: 't' }), true);
    const userStarDeny = acl({ resourceName: 't', permission: DENY, principal: 'User:*' });
    assert.equal(allowed([acl({ resourceName: 't' }), userStarDeny], { resourceName: 't' }), false);
  });

  test('ALLOW READ, WRITE, DELETE, ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE]) {
      assert.equal(
        allowed([acl({ resourceName: 't', operation: op })], { resourceName: 't', operation: Op.DESCRIBE }),
        true,
      );
    }
    for (const op of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.CLUSTER_ACTION, Op.IDEMPOTENT_WRITE]) {
      assert.equal(
        allowed([acl({ resourceName: 't', operation: op })], { resourceName: 't', operation: Op.DESCRIBE }),
        false,
        `operation ${op} must not imply DESCRIBE`,
      );
    }
    const alterConfigs = [acl({ resourceName: 't', operation: Op.ALTER_CONFIGS })];
    assert.equal(allowed(alterConfigs, { resourceName: 't', operation: Op.DESCRIBE_CONFIGS }), true);
    assert.equal(allowed(alterConfigs, { resourceName: 't', operation: Op.ALTER_CONFIGS }), true);
    const describeConfigs = [acl({ resourceName: 't', operation: Op.DESCRIBE_CONFIGS })];
    assert.equal(allowed(describeConfigs, { resourceName: 't', operation: Op.ALTER_CONFIGS }), false);
    // the implication goes one way: DESCRIBE does not give READ
    assert.equal(allowed([acl({ resourceName: 't', operation: Op.DESCRIBE })], { resourceName: 't' }), false);
  });

  test('DENY implies nothing: DENY READ leaves DESCRIBE allowed', () => {
    const acls = [
      acl({ resourceName: 't', operation: Op.ALL }),
      acl({ resourceName: 't', operation: Op.READ, permission: DENY }),
    ];
    assert.equal(allowed(acls, { resourceName: 't', operation: Op.DESCRIBE }), true);
    assert.equal(allowed(acls, { resourceName: 't', operation: Op.READ }), false);
    assert.equal(allowed(acls, { resourceName: 't', operation: Op.WRITE }), true);
  });

  test('ALL matches every operation, for ALLOW and DENY', () => {
    for (const op of [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.ALTER_CONFIGS]) {
      assert.equal(
        allowed([acl({ resourceName: 't', operation: Op.ALL })], { resourceName: 't', operation: op }),
        true,
      );
      const denyAll = [
        acl({ resourceName: '*', operation: Op.ALL }),
        acl({ resourceName: 't', operation: Op.ALL, permission: DENY }),
      ];
      assert.equal(allowed(denyAll, { resourceName: 't', operation: op }), false);
    }
  });
});

describe('defaults', () => {
  test('super users may do anything, DENY ACLs notwithstanding', () => {
    const s = settings({ superUsers: new Set(['User:admin']) });
    const deny = [acl({ resourceName: 't', principal: 'User:admin', permission: DENY, operation: Op.ALL })];
    assert.equal(allowed(deny, { resourceName: 't', principal: 'User:admin' }, s), true);
    assert.equal(allowed([], { resourceName: 'x', principal: 'User:admin', operation: Op.ALTER }, s), true);
    assert.equal(allowed([], { resourceName: 'x' }, s), false);
  });

  test('allow.everyone.if.no.acl.found allows only resources no ACL covers at all', () => {
    const s = settings({ allowEveryoneIfNoAcl: true });
    assert.equal(allowed([], { resourceName: 't' }, s), true);
    // an ACL for someone else on the resource takes the default away
    assert.equal(allowed([acl({ resourceName: 't', principal: 'User:bob' })], { resourceName: 't' }, s), false);
    assert.equal(allowed([acl({ resourceName: 'other' })], { resourceName: 't' }, s), true);
    assert.equal(
      allowed(
        [acl({ resourceName: 't', patternType: PatternType.PREFIXED, principal: 'User:bob' })],
        { resourceName: 'tx' },
        s,
      ),
      false,
    );
    assert.equal(allowed([], { resourceName: 't' }), false);
  });

  test('decisions name the rule that made them', () => {
    const index = new AclIndex([acl({ resourceName: 't' })]);
    const access = { principal: 'User:alice', host: 'h', operation: Op.READ, resourceType: RT.TOPIC };
    assert.deepEqual(decide(index, settings(), { ...access, resourceName: 'x' }), {
      allowed: false,
      rule: 'DefaultDeny',
    });
    assert.equal(
      decide(index, settings({ allowEveryoneIfNoAcl: true }), { ...access, resourceName: 'x' }).rule,
      'DefaultAllow',
    );
    assert.equal(decide(index, settings(), { ...access, resourceName: 't', operation: Op.WRITE }).rule, 'DefaultDeny');
    assert.deepEqual(decide(index, settings(), { ...access, resourceName: 't' }).rule, acl({ resourceName: 't' }));
  });
});

describe('filters', () => {
  const f = (p: Partial<AclFilter>): AclFilter => ({
    resourceType: RT.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permission: AclPermission.ANY,
    ...p,
  });
  const literal = acl({ resourceName: 'team-a.orders' });
  const prefixed = acl({ resourceName: 'team-a.', patternType: PatternType.PREFIXED });
  const wildcard = acl({ resourceName: '*' });
  const all = [literal, prefixed, wildcard];
  const names = (flt: AclFilter): string[] => all.filter((a) => filterMatches(flt, a)).map((a) => a.resourceName);

  test('ANY matches every pattern type but the name exactly', () => {
    assert.deepEqual(names(f({})), ['team-a.orders', 'team-a.', '*']);
    assert.deepEqual(names(f({ resourceName: 'team-a.orders' })), ['team-a.orders']);
  });

  test('MATCH finds every ACL that applies to the name', () => {
    assert.deepEqual(names(f({ resourceName: 'team-a.orders', patternType: PatternType.MATCH })), [
      'team-a.orders',
      'team-a.',
      '*',
    ]);
    assert.deepEqual(names(f({ resourceName: 'team-b.x', patternType: PatternType.MATCH })), ['*']);
  });

  test('LITERAL and PREFIXED filters match that pattern type and the name exactly', () => {
    assert.deepEqual(names(f({ patternType: PatternType.LITERAL })), ['team-a.orders', '*']);
    assert.deepEqual(names(f({ patternType: PatternType.PREFIXED, resourceName: 'team-a.' })), ['team-a.']);
    assert.deepEqual(names(f({ patternType: PatternType.PREFIXED, resourceName: 'team-a.orders' })), []);
  });

  test('entry fields filter exactly; ANY and null match everything', () => {
    const bob = acl({
      resourceName: 'x',
      principal: 'User:bob',
      host: '1.2.3.4',
      operation: Op.WRITE,
      permission: DENY,
    });
    assert.equal(filterMatches(f({ principal: 'User:bob' }), bob), true);
    assert.equal(filterMatches(f({ principal: 'User:*' }), bob), false);
    assert.equal(filterMatches(f({ host: '1.2.3.4' }), bob), true);
    assert.equal(filterMatches(f({ host: '*' }), bob), false);
    assert.equal(filterMatches(f({ operation: Op.WRITE }), bob), true);
    assert.equal(filterMatches(f({ operation: Op.ALL }), bob), false);
    assert.equal(filterMatches(f({ permission: DENY }), bob), true);
    assert.equal(filterMatches(f({ permission: ALLOW }), bob), false);
    assert.equal(filterMatches(f({ resourceType: RT.GROUP }), bob), false);
  });

  test('codes Kafka does not know read as UNKNOWN; such filters are unknown', () => {
    assert.equal(fromCode.resourceType(42), 0);
    assert.equal(fromCode.resourceType(7), 7);
    assert.equal(fromCode.operation(16), 0);
    assert.equal(fromCode.permission(3), 3);
    assert.equal(filterIsUnknown(f({ resourceType: 0 })), true);
    assert.equal(filterIsUnknown(f({ operation: 0 })), true);
    assert.equal(filterIsUnknown(f({})), false);
    // a filter with UNKNOWN codes matches nothing
    assert.deepEqual(names(f({ resourceType: 0 })), []);
  });
});

describe('creating ACLs', () => {
  test('Kafka refuses ANY/MATCH codes as a whole request, other bad ACLs one by one', () => {
    assert.equal(unbuildableAcl(acl({ resourceName: 't', resourceType: RT.ANY })), true);
    assert.equal(unbuildableAcl(acl({ resourceName: 't', patternType: PatternType.MATCH })), true);
    assert.equal(unbuildableAcl(acl({ resourceName: 't', operation: Op.ANY })), true);
    assert.equal(unbuildableAcl(acl({ resourceName: 't', permission: AclPermission.ANY })), true);
    assert.equal(unbuildableAcl(acl({ resourceName: 't' })), false);
    assert.equal(invalidAclReason(acl({ resourceName: 't' })), null);
    assert.equal(
      invalidAclReason(acl({ resourceName: 'c', resourceType: RT.CLUSTER })),
      'The only valid name for the CLUSTER resource is kafka-cluster',
    );
    assert.equal(invalidAclReason(acl({ resourceName: 'kafka-cluster', resourceType: RT.CLUSTER })), null);
    assert.equal(invalidAclReason(acl({ resourceName: '' })), 'Invalid empty resource name');
    assert.equal(invalidAclReason(acl({ resourceName: 't', resourceType: 0 })), 'Invalid resourceType UNKNOWN');
    assert.equal(invalidAclReason(acl({ resourceName: 't', patternType: 0 })), 'Invalid patternType UNKNOWN');
    assert.equal(invalidAclReason(acl({ resourceName: 't', operation: 0 })), 'Invalid operation UNKNOWN');
    assert.equal(invalidAclReason(acl({ resourceName: 't', permission: 0 })), 'Invalid permissionType UNKNOWN');
  });

  test("ACLs sort as Kafka's StandardAcl: type, name reversed, pattern, operation, principal", () => {
    const sorted = [
      acl({ resourceName: 'a' }),
      acl({ resourceName: 'b' }),
      acl({ resourceName: 'g', resourceType: RT.GROUP }),
      acl({ resourceName: 'b', operation: Op.WRITE }),
    ].sort(compareAcls);
    assert.deepEqual(
      sorted.map((a) => [a.resourceType, a.resourceName, a.operation]),
      [
        [RT.TOPIC, 'b', Op.READ],
        [RT.TOPIC, 'b', Op.WRITE],
        [RT.TOPIC, 'a', Op.READ],
        [RT.GROUP, 'g', Op.READ],
      ],
    );
  });
});

describe('authorizeByResourceType (idempotent producers)', () => {
  const byType = (acls: Acl[], s = settings()): boolean =>
    decideByResourceType(new AclIndex(acls), s, 'User:alice', '10.0.0.1', Op.WRITE, RT.TOPIC);

  test('WRITE on some topic is enough; READ is not, and nothing is implied', () => {
    assert.equal(byType([]), false);
    assert.equal(byType([acl({ resourceName: 'x', operation: Op.WRITE })]), true);
    assert.equal(byType([acl({ resourceName: 'x', operation: Op.ALL })]), true);
    assert.equal(byType([acl({ resourceName: 'x', operation: Op.READ })]), false);
    assert.equal(byType([acl({ resourceName: 'x', operation: Op.WRITE, resourceType: RT.GROUP })]), false);
    assert.equal(byType([acl({ resourceName: 'x', operation: Op.WRITE, principal: 'User:bob' })]), false);
  });

  test('a DENY cancels only the ALLOWs it dominates', () => {
    const w = (p: Partial<Acl> & { resourceName: string }) => acl({ operation: Op.WRITE, ...p });
    assert.equal(byType([w({ resourceName: 'x' }), w({ resourceName: 'x', permission: DENY })]), false);
    assert.equal(byType([w({ resourceName: 'x' }), w({ resourceName: 'y', permission: DENY })]), true);
    const prefixDeny = w({ resourceName: 'x', patternType: PatternType.PREFIXED, permission: DENY });
    assert.equal(byType([w({ resourceName: 'xyz' }), prefixDeny]), false);
    assert.equal(byType([w({ resourceName: 'xy', patternType: PatternType.PREFIXED }), prefixDeny]), false);
    assert.equal(byType([w({ resourceName: 'abc' }), prefixDeny]), true);
    assert.equal(byType([w({ resourceName: 'abc' }), w({ resourceName: '*', permission: DENY })]), false);
    assert.equal(byType([w({ resourceName: '*' })]), true);
  });

  test('super users and the no-ACL default pass through the probe', () => {
    assert.equal(byType([], settings({ allowEveryoneIfNoAcl: true })), true);
    assert.equal(byType([], settings({ superUsers: new Set(['User:alice']) })), true);
  });
});

test("authorized operations per resource type are Kafka's supported operations", () => {
  assert.deepEqual(supportedOperations(RT.TOPIC), [3, 4, 5, 8, 6, 7, 10, 11]);
  assert.deepEqual(supportedOperations(RT.GROUP), [3, 8, 6, 10, 11]);
  assert.deepEqual(supportedOperations(RT.CLUSTER), [5, 9, 10, 11, 12, 7, 8]);
  assert.deepEqual(supportedOperations(RT.TRANSACTIONAL_ID), [8, 4]);
});

test('client addresses print as Java does', () => {
  assert.equal(javaHostAddress('127.0.0.1'), '127.0.0.1');
  assert.equal(javaHostAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(javaHostAddress('::1'), '0:0:0:0:0:0:0:1');
  assert.equal(javaHostAddress('fe80::a:0b:c%eth0'), 'fe80:0:0:0:0:a:b:c%eth0');
  assert.equal(javaHostAddress('2001:db8::'), '2001:db8:0:0:0:0:0:0');
  assert.equal(javaHostAddress('64:ff9b::1.2.3.4'), '64:ff9b:0:0:0:0:102:304');
});
