/**
 * Produce/consume throughput of the broker against a peer and the machine's
 * limits, side by side in one run:
 *
 * 1. Tributary: `tributary start` as a child process, loaded by kcat
 *    (librdkafka) from a pre-generated file; 1 and 4 partitions, acks=1 and
 *    acks=all; every topic consumed back with kcat and checked.
 * 2. Redis Streams: Debian's redis-server on a loopback port, without
 *    persistence and with AOF (appendfsync everysec); XADD loaded with
 *    `redis-cli --pipe` from a pre-generated RESP file, read back with
 *    pipelined XRANGE pages of at most 10k by a RESP reader in this process.
 * 3. Limits: loopback TCP (a Node socket pair across two processes, and
 *    iperf3 when installed) and sequential disk write (1 MiB writes + fsync).
 *
 * Run: node --import tsx bench/broker-throughput.ts [--records N] [--size 1024]
 *      (--help lists every option). Needs kcat and redis-server/redis-cli
 *      (apt-get install -y kcat redis-server); iperf3 is optional.
 *
 * MB/s counts record values only (records × size / 1e6 per second), so every
 * row compares the same payload; GB/s is 1e9 bytes per second. Each step
 * also reports the CPU cores used by the server, the load generator, the
 * kernel and other processes; a step disturbed by other processes is
 * measured again (--retries). bench/README.md explains every figure.
 *
 * | file         | what                                                        |
 * |--------------|-------------------------------------------------------------|
 * | main.ts      | the run: input files, the three parts, report, ratios, JSON |
 * | options.ts   | command-line options and shared constants                   |
 * | procs.ts     | child processes, cleanup, CPU meter, quiet waits, --repeat  |
 * | cpu.ts       | CPU time from /proc (no options: other benchmarks use it)   |
 * | stats.ts     | rates, the results object, the progress log                 |
 * | inputs.ts    | the record generator and the kcat / redis-cli input files   |
 * | limits.ts    | disk write and loopback TCP                                 |
 * | redis.ts     | Redis Streams (resp.ts: the RESP reader and connection)     |
 * | tributary.ts | Tributary with kcat (profile.ts: the --cpu-prof summary)    |
 */
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { writeLinesFile, writeXaddFile } from './inputs.ts';
import { measureLimits } from './limits.ts';
import { CPU_PROF, DISK_MIB, LOOPBACK_S, N, NO_JSON, ONLY, OUT, REPEAT, REPO, SIZE, WARMUP } from './options.ts';
import { cleanup, firstLine, have, syncDisks, tmpDir } from './procs.ts';
import { redisVariant, XRANGE_PAGE } from './redis.ts';
import { log, type Measured, results, round } from './stats.ts';
import { measureTributary, PRODUCER_CONF } from './tributary.ts';

type Ratios = Record<string, number>;

function ratios(): Ratios {
  const out: Ratios = {};
  const t = results.tributary;
  const r = results.redis;
  const l = results.limits;
  const put = (name: string, a: number | undefined, b: number | undefined): void => {
    if (a !== undefined && b !== undefined && b > 0) out[name] = round(a / b, 2);
  };
  put(
    'tributary produce acks=1 (1 partition) / redis XADD (no persistence), records/s',
    t['produce-p1-acks1']?.recordsPerSec,
    r['xadd-nopersist']?.recordsPerSec,
  );
  put(
    'tributary produce acks=1 (4 partitions) / redis XADD (no persistence), records/s',
    t['produce-p4-acks1']?.recordsPerSec,
    r['xadd-nopersist']?.recordsPerSec,
  );
  put(
    'tributary produce acks=1 (1 partition) / redis XADD (AOF everysec), records/s',
    t['produce-p1-acks1']?.recordsPerSec,
    r['xadd-aof']?.recordsPerSec,
  );
  put(
    'tributary produce acks=all (1 partition) / redis XADD (AOF everysec), records/s',
    t['produce-p1-acksall']?.recordsPerSec,
    r['xadd-aof']?.recordsPerSec,
  );
  put(
    'tributary consume (1 partition) / redis XRANGE (no persistence), records/s',
    t['consume-p1-acks1']?.recordsPerSec,
    r['xrange-nopersist']?.recordsPerSec,
  );
  put(
    'tributary consume (4 partitions) / redis XRANGE (no persistence), records/s',
    t['consume-p4-acks1']?.recordsPerSec,
    r['xrange-nopersist']?.recordsPerSec,
  );
  const loop = Math.max(l.loopbackNodeGBps ?? 0, l.loopbackIperf3GBps ?? 0) * 1000 || undefined;
  put('tributary produce acks=1 (1 partition) / loopback TCP (best), MB/s', t['produce-p1-acks1']?.mbPerSec, loop);
  put('tributary consume (1 partition) / loopback TCP (best), MB/s', t['consume-p1-acks1']?.mbPerSec, loop);
  put(
    'tributary produce acks=all (1 partition) / disk write, MB/s',
    t['produce-p1-acksall']?.mbPerSec,
    l.diskWriteMBps,
  );
  put(
    'tributary produce acks=all / acks=1 (1 partition)',
    t['produce-p1-acksall']?.recordsPerSec,
    t['produce-p1-acks1']?.recordsPerSec,
  );
  put(
    'tributary produce acks=all / acks=1 (4 partitions)',
    t['produce-p4-acksall']?.recordsPerSec,
    t['produce-p4-acks1']?.recordsPerSec,
  );
  put(
    'tributary produce 4 / 1 partitions (acks=1)',
    t['produce-p4-acks1']?.recordsPerSec,
    t['produce-p1-acks1']?.recordsPerSec,
  );
  return out;
}

