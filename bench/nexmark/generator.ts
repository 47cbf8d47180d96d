/**
 * Nexmark generator benchmark: events/s of src/sql/connectors/nexmark alone
 * on one core (this process, one thread), as table rows and as the JSON
 * Flink's insert_kafka.sql writes. No broker, no engine: this is the ceiling
 * the generator puts on a source, and what a benchmark pays per event before
 * the query starts.
 *
 * Each workload runs `--rounds` rounds of `--seconds` after a warm-up, the
 * workloads interleaved round by round; the best round is kept (on a shared
 * machine the best round is the least disturbed). Each round continues the
 * same unbounded stream, so later rounds see larger ids (as a long run
 * does). Appends a section to bench/nexmark/RESULTS.md unless --no-write.
 *
 *   node --import tsx bench/nexmark/generator.ts [--seconds 1] [--rounds 3] [--no-write]
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  encodeNexmarkJson,
  eventToJson,
  NexmarkGenerator,
  nexmarkConfig,
} from '../../src/sql/connectors/nexmark/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt;
const seconds = opt('--seconds', 1);
const rounds = Math.max(1, Math.round(opt('--rounds', 3)));
const write = !args.includes('--no-write');
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

// Flink's benchmark settings: TPS 10M (event time advances 0.1 µs per event), default proportions and sizes
const cfg = nexmarkConfig({ baseTime: Date.UTC(2015, 6, 15), firstEventRate: 10_000_000 });

interface Workload {
  name: string;
  what: string;
  gen: NexmarkGenerator;
  /** Runs `n` events, returns the bytes produced (0 for rows). */
  step: (gen: NexmarkGenerator, n: number) => number;
}

let sink = 0;
const workloads: Workload[] = [
  {
    name: 'rows',
    what: 'nextBatch(1024): positional rows (bigint ids, epoch-ms timestamps)',
    gen: new NexmarkGenerator(cfg),
    step: (g, n) => {
      for (let done = 0; done < n; done += 1024) sink += g.nextBatch(1024).length;
      return 0;
    },
  },
  {
    name: 'events',
    what: 'nextEvent(): Person/Auction/Bid objects (number ids)',
    gen: new NexmarkGenerator(cfg),
    step: (g, n) => {
      for (let i = 0; i < n; i++) sink += g.nextEvent()!.dateTime & 1;
      return 0;
    },
  },
  {
    name: 'json (from events)',
    what: 'eventToJson(nextEvent()): the Kafka record value',
    gen: new NexmarkGenerator(cfg),
    step: (g, n) => {
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += eventToJson(g.nextEvent()!).length;
      return bytes;
    },
  },
  {
    name: 'json (from rows)',
    what: 'encodeNexmarkJson(next()): row, then JSON',
    gen: new NexmarkGenerator(cfg),
    step: (g, n) => {
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += encodeNexmarkJson(g.next()!).length;
      return bytes;
    },
  },
];

interface Round {
  eventsPerSec: number;
  bytesPerEvent: number;
  cpuShare: number;
}

function measure(w: Workload, secs: number): Round {
  const chunk = 8192;
  let events = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + secs * 1000;
  while (performance.now() < end) {
    bytes += w.step(w.gen, chunk);
    events += chunk;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    eventsPerSec: events / elapsed,
    bytesPerEvent: bytes / events,
    cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

const started = Date.now();
for (const w of workloads) measure(w, 0.3); // warm-up: JIT, channel table, string pools
const best = new Map<string, Round>();
for (let r = 0; r < rounds; r++) {
  for (const w of workloads) {
    const m = measure(w, seconds);
    const prev = best.get(w.name);
    if (!prev || m.eventsPerSec > prev.eventsPerSec) best.set(w.name, m);
    console.error(`round ${r + 1} ${w.name}: ${Math.round(m.eventsPerSec).toLocaleString('en-US')} events/s`);
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const table = [
  '| workload | events/s | MB/s | bytes/event | CPU (cores) | what |',
  '|---|---:|---:|---:|---:|---|',
  ...workloads.map((w) => {
    const m = best.get(w.name)!;
    const mbs = m.bytesPerEvent > 0 ? ((m.eventsPerSec * m.bytesPerEvent) / 1e6).toFixed(1) : '–';
    const bpe = m.bytesPerEvent > 0 ? m.bytesPerEvent.toFixed(0) : '–';
    return `| ${w.name} | ${fmt(m.eventsPerSec)} | ${mbs} | ${bpe} | ${m.cpuShare.toFixed(2)} | ${w.what} |`;
  }),
].join('\n');
console.log(table);

if (write) {
  if (!existsSync(RESULTS)) {
    writeFileSync(
      RESULTS,
      [
        '# Nexmark generator benchmark results',
        '',
        'Appended by `node --import tsx bench/nexmark/generator.ts` (see its header): events/s of',
        'the generator alone on one core, default Nexmark proportions and sizes, first-event.rate',
        "10,000,000 (Flink's benchmark TPS). Best of the rounds per workload. MB/s counts the JSON",
        "text (ASCII, so characters = bytes). CPU is the process's CPU time over wall time in the",
        'kept round; the machine is shared, so rounds where other work took the core are lower.',
        '',
        '',
      ].join('\n'),
    );
  }
  const cpus = os.cpus();
  const when = new Date(started).toISOString().replace('T', ' ').slice(0, 16);
  appendFileSync(
    RESULTS,
    [
      `## ${when} UTC`,
      '',
      `${cpus[0]?.model.trim() ?? 'unknown CPU'} (${cpus.length} vCPUs), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
        `${os.type()} ${os.release()}, Node ${process.version}; ${rounds} rounds × ${seconds} s, ` +
        `load average at start ${os.loadavg()[0]!.toFixed(2)}.`,
      '',
      table,
      '',
      '',
    ].join('\n'),
  );
  console.error(`appended to ${RESULTS}`);
}
if (sink === -1) console.log(sink);
