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
 * 3. NATS JetStream: Debian's nats-server -js on a loopback port, with file
 *    and with memory storage; a nats.js process publishes the kcat input file
 *    with JetStream publishes (a bounded window of acks in flight) and reads
 *    the stream back with an ordered consumer. Skipped, with a note, when
 *    nats-server is not installed.
 * 4. Tributary loaded by the project's own client: `tributary bench produce`
 *    and `tributary bench consume` as child processes, against a broker of
 *    their own, for the same partition counts and acks as kcat.
 * 5. Limits: loopback TCP (a Node socket pair across two processes, and
 *    iperf3 when installed) and sequential disk write (1 MiB writes + fsync).
 *
 * Run: node --import tsx bench/broker-throughput.ts [--records N] [--size 1024]
 *      (--help lists every option). Needs kcat and redis-server/redis-cli
 *      (apt-get install -y kcat redis-server); nats-server and iperf3 are
 *      optional.
 *
 * MB/s counts record values only (records × size / 1e6 per second), so every
 * row compares the same payload; GB/s is 1e9 bytes per second. Each step
 * also reports the CPU cores used by the server, the load generator, the
 * kernel and other processes; a step disturbed by other processes is
 * measured again (--retries). bench/README.md explains every figure.
 *
 * | file          | what                                                        |
 * |---------------|-------------------------------------------------------------|
 * | main.ts       | the run: input files, the five parts, the JSON              |
 * | report.ts     | the ratios and the table                                    |
 * | options.ts    | command-line options and shared constants                   |
 * | procs.ts      | child processes, cleanup, CPU meter, quiet waits, --repeat  |
 * | cpu.ts        | CPU time from /proc (no options: other benchmarks use it)   |
 * | stats.ts      | rates, the results object, the progress log                 |
 * | inputs.ts     | the record generator, the kcat/NATS and redis-cli inputs    |
 * | limits.ts     | disk write and loopback TCP                                 |
 * | redis.ts      | Redis Streams (resp.ts: the RESP reader and connection)     |
 * | nats.ts       | NATS JetStream (nats-client.ts: the nats.js load generator) |
 * | tributary.ts  | Tributary with kcat (profile.ts: the --cpu-prof summary)    |
 * | own-client.ts | Tributary with `tributary bench` (sampler.ts: its CPU use)   |
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { writeLinesFile, writeXaddFile } from './inputs.ts';
import { measureLimits } from './limits.ts';
import { measureNats, NATS_BATCH, NATS_WINDOW } from './nats.ts';
import {
  CPU_PROF,
  DISK_MIB,
  LOOPBACK_S,
  N,
  NO_JSON,
  ONLY,
  ONLY_GIVEN,
  OUT,
  REPEAT,
  REPO,
  SIZE,
  WARMUP,
} from './options.ts';
import { measureOwnClient, OWN_PRODUCER_ARGS } from './own-client.ts';
import { cleanup, firstLine, have, syncDisks, tmpDir } from './procs.ts';
import { redisVariant, XRANGE_PAGE } from './redis.ts';
import { type Ratios, ratios, report, TARGET_KEY, TARGET_RATIO } from './report.ts';
import { log, results, round } from './stats.ts';
import { measureTributary, PRODUCER_CONF } from './tributary.ts';

/** The version of an installed npm package, from its package.json. */
function npmVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return null;
  }
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
    natsServer: have('nats-server') ? firstLine('nats-server', ['--version']) : null,
    natsJs: npmVersion('nats'),
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
      ownClientProducer: OWN_PRODUCER_ARGS,
      redisVariants: {
        nopersist: "--save '' --appendonly no",
        aof: "--save '' --appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0",
      },
      nats: {
        server: '-js -sd <temp dir> -a 127.0.0.1 (a single server, no replication)',
        storage: ['file', 'memory'],
        publishAcksInFlight: NATS_WINDOW,
        consumer: `ordered consumer, consume() with max_messages ${NATS_BATCH}`,
        fileDurability: 'acked once written to the block file (write(2)); fsync every 2 minutes',
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
  if (ONLY.has('nats') && !have('nats-server')) {
    if (ONLY_GIVEN) throw new Error('nats-server is not installed (apt-get install -y nats-server)');
    ONLY.delete('nats');
    results.notes.push('nats-server not installed: NATS JetStream skipped (apt-get install -y nats-server)');
  }
  const linesFiles = ONLY.has('tributary') || ONLY.has('nats');
  const needFiles = ONLY.has('redis') || linesFiles;
  const kcatFiles = { main: join(work, 'records.txt'), warmup: join(work, 'warmup.txt') };
  const respFiles = { main: join(work, 'xadd.resp'), warmup: join(work, 'xadd-warmup.resp') };
  if ((ONLY.has('tributary') || ONLY.has('client')) && !have('kcat'))
    throw new Error('kcat is not installed (apt-get install -y kcat)');
  if (ONLY.has('redis') && !(have('redis-server') && have('redis-cli'))) {
    throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  }
  if (needFiles) {
    log(`generating input: ${N} records × ${SIZE} B (+ ${WARMUP} warm-up)`);
    if (linesFiles) {
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
    if (ONLY.has('nats')) await measureNats(kcatFiles);
    if (ONLY.has('tributary')) await measureTributary(kcatFiles);
    if (ONLY.has('client')) await measureOwnClient();
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