const LABELS: Record<string, string> = {
  'produce-p1-acks1': 'tributary produce, 1 partition, acks=1',
  'produce-p1-acksall': 'tributary produce, 1 partition, acks=all',
  'produce-p4-acks1': 'tributary produce, 4 partitions, acks=1',
  'produce-p4-acksall': 'tributary produce, 4 partitions, acks=all',
  'consume-p1-acks1': 'tributary consume, 1 partition (acks=1 topic)',
  'consume-p1-acksall': 'tributary consume, 1 partition (acks=all topic)',
  'consume-p4-acks1': 'tributary consume, 4 partitions (acks=1 topic)',
  'consume-p4-acksall': 'tributary consume, 4 partitions (acks=all topic)',
  'xadd-nopersist': 'redis XADD, no persistence',
  'xadd-aof': 'redis XADD, AOF everysec',
  'xrange-nopersist': 'redis XRANGE, no persistence',
  'xrange-aof': 'redis XRANGE, AOF everysec',
};

const TARGET_RATIO = 1.5;
const TARGET_KEY = 'tributary produce acks=1 (1 partition) / redis XADD (no persistence), records/s';

function report(rs: Ratios): void {
  const rows: string[][] = [
    [
      'workload',
      'records/s',
      'MB/s',
      'seconds',
      'server',
      'client',
      'kernel',
      'other',
      REPEAT > 1 ? 'runs (records/s)' : '',
    ],
  ];
  const add = (key: string, r: Measured): void => {
    rows.push([
      LABELS[key] ?? key,
      r.recordsPerSec.toLocaleString('en-US'),
      r.mbPerSec.toFixed(1),
      r.seconds.toFixed(2),
      r.serverCores?.toFixed(2) ?? '',
      r.clientCores?.toFixed(2) ?? '',
      r.kernelCores?.toFixed(2) ?? '',
      r.otherCores?.toFixed(2) ?? '',
      r.samples?.map((x) => `${Math.round(x / 1000)}k`).join(' ') ?? '',
    ]);
  };
  for (const [k, r] of Object.entries(results.tributary)) add(k, r);
  for (const [k, r] of Object.entries(results.redis)) add(k, r);
  const l = results.limits;
  if (l.loopbackNodeGBps !== undefined)
    rows.push(['loopback TCP, Node → Node', '', (l.loopbackNodeGBps * 1000).toFixed(0), '', '', '', '', '', '']);
  if (l.loopbackIperf3GBps !== undefined)
    rows.push(['loopback TCP, iperf3', '', (l.loopbackIperf3GBps * 1000).toFixed(0), '', '', '', '', '', '']);
  if (l.diskWriteMBps !== undefined)
    rows.push([`disk write ${DISK_MIB} MiB + fsync`, '', String(l.diskWriteMBps), '', '', '', '', '', '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(
    `\n${N.toLocaleString('en-US')} records × ${SIZE} B; MB/s = record values, 1e6 bytes; ` +
      'server/client/kernel/other = CPU cores used by the server, the load generator, kernel threads and interrupts, ' +
      'and other processes',
  );
  for (const r of rows)
    console.log(
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  if (Object.keys(rs).length) {
    console.log('\nratios:');
    const w = Math.max(...Object.keys(rs).map((k) => k.length));
    for (const [k, v] of Object.entries(rs)) {
      const target = k === TARGET_KEY ? `  (target ≥ ${TARGET_RATIO}: ${v >= TARGET_RATIO ? 'met' : 'NOT met'})` : '';
      console.log(`  ${k.padEnd(w)}  ${v.toFixed(2)}×${target}`);
    }
  }
  for (const n of [...results.limits.notes, ...results.notes]) console.log(`note: ${n}`);
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    kernel: os.release(),
    tmpFilesystem: firstLine('stat', ['-f', '-c', '%T', os.tmpdir()]),
    node: process.version,
    kcat: firstLine('sh', ['-c', 'kcat -V 2>&1 | grep -m1 Version']),
    redis: firstLine('redis-server', ['--version']),
    iperf3: have('iperf3') ? firstLine('iperf3', ['--version']) : null,
  };
}

function writeJson(rs: Ratios, started: Date, seconds: number): void {
  const stamp = started
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const out = OUT ?? join(REPO, 'bench', 'results', `broker-throughput-${stamp}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  const doc = {
    benchmark: 'broker-throughput',
    date: started.toISOString(),
    durationSeconds: round(seconds, 1),
    machine: machine(),
    params: {
      records: N,
      recordSize: SIZE,
      warmupRecords: WARMUP,
      diskMiB: DISK_MIB,
      loopbackSeconds: LOOPBACK_S,
      xrangePage: XRANGE_PAGE,
      kcatProducer: PRODUCER_CONF,
      redisVariants: {
        nopersist: "--save '' --appendonly no",
        aof: "--save '' --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0",
      },
      cpuProfile: Boolean(CPU_PROF),
      repeat: REPEAT,
    },
    results,
    ratios: rs,
    target: { ratio: TARGET_KEY, atLeast: TARGET_RATIO, met: (rs[TARGET_KEY] ?? 0) >= TARGET_RATIO },
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  log(`results written to ${relative(process.cwd(), out) || out}`);
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const work = tmpDir('work');
  const needFiles = ONLY.has('redis') || ONLY.has('tributary');
  const kcatFiles = { main: join(work, 'records.txt'), warmup: join(work, 'warmup.txt') };
  const respFiles = { main: join(work, 'xadd.resp'), warmup: join(work, 'xadd-warmup.resp') };
  if (ONLY.has('tributary') && !have('kcat')) throw new Error('kcat is not installed (apt-get install -y kcat)');
  if (ONLY.has('redis') && !(have('redis-server') && have('redis-cli'))) {
    throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  }
  if (needFiles) {
    log(`generating input: ${N} records × ${SIZE} B (+ ${WARMUP} warm-up)`);
    if (ONLY.has('tributary')) {
      writeLinesFile(kcatFiles.main, N);
      writeLinesFile(kcatFiles.warmup, WARMUP);
    }
    if (ONLY.has('redis')) {
      writeXaddFile(respFiles.main, 'bench', N);
      writeXaddFile(respFiles.warmup, 'warmup', WARMUP);
    }
    syncDisks();
  }
  try {
    if (ONLY.has('limits')) await measureLimits(work);
    if (ONLY.has('redis')) {
      await redisVariant('nopersist', 'no persistence', ['--appendonly', 'no'], respFiles);
      await redisVariant(
        'aof',
        'AOF everysec',
        ['--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0'],
        respFiles,
      );
    }
    if (ONLY.has('tributary')) await measureTributary(kcatFiles);
  } catch (err) {
    report(ratios());
    throw err;
  }
  for (const f of [...Object.values(kcatFiles), ...Object.values(respFiles)]) if (existsSync(f)) unlinkSync(f);
  const rs = ratios();
  report(rs);
  if (!NO_JSON) writeJson(rs, started, (performance.now() - t0) / 1000);
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** Runs the benchmark, then exits: 0 when every step and check passed, 1 otherwise. */
export function runBrokerThroughput(): void {
  main().then(
    () => {
      cleanup();
      process.exit(0);
    },
    (err: Error) => {
      console.error(`\nbroker-throughput FAILED: ${err.message}`);
      cleanup();
      process.exit(1);
    },
  );
}
