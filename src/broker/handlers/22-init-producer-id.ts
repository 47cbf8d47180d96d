/**
 * InitProducerId (key 22), versions 0-5.
 * - Without a transactional id: a new producer id at epoch 0 (idempotent
 *   producers).
 * - With one: the transaction coordinator bumps the epoch (an open
 *   transaction is aborted first: CONCURRENT_TRANSACTIONS, retry), checks the
 *   timeout against transaction.max.timeout.ms (INVALID_TRANSACTION_TIMEOUT)
 *   and an empty id (INVALID_REQUEST).
 * - v3+: a producer id and epoch in the request ask to recover that
 *   producer (PRODUCER_FENCED when it is not the current one); only one of
 *   the two set is INVALID_REQUEST.
 * - PRODUCER_FENCED is sent as INVALID_PRODUCER_EPOCH below v4.
 * - Authorization (when on): WRITE on the transactional id
 *   (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one, IDEMPOTENT_WRITE
 *   on the cluster or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED), as
 *   Kafka 3.x.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, authorizeByResourceType, authorizeCluster } from '../security/authorizer.ts';

export default defineHandler({
  key: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const noId = req.producerId === -1n;
    const noEpoch = req.producerEpoch === -1;
    const answer = (errorCode: number, producerId = -1n, producerEpoch = -1) => ({
      throttleTimeMs: 0,
      errorCode:
        ctx.apiVersion < 4 && errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode,
      producerId,
      producerEpoch,
    });
    const txnId = req.transactionalId;
    if (txnId !== null && !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txnId)) {
      return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    if (
      txnId === null &&
      !authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE, { logIfDenied: false }) &&
      !authorizeByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)
    ) {
      return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if (noId !== noEpoch) return answer(ErrorCode.INVALID_REQUEST);
    const expected = noId ? null : { producerId: Number(req.producerId), producerEpoch: req.producerEpoch };
    const r = await ctx.broker.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
    return answer(r.error, BigInt(r.producerId), r.producerEpoch);
  },
});
