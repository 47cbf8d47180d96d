/**
 * Child processes and the machine: running commands under a time limit,
 * killing every child and removing every temp dir however the run ends,
 * page-cache warming, CPU accounting from /proc, and the quiet-machine
 * policy (wait for idle CPUs, measure a disturbed step again, --repeat).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { children } from '../common/children.ts';
import { cpuSeconds, kernelThreads, machineCpu } from './cpu.ts';
import { CORES, QUIET_WAIT_S, REPEAT, REPO, RETRIES, STEP_MS } from './options.ts';
import { fmtRate, log, type Measured, results, round, type Usage } from './stats.ts';

/** Busy cores below which the machine counts as quiet. */
const QUIET_CORES = 0.15;

export { children, cleanup, removeTmp, stopChild, tmpDir, withTimeout } from '../common/children.ts';

// ---------------------------------------------------------------------------
// Processes

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** CPU seconds the command used (sampled every 100 ms while it ran, so slightly low). */
  cpu: number | null;
}

interface RunOptions {
  timeoutMs?: number;
  /** An open file for the child's stdin (read by the child itself, not through us). */
  stdinFd?: number;
}

/** Runs a command to completion under a time limit; the time is from spawn to exit. */
export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = o.timeoutMs ?? STEP_MS;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const p = spawn(cmd, args, {
      cwd: REPO,
      stdio: [o.stdinFd ?? 'ignore', 'pipe', 'pipe'],
    });
    children.add(p);
    let cpu: number | null = null;
    const poll = setInterval(() => {
      cpu = cpuSeconds(p.pid) ?? cpu;
    }, 100);
    let out = '';
    let err = '';
    p.stdout?.on('data', (d: Buffer) => {
      if (out.length < 1 << 20) out += d.toString();
    });
    p.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-64 * 1024);
    });
    const timer = setTimeout(() => {
      clearInterval(poll);
      p.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: timed out after ${timeoutMs / 1000} s\n${err.slice(-2000)}`));
    }, timeoutMs);
    p.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      clearInterval(poll);
      children.delete(p);
      reject(e.code === 'ENOENT' ? new Error(`${cmd} is not installed (apt-get install -y ${pkgOf(cmd)})`) : e);
    });
    p.on('close', (code, signal) => {
      const seconds = (performance.now() - start) / 1000;
      clearTimeout(timer);
      clearInterval(poll);
      children.delete(p);
      resolve({ code, signal, stdout: out, stderr: err, seconds, cpu });
    });
  });
}

function pkgOf(cmd: string): string {
  return cmd === 'redis-server' || cmd === 'redis-cli' ? 'redis-server' : cmd;
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** Flushes dirty pages so one step's writeback does not land in the next step's time. */
export function syncDisks(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

const warmBuf = Buffer.allocUnsafe(8 << 20);

/**
 * Reads files so they are in the page cache before a step that reads them.
 * Some VMs page out file pages idle for ~30 s (DAMON), which would turn a
 * step into a disk-read benchmark. Returns the seconds it took: much more
 * than ~0.3 s per GB means the files had been evicted.
 */
export function warmFiles(paths: string[]): number {
  if (paths.length === 0) throw new Error('warmFiles: no files (has the data dir layout changed?)');
  const t0 = performance.now();
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      while (readSync(fd, warmBuf, 0, warmBuf.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
  return (performance.now() - t0) / 1000;
}

export class Meter {
  readonly #serverPid: number | undefined;
  readonly #server0: number | null;
  readonly #machine0 = machineCpu();
  readonly #kernel0 = kernelThreads();
  readonly #self0 = process.cpuUsage();

  constructor(serverPid: number | undefined) {
    this.#serverPid = serverPid;
    this.#server0 = cpuSeconds(serverPid);
  }

  /** Usage from construction to now, over `seconds`; `clientCpu` is the load generator's CPU seconds. */
  read(seconds: number, clientCpu: number | null): Usage {
    const u: Usage = {};
    const server1 = cpuSeconds(this.#serverPid);
    const machine1 = machineCpu();
    const self = process.cpuUsage(this.#self0);
    const selfCpu = (self.user + self.system) / 1e6;
    const server = this.#server0 !== null && server1 !== null ? server1 - this.#server0 : null;
    if (server !== null) u.serverCores = round(server / seconds, 2);
    if (clientCpu !== null) u.clientCores = round(clientCpu / seconds, 2);
    if (this.#machine0 && machine1) {
      const busy = machine1.busy - this.#machine0.busy;
      let kernel = machine1.irq - this.#machine0.irq;
      for (const [pid, cpu] of kernelThreads()) kernel += cpu - (this.#kernel0.get(pid) ?? 0);
      u.machineCores = round(busy / seconds, 2);
      u.kernelCores = round(kernel / seconds, 2);
      u.otherCores = round(Math.max(0, busy - (server ?? 0) - (clientCpu ?? 0) - selfCpu - kernel) / seconds, 2);
    }
    return u;
  }
}

const OTHER_CORES_WARN = 0.3;

/**
 * Waits (up to --quiet-wait seconds) until the machine is nearly idle, so a
 * step is not measured while other work (a test suite, a build) shares the
 * cores (this machine may be shared with test runs).
 */
export async function waitQuiet(what: string): Promise<void> {
  if (QUIET_WAIT_S === 0 || !machineCpu()) return;
  const deadline = performance.now() + QUIET_WAIT_S * 1000;
  let said = false;
  for (;;) {
    const a = machineCpu()!;
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineCpu()!;
    const busy = (b.busy - a.busy) / ((b.total - a.total) / CORES);
    if (busy < QUIET_CORES) return;
    if (performance.now() > deadline) {
      log(`  ${what}: other processes still use ${busy.toFixed(2)} cores after ${QUIET_WAIT_S} s; measuring anyway`);
      return;
    }
    if (!said) {
      log(`  waiting for the machine to go quiet: other processes use ${busy.toFixed(2)} of ${CORES} cores`);
      said = true;
    }
  }
}

/**
 * Measures one step --repeat times and returns the median run (by records/s),
 * with every run's records/s in `samples`. Before each run it waits for a
 * quiet machine; a run during which other processes took more than
 * OTHER_CORES_WARN cores is thrown away and run again (up to --retries times
 * per step). `attempt(n)` gets the attempt number so it can start from a clean
 * state (a new topic, an emptied stream).
 */
export async function measure(what: string, attempt: (n: number) => Promise<Measured>): Promise<Measured> {
  const runs: Measured[] = [];
  let retries = 0;
  for (let n = 0; runs.length < REPEAT; n++) {
    await waitQuiet(what);
    const m = await attempt(n);
    log(`  ${fmtRate(m)}`);
    if ((m.otherCores ?? 0) > OTHER_CORES_WARN) {
      if (retries < RETRIES) {
        retries++;
        log(`  other processes used ${m.otherCores} cores meanwhile: measuring again`);
        continue;
      }
      const msg = `${what}: other processes used ${m.otherCores} cores during a run; its figure is low`;
      log(`  WARNING ${msg}`);
      results.notes.push(msg);
    }
    runs.push(m);
  }
  runs.sort((a, b) => a.recordsPerSec - b.recordsPerSec);
  const median = runs[Math.floor(runs.length / 2)]!;
  return runs.length > 1 ? { ...median, samples: runs.map((r) => r.recordsPerSec) } : median;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
