/**
 * `tributary start` runs the registry: the `registry http://host:port` line
 * comes after the `kafka` line, the registry answers, and `--no-registry`
 * turns it off.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../src/server/index.ts';
import { waitExit } from '../helpers/child-broker.ts';
import { sr } from './helpers.ts';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

function startLines(dataDir: string, extra: string[]): Promise<{ out: () => string; proc: ReturnType<typeof spawn> }> {
  const proc = spawn(
    process.execPath,
    [bin, 'start', '--data-dir', dataDir, '--kafka-port', '0', '--log-level', 'warn', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no endpoint lines in time\n${err}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^kafka /m.test(out)) {
        clearTimeout(timer);
        resolve({ out: () => out, proc });
      }
    });
    proc.on('exit', () => reject(new Error(`start exited early\n${err}`)));
  });
}

test('start prints the registry endpoint and serves it; --no-registry turns it off', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-sr-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const a = await startLines(dataDir, ['--registry-port', '0']);
  t.after(() => a.proc.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 100));
  const m = /^registry (http:\/\/\S+)$/m.exec(a.out());
  assert.ok(m, a.out());
  const url = m[1] as string;
  assert.deepEqual((await sr(url, 'GET', '/subjects')).body, []);
  assert.equal((await sr(url, 'POST', '/subjects/s/versions', { schema: '"string"' })).status, 200);
  a.proc.kill('SIGTERM');
  assert.equal(await waitExit(a.proc), 0);

  const b = await startLines(dataDir, ['--no-registry']);
  t.after(() => b.proc.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 100));
  assert.doesNotMatch(b.out(), /^registry /m);
  b.proc.kill('SIGTERM');
  assert.equal(await waitExit(b.proc), 0);
});

test('registry port: flag over env over file; bad values rejected; --no-registry', () => {
  assert.equal(
    resolveConfig({}, {}).registryPort,
    undefined,
    'absent = the default (8081, or any with --kafka-port 0)',
  );
  assert.equal(resolveConfig({}, { TRIBUTARY_REGISTRY_PORT: '18081' }).registryPort, 18081);
  assert.equal(resolveConfig({ registryPort: '0' }, { TRIBUTARY_REGISTRY_PORT: '18081' }).registryPort, 0);
  assert.equal(resolveConfig({ registry: false, registryPort: '1' }, {}).registryPort, false);
  assert.throws(() => resolveConfig({ registryPort: 'http' }, {}), /registry port must be a port number/);
});
