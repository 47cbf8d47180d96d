#!/usr/bin/env node
// Runs the whole test suite: type check, lint, then every test/**/*.test.ts
// on Node's own test runner with TypeScript through tsx. Node 20 does not
// expand globs for --test, so the file list is built here.
// Usage: node scripts/run-tests.mjs [--no-check] [file-or-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const noCheck = args.includes('--no-check');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function run(cmd, argv, timeoutMs = 0) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') {
    console.error(`\n${cmd} ${argv.slice(0, 3).join(' ')} ... ran past ${timeoutMs / 60000} minutes and was stopped`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!noCheck) {
  console.log('# type check (tsc --noEmit)');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
  console.log('# lint and format check (biome)');
  run(process.execPath, [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '.']);
}

let files = walk(join(root, 'test')).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
run(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    // a hung test fails after this long instead of stalling CI
    `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 180000}`,
    ...files,
  ],
  Number(process.env.TEST_SUITE_TIMEOUT_MS ?? 25 * 60 * 1000),
);
