/**
 * Idempotence and transactions with exact frames: the error code Kafka
 * answers for each wrong sequence, epoch, state transition and request
 * version, and what read_committed consumers see (LSO, aborted list,
 * ListOffsets isolation). One broker with a fast abort checker.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { RawConnection } from '../helpers/raw-client.ts';
import { batch, fetchedValues, txnClient } from './txn-wire.ts';

const E = ErrorCode;

describe('idempotence and transactions on the wire', async () => {
  const tb = await startTestBroker(after, {
    'transaction.state.log.num.partitions': '3',
    'transaction.max.timeout.ms': '60000',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100',
  });
  const conn = await RawConnection.open(tb.port);
  after(() => conn.close());
  const c = txnClient(conn);
  const newTopic = async (partitions = 1): Promise<string> => {
    const t = topicName('txn');
    await tb.broker.createTopic(t, partitions, 1, {});
    return t;
  };

  test('idempotent producer: duplicates answered with the original offset, gaps and old epochs rejected', async () => {
    const topic = await newTopic();
    const init = await c.initProducerId(null);
    assert.equal(init.errorCode, E.NONE);
    assert.equal(init.producerEpoch, 0);
    const id = init.producerId;
    const p = (seq: number, values: string[], epoch = 0) => c.produce(topic, 0, batch(values, { id, epoch, seq }));
    assert.equal((await p(0, ['a', 'b', 'c'])).baseOffset, 0n);
    assert.equal((await p(3, ['d'])).baseOffset, 3n);
    const retry = await p(0, ['a', 'b', 'c']);
    assert.equal(retry.errorCode, E.NONE, 'DUPLICATE_SEQUENCE_NUMBER is answered as success');
    assert.equal(retry.baseOffset, 0n, 'with the offset of the first write');
    assert.equal((await p(3, ['d'])).baseOffset, 3n);
    assert.equal((await p(9, ['gap'])).errorCode, E.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await p(4, ['e'], 1)).errorCode, E.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a new epoch starts at 0');
    assert.equal((await p(0, ['e'], 1)).baseOffset, 4n);
    assert.equal((await p(5, ['old'], 0)).errorCode, E.INVALID_PRODUCER_EPOCH);
    assert.equal(await c.listOffset(topic, 0, false), 5n, 'no duplicate was written');
    const other = await c.initProducerId(null);
    assert.ok(other.producerId > id, 'every InitProducerId without transactional id gets a new id');
    const described = await conn.request(61, 0, { topics: [{ name: topic, partitionIndexes: [0, 7] }] });
    const [p0, p7] = described.topics[0]?.partitions ?? [];
    assert.equal(p7?.errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
    assert.deepEqual(
      p0?.activeProducers.map((a) => [a.producerId, a.producerEpoch, a.lastSequence, a.currentTxnStartOffset]),
      [[id, 1, 0, -1n]],
    );
  });

  test('InitProducerId: timeout, empty id, half-given producer, epoch bumps and v3+ recovery', async () => {
    assert.equal((await c.initProducerId('tx-init', 60_001)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await c.initProducerId('tx-init', 0)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await c.initProducerId('')).errorCode, E.INVALID_REQUEST);
    assert.equal((await c.initProducerId('tx-init', 1000, 4, 5n, -1)).errorCode, E.INVALID_REQUEST);
    const a = await c.initProducerId('tx-init');
    assert.equal(a.errorCode, E.NONE);
    assert.equal(a.producerEpoch, 0);
    const b = await c.initProducerId('tx-init');
    assert.deepEqual([b.producerId, b.producerEpoch], [a.producerId, 1]);
    // v3+: the producer names the id and epoch it had
    const resumed = await c.initProducerId('tx-init', 60_000, 4, b.producerId, 1);
    assert.deepEqual([resumed.errorCode, resumed.producerEpoch], [E.NONE, 2]);
    const retried = await c.initProducerId('tx-init', 60_000, 4, b.producerId, 1);
    assert.deepEqual([retried.errorCode, retried.producerEpoch], [E.NONE, 2], 'a retry of the same bump');
    assert.equal((await c.initProducerId('tx-init', 60_000, 4, b.producerId, 0)).errorCode, E.PRODUCER_FENCED);
    assert.equal((await c.initProducerId('tx-init', 60_000, 4, 999_999n, 2)).errorCode, E.PRODUCER_FENCED);
    assert.equal(
      (await c.initProducerId('tx-init', 60_000, 3, 999_999n, 2)).errorCode,
      E.INVALID_PRODUCER_EPOCH,
      'v3 clients know INVALID_PRODUCER_EPOCH only',
    );
  });

  test('commit and abort: LSO, read_committed fetches, aborted list, ListOffsets isolation', async () => {
    const topic = await newTopic();
    const { producerId: id, producerEpoch: epoch } = await c.initProducerId('tx-flow');
    const pr = (seq: number, values: string[]) =>
      c.produce(topic, 0, batch(values, { id, epoch, seq, transactional: true }), 'tx-flow');
    assert.equal((await c.endTxn('tx-flow', id, epoch, true)).errorCode, E.INVALID_TXN_STATE, 'no transaction');
    assert.equal((await c.describe('tx-flow')).transactionState, 'Empty');
    assert.equal((await pr(0, ['x'])).errorCode, E.INVALID_TXN_STATE, 'partition not added');
    assert.equal(
      (await c.produce(topic, 0, batch(['x'], { id, epoch, seq: 0, transactional: true }), 'tx-flow', 11)).errorCode,
      E.TRANSACTION_ABORTABLE,
      'Produce v11 knows TRANSACTION_ABORTABLE',
    );
    assert.equal(
      (await c.produce(topic, 0, batch(['x'], { id, epoch, seq: 0, transactional: true }), null)).errorCode,
      E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      'transactional records need the transactional id',
    );
    assert.deepEqual(await c.addPartitions('tx-flow', id, epoch, [{ name: topic, partitions: [0] }]), {
      [`${topic}-0`]: E.NONE,
    });
    await c.produce(topic, 0, batch(['plain-0']));
    assert.equal((await pr(0, ['aborted-1', 'aborted-2'])).baseOffset, 1n);
    await c.produce(topic, 0, batch(['plain-3']));
    const desc = await c.describe('tx-flow');
    assert.equal(desc.transactionState, 'Ongoing');
    assert.deepEqual(desc.topics, [{ topic, partitions: [0] }]);
    const open = await c.fetch(topic, 0, 0n, true);
    assert.equal(open.lastStableOffset, 1n);
    assert.equal(open.highWatermark, 4n);
    assert.deepEqual(fetchedValues(open.records), [[0, 'plain-0']], 'read_committed stops at the LSO');
    assert.equal(await c.listOffset(topic, 0, true), 1n);
    assert.equal(await c.listOffset(topic, 0, false), 4n);
    assert.equal(await c.listOffset(topic, 0, true, BigInt(Date.now() - 60_000)), 0n);
    assert.equal((await c.endTxn('tx-flow', id, epoch, false)).errorCode, E.NONE);
    assert.equal((await c.describe('tx-flow')).transactionState, 'CompleteAbort');
    assert.equal((await c.endTxn('tx-flow', id, epoch, false)).errorCode, E.NONE, 'a retried abort');
    assert.equal((await c.endTxn('tx-flow', id, epoch, true)).errorCode, E.INVALID_TXN_STATE);
    assert.equal((await c.describe('tx-flow')).transactionState, 'CompleteAbort', 'unchanged by the bad request');
    const done = await c.fetch(topic, 0, 0n, true);
    assert.equal(done.lastStableOffset, 5n);
    assert.deepEqual(done.abortedTransactions, [{ producerId: id, firstOffset: 1n }]);
    assert.deepEqual(
      fetchedValues(done.records).map(([, v]) => v),
      ['plain-0', 'aborted-1', 'aborted-2', 'plain-3'],
      'the records come back; the consumer drops the aborted ones',
    );
    assert.equal((await c.fetch(topic, 0, 0n, false)).abortedTransactions, null);
    assert.deepEqual((await c.fetch(topic, 0, 3n, true)).abortedTransactions, [{ producerId: id, firstOffset: 1n }]);
    assert.deepEqual((await c.fetch(topic, 0, 5n, true)).abortedTransactions, []);
    // a committed transaction: no aborted entry, LSO moves past the marker
    await c.addPartitions('tx-flow', id, epoch, [{ name: topic, partitions: [0] }]);
    await pr(2, ['committed-6']);
    assert.equal((await c.endTxn('tx-flow', id, epoch, true)).errorCode, E.NONE);
    assert.equal((await c.endTxn('tx-flow', id, epoch, true)).errorCode, E.NONE, 'a retried commit');
    const after = await c.fetch(topic, 0, 5n, true);
    assert.deepEqual(fetchedValues(after.records), [[5, 'committed-6']]);
    assert.deepEqual(after.abortedTransactions, []);
    assert.equal(await c.listOffset(topic, 0, true), 7n);
    const listed = await conn.request(66, 1, { stateFilters: ['CompleteCommit', 'Bogus'], producerIdFilters: [id] });
    assert.deepEqual(listed.unknownStateFilters, ['Bogus']);
    assert.deepEqual(
      listed.transactionStates.map((s) => [s.transactionalId, s.transactionState]),
      [['tx-flow', 'CompleteCommit']],
    );
  });

  test('AddPartitionsToTxn: per-partition errors, producer checks per version, batched v4+ form', async () => {
    const topic = await newTopic(2);
    const { producerId: id, producerEpoch: epoch } = await c.initProducerId('tx-add');
    assert.deepEqual(
      await c.addPartitions('tx-add', id, epoch, [
        { name: topic, partitions: [0, 5] },
        { name: '__consumer_offsets', partitions: [0] },
      ]),
      {
        [`${topic}-0`]: E.OPERATION_NOT_ATTEMPTED,
        [`${topic}-5`]: E.UNKNOWN_TOPIC_OR_PARTITION,
        '__consumer_offsets-0': E.TOPIC_AUTHORIZATION_FAILED,
      },
    );
    assert.equal((await c.describe('tx-add')).transactionState, 'Empty', 'nothing was added');
    const one = [{ name: topic, partitions: [0] }];
    assert.deepEqual(Object.values(await c.addPartitions('tx-add', id, epoch + 1, one)), [E.PRODUCER_FENCED]);
    assert.deepEqual(Object.values(await c.addPartitions('tx-add', id, epoch + 1, one, 1)), [E.INVALID_PRODUCER_EPOCH]);
    assert.deepEqual(Object.values(await c.addPartitions('tx-add', id + 1n, epoch, one)), [
      E.INVALID_PRODUCER_ID_MAPPING,
    ]);
    assert.deepEqual(Object.values(await c.addPartitions('tx-unknown', id, epoch, one)), [
      E.INVALID_PRODUCER_ID_MAPPING,
    ]);
    const other = await c.initProducerId('tx-add-2');
    const res = await conn.request(24, 5, {
      transactions: [
        { transactionalId: 'tx-add', producerId: id, producerEpoch: epoch, verifyOnly: false, topics: one },
        {
          transactionalId: 'tx-add-2',
          producerId: other.producerId,
          producerEpoch: other.producerEpoch,
          verifyOnly: true,
          topics: [{ name: topic, partitions: [0, 1] }],
        },
      ],
    });
    const codes = res.resultsByTransaction.map((r) => [
      r.transactionalId,
      r.topicResults.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode)),
    ]);
    assert.deepEqual(codes, [
      ['tx-add', [E.NONE]],
      ['tx-add-2', [E.TRANSACTION_ABORTABLE, E.TRANSACTION_ABORTABLE]],
    ]);
    assert.equal((await c.describe('tx-add')).transactionState, 'Ongoing');
    assert.equal((await c.describe('tx-add-2')).transactionState, 'Empty', 'verifyOnly adds nothing');
    assert.equal((await c.endTxn('tx-add', id, epoch, false)).errorCode, E.NONE);
  });

  test('fencing: a new InitProducerId aborts the open transaction and fences the old producer', async () => {
    const topic = await newTopic();
    const old = await c.initProducerId('tx-fence');
    const { producerId: id } = old;
    await c.addPartitions('tx-fence', id, old.producerEpoch, [{ name: topic, partitions: [0] }]);
    const w = (epoch: number, seq: number, v: string) =>
      c.produce(topic, 0, batch([v], { id, epoch, seq, transactional: true }), 'tx-fence');
    assert.equal((await w(0, 0, 'zombie')).errorCode, E.NONE);
    const first = await c.initProducerId('tx-fence');
    assert.equal(first.errorCode, E.CONCURRENT_TRANSACTIONS, 'the open transaction is being aborted');
    const fresh = await c.initProducerId('tx-fence');
    assert.deepEqual([fresh.errorCode, fresh.producerId, fresh.producerEpoch], [E.NONE, id, 2]);
    assert.equal((await w(0, 1, 'zombie-2')).errorCode, E.INVALID_PRODUCER_EPOCH);
    assert.equal((await c.endTxn('tx-fence', id, 0, true)).errorCode, E.PRODUCER_FENCED);
    assert.equal((await c.endTxn('tx-fence', id, 0, true, 1)).errorCode, E.INVALID_PRODUCER_EPOCH, 'EndTxn v1');
    const fetched = await c.fetch(topic, 0, 0n, true);
    assert.deepEqual(fetched.abortedTransactions, [{ producerId: id, firstOffset: 0n }]);
    assert.equal(fetched.lastStableOffset, 2n, 'record and ABORT marker are decided');
  });

  test('a transaction past its timeout is aborted and its producer fenced', async () => {
    const topic = await newTopic();
    const { producerId: id, producerEpoch: epoch } = await c.initProducerId('tx-timeout', 300);
    await c.addPartitions('tx-timeout', id, epoch, [{ name: topic, partitions: [0] }]);
    await c.produce(topic, 0, batch(['late'], { id, epoch, seq: 0, transactional: true }), 'tx-timeout');
    assert.equal(await c.listOffset(topic, 0, true), 0n);
    const deadline = Date.now() + 5000;
    while ((await c.describe('tx-timeout')).transactionState !== 'CompleteAbort') {
      assert.ok(Date.now() < deadline, 'aborted within 5 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const d = await c.describe('tx-timeout');
    assert.equal(d.producerEpoch, epoch + 1, 'the abort bumped the epoch');
    assert.equal(await c.listOffset(topic, 0, true), 2n, 'the LSO passed the ABORT marker');
    assert.equal((await c.endTxn('tx-timeout', id, epoch, true)).errorCode, E.PRODUCER_FENCED);
  });

  test('clients may not write internal topics', async () => {
    await c.initProducerId('tx-internal'); // creates __transaction_state
    const r = await c.produce('__transaction_state', 0, batch(['x']));
    assert.equal(r.errorCode, E.INVALID_TOPIC_EXCEPTION);
  });
});
