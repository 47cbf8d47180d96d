/**
 * The partition log's conformance suite, run against every storage
 * (node:fs and the in-memory file system) by conformance.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartitionLog } from '../../../src/broker/log/index.ts';
import { ErrorCode } from '../../../src/protocol/errors.ts';
import { decodeRecordBatch, encodeRecordBatch, updateCrc, verifyCrc } from '../../../src/protocol/records/index.ts';
import { batchesOf, isKafkaError, type LogStorage, makeBatch, openLog, readAll, withBaseOffset } from './helpers.ts';

export function runLogConformance(storage: LogStorage): void {
  describe(`partition log conformance (${storage.name})`, () => {
    test('append then read returns the bytes with only the base offset patched', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs);
      const a = makeBatch({ count: 3 });
      const b = makeBatch({ count: 2, compression: 1 });
      const r1 = log.append(Buffer.from(a));
      const r2 = log.append(Buffer.from(b));
      assert.deepEqual([r1.baseOffset, r1.lastOffset, r1.recordCount], [0, 2, 3]);
      assert.deepEqual([r2.baseOffset, r2.lastOffset], [3, 4]);
      assert.equal(r1.logAppendTime, -1);
      assert.equal(r1.maxTimestamp, 1_000_002);
      assert.equal(log.logEndOffset, 5);
      assert.equal(log.highWatermark, 5);
      const got = log.read(0, 1 << 20);
      assert.deepEqual(got.records, Buffer.concat([withBaseOffset(a, 0), withBaseOffset(b, 3)]));
      assert.equal(got.firstOffset, 0);
      assert.equal(got.nextOffset, 5);
      assert.equal(log.read(5, 1000).records.length, 0);
    });

    test('several batches in one append get contiguous offsets', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs);
      log.append(makeBatch({ count: 1 }));
      const r = log.append(Buffer.concat([makeBatch({ count: 4 }), makeBatch({ count: 6 })]));
      assert.deepEqual([r.baseOffset, r.lastOffset, r.recordCount], [1, 10, 10]);
      assert.deepEqual(
        batchesOf(readAll(log)).map((b) => [b.baseOffset, b.lastOffset]),
        [
          [0, 0],
          [1, 4],
          [5, 10],
        ],
      );
    });

    test('offsets stay contiguous across many appends and segment rolls', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs, { segmentBytes: 4096, indexIntervalBytes: 256 });
      const appended: Buffer[] = [];
      let next = 0;
      for (let i = 0; i < 300; i++) {
        const batch = makeBatch({ count: 1 + (i % 7), valueSize: 10 + (i % 50), timestamp: 1_000_000 + i * 10 });
        const r = log.append(Buffer.from(batch));
        assert.equal(r.baseOffset, next);
        next = r.lastOffset + 1;
        appended.push(withBaseOffset(batch, r.baseOffset));
      }
      assert.ok(log.segments().length > 10, `expected rolls, got ${log.segments().length} segments`);
      for (const s of log.segments()) assert.ok(s.size <= 4096);
      const all = Buffer.concat(appended);
      for (const maxBytes of [100, 1000, 5000, 1 << 20]) assert.deepEqual(readAll(log, 0, maxBytes), all);
      // Every offset is readable and lands in the batch that holds it.
      for (let o = 0; o < next; o += 13) {
        const first = batchesOf(log.read(o, 1).records)[0]!;
        assert.ok(first.baseOffset <= o && o <= first.lastOffset, `offset ${o}`);
      }
    });

    test('a consumer tailing the log gets every batch once, across rolls', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs, { segmentBytes: 2000 });
      let position = 0;
      const seen: Buffer[] = [];
      const appended: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        for (let j = 0; j <= i % 3; j++) {
          const b = makeBatch({ count: 1 + (j % 2), valueSize: 100 + i, fill: i });
          appended.push(withBaseOffset(b, log.append(Buffer.from(b)).baseOffset));
        }
        const r = log.read(position, i % 2 === 0 ? 300 : 1 << 20);
        seen.push(r.records);
        position = r.nextOffset;
      }
      while (position < log.logEndOffset) {
        const r = log.read(position, 1000);
        seen.push(r.records);
        position = r.nextOffset;
      }
      assert.ok(log.segments().length > 5);
      assert.deepEqual(Buffer.concat(seen), Buffer.concat(appended));
    });

    test('segments roll when an index is full or offsets would overflow the int32 index', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs, { segmentIndexBytes: 24, indexIntervalBytes: 0 });
      for (let i = 0; i < 10; i++) log.append(makeBatch());
      assert.ok(log.segments().length >= 2, 'offset index of 3 entries filled up');
      const { dir: dir2, fs: fs2 } = storage.make(t);
      const big = await openLog(t, `${dir2}-big`, fs2);
      big.append(makeBatch());
      const wide = encodeRecordBatch({
        records: [{ key: 'k', value: 'v', timestamp: 1_000_000 }],
        lastOffsetDelta: 0x7ffffff0,
      });
      assert.equal(big.append(wide, { origin: 'internal' }).lastOffset, 0x7ffffff1);
      assert.equal(big.segments().length, 1);
      assert.equal(big.append(makeBatch({ count: 20 })).baseOffset, 0x7ffffff2);
      assert.deepEqual(
        big.segments().map((s) => s.baseOffset),
        [0, 0x7ffffff2],
      );
      assert.equal(big.read(0x7ffffff2 + 5, 100).firstOffset, 0x7ffffff2);
    });

    test('a read from the middle of a batch returns the containing batch', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs);
      log.append(makeBatch({ count: 5 }));
      const b = makeBatch({ count: 5 });
      log.append(Buffer.from(b));
      const r = log.read(7, 1 << 20);
      assert.equal(r.firstOffset, 5);
      assert.deepEqual(r.records, withBaseOffset(b, 5));
    });

    test('maxBytes returns whole batches; minOneMessage returns one oversized batch', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs);
      for (let i = 0; i < 5; i++) log.append(makeBatch({ count: 2, valueSize: 100 }));
      const batchSize = makeBatch({ count: 2, valueSize: 100 }).length;
      assert.equal(log.read(0, batchSize * 2 + 10).records.length, batchSize * 2);
      assert.equal(log.read(0, batchSize - 1).records.length, batchSize);
      assert.equal(log.read(0, batchSize - 1, { minOneMessage: false }).records.length, 0);
      assert.equal(log.read(0, 0, { minOneMessage: true }).records.length, batchSize);
      const capped = log.read(0, 1 << 20, { maxOffset: 4 });
      assert.deepEqual(
        batchesOf(capped.records).map((x) => x.baseOffset),
        [0, 2],
      );
      assert.equal(capped.nextOffset, 4);
      assert.equal(log.read(4, 1 << 20, { maxOffset: 4 }).records.length, 0);
    });

    test('offsets outside [logStartOffset, logEndOffset] are OFFSET_OUT_OF_RANGE', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs);
      log.append(makeBatch({ count: 3 }));
      assert.throws(() => log.read(4, 100), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
      assert.throws(() => log.read(-1, 100), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
      await log.deleteRecordsBefore(2);
      assert.throws(() => log.read(1, 100), isKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
      assert.equal(log.read(2, 1000).firstOffset, 0);
    });

    test('offsetForTimestamp and maxTimestampOffset find records by timestamp', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs, { segmentBytes: 1024, indexIntervalBytes: 100 });
      assert.equal(log.offsetForTimestamp(0), null);
      assert.equal(log.maxTimestampOffset(), null);
      // Timestamps go up by 10 per record, with one out-of-order spike at offset 57.
      for (let i = 0; i < 100; i += 5) {
        const records = Array.from({ length: 5 }, (_, j) => ({
          key: `k${i + j}`,
          value: 'v',
          timestamp: i + j === 57 ? 999_999 : 10_000 + (i + j) * 10,
        }));
        log.append(makeBatch({ records }));
      }
      assert.ok(log.segments().length > 2);
      assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 10_000 });
      assert.deepEqual(log.offsetForTimestamp(10_000), { offset: 0, timestamp: 10_000 });
      assert.deepEqual(log.offsetForTimestamp(10_001), { offset: 1, timestamp: 10_010 });
      assert.deepEqual(log.offsetForTimestamp(10_500), { offset: 50, timestamp: 10_500 });
      assert.deepEqual(log.offsetForTimestamp(10_575), { offset: 57, timestamp: 999_999 });
      assert.deepEqual(log.offsetForTimestamp(10_985), { offset: 57, timestamp: 999_999 });
      assert.equal(log.offsetForTimestamp(1_000_000), null);
      assert.deepEqual(log.maxTimestampOffset(), { offset: 57, timestamp: 999_999 });
      await log.deleteRecordsBefore(60);
      assert.deepEqual(log.offsetForTimestamp(0), { offset: 60, timestamp: 10_600 });
    });

    test('LogAppendTime sets max timestamp, timestamp type and CRC; CreateTime keeps the bytes', async (t) => {
      const { dir, fs } = storage.make(t);
      const log = await openLog(t, dir, fs, { messageTimestampType: 'LogAppendTime' });
      const r = log.append(makeBatch({ count: 3 }), { now: 5_000_000, leaderEpoch: 7 });
      assert.equal(r.logAppendTime, 5_000_000);
      assert.equal(r.maxTimestamp, 5_000_000);
      const stored = log.read(0, 1 << 20).records;
      assert.ok(verifyCrc(stored));
      const batch = decodeRecordBatch(stored);
      assert.equal(batch.timestampType, 1);
      assert.equal(batch.partitionLeaderEpoch, 7);
      assert.deepEqual(
        batch.records.map((x) => x.timestamp),
        [5_000_000n, 5_000_000n, 5_000_000n],
      );
      assert.deepEqual(log.offsetForTimestamp(4_000_000), { offset: 0, timestamp: 5_000_000 });
    });

    test('reopening after close keeps everything and skips the scan', async (t) => {
      const { dir, fs } = storage.make(t);
      const config = { segmentBytes: 2048, indexIntervalBytes: 128 };
      const log = await PartitionLog.open(dir, config, { fs });
      for (let i = 0; i < 100; i++) log.append(makeBatch({ count: 2, timestamp: 2_000_000 + i }));
      await log.deleteRecordsBefore(3);
      const before = readAll(log);
      const segments = log.segments();
      const maxTs = log.maxTimestampOffset();
      await log.close();
      assert.throws(() => log.append(makeBatch()), isKafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER));

      const again = await openLog(t, dir, fs, config);
      assert.equal(again.recovery.cleanShutdown, true);
      assert.deepEqual(again.recovery.scannedSegments, []);
      assert.deepEqual(again.segments(), segments);
      assert.equal(again.logStartOffset, 3);
      assert.equal(again.logEndOffset, 200);
      assert.deepEqual(readAll(again), before);
      assert.deepEqual(again.maxTimestampOffset(), maxTs);
      // Batch i holds offsets 2i, 2i+1 stamped 2_000_000 + i and + i + 1.
      assert.deepEqual(again.offsetForTimestamp(2_000_050), { offset: 99, timestamp: 2_000_050 });
      assert.equal(again.append(makeBatch()).baseOffset, 200);
    });

    describe('bad input is rejected and leaves the log usable', () => {
      const cases: Array<[string, (b: Buffer) => Buffer, number]> = [
        [
          'CRC mismatch',
          (b) => {
            b[b.length - 1]! ^= 0xff;
            return b;
          },
          ErrorCode.CORRUPT_MESSAGE,
        ],
        [
          'magic 0',
          (b) => {
            b[16] = 0;
            return b;
          },
          ErrorCode.INVALID_RECORD,
        ],
        [
          'magic 1',
          (b) => {
            b[16] = 1;
            return b;
          },
          ErrorCode.INVALID_RECORD,
        ],
        [
          'magic 3',
          (b) => {
            b[16] = 3;
            return b;
          },
          ErrorCode.CORRUPT_MESSAGE,
        ],
        [
          'garbage length',
          (b) => {
            b.writeInt32BE(0x7ffffff0, 8);
            return b;
          },
          ErrorCode.CORRUPT_MESSAGE,
        ],
        [
          'negative length',
          (b) => {
            b.writeInt32BE(-5, 8);
            return b;
          },
          ErrorCode.CORRUPT_MESSAGE,
        ],
        ['truncated batch', (b) => b.subarray(0, b.length - 3), ErrorCode.CORRUPT_MESSAGE],
        ['trailing partial batch', (b) => Buffer.concat([b, b.subarray(0, 30)]), ErrorCode.CORRUPT_MESSAGE],
        ['empty records', () => Buffer.alloc(0), ErrorCode.INVALID_RECORD],
        [
          'record count disagreeing with lastOffsetDelta (valid CRC)',
          (b) => {
            b.writeInt32BE(9, 57);
            updateCrc(b);
            return b;
          },
          ErrorCode.INVALID_RECORD,
        ],
        [
          'control batch from a client',
          (b) => {
            b.writeInt16BE(b.readInt16BE(21) | 0x30, 21);
            updateCrc(b);
            return b;
          },
          ErrorCode.INVALID_RECORD,
        ],
        [
          'idempotent batch without a sequence',
          (b) => {
            b.writeBigInt64BE(5n, 43);
            updateCrc(b);
            return b;
          },
          ErrorCode.INVALID_RECORD,
        ],
        [
          'unknown compression codec',
          (b) => {
            b.writeInt16BE(b.readInt16BE(21) | 0x07, 21);
            updateCrc(b);
            return b;
          },
          ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        ],
        [
          'a bad batch after a good one rejects the whole append',
          (b) => {
            const bad = Buffer.from(b);
            bad[bad.length - 1]! ^= 1;
            return Buffer.concat([b, bad]);
          },
          ErrorCode.CORRUPT_MESSAGE,
        ],
        [
          'count disagrees with lastOffsetDelta',
          (b) => {
            b.writeInt32BE(9, 57);
            return b;
          },
          ErrorCode.CORRUPT_MESSAGE, // the CRC covers the count, so a client bug shows as a bad CRC
        ],
      ];
      for (const [name, mutate, code] of cases) {
        test(name, async (t) => {
          const { dir, fs } = storage.make(t);
          const log = await openLog(t, dir, fs);
          log.append(makeBatch({ count: 2 }));
          assert.throws(() => log.append(mutate(makeBatch({ count: 2 }))), isKafkaError(code));
          assert.equal(log.logEndOffset, 2);
          assert.equal(log.append(makeBatch()).baseOffset, 2);
          assert.equal(batchesOf(readAll(log)).length, 2);
        });
      }

      test('a batch over max.message.bytes is MESSAGE_TOO_LARGE', async (t) => {
        const { dir, fs } = storage.make(t);
        const log = await openLog(t, dir, fs, { maxMessageBytes: 500 });
        assert.throws(() => log.append(makeBatch({ valueSize: 600 })), isKafkaError(ErrorCode.MESSAGE_TOO_LARGE));
        assert.equal(log.append(makeBatch({ valueSize: 100 })).baseOffset, 0);
      });

      test('a compacted topic rejects records without a key', async (t) => {
        const { dir, fs } = storage.make(t);
        const log = await openLog(t, dir, fs, { cleanupPolicy: ['compact'] });
        const keyless = makeBatch({
          records: [
            { key: 'a', value: '1' },
            { key: null, value: '2' },
          ],
        });
        assert.throws(() => log.append(keyless), isKafkaError(ErrorCode.INVALID_RECORD));
        assert.equal(log.append(makeBatch({ records: [{ key: 'a', value: null }] })).baseOffset, 0);
      });
    });
  });
}
