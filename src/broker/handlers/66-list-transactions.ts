/**
 * ListTransactions (key 66), versions 0-1.
 * - Every transactional id the coordinator knows (Dead ones excluded), with
 *   producer id and state name, filtered by state names (unknown names are
 *   echoed in unknownStateFilters), producer ids and (v1) a minimum
 *   duration: transactions running for longer than durationFilter ms.
 * - COORDINATOR_LOAD_IN_PROGRESS while the state loads.
 * - Authorization (when on): only the transactional ids the principal may
 *   DESCRIBE are listed.
 */
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

export default defineHandler({
  key: 66,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const r = ctx.broker.txns.list(
      req.stateFilters,
      req.producerIdFilters.map((p) => Number(p)),
      Number(req.durationFilter),
    );
    return {
      throttleTimeMs: 0,
      errorCode: r.error,
      unknownStateFilters: r.unknownStateFilters,
      transactionStates: r.states
        .filter((s) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, s.transactionalId))
        .map((s) => ({
          transactionalId: s.transactionalId,
          producerId: BigInt(s.producerId),
          transactionState: s.state,
        })),
    };
  },
});
