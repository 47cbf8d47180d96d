/**
 * AddOffsetsToTxn (key 25), versions 0-4.
 * - Adds a consumer group to the producer's transaction, so that offsets it
 *   commits with TxnOffsetCommit become visible with the transaction's commit
 *   (and are dropped on abort). In Kafka's terms the group's
 *   `__consumer_offsets` partition joins the transaction.
 * - Errors as AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING,
 *   PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2),
 *   CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS, INVALID_REQUEST
 *   for an empty transactional id.
 * - Authorization (when on): WRITE on the transactional id
 *   (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group
 *   (GROUP_AUTHORIZATION_FAILED).
 */
import { ErrorCode } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';
import { CONSUMER_OFFSETS_TOPIC, partitionForKey } from '../txn/index.ts';

/** The `__consumer_offsets` partition of a group (its partition count, or offsets.topic.num.partitions). */
function offsetsPartitionOf(broker: Broker, groupId: string): number {
  const n =
    broker.metadata.topicsByName.get(CONSUMER_OFFSETS_TOPIC)?.partitions ??
    Number(broker.brokerConfig('offsets.topic.num.partitions', '50'));
  return partitionForKey(groupId, Math.max(1, n));
}

export default defineHandler({
  key: 25,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const { broker } = ctx;
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    let code = await broker.txns.addPartitions(
      req.transactionalId,
      Number(req.producerId),
      req.producerEpoch,
      [{ topic: CONSUMER_OFFSETS_TOPIC, partition: offsetsPartitionOf(broker, req.groupId) }],
      [req.groupId],
    );
    if (ctx.apiVersion < 2 && code === ErrorCode.PRODUCER_FENCED) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode: code };
  },
});
