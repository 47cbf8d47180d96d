/**
 * NATS JetStream: Debian's nats-server (`-js`) on a loopback port, one stream
 * on one subject per run, with file storage and with memory storage. The
 * load generator is nats-client.ts in its own process (nats.js 2.x): it
 * publishes the kcat input file with JetStream publishes, NATS_WINDOW acks
 * in flight, then reads the stream back with an ordered consumer. This
 * process only creates, checks and deletes streams.
 *
 * Durability of the file variant (nats-server 2.9.10, a single server): a
 * publish is acknowledged once the message is written to the stream's block
 * file (a write(2) per message, "flush in place"), so it is in the OS and
 * survives a crash of nats-server, not of the OS. fsync runs on a timer,
 * every 2 minutes (fixed in 2.9; `jetstream.sync_interval` from 2.10, same
 * default; docs.nats.io, JetStream, "Syncing data to disk"). That is
 * Tributary's acks=1, not acks=all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type JetStreamManager, type NatsConnection, StorageType } from 'nats';
import { cpuSeconds } from './cpu.ts';
import { record } from './inputs.ts';
import { N, REPO, SIZE, STEP_MS, WARMUP } from './options.ts';
import {
  children,
  freePort,
  Meter,
  measure,
  removeTmp,
  stopChild,
  syncDisks,
  tmpDir,
  warmFiles,
  withTimeout,
} from './procs.ts';
import { log, rate, results, type Usage } from './stats.ts';

/** JetStream publishes awaiting their ack, at most, in the publisher. */
export const NATS_WINDOW = 2000;
/** Messages per pull of the ordered consumer (refilled as they drain). */
export const NATS_BATCH = 10_000;

const VARIANTS = [
  { name: 'file', label: 'file storage', storage: StorageType.File },
  { name: 'memory', label: 'memory storage', storage: StorageType.Memory },
];

const CLIENT = fileURLToPath(new URL('./nats-client.ts', import.meta.url));

interface Server {
  proc: ChildProcess;
  output(): string;
}

