/**
 * Redis Streams: Debian's redis-server on a loopback port; XADD loaded with
 * `redis-cli --pipe` from a pre-generated RESP file, read back with
 * pipelined XRANGE pages of at most XRANGE_PAGE by a RESP reader in this
 * process.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { MB, N, SIZE, STEP_MS, WARMUP } from './options.ts';
import {
  children,
  freePort,
  Meter,
  measure,
  type RunResult,
  removeTmp,
  run,
  stopChild,
  syncDisks,
  tmpDir,
  warmFiles,
  withTimeout,
} from './procs.ts';
import { RedisConn } from './resp.ts';
import { log, rate, results, round } from './stats.ts';

/** Entries per XRANGE page, at most. */
export const XRANGE_PAGE = 10_000;
/** XRANGE windows in flight at once. */
const XRANGE_DEPTH = 4;

interface XrangeCount {
  records: number;
  bytes: number;
  badSizes: number;
  pages: number;
}

interface Page {
  entries: number;
  lastId: string;
}

/**
 * One XRANGE page; counts its values into `total` and returns the number of
 * entries and the last ID. Only the last entry's ID is copied out of the reply.
 */
function xrangePage(conn: RedisConn, args: string[], total: XrangeCount): Promise<Page> {
  return conn.request<Page>(args, (done, fail) => {
    let entries = 0;
    let seen = 0;
    let lastId = '';
    let error: string | null = null;
    return {
      array: (depth, _i, n) => {
        if (depth === 0) entries = n;
        else if (depth === 1) seen++;
      },
      wants: (depth, index) => depth === 2 && index === 0 && seen === entries,
      bulk: (depth, index, n, data) => {
        if (depth === 2 && index === 0) {
          if (data) lastId = data.toString('latin1');
        } else if (depth === 3 && index % 2 === 1) {
          total.records++;
          total.bytes += n;
          if (n !== SIZE) total.badSizes++;
        }
      },
      simple: () => {},
      error: (m) => {
        error = m;
      },
      end: () => {
        total.pages++;
        if (error === null) done({ entries: Math.max(entries, 0), lastId });
        else fail(new Error(`redis ${args.slice(0, 4).join(' ')}: ${error}`));
      },
    };
  });
}

/**
 * Reads a whole stream with pipelined XRANGE pages of at most XRANGE_PAGE.
 *
 * A page normally names the entry after the last one of the page before, so
 * pages would go one at a time. Instead the stream's time span (IDs are
 * `<ms>-<seq>`) is cut into windows expected to hold ~80% of a page each;
 * XRANGE_DEPTH windows are in flight at once, and a window that fills a whole
 * page continues from its last ID. Every entry is in exactly one window.
 */
async function xrangeAll(conn: RedisConn, key: string): Promise<XrangeCount> {
  const total: XrangeCount = { records: 0, bytes: 0, badSizes: 0, pages: 0 };
  const length = Number(await conn.command('XLEN', key));
  if (length === 0) return total;
  const idOf = async (cmd: string, from: string, to: string): Promise<number> => {
    const probe: XrangeCount = { records: 0, bytes: 0, badSizes: 0, pages: 0 };
    const page = await xrangePage(conn, [cmd, key, from, to, 'COUNT', '1'], probe);
    return Number(page.lastId.split('-')[0]);
  };
  const firstMs = await idOf('XRANGE', '-', '+');
  const lastMs = await idOf('XREVRANGE', '+', '-');
  const span = lastMs - firstMs + 1;
  const windowMs = Math.max(1, Math.floor((span * XRANGE_PAGE * 0.8) / length));
  let nextMs = firstMs;
  const worker = async (): Promise<void> => {
    while (nextMs <= lastMs) {
      const from = nextMs;
      const to = Math.min(from + windowMs - 1, lastMs);
      nextMs = to + 1;
      let start = String(from);
      for (;;) {
        const page = await xrangePage(conn, ['XRANGE', key, start, String(to), 'COUNT', String(XRANGE_PAGE)], total);
        if (page.entries < XRANGE_PAGE) break;
        start = `(${page.lastId}`;
      }
    }
  };
  await Promise.all(Array.from({ length: XRANGE_DEPTH }, worker));
  return total;
}

