/**
 * The transaction state machine and the `__transaction_state` record format
 * without a broker: legal and illegal transitions, epoch bumps and producer
 * id rotation, the key/value codec (v0 and v1 with tagged fields) and the
 * partition of a transactional id (Java's String.hashCode).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IllegalTxnStateError, partitionKey, TransactionMetadata, TxnState } from '../../src/broker/txn/metadata.ts';
import {
  decodeTxnKey,
  decodeTxnValue,
  encodeTxnKey,
  encodeTxnValue,
  javaStringHashCode,
  partitionForKey,
} from '../../src/broker/txn/txn-log.ts';

const meta = (state: TxnState, epoch = 0) => new TransactionMetadata('t', 7, epoch, -1, 60_000, state, 100, 100);

describe('transaction metadata', () => {
  test('a full transaction: Empty → Ongoing → PrepareCommit → CompleteCommit → Ongoing', () => {
    const m = meta(TxnState.Empty);
    m.completeTransition(m.prepareAddPartitions([partitionKey('a', 0)], [], 200));
    assert.equal(m.state, TxnState.Ongoing);
    assert.equal(m.startMs, 200);
    m.completeTransition(m.prepareAddPartitions([partitionKey('a', 1)], ['g'], 300));
    assert.equal(m.startMs, 200, 'more partitions keep the start time');
    assert.deepEqual([...m.partitions].length, 2);
    m.completeTransition(m.prepareAbortOrCommit(TxnState.PrepareCommit, 400));
    m.completeTransition(m.prepareComplete(500));
    assert.equal(m.state, TxnState.CompleteCommit);
    assert.equal(m.partitions.size + m.groups.size, 0);
    m.completeTransition(m.prepareAddPartitions([partitionKey('a', 0)], [], 600));
    assert.equal(m.startMs, 600, 'a new transaction starts');
  });

  test('illegal transitions and a second pending transition are refused', () => {
    assert.throws(() => meta(TxnState.Empty).prepareAbortOrCommit(TxnState.PrepareCommit, 1), IllegalTxnStateError);
    assert.throws(() => meta(TxnState.CompleteAbort).prepareFenceProducerEpoch(), IllegalTxnStateError);
    assert.throws(() => meta(TxnState.Ongoing).prepareDead(), IllegalTxnStateError);
    const m = meta(TxnState.Ongoing);
    m.prepareAbortOrCommit(TxnState.PrepareAbort, 1);
    assert.throws(() => m.prepareAbortOrCommit(TxnState.PrepareCommit, 1), IllegalTxnStateError);
  });

  test('epoch bumps: plain, recovery with the expected epoch, retry of the last bump, fenced', () => {
    const m = meta(TxnState.Empty, 3);
    const plain = m.prepareIncrementProducerEpoch(60_000, null, 1);
    assert.ok(plain !== 'fenced');
    assert.deepEqual([plain.producerEpoch, plain.lastProducerEpoch], [4, -1]);
    m.pendingState = null;
    const expected = m.prepareIncrementProducerEpoch(60_000, 3, 1);
    assert.ok(expected !== 'fenced');
    m.completeTransition(expected);
    assert.deepEqual([m.producerEpoch, m.lastProducerEpoch], [4, 3]);
    const retry = m.prepareIncrementProducerEpoch(60_000, 3, 1);
    assert.ok(retry !== 'fenced');
    assert.equal(retry.producerEpoch, 4, 'a retry of the bump keeps the epoch');
    m.pendingState = null;
    assert.equal(m.prepareIncrementProducerEpoch(60_000, 1, 1), 'fenced');
    const exhausted = meta(TxnState.CompleteCommit, 32766);
    assert.equal(exhausted.isProducerEpochExhausted, true);
    const rotated = exhausted.prepareProducerIdRotation(8, 60_000, 1, false);
    exhausted.completeTransition(rotated);
    assert.deepEqual([exhausted.producerId, exhausted.producerEpoch, exhausted.previousProducerId], [8, 0, 7]);
  });
});

describe('__transaction_state records', () => {
  test('keys and values round trip; groups make a v1 value with a tagged field', () => {
    assert.equal(decodeTxnKey(encodeTxnKey('my-id')), 'my-id');
    assert.equal(decodeTxnKey(Buffer.from([0, 1, 0, 0])), null, 'unknown key versions are skipped');
    const v = {
      producerId: 42,
      producerEpoch: 3,
      timeoutMs: 60_000,
      state: TxnState.Ongoing,
      partitions: [{ topic: 'a', partitions: [0, 2] }],
      lastUpdateMs: 1000,
      startMs: 900,
      previousProducerId: -1,
      nextProducerId: -1,
      clientTransactionVersion: 0,
      groups: [] as string[],
    };
    const v0 = encodeTxnValue(v);
    assert.equal(v0.readInt16BE(0), 0);
    assert.deepEqual(decodeTxnValue(v0), v);
    const withGroups = { ...v, groups: ['g1', 'g2'] };
    const v1 = encodeTxnValue(withGroups);
    assert.equal(v1.readInt16BE(0), 1);
    assert.deepEqual(decodeTxnValue(v1), withGroups);
    const empty = decodeTxnValue(encodeTxnValue({ ...v, state: TxnState.Empty }));
    assert.deepEqual(empty.partitions, [], 'Empty is written with a null partition list');
  });

  test("a transactional id's partition is abs(String.hashCode) % partitions, as in Kafka", () => {
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(partitionForKey('hello', 50), 22);
    assert.equal(partitionForKey('polygenelubricants', 50), 0, 'Utils.abs(Integer.MIN_VALUE) is 0');
  });
});
