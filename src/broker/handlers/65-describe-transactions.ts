/**
 * DescribeTransactions (key 65), version 0.
 * - Per transactional id: state name (Empty, Ongoing, PrepareCommit, …),
 *   timeout, start time, producer id and epoch, and the partitions of the
 *   open transaction grouped by topic (a group's offsets show as its
 *   `__consumer_offsets` partition, as in Kafka).
 * - An unknown id is TRANSACTIONAL_ID_NOT_FOUND, an empty one
 *   INVALID_REQUEST, COORDINATOR_LOAD_IN_PROGRESS while the state loads.
 * - Authorization (when on): DESCRIBE on the transactional id, else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED; topics the principal may not
 *   DESCRIBE are left out of the partition list.
 */
import {
  ErrorCode,
  type Input,
  type DescribeTransactionsResponseTransactionState as StateOut,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 65,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const transactionStates: Input<StateOut>[] = req.transactionalIds.map((transactionalId) => {
      if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
        return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId };
      }
      const d = ctx.broker.txns.describe(transactionalId);
      return {
        errorCode: d.error,
        transactionalId,
        transactionState: d.state,
        transactionTimeoutMs: d.timeoutMs,
        transactionStartTimeMs: BigInt(d.startMs),
        producerId: BigInt(d.producerId),
        producerEpoch: d.producerEpoch,
        topics: d.partitions
          .filter((p) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, p.topic))
          .map((p) => ({ topic: p.topic, partitions: p.partitions })),
      };
    });
    return { throttleTimeMs: 0, transactionStates };
  },
});
