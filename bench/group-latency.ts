/**
 * Consumer-group end-to-end latency: from the producer's send() call to the
 * record's delivery to a group member, at a fixed rate.
 *
 * The broker runs as a child (`tributary start`, with
 * group.initial.rebalance.delay.ms=0) and each scenario gets a new
 * 4-partition topic and a new group. A group member starts first (a kafkajs
 * consumer in its own process, or kcat -G, i.e. librdkafka) and, once it
 * has its partitions, a kafkajs producer in another process sends records
 * at the given rate, each holding its send time. The member notes the
 * delivery time of each; the three processes read one monotonic clock. The
 * first --warmup-seconds of records are not counted.
 *
 * Run: node --import tsx bench/group-latency.ts (--help lists every option).
 * bench/README.md explains every figure.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type ChildBroker,
  createTopic,
  forkChild,
  kcatMember,
  nextMessage,
  REPO,
  startBroker,
  stopChild,
  tmpDir,
  withTimeout,
} from './group-latency/procs.ts';
import type { Collected, ConsumerMessage, ProducerMessage, ScenarioConfig, Summary } from './group-latency/shared.ts';
import { sleep, summarize } from './group-latency/shared.ts';
import { cpuSeconds, machineCpu } from './throughput/cpu.ts';

const HELP = `Usage: node --import tsx bench/group-latency.ts [options]
  --rates LIST           records per second, comma list (default 1000,10000)
  --acks LIST            comma list of 1, all (default 1,all)
  --consumers LIST       comma list of kafkajs, kcat (default kafkajs,kcat)
  --seconds S            measured seconds per scenario (default 20)
  --warmup-seconds S     seconds sent first and not counted (default 3)
  --size B               record value size in bytes, at least 32 (default 256)
  --partitions N         partitions of each topic (default 4)
  --kafkajs-no-commit    the kafkajs member commits no offsets (autoCommit: false); by
                         default it commits after every batch, as kafkajs does
  --quiet-wait S         before each scenario, wait up to S seconds for other processes
                         to leave the CPUs idle (default 30; 0 = do not wait)
  --out FILE             results JSON (default bench/results/group-latency-<date>.json)
  --no-json              do not write the results JSON`;

const { values: opt } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,10000' },
    acks: { type: 'string', default: '1,all' },
    consumers: { type: 'string', default: 'kafkajs,kcat' },
    seconds: { type: 'string', default: '20' },
    'warmup-seconds': { type: 'string', default: '3' },
    size: { type: 'string', default: '256' },
    partitions: { type: 'string', default: '4' },
    'kafkajs-no-commit': { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '30' },
    out: { type: 'string' },
    'no-json': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}

function fail(msg: string): never {
  console.error(`${msg}\n\n${HELP}`);
  process.exit(2);
}
function intOpt(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}
function listOpt<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  for (const i of items) if (!allowed.includes(i as T)) fail(`--${name} takes ${allowed.join(', ')}; got "${i}"`);
  return items as T[];
}

const RATES = opt.rates.split(',').map((r) => intOpt('rates', r.trim(), 1, 1_000_000));
const ACKS = listOpt('acks', opt.acks, ['1', 'all'] as const);
const CONSUMERS = listOpt('consumers', opt.consumers, ['kafkajs', 'kcat'] as const);
const SECONDS = intOpt('seconds', opt.seconds, 1, 3600);
const WARMUP_S = intOpt('warmup-seconds', opt['warmup-seconds'], 0, 600);
const SIZE = intOpt('size', opt.size, 32, 900_000);
const PARTITIONS = intOpt('partitions', opt.partitions, 1, 1000);
const QUIET_WAIT_S = intOpt('quiet-wait', opt['quiet-wait'], 0, 3600);
const BROKER_CONFIG = ['group.initial.rebalance.delay.ms=0'];
/** Longest wait, once the producer is done, for the last records to arrive. */
const GRACE_MS = 10_000;

function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** Waits up to --quiet-wait seconds until the machine's busy cores fall below 0.3. */
async function waitQuiet(): Promise<void> {
  if (QUIET_WAIT_S === 0 || !machineCpu()) return;
  const deadline = performance.now() + QUIET_WAIT_S * 1000;
  for (let said = false; ; said = true) {
    const a = machineCpu()!;
    await sleep(1000);
    const b = machineCpu()!;
    const busy = ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
    if (busy < 0.3) return;
    if (performance.now() > deadline)
      return log(`  other processes still use ${busy.toFixed(2)} cores; measuring anyway`);
    if (!said) log(`  waiting for the machine to go quiet: ${busy.toFixed(2)} cores busy`);
  }
}

