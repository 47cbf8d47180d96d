/**
 * `tributary sql` as an interactive shell: the real binary on a pseudo-terminal (util-linux
 * `script`), against the platform in process. Multi-line input runs at the `;`, errors leave the
 * shell running, `quit;` leaves it, and the history file keeps the statements.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir, tempPlatform } from '../server/api-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const SCRIPT = '/usr/bin/script';

describe('tributary sql shell', async () => {
  const p = await tempPlatform(after);
  const home = tempDir('tributary-sql-shell-');
  after(async () => removeDir(home));

  test('multi-line statements, an error that keeps the shell, quit; and the history file', async () => {
    assert.ok(existsSync(SCRIPT), 'util-linux script (Debian bsdutils) provides the pseudo-terminal');
    const child = spawn(SCRIPT, ['-qec', `${process.execPath} ${BIN} sql --api-url ${p.api!.url}`, '/dev/null'], {
      env: { ...process.env, HOME: home, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (what: RegExp, ms = 20_000): Promise<void> => {
      const until = Date.now() + ms;
      while (!what.test(out)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/tributary> /);
    child.stdin.write('SELECT 40 + 2\n');
    child.stdin.write('  AS answer;\n');
    await waitFor(/\|\s+42 \|/);
    child.stdin.write('SELECT nope FROM nowhere;\n');
    await waitFor(/error: .*line 1, column \d+/);
    child.stdin.write('SELECT 7 AS still_here;\n');
    await waitFor(/\|\s+7 \|/);
    child.stdin.write('quit;\n');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 0, out);
    assert.match(out, /answer/);
    const history = readFileSync(join(home, '.tributary_sql_history'), 'utf8');
    assert.match(history, /SELECT 40 \+ 2/);
    assert.match(history, /SELECT 7 AS still_here;/);
  });
});
