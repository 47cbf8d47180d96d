/** Retention by time and size, segment rolling by time, DeleteRecords, delete(). */
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MemoryLogFs, NodeLogFs, PartitionLog } from '../../../src/broker/log/index.ts';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { batchesOf, defer, isKafkaError, makeBatch, openLog, readAll, tempDir } from './helpers.ts';

const HOUR = 3_600_000;

/** One segment per hour of timestamps: 5 batches stamped hour h each, then a forced roll by segment.ms. */
async function hourlyLog(t: import('node:test').TestContext, config = {}) {
  const fs = new MemoryLogFs();
  const log = await openLog(t, '/data/logs/t-0', fs, { segmentMs: HOUR - 1, retentionMs: 3 * HOUR, ...config });
  for (let h = 0; h < 6; h++) {
    for (let i = 0; i < 5; i++) log.append(makeBatch({ count: 2, timestamp: h * HOUR + i }), { now: h * HOUR });
  }
  return { fs, log };
}

describe('retention', () => {
  test('segment.ms rolls segments by the first batch timestamp', async (t) => {
    const { log } = await hourlyLog(t);
    assert.equal(log.segments().length, 6);
    assert.deepEqual(
      log.segments().map((s) => s.baseOffset),
      [0, 10, 20, 30, 40, 50],
    );
  });

  test('retention.ms deletes segments whose largest timestamp is too old', async (t) => {
    const { log } = await hourlyLog(t);
    // Segment h holds timestamps h hours + 0..5 ms; at 6h + 5ms, segments 0..2 are more than 3h old.
    const r = await log.applyRetention(6 * HOUR + 5);
    assert.deepEqual(
      r.deleted.map((d) => [d.baseOffset, d.reason]),
      [
        [0, 'retention.ms'],
        [10, 'retention.ms'],
        [20, 'retention.ms'],
      ],
    );
    assert.equal(r.logStartOffset, 30);
    assert.equal(log.logStartOffset, 30);
    assert.throws(() => log.read(29, 100), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    assert.equal(log.read(30, 1 << 20).firstOffset, 30);
    assert.equal(log.offsetForTimestamp(0)?.offset, 30);
    assert.equal((await log.applyRetention(6 * HOUR + 5)).deleted.length, 0);
  });

  test('when every segment expired the log rolls and keeps its end offset', async (t) => {
    const { log } = await hourlyLog(t);
    const r = await log.applyRetention(100 * HOUR);
    assert.equal(r.deleted.length, 6);
    assert.deepEqual(log.segments(), [{ baseOffset: 60, size: 0 }]);
    assert.equal(log.logStartOffset, 60);
    assert.equal(log.logEndOffset, 60);
    assert.equal(log.read(60, 100).records.length, 0);
    assert.equal(log.append(makeBatch()).baseOffset, 60);
  });

  test('retention.ms = -1 and a compact-only policy keep everything', async (t) => {
    for (const config of [{ retentionMs: -1 }, { cleanupPolicy: ['compact' as const] }]) {
      const { log } = await hourlyLog(t, config);
      assert.equal((await log.applyRetention(100 * HOUR)).deleted.length, 0);
    }
  });

  test('retention.bytes deletes the oldest segments while the rest stays above the limit', async (t) => {
    const { log } = await hourlyLog(t, { retentionMs: -1 });
    const sizes = log.segments().map((s) => s.size);
    const total = sizes.reduce((a, b) => a + b, 0);
    const r = await log.applyRetention(0);
    assert.equal(r.deleted.length, 0);
    log.updateConfig({ retentionBytes: total - sizes[0]! - 1 });
    const r2 = await log.applyRetention(0);
    assert.deepEqual(
      r2.deleted.map((d) => [d.baseOffset, d.reason]),
      [[0, 'retention.bytes']],
    );
    assert.equal(r2.deletedBytes, sizes[0]);
    log.updateConfig({ retentionBytes: 0 });
    await log.applyRetention(0);
    assert.equal(log.sizeInBytes(), 0);
    assert.equal(log.logStartOffset, 60);
  });

  test('deleted segment files linger as .deleted for file.delete.delay.ms', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const log = await openLog(t, dir, new NodeLogFs(), {
      segmentMs: HOUR - 1,
      retentionMs: HOUR,
      fileDeleteDelayMs: 50,
    });
    for (let h = 0; h < 3; h++) log.append(makeBatch({ timestamp: h * HOUR }), { now: h * HOUR });
    await log.applyRetention(10 * HOUR);
    const deleted = () => nodeFs.readdirSync(dir).filter((n) => n.endsWith('.deleted'));
    assert.equal(deleted().filter((n) => n.endsWith('.log.deleted')).length, 3);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(deleted().length, 0);
  });

  test('segments without timestamps are kept for retention.ms after the log opened them', async (t) => {
    let now = 1_000_000;
    const log = await openLog(t, '/l/t-0', new MemoryLogFs(), { segmentBytes: 200, retentionMs: 1000 }, () => now);
    for (let i = 0; i < 5; i++)
      log.append(makeBatch({ records: [{ key: 'k', value: 'v'.repeat(100), timestamp: -1 }] }));
    assert.equal((await log.applyRetention(now)).deleted.length, 0);
    now += 2000;
    assert.equal((await log.applyRetention(now)).deleted.length, 5);
  });
});

