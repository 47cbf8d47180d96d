/**
 * Partition log throughput against the machine's sequential write limit,
 * measured in the same run on the same disk:
 *
 * 1. Limits: one file written with fs.writeSync in 1 MiB chunks, then fsync
 *    (MB/s including the fsync); the same without the fsync (page cache), and
 *    in batch-sized chunks; batch-sized writes each followed by an fsync.
 * 2. Append without fsync: 1 KiB records in batches of 16 (~16.6 KiB), as a
 *    broker receives them (pre-encoded; the log validates CRC and patches).
 * 3. Append with group-committed fsync: N concurrent producers each doing
 *    append + await flush() in a loop (acks=all), and one producer alone.
 * 4. Read: sequential Fetch-style reads of 1 MiB, and random-offset reads of
 *    64 KiB (page cache hot).
 *
 * Run: node --import tsx bench/log.bench.ts [--mb 1024] [--dir /path]
 * MB/s is 1e6 bytes of batches per second.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PartitionLog } from '../src/broker/log/index.ts';
import { encodeRecordBatch } from '../src/protocol/records/index.ts';

const { values: args } = parseArgs({
  options: { mb: { type: 'string', default: '1024' }, dir: { type: 'string' } },
});
const TOTAL = Number(args.mb) * 1024 * 1024;
const root = mkdtempSync(join(args.dir ?? os.tmpdir(), 'log-bench-'));
const RECORD = 1024;
const PER_BATCH = 16;

const batch = encodeRecordBatch({
  records: Array.from({ length: PER_BATCH }, (_, i) => ({
    key: `key-${i}`,
    value: Buffer.alloc(RECORD, i),
    timestamp: Date.now(),
  })),
});
const BATCHES = Math.floor(TOTAL / batch.length);
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const rows: Array<[string, number, string]> = [];
const row = (name: string, mb: number, extra = '') => {
  rows.push([name, mb, extra]);
  console.log(`${name.padEnd(52)} ${mb.toFixed(0).padStart(7)} MB/s  ${extra}`);
};

/** Writes `total` bytes in `chunkSize` writes; fsync at the end, after every write, or never. */
function sequentialWrite(chunkSize: number, fsync: 'end' | 'each' | 'none', total = TOTAL): number {
  const path = join(root, `seq-${chunkSize}-${fsync}`);
  const chunk = Buffer.alloc(chunkSize, 7);
  const fd = openSync(path, 'w');
  const t0 = performance.now();
  let written = 0;
  for (; written < total; written += chunk.length) {
    writeSync(fd, chunk);
    if (fsync === 'each') fsyncSync(fd);
  }
  if (fsync === 'end') fsyncSync(fd);
  const ms = performance.now() - t0;
  closeSync(fd);
  rmSync(path);
  return mbps(written, ms);
}

async function appendNoFsync(): Promise<{ mb: number; log: PartitionLog }> {
  const log = await PartitionLog.open(join(root, 'nofsync-0'), {});
  const t0 = performance.now();
  for (let i = 0; i < BATCHES; i++) log.append(batch);
  const ms = performance.now() - t0;
  return { mb: mbps(BATCHES * batch.length, ms), log };
}

async function appendGroupCommit(producers: number, batches: number): Promise<{ mb: number; extra: string }> {
  const log = await PartitionLog.open(join(root, `acks-all-${producers}-0`), {});
  const latencies: number[] = [];
  let left = batches;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      const own = Buffer.from(batch); // append patches the buffer it is given
      while (left-- > 0) {
        const s = performance.now();
        log.append(own);
        await log.flush();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const ms = performance.now() - t0;
  const rounds = log.fsyncRounds;
  await log.close();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2);
  return {
    mb: mbps(batches * batch.length, ms),
    extra: `${rounds} fsync rounds, ${(batches / rounds).toFixed(1)} batches/fsync, latency p50 ${p(0.5)} ms p99 ${p(0.99)} ms`,
  };
}

function readSequential(log: PartitionLog): number {
  const t0 = performance.now();
  let bytes = 0;
  for (let offset = 0; offset < log.logEndOffset; ) {
    const r = log.read(offset, 1024 * 1024);
    bytes += r.records.length;
    offset = r.nextOffset;
  }
  return mbps(bytes, performance.now() - t0);
}

function readRandom(log: PartitionLog, reads: number): { mb: number; extra: string } {
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < reads; i++)
    bytes += log.read(Math.floor(Math.random() * log.logEndOffset), 64 * 1024).records.length;
  const ms = performance.now() - t0;
  return { mb: mbps(bytes, ms), extra: `${Math.round(reads / (ms / 1000))} reads/s` };
}

console.log(
  `partition log bench: ${(TOTAL / 2 ** 20).toFixed(0)} MiB, batches of ${PER_BATCH} x ${RECORD} B records ` +
    `(${batch.length} B), dir ${root}, node ${process.version}, ${os.cpus().length} cpus\n`,
);
try {
  const seqSync = sequentialWrite(1024 * 1024, 'end');
  row('limit: sequential write 1 MiB chunks + fsync', seqSync);
  const seqCache = sequentialWrite(1024 * 1024, 'none');
  row('limit: sequential write 1 MiB chunks, no fsync', seqCache);
  const seqBatch = sequentialWrite(batch.length, 'none');
  row('limit: sequential write batch-sized chunks, no fsync', seqBatch);
  const seqEach = sequentialWrite(batch.length, 'each', Math.min(2000, BATCHES / 16) * batch.length);
  row('limit: batch-sized write + fsync each', seqEach);

  const { mb: noSync, log } = await appendNoFsync();
  row('append, no fsync', noSync, `${Math.round((noSync * 1e6) / batch.length) * PER_BATCH} records/s`);
  const tf = performance.now();
  await log.flush();
  row('  ... then one flush() of all of it', mbps(BATCHES * batch.length, performance.now() - tf));

  const seqRead = readSequential(log);
  row('read, sequential, 1 MiB per read', seqRead);
  const rnd = readRandom(log, 20_000);
  row('read, random offsets, 64 KiB per read', rnd.mb, rnd.extra);
  await log.close();

  const gc = await appendGroupCommit(64, Math.floor(BATCHES / 4));
  row('append + flush, 64 concurrent producers (acks=all)', gc.mb, gc.extra);
  const gc8 = await appendGroupCommit(8, Math.floor(BATCHES / 16));
  row('append + flush, 8 concurrent producers (acks=all)', gc8.mb, gc8.extra);
  const one = await appendGroupCommit(1, Math.min(2000, Math.floor(BATCHES / 16)));
  row('append + flush, 1 producer (acks=all)', one.mb, one.extra);

  console.log('\nratios');
  console.log(`  append no fsync / write no fsync (1 MiB)  ${(noSync / seqCache).toFixed(2)}`);
  console.log(`  append no fsync / write no fsync (batch)  ${(noSync / seqBatch).toFixed(2)}`);
  console.log(`  append no fsync / write + fsync           ${(noSync / seqSync).toFixed(2)}`);
  console.log(`  64 producers acks=all / write + fsync     ${(gc.mb / seqSync).toFixed(2)}`);
  console.log(`  8 producers acks=all / write + fsync      ${(gc8.mb / seqSync).toFixed(2)}`);
  console.log(`  1 producer acks=all / write + fsync each  ${(one.mb / seqEach).toFixed(2)}`);
  console.log(`  sequential read / write no fsync          ${(seqRead / seqCache).toFixed(2)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
