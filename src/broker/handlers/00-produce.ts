/**
 * Produce (key 0), versions 3-11 served; 0-11 advertised, because librdkafka
 * only compresses when it sees Produce v0 in the range (KAFKA-18659). v0-2
 * (magic 0/1 message sets) close the connection, as on Kafka 4.
 * - acks must be -1, 0 or 1 (INVALID_REQUIRED_ACKS otherwise).
 * - Each partition's batches are validated (magic 2, CRC, size) and appended
 *   as received, with only the base offset patched.
 * - acks=all answers after the data is fsynced (group commit across requests);
 *   acks=1 after it reached the OS; acks=0 sends no response.
 * - Topic policies (produce-policy.ts): compression.type recompresses,
 *   timestamps outside the configured window get INVALID_TIMESTAMP.
 * - Idempotent and transactional batches are checked against the partition's
 *   producer state: a retried batch (same epoch and sequences as one of the
 *   last five) is answered NONE with its original offsets and not written
 *   again; OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
 *   INVALID_TXN_STATE otherwise.
 * - Authorization (when on): transactional batches need WRITE on the
 *   request's transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for
 *   every partition, also without an id); each topic needs WRITE
 *   (TOPIC_AUTHORIZATION_FAILED for its partitions, checked first).
 * - Transactions: for a producer's first batch in a
 *   partition, the partition must be in its transaction (Kafka's transaction
 *   verification, `transaction.partition.verification.enable`, default
 *   true): INVALID_TXN_STATE (TRANSACTION_ABORTABLE from v11),
 *   INVALID_PRODUCER_EPOCH for a fenced producer, NOT_ENOUGH_REPLICAS for the
 *   retriable coordinator errors. One request may carry one transactional
 *   producer only (INVALID_PRODUCER_ID_MAPPING).
 * - Schema validation (schema-validation/, topics with
 *   tributary.{key,value}.schema.validation): records failing it get
 *   INVALID_RECORD with recordErrors, or go to a dead letter topic.
 * - Internal topics take no client writes (INVALID_TOPIC_EXCEPTION).
 * - Errors are per partition: UNKNOWN_TOPIC_OR_PARTITION, CORRUPT_MESSAGE,
 *   MESSAGE_TOO_LARGE, INVALID_RECORD, INVALID_TIMESTAMP, KAFKA_STORAGE_ERROR.
 */
import {
  BatchAttribute,
  BatchField,
  ErrorCode,
  errorInfo,
  type Input,
  KafkaError,
  type ProduceResponsePartitionProduceResponse as PartitionOut,
  type ProduceRequest,
  RECORD_BATCH_HEADER_SIZE,
  type ProduceResponseTopicProduceResponse as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { applyProducePolicy, type ProducePolicy } from '../produce-policy.ts';
import { RecordValidationError } from '../schema-validation/index.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, filterAuthorized } from '../security/authorizer.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../txn/index.ts';

const INTERNAL = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);
/** Kafka lets only its own admin client write to internal topics. */
const ADMIN_CLIENT_ID = '__admin_client';

/** Producer id and epoch of the first batch, when it is transactional. */
function transactionalProducer(records: Buffer | null): { producerId: number; epoch: number } | null {
  if (!records || records.length < RECORD_BATCH_HEADER_SIZE) return null;
  if ((records.readInt16BE(BatchField.ATTRIBUTES) & BatchAttribute.TRANSACTIONAL) === 0) return null;
  return {
    producerId: Number(records.readBigInt64BE(BatchField.PRODUCER_ID)),
    epoch: records.readInt16BE(BatchField.PRODUCER_EPOCH),
  };
}

/** Kafka's mapping of transaction verification errors to produce errors (ReplicaManager, AddPartitionsToTxnManager). */
function verificationError(code: number, version: number): KafkaError {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
      return new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH);
    case ErrorCode.TRANSACTION_ABORTABLE:
      return version > 10
        ? new KafkaError(code)
        : new KafkaError(ErrorCode.INVALID_TXN_STATE, 'Partition was not added to the transaction');
    case ErrorCode.INVALID_TXN_STATE:
      return new KafkaError(code, 'Partition was not added to the transaction');
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `Unable to verify the partition has been added to the transaction. Underlying error: ${errorInfo(code).name}`,
      );
    default:
      return new KafkaError(code);
  }
}

/** A whole-request error, as Kafka answers one: every partition carries it. */
function failAll(req: ProduceRequest, code: number): { responses: Input<TopicOut>[]; throttleTimeMs: number } {
  return {
    throttleTimeMs: 0,
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode: code,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        errorMessage: null,
      })),
    })),
  };
}

