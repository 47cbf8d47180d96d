/**
 * Transaction state across a broker restart (in process, same data dir):
 * `__transaction_state` is replayed, a transaction left in PrepareCommit is
 * completed (markers written after the restart), producer ids are never
 * handed out twice and idempotent de-duplication survives.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TxnState } from '../../src/broker/txn/metadata.ts';
import { encodeTxnKey, encodeTxnValue, partitionForKey } from '../../src/broker/txn/txn-log.ts';
import { ErrorCode, encodeRecordBatch } from '../../src/protocol/index.ts';
import { startTestBroker } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { batch, fetchedValues, txnClient } from './txn-wire.ts';

const CONFIGS = { 'transaction.state.log.num.partitions': '2' };

test('state, producer ids and de-duplication survive a restart; PrepareCommit completes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-txn-restart-'));
  /** A broker on `dir` and a raw connection to it; `stop` closes both (idempotent). */
  const start = async () => {
    let close = async (): Promise<void> => {};
    const tb = await startTestBroker(
      (fn) => {
        close = fn;
      },
      CONFIGS,
      dir,
    );
    const conn = await RawConnection.open(tb.port);
    return {
      tb,
      c: txnClient(conn),
      stop: async () => {
        conn.close();
        await close();
      },
    };
  };
  let current = await start();
  t.after(async () => {
    await current.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  let { tb, c } = current;
  await tb.broker.createTopic('restart-t', 1, 1, {});
  const idem = await c.initProducerId(null);
  const first = await c.produce('restart-t', 0, batch(['idem-0'], { id: idem.producerId, epoch: 0, seq: 0 }));
  assert.equal(first.baseOffset, 0n);
  const done = await c.initProducerId('restart-done');
  await c.addPartitions('restart-done', done.producerId, 0, [{ name: 'restart-t', partitions: [0] }]);
  await c.produce(
    'restart-t',
    0,
    batch(['committed'], { id: done.producerId, epoch: 0, seq: 0, transactional: true }),
    'restart-done',
  );
  assert.equal((await c.endTxn('restart-done', done.producerId, 0, true)).errorCode, ErrorCode.NONE);
  // A transaction whose PrepareCommit reached the log but whose markers did not (a crash in between).
  const prep = await c.initProducerId('restart-prep');
  await c.addPartitions('restart-prep', prep.producerId, 0, [{ name: 'restart-t', partitions: [0] }]);
  await c.produce(
    'restart-t',
    0,
    batch(['prepared'], { id: prep.producerId, epoch: 0, seq: 0, transactional: true }),
    'restart-prep',
  );
  const now = Date.now();
  const record = encodeRecordBatch({
    records: [
      {
        key: encodeTxnKey('restart-prep'),
        value: encodeTxnValue({
          producerId: Number(prep.producerId),
          producerEpoch: 0,
          timeoutMs: 60_000,
          state: TxnState.PrepareCommit,
          partitions: [{ topic: 'restart-t', partitions: [0] }],
          lastUpdateMs: now,
          startMs: now,
          previousProducerId: -1,
          nextProducerId: -1,
          clientTransactionVersion: 0,
          groups: [],
        }),
      },
    ],
  });
  const txnLog = tb.broker.log('__transaction_state', partitionForKey('restart-prep', 2));
  assert.ok(txnLog);
  txnLog.append(record, { origin: 'internal' });
  assert.equal(await c.listOffset('restart-t', 0, true), 3n, 'the prepared transaction is still open');
  await current.stop();

  current = await start();
  ({ tb, c } = current);
  const deadline = Date.now() + 5000;
  while ((await c.describe('restart-prep')).transactionState !== 'CompleteCommit') {
    assert.ok(Date.now() < deadline, 'PrepareCommit completed after the restart');
    await new Promise((r) => setTimeout(r, 20));
  }
  const committed = await c.fetch('restart-t', 0, 0n, true);
  assert.deepEqual(
    fetchedValues(committed.records).map(([, v]) => v),
    ['idem-0', 'committed', 'prepared'],
  );
  assert.deepEqual(committed.abortedTransactions, []);
  const d = await c.describe('restart-done');
  assert.deepEqual([d.transactionState, d.producerId, d.producerEpoch], ['CompleteCommit', done.producerId, 0]);
  const again = await c.initProducerId('restart-done');
  assert.deepEqual([again.producerId, again.producerEpoch], [done.producerId, 1], 'the epoch continues');
  const fresh = await c.initProducerId(null);
  assert.ok(fresh.producerId > prep.producerId, 'producer ids are not handed out twice');
  const retry = await c.produce('restart-t', 0, batch(['idem-0'], { id: idem.producerId, epoch: 0, seq: 0 }));
  assert.deepEqual(
    [retry.errorCode, retry.baseOffset],
    [ErrorCode.NONE, 0n],
    'a retry after the restart is a duplicate',
  );
});