describe('DeleteRecords', () => {
  test('moves the log start offset, deletes whole segments below it, and persists it', async (t) => {
    const dir = join(tempDir(t), 't-0');
    const fs = new NodeLogFs();
    const log = await PartitionLog.open(dir, { segmentBytes: 1024 }, { fs });
    for (let i = 0; i < 40; i++) log.append(makeBatch({ count: 3, valueSize: 40 }));
    const segs = log.segments();
    const target = segs[2]!.baseOffset + 1;
    assert.equal(await log.deleteRecordsBefore(target), target);
    assert.deepEqual(log.segments()[0]!.baseOffset, segs[2]!.baseOffset);
    assert.throws(() => log.read(target - 1, 100), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    assert.equal(log.read(target, 100).firstOffset, segs[2]!.baseOffset);
    assert.equal(await log.deleteRecordsBefore(5), target, 'never moves back');
    await assert.rejects(log.deleteRecordsBefore(121), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    const content = readAll(log);

    // A crash (no close) keeps it too: it was checkpointed before deleteRecordsBefore resolved.
    await log.idle();
    const crashed = await openLog(t, dir, fs, { segmentBytes: 1024 });
    assert.equal(crashed.logStartOffset, target);
    assert.deepEqual(readAll(crashed), content);
    assert.equal(await crashed.deleteRecordsBefore(-1), 120, '-1 means the high watermark');
    await crashed.close();
    const reopened = await openLog(t, dir, fs, { segmentBytes: 1024 });
    assert.equal(reopened.logStartOffset, 120);
    assert.equal(reopened.read(120, 100).records.length, 0);
    assert.equal(reopened.append(makeBatch()).baseOffset, 120);
  });

  test('a log start offset past everything that survived a crash restarts the log there', async (t) => {
    let fs = new MemoryLogFs();
    const log = await PartitionLog.open('/l/t-0', {}, { fs });
    log.append(makeBatch({ count: 5 }));
    await log.flush();
    log.append(makeBatch({ count: 5 }));
    await log.deleteRecordsBefore(10); // durable, although offsets 5..9 were never flushed
    fs = fs.crash();
    const again = await openLog(t, '/l/t-0', fs);
    assert.equal(again.logStartOffset, 10);
    assert.equal(again.logEndOffset, 10);
    assert.equal(again.append(makeBatch()).baseOffset, 10);
    assert.equal(batchesOf(readAll(again)).length, 1);
  });
});

test('delete() removes the partition directory', async (t) => {
  const dir = join(tempDir(t), 't-0');
  const log = await PartitionLog.open(dir, {});
  defer(t, () => log.close());
  log.append(makeBatch());
  await log.delete();
  assert.equal(nodeFs.existsSync(dir), false);
  assert.throws(() => log.append(makeBatch()), isKafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER));
});