interface ScenarioResult {
  consumer: 'kafkajs' | 'kcat';
  acks: '1' | 'all';
  rate: number;
  sent: number;
  achievedRate: number;
  delivered: number;
  missing: number;
  duplicates: number;
  produceErrors: number;
  /** From send() to delivery to the group member, counted records only. */
  latencyMs: Summary;
  /** From send() to the produce acknowledgement, per request. */
  produceAckMs: Summary;
  /** How late the producer's send() calls ran against the schedule. */
  scheduleLagMs: Summary;
  /** Average CPU cores used while the producer ran: the broker, and the whole machine. */
  brokerCores: number | null;
  machineCores: number | null;
  /** kafkajs member only: how long its requests took, by API (a Fetch includes the broker's long-poll wait). */
  memberRequestsMs?: Record<string, Summary>;
}

async function runScenario(
  broker: ChildBroker,
  consumer: 'kafkajs' | 'kcat',
  acks: '1' | 'all',
  rate: number,
  stamp: string,
): Promise<ScenarioResult> {
  const name = `lat-${stamp}-${consumer}-acks${acks}-r${rate}`;
  const cfg: ScenarioConfig = {
    bootstrap: broker.bootstrap,
    topic: name,
    groupId: `g-${name}`,
    acks: acks === 'all' ? -1 : 1,
    rate,
    total: Math.round(rate * (WARMUP_S + SECONDS)),
    warmup: Math.round(rate * WARMUP_S),
    size: SIZE,
    autoCommit: !opt['kafkajs-no-commit'],
  };
  await createTopic(broker.bootstrap, cfg.topic, PARTITIONS);
  await waitQuiet();
  let finish: (graceMs: number) => Promise<{ seen: Collected; requests?: Record<string, Summary> }>;
  let member: ChildProcess | undefined;
  let producer: ChildProcess | undefined;
  try {
    if (consumer === 'kcat') {
      const k = kcatMember(cfg);
      member = k.proc;
      await withTimeout(k.ready, 30_000, 'kcat -G join');
      finish = async (g) => ({ seen: await k.finish(g) });
    } else {
      const p = forkChild('./consumer.ts', cfg);
      member = p;
      await nextMessage<ConsumerMessage>(p, 'ready', 30_000, 'kafkajs consumer');
      finish = async (graceMs) => {
        const result = nextMessage<Extract<ConsumerMessage, { type: 'result' }>>(
          p,
          'result',
          graceMs + 30_000,
          'consumer',
        );
        p.send({ type: 'finish', graceMs });
        const r = await result;
        return { seen: r.result, requests: r.requests };
      };
    }
    producer = forkChild('./producer.ts', cfg);
    await nextMessage<ProducerMessage>(producer, 'connected', 30_000, 'producer');
    const cpu0 = { broker: cpuSeconds(broker.proc.pid), machine: machineCpu(), t: performance.now() };
    const done = await nextMessage<Extract<ProducerMessage, { type: 'done' }>>(
      producer,
      'done',
      (WARMUP_S + SECONDS) * 2000 + 60_000,
      'producer',
    );
    const seconds = (performance.now() - cpu0.t) / 1000;
    const brokerCpu = cpuSeconds(broker.proc.pid);
    const machine = machineCpu();
    const { seen, requests } = await finish(GRACE_MS);
    if (done.errors) log(`  ${done.errors} records failed to send: ${done.firstError}`);
    return {
      consumer,
      acks,
      rate,
      sent: done.sent,
      achievedRate: Math.round(cfg.total / done.seconds),
      delivered: seen.latencies.length,
      missing: seen.missing,
      duplicates: seen.duplicates,
      produceErrors: done.errors,
      latencyMs: summarize(seen.latencies),
      produceAckMs: done.ack,
      scheduleLagMs: done.scheduleLag,
      brokerCores: cpu0.broker !== null && brokerCpu !== null ? round((brokerCpu - cpu0.broker) / seconds, 2) : null,
      machineCores: cpu0.machine && machine ? round((machine.busy - cpu0.machine.busy) / seconds, 2) : null,
      ...(requests ? { memberRequestsMs: requests } : {}),
    };
  } finally {
    if (producer) await stopChild(producer);
    if (member) await stopChild(member);
  }
}

const f2 = (x: number): string => x.toFixed(2);

