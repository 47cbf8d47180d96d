/**
 * EndTxn (key 26), versions 0-4 (v5 means transactions version 2, with an
 * epoch bump on every commit, which this broker does not finalize).
 * - Ongoing → PrepareCommit/PrepareAbort is written to `__transaction_state`,
 *   then COMMIT/ABORT markers go to every partition of the transaction and
 *   the offsets of its groups are completed, then CompleteCommit/Abort.
 * - A repeated commit after CompleteCommit (abort after CompleteAbort) is
 *   NONE; a commit while PrepareCommit is CONCURRENT_TRANSACTIONS; the
 *   opposite outcome, or EndTxn with no transaction (Empty), is
 *   INVALID_TXN_STATE and changes nothing.
 * - INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
 *   below v2), COORDINATOR_LOAD_IN_PROGRESS as Kafka.
 * - Authorization (when on): WRITE on the transactional id, else
 *   TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 26,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const r = await ctx.broker.txns.endTxn(
      req.transactionalId,
      Number(req.producerId),
      req.producerEpoch,
      req.committed,
    );
    return {
      throttleTimeMs: 0,
      errorCode:
        ctx.apiVersion < 2 && r.error === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.error,
      producerId: BigInt(r.producerId),
      producerEpoch: r.producerEpoch,
    };
  },
});
