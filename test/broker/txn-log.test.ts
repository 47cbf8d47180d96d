/**
 * Producer state in the partition log (no network): duplicate detection over
 * the last five batches, sequence and epoch checks, open transactions and the
 * last stable offset, the aborted-transaction index, and what survives a
 * clean close, a power loss (MemoryLogFs.crash) and compaction.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryLogFs, type PartitionLog } from '../../src/broker/log/index.ts';
import { ControlRecordType, ErrorCode, encodeEndTxnMarkerBatch } from '../../src/protocol/index.ts';
import { isKafkaError, makeBatch, openLog } from './log/helpers.ts';

const DIR = '/data/logs/t-0';

/** An idempotent (or transactional) batch of `count` records, timestamped now (old producers expire). */
const batch = (pid: number, epoch: number, seq: number, count = 1, transactional = false): Buffer =>
  makeBatch({
    count,
    producerId: BigInt(pid),
    producerEpoch: epoch,
    baseSequence: seq,
    transactional,
    timestamp: Date.now(),
  });

const marker = (log: PartitionLog, pid: number, epoch: number, commit: boolean) =>
  log.append(
    encodeEndTxnMarkerBatch({
      type: commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
      producerId: BigInt(pid),
      producerEpoch: epoch,
      coordinatorEpoch: 0,
    }),
    { origin: 'internal' },
  );

