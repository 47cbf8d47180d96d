/**
 * AddPartitionsToTxn (key 24), versions 0-5.
 * - v0-3 (clients): one transaction in the request's top-level fields,
 *   answered per topic (resultsByTopicV3AndBelow).
 * - v4+ (the brokers' batched form; @platformatic/kafka sends it too): many
 *   transactions, each answered in resultsByTransaction; `verifyOnly` asks
 *   whether the partitions are in the transaction without adding them
 *   (per partition NONE or TRANSACTION_ABORTABLE).
 * - A partition of an unknown topic or out of range is
 *   UNKNOWN_TOPIC_OR_PARTITION and the others of that transaction
 *   OPERATION_NOT_ATTEMPTED; internal topics are not writable by clients
 *   (TOPIC_AUTHORIZATION_FAILED below v4, as Kafka's authorization filter).
 * - Otherwise the coordinator's answer applies to every partition:
 *   INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
 *   below v2), CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS.
 * - Authorization (when on): v0-3 need WRITE on the transactional id
 *   (TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and on each
 *   topic (TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED);
 *   v4+ come from brokers in Kafka and need CLUSTER_ACTION on the cluster
 *   (top-level CLUSTER_AUTHORIZATION_FAILED).
 */
import {
  ErrorCode,
  type Input,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic as TopicIn,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult as TopicOut,
  type AddPartitionsToTxnResponseAddPartitionsToTxnResult as TxnResult,
} from '../../protocol/index.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, authorizeCluster, filterAuthorized } from '../security/authorizer.ts';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../txn/index.ts';

const INTERNAL = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

interface Txn {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: TopicIn[];
}

/** The same code for every partition of a transaction. */
function uniform(topics: TopicIn[], code: (topic: string, partition: number) => number): Input<TopicOut>[] {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })),
  }));
}

async function handleTxn(ctx: RequestContext, version: number, txn: Txn): Promise<Input<TopicOut>[]> {
  const { broker } = ctx;
  const bad = new Map<string, number>();
  if (version < 4 && !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txn.transactionalId)) {
    return uniform(txn.topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const writable =
    version < 4
      ? filterAuthorized(
          ctx,
          AclOperation.WRITE,
          ResourceType.TOPIC,
          txn.topics.filter((t) => !INTERNAL.has(t.name)).map((t) => t.name),
        )
      : null;
  for (const t of txn.topics) {
    for (const p of t.partitions) {
      if (writable && !writable.has(t.name)) bad.set(`${t.name}:${p}`, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      else if (!broker.log(t.name, p)) bad.set(`${t.name}:${p}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
  }
  if (bad.size > 0) {
    return uniform(txn.topics, (t, p) => bad.get(`${t}:${p}`) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
  }
  const partitions = txn.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const producerId = Number(txn.producerId);
  if (txn.verifyOnly) {
    const codes = broker.txns.verifyPartitions(txn.transactionalId, producerId, txn.producerEpoch, partitions);
    let i = 0;
    return uniform(txn.topics, () => codes[i++] as number);
  }
  let code = await broker.txns.addPartitions(txn.transactionalId, producerId, txn.producerEpoch, partitions);
  if (version < 2 && code === ErrorCode.PRODUCER_FENCED) code = ErrorCode.INVALID_PRODUCER_EPOCH;
  return uniform(txn.topics, () => code);
}

export default defineHandler({
  key: 24,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const v = ctx.apiVersion;
    if (v < 4) {
      const topics = await handleTxn(ctx, v, {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: req.v3AndBelowTopics,
      });
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: topics };
    }
    if (!authorizeCluster(ctx, AclOperation.CLUSTER_ACTION)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] };
    }
    const results: Input<TxnResult>[] = [];
    for (const txn of req.transactions) {
      results.push({ transactionalId: txn.transactionalId, topicResults: await handleTxn(ctx, v, txn) });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: results };
  },
});
