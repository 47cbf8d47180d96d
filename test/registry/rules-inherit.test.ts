/**
 * Data-contract inheritance at registration, as Confluent's server does it
 * (AbstractSchemaRegistry.maybeSetMetadataRuleSet / maybePopulateFromPrevious,
 * Metadata.mergeMetadata, RuleSet.mergeRuleSets, Config.mergeConfigs):
 * defaults under, the request's (or the previous version's) contract, then
 * overrides on top; the merged contract is stored and part of the schema's
 * identity. Also compatibilityGroup and GET /subjects/{s}/metadata.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { avroRecord, sr, startTestRegistry, type TestRegistry } from './helpers.ts';

const cel = (name: string, expr: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'CONDITION',
  mode: 'WRITE',
  type: 'CEL',
  expr,
  ...extra,
});

describe('registry REST: metadata and rule set inheritance', () => {
  let r: TestRegistry;
  let url: string;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    r = await startTestRegistry((fn) => cleanups.push(fn));
    url = r.url;
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  const latest = async (s: string) => (await sr(url, 'GET', `/subjects/${s}/versions/latest`)).body;
  const register = async (s: string, body: Record<string, unknown>) => {
    const res = await sr(url, 'POST', `/subjects/${s}/versions`, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { id: number; version: number };
  };

  test('defaults apply when the registration has none; the request merges over them; overrides always win', async () => {
    const s = 'inh-defaults';
    const dflt = { domainRules: [cel('adult', 'message.age >= 18'), cel('named', "message.name != ''")] };
    const ovr = { domainRules: [cel('audited', 'true', { mode: 'WRITEREAD', kind: 'CONDITION' })] };
    const put = await sr(url, 'PUT', `/config/${s}`, {
      defaultRuleSet: dflt,
      overrideRuleSet: ovr,
      defaultMetadata: { properties: { owner: 'platform', tier: 'bronze' }, sensitive: ['owner'] },
      overrideMetadata: { properties: { tier: 'gold' }, tags: { '**.ssn': ['PII'] } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    const answer = await register(s, { schema: avroRecord('P', ['name']) });
    const v1 = await latest(s);
    // the register answer carries the stored (merged) contract, as Confluent 8.x's RegisterSchemaResponse
    assert.deepEqual((answer as unknown as { ruleSet: unknown }).ruleSet, v1.ruleSet);
    assert.deepEqual((answer as unknown as { metadata: unknown }).metadata, v1.metadata);
    // default, then (no specific), then override: rules merged by name, in that order
    assert.deepEqual(
      v1.ruleSet.domainRules.map((x: { name: string }) => x.name),
      ['adult', 'named', 'audited'],
    );
    assert.deepEqual(v1.metadata, {
      tags: { '**.ssn': ['PII'] },
      properties: { owner: 'platform', tier: 'gold' },
      sensitive: ['owner'],
    });

    // a specific rule named like a default one replaces it (and goes after the kept defaults)
    const specific = { domainRules: [cel('adult', 'message.age >= 21')] };
    await register(s, {
      schema: avroRecord('P', ['name', { name: 'ssn', type: 'string', default: '' }]),
      ruleSet: specific,
      metadata: { properties: { owner: 'payments', tier: 'silver' }, sensitive: ['team'] },
    });
    const v2 = await latest(s);
    assert.equal(v2.version, 2);
    assert.deepEqual(
      v2.ruleSet.domainRules.map((x: { name: string; expr: string }) => [x.name, x.expr]),
      [
        ['named', "message.name != ''"],
        ['adult', 'message.age >= 21'],
        ['audited', 'true'],
      ],
    );
    // properties: later wins (override beats the request); sensitive: union
    assert.deepEqual(v2.metadata, {
      tags: { '**.ssn': ['PII'] },
      properties: { owner: 'payments', tier: 'gold' },
      sensitive: ['owner', 'team'],
    });
    // GET by id returns the same merged contract
    const byId = await sr(url, 'GET', `/schemas/ids/${v2.id}`);
    assert.deepEqual(byId.body.ruleSet, v2.ruleSet);
    assert.deepEqual(byId.body.metadata, v2.metadata);
  });

  test('a registration without metadata/ruleSet carries over the previous version’s (previous over default)', async () => {
    const s = 'inh-previous';
    await sr(url, 'PUT', `/config/${s}`, {
      defaultMetadata: { properties: { owner: 'default-owner', region: 'eu' } },
      defaultRuleSet: { domainRules: [cel('fromDefault', 'true')] },
    });
    await register(s, {
      schema: avroRecord('Q', ['a']),
      metadata: { properties: { owner: 'team-a' }, tags: { '**.a': ['PII'] } },
      ruleSet: { domainRules: [cel('fromV1', 'size(message.a) > 0')] },
    });
    await register(s, { schema: avroRecord('Q', ['a', { name: 'b', type: 'string', default: '' }]) });
    const v2 = await latest(s);
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.metadata, { tags: { '**.a': ['PII'] }, properties: { owner: 'team-a', region: 'eu' } });
    assert.deepEqual(
      v2.ruleSet.domainRules.map((x: { name: string }) => x.name),
      ['fromDefault', 'fromV1'],
    );
    // soft-deleted versions are not "previous": with v2 soft-deleted, v3 inherits from v1 (the latest live version)
    await sr(url, 'DELETE', `/subjects/${s}/versions/2`);
    await register(s, {
      schema: avroRecord('Q', ['a', { name: 'c', type: 'string', default: '' }]),
      metadata: { properties: { owner: 'team-c' } },
    });
    const v3 = await latest(s);
    assert.equal(v3.version, 3);
    // metadata given (merged over the default only), ruleSet carried over from v1 (+ default)
    assert.deepEqual(v3.metadata, { properties: { owner: 'team-c', region: 'eu' } });
    assert.deepEqual(
      v3.ruleSet.domainRules.map((x: { name: string }) => x.name),
      ['fromDefault', 'fromV1'],
    );
  });

  test('metadata merge: tags replace per path, properties later wins, sensitive is a union', async () => {
    const s = 'inh-meta-merge';
    await sr(url, 'PUT', `/config/${s}`, {
      defaultMetadata: {
        tags: { '**.a': ['PII', 'GDPR'], '**.b': ['INTERNAL'] },
        properties: { k1: 'd1', k2: 'd2' },
        sensitive: ['k1'],
      },
      overrideMetadata: { tags: { '**.a': ['PUBLIC'] }, properties: { k2: 'o2' }, sensitive: ['k3'] },
    });
    await register(s, {
      schema: avroRecord('M', ['a', 'b']),
      metadata: { tags: { '**.b': ['SECRET'] }, properties: { k1: 's1' }, sensitive: ['k2'] },
    });
    assert.deepEqual((await latest(s)).metadata, {
      tags: { '**.a': ['PUBLIC'], '**.b': ['SECRET'] },
      properties: { k1: 's1', k2: 'o2' },
      sensitive: ['k1', 'k2', 'k3'],
    });
  });

  test('the subject config replaces the global one for defaults/overrides; other keys fall back to global', async () => {
    const s = 'inh-scope';
    const global = await sr(url, 'PUT', '/config', {
      defaultMetadata: { properties: { from: 'global' } },
      compatibilityGroup: 'major',
    });
    assert.equal(global.status, 200);
    try {
      // no subject config: the global defaults apply
      await register('inh-scope-global', { schema: avroRecord('G', ['a']) });
      assert.deepEqual((await latest('inh-scope-global')).metadata, { properties: { from: 'global' } });
      // a subject config without defaults: the global defaults do not apply (Confluent's Config.mergeConfigs)
      await sr(url, 'PUT', `/config/${s}`, { compatibility: 'BACKWARD' });
      await register(s, { schema: avroRecord('S', ['a']), metadata: { properties: { major: '1' } } });
      assert.deepEqual((await latest(s)).metadata, { properties: { major: '1' } });
      // ... but compatibilityGroup still comes from the global config: major 2 is not checked against major 1
      const breaking = await sr(url, 'POST', `/subjects/${s}/versions`, {
        schema: avroRecord('S', ['a', 'required']),
        metadata: { properties: { major: '2' } },
      });
      assert.equal(breaking.status, 200, JSON.stringify(breaking.body));
      const eff = await sr(url, 'GET', `/config/${s}?defaultToGlobal=true`);
      assert.equal(eff.body.compatibilityGroup, 'major');
      assert.equal(eff.body.defaultMetadata, undefined);
    } finally {
      await sr(url, 'DELETE', '/config');
    }
  });

  test('identical after merging: the existing version is returned; a changed contract makes a new version', async () => {
    const s = 'inh-same';
    await sr(url, 'PUT', `/config/${s}`, { defaultRuleSet: { domainRules: [cel('d', 'true')] } });
    const schema = avroRecord('I', ['a']);
    const first = await register(s, { schema, metadata: { properties: { owner: 'x' } } });
    // the same schema again, with or without the contract it was stored with: no new version
    const again = await register(s, { schema });
    assert.deepEqual([again.id, again.version], [first.id, 1]);
    const explicit = await register(s, { schema, metadata: { properties: { owner: 'x' } } });
    assert.deepEqual([explicit.id, explicit.version], [first.id, 1]);
    const merged = await latest(s);
    const asStored = await register(s, { schema, metadata: merged.metadata, ruleSet: merged.ruleSet });
    assert.deepEqual([asStored.id, asStored.version], [first.id, 1]);
    assert.deepEqual((await sr(url, 'GET', `/subjects/${s}/versions`)).body, [1]);

    // same schema text, new rule: a new version and (the contract is part of the identity) a new id
    const ruled = await register(s, { schema, ruleSet: { domainRules: [cel('extra', 'true')] } });
    assert.equal(ruled.version, 2);
    assert.notEqual(ruled.id, first.id);
    assert.deepEqual(
      (await latest(s)).ruleSet.domainRules.map((x: { name: string }) => x.name),
      ['d', 'extra'],
    );

    // lookup: with the stored contract, or with none (merged with the latest version's, as registration would)
    const byExact = await sr(url, 'POST', `/subjects/${s}`, { schema, ...(await latest(s)) });
    assert.equal(byExact.status, 200, JSON.stringify(byExact.body));
    assert.equal(byExact.body.version, 2);
    const bare = await sr(url, 'POST', `/subjects/${s}`, { schema });
    assert.equal(bare.status, 200, JSON.stringify(bare.body));
    assert.equal(bare.body.version, 2);
    assert.deepEqual(bare.body.ruleSet, (await latest(s)).ruleSet);
    // version 1 is found with its own contract
    const v1 = (await sr(url, 'GET', `/subjects/${s}/versions/1`)).body;
    const old = await sr(url, 'POST', `/subjects/${s}`, { schema, metadata: v1.metadata, ruleSet: v1.ruleSet });
    assert.equal(old.body.version, 1);
    // a contract nobody has: 40403
    const none = await sr(url, 'POST', `/subjects/${s}`, { schema, metadata: { properties: { owner: 'nobody' } } });
    assert.equal(none.status, 404);
    assert.equal(none.body.error_code, 40403);

    // key order and rule defaults do not matter for identity
    const reordered = await register(s, {
      schema,
      ruleSet: {
        domainRules: [
          { type: 'CEL', name: 'd', expr: 'true', mode: 'WRITE', kind: 'CONDITION' },
          { expr: 'true', type: 'CEL', mode: 'WRITE', name: 'extra', kind: 'CONDITION' },
        ],
      },
      metadata: { properties: { owner: 'x' } },
    });
    assert.equal(reordered.version, 2);

    // answers follow state changes (the registry keeps found lookups until the next change)
    const v2 = await latest(s);
    const exact = { schema, metadata: v2.metadata, ruleSet: v2.ruleSet };
    assert.equal((await sr(url, 'POST', `/subjects/${s}`, exact)).body.version, 2);
    assert.equal((await sr(url, 'POST', `/subjects/${s}`, { schema })).body.version, 2);
    await sr(url, 'PUT', `/config/${s}`, { overrideMetadata: { properties: { owner: 'changed' } } });
    assert.equal((await sr(url, 'POST', `/subjects/${s}`, { schema })).body.error_code, 40403);
    await sr(url, 'DELETE', `/subjects/${s}/versions/2`);
    assert.equal((await sr(url, 'POST', `/subjects/${s}`, exact)).body.error_code, 40403);
    assert.equal((await sr(url, 'POST', `/subjects/${s}?deleted=true`, exact)).body.version, 2);
  });

  test('the same schema under two subjects shares an id only when the contracts are equal', async () => {
    const schema = avroRecord('Shared', ['a']);
    const a = await register('inh-id-a', { schema });
    const b = await register('inh-id-b', { schema });
    assert.equal(a.id, b.id);
    const c = await register('inh-id-c', { schema, metadata: { properties: { owner: 'c' } } });
    assert.notEqual(c.id, a.id);
    const d = await register('inh-id-d', { schema, metadata: { properties: { owner: 'c' } } });
    assert.equal(d.id, c.id);
  });

  test('compatibilityGroup: only versions with the same group value are checked', async () => {
    const s = 'inh-group';
    await sr(url, 'PUT', `/config/${s}`, { compatibility: 'BACKWARD', compatibilityGroup: 'major_version' });
    await register(s, { schema: avroRecord('U', ['name']), metadata: { properties: { major_version: '1' } } });
    // a breaking change in a new major version is accepted
    const v2 = await register(s, {
      schema: avroRecord('U', ['fullName']),
      metadata: { properties: { major_version: '2' } },
    });
    assert.equal(v2.version, 2);
    // the next registration inherits major_version 2 from the latest version and is checked against it
    const bad = await sr(url, 'POST', `/subjects/${s}/versions`, { schema: avroRecord('U', ['fullName', 'x']) });
    assert.equal(bad.status, 409, JSON.stringify(bad.body));
    // within group 1 the check still applies
    const bad1 = await sr(url, 'POST', `/subjects/${s}/versions`, {
      schema: avroRecord('U', ['name', 'y']),
      metadata: { properties: { major_version: '1' } },
    });
    assert.equal(bad1.status, 409);
    const ok3 = await register(s, {
      schema: avroRecord('U', ['fullName', { name: 'x', type: 'string', default: '' }]),
    });
    assert.equal(ok3.version, 3);
    assert.equal((await latest(s)).metadata.properties.major_version, '2');
  });

  test('GET /subjects/{s}/metadata: latest version whose properties hold every key/value', async () => {
    const s = 'inh-lookup-meta';
    await sr(url, 'PUT', `/config/${s}`, { compatibility: 'NONE' });
    await register(s, { schema: avroRecord('L', ['a']), metadata: { properties: { major: '1', env: 'prod' } } });
    await register(s, { schema: avroRecord('L', ['b']), metadata: { properties: { major: '2', env: 'prod' } } });
    await register(s, { schema: avroRecord('L', ['c']), metadata: { properties: { major: '1', env: 'dev' } } });
    const get = (q: string) => sr(url, 'GET', `/subjects/${s}/metadata?${q}`);
    const m1 = await get('key=major&value=1');
    assert.equal(m1.status, 200);
    assert.equal(m1.body.version, 3);
    assert.equal(m1.body.subject, s);
    assert.ok(m1.body.id > 0);
    assert.deepEqual(m1.body.metadata.properties, { major: '1', env: 'dev' });
    assert.equal((await get('key=major&value=1&key=env&value=prod')).body.version, 1);
    assert.equal((await get('key=major&value=2')).body.version, 2);
    assert.equal((await get('')).body.version, 3);
    const none = await get('key=major&value=9');
    assert.equal(none.status, 404);
    assert.equal(none.body.error_code, 40403);
    const noSubject = await sr(url, 'GET', '/subjects/inh-nope/metadata?key=a&value=b');
    assert.equal(noSubject.status, 404);
    assert.equal(noSubject.body.error_code, 40401);
    // soft-deleted versions only with deleted=true
    await sr(url, 'DELETE', `/subjects/${s}/versions/3`);
    assert.equal((await get('key=major&value=1')).body.version, 1);
    assert.equal((await get('key=major&value=1&deleted=true')).body.version, 3);
  });

  test('confluent:version is stamped with the new version when carried over', async () => {
    const s = 'inh-cversion';
    await register(s, { schema: avroRecord('V', ['a']), metadata: { properties: { 'confluent:version': '1' } } });
    await register(s, { schema: avroRecord('V', ['a', { name: 'b', type: 'string', default: '' }]) });
    assert.deepEqual((await latest(s)).metadata.properties, { 'confluent:version': '2' });
    // re-registering version 1's schema without metadata finds nothing equal in the latest version's
    // contract, and looking it up without metadata ignores the stamped version (canLookupIgnoringVersion)
    const found = await sr(url, 'POST', `/subjects/${s}`, { schema: avroRecord('V', ['a']) });
    assert.equal(found.body.version, 1);
  });

  test('IMPORT mode stores the contract as sent, without inheritance', async () => {
    const s = 'inh-import';
    await sr(url, 'PUT', `/config/${s}`, { defaultMetadata: { properties: { owner: 'd' } } });
    await sr(url, 'PUT', `/mode/${s}`, { mode: 'IMPORT' });
    await register(s, { schema: avroRecord('Imp', ['a']), id: 7001, version: 1 });
    const got = await latest(s);
    assert.equal(got.metadata, undefined);
    await sr(url, 'DELETE', `/mode/${s}`);
  });
});
