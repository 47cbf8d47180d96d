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
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';

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
    if (noId !== noEpoch) return answer(ErrorCode.INVALID_REQUEST);
    const expected = noId ? null : { producerId: Number(req.producerId), producerEpoch: req.producerEpoch };
    const r = await ctx.broker.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
    return answer(r.error, BigInt(r.producerId), r.producerEpoch);
  },
});
