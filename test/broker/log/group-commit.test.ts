/**
 * flush(): group commit (concurrent callers share fsyncs), nothing to do when
 * nothing is dirty, and a failed write or fsync taking the log offline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from '../../../src/broker/log/group-commit.ts';
import { FaultyLogFs, MemoryLogFs, PartitionLog } from '../../../src/broker/log/index.ts';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { isKafkaError, makeBatch, openLog, readAll } from './helpers.ts';

const DIR = '/data/logs/t-0';

async function faultyLog(t: import('node:test').TestContext, config = {}) {
  const mem = new MemoryLogFs();
  const fs = new FaultyLogFs(mem);
  const log = await openLog(t, DIR, fs, config);
  return { mem, fs, log };
}

describe('group commit', () => {
  test('concurrent flushes share a few fsyncs', async (t) => {
    const { fs, log } = await faultyLog(t);
    fs.fsyncDelayMs = 10;
    const before = fs.counts.fsync;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      log.append(makeBatch());
      waits.push(log.flush());
    }
    await Promise.all(waits);
    // All 200 appends came before the first fsync started: one round covers them all.
    assert.equal(fs.counts.fsync - before, 1);

    // Appenders interleaved with fsyncs: each round covers everyone who arrived during the previous one.
    const start = log.fsyncRounds;
    await Promise.all(
      Array.from({ length: 50 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          log.append(makeBatch({ fill: w }));
          await log.flush();
          await new Promise((r) => setTimeout(r, 1));
        }
      }),
    );
    const rounds = log.fsyncRounds - start;
    assert.ok(rounds <= 30, `500 acknowledged appends took ${rounds} fsync rounds`);
  });

  test('flush with nothing written does not fsync', async (t) => {
    const { fs, log } = await faultyLog(t);
    log.append(makeBatch());
    await log.flush();
    const n = fs.counts.fsync + fs.counts.fsyncDir;
    await log.flush();
    await Promise.all([log.flush(), log.flush()]);
    assert.equal(fs.counts.fsync + fs.counts.fsyncDir, n);
  });

  test('a caller arriving during an fsync waits for the next one, which covers its data', async (t) => {
    const { mem, fs, log } = await faultyLog(t);
    fs.fsyncDelayMs = 20;
    log.append(makeBatch({ fill: 1 }));
    const first = log.flush();
    await new Promise((r) => setTimeout(r, 5)); // the fsync is now in progress
    log.append(makeBatch({ fill: 2 }));
    let secondDone = false;
    const second = log.flush().then(() => {
      secondDone = true;
    });
    await first;
    assert.equal(secondDone, false);
    await second;
    const after = await PartitionLog.open(DIR, {}, { fs: mem.crash() });
    assert.equal(after.logEndOffset, 2);
  });

  test('GroupCommit runs at most one sync at a time', async () => {
    let running = 0;
    let max = 0;
    const gc = new GroupCommit(async () => {
      max = Math.max(max, ++running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 5; i++) {
          gc.markWritten();
          await gc.flush();
        }
      }),
    );
    assert.equal(max, 1);
    assert.equal(gc.pending, false);
  });

  test('a failed fsync rejects every waiting flush and takes the log offline', async (t) => {
    const { mem, fs, log } = await faultyLog(t);
    log.append(makeBatch());
    await log.flush();
    fs.fsyncDelayMs = 10;
    log.append(makeBatch());
    fs.failNextFsync();
    const a = log.flush();
    const b = log.flush();
    await new Promise((r) => setTimeout(r, 2));
    log.append(makeBatch());
    const queued = log.flush(); // waits for the next round, which must fail too
    for (const p of [a, b, queued]) await assert.rejects(p, isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    assert.equal(log.offline, true);
    assert.throws(() => log.append(makeBatch()), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    await assert.rejects(log.flush(), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    assert.throws(() => log.read(0, 100), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    await assert.rejects(log.applyRetention(), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    await log.close(); // releases the files; the error was already reported
    // The disk came back: reopening recovers the log (no clean-shutdown marker was written).
    const again = await openLog(t, DIR, mem);
    assert.equal(again.recovery.cleanShutdown, false);
    assert.equal(again.logEndOffset, 3);
    assert.equal(again.append(makeBatch()).baseOffset, 3);
  });

  test('a failed write fails the append with KAFKA_STORAGE_ERROR and takes the log offline', async (t) => {
    const { fs, log } = await faultyLog(t);
    log.append(makeBatch());
    fs.failNextWrite();
    assert.throws(() => log.append(makeBatch()), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    assert.equal(log.logEndOffset, 1);
    assert.throws(() => log.append(makeBatch()), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    await assert.rejects(log.flush(), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
  });

  test('a failed fsync of a rolled segment in the background takes the log offline', async (t) => {
    const { fs, log } = await faultyLog(t, { segmentBytes: 500 });
    log.append(makeBatch({ valueSize: 300 }));
    fs.failNextFsync();
    log.append(makeBatch({ valueSize: 300 })); // rolls; the old segment is synced in the background
    await log.idle();
    assert.equal(log.offline, true);
    await assert.rejects(log.flush(), isKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
  });

  test('flush.messages and flush.ms trigger fsyncs on their own', async (t) => {
    let now = 1000;
    const mem = new MemoryLogFs();
    const fs = new FaultyLogFs(mem);
    const log = await openLog(t, DIR, fs, { flushMessages: 10, flushMs: 5000 }, () => now);
    const base = fs.counts.fsync;
    for (let i = 0; i < 9; i++) log.append(makeBatch());
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(fs.counts.fsync, base);
    log.append(makeBatch());
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(fs.counts.fsync, base + 1);
    log.append(makeBatch());
    await log.flushIfDue();
    assert.equal(fs.counts.fsync, base + 1);
    now += 5000;
    await log.flushIfDue();
    assert.equal(fs.counts.fsync, base + 2);
    assert.equal(readAll(log).length > 0, true);
  });
});