/** Checks the request's transactional producer; returns a whole-request error code or null. */
function checkTransactional(ctx: RequestContext, req: ProduceRequest): number | null {
  const producers = new Set<string>();
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const tp = transactionalProducer(p.records);
      if (tp) producers.add(`${tp.producerId}:${tp.epoch}`);
    }
  }
  if (producers.size === 0) return null;
  if (
    req.transactionalId === null ||
    !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
  ) {
    return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  }
  if (producers.size > 1) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  return null;
}

export default defineHandler({
  key: 0,
  minVersion: 3,
  maxVersion: 11,
  advertisedMin: 0,
  async handle(ctx, req) {
    const { broker } = ctx;
    const acks = req.acks;
    const validAcks = acks === -1 || acks === 0 || acks === 1;
    const now = Date.now();
    const policies = new Map<string, ProducePolicy>();
    const pending: Array<{ out: Input<PartitionOut>; flush?: Promise<void> }> = [];
    const responses: Input<TopicOut>[] = [];
    const txnError = checkTransactional(ctx, req);
    const verify = broker.brokerConfig('transaction.partition.verification.enable', 'true') !== 'false';
    if (txnError !== null) return acks === 0 ? null : failAll(req, txnError);
    const writable = filterAuthorized(
      ctx,
      AclOperation.WRITE,
      ResourceType.TOPIC,
      req.topicData.map((t) => t.name),
    );
    for (const t of req.topicData) {
      const partitionResponses: Input<PartitionOut>[] = [];
      for (const p of t.partitionData) {
        const out: Input<PartitionOut> = {
          index: p.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          errorMessage: null,
        };
        partitionResponses.push(out);
        try {
          if (!writable.has(t.name)) {
            out.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
            continue;
          }
          if (!validAcks) {
            out.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
            continue;
          }
          const log = broker.log(t.name, p.index);
          if (!log) {
            out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            continue;
          }
          if (!p.records || p.records.length === 0) {
            out.errorCode = ErrorCode.CORRUPT_MESSAGE;
            out.errorMessage = 'The produce request has no record batches for this partition.';
            continue;
          }
          if (p.records.length >= 12 && p.records.readInt32BE(8) + 12 < p.records.length) {
            // ProduceRequest.validateRecords: v3+ carries exactly one batch per partition
            out.errorCode = ErrorCode.INVALID_RECORD;
            out.errorMessage =
              'Produce requests with version 3 or later must contain exactly one record batch per partition.';
            continue;
          }
          const txn = transactionalProducer(p.records);
          if (txn && verify && req.transactionalId !== null && !log.hasOngoingTransaction(txn.producerId)) {
            const [code] = broker.txns.verifyPartitions(req.transactionalId, txn.producerId, txn.epoch, [
              { topic: t.name, partition: p.index },
            ]);
            if (code !== ErrorCode.NONE) throw verificationError(code as number, ctx.apiVersion);
          }
          if (INTERNAL.has(t.name) && ctx.header.clientId !== ADMIN_CLIENT_ID) {
            throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`);
          }
          const meta = broker.metadata.topicsByName.get(t.name);
          const policy = meta ? (policies.get(t.name) ?? broker.producePolicy(meta)) : undefined;
          if (meta && policy) policies.set(t.name, policy);
          const records = policy ? applyProducePolicy(p.records, policy, now) : p.records;
          const validation = meta ? broker.schemaValidation.settingsFor(meta) : null;
          const { result, dlqLogs } = validation
            ? await broker.schemaValidation.append(t.name, log, records, validation, now)
            : { result: log.append(records, { now }), dlqLogs: [] };
          out.baseOffset = BigInt(result.baseOffset);
          out.logAppendTimeMs = BigInt(result.logAppendTime);
          out.logStartOffset = BigInt(log.logStartOffset);
          if (!result.duplicate) broker.waiters.notify(t.name, p.index);
          if (acks === -1) {
            const f = dlqLogs.length
              ? Promise.all([log, ...dlqLogs].map((l) => l.flush())).then(() => {})
              : log.flush();
            pending.push({ out, flush: f });
          }
        } catch (err) {
          const e = toKafkaError(err);
          if (e.code === ErrorCode.UNKNOWN_SERVER_ERROR) broker.logger.error({ err }, 'produce failed');
          out.errorCode = e.code;
          out.errorMessage = e.errorMessage;
          out.baseOffset = -1n;
          if (err instanceof RecordValidationError) out.recordErrors = err.recordErrors;
        }
      }
      responses.push({ name: t.name, partitionResponses });
    }
    // acks=all: the answer waits for fsync; a failed fsync fails the partition
    for (const p of pending) {
      try {
        await p.flush;
      } catch (err) {
        const e = toKafkaError(err);
        p.out.errorCode = e.code === ErrorCode.UNKNOWN_SERVER_ERROR ? ErrorCode.KAFKA_STORAGE_ERROR : e.code;
        p.out.errorMessage = e.errorMessage;
        p.out.baseOffset = -1n;
      }
    }
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});
