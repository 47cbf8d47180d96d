/**
 * Nexmark queries on the streaming SQL engine: events/s per core for each
 * query, next to Flink's published per-core figures (bench/nexmark/README of
 * ../shared, GUIDE_V1 table: 8 workers, in-process generator, RocksDB).
 *
 * Each query runs Flink's own files unchanged (test/fixtures/nexmark/queries:
 * ddl_gen.sql with the `nexmark` connector, ddl_views.sql, qN.sql with its
 * blackhole sink) over `--events` generated events, `--rounds` times; the
 * best round is kept. "Per core" divides by the process's CPU time
 * (user + system), so a busy machine lowers wall-clock rates but not this.
 * The engine runs on one thread: per core = per process.
 *
 *   node --import tsx bench/nexmark/queries.ts [--events 300000] [--rounds 2] [--no-write] [q0 q1 ...]
 */
import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { SqlSession } from '../../src/sql/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt;
const events = Math.round(opt('--events', 300_000));
const rounds = Math.max(1, Math.round(opt('--rounds', 2)));
const write = !args.includes('--no-write');
const named = args.filter((a, i) => /^q\d+$/.test(a) && !['--events', '--rounds'].includes(args[i - 1] ?? ''));
const queries = named.length > 0 ? named : ['q0', 'q1', 'q2', 'q5', 'q11', 'q15', 'q17'];

/** Flink's per-core figures (K events/s/core) from the GUIDE_V1 table in ../shared/nexmark/README.md. */
const FLINK_PER_CORE_K: Record<string, number> = {
  q0: 155,
  q1: 158,
  q2: 175,
  q3: 152,
  q4: 34,
  q5: 22,
  q7: 12.3,
  q8: 146,
  q9: 14.2,
  q10: 57.8,
  q11: 39.7,
  q12: 75.7,
  q13: 130.7,
  q14: 161,
  q15: 72.4,
  q16: 18.7,
  q17: 116.8,
  q18: 53.7,
  q19: 44.0,
  q20: 19.0,
  q21: 98.5,
  q22: 130,
};

const dir = new URL('../../test/fixtures/nexmark/queries/', import.meta.url);
const file = (name: string): string => readFileSync(new URL(name, dir), 'utf8').replace(/--.*$/gm, '');

/** A placeholder of Flink's runner (dollar sign, braces around NAME). */
const ph = (name: string): string => ['$', '{', name, '}'].join('');

function ddl(n: number): string {
  return file('ddl_gen.sql')
    .replaceAll(`'${ph('TPS')}'`, "'10000000'")
    .replace(`'${ph('EVENTS_NUM')}'`, `'${n}'`)
    .replace(`'${ph('PERSON_PROPORTION')}'`, "'1'")
    .replace(`'${ph('AUCTION_PROPORTION')}'`, "'3'")
    .replace(`'${ph('BID_PROPORTION')}'`, "'46'");
}

interface Run {
  wallMs: number;
  cpuMs: number;
}

async function runOnce(q: string): Promise<Run> {
  const s = new SqlSession({ print: () => {} });
  await s.executeScript(ddl(events));
  await s.executeScript(file('ddl_views.sql').replaceAll(ph('NEXMARK_TABLE'), 'datagen'));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await s.executeScript(file(`${q}.sql`));
  const last = results[results.length - 1];
  if (last?.kind === 'job') await last.job.wait();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const rows: string[] = [];
console.log(`nexmark: ${events} events per run, best of ${rounds}`);
for (const q of queries) {
  let best: Run | null = null;
  let error = '';
  for (let r = 0; r < rounds; r++) {
    try {
      const run = await runOnce(q);
      if (!best || run.cpuMs < best.cpuMs) best = run;
    } catch (err) {
      error = (err as Error).message.split('\n')[0] ?? 'error';
      break;
    }
  }
  const flink = FLINK_PER_CORE_K[q];
  if (!best) {
    console.log(`${q}: ${error}`);
    rows.push(`| ${q} | – | – | ${flink ?? '–'} | – | ${error.replaceAll('|', '\\|')} |`);
    continue;
  }
  const perCore = events / (best.cpuMs / 1000);
  const wall = events / (best.wallMs / 1000);
  const ratio = flink ? (perCore / 1000 / flink).toFixed(2) : '–';
  console.log(
    `${q}: ${Math.round(perCore).toLocaleString('en-US')} events/s per core (${Math.round(wall).toLocaleString('en-US')}/s wall); Flink ${flink ?? '?'}K → ${ratio}×`,
  );
  rows.push(`| ${q} | ${Math.round(perCore / 1000)}K | ${Math.round(wall / 1000)}K | ${flink ?? '–'}K | ${ratio} | |`);
}

if (write) {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  appendFileSync(
    out,
    [
      '',
      `## Queries, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `${cpu} (${os.cpus().length} vCPUs), Node ${process.version}; \`node --import tsx bench/nexmark/queries.ts\`, ${events.toLocaleString('en-US')} events per run, best of ${rounds}; load average at end ${os.loadavg()[0]?.toFixed(2)}.`,
      'Per core = events / CPU seconds of this process (the engine is single-threaded). Flink = GUIDE_V1 per-core figure; ratio = ours / Flink.',
      '',
      '| query | ours per core | ours wall | Flink per core | ratio | note |',
      '|---|---:|---:|---:|---:|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  console.log(`appended to ${out}`);
}
