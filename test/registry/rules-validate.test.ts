/**
 * Unit tests of the data-contract validator: rule sets (names, kinds, modes,
 * types, actions, params, CEL/CEL_FIELD compilation) and metadata shapes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../../src/registry/errors.ts';
import { celError, splitCelExpr, validateMetadata, validateRuleSet } from '../../src/registry/rules/index.ts';

const cel = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'checkSsnLen',
  kind: 'CONDITION',
  mode: 'WRITE',
  type: 'CEL',
  expr: 'size(message.ssn) == 9',
  ...over,
});

/** Asserts validateRuleSet rejects with 42210 and a message matching `re`. */
function rejects(ruleSet: unknown, re: RegExp): void {
  assert.throws(
    () => validateRuleSet(ruleSet),
    (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.code, 42210);
      assert.equal(err.status, 422);
      assert.match(err.message, re);
      return true;
    },
  );
}

function metadataRejects(metadata: unknown, re: RegExp): void {
  assert.throws(
    () => validateMetadata(metadata),
    (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 422);
      assert.match(err.message, re);
      return true;
    },
  );
}

describe('rule set validation', () => {
  test('absent, empty and complete valid rule sets pass', () => {
    validateRuleSet(undefined);
    validateRuleSet(null);
    validateRuleSet({});
    validateRuleSet({ domainRules: [], migrationRules: [], encodingRules: [] });
    validateRuleSet({ domainRules: null });
    validateRuleSet({
      domainRules: [
        cel({ onFailure: 'DLQ', params: { 'dlq.topic': 'bad-data' } }),
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
          params: { 'encrypt.kek.name': 'k1', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'x' },
          onFailure: 'ERROR,NONE',
          doc: 'encrypt the PII fields',
          disabled: false,
        },
        { name: 'readCheck', kind: 'CONDITION', mode: 'READ', type: 'CEL', expr: 'true', onSuccess: 'NONE' },
      ],
      migrationRules: [
        { name: 'up', kind: 'TRANSFORM', mode: 'UPGRADE', type: 'JSONATA', expr: "$merge([$, {'a': 1}])" },
        { name: 'down', kind: 'TRANSFORM', mode: 'DOWNGRADE', type: 'JSONATA', expr: '$' },
        { name: 'both', kind: 'TRANSFORM', mode: 'UPDOWN', type: 'JSONATA', expr: '$', onFailure: 'ERROR,NONE' },
      ],
      encodingRules: [{ name: 'encPayload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD' }],
      enableAt: 'ALL',
    });
  });

  test('unknown rule types are accepted (custom executors), as Confluent does', () => {
    validateRuleSet({
      domainRules: [{ name: 'custom', kind: 'CONDITION', mode: 'WRITE', type: 'MY_RULE', expr: '!!' }],
    });
  });

  test('kind and mode default to TRANSFORM and WRITEREAD', () => {
    validateRuleSet({ domainRules: [{ name: 'r', type: 'ENCRYPT' }] });
    // the default WRITEREAD is not a migration mode
    rejects(
      { migrationRules: [{ name: 'r', type: 'JSONATA' }] },
      /^Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN$/,
    );
    // and the default mode allows a pair of actions
    validateRuleSet({ domainRules: [{ name: 'r', type: 'ENCRYPT', onFailure: 'ERROR,NONE' }] });
  });

  test('the rule set and its lists must have the right types', () => {
    rejects([], /Rule set must be an object/);
    rejects('x', /Rule set must be an object/);
    rejects({ domainRules: {} }, /domainRules must be an array/);
    rejects({ migrationRules: ['x'] }, /migrationRules must be an array of rules/);
  });

  test('names: required, legal characters, unique across the rule set', () => {
    rejects({ domainRules: [cel({ name: undefined })] }, /^Missing rule name$/);
    rejects({ domainRules: [cel({ name: '' })] }, /^Empty rule name$/);
    rejects({ domainRules: [cel({ name: 7 })] }, /Rule name must be a string/);
    rejects({ domainRules: [cel({ name: '1abc' })] }, /^Illegal initial character in rule name: 1abc$/);
    rejects({ domainRules: [cel({ name: 'a-b' })] }, /^Illegal character in rule name: a-b$/);
    validateRuleSet({ domainRules: [cel({ name: '_a1_B' })] });
    rejects({ domainRules: [cel(), cel()] }, /^Found rule with duplicate name 'checkSsnLen'$/);
    rejects(
      { domainRules: [cel({ name: 'x' })], migrationRules: [{ name: 'x', mode: 'UPGRADE', type: 'JSONATA' }] },
      /^Found rule with duplicate name 'x'$/,
    );
  });

  test('type is required and a non-empty string', () => {
    rejects({ domainRules: [cel({ type: undefined })] }, /^Missing rule type$/);
    rejects({ domainRules: [cel({ type: '' })] }, /Rule 'checkSsnLen': type must be a non-empty string/);
    rejects({ domainRules: [cel({ type: 3 })] }, /type must be a non-empty string/);
  });

  test('kinds: CONDITION and TRANSFORM only', () => {
    validateRuleSet({ domainRules: [cel({ kind: 'TRANSFORM', expr: 'message' })] });
    rejects({ domainRules: [cel({ kind: 'CHECK' })] }, /Rule 'checkSsnLen': invalid kind "CHECK"/);
    rejects({ domainRules: [cel({ kind: 'condition' })] }, /invalid kind/);
    rejects({ domainRules: [cel({ kind: 1 })] }, /kind must be a string/);
  });

  test('modes: known values; domain and encoding rules WRITE/READ/WRITEREAD; migration rules UP/DOWN', () => {
    for (const mode of ['WRITE', 'READ', 'WRITEREAD']) {
      validateRuleSet({ domainRules: [cel({ mode })] });
      validateRuleSet({ encodingRules: [{ name: 'e', mode, type: 'ENCRYPT_PAYLOAD' }] });
      rejects({ migrationRules: [cel({ mode })] }, /^Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN$/);
    }
    for (const mode of ['UPGRADE', 'DOWNGRADE', 'UPDOWN']) {
      validateRuleSet({ migrationRules: [cel({ mode })] });
      rejects({ domainRules: [cel({ mode })] }, /^Domain rules can only be WRITE, READ, WRITEREAD$/);
      rejects({ encodingRules: [cel({ mode })] }, /^Encoding rules can only be WRITE, READ, WRITEREAD$/);
    }
    rejects({ domainRules: [cel({ mode: 'SOMETIMES' })] }, /Rule 'checkSsnLen': invalid mode "SOMETIMES"/);
  });

  test('actions: NONE, ERROR, DLQ; pairs only for WRITEREAD and UPDOWN', () => {
    for (const a of ['NONE', 'ERROR', 'DLQ']) {
      validateRuleSet({ domainRules: [cel({ onSuccess: a, onFailure: a })] });
    }
    validateRuleSet({ domainRules: [cel({ mode: 'WRITEREAD', onFailure: 'DLQ,ERROR', onSuccess: 'NONE,NONE' })] });
    validateRuleSet({ migrationRules: [cel({ mode: 'UPDOWN', onFailure: 'ERROR, NONE' })] });
    rejects(
      { domainRules: [cel({ onFailure: 'PANIC' })] },
      /Rule 'checkSsnLen': onFailure "PANIC": unknown action 'PANIC'/,
    );
    rejects({ domainRules: [cel({ onSuccess: '' })] }, /onSuccess "": unknown action ''/);
    rejects(
      { domainRules: [cel({ onFailure: 'DLQ,ERROR' })] },
      /pair of actions is only allowed for WRITEREAD and UPDOWN rules, not WRITE/,
    );
    rejects({ migrationRules: [cel({ mode: 'UPGRADE', onFailure: 'DLQ,ERROR' })] }, /not UPGRADE/);
    rejects({ domainRules: [cel({ mode: 'WRITEREAD', onFailure: 'NONE,NONE,NONE' })] }, /pair of actions/);
    rejects({ domainRules: [cel({ mode: 'WRITEREAD', onFailure: 'NONE,BOOM' })] }, /unknown action 'BOOM'/);
    rejects({ domainRules: [cel({ onFailure: 1 })] }, /onFailure must be a string/);
  });

  test('DLQ does not require dlq.topic (Confluent takes it from the serde config too)', () => {
    validateRuleSet({ domainRules: [cel({ onFailure: 'DLQ' })] });
  });

  test('params are a string map; tags an array of strings; disabled a boolean; doc a string', () => {
    rejects({ domainRules: [cel({ params: { 'dlq.topic': 1 } })] }, /param 'dlq.topic' must be a string/);
    rejects({ domainRules: [cel({ params: ['a'] })] }, /params must be an object/);
    rejects({ domainRules: [cel({ tags: 'PII' })] }, /tags must be an array of strings/);
    rejects({ domainRules: [cel({ tags: [1] })] }, /tags must be an array of strings/);
    rejects({ domainRules: [cel({ disabled: 'yes' })] }, /disabled must be a boolean/);
    rejects({ domainRules: [cel({ doc: {} })] }, /doc must be a string/);
    rejects({ domainRules: [cel({ expr: 5 })] }, /expr must be a string/);
    validateRuleSet({ domainRules: [cel({ disabled: true, tags: [], params: {} })] });
  });

  test('CEL expressions must compile; the message names the rule and the compiler error', () => {
    for (const expr of [
      'message.a > 1 && message.b != ""',
      "has(message.x) ? message.x == 'y' : true",
      'message.n in [1, 2]',
    ]) {
      validateRuleSet({ domainRules: [cel({ expr })] });
    }
    rejects(
      { domainRules: [cel({ expr: 'size(message.ssn) ==' })] },
      /^Rule 'checkSsnLen': the CEL expression "size\(message.ssn\) ==" does not compile: Unexpected token: EOF at position \d+$/,
    );
    rejects({ domainRules: [cel({ expr: '"abc' })] }, /does not compile: Unterminated string/);
    rejects({ domainRules: [cel({ expr: 'a ? b' })] }, /does not compile: Expected COLON/);
    rejects({ domainRules: [cel({ expr: undefined })] }, /Rule 'checkSsnLen': a CEL rule needs an expr/);
    rejects({ domainRules: [cel({ expr: '  ' })] }, /needs an expr/);
  });

  test('CEL and CEL_FIELD: "guard ; expr" compiles both parts; an empty guard is skipped', () => {
    const field = (expr: string): Record<string, unknown> =>
      cel({ name: 'mask', type: 'CEL_FIELD', kind: 'TRANSFORM', expr });
    validateRuleSet({ domainRules: [field("name == 'ssn' ; value.substring(0,3)")] });
    validateRuleSet({ domainRules: [field('value')] });
    validateRuleSet({ domainRules: [field(" ; value + 'x'")] });
    validateRuleSet({ domainRules: [cel({ expr: 'has(message.a) ; message.a > 0' })] });
    rejects(
      { domainRules: [field('name == ; value')] },
      /^Rule 'mask': the CEL_FIELD guard "name ==" does not compile: /,
    );
    rejects(
      { domainRules: [field("name == 'ssn' ; value +")] },
      /^Rule 'mask': the CEL_FIELD expression "value \+" does not compile: /,
    );
    rejects({ domainRules: [field("name == 'ssn' ;  ")] }, /^Rule 'mask': the CEL_FIELD expression is empty$/);
  });

  test('non-CEL types are not compiled', () => {
    validateRuleSet({ migrationRules: [{ name: 'j', mode: 'UPGRADE', type: 'JSONATA', expr: 'size(' }] });
  });

  test('splitCelExpr and celError', () => {
    assert.deepEqual(splitCelExpr('a ; b ; c'), { guard: 'a ', expr: ' b ; c' });
    assert.deepEqual(splitCelExpr('a'), { expr: 'a' });
    assert.deepEqual(splitCelExpr(' ; b'), { expr: ' b' });
    assert.equal(celError('1 + 2'), undefined);
    assert.match(celError('1 +') ?? '', /Unexpected token/);
  });
});

describe('metadata validation', () => {
  test('valid shapes pass', () => {
    validateMetadata(undefined);
    validateMetadata(null);
    validateMetadata({});
    validateMetadata({
      tags: { '**.ssn': ['PII'], 'Order.email': ['PII', 'GDPR'] },
      properties: { owner: 'payments', major_version: '2' },
      sensitive: ['email'],
    });
    validateMetadata({ tags: {}, properties: {}, sensitive: [] });
  });

  test('wrong types are 422 with a message', () => {
    metadataRejects([], /metadata must be an object/);
    metadataRejects('x', /metadata must be an object/);
    metadataRejects({ tags: ['PII'] }, /tags must be an object/);
    metadataRejects({ tags: { '**.ssn': 'PII' } }, /tags for '\*\*\.ssn' must be an array of strings/);
    metadataRejects({ tags: { a: [1] } }, /tags for 'a' must be an array of strings/);
    metadataRejects({ properties: [] }, /properties must be an object/);
    metadataRejects({ properties: { major_version: 2 } }, /property 'major_version' must be a string/);
    metadataRejects({ sensitive: 'email' }, /sensitive must be an array/);
    metadataRejects({ sensitive: [1] }, /sensitive must be an array/);
  });
});
