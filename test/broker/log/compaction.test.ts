/** Compaction: what is kept, offsets, tombstones, transactions, and crash safety of the swap. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LogFs, MemoryLogFs, type OpenMode, PartitionLog } from '../../../src/broker/log/index.ts';
import {
  ControlRecordType,
  decodeRecordBatch,
  encodeEndTxnMarkerBatch,
  type RecordInput,
} from '../../../src/protocol/records/index.ts';
import { makeBatch, openLog, readAll } from './helpers.ts';

const DIR = '/data/logs/compacted-0';
const CONFIG = { cleanupPolicy: ['compact' as const], segmentBytes: 1024, indexIntervalBytes: 128 };

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** Every record of the log, decoded. */
function recordsOf(log: PartitionLog): Rec[] {
  const out: Rec[] = [];
  const buf = readAll(log, log.logStartOffset, 1 << 20);
  for (let p = 0; p < buf.length; ) {
    const batch = decodeRecordBatch(buf, { offset: p });
    if (!batch.isControl) {
      for (const r of batch.records) {
        out.push({
          offset: Number(r.offset),
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          timestamp: Number(r.timestamp),
        });
      }
    }
    p += batch.size;
  }
  return out;
}

/** What compaction must leave: below `cleanEnd` only each key's latest record (tombstones included). */
function expectedAfter(records: Rec[], cleanEnd: number): Rec[] {
  const latest = new Map<string, number>();
  for (const r of records) if (r.offset < cleanEnd && r.key !== null) latest.set(r.key, r.offset);
  return records.filter((r) => r.offset >= cleanEnd || latest.get(r.key!) === r.offset);
}

function put(log: PartitionLog, key: string, value: string | null, timestamp = 0): number {
  return log.append(makeBatch({ records: [{ key, value, timestamp }] })).baseOffset;
}

function assertIncreasing(records: Rec[]): void {
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.offset > records[i - 1]!.offset);
}

