/**
 * Runs the real `tributary` binary (node bin/tributary.js) as a child
 * process, with input, extra environment and a time limit, and reports its
 * exit code, output and how long it took.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options of a CLI run. */
export interface CliOptions {
  input?: string;
  /** Added to the environment (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Runs `tributary args...`; never rejects for a non-zero exit. */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRIBUTARY_BOOTSTRAP_SERVER: undefined,
    TRIBUTARY_PROFILE: undefined,
  };
  for (const [k, v] of Object.entries(opts.env ?? {})) env[k] = v;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} ran past ${opts.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(opts.input ?? '');
  });
}