function report(rows: ScenarioResult[]): void {
  const table = [
    [
      'consumer',
      'acks',
      'rate/s',
      'counted',
      'p50',
      'p90',
      'p99',
      'p99.9',
      'max',
      'ack p50',
      'ack p99',
      'broker',
      'machine',
    ],
    ...rows.map((r) => [
      r.consumer,
      r.acks,
      r.rate.toLocaleString('en-US'),
      r.delivered.toLocaleString('en-US'),
      f2(r.latencyMs.p50),
      f2(r.latencyMs.p90),
      f2(r.latencyMs.p99),
      f2(r.latencyMs.p999),
      f2(r.latencyMs.max),
      f2(r.produceAckMs.p50),
      f2(r.produceAckMs.p99),
      r.brokerCores?.toFixed(2) ?? '',
      r.machineCores?.toFixed(2) ?? '',
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  console.log(
    `\nproduce → group delivery latency, ms; ${PARTITIONS} partitions, ${SIZE} B values, ${SECONDS} s per scenario ` +
      `after ${WARMUP_S} s of warm-up; ack = producer send() to acknowledgement; broker/machine = CPU cores busy`,
  );
  for (const r of table)
    console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  for (const r of rows) {
    const what = `${r.consumer} acks=${r.acks} ${r.rate}/s`;
    if (r.missing || r.duplicates || r.produceErrors)
      console.log(`note: ${what}: ${r.missing} missing, ${r.duplicates} duplicates, ${r.produceErrors} send errors`);
    if (r.achievedRate < r.rate * 0.98) console.log(`note: ${what}: the producer reached only ${r.achievedRate}/s`);
    const q = r.memberRequestsMs;
    if (q) {
      const api = (n: string): string => (q[n] ? `${n} ${q[n].count} × p50 ${f2(q[n].p50)} p99 ${f2(q[n].p99)}` : '');
      console.log(
        `${what}: member requests (ms): ${['Fetch', 'OffsetCommit', 'Heartbeat'].map(api).filter(Boolean).join('; ')}`,
      );
    }
    if (r.scheduleLagMs.p99 > 5)
      console.log(`note: ${what}: producer send() calls ran up to ${f2(r.scheduleLagMs.p99)} ms late (p99)`);
  }
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function writeJson(rows: ScenarioResult[], started: Date): void {
  const stamp = started
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const out = opt.out ?? join(REPO, 'bench', 'results', `group-latency-${stamp}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  const doc = {
    benchmark: 'group-latency',
    date: started.toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      kernel: os.release(),
      node: process.version,
      kcat: firstLine('sh', ['-c', 'kcat -V 2>&1 | grep -m1 Version']),
    },
    params: {
      seconds: SECONDS,
      warmupSeconds: WARMUP_S,
      recordSize: SIZE,
      partitions: PARTITIONS,
      brokerConfig: BROKER_CONFIG,
      producer: 'kafkajs 2.2.4, one send() per ~1 ms tick, default partitioner, no compression',
      consumers: {
        kafkajs:
          'kafkajs 2.2.4 consumer, defaults (maxWaitTimeInMs 5000, minBytes 1), eachMessage, ' +
          (opt['kafkajs-no-commit'] ? 'autoCommit: false' : 'autoCommit (commit after every batch)'),
        kcat: 'kcat -G -u (librdkafka defaults: fetch.wait.max.ms 500, fetch.min.bytes 1)',
      },
    },
    scenarios: rows,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  log(`results written to ${relative(process.cwd(), out) || out}`);
}

async function main(): Promise<void> {
  const started = new Date();
  if (CONSUMERS.includes('kcat') && spawnSync('sh', ['-c', 'command -v kcat']).status !== 0) {
    throw new Error('kcat is not installed (apt-get install -y kcat)');
  }
  const dataDir = tmpDir('latency');
  log('starting the broker');
  const broker = await startBroker(dataDir, BROKER_CONFIG);
  const stamp = Date.now().toString(36);
  const rows: ScenarioResult[] = [];
  try {
    for (const consumer of CONSUMERS) {
      for (const acks of ACKS) {
        for (const rate of RATES) {
          log(`${consumer} group member, acks=${acks}, ${rate}/s for ${WARMUP_S} + ${SECONDS} s`);
          const r = await runScenario(broker, consumer, acks, rate, stamp);
          const l = r.latencyMs;
          log(`  p50 ${f2(l.p50)}  p90 ${f2(l.p90)}  p99 ${f2(l.p99)}  max ${f2(l.max)} ms (${l.count} records)`);
          rows.push(r);
        }
      }
    }
  } catch (err) {
    const tail = broker.stderr().trim();
    if (tail) log(`broker stderr (tail):\n${tail.slice(-4000)}`);
    throw err;
  } finally {
    if (rows.length) report(rows);
    await stopChild(broker.proc, 30_000);
  }
  if (!opt['no-json']) writeJson(rows, started);
  const bad = rows.filter((r) => r.missing || r.produceErrors);
  if (bad.length) throw new Error(`${bad.length} scenario(s) lost records (see the notes above)`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`\ngroup-latency FAILED: ${err.message}`);
    process.exit(1);
  },
);