describe('compaction', () => {
  test('keeps the latest value of each key, never renumbering', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), CONFIG);
    for (let i = 0; i < 120; i++) put(log, `k${i % 10}`, `value-${i}`, i);
    const before = recordsOf(log);
    const segmentsBefore = log.segments().length;
    const cleanEnd = log.segments().at(-1)!.baseOffset;
    const stats = await log.compact(1000);
    assert.equal(stats.skipped, null);
    assert.equal(stats.cleanedUpTo, cleanEnd);
    const after = recordsOf(log);
    assert.deepEqual(after, expectedAfter(before, cleanEnd));
    assertIncreasing(after);
    assert.equal(log.segments().length, segmentsBefore, 'groups are formed by the sizes before cleaning, as in Kafka');
    assert.equal(log.logEndOffset, 120);
    assert.equal(stats.recordsRemoved, before.length - after.length);
    // Reads at removed offsets land on the next surviving batch.
    const r = log.read(0, 1 << 20);
    assert.ok(r.records.length > 0);
    assert.equal((await log.compact(1000)).skipped, 'nothing-to-clean');
    // A second pass merges the now small segments.
    await log.compact(1000, { force: true });
    assert.ok(log.segments().length < segmentsBefore / 2);
    assert.deepEqual(recordsOf(log), after);
  });

  test('the cleaner offset survives a reopen and later runs clean only new dirt', async (t) => {
    const fs = new MemoryLogFs();
    const log = await PartitionLog.open(DIR, CONFIG, { fs });
    for (let i = 0; i < 120; i++) put(log, `k${i % 10}`, `a-${i}`);
    await log.compact(1000);
    const after = recordsOf(log);
    await log.close();
    const again = await openLog(t, DIR, fs, CONFIG);
    assert.deepEqual(recordsOf(again), after);
    assert.equal((await again.compact(1000)).skipped, 'nothing-to-clean');
    for (let i = 0; i < 30; i++) put(again, `k${i % 3}`, `b-${i}`);
    const before = recordsOf(again);
    const cleanEnd = again.segments().at(-1)!.baseOffset;
    const stats = await again.compact(1000, { force: true });
    assert.equal(stats.skipped, null);
    assert.deepEqual(recordsOf(again), expectedAfter(before, cleanEnd));
  });

  test('min.cleanable.dirty.ratio defers cleaning; force overrides it', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), { ...CONFIG, minCleanableDirtyRatio: 0.9 });
    for (let i = 0; i < 100; i++) put(log, `k${i % 50}`, `v${i}`);
    await log.compact(0, { force: true });
    for (let i = 0; i < 20; i++) put(log, `k${i}`, `w${i}`);
    const stats = await log.compact(0);
    assert.equal(stats.skipped, 'below-dirty-ratio');
    assert.ok(stats.dirtyRatio > 0 && stats.dirtyRatio < 0.9);
    assert.equal((await log.compact(0, { force: true })).skipped, null);
  });

  test('min.compaction.lag.ms keeps recent segments out of reach', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), { ...CONFIG, minCompactionLagMs: 10_000 });
    for (let i = 0; i < 120; i++) put(log, `k${i % 10}`, `v${i}`, i < 60 ? 1000 : 50_000);
    const before = recordsOf(log);
    const firstRecent = log.segments().find((s) => s.baseOffset >= 60)!;
    // The segment holding offset 59 (timestamp 1000) ... and everything after it are too young at 55_000.
    const stats = await log.compact(55_000);
    assert.equal(stats.skipped, null);
    assert.ok(stats.cleanedUpTo <= 60 && stats.cleanedUpTo <= firstRecent.baseOffset);
    assert.deepEqual(recordsOf(log), expectedAfter(before, stats.cleanedUpTo));
    assert.ok(recordsOf(log).some((r) => r.offset >= 60 && r.offset < 100));
  });

  test('tombstones are kept for delete.retention.ms after the cleaner first sees them', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), { ...CONFIG, deleteRetentionMs: 1000 });
    put(log, 'gone', 'x', 5);
    put(log, 'gone', null, 6);
    for (let i = 0; i < 60; i++) put(log, `k${i % 5}`, `v${i}`, 10 + i);
    const t0 = 100_000;
    await log.compact(t0);
    const tomb = recordsOf(log).filter((r) => r.key === 'gone');
    assert.deepEqual(tomb, [{ offset: 1, key: 'gone', value: null, timestamp: 6 }]);
    assert.equal((await log.compact(t0 + 999)).skipped, 'nothing-to-clean');
    assert.equal(recordsOf(log).filter((r) => r.key === 'gone').length, 1);
    const stats = await log.compact(t0 + 1000);
    assert.equal(stats.skipped, null);
    assert.equal(stats.tombstonesRemoved, 1);
    assert.deepEqual(
      recordsOf(log).filter((r) => r.key === 'gone'),
      [],
    );
  });

  test('compressed batches losing records are re-encoded with their codec, timestamps and producer fields', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), { ...CONFIG, segmentBytes: 2048 });
    const records = (tag: string): RecordInput[] =>
      Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `${tag}${i}`.repeat(10), timestamp: 500 + i }));
    log.append(
      makeBatch({ records: records('a'), compression: 1, producerId: 42n, producerEpoch: 3, baseSequence: 0 }),
    );
    log.append(makeBatch({ records: records('b').slice(0, 4), compression: 3 }));
    for (let i = 0; i < 40; i++) put(log, `filler${i}`, 'f'.repeat(60));
    const before = recordsOf(log);
    await log.compact(0, { force: true });
    assert.deepEqual(recordsOf(log), expectedAfter(before, log.segments().at(-1)!.baseOffset));
    const first = decodeRecordBatch(log.read(0, 1).records);
    assert.equal(first.compression, 1);
    assert.equal(first.producerId, 42n);
    assert.equal(first.producerEpoch, 3);
    assert.equal(first.baseSequence, 0);
    assert.equal(first.lastOffsetDelta, 7, 'the last offset of the batch is kept (producer sequence state)');
    assert.deepEqual(
      first.records.map((r) => [Number(r.offset), Number(r.timestamp)]),
      [
        [4, 504],
        [5, 505],
        [6, 506],
        [7, 507],
      ],
    );
  });

  test('aborted transactions are dropped, committed ones compacted, open ones left alone', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), CONFIG);
    const txn = (value: string, seq: number) =>
      log.append(
        makeBatch({
          records: [{ key: 'k', value }],
          producerId: 7n,
          producerEpoch: 0,
          baseSequence: seq,
          transactional: true,
        }),
      );
    const marker = (type: 0 | 1) =>
      log.append(encodeEndTxnMarkerBatch({ type, producerId: 7n, producerEpoch: 0, coordinatorEpoch: 1 }), {
        origin: 'internal',
      });
    put(log, 'k', 'plain'); // 0
    txn('committed', 0); // 1
    marker(ControlRecordType.COMMIT); // 2
    txn('aborted', 1); // 3
    marker(ControlRecordType.ABORT); // 4
    put(log, 'other', 'x'); // 5
    txn('open', 2); // 6
    for (let i = 0; i < 40; i++) put(log, `f${i}`, 'f'.repeat(60));
    await log.compact(0, { force: true });
    const kept = recordsOf(log).filter((r) => r.key === 'k');
    assert.deepEqual(
      kept.map((r) => [r.offset, r.value]),
      [
        [1, 'committed'],
        [6, 'open'],
      ],
    );
    const all = readAll(log, 0, 1 << 20);
    const controls: number[] = [];
    for (let p = 0; p < all.length; ) {
      const b = decodeRecordBatch(all, { offset: p });
      if (b.isControl) controls.push(Number(b.baseOffset));
      p += b.size;
    }
    assert.deepEqual(controls, [2, 4]);
  });

  test("an idempotent producer's last batch stays, as an empty batch, when all its records go", async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), CONFIG);
    log.append(makeBatch({ records: [{ key: 'a', value: '1' }], producerId: 9n, producerEpoch: 0, baseSequence: 0 }));
    log.append(makeBatch({ records: [{ key: 'a', value: '2' }], producerId: 9n, producerEpoch: 0, baseSequence: 1 }));
    put(log, 'a', '3');
    for (let i = 0; i < 40; i++) put(log, `f${i}`, 'f'.repeat(60));
    await log.compact(0, { force: true });
    assert.deepEqual(
      recordsOf(log)
        .filter((r) => r.key === 'a')
        .map((r) => r.value),
      ['3'],
    );
    assert.equal(log.read(0, 1).firstOffset, 1, 'the first batch is gone');
    const kept = decodeRecordBatch(log.read(1, 1).records);
    assert.equal(kept.recordsCount, 0);
    assert.equal(kept.producerId, 9n);
    assert.equal(kept.baseSequence, 1);
  });

  test('appends and reads go on while compaction runs', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), { ...CONFIG, segmentBytes: 8192 });
    for (let i = 0; i < 3000; i++) put(log, `k${i % 100}`, `v${i}`.padEnd(40, '.'));
    const running = log.compact(0, { force: true });
    let appended = 0;
    let finished = false;
    running.then(() => (finished = true));
    while (!finished) {
      put(log, `late${appended}`, 'x');
      appended++;
      log.read(log.logStartOffset, 4096);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await running).skipped, null);
    assert.ok(appended > 1, `only ${appended} appends interleaved`);
    assert.equal(log.logEndOffset, 3000 + appended);
    const late = recordsOf(log).filter((r) => r.key?.startsWith('late'));
    assert.equal(late.length, appended);
    assertIncreasing(recordsOf(log));
  });
});

