/**
 * Child processes and temp dirs of a benchmark run: every child is killed and
 * every temp dir removed however the run ends. Reads no command-line options,
 * so any benchmark can import it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** Children to kill on exit; add every long-running child. */
export const children = new Set<ChildProcess>();
const tmpDirs = new Set<string>();

/** Kills every child and removes every temp dir. */
export function cleanup(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  tmpDirs.clear();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping children and removing temp dirs`);
    cleanup();
    process.exit(130);
  });
}

/** A temp dir removed on exit. */
export function tmpDir(prefix: string): string {
  const d = mkdtempSync(join(os.tmpdir(), `tributary-bench-${prefix}-`));
  tmpDirs.add(d);
  return d;
}

/** Removes a temp dir now. */
export function removeTmp(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tmpDirs.delete(d);
}

/** Rejects after `ms` unless `p` settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function waitExit(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after `ms`. */
export async function stopChild(p: ChildProcess, ms = 30_000): Promise<void> {
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    if (!(await waitExit(p, ms))) {
      p.kill('SIGKILL');
      await waitExit(p, 5000);
    }
  }
  children.delete(p);
}
