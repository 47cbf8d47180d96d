/**
 * Runs `tributary start` as a child process (for crash tests: SIGKILL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

export interface ChildBroker {
  proc: ChildProcess;
  port: number;
  bootstrap: string;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
}

/** Starts a broker child on a free port and waits for its endpoint line. */
export function startChildBroker(dataDir: string, extraArgs: string[] = [], timeoutMs = 30_000): Promise<ChildBroker> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [bin, 'start', '--data-dir', dataDir, '--kafka-port', '0', '--log-level', 'warn', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`broker did not start in ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^kafka \S+:(\d+)/m.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ proc, port, bootstrap: `127.0.0.1:${port}`, stderr: () => err });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited early (code ${code}, signal ${signal})\n${err}`));
    });
  });
}

/** Waits for a child to exit; resolves with its exit code. */
export function waitExit(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}