describe('producer state', () => {
  test('a retry of any of the last five batches is answered with its offsets and not written again', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs());
    const offsets: number[] = [];
    for (let i = 0; i < 6; i++) offsets.push(log.append(batch(7, 0, i * 2, 2)).baseOffset);
    assert.deepEqual(offsets, [0, 2, 4, 6, 8, 10]);
    for (let i = 1; i < 6; i++) {
      const r = log.append(batch(7, 0, i * 2, 2));
      assert.equal(r.duplicate, true);
      assert.equal(r.baseOffset, offsets[i]);
      assert.equal(r.lastOffset, offsets[i]! + 1);
    }
    assert.equal(log.logEndOffset, 12, 'nothing appended');
    // the first batch left the window of five: a retry of it is out of order
    assert.throws(() => log.append(batch(7, 0, 0, 2)), isKafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  });

  test('sequence gaps, new epochs and old epochs get Kafka’s errors', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs());
    log.append(batch(1, 0, 0, 3));
    assert.throws(() => log.append(batch(1, 0, 5)), isKafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
    assert.throws(() => log.append(batch(1, 1, 4)), isKafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
    assert.equal(log.append(batch(1, 1, 0)).baseOffset, 3, 'a new epoch starts at sequence 0');
    assert.throws(() => log.append(batch(1, 0, 3)), isKafkaError(ErrorCode.INVALID_PRODUCER_EPOCH));
    // an unknown producer (never seen, or expired) may start anywhere
    assert.equal(log.append(batch(2, 5, 1234)).baseOffset, 4);
    assert.equal(log.append(batch(2, 5, 1235)).baseOffset, 5);
    // sequences wrap at Integer.MAX_VALUE
    log.append(batch(3, 0, 2147483646, 2));
    assert.equal(log.append(batch(3, 0, 0)).baseOffset, 8);
    assert.deepEqual(
      log
        .activeProducers()
        .map((p) => [p.producerId, p.producerEpoch, p.lastSequence])
        .sort(),
      [
        [1, 1, 0],
        [2, 5, 1235],
        [3, 0, 0],
      ],
    );
  });

  test('open transactions hold back the LSO; ABORT markers index the transaction', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs());
    log.append(makeBatch()); // 0, plain
    log.append(batch(10, 0, 0, 2, true)); // 1-2, txn of 10
    log.append(makeBatch()); // 3
    log.append(batch(11, 0, 0, 1, true)); // 4, txn of 11
    assert.equal(log.lastStableOffset, 1);
    assert.equal(log.hasOngoingTransaction(10), true);
    assert.throws(() => log.append(batch(10, 0, 2, 1, false)), isKafkaError(ErrorCode.INVALID_TXN_STATE));
    assert.equal(marker(log, 10, 0, false).baseOffset, 5);
    assert.equal(log.lastStableOffset, 4, 'the transaction of 11 is still open');
    assert.equal(marker(log, 11, 0, true).baseOffset, 6);
    assert.equal(log.lastStableOffset, 7);
    assert.deepEqual(log.abortedTransactions(0, 7), [
      { producerId: 10, firstOffset: 1, lastOffset: 5, lastStableOffset: 4 },
    ]);
    assert.deepEqual(log.abortedTransactions(6, 7), [], 'the fetch range starts after the abort');
    assert.deepEqual(log.abortedTransactions(3, 4).length, 1, 'overlapping range');
    // a marker with an older epoch than the producer's is rejected
    log.append(batch(12, 3, 0, 1, true));
    assert.throws(() => marker(log, 12, 2, false), isKafkaError(ErrorCode.INVALID_PRODUCER_EPOCH));
    // a fencing marker with a newer epoch ends the transaction and fences the old epoch
    marker(log, 12, 4, false);
    assert.throws(() => log.append(batch(12, 3, 1, 1, true)), isKafkaError(ErrorCode.INVALID_PRODUCER_EPOCH));
  });

  test('state survives a clean close (snapshot) and a power loss (snapshot at the roll + replay)', async (t) => {
    const fs = new MemoryLogFs();
    const config = { segmentBytes: 1024 };
    const log = await openLog(t, DIR, fs, config);
    for (let i = 0; i < 20; i++) log.append(batch(5, 0, i, 1)); // several segments, snapshots at the rolls
    log.append(batch(6, 0, 0, 1, true));
    log.append(batch(8, 0, 0, 1, true));
    marker(log, 8, 0, false);
    log.append(batch(5, 0, 20, 1));
    await log.flush();
    await log.idle();
    assert.ok(log.segments().length > 2);
    // A snapshot keeps each producer's last batch (as Kafka's); batches after it are replayed from the log.
    const check = (l: PartitionLog, label: string) => {
      assert.equal(l.append(batch(5, 0, 20)).duplicate, true, `${label}: last batch is a duplicate`);
      assert.equal(l.lastStableOffset, 20, `${label}: the open transaction of 6 bounds the LSO`);
      assert.equal(l.abortedTransactions(0, l.logEndOffset).length, 1, `${label}: aborted index`);
      assert.throws(() => l.append(batch(5, 0, 30)), isKafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
    };
    assert.equal(log.append(batch(5, 0, 17)).duplicate, true, 'five batches back');
    check(log, 'running');
    const crashed = await openLog(t, DIR, fs.crash());
    assert.equal(crashed.recovery.cleanShutdown, false);
    check(crashed, 'after power loss');
    await log.close();
    const reopened = await openLog(t, DIR, fs, config);
    assert.equal(reopened.recovery.cleanShutdown, true);
    check(reopened, 'after clean close');
    // producers idle past producer.id.expiration.ms are forgotten: any sequence is accepted again
    await reopened.applyRetention(Date.now() + 86_400_000);
    assert.equal(reopened.append(batch(5, 0, 999)).duplicate, undefined);
  });

  test('compaction keeps the aborted-transaction index of the segments it rewrites', async (t) => {
    const log = await openLog(t, DIR, new MemoryLogFs(), {
      cleanupPolicy: ['compact'],
      segmentBytes: 1024,
      minCleanableDirtyRatio: 0,
    });
    log.append(
      makeBatch({
        records: [{ key: 'a', value: 'x' }],
        producerId: 3n,
        producerEpoch: 0,
        baseSequence: 0,
        transactional: true,
      }),
    );
    marker(log, 3, 0, false);
    for (let i = 0; i < 30; i++) log.append(makeBatch({ records: [{ key: `k${i % 3}`, value: 'v'.repeat(40) }] }));
    await log.compact(Date.now(), { force: true });
    assert.deepEqual(
      log.abortedTransactions(0, log.logEndOffset).map((a) => [a.producerId, a.firstOffset, a.lastOffset]),
      [[3, 0, 1]],
    );
  });
});
