/**
 * Starts a throwaway PostgreSQL cluster for a test: Debian's server binaries (/usr/lib/postgresql/<version>/bin),
 * a fresh data directory, a free port on 127.0.0.1, trust authentication for one test user and database and
 * `wal_level=logical` (for change data capture tests). As root the server runs as the `postgres` user
 * (initdb refuses root). `stop()` kills the server and removes the directory.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  port: number;
  /** `jdbc:postgresql://127.0.0.1:<port>/<database>` */
  url: string;
  user: string;
  database: string;
  /** Runs one statement (with optional parameters) on a shared connection; returns the rows. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

const USER = 'tributary';
const DATABASE = 'tributary_test';

/** The newest installed server's bin directory. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`No PostgreSQL server found under ${root} (install the postgresql package)`);
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a command, as the postgres user when we are root. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Starts a cluster; gives up after `timeoutMs` with the server's log in the error. */
export async function startPostgres(timeoutMs = 30_000): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const [cmd, args] = asServerUser(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    execFileSync(cmd, args, { stdio: 'pipe' });
  } catch (e) {
    cleanupDir();
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${err.stderr?.toString() || err.message}`);
  }

  const port = await freePort();
  const [cmd, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'wal_level=logical',
    '-c',
    'max_replication_slots=10',
    '-c',
    'max_wal_senders=10',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  let log = '';
  const proc: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );

  /** The server's own pid (runuser forks it): from postmaster.pid once it is written. */
  const serverPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  const kill = (signal: NodeJS.Signals) => {
    const pid = serverPid();
    try {
      if (pid) process.kill(pid, signal);
      else proc.kill(signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => kill('SIGQUIT');
  process.once('exit', onExit);

  const connect = (database: string) =>
    new pg.Client({ host: '127.0.0.1', port, user: USER, database, connectionTimeoutMillis: 2000 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      process.off('exit', onExit);
      cleanupDir();
      throw new Error(`postgres exited with code ${exited} before accepting connections; its log:\n${log}`);
    }
    const c = connect('postgres');
    try {
      await c.connect();
      await c.query(`CREATE DATABASE ${DATABASE}`);
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (Date.now() > deadline) {
        kill('SIGQUIT');
        await Promise.race([exit, new Promise((r) => setTimeout(r, 2000))]);
        process.off('exit', onExit);
        cleanupDir();
        throw new Error(
          `postgres did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms (${(e as Error).message}); its log:\n${log}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let client: pg.Client | null = null;
  let stopped = false;
  return {
    port,
    url: `jdbc:postgresql://127.0.0.1:${port}/${DATABASE}`,
    user: USER,
    database: DATABASE,
    async query(sql, params) {
      if (!client) {
        client = connect(DATABASE);
        await client.connect();
      }
      const r = await client.query(sql, params);
      return r.rows;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await client?.end().catch(() => {});
      // fast shutdown: roll back open transactions, disconnect clients
      kill('SIGINT');
      const timer = setTimeout(() => kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
      process.off('exit', onExit);
      cleanupDir();
    },
  };
}