/** Measures XADD and XRANGE on one redis-server started with `extraArgs`, into `results.redis`. */
export async function redisVariant(
  name: string,
  label: string,
  extraArgs: string[],
  files: { main: string; warmup: string },
): Promise<void> {
  const dir = tmpDir('redis');
  const port = await freePort();
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--save',
      '',
      '--loglevel',
      'warning',
      '--logfile',
      '',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(server);
  let serverOut = '';
  server.stdout.on('data', (d: Buffer) => {
    serverOut = (serverOut + d.toString()).slice(-8192);
  });
  server.stderr.on('data', (d: Buffer) => {
    serverOut = (serverOut + d.toString()).slice(-8192);
  });
  let conn: RedisConn | null = null;
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            e.code === 'ENOENT' ? new Error('redis-server is not installed (apt-get install -y redis-server)') : e,
          ),
        );
        server.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${serverOut}`)));
        const poll = (): void => {
          RedisConn.open(port).then(
            (c) => {
              conn = c;
              resolve();
            },
            () => setTimeout(poll, 50),
          );
        };
        poll();
      }),
      20_000,
      'redis-server start',
    );
    const c = conn as unknown as RedisConn;
    if ((await c.command('PING')) !== 'PONG') throw new Error('redis PING did not answer PONG');

    const pipe = async (file: string, count: number): Promise<RunResult> => {
      const fd = openSync(file, 'r');
      try {
        const r = await run(
          'redis-cli',
          ['-h', '127.0.0.1', '-p', String(port), '--pipe', '--pipe-timeout', String(Math.ceil(STEP_MS / 1000))],
          { stdinFd: fd },
        );
        const m = /errors: (\d+), replies: (\d+)/.exec(r.stdout);
        if (r.code !== 0 || !m || m[1] !== '0' || Number(m[2]) !== count) {
          throw new Error(`redis-cli --pipe of ${count} XADDs failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
        }
        return r;
      } finally {
        closeSync(fd);
      }
    };

    if (WARMUP > 0) {
      warmFiles([files.warmup]);
      await pipe(files.warmup, WARMUP);
      await c.command('DEL', 'warmup');
    }
    log(`redis (${label}): XADD ${N} × ${SIZE} B with redis-cli --pipe`);
    results.redis[`xadd-${name}`] = await measure(`redis XADD (${label})`, async (n) => {
      if (n > 0) await c.command('DEL', 'bench');
      syncDisks();
      warmFiles([files.main]);
      const meter = new Meter(server.pid);
      const load = await pipe(files.main, N);
      const m = rate(N, load.seconds, meter.read(load.seconds, load.cpu));
      const xlen = Number(await c.command('XLEN', 'bench'));
      if (xlen !== N) throw new Error(`redis (${label}): XLEN is ${xlen} after ${N} XADDs`);
      return m;
    });

    log(`redis (${label}): XRANGE pages of at most ${XRANGE_PAGE}, ${XRANGE_DEPTH} in flight (reader in this process)`);
    results.redis[`xrange-${name}`] = await measure(`redis XRANGE (${label})`, async () => {
      const meter = new Meter(server.pid);
      const client0 = process.cpuUsage();
      const t0 = performance.now();
      const got = await withTimeout(xrangeAll(c, 'bench'), STEP_MS, `redis (${label}) XRANGE`);
      const seconds = (performance.now() - t0) / 1000;
      const client = process.cpuUsage(client0);
      const usage = meter.read(seconds, null);
      usage.clientCores = round((client.user + client.system) / 1e6 / seconds, 2);
      if (got.records !== N || got.badSizes !== 0 || got.bytes !== N * SIZE) {
        throw new Error(
          `redis (${label}): XRANGE read ${got.records} records (${got.bytes} bytes, ${got.badSizes} of the wrong size), expected ${N}`,
        );
      }
      return rate(N, seconds, usage);
    });
    const mem = /used_memory:(\d+)/.exec(await c.command('INFO', 'memory'));
    if (mem) log(`  used_memory ${(Number(mem[1]) / MB).toFixed(0)} MB`);
  } finally {
    (conn as RedisConn | null)?.close();
    await stopChild(server, 30_000);
    removeTmp(dir);
  }
}
