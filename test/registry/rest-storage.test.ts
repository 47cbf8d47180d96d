/**
 * State lives in `_schemas`: a restarted registry rebuilds it, a second
 * instance sees the same schemas, and the topic is compacted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { startRegistry } from '../../src/registry/index.ts';
import { startTestBroker } from '../helpers/broker.ts';
import { avroRecord, REGISTRY_BROKER_CONFIGS, sr, startTestRegistryOn } from './helpers.ts';

test('a restarted registry rebuilds ids, versions, deletes, config and mode from _schemas', async (t) => {
  const b = await startTestBroker((fn) => t.after(fn), REGISTRY_BROKER_CONFIGS);
  const first = await startRegistry({ bootstrapServers: b.bootstrap, port: 0 });
  const a = await sr(first.url, 'POST', '/subjects/st-a/versions', { schema: avroRecord('S', ['a']) });
  const a2 = await sr(first.url, 'POST', '/subjects/st-a/versions', {
    schema: avroRecord('S', ['a', { name: 'b', type: 'string', default: '' }]),
  });
  const bRes = await sr(first.url, 'POST', '/subjects/st-b/versions', { schema: avroRecord('T', ['a']) });
  await sr(first.url, 'DELETE', '/subjects/st-b');
  await sr(first.url, 'DELETE', '/subjects/st-a/versions/1');
  await sr(first.url, 'PUT', '/config/st-a', { compatibility: 'FORWARD' });
  await sr(first.url, 'PUT', '/mode/st-b', { mode: 'READONLY' });
  await first.close();

  const second = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  assert.deepEqual((await sr(second.url, 'GET', '/subjects')).body, ['st-a']);
  assert.deepEqual((await sr(second.url, 'GET', '/subjects/st-a/versions')).body, [2]);
  assert.deepEqual((await sr(second.url, 'GET', '/subjects/st-a/versions?deleted=true')).body, [1, 2]);
  assert.equal((await sr(second.url, 'GET', '/subjects/st-a/versions/2')).body.id, a2.body.id);
  assert.equal((await sr(second.url, 'GET', `/schemas/ids/${a.body.id}`)).body.schema, avroRecord('S', ['a']));
  assert.deepEqual((await sr(second.url, 'GET', '/config/st-a')).body, { compatibilityLevel: 'FORWARD' });
  assert.deepEqual((await sr(second.url, 'GET', '/mode/st-b')).body, { mode: 'READONLY' });
  // new ids continue after the rebuilt ones
  const c = await sr(second.url, 'POST', '/subjects/st-c/versions', { schema: avroRecord('U', ['a']) });
  assert.equal(c.body.id, bRes.body.id + 1);

  const admin = new Client({ bootstrapServers: b.bootstrap });
  t.after(() => admin.close());
  const [desc] = await admin.admin().describeConfigs([{ type: 'topic', name: '_schemas' }]);
  const policy = desc?.configs.find((e) => e.name === 'cleanup.policy');
  assert.equal(policy?.value, 'compact');
});

test('two instances: one leader; writes to the other are forwarded; both see every schema', async (t) => {
  const b = await startTestBroker((fn) => t.after(fn), REGISTRY_BROKER_CONFIGS);
  const one = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  const two = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  const res = await sr(one.url, 'POST', '/subjects/multi/versions', { schema: avroRecord('M', ['a']) });
  const deadline = Date.now() + 10_000;
  let seen: Awaited<ReturnType<typeof sr>>;
  for (;;) {
    seen = await sr(two.url, 'GET', '/subjects/multi/versions/latest');
    if (seen.status === 200 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(seen.body.id, res.body.id);
  const fromTwo = await sr(two.url, 'POST', '/subjects/multi2/versions', { schema: avroRecord('M', ['a']) });
  assert.equal(fromTwo.body.id, res.body.id, 'the same schema keeps its id across instances');
  // read-your-writes on the instance that took the request, leader or not
  assert.equal((await sr(two.url, 'GET', '/subjects/multi2/versions/1')).status, 200);
  const other = await sr(two.url, 'POST', '/subjects/multi3/versions', { schema: avroRecord('M3', ['a']) });
  const other2 = await sr(one.url, 'POST', '/subjects/multi4/versions', { schema: avroRecord('M4', ['a']) });
  assert.deepEqual([other.body.version, other2.body.version], [1, 1]);
  assert.equal(other2.body.id, other.body.id + 1, 'ids are allocated in one place');
  assert.equal([one.isLeader(), two.isLeader()].filter(Boolean).length, 1, 'exactly one leader');
  for (;;) {
    const s = await sr(one.url, 'GET', '/subjects');
    if (s.body.includes('multi2')) break;
    assert.ok(Date.now() < deadline, 'the first instance sees the second one’s write');
    await new Promise((r) => setTimeout(r, 50));
  }
});

test('when the leader stops, the other instance is elected and takes writes', async (t) => {
  const b = await startTestBroker((fn) => t.after(fn), REGISTRY_BROKER_CONFIGS);
  const one = await startRegistry({ bootstrapServers: b.bootstrap, port: 0 });
  t.after(() => one.close());
  const two = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  const first = await sr(two.url, 'POST', '/subjects/fail/versions', { schema: avroRecord('F', ['a']) });
  assert.equal(first.status, 200);
  assert.equal([one.isLeader(), two.isLeader()].filter(Boolean).length, 1, 'exactly one leader');
  const leader = one.isLeader() ? one : two;
  const other = leader === one ? two : one;
  await leader.close();
  const second = await sr(other.url, 'POST', '/subjects/fail/versions', {
    schema: avroRecord('F', ['a', { name: 'b', type: 'string', default: '' }]),
  });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.id, first.body.id + 1);
  assert.equal(second.body.version, 2);
  assert.ok(other.isLeader());
});

test('data contracts survive a restart and are seen by a second instance: metadata, ruleSet, config, mode', async (t) => {
  const b = await startTestBroker((fn) => t.after(fn), REGISTRY_BROKER_CONFIGS);
  const first = await startRegistry({ bootstrapServers: b.bootstrap, port: 0 });
  const ruleSet = {
    domainRules: [{ name: 'adult', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.age >= 18' }],
  };
  const config = {
    compatibility: 'BACKWARD',
    compatibilityGroup: 'major',
    defaultRuleSet: {
      domainRules: [{ name: 'mask', kind: 'TRANSFORM', mode: 'WRITE', type: 'CEL_FIELD', expr: "'x'", tags: ['PII'] }],
    },
    overrideMetadata: { properties: { owner: 'crm' } },
  };
  assert.equal((await sr(first.url, 'PUT', '/config/dc-s', config)).status, 200);
  const v1 = await sr(first.url, 'POST', '/subjects/dc-s/versions', {
    schema: avroRecord('P', ['name']),
    ruleSet,
    metadata: { properties: { major: '1' }, tags: { '**.name': ['PII'] } },
  });
  assert.equal(v1.status, 200, JSON.stringify(v1.body));
  await sr(first.url, 'PUT', '/mode/dc-ro', { mode: 'READONLY' });
  await sr(first.url, 'PUT', '/config', { compatibility: 'FULL', normalize: true });
  const before = (await sr(first.url, 'GET', '/subjects/dc-s/versions/1')).body;
  assert.deepEqual(before.metadata.properties, { major: '1', owner: 'crm' });
  await first.close();

  const second = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  const third = await startTestRegistryOn((fn) => t.after(fn), b.bootstrap);
  for (const reg of [second, third]) {
    const after = (await sr(reg.url, 'GET', '/subjects/dc-s/versions/1')).body;
    assert.deepEqual(after, before);
    assert.deepEqual((await sr(reg.url, 'GET', `/schemas/ids/${v1.body.id}`)).body.ruleSet, before.ruleSet);
    assert.deepEqual((await sr(reg.url, 'GET', '/config/dc-s')).body, {
      compatibilityLevel: 'BACKWARD',
      compatibilityGroup: 'major',
      defaultRuleSet: config.defaultRuleSet,
      overrideMetadata: config.overrideMetadata,
    });
    assert.deepEqual((await sr(reg.url, 'GET', '/config')).body, { compatibilityLevel: 'FULL', normalize: true });
    assert.deepEqual((await sr(reg.url, 'GET', '/mode/dc-ro')).body, { mode: 'READONLY' });
    assert.equal((await sr(reg.url, 'GET', '/subjects/dc-s/metadata?key=major&value=1')).body.version, 1);
  }
  // inheritance works from the rebuilt state, whichever instance takes the write (the other forwards it)
  const v2 = await sr(third.url, 'POST', '/subjects/dc-s/versions', {
    schema: avroRecord('P', ['name', { name: 'age', type: 'int', default: 0 }]),
  });
  assert.equal(v2.status, 200, JSON.stringify(v2.body));
  assert.equal(v2.body.version, 2);
  for (const reg of [second, third]) {
    const deadline = Date.now() + 10_000;
    let got = await sr(reg.url, 'GET', '/subjects/dc-s/versions/2');
    while (got.status !== 200 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      got = await sr(reg.url, 'GET', '/subjects/dc-s/versions/2');
    }
    assert.deepEqual(got.body.metadata, before.metadata);
    assert.deepEqual(got.body.ruleSet, before.ruleSet);
  }
  // the same schema again through the other instance: no new version
  const again = await sr(second.url, 'POST', '/subjects/dc-s/versions', {
    schema: avroRecord('P', ['name', { name: 'age', type: 'int', default: 0 }]),
  });
  assert.deepEqual([again.body.id, again.body.version], [v2.body.id, 2]);
  const blocked = await sr(second.url, 'POST', '/subjects/dc-ro/versions', { schema: avroRecord('R', ['a']) });
  assert.equal(blocked.body.error_code, 42205);
  // PUT and DELETE through either instance (one of them forwards to the leader)
  for (const reg of [second, third]) {
    const put = await sr(reg.url, 'PUT', `/config/dc-put-${reg.port}`, { compatibility: 'NONE' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal((await sr(reg.url, 'GET', `/config/dc-put-${reg.port}`)).body.compatibilityLevel, 'NONE');
    const del = await sr(reg.url, 'DELETE', `/config/dc-put-${reg.port}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal((await sr(reg.url, 'GET', `/config/dc-put-${reg.port}`)).body.error_code, 40408);
  }
});
