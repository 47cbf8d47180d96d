/**
 * Tributary: `tributary start` as a child process, loaded by kcat
 * (librdkafka) from a pre-generated file; 1 and 4 partitions, acks=1 and
 * acks=all; every topic consumed back with kcat and checked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cpuSeconds } from './cpu.ts';
import { record } from './inputs.ts';
import { BIN, CPU_PROF, N, REPO, SIZE, STEP_MS, WARMUP } from './options.ts';
import {
  children,
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
import { summariseProfile } from './profile.ts';
import { log, rate, results, type Usage } from './stats.ts';

/** The partition counts and acks every load generator runs. */
export const PARTITION_RUNS: Array<{ partitions: number; acks: '1' | 'all' }> = [
  { partitions: 1, acks: '1' },
  { partitions: 1, acks: 'all' },
  { partitions: 4, acks: '1' },
  { partitions: 4, acks: 'all' },
];

/** `tributary start` in a child process. */
export interface ChildBroker {
  proc: ChildProcess;
  bootstrap: string;
  stderr(): string;
}

/** Starts `tributary start --kafka-port 0` in `dataDir`, optionally under --cpu-prof. */
export function startBroker(dataDir: string, profDir: string | undefined): Promise<ChildBroker> {
  const nodeFlags = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const proc = spawn(
    process.execPath,
    [...nodeFlags, BIN, 'start', '--data-dir', dataDir, '--kafka-port', '0', '--log-level', 'warn'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(proc);
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-64 * 1024);
  });
  return withTimeout(
    new Promise<ChildBroker>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^kafka (\S+):(\d+)/m.exec(out);
        if (m) resolve({ proc, bootstrap: `${m[1]}:${m[2]}`, stderr: () => err });
      });
      proc.once('exit', (code, signal) =>
        reject(new Error(`tributary start exited early (code ${code}, signal ${signal})\n${err}`)),
      );
    }),
    60_000,
    'tributary start',
  ).catch((e) => {
    proc.kill('SIGKILL');
    throw e;
  });
}

