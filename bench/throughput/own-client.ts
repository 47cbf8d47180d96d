/**
 * Tributary loaded by the project's own client: `node bin/tributary.js
 * bench produce … --json` and `bench consume … --json` (src/cli/bench/) run
 * as child processes against a broker of their own (`tributary start`, as for
 * kcat), for the same partition counts and acks as kcat. The producer is set
 * up as kcat is (linger.ms 5; batch.size 1,000,000 bytes, librdkafka's
 * default). The child times itself: produce from its first send() to its
 * last delivery report, consume from the arrival of the first record to the
 * N-th (as kcat's consume), so Node's start-up and the connection are left
 * out; it reports the span on CLOCK_MONOTONIC and Sampler (sampler.ts) meters
 * the server and the machine over that span.
 *
 * Checks: the child read or delivered exactly N records of SIZE bytes, the
 * high watermarks add up to N, and for one partition kcat reads the topic
 * back (offsets contiguous from 0, every value SIZE bytes).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { BIN, CPU_PROF, N, REPO, SIZE, STEP_MS, WARMUP } from './options.ts';
import { children, measure, removeTmp, stopChild, syncDisks, tmpDir, warmFiles, withTimeout } from './procs.ts';
import { Sampler } from './sampler.ts';
import { log, rate, results, type Usage } from './stats.ts';
import {
  type ChildBroker,
  highWatermarks,
  kcatConsume,
  noteStderr,
  PARTITION_RUNS,
  partitionFiles,
  startBroker,
} from './tributary.ts';

/** Producer settings of `tributary bench produce`, matched to kcat's (PRODUCER_CONF). */
export const OWN_PRODUCER_ARGS = ['--linger-ms', '5', '--batch-size', '1000000'];

/** The part of `tributary bench --json` output this benchmark reads. */
interface BenchJson {
  records: number;
  bytes: number;
  seconds: number;
  cpuCores: number;
  monotonicStartMs: number;
  monotonicEndMs: number;
  errors?: number;
  timeToFirstRecordMs?: number;
}

/** Runs `tributary bench MODE ARGS --json`; returns its report and the CPU use over the span it measured. */
async function runBench(
  mode: 'produce' | 'consume',
  args: string[],
  serverPid: number | undefined,
): Promise<{ report: BenchJson; usage: Usage }> {
  const sampler = new Sampler(serverPid);
  const p = spawn(process.execPath, [BIN, 'bench', mode, ...args, '--json'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(p);
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  p.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-64 * 1024);
  });
  try {
    const code = await withTimeout(
      new Promise<number | null>((resolve, reject) => {
        p.once('error', reject);
        p.once('close', (c) => resolve(c));
      }),
      STEP_MS,
      `tributary bench ${mode}`,
    );
    if (code !== 0) throw new Error(`tributary bench ${mode} failed (exit ${code}):\n${err.slice(-4000)}${out}`);
    noteStderr(`tributary bench ${mode}`, err);
    const report = JSON.parse(out) as BenchJson;
    return { report, usage: sampler.usage(report.monotonicStartMs, report.monotonicEndMs, report.cpuCores) };
  } finally {
    sampler.stop();
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    children.delete(p);
  }
}

function check(what: string, r: BenchJson, count: number): void {
  if (r.records !== count || r.bytes !== count * SIZE || (r.errors ?? 0) > 0) {
    throw new Error(
      `${what}: ${r.records} records, ${r.bytes} bytes, ${r.errors ?? 0} errors; expected ${count} × ${SIZE} B`,
    );
  }
}

function produceArgs(bootstrap: string, topic: string, count: number, partitions: number, acks: string): string[] {
  return [
    ...['--bootstrap-server', bootstrap, '--topic', topic, '--records', String(count)],
    ...['--record-size', String(SIZE), '--partitions', String(partitions), '--acks', acks],
    ...OWN_PRODUCER_ARGS,
  ];
}

function consumeArgs(bootstrap: string, topic: string, count: number): string[] {
  return ['--bootstrap-server', bootstrap, '--topic', topic, '--records', String(count)];
}

/** Starts a broker and measures produce and consume with `tributary bench` for every PARTITION_RUNS entry. */
export async function measureOwnClient(): Promise<void> {
  const dataDir = tmpDir('data-client');
  const profDir = CPU_PROF ? resolve(CPU_PROF, 'own-client') : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  log('own client: starting the broker');
  const broker: ChildBroker = await startBroker(dataDir, profDir);
  const pid = broker.proc.pid;
  const bootstrap = broker.bootstrap;
  const stamp = Date.now().toString(36);
  try {
    if (WARMUP > 0) {
      log(`own client: warm-up, ${WARMUP} records produced and consumed (tributary bench)`);
      const topic = `own-${stamp}-warmup`;
      check(
        'warm-up produce',
        (await runBench('produce', produceArgs(bootstrap, topic, WARMUP, 1, '1'), pid)).report,
        WARMUP,
      );
      check('warm-up consume', (await runBench('consume', consumeArgs(bootstrap, topic, WARMUP), pid)).report, WARMUP);
    }
    for (const { partitions, acks } of PARTITION_RUNS) {
      const key = `p${partitions}-acks${acks}`;
      let topic = '';
      log(`own client: produce ${N} × ${SIZE} B, ${partitions} partition(s), acks=${acks} (tributary bench produce)`);
      results.ownClient[`produce-${key}`] = await measure(`own client produce ${key}`, async (n) => {
        topic = `own-${stamp}-${key}-${n}`; // every attempt writes a new topic, created by the child
        syncDisks();
        const { report, usage } = await runBench('produce', produceArgs(bootstrap, topic, N, partitions, acks), pid);
        check(`own client produce to ${topic}`, report, N);
        const hw = await highWatermarks(bootstrap, topic);
        if (hw.length !== partitions || hw.reduce((a, b) => a + b, 0) !== N) {
          throw new Error(`${topic}: high watermarks ${hw.join(', ')} after ${N} delivered records`);
        }
        return rate(N, report.seconds, usage);
      });

      log(`own client: consume ${partitions} partition(s) from the beginning (tributary bench consume)`);
      let firstMs = 0;
      results.ownClient[`consume-${key}`] = await measure(`own client consume ${key}`, async () => {
        warmFiles(partitionFiles(dataDir, topic, partitions));
        const { report, usage } = await runBench('consume', consumeArgs(bootstrap, topic, N), pid);
        check(`own client consume of ${topic}`, report, N);
        firstMs = report.timeToFirstRecordMs ?? 0;
        return rate(N, report.seconds, usage);
      });
      log(`  first record ${firstMs.toFixed(0)} ms after the consumer was created (not counted)`);
      if (partitions === 1 && acks === '1') {
        log('  check: kcat reads the topic the own client wrote');
        await kcatConsume(bootstrap, topic, partitions, N, pid);
      }
    }
  } catch (err) {
    const tail = broker.stderr().trim();
    if (tail) log(`broker stderr (tail):\n${tail.slice(-4000)}`);
    throw err;
  } finally {
    await stopChild(broker.proc, 60_000);
    removeTmp(dataDir);
  }
}
