/**
 * `tributary start` as users run it: endpoint line, the data dir lock, and a
 * clean exit on SIGINT/SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startChildBroker, waitExit } from '../helpers/child-broker.ts';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

test('start prints the endpoint, refuses a locked data dir, stops on SIGINT with exit 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const b = await startChildBroker(dataDir);
  t.after(() => b.proc.kill('SIGKILL'));
  assert.ok(b.port > 0);
  assert.ok(existsSync(join(dataDir, '.lock')));

  const second = spawnSync(process.execPath, [bin, 'start', '--data-dir', dataDir, '--kafka-port', '0'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.notEqual(second.status, 0);
  assert.match(second.stderr, /data dir is in use by process \d+/);

  b.proc.kill('SIGINT');
  assert.equal(await waitExit(b.proc), 0);
  assert.ok(!existsSync(join(dataDir, '.lock')), 'the lock is released');

  // a stale lock left by a killed process does not block the next start
  const c = await startChildBroker(dataDir);
  c.proc.kill('SIGKILL');
  await waitExit(c.proc);
  const d = await startChildBroker(dataDir);
  d.proc.kill('SIGTERM');
  assert.equal(await waitExit(d.proc), 0);
});

test('bad flags exit 2 with a message', () => {
  const r = spawnSync(process.execPath, [bin, 'start', '--kafka-port', 'nope'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /kafka port must be a port number/);
});
