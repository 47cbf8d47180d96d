/**
 * Runs a command with input and a time limit; resolves with its output.
 */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `cmd args` feeding `input`; rejects on timeout. */
export function exec(
  cmd: string,
  args: string[],
  input: string | Buffer = '',
  timeoutMs = 60_000,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\n${err.slice(-2000)}`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  });
}

/** The lines kcat prints reading a topic from the beginning to its end, at an isolation level, with a -f format. */
export async function kcatLines(
  bootstrap: string,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  format = '%s\\n',
): Promise<string[]> {
  const r = await exec('kcat', [
    '-b',
    bootstrap,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    `isolation.level=${isolation}`,
    '-f',
    format,
  ]);
  if (r.code !== 0) throw new Error(`kcat exited with ${r.code}: ${r.stderr}`);
  return r.stdout.toString().split('\n').filter(Boolean);
}
