/**
 * Runs the whole platform (`tributary start`: broker, registry, platform API) as a child process on
 * free ports, for crash tests that kill it with SIGKILL and start it again on the same data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

export interface ChildPlatform {
  proc: ChildProcess;
  /** host:port of the Kafka listener (a new port after each start). */
  bootstrap: string;
  /** Base URL of the platform API. */
  api: string;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
}

/** `tributary start` in a child; resolves once it printed its kafka address and API URL. */
export function startChildPlatform(dataDir: string, timeoutMs = 60_000): Promise<ChildPlatform> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [bin, 'start', '--data-dir', dataDir, '--kafka-port', '0', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the platform did not start in ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const kafka = /^kafka \S+:(\d+)/m.exec(out);
      const api = /^api (http:\/\/\S+)$/m.exec(out);
      if (kafka && api) {
        clearTimeout(timer);
        resolve({ proc, bootstrap: `127.0.0.1:${kafka[1]}`, api: api[1]!, stderr: () => err });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited early (code ${code}, signal ${signal})\n${err}`));
    });
  });
}

/** Kills a child with SIGKILL and waits until it is gone. */
export async function killChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGKILL');
  await gone;
}
