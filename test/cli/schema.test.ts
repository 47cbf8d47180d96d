/**
 * `tributary schema ...` as a user runs it: the real binary in a child
 * process against an in-process broker and schema registry. Checks output,
 * exit codes (0, 1 for incompatible or a registry error, 2 for usage) and
 * the one-line errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startRegistry } from '../../src/registry/index.ts';
import { startTestBroker } from '../helpers/broker.ts';
import { sr } from '../registry/helpers.ts';
import { cli } from './run-cli.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tributary schema commands', async () => {
  const tb = await startTestBroker(after, { 'group.initial.rebalance.delay.ms': '0' });
  const registry = await startRegistry({ bootstrapServers: tb.bootstrap, host: '127.0.0.1', port: 0 });
  after(() => registry.close());
  const dir = mkdtempSync(join(tmpdir(), 'tributary-schema-cli-'));
  after(async () => rmSync(dir, { recursive: true, force: true }));
  const r = ['--registry-url', registry.url];

  const file = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  const v1 = file('user-v1.avsc', { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] });
  // compatible (BACKWARD): a new field with a default
  const v2 = file('user-v2.avsc', {
    type: 'record',
    name: 'User',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'age', type: 'int', default: 0 },
    ],
  });
  // incompatible: a new field without a default
  const bad = file('user-bad.avsc', {
    type: 'record',
    name: 'User',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'email', type: 'string' },
    ],
  });

  // Each start of the binary costs a second or two of CPU: independent runs go in
  // parallel, and set-up and checks that are not the CLI's go straight to the REST API.
  test('register, get, list, check, config, delete', async () => {
    const reg = await cli(['schema', 'register', 'users-value', '--schema-file', v1, ...r]);
    assert.equal(reg.code, 0, reg.stderr);
    assert.equal(reg.stdout, 'SUBJECT      VERSION  ID  TYPE\nusers-value  1        1   AVRO\n');

    const [got, byId, compatible, incompatible] = await Promise.all([
      cli(['schema', 'get', 'users-value', ...r]),
      cli(['schema', 'get', '--id', '1', '--format', 'json', ...r]),
      cli(['schema', 'check', 'users-value', '-f', v2, ...r]),
      cli(['schema', 'check', 'users-value', '-f', bad, '--verbose', ...r]),
    ]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(
      got.stdout,
      'SUBJECT  users-value\nVERSION  1\nID       1\nTYPE     AVRO\n\n' +
        `${JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] }, null, 2)}\n`,
    );
    assert.equal(byId.code, 0, byId.stderr);
    const parsed = JSON.parse(byId.stdout);
    assert.deepEqual(parsed.subjects, [{ subject: 'users-value', version: 1 }]);
    assert.equal(JSON.parse(parsed.schema).name, 'User');
    assert.deepEqual([compatible.code, compatible.stdout], [0, 'compatible\n'], compatible.stderr);
    assert.equal(incompatible.code, 1, incompatible.stderr);
    assert.match(incompatible.stdout, /^incompatible\n {2}\S/);
    assert.match(incompatible.stdout, /email/);

    const v2Registered = await sr(registry.url, 'POST', '/subjects/users-value/versions', {
      schema: readFileSync(v2, 'utf8'),
    });
    assert.equal(v2Registered.body.id, 2);
    const otherRegistered = await sr(registry.url, 'POST', '/subjects/other-value/versions', {
      schemaType: 'JSON',
      schema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } }),
    });
    assert.equal(otherRegistered.body.id, 3);

    const [rejected, global, list] = await Promise.all([
      cli(['schema', 'register', 'users-value', '-f', bad, ...r]),
      cli(['schema', 'config', 'users-value', ...r]),
      cli(['schema', 'list', ...r]),
    ]);
    assert.equal(rejected.code, 1);
    assert.equal(rejected.stderr.trim().split('\n').length, 1);
    assert.match(rejected.stderr, /^error: Schema being registered is incompatible.*\(registry error 409\)\n$/);
    // config: the global level applies until the subject has its own
    assert.equal(global.stdout, 'SUBJECT        users-value\nCOMPATIBILITY  BACKWARD\nSOURCE         global\n');
    assert.equal(list.code, 0, list.stderr);
    assert.equal(
      list.stdout,
      'SUBJECT      VERSION  ID  TYPE\nother-value  1        3   JSON\nusers-value  2        2   AVRO\n',
    );

    const set = await cli(['schema', 'config', 'users-value', '--set-compatibility', 'none', ...r]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'SUBJECT        users-value\nCOMPATIBILITY  NONE\nSOURCE         subject\n');
    assert.equal((await sr(registry.url, 'GET', '/config/users-value')).body.compatibilityLevel, 'NONE');

    // delete: soft (the config is untouched, so show it meanwhile), then permanent
    const [soft, shown] = await Promise.all([
      cli(['schema', 'delete', 'users-value', ...r]),
      cli(['schema', 'config', 'users-value', '--format', 'json', ...r]),
    ]);
    assert.deepEqual([soft.code, soft.stdout], [0, 'soft-deleted users-value versions 1, 2\n'], soft.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), { subject: 'users-value', compatibility: 'NONE', source: 'subject' });
    assert.deepEqual((await sr(registry.url, 'GET', '/subjects')).body, ['other-value']);
    assert.deepEqual((await sr(registry.url, 'GET', '/subjects?deleted=true')).body, ['other-value', 'users-value']);

    const hard = await cli(['schema', 'delete', 'users-value', '--permanent', ...r]);
    assert.deepEqual([hard.code, hard.stdout], [0, 'permanently deleted users-value versions 1, 2\n'], hard.stderr);
    assert.deepEqual((await sr(registry.url, 'GET', '/subjects?deleted=true')).body, ['other-value']);
  });

  test('errors: missing subject, usage, unreachable registry', async () => {
    const port = await closedPort();
    const [missing, noType, down, env] = await Promise.all([
      cli(['schema', 'get', 'no-such-subject', ...r]),
      cli(['schema', 'register', 's', '-f', file('schema.txt', '{}'), ...r]),
      cli(['schema', 'list', '--registry-url', `http://127.0.0.1:${port}`]),
      // the URL from the environment
      cli(['schema', 'list'], { env: { TRIBUTARY_REGISTRY_URL: registry.url } }),
    ]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: Subject 'no-such-subject' not found. (registry error 40401)\n");
    assert.equal(noType.code, 2);
    assert.match(noType.stderr, /pass --type/);
    assert.equal(down.code, 1);
    assert.equal(down.stderr.trim().split('\n').length, 1);
    assert.match(
      down.stderr,
      new RegExp(
        `^error: cannot reach the schema registry at http://127\\.0\\.0\\.1:${port} \\(connection refused\\); is it running\\? pass --registry-url\\n$`,
      ),
    );
    assert.equal(env.code, 0, env.stderr);
  });
});
