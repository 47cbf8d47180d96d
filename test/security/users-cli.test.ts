/**
 * `tributary start --admin-user/--admin-password-file` (and the
 * TRIBUTARY_ADMIN_* environment) and `tributary user create|list|delete`,
 * all as the real binary, with the CLI's --user/--password/--mechanism flags
 * and a profile file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../cli/run-cli.ts';
import { startChildBroker, waitExit } from '../helpers/child-broker.ts';

const LISTENERS = ['--listener', 'SASL_PLAINTEXT://127.0.0.1:0', '--listener', 'PLAINTEXT://127.0.0.1:0'];

test('admin from --admin-password-file creates, lists and deletes users', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-users-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const adminPw = join(dir, 'admin.pw');
  const alicePw = join(dir, 'alice.pw');
  writeFileSync(adminPw, 'root-secret\n');
  writeFileSync(alicePw, 'alice-secret\n');
  const b = await startChildBroker(join(dir, 'data'), [
    ...LISTENERS,
    '--admin-user',
    'root',
    '--admin-password-file',
    adminPw,
  ]);
  t.after(async () => {
    b.proc.kill('SIGTERM');
    await waitExit(b.proc);
  });
  const as = (user: string, ...auth: string[]): string[] => ['-b', b.bootstrap, '--user', user, ...auth];

  const created = await cli([
    'user',
    'create',
    'alice',
    '--new-password-file',
    alicePw,
    ...as('root', '--password-file', adminPw),
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /alice\s+SCRAM-SHA-256\s+8192\s+set/);
  assert.match(created.stdout, /alice\s+SCRAM-SHA-512\s+8192\s+set/);

  const list = await cli([
    'user',
    'list',
    '--format',
    'json',
    ...as('root', '--password', 'root-secret', '--mechanism', 'SCRAM-SHA-256'),
  ]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    (JSON.parse(list.stdout) as Array<{ user: string }>).map((u) => u.user),
    ['alice', 'root'],
  );

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    const info = await cli(['cluster', 'info', ...as('alice', '--password', 'alice-secret', '--mechanism', mechanism)]);
    assert.equal(info.code, 0, `${mechanism}: ${info.stderr}`);
  }
  const wrong = await cli(['cluster', 'info', ...as('alice', '--password', 'nope')]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /invalid credentials with SASL mechanism SCRAM-SHA-512; check --user, --password/);

  // a profile holds the credentials too
  const profile = join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({ bootstrapServer: b.bootstrap, user: 'root', passwordFile: adminPw }));
  const deleted = await cli(['user', 'delete', 'alice'], { env: { TRIBUTARY_PROFILE: profile } });
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /alice\s+SCRAM-SHA-512\s+deleted/);
  const again = await cli(['user', 'delete', 'alice'], { env: { TRIBUTARY_PROFILE: profile } });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /user alice has no SCRAM credentials/);
  const gone = await cli(['cluster', 'info', ...as('alice', '--password', 'alice-secret')]);
  assert.equal(gone.code, 1);

  const usage = await cli(['user', 'create', 'bob', ...as('root', '--password-file', adminPw)]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give the new password/);
});

test('TRIBUTARY_ADMIN_USER / TRIBUTARY_ADMIN_PASSWORD make the admin; no credentials, no entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-users-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const saved = { ...process.env };
  process.env.TRIBUTARY_ADMIN_USER = 'envadmin';
  process.env.TRIBUTARY_ADMIN_PASSWORD = 'env-secret';
  let b: Awaited<ReturnType<typeof startChildBroker>>;
  try {
    b = await startChildBroker(join(dir, 'data'), LISTENERS);
  } finally {
    delete process.env.TRIBUTARY_ADMIN_USER;
    delete process.env.TRIBUTARY_ADMIN_PASSWORD;
    Object.assign(process.env, saved);
  }
  t.after(async () => {
    b.proc.kill('SIGTERM');
    await waitExit(b.proc);
  });
  const ok = await cli(['user', 'list', '-b', b.bootstrap], {
    env: { TRIBUTARY_USER: 'envadmin', TRIBUTARY_PASSWORD: 'env-secret' },
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /envadmin\s+SCRAM-SHA-256 \(8192\), SCRAM-SHA-512 \(8192\)/);
  const anonymous = await cli(['user', 'list', '-b', b.bootstrap]);
  assert.equal(anonymous.code, 1, 'a SASL listener closes a client that does not authenticate');
});