function startServer(dir: string, port: number): Promise<Server> {
  const proc = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  const server: Server = { proc, output: () => out };
  return withTimeout(
    new Promise<Server>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        out = (out + d.toString()).slice(-64 * 1024);
        if (out.includes('Server is ready')) resolve(server);
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'ENOENT' ? new Error('nats-server is not installed (apt-get install -y nats-server)') : e),
      );
      proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}):\n${out}`)));
    }),
    20_000,
    'nats-server start',
  ).catch((e) => {
    proc.kill('SIGKILL');
    throw e;
  });
}

interface ClientRun {
  seconds: number;
  usage: Usage;
  report: Record<string, number>;
}

/**
 * Runs nats-client.ts MODE in its own process. The time and the CPU use are
 * from its `begin` line to its `end` line, which leaves out Node's start-up
 * and the connection, as the kcat consumer leaves out its start-up.
 */
async function runClient(
  mode: 'publish' | 'consume',
  args: string[],
  serverPid: number | undefined,
): Promise<ClientRun> {
  const p = spawn(process.execPath, ['--import', 'tsx', CLIENT, mode, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(p);
  let meter: Meter | null = null;
  let client0: number | null = null;
  let t0 = 0;
  let done: ClientRun | null = null;
  let buf = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let eol = buf.indexOf('\n'); eol >= 0; eol = buf.indexOf('\n')) {
      const line = buf.slice(0, eol);
      buf = buf.slice(eol + 1);
      if (line === 'begin') {
        meter = new Meter(serverPid);
        client0 = cpuSeconds(p.pid);
        t0 = performance.now();
      } else if (line.startsWith('end ') && meter) {
        const seconds = (performance.now() - t0) / 1000;
        const client1 = cpuSeconds(p.pid);
        const usage = meter.read(seconds, client0 !== null && client1 !== null ? client1 - client0 : null);
        done = { seconds, usage, report: JSON.parse(line.slice(4)) as Record<string, number> };
      }
    }
  });
  p.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-64 * 1024);
  });
  const code = await withTimeout(
    new Promise<number | null>((resolve, reject) => {
      p.once('error', reject);
      p.once('close', (c) => resolve(c));
    }),
    STEP_MS,
    `nats-client ${mode}`,
  ).finally(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    children.delete(p);
  });
  const result = done as ClientRun | null;
  if (code !== 0 || !result) throw new Error(`nats-client ${mode} failed (exit ${code}):\n${err.slice(-4000)}`);
  return result;
}

/** The stream holds exactly sequences 1…count. */
async function checkStream(jsm: JetStreamManager, stream: string, count: number): Promise<void> {
  const s = (await jsm.streams.info(stream)).state;
  if (s.messages !== count || s.first_seq !== 1 || s.last_seq !== count) {
    throw new Error(
      `nats ${stream}: ${s.messages} messages, sequences ${s.first_seq}…${s.last_seq}, after ${count} acked publishes`,
    );
  }
}

/** Sequence i+1 holds exactly record i (spot checks at the start, middle and end). */
async function spotCheck(jsm: JetStreamManager, stream: string, count: number): Promise<void> {
  for (const i of [...new Set([0, 1, Math.floor(count / 2), count - 1])]) {
    const m = await jsm.streams.getMessage(stream, { seq: i + 1 });
    if (!Buffer.from(m.data).equals(record(i))) {
      throw new Error(`nats ${stream}: sequence ${i + 1} does not hold record ${i}`);
    }
  }
}

/** The message block files of a file-storage stream (none for memory storage). */
function streamFiles(dir: string, stream: string): string[] {
  const msgs = join(dir, 'jetstream', '$G', 'streams', stream, 'msgs');
  return existsSync(msgs) ? readdirSync(msgs).map((f) => join(msgs, f)) : [];
}

/** Starts nats-server and measures publish and consume for every variant, into `results.nats`. */
export async function measureNats(files: { main: string; warmup: string }): Promise<void> {
  const dir = tmpDir('nats');
  const port = await freePort();
  log('nats: starting nats-server -js');
  const server = await startServer(dir, port);
  let nc: NatsConnection | null = null;
  const pid = server.proc.pid;
  const args = (stream: string, count: number): string[] => [
    ...['--port', String(port), '--stream', stream, '--count', String(count), '--size', String(SIZE)],
    ...['--window', String(NATS_WINDOW), '--batch', String(NATS_BATCH)],
  ];
  try {
    nc = await withTimeout(connect({ servers: `127.0.0.1:${port}` }), 20_000, 'nats connect');
    const jsm = await nc.jetstreamManager();
    if (WARMUP > 0) {
      log(`nats: warm-up, ${WARMUP} records published and consumed`);
      await jsm.streams.add({ name: 'warmup', subjects: ['warmup'], storage: StorageType.File });
      warmFiles([files.warmup]);
      await runClient('publish', [...args('warmup', WARMUP), '--file', files.warmup], pid);
      await runClient('consume', args('warmup', WARMUP), pid);
      await jsm.streams.delete('warmup');
    }
    for (const v of VARIANTS) {
      let stream = '';
      log(`nats (${v.label}): JetStream publish ${N} × ${SIZE} B, ${NATS_WINDOW} acks in flight (nats.js)`);
      results.nats[`publish-${v.name}`] = await measure(`NATS JetStream publish (${v.label})`, async (n) => {
        if (stream) await jsm.streams.delete(stream); // every attempt writes a new stream
        stream = `bench-${v.name}-${n}`;
        await jsm.streams.add({ name: stream, subjects: [stream], storage: v.storage });
        syncDisks();
        warmFiles([files.main]);
        const r = await runClient('publish', [...args(stream, N), '--file', files.main], pid);
        if (r.report.acked !== N) throw new Error(`nats ${stream}: ${r.report.acked} acks for ${N} publishes`);
        await checkStream(jsm, stream, N);
        return rate(N, r.seconds, r.usage);
      });

      log(`nats (${v.label}): consume from the first message (ordered consumer, pulls of ${NATS_BATCH})`);
      results.nats[`consume-${v.name}`] = await measure(`NATS JetStream consume (${v.label})`, async () => {
        // a consumer that keeps up reads from the page cache, as for Tributary
        const blocks = streamFiles(dir, stream);
        if (blocks.length > 0) warmFiles(blocks);
        const r = await runClient('consume', args(stream, N), pid);
        if (r.report.read !== N) throw new Error(`nats ${stream}: read ${r.report.read} messages, expected ${N}`);
        return rate(N, r.seconds, r.usage);
      });
      await spotCheck(jsm, stream, N);
      await jsm.streams.delete(stream);
    }
  } catch (err) {
    const tail = server.output().trim();
    if (tail) log(`nats-server output (tail):\n${tail.slice(-4000)}`);
    throw err;
  } finally {
    await (nc as NatsConnection | null)?.close().catch(() => {});
    await stopChild(server.proc, 30_000);
    removeTmp(dir);
  }
}
