/**
 * kill -9 in the middle of a transaction: a broker child process is killed
 * while a kafkajs transaction is open. After the restart the coordinator
 * reloads `__transaction_state`, the open transaction times out and is
 * aborted (the LSO moves past it), no read_committed reader ever sees its
 * records, the transaction committed before stays, and an idempotent
 * producer's retry of a batch written before the kill is still recognised.
 * Group offsets survive: a plain commit, and the offsets sent with the
 * committed transaction; those of the aborted one are dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/index.ts';
import { startChildBroker, waitExit } from '../helpers/child-broker.ts';
import { kcatLines } from '../helpers/exec.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { batch, txnClient } from './txn-wire.ts';

const ARGS = [
  '--broker-config',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms=200',
  '--broker-config',
  'transaction.state.log.num.partitions=2',
];

test('kill -9 mid-transaction: aborted on timeout after restart, committed data and dedup state kept', {
  timeout: 90_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-txn-crash-'));
  const topic = 'txn-crash';

  let broker = await startChildBroker(dataDir, ARGS);
  let conn = await RawConnection.open(broker.port);
  t.after(async () => {
    conn.close();
    broker.proc.kill('SIGKILL');
    await waitExit(broker.proc);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.setOffsets({ groupId: 'crash-plain-group', topic, partitions: [{ partition: 0, offset: '2' }] });
  await admin.disconnect();

  let c = txnClient(conn);
  const idem = await c.initProducerId(null);
  const idemBatch = batch(['idem-0'], { id: idem.producerId, epoch: 0, seq: 0 });
  const written = await c.produce(topic, 0, Buffer.from(idemBatch));
  assert.equal(written.errorCode, ErrorCode.NONE);

  const producer = kafka.producer({
    transactionalId: 'crash-tx',
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 1500,
  });
  await producer.connect();
  const done = await producer.transaction();
  await done.send({ topic, acks: -1, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
  await done.sendOffsets({
    consumerGroupId: 'crash-txn-group',
    topics: [{ topic, partitions: [{ partition: 0, offset: '3' }] }],
  });
  await done.commit();
  const open = await producer.transaction();
  await open.send({ topic, acks: -1, messages: [{ value: 'in-flight-1' }, { value: 'in-flight-2' }] });
  await open.sendOffsets({
    consumerGroupId: 'crash-txn-group',
    topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }],
  });
  broker.proc.kill('SIGKILL');
  await waitExit(broker.proc);
  conn.close();
  await producer.disconnect().catch(() => {});

  broker = await startChildBroker(dataDir, ARGS);
  conn = await RawConnection.open(broker.port);
  c = txnClient(conn);
  const hw = await c.listOffset(topic, 0, false);
  assert.equal(hw, 6n, 'idem-0, committed-1, committed-2, COMMIT, in-flight-1, in-flight-2 survived');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const d = await c.describe('crash-tx');
    if (d.errorCode === ErrorCode.NONE && d.transactionState === 'CompleteAbort') break;
    assert.ok(Date.now() < deadline, `transaction aborted after the restart (state ${d.transactionState})`);
    const lso = await c.listOffset(topic, 0, true);
    if (lso !== 4n) {
      // The abort may complete between the describe and the ListOffsets: then the marker is past the LSO.
      const now = await c.describe('crash-tx');
      assert.equal(lso, 7n, `the open transaction holds the LSO back (LSO ${lso})`);
      assert.ok(['PrepareAbort', 'CompleteAbort'].includes(now.transactionState), now.transactionState);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await c.listOffset(topic, 0, true), 7n, 'the LSO passed the ABORT marker');
  assert.deepEqual(await kcatLines(broker.bootstrap, topic, 'read_committed'), [
    'idem-0',
    'committed-1',
    'committed-2',
  ]);
  assert.deepEqual(await kcatLines(broker.bootstrap, topic, 'read_uncommitted'), [
    'idem-0',
    'committed-1',
    'committed-2',
    'in-flight-1',
    'in-flight-2',
  ]);

  const kafka2 = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin2 = kafka2.admin();
  await admin2.connect();
  const offsetOf = async (groupId: string): Promise<string | undefined> =>
    (await admin2.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset;
  assert.equal(await offsetOf('crash-plain-group'), '2', 'a plain group commit survives kill -9');
  assert.equal(
    await offsetOf('crash-txn-group'),
    '3',
    'committed transaction offsets survive, aborted ones are dropped',
  );
  await admin2.disconnect();

  const retry = await c.produce(topic, 0, Buffer.from(idemBatch));
  assert.deepEqual([retry.errorCode, retry.baseOffset], [ErrorCode.NONE, 0n], 'the retry is a duplicate');
  const next = await c.produce(topic, 0, batch(['idem-1'], { id: idem.producerId, epoch: 0, seq: 1 }));
  assert.deepEqual([next.errorCode, next.baseOffset], [ErrorCode.NONE, 7n]);
  const gap = await c.produce(topic, 0, batch(['idem-3'], { id: idem.producerId, epoch: 0, seq: 3 }));
  assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);

  broker.proc.kill('SIGTERM');
  assert.equal(await waitExit(broker.proc), 0);
});
