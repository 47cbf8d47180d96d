/**
 * Recovery on open: torn tails, corrupt batches, missing or corrupt indexes,
 * leftovers of interrupted compactions and deletions, and power loss
 * simulated by the in-memory file system.
 */
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { MemoryLogFs, NodeLogFs, PartitionLog, segmentFileName } from '../../../src/broker/log/index.ts';
import { decodeRecordBatch } from '../../../src/protocol/records/index.ts';
import { batchesOf, defer, makeBatch, openLog, readAll, tempDir, withBaseOffset } from './helpers.ts';

const CONFIG = { segmentBytes: 4096, indexIntervalBytes: 256 };

/** Appends `n` batches and returns their stored bytes; the log is left open (as a crash leaves it). */
function fill(log: PartitionLog, n: number, from = 0): Buffer[] {
  const out: Buffer[] = [];
  for (let i = from; i < from + n; i++) {
    const b = makeBatch({ count: 1 + (i % 4), valueSize: 50 + (i % 9) * 10, timestamp: 1_000_000 + i });
    out.push(withBaseOffset(b, log.append(Buffer.from(b)).baseOffset));
  }
  return out;
}

function lastSegmentPath(dir: string): string {
  const logs = nodeFs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort();
  return join(dir, logs[logs.length - 1]!);
}

function removeIndexes(dir: string): void {
  for (const n of nodeFs.readdirSync(dir)) if (n.endsWith('index')) nodeFs.rmSync(join(dir, n));
}

/** Opens `dir` as after a crash: the old PartitionLog is simply abandoned. */
async function crashAndReopen(t: TestContext, log: PartitionLog, dir: string, tamper: () => void) {
  await log.idle(); // a real crash stops the process; here the old log's background syncs must finish first
  tamper();
  return openLog(t, dir, new NodeLogFs(), CONFIG);
}

