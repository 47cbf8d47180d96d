/**
 * State size of a Nexmark query after N events (default q20 after 10M): per stateful operator, the
 * entries it holds and the bytes its state takes encoded as in a checkpoint, plus the JS heap in use,
 * with and without `table.exec.state.ttl`. The `nexmark` source runs unthrottled in process.
 *
 *   node --max-old-space-size=16384 --import tsx bench/nexmark/state-size.ts [--events 10000000] [--ttl '10 s'] [q20]
 */
import { readFileSync } from 'node:fs';
import { SqlSession } from '../../src/sql/index.ts';

const args = process.argv.slice(2);
const value = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const events = Math.round(Number(value('--events') ?? 10_000_000));
const ttl = value('--ttl');
const q = args.find((a, i) => /^q\d+$/.test(a) && !['--events', '--ttl'].includes(args[i - 1] ?? '')) ?? 'q20';

const dir = new URL('../../test/fixtures/nexmark/queries/', import.meta.url);
const file = (name: string): string => readFileSync(new URL(name, dir), 'utf8').replace(/--.*$/gm, '');
const ph = (name: string): string => ['$', '{', name, '}'].join('');
const ddl = file('ddl_gen.sql')
  .replaceAll(`'${ph('TPS')}'`, "'10000000'")
  .replace(`'${ph('EVENTS_NUM')}'`, `'${events}'`)
  .replace(`'${ph('PERSON_PROPORTION')}'`, "'1'")
  .replace(`'${ph('AUCTION_PROPORTION')}'`, "'3'")
  .replace(`'${ph('BID_PROPORTION')}'`, "'46'");

const s = new SqlSession({ print: () => {}, options: ttl ? { 'table.exec.state.ttl': ttl } : {} });
await s.executeScript(ddl);
await s.executeScript(file('ddl_views.sql').replaceAll(ph('NEXMARK_TABLE'), 'datagen'));
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const results = await s.executeScript(file(`${q}.sql`));
const last = results.at(-1);
if (last?.kind !== 'job') throw new Error(`${q} did not start a job`);
await last.job.wait();
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
globalThis.gc?.();
const heap = process.memoryUsage().heapUsed - heap0;
const e0 = performance.now();
const sizes = last.job.measureState();
const encodeMs = performance.now() - e0;
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`${q} after ${events.toLocaleString('en')} events${ttl ? `, table.exec.state.ttl = ${ttl}` : ''}`);
console.log(
  `  ${((events / (cpu.user + cpu.system)) * 1e6).toFixed(0)} events/s per core, ${(wall / 1000).toFixed(1)} s wall`,
);
let total = 0;
for (const o of sizes) {
  total += o.bytes ?? 0;
  console.log(
    `  ${o.id}  ${o.entries.toLocaleString('en')} entries  ${mb(o.bytes ?? 0)} MiB  ${o.operator.slice(0, 90)}`,
  );
}
console.log(
  `  total state ${mb(total)} MiB encoded in ${(encodeMs / 1000).toFixed(1)} s (${mb((total / encodeMs) * 1000)} MiB/s); JS heap grew ${mb(heap)} MiB`,
);
