/**
 * `tributary topic produce/consume --schema`: the real binary encodes JSON
 * lines with a registered schema (Confluent wire format) and decodes them
 * back; data-contract rules run on produce; bad input exits with one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startRegistry } from '../../src/registry/index.ts';
import { startTestBroker } from '../helpers/broker.ts';
import { kcatLines } from '../helpers/exec.ts';
import { sr } from '../registry/helpers.ts';
import { cli } from './run-cli.ts';

describe('tributary topic produce/consume --schema', async () => {
  const tb = await startTestBroker(after, { 'group.initial.rebalance.delay.ms': '0' });
  const registry = await startRegistry({ bootstrapServers: tb.bootstrap, host: '127.0.0.1', port: 0 });
  after(() => registry.close());
  const dir = mkdtempSync(join(tmpdir(), 'tributary-topic-schema-'));
  after(async () => rmSync(dir, { recursive: true, force: true }));
  const conn = ['--bootstrap-server', tb.bootstrap, '--registry-url', registry.url];
  const user = {
    type: 'record',
    name: 'User',
    namespace: 'com.example',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'age', type: 'int' },
    ],
  };
  const avsc = join(dir, 'user.avsc');
  writeFileSync(avsc, JSON.stringify(user));

  test('a schema file is registered, lines are framed, consume decodes them back', async () => {
    await tb.broker.createTopic('users-avro', 1, 1, {});
    const input = '{"name":"ada","age":36}\n{"name":"alan","age":41}\n';
    const p = await cli(['topic', 'produce', 'users-avro', '--schema', avsc, ...conn], { input });
    assert.equal(p.code, 0, p.stderr);
    const latest = await sr(registry.url, 'GET', '/subjects/users-avro-value/versions/latest');
    assert.equal(latest.status, 200);
    const id: number = latest.body.id;
    // on the wire: magic byte 0, the id, then Avro binary (kcat prints hex of the first bytes)
    const raw = await kcatLines(tb.bootstrap, 'users-avro', 'read_uncommitted', '%S\\n');
    // 1 magic byte + 4 id bytes + Avro: length-prefixed "ada" (1+3) and zigzag 36 (1)
    assert.deepEqual(raw, [String(1 + 4 + 4 + 1), String(1 + 4 + 5 + 1)]);
    const c = await cli(['topic', 'consume', 'users-avro', '--schema', '-e', ...conn]);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(
      c.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [
        { name: 'ada', age: 36 },
        { name: 'alan', age: 41 },
      ],
    );
    const j = await cli(['topic', 'consume', 'users-avro', '--schema', '-n', '1', '--format', 'json', ...conn]);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout).value, { name: 'ada', age: 36 });
    assert.ok(id > 0);
  });

  test('latest, version:N and id:N pick registered schemas; keys are encoded with --key-schema', async () => {
    await tb.broker.createTopic('users-keyed', 1, 1, {});
    const reg = await sr(registry.url, 'POST', '/subjects/users-keyed-value/versions', {
      schema: JSON.stringify(user),
    });
    assert.equal(reg.status, 200);
    const key = await sr(registry.url, 'POST', '/subjects/users-keyed-key/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }),
    });
    assert.equal(key.status, 200);
    const input = '{"id":1}|{"name":"ada","age":36}\n';
    for (const spec of ['latest', 'version:1', `id:${reg.body.id}`]) {
      const p = await cli(
        ['topic', 'produce', 'users-keyed', '--schema', spec, '--key-schema', 'latest', '-k', '|', ...conn],
        { input },
      );
      assert.equal(p.code, 0, `${spec}: ${p.stderr}`);
    }
    const c = await cli([
      'topic',
      'consume',
      'users-keyed',
      '--schema',
      '--key-schema',
      '-e',
      '--format',
      'json',
      ...conn,
    ]);
    assert.equal(c.code, 0, c.stderr);
    const rows = c.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.deepEqual(r.key, { id: 1 });
      assert.deepEqual(r.value, { name: 'ada', age: 36 });
    }
  });

  test('a failing CEL rule stops produce with the rule named; a line that is not JSON says which line', async () => {
    await tb.broker.createTopic('adults', 1, 1, {});
    const reg = await sr(registry.url, 'POST', '/subjects/adults-value/versions', {
      schema: JSON.stringify(user),
      ruleSet: {
        domainRules: [{ name: 'adultsOnly', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'message.age >= 18' }],
      },
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const bad = await cli(['topic', 'produce', 'adults', '--schema', 'latest', ...conn], {
      input: '{"name":"ada","age":36}\n{"name":"kid","age":7}\n',
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 2/);
    assert.match(bad.stderr, /adultsOnly/);
    const notJson = await cli(['topic', 'produce', 'adults', '--schema', 'latest', ...conn], { input: 'nope\n' });
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /line 1: .*not JSON/);
    const wrongShape = await cli(['topic', 'produce', 'adults', '--schema', 'latest', ...conn], {
      input: '{"name":"ada"}\n',
    });
    assert.equal(wrongShape.code, 1);
    assert.match(wrongShape.stderr, /line 1/);
  });

  test('usage errors exit 2: bad spec, unknown file type, --key-schema without a separator', async () => {
    const r1 = await cli(['topic', 'produce', 'x', '--schema', 'id:zero', ...conn], { input: '' });
    assert.equal(r1.code, 2, r1.stderr);
    assert.match(r1.stderr, /id:N needs a positive integer/);
    const txt = join(dir, 'schema.txt');
    writeFileSync(txt, '{}');
    await tb.broker.createTopic('usage', 1, 1, {});
    const r2 = await cli(['topic', 'produce', 'usage', '--schema', txt, ...conn], { input: '' });
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /--schema-type/);
    const r3 = await cli(['topic', 'produce', 'usage', '--key-schema', 'latest', ...conn], { input: '' });
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /--key-separator/);
  });
});