async function createTopics(bootstrap: string, topics: Array<{ topic: string; numPartitions: number }>): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 30_000, 'kafkajs admin connect');
  try {
    await withTimeout(admin.createTopics({ topics, waitForLeaders: true }), 30_000, 'create topics');
    const meta = await withTimeout(
      admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) }),
      30_000,
      'metadata',
    );
    for (const t of topics) {
      const got = meta.topics.find((m) => m.name === t.topic)?.partitions.length;
      if (got !== t.numPartitions) throw new Error(`topic ${t.topic} has ${got} partitions, wanted ${t.numPartitions}`);
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** librdkafka logs (reconnects, timeouts) do not fail a step, whose counts are checked, but are reported. */
export function noteStderr(what: string, stderr: string): void {
  const lines = stderr.trim().split('\n').filter(Boolean);
  if (lines.length === 0) return;
  results.notes.push(`${what}: ${lines.length} stderr line(s), last: ${lines[lines.length - 1]!.slice(0, 300)}`);
  log(`  ${what} wrote to stderr:\n${lines.slice(-5).join('\n')}`);
}

/** Each partition's high watermark (its record count, as every topic here starts at offset 0). */
export async function highWatermarks(bootstrap: string, topic: string): Promise<number[]> {
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 30_000, 'kafkajs admin connect');
  try {
    const offsets = await withTimeout(admin.fetchTopicOffsets(topic), 30_000, `offsets of ${topic}`);
    return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** kcat producer settings (-X), as in the README. */
export const PRODUCER_CONF = ['linger.ms=5', 'batch.num.messages=10000', 'queue.buffering.max.kbytes=1048576'];

async function kcatProduce(bootstrap: string, topic: string, acks: string, file: string): Promise<RunResult> {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks}`];
  for (const c of PRODUCER_CONF) args.push('-X', c);
  args.push('-l', file);
  const r = await run('kcat', args);
  if (r.code !== 0 || /delivery failed|failed delivery/i.test(r.stderr)) {
    throw new Error(`kcat produce to ${topic} (acks=${acks}) failed (exit ${r.code}):\n${r.stderr.slice(-4000)}`);
  }
  noteStderr(`kcat produce to ${topic}`, r.stderr);
  return r;
}

/**
 * Consumes a whole topic with kcat (`partition offset size` per record) and
 * checks every record; the partitions' high watermarks must add up to `count`
 * too, so no extra record hides past the ones read. kcat stops at the
 * `count`-th record (-c); with -e alone it would first wait for one more fetch
 * at the end of the log, which the broker holds for fetch.wait.max.ms (500
 * ms, as Kafka does), and its block-buffered output would hold back the last
 * records until then. The time is from the arrival of the first record to
 * that of the last, which leaves out process start-up (librdkafka 2.0 may
 * start its first offset query from a 500 ms timer).
 */
export async function kcatConsume(
  bootstrap: string,
  topic: string,
  partitions: number,
  count: number,
  serverPid: number | undefined,
): Promise<{ seconds: number; startSeconds: number; usage: Usage; perPartition: number[] }> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-c', String(count), '-e', '-q'];
  args.push('-f', '%p %o %S\n');
  let meter = new Meter(serverPid);
  const start = performance.now();
  const p = spawn('kcat', args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(p);
  const chunks: Buffer[] = [];
  let lines = 0;
  let firstAt = 0;
  let lastAt = 0;
  let usage: Usage = {};
  let client0: number | null = null;
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    if (firstAt === 0) {
      firstAt = performance.now();
      meter = new Meter(serverPid);
      client0 = cpuSeconds(p.pid);
    }
    chunks.push(d);
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
    if (lines >= count && lastAt === 0) {
      lastAt = performance.now();
      const client1 = cpuSeconds(p.pid);
      usage = meter.read((lastAt - firstAt) / 1000, client0 !== null && client1 !== null ? client1 - client0 : null);
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
    `kcat consume of ${topic}`,
  ).finally(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    children.delete(p);
  });
  if (code !== 0) throw new Error(`kcat consume of ${topic} failed (exit ${code}):\n${err.slice(-4000)}`);
  noteStderr(`kcat consume of ${topic}`, err);
  // every partition read from offset 0 without a gap, every value SIZE bytes, `count` in all
  const next = new Array<number>(partitions).fill(0);
  let total = 0;
  const text = Buffer.concat(chunks).toString('latin1');
  for (let pos = 0; pos < text.length; ) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const [part, o, size] = text.slice(pos, eol).split(' ').map(Number) as [number, number, number];
    pos = eol + 1;
    if (!(part >= 0 && part < partitions)) throw new Error(`${topic}: record from unknown partition ${part}`);
    if (o !== next[part]) throw new Error(`${topic}: partition ${part} gave offset ${o}, expected ${next[part]}`);
    if (size !== SIZE) throw new Error(`${topic}: record ${part}/${o} has ${size} bytes, expected ${SIZE}`);
    next[part]!++;
    total++;
  }
  if (total !== count) {
    throw new Error(`${topic}: consumed ${total} records, produced ${count} (per partition: ${next.join(', ')})`);
  }
  const hw = await highWatermarks(bootstrap, topic);
  if (hw.join() !== next.join()) {
    throw new Error(`${topic}: high watermarks ${hw.join(', ')} but read ${next.join(', ')} records per partition`);
  }
  return {
    seconds: (lastAt - firstAt) / 1000,
    startSeconds: (firstAt - start) / 1000,
    usage,
    perPartition: next,
  };
}

/** Single partition: offset i holds record i (spot checks at the start, middle and end). */
async function spotCheck(bootstrap: string, topic: string, count: number): Promise<void> {
  for (const i of [...new Set([0, 1, Math.floor(count / 2), count - 1])]) {
    const r = await run(
      'kcat',
      ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', String(i), '-c', '1', '-e', '-q', '-f', '%s'],
      { timeoutMs: 30_000 },
    );
    if (r.code !== 0 || r.stdout !== record(i).toString('latin1')) {
      throw new Error(`${topic}: offset ${i} does not hold record ${i}: "${r.stdout.slice(0, 40)}…" ${r.stderr}`);
    }
  }
}

/** The files of a topic's partitions in the broker's data dir (logs/<topic>-<partition>/). */
export function partitionFiles(dataDir: string, topic: string, partitions: number): string[] {
  const out: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const dir = join(dataDir, 'logs', `${topic}-${p}`);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) out.push(join(dir, f));
  }
  return out;
}

/** Starts the broker and measures produce and consume for every PARTITION_RUNS entry, into `results.tributary`. */
export async function measureTributary(files: { main: string; warmup: string }): Promise<void> {
  const dataDir = tmpDir('data');
  const profDir = CPU_PROF ? resolve(CPU_PROF) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  log(`tributary: starting the broker${profDir ? ' under --cpu-prof' : ''}`);
  const startedAt = Date.now() - 1000;
  const broker = await startBroker(dataDir, profDir);
  const stamp = Date.now().toString(36);
  try {
    if (WARMUP > 0) {
      log(`tributary: warm-up, ${WARMUP} records produced and consumed`);
      const topic = `bench-${stamp}-warmup`;
      await createTopics(broker.bootstrap, [{ topic, numPartitions: 1 }]);
      warmFiles([files.warmup]);
      await kcatProduce(broker.bootstrap, topic, '1', files.warmup);
      await kcatConsume(broker.bootstrap, topic, 1, WARMUP, broker.proc.pid);
    }
    for (const { partitions, acks } of PARTITION_RUNS) {
      const key = `p${partitions}-acks${acks}`;
      let topic = '';
      log(`tributary: produce ${N} × ${SIZE} B, ${partitions} partition(s), acks=${acks} (kcat)`);
      results.tributary[`produce-${key}`] = await measure(`tributary produce ${key}`, async (n) => {
        topic = `bench-${stamp}-${key}-${n}`; // every attempt writes a new topic
        await createTopics(broker.bootstrap, [{ topic, numPartitions: partitions }]);
        syncDisks();
        warmFiles([files.main]);
        const meter = new Meter(broker.proc.pid);
        const prod = await kcatProduce(broker.bootstrap, topic, acks, files.main);
        return rate(N, prod.seconds, meter.read(prod.seconds, prod.cpu));
      });

      log(`tributary: consume ${partitions} partition(s) from the beginning (kcat)`);
      let perPartition: number[] = [];
      let startSeconds = 0;
      results.tributary[`consume-${key}`] = await measure(`tributary consume ${key}`, async () => {
        // a consumer that keeps up reads from the page cache, as XRANGE reads Redis' memory
        warmFiles(partitionFiles(dataDir, topic, partitions));
        const cons = await kcatConsume(broker.bootstrap, topic, partitions, N, broker.proc.pid);
        perPartition = cons.perPartition;
        startSeconds = cons.startSeconds;
        return rate(N, cons.seconds, cons.usage);
      });
      log(
        `  first record ${startSeconds.toFixed(2)} s after kcat started (not counted)` +
          (partitions > 1 ? `; records per partition: ${perPartition.join(', ')}` : ''),
      );
      if (partitions === 1) await spotCheck(broker.bootstrap, topic, N);
    }
  } catch (err) {
    const tail = broker.stderr().trim();
    if (tail) log(`broker stderr (tail):\n${tail.slice(-4000)}`);
    throw err;
  } finally {
    await stopChild(broker.proc, 60_000);
    removeTmp(dataDir);
  }
  const warnings = broker
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"level":40')).length;
  if (warnings) results.notes.push(`the broker logged ${warnings} warning(s) during the run`);
  if (profDir) summariseProfile(profDir, startedAt);
}
