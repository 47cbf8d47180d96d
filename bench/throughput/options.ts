/**
 * Command-line options of bench/broker-throughput.ts, parsed once when this
 * module is first imported (so --help and bad values exit before any work),
 * and the constants every step shares.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: node --import tsx bench/broker-throughput.ts [options]
  --records N            records per run (default 1000000)
  --size B               record value size in bytes (default 1024)
  --only LIST            comma list of: limits, redis, nats, tributary, client (default all;
                         nats is skipped with a note when nats-server is not installed;
                         client = the broker loaded by \`tributary bench\`, the project's client)
  --warmup-records N     records produced and consumed before measuring (default min(50000, N/10))
  --disk-mib N           size of the sequential write test (default 1024)
  --loopback-seconds S   duration of each loopback test (default 3)
  --step-timeout S       time limit of each step (default 60 s + 1 s per 5 MB of data)
  --quiet-wait S         before each step, wait up to S seconds for other processes to
                         leave the CPUs idle (default 60; 0 = do not wait)
  --retries N            measure a step again, up to N times, when other processes used
                         the CPUs during it (default 2)
  --repeat N             run every step N times and report the median (default 1)
  --cpu-prof DIR         run the broker under node --cpu-prof, keep the profile in DIR
                         and print its top self-time functions
  --out FILE             results JSON (default bench/results/broker-throughput-<date>.json)
  --no-json              do not write the results JSON`;

const { values: opt } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '1024' },
    only: { type: 'string' },
    'warmup-records': { type: 'string' },
    'disk-mib': { type: 'string', default: '1024' },
    'loopback-seconds': { type: 'string', default: '3' },
    'step-timeout': { type: 'string' },
    'quiet-wait': { type: 'string', default: '60' },
    retries: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
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

function intOpt(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got "${value}"\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

/** Records per run. */
export const N = intOpt('records', opt.records, 1, 100_000_000);
/** Record value size in bytes. */
export const SIZE = intOpt('size', opt.size, 16, 900_000); // kcat's default message.max.bytes is 1e6
/** Records produced and consumed before measuring Tributary, Redis and NATS. */
export const WARMUP = intOpt(
  'warmup-records',
  opt['warmup-records'] ?? String(Math.min(50_000, Math.ceil(N / 10))),
  0,
  N,
);
/** Size of the sequential disk write, in MiB. */
export const DISK_MIB = intOpt('disk-mib', opt['disk-mib'], 1, 1 << 20);
/** Duration of each loopback test, in seconds. */
export const LOOPBACK_S = intOpt('loopback-seconds', opt['loopback-seconds'], 1, 600);
/** Time limit of each step, in ms. */
export const STEP_MS = opt['step-timeout']
  ? intOpt('step-timeout', opt['step-timeout'], 1, 86_400) * 1000
  : 60_000 + Math.ceil((N * SIZE) / 5e6) * 1000;
/** Longest wait for a quiet machine before each step, in seconds (0: do not wait). */
export const QUIET_WAIT_S = intOpt('quiet-wait', opt['quiet-wait'], 0, 3600);
/** Runs of a step thrown away because other processes used the CPUs, at most. */
export const RETRIES = intOpt('retries', opt.retries, 0, 10);
/** Runs of every step; the median is reported. */
export const REPEAT = intOpt('repeat', opt.repeat, 1, 20);
/** Directory for the broker's CPU profile (--cpu-prof), if any. */
export const CPU_PROF: string | undefined = opt['cpu-prof'];
/** Path of the results JSON (--out), if given. */
export const OUT: string | undefined = opt.out;
/** --no-json: do not write the results JSON. */
export const NO_JSON: boolean = opt['no-json'];
/** CPU cores of the machine. */
export const CORES = os.cpus().length;
/** The parts to run: limits, redis, nats, tributary, client. */
export const ONLY = new Set((opt.only ?? 'limits,redis,nats,tributary,client').split(',').map((s) => s.trim()));
/** --only was given: a part named in it must run, or the run fails. */
export const ONLY_GIVEN = opt.only !== undefined;
for (const o of ONLY) {
  if (!['limits', 'redis', 'nats', 'tributary', 'client'].includes(o)) {
    console.error(`--only takes limits, redis, nats, tributary, client; got "${o}"`);
    process.exit(2);
  }
}

/** The repository root, with a trailing separator. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** The tributary CLI. */
export const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
/** Bytes in an MB (1e6, as MB/s is reported). */
export const MB = 1e6;
