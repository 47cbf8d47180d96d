/**
 * The run's report: the ratios between the parts, and the table printed on
 * stdout (bench/README.md explains every figure).
 */
import { DISK_MIB, N, REPEAT, SIZE } from './options.ts';
import { type Measured, results, round } from './stats.ts';

/** Ratios between steps, by name. */
export type Ratios = Record<string, number>;

/** Every ratio whose two steps ran. */
export function ratios(): Ratios {
  const out: Ratios = {};
  const t = results.tributary;
  const o = results.ownClient;
  const r = results.redis;
  const nats = results.nats;
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
  put(
    'tributary produce acks=1 (1 partition) / NATS JetStream publish (file storage), records/s',
    t['produce-p1-acks1']?.recordsPerSec,
    nats['publish-file']?.recordsPerSec,
  );
  put(
    'tributary consume (1 partition) / NATS JetStream consume (file storage), records/s',
    t['consume-p1-acks1']?.recordsPerSec,
    nats['consume-file']?.recordsPerSec,
  );
  put(
    'own client / kcat, produce acks=1 (1 partition), records/s',
    o['produce-p1-acks1']?.recordsPerSec,
    t['produce-p1-acks1']?.recordsPerSec,
  );
  put(
    'own client / kcat, produce acks=all (1 partition), records/s',
    o['produce-p1-acksall']?.recordsPerSec,
    t['produce-p1-acksall']?.recordsPerSec,
  );
  put(
    'own client / kcat, produce acks=1 (4 partitions), records/s',
    o['produce-p4-acks1']?.recordsPerSec,
    t['produce-p4-acks1']?.recordsPerSec,
  );
  put(
    'own client / kcat, consume (1 partition), records/s',
    o['consume-p1-acks1']?.recordsPerSec,
    t['consume-p1-acks1']?.recordsPerSec,
  );
  put(
    'own client / kcat, consume (4 partitions), records/s',
    o['consume-p4-acks1']?.recordsPerSec,
    t['consume-p4-acks1']?.recordsPerSec,
  );
  put(
    'own client produce acks=1 (1 partition) / redis XADD (no persistence), records/s',
    o['produce-p1-acks1']?.recordsPerSec,
    r['xadd-nopersist']?.recordsPerSec,
  );
  put(
    'own client produce acks=1 (1 partition) / NATS JetStream publish (file storage), records/s',
    o['produce-p1-acks1']?.recordsPerSec,
    nats['publish-file']?.recordsPerSec,
  );
  put(
    'own client consume (1 partition) / NATS JetStream consume (file storage), records/s',
    o['consume-p1-acks1']?.recordsPerSec,
    nats['consume-file']?.recordsPerSec,
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

/** Labels of the Tributary steps, after `tributary (kcat)` or `tributary (own client)`. */
const TRIBUTARY_LABELS: Record<string, string> = {
  'produce-p1-acks1': 'produce, 1 partition, acks=1',
  'produce-p1-acksall': 'produce, 1 partition, acks=all',
  'produce-p4-acks1': 'produce, 4 partitions, acks=1',
  'produce-p4-acksall': 'produce, 4 partitions, acks=all',
  'consume-p1-acks1': 'consume, 1 partition (acks=1 topic)',
  'consume-p1-acksall': 'consume, 1 partition (acks=all topic)',
  'consume-p4-acks1': 'consume, 4 partitions (acks=1 topic)',
  'consume-p4-acksall': 'consume, 4 partitions (acks=all topic)',
};

const LABELS: Record<string, string> = {
  'xadd-nopersist': 'redis XADD, no persistence',
  'xadd-aof': 'redis XADD, AOF everysec',
  'xrange-nopersist': 'redis XRANGE, no persistence',
  'xrange-aof': 'redis XRANGE, AOF everysec',
  'publish-file': 'NATS JetStream publish, file storage',
  'consume-file': 'NATS JetStream consume, file storage',
  'publish-memory': 'NATS JetStream publish, memory storage',
  'consume-memory': 'NATS JetStream consume, memory storage',
};

/** The headline ratio's target: at least this. */
export const TARGET_RATIO = 1.5;
/** The headline ratio, the one with a target. */
export const TARGET_KEY = 'tributary produce acks=1 (1 partition) / redis XADD (no persistence), records/s';

/** Prints the table of every step, the ratios and the notes on stdout. */
export function report(rs: Ratios): void {
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
  const add = (label: string, r: Measured): void => {
    rows.push([
      label,
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
  for (const [k, r] of Object.entries(results.tributary)) add(`tributary (kcat) ${TRIBUTARY_LABELS[k] ?? k}`, r);
  for (const [k, r] of Object.entries(results.ownClient)) {
    add(`tributary (own client) ${TRIBUTARY_LABELS[k] ?? k}`, r);
  }
  for (const [k, r] of Object.entries(results.redis)) add(LABELS[k] ?? k, r);
  for (const [k, r] of Object.entries(results.nats)) add(LABELS[k] ?? k, r);
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
