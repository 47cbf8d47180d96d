import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorCode,
  type ErrorCodeName,
  errorInfo,
  isRetriable,
  KafkaError,
  toKafkaError,
  UNRECOGNIZED_ERROR,
} from '../../src/protocol/errors.ts';

// Checked by hand against Errors.java and the exception classes in
// clients/src/main/java/org/apache/kafka/common/errors/ at apache/kafka 1eb7644.
const KNOWN: ReadonlyArray<[ErrorCodeName, number, boolean]> = [
  ['UNKNOWN_SERVER_ERROR', -1, false],
  ['NONE', 0, false],
  ['OFFSET_OUT_OF_RANGE', 1, false],
  ['CORRUPT_MESSAGE', 2, true],
  ['UNKNOWN_TOPIC_OR_PARTITION', 3, true],
  ['LEADER_NOT_AVAILABLE', 5, true],
  ['NOT_LEADER_OR_FOLLOWER', 6, true],
  ['REQUEST_TIMED_OUT', 7, true],
  ['MESSAGE_TOO_LARGE', 10, false],
  ['COORDINATOR_LOAD_IN_PROGRESS', 14, true],
  ['COORDINATOR_NOT_AVAILABLE', 15, true],
  ['NOT_COORDINATOR', 16, true],
  ['INVALID_TOPIC_EXCEPTION', 17, false],
  ['NOT_ENOUGH_REPLICAS', 19, true],
  ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20, true],
  ['ILLEGAL_GENERATION', 22, false],
  ['UNKNOWN_MEMBER_ID', 25, false],
  ['REBALANCE_IN_PROGRESS', 27, false],
  ['TOPIC_AUTHORIZATION_FAILED', 29, false],
  ['UNSUPPORTED_VERSION', 35, false],
  ['TOPIC_ALREADY_EXISTS', 36, false],
  ['INVALID_CONFIG', 40, false],
  ['NOT_CONTROLLER', 41, true],
  ['INVALID_REQUEST', 42, false],
  ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false],
  ['DUPLICATE_SEQUENCE_NUMBER', 46, false],
  ['INVALID_PRODUCER_EPOCH', 47, false],
  ['CONCURRENT_TRANSACTIONS', 51, true],
  ['KAFKA_STORAGE_ERROR', 56, true],
  ['UNKNOWN_PRODUCER_ID', 59, false],
  ['FENCED_LEADER_EPOCH', 74, true],
  ['UNKNOWN_LEADER_EPOCH', 75, true],
  ['MEMBER_ID_REQUIRED', 79, false],
  ['FENCED_INSTANCE_ID', 82, false],
  ['UNSTABLE_OFFSET_COMMIT', 88, true],
  ['THROTTLING_QUOTA_EXCEEDED', 89, true],
  ['PRODUCER_FENCED', 90, false],
  ['UNKNOWN_TOPIC_ID', 100, true],
  ['TRANSACTION_ABORTABLE', 120, false],
  ['INVALID_REGULAR_EXPRESSION', 128, false],
];

describe('ErrorCode table', () => {
  for (const [name, code, retriable] of KNOWN) {
    it(`${name} is ${code}, ${retriable ? '' : 'not '}retriable`, () => {
      assert.equal(ErrorCode[name], code);
      const info = errorInfo(code);
      assert.equal(info.name, name);
      assert.equal(info.code, code);
      assert.equal(info.retriable, retriable);
      assert.equal(isRetriable(code), retriable);
    });
  }

  it('has unique names and codes, contiguous from -1 to its maximum', () => {
    const entries = Object.entries(ErrorCode);
    const codes = entries.map(([, code]) => code as number).sort((a, b) => a - b);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(new Set(entries.map(([name]) => name)).size, entries.length);
    assert.equal(codes[0], -1);
    assert.deepEqual(
      codes,
      codes.map((_, i) => i - 1),
    );
    assert.equal(codes.at(-1), 128);
  });

  it('gives every code a message and a matching name', () => {
    for (const [name, code] of Object.entries(ErrorCode)) {
      const info = errorInfo(code);
      assert.equal(info.name, name);
      assert.ok(info.message.length > 0, `${name} has a message`);
      assert.ok(Object.isFrozen(info));
    }
  });

  it('handles codes it does not know', () => {
    for (const code of [129, 500, -2, 32767, 1.5, Number.NaN]) {
      const info = errorInfo(code);
      assert.equal(info.name, UNRECOGNIZED_ERROR);
      assert.equal(info.code, code);
      assert.equal(info.retriable, false);
      assert.equal(isRetriable(code), false);
    }
  });
});

describe('KafkaError', () => {
  it('carries code, name and retriability with the default message', () => {
    const err = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'KafkaError');
    assert.equal(err.code, 6);
    assert.equal(err.errorName, 'NOT_LEADER_OR_FOLLOWER');
    assert.equal(err.retriable, true);
    assert.equal(err.message, errorInfo(6).message);
    assert.equal(err.errorMessage, null);
  });

  it('uses an explicit message for both message and errorMessage', () => {
    const err = new KafkaError(ErrorCode.INVALID_CONFIG, 'retention.ms must be a number');
    assert.equal(err.code, 40);
    assert.equal(err.retriable, false);
    assert.equal(err.message, 'retention.ms must be a number');
    assert.equal(err.errorMessage, 'retention.ms must be a number');
  });

  it('keeps an unknown code as given', () => {
    const err = new KafkaError(4242);
    assert.equal(err.code, 4242);
    assert.equal(err.errorName, UNRECOGNIZED_ERROR);
    assert.equal(err.retriable, false);
  });
});

describe('toKafkaError', () => {
  it('returns a KafkaError unchanged', () => {
    const err = new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, "topic 'orders' already exists");
    assert.equal(toKafkaError(err), err);
  });

  it('maps a plain Error to UNKNOWN_SERVER_ERROR without leaking its message', () => {
    const cause = new Error('ENOSPC: /var/lib/tributary/segment-000.log');
    const err = toKafkaError(cause);
    assert.equal(err.code, -1);
    assert.equal(err.errorName, 'UNKNOWN_SERVER_ERROR');
    assert.equal(err.retriable, false);
    assert.equal(err.errorMessage, null);
    assert.equal(err.cause, cause);
  });

  it('maps non-Error throwables too', () => {
    for (const thrown of ['boom', 42, null, undefined, { code: 6 }]) {
      const err = toKafkaError(thrown);
      assert.equal(err.code, ErrorCode.UNKNOWN_SERVER_ERROR);
      assert.equal(err.cause, thrown);
    }
  });
});
