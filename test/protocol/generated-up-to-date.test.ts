import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const upstream = new URL('../../../shared/kafka-protocol/messages', import.meta.url);

test('the committed spec and generated codec match what the generator writes', () => {
  // Without ../shared the generator still checks the code against the committed spec.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-protocol.ts', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /up to date/);
  if (!existsSync(upstream)) console.log('# ../shared is absent: spec freshness against upstream was not checked');
});
