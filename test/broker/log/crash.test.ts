/**
 * kill -9 with a real process: a child appends and acknowledges after each
 * flush; it is SIGKILLed at a random moment; reopening the log must show
 * every acknowledged batch, byte for byte, at its offset. Three rounds on the
 * same directory, so later children recover what earlier ones left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PartitionLog } from '../../../src/broker/log/index.ts';
import { CRASH_CONFIG, crashBatch } from './crash-batches.ts';
import { batchesOf, readAll, tempDir, withBaseOffset } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the child until it has acked at least `minAcks` batches plus a random extra delay, then SIGKILLs it. */
function runAndKill(dir: string, first: number, minAcks: number): Promise<Array<[number, number]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(first)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let acks = 0;
    let killing = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      acks += chunk.split('\n').length - 1;
      if (!killing && acks > minAcks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 50));
      }
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited with ${code}: ${err}`));
      // Only complete lines are acknowledgements.
      const lines = out
        .split('\n')
        .slice(0, -1)
        .filter((l) => l !== 'ready');
      resolve(lines.map((l) => l.split(' ').map(Number) as [number, number]));
    });
  });
}

test('every acknowledged batch survives kill -9', { timeout: 120_000 }, async (t) => {
  const dir = join(tempDir(t), 'crash-0');
  const acked = new Map<number, number>(); // base offset → batch index
  let first = 0;
  for (let round = 0; round < 3; round++) {
    const acks = await runAndKill(dir, first, 200 + Math.floor(Math.random() * 800));
    assert.ok(acks.length > 200, `round ${round}: only ${acks.length} acks`);
    for (const [index, offset] of acks) acked.set(offset, index);
    first = Math.max(...acks.map(([i]) => i)) + 10_000;

    const log = await PartitionLog.open(dir, CRASH_CONFIG);
    assert.equal(log.recovery.cleanShutdown, false);
    for (const [offset, index] of acked) {
      assert.deepEqual(log.read(offset, 1).records, withBaseOffset(crashBatch(index), offset), `offset ${offset}`);
    }
    const all = batchesOf(readAll(log, 0, 1 << 20));
    for (let k = 1; k < all.length; k++) assert.equal(all[k]!.baseOffset, all[k - 1]!.lastOffset + 1);
    assert.equal(all[all.length - 1]!.lastOffset + 1, log.logEndOffset);
    // Alternate: close cleanly (the next child skips the scan) or leave it as a crash would.
    if (round % 2 === 0) await log.close();
  }
});
