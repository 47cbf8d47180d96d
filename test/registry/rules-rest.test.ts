/**
 * Rule validation at registration through the REST API: a valid data contract
 * is stored and returned as sent; invalid rules are 422 with 42210 and a
 * message naming the rule; bad metadata shapes are 422.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { avroRecord, sr, startTestRegistry, type TestRegistry } from './helpers.ts';

describe('registry REST: rule sets and metadata at registration', () => {
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

  const schema = avroRecord('Person', ['name', 'ssn']);
  const checkSsn = {
    name: 'checkSsnLen',
    kind: 'CONDITION',
    mode: 'WRITE',
    type: 'CEL',
    expr: 'size(message.ssn) == 9',
    onFailure: 'DLQ',
    params: { 'dlq.topic': 'bad-data' },
  };

  test('a valid ruleSet and metadata are stored and returned exactly', async () => {
    const ruleSet = {
      domainRules: [
        checkSsn,
        {
          name: 'maskSsn',
          kind: 'TRANSFORM',
          mode: 'WRITE',
          type: 'CEL_FIELD',
          expr: "name == 'ssn' ; value.substring(0,3) + '-XX-XXXX'",
        },
        {
          name: 'encryptPII',
          kind: 'TRANSFORM',
          mode: 'WRITEREAD',
          type: 'ENCRYPT',
          tags: ['PII'],
          params: { 'encrypt.kek.name': 'kek1', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'k' },
          onFailure: 'ERROR,NONE',
        },
      ],
      migrationRules: [
        { name: 'renameSsn', kind: 'TRANSFORM', mode: 'UPGRADE', type: 'JSONATA', expr: "$merge([$, {'x': 1}])" },
      ],
    };
    const metadata = {
      tags: { '**.ssn': ['PII'] },
      properties: { owner: 'payments', major_version: '1' },
      sensitive: ['owner'],
    };
    const reg = await sr(url, 'POST', '/subjects/rules-ok-value/versions', { schema, ruleSet, metadata });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const got = await sr(url, 'GET', '/subjects/rules-ok-value/versions/latest');
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.ruleSet, ruleSet);
    assert.deepEqual(got.body.metadata, metadata);
    const byId = await sr(url, 'GET', `/schemas/ids/${reg.body.id}`);
    assert.deepEqual(byId.body.ruleSet, ruleSet);
  });

  test('a CEL rule that does not compile is 422/42210 naming the rule and the error', async () => {
    const bad = { ...checkSsn, name: 'badCel', expr: 'size(message.ssn) ==' };
    const res = await sr(url, 'POST', '/subjects/rules-cel-value/versions', {
      schema,
      ruleSet: { domainRules: [bad] },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error_code, 42210);
    assert.match(res.body.message, /Rule 'badCel'/);
    assert.match(res.body.message, /does not compile: Unexpected token: EOF/);
    // nothing was registered
    assert.equal((await sr(url, 'GET', '/subjects/rules-cel-value/versions')).status, 404);
  });

  test('a CEL_FIELD guard that does not compile is 422/42210', async () => {
    const res = await sr(url, 'POST', '/subjects/rules-celfield-value/versions', {
      schema,
      ruleSet: {
        domainRules: [{ name: 'mask', kind: 'TRANSFORM', mode: 'WRITE', type: 'CEL_FIELD', expr: "name == ; 'x'" }],
      },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error_code, 42210);
    assert.match(res.body.message, /Rule 'mask': the CEL_FIELD guard "name ==" does not compile/);
  });

  test('bad modes, kinds, actions and names are 422/42210', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ migrationRules: [{ ...checkSsn }] }, /^Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN$/],
      [{ domainRules: [{ ...checkSsn, mode: 'UPGRADE' }] }, /^Domain rules can only be WRITE, READ, WRITEREAD$/],
      [{ domainRules: [{ ...checkSsn, mode: 'NEVER' }] }, /Rule 'checkSsnLen': invalid mode "NEVER"/],
      [{ domainRules: [{ ...checkSsn, kind: 'VALIDATE' }] }, /Rule 'checkSsnLen': invalid kind "VALIDATE"/],
      [{ domainRules: [{ ...checkSsn, onFailure: 'EXPLODE' }] }, /unknown action 'EXPLODE'/],
      [{ domainRules: [{ ...checkSsn, onFailure: 'DLQ,ERROR' }] }, /only allowed for WRITEREAD and UPDOWN/],
      [{ domainRules: [checkSsn, checkSsn] }, /^Found rule with duplicate name 'checkSsnLen'$/],
      [{ domainRules: [{ ...checkSsn, name: 'no spaces' }] }, /^Illegal character in rule name: no spaces$/],
      [{ domainRules: [{ ...checkSsn, type: undefined }] }, /^Missing rule type$/],
    ];
    for (const [ruleSet, re] of cases) {
      const res = await sr(url, 'POST', '/subjects/rules-bad-value/versions', { schema, ruleSet });
      assert.equal(res.status, 422, JSON.stringify(ruleSet));
      assert.equal(res.body.error_code, 42210);
      assert.match(res.body.message, re);
    }
  });

  test('default and override rule sets in config are validated the same way', async () => {
    const good = await sr(url, 'PUT', '/config/rules-cfg', { defaultRuleSet: { domainRules: [checkSsn] } });
    assert.equal(good.status, 200);
    assert.deepEqual(good.body.defaultRuleSet, { domainRules: [checkSsn] });
    const bad = await sr(url, 'PUT', '/config/rules-cfg', {
      overrideRuleSet: { domainRules: [{ ...checkSsn, expr: 'size(message.ssn) ==' }] },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, 42210);
    assert.match(bad.body.message, /checkSsnLen/);
    const badMeta = await sr(url, 'PUT', '/config', { defaultMetadata: { tags: 'PII' } });
    assert.equal(badMeta.status, 422);
    // nothing of the refused requests was stored
    const now = await sr(url, 'GET', '/config/rules-cfg');
    assert.equal(now.body.overrideRuleSet, undefined);
  });

  test('metadata of the wrong shape is 422', async () => {
    const res = await sr(url, 'POST', '/subjects/rules-meta-value/versions', {
      schema,
      metadata: { properties: { major_version: 2 } },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error_code, 422);
    assert.match(res.body.message, /property 'major_version' must be a string/);
    const tags = await sr(url, 'POST', '/subjects/rules-meta-value/versions', {
      schema,
      metadata: { tags: { '**.ssn': 'PII' } },
    });
    assert.equal(tags.status, 422);
    assert.match(tags.body.message, /tags for '\*\*\.ssn' must be an array of strings/);
  });
});