/** A LogFs that takes a power-loss snapshot after every metadata change and fsync. */
class SnapshottingFs implements LogFs {
  readonly mem = new MemoryLogFs();
  snapshots: MemoryLogFs[] = [];
  recording = false;
  #snap(): void {
    if (this.recording) this.snapshots.push(this.mem.crash());
  }
  mkdir = (p: string) => this.mem.mkdir(p);
  readdir = (p: string) => this.mem.readdir(p);
  exists = (p: string) => this.mem.exists(p);
  open = (p: string, m: OpenMode) => this.mem.open(p, m);
  close = (fd: number) => this.mem.close(fd);
  size = (fd: number) => this.mem.size(fd);
  read = (fd: number, b: Uint8Array, o: number, l: number, p: number) => this.mem.read(fd, b, o, l, p);
  write = (fd: number, b: Uint8Array, o: number, l: number, p: number) => this.mem.write(fd, b, o, l, p);
  truncate = (fd: number, l: number) => this.mem.truncate(fd, l);
  fsync = async (fd: number) => {
    await this.mem.fsync(fd);
    this.#snap();
  };
  fsyncDir = async (p: string) => {
    await this.mem.fsyncDir(p);
    this.#snap();
  };
  rename = (a: string, b: string) => {
    this.mem.rename(a, b);
    this.#snap();
  };
  unlink = (p: string) => {
    this.mem.unlink(p);
    this.#snap();
  };
  rmrf = (p: string) => this.mem.rmrf(p);
}

test('a crash at any point of compaction leaves the log before or after it, never in between', async (t) => {
  const fs = new SnapshottingFs();
  const config = { ...CONFIG, segmentBytes: 700, fileDeleteDelayMs: 0 };
  const log = await openLog(t, DIR, fs, config);
  for (let i = 0; i < 150; i++) put(log, `k${i % 7}`, `v${i}`, i);
  await log.flush();
  await log.idle();
  const key = (r: Rec) => `${r.offset}:${r.key}:${r.value}`;
  const before = new Set(recordsOf(log).map(key));
  fs.recording = true;
  const stats = await log.compact(0, { force: true });
  fs.recording = false;
  assert.ok(stats.segmentsBefore > 3);
  const after = new Set(recordsOf(log).map(key));
  assert.ok(fs.snapshots.length > 10, `${fs.snapshots.length} crash points`);
  for (const [i, snap] of fs.snapshots.entries()) {
    const recovered = await PartitionLog.open(DIR, config, { fs: snap });
    const got = recordsOf(recovered);
    assertIncreasing(got);
    for (const r of got) assert.ok(before.has(key(r)), `crash point ${i}: ${key(r)} was never written`);
    for (const k of after)
      assert.ok(
        got.some((r) => key(r) === k),
        `crash point ${i}: lost ${k}`,
      );
    assert.equal(recovered.logEndOffset, 150);
    await recovered.close();
  }
});