describe('recovery', () => {
  test('a torn tail is truncated to the last whole batch; indexes are rebuilt', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 200);
    const lastBytes = stored[stored.length - 1]!;
    const log2 = await crashAndReopen(t, log, dir, () => {
      const p = lastSegmentPath(dir);
      nodeFs.truncateSync(p, nodeFs.statSync(p).size - Math.floor(lastBytes.length / 2));
      removeIndexes(dir);
    });
    assert.equal(log2.recovery.cleanShutdown, false);
    assert.ok(log2.recovery.truncatedBytes > 0);
    const expected = Buffer.concat(stored.slice(0, -1));
    assert.deepEqual(readAll(log2), expected);
    const lastGood = batchesOf(stored[stored.length - 2]!)[0]!;
    assert.equal(log2.logEndOffset, lastGood.lastOffset + 1);
    for (let o = 0; o < log2.logEndOffset; o += 7) {
      const b = batchesOf(log2.read(o, 1).records)[0]!;
      assert.ok(b.baseOffset <= o && o <= b.lastOffset);
    }
    const next = fill(log2, 5, 1000);
    assert.equal(batchesOf(next[0]!)[0]!.baseOffset, lastGood.lastOffset + 1);
    await log2.close();
    for (const n of nodeFs.readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      assert.ok(nodeFs.existsSync(join(dir, n.replace('.log', '.index'))), `index for ${n}`);
      assert.ok(nodeFs.existsSync(join(dir, n.replace('.log', '.timeindex'))), `time index for ${n}`);
    }
  });

  test('garbage after the last batch is cut off', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 50);
    const log2 = await crashAndReopen(t, log, dir, () => {
      nodeFs.appendFileSync(lastSegmentPath(dir), Buffer.from('not a record batch at all, just junk'));
    });
    assert.deepEqual(readAll(log2), Buffer.concat(stored));
    assert.equal(log2.recovery.truncatedBytes, 36);
  });

  test('zeros after the last batch (a preallocated or half-written tail) are cut off', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 50);
    const log2 = await crashAndReopen(t, log, dir, () =>
      nodeFs.appendFileSync(lastSegmentPath(dir), Buffer.alloc(100)),
    );
    assert.deepEqual(readAll(log2), Buffer.concat(stored));
  });

  test('a flipped byte in the last batch fails its CRC and drops it', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 60);
    const log2 = await crashAndReopen(t, log, dir, () => {
      const p = lastSegmentPath(dir);
      const buf = nodeFs.readFileSync(p);
      buf[buf.length - 5]! ^= 0x40;
      nodeFs.writeFileSync(p, buf);
    });
    assert.match(log2.recovery.problem ?? '', /CRC/);
    assert.deepEqual(readAll(log2), Buffer.concat(stored.slice(0, -1)));
  });

  test('corruption in an earlier segment truncates there and drops later segments', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 200);
    const segments = log.segments();
    assert.ok(segments.length >= 5);
    const victim = segments[2]!;
    const log2 = await crashAndReopen(t, log, dir, () => {
      nodeFs.rmSync(join(dir, 'log.checkpoint')); // no recovery point: everything is scanned
      const p = join(dir, segmentFileName(victim.baseOffset, 'log'));
      const buf = nodeFs.readFileSync(p);
      buf[Math.floor(buf.length / 2)]! ^= 1;
      nodeFs.writeFileSync(p, buf);
    });
    assert.equal(log2.segments().length, 3);
    assert.deepEqual(
      log2.recovery.droppedSegments,
      segments.slice(3).map((s) => s.baseOffset),
    );
    const kept = readAll(log2);
    assert.ok(kept.length < Buffer.concat(stored).length);
    assert.deepEqual(kept, Buffer.concat(stored).subarray(0, kept.length));
  });

  test('after a clean shutdown, broken or missing index files are rebuilt when first used', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 150);
    await log.close();
    const names = nodeFs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.index'))
      .sort();
    nodeFs.writeFileSync(join(dir, names[0]!), Buffer.from('garbage!garbage!'));
    nodeFs.rmSync(join(dir, names[1]!.replace('.index', '.timeindex')));
    nodeFs.truncateSync(join(dir, names[2]!), 5);
    const warnings: string[] = [];
    const log2 = await PartitionLog.open(dir, CONFIG, { warn: (m) => warnings.push(m) });
    defer(t, () => log2.close());
    assert.equal(log2.recovery.cleanShutdown, true);
    assert.deepEqual(readAll(log2), Buffer.concat(stored));
    // Batch i holds records stamped 1_000_000 + i, + i + 1, ... (1 + i % 4 of them).
    const firstAt = stored.flatMap((b) => decodeRecordBatch(b).records).find((r) => r.timestamp >= 1_000_010n)!.offset;
    assert.equal(log2.offsetForTimestamp(1_000_010)?.offset, Number(firstAt));
    assert.equal(warnings.length, 3);
  });

  test('a tail cut after a clean shutdown is still detected', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 100);
    await log.close();
    const p = lastSegmentPath(dir);
    nodeFs.truncateSync(p, nodeFs.statSync(p).size - 10);
    const log2 = await openLog(t, dir, new NodeLogFs(), CONFIG);
    assert.deepEqual(readAll(log2), Buffer.concat(stored.slice(0, -1)));
    assert.equal(log2.append(makeBatch()).baseOffset, batchesOf(stored[stored.length - 2]!)[0]!.lastOffset + 1);
  });

  test('leftover .cleaned, .deleted and .tmp files are removed', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 100);
    await log.close();
    for (const n of [
      '00000000000000000000.log.cleaned',
      '00000000000000000000.index.cleaned',
      '00000000000000000077.log.deleted',
      'log.checkpoint.tmp',
    ]) {
      nodeFs.writeFileSync(join(dir, n), 'leftover');
    }
    const log2 = await openLog(t, dir, new NodeLogFs(), CONFIG);
    assert.equal(log2.recovery.leftovers.length, 4);
    assert.deepEqual(readAll(log2), Buffer.concat(stored));
    assert.ok(!nodeFs.readdirSync(dir).some((n) => /cleaned|deleted|tmp/.test(n)));
  });

  test('a .swap left by an interrupted compaction replaces the segments it covers', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await PartitionLog.open(dir, CONFIG);
    const stored = fill(log, 100);
    const segs = log.segments();
    await log.close();
    // As if compaction had merged the first three segments (keeping everything) and crashed after the commit point.
    const merged = Buffer.concat(
      segs.slice(0, 3).map((s) => nodeFs.readFileSync(join(dir, segmentFileName(s.baseOffset, 'log')))),
    );
    nodeFs.writeFileSync(join(dir, `${segmentFileName(0, 'log')}.swap`), merged);
    nodeFs.renameSync(
      join(dir, segmentFileName(segs[1]!.baseOffset, 'log')),
      join(dir, `${segmentFileName(segs[1]!.baseOffset, 'log')}.deleted`),
    );
    const log2 = await openLog(t, dir, new NodeLogFs(), CONFIG);
    assert.deepEqual(
      log2.segments().map((s) => s.baseOffset),
      [0, ...segs.slice(3).map((s) => s.baseOffset)],
    );
    assert.deepEqual(readAll(log2), Buffer.concat(stored));
    assert.ok(!nodeFs.readdirSync(dir).some((n) => /swap|deleted/.test(n)));
  });

  test('a segment whose unsynced tail was lost whole is the end of the log, not a hole', async () => {
    const mem = new MemoryLogFs();
    const dir = '/data/logs/t-0';
    const log = await PartitionLog.open(dir, { segmentBytes: 1500 }, { fs: mem });
    log.append(makeBatch({ count: 2, valueSize: 300 }));
    await log.flush(); // offsets 0-1 durable
    log.append(makeBatch({ count: 2, valueSize: 300 })); // 2-3, same segment, not synced
    log.append(makeBatch({ count: 2, valueSize: 300 })); // 4-5, rolls into segment 4
    assert.deepEqual(
      log.segments().map((s) => s.baseOffset),
      [0, 4],
    );
    await mem.fsyncDir(dir); // segment 4's name became durable (as any directory fsync would do), no data did
    const after = await PartitionLog.open(dir, {}, { fs: mem.crash() });
    assert.equal(after.logEndOffset, 2);
    assert.deepEqual(after.recovery.droppedSegments, [4]);
    assert.equal(after.append(makeBatch()).baseOffset, 2);
  });

  test('power loss (in-memory fs): every flushed batch survives, whatever was in flight', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 40; round++) {
      let fs = new MemoryLogFs();
      const dir = '/data/logs/t-0';
      let log = await PartitionLog.open(dir, { ...CONFIG, segmentBytes: 1500 + Math.floor(random() * 3000) }, { fs });
      const acked = new Map<number, Buffer>();
      for (let crash = 0; crash < 3; crash++) {
        const steps = 20 + Math.floor(random() * 80);
        for (let i = 0; i < steps; i++) {
          const b = makeBatch({
            count: 1 + Math.floor(random() * 5),
            valueSize: 20 + Math.floor(random() * 200),
            timestamp: i,
          });
          const r = log.append(Buffer.from(b));
          if (random() < 0.3) {
            await log.flush();
            acked.set(r.baseOffset, withBaseOffset(b, r.baseOffset));
          }
          // Let background work (syncs after rolls, checkpoints) run at varying points.
          if (random() < 0.1) await new Promise((r) => setImmediate(r));
        }
        if (random() < 0.2) await log.deleteRecordsBefore(Math.floor(log.highWatermark / 3));
        const start = log.logStartOffset;
        fs = fs.crash(random() < 0.5 ? 'torn' : 'lose-unsynced', random);
        log = await PartitionLog.open(dir, log.config, { fs });
        assert.ok(log.logStartOffset >= start, `round ${round}: log start offset went back`);
        for (const [offset, bytes] of acked) {
          if (offset < log.logStartOffset) continue;
          assert.deepEqual(log.read(offset, 1).records, bytes, `round ${round}: acked batch at ${offset}`);
        }
        const all = batchesOf(readAll(log));
        for (let k = 1; k < all.length; k++) assert.equal(all[k]!.baseOffset, all[k - 1]!.lastOffset + 1);
      }
      await log.close();
      assert.equal(fs.openFiles, 0);
    }
  });
});
