/**
 * FindCoordinator (key 10), versions 0-6.
 * - This node coordinates every group (key type 0) and every transactional
 *   id (key type 1). v0 has no key type (a group); v4+ asks for a batch of
 *   `coordinatorKeys` and answers one entry per key.
 * - A group lookup creates `__consumer_offsets` on first use (Kafka answers
 *   COORDINATOR_NOT_AVAILABLE while it creates it; here the topic exists
 *   before the answer); if that fails, COORDINATOR_NOT_AVAILABLE.
 * - Share coordinators (key type 2, v6+) are not served: INVALID_REQUEST, as
 *   is an unknown key type.
 * - Authorization (when on): DESCRIBE on the group
 *   (GROUP_AUTHORIZATION_FAILED) or transactional id
 *   (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), before anything else.
 */
import { ErrorCode, type FindCoordinatorResponseCoordinator, type Input, toKafkaError } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler, type RequestContext } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize } from '../security/authorizer.ts';

const GROUP = 0;
const TRANSACTION = 1;

/** The answer for a key the principal may not DESCRIBE, or null. */
function denied(ctx: RequestContext, keyType: number, key: string): Input<FindCoordinatorResponseCoordinator> | null {
  const none = { nodeId: -1, host: '', port: -1 };
  if (keyType === GROUP && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return { ...none, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
  }
  if (keyType === TRANSACTION && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return { ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
  }
  return null;
}

async function lookup(
  broker: Broker,
  keyType: number,
  listener: string,
): Promise<Input<FindCoordinatorResponseCoordinator>> {
  const none = { nodeId: -1, host: '', port: -1 };
  if (keyType !== GROUP && keyType !== TRANSACTION) {
    return {
      ...none,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Unsupported coordinator key type ${keyType}`,
    };
  }
  try {
    // like Kafka, the coordinator's internal topic is created on first lookup
    if (keyType === GROUP) await broker.groups.ensureOffsetsTopic();
    else await broker.txns.ensureStateTopic();
  } catch (err) {
    return { ...none, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: toKafkaError(err).errorMessage };
  }
  return {
    nodeId: broker.nodeId,
    ...broker.endpointFor(listener),
    errorCode: ErrorCode.NONE,
  };
}

export default defineHandler({
  key: 10,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, req) {
    const keyType = ctx.apiVersion === 0 ? GROUP : req.keyType;
    if (ctx.apiVersion >= 4) {
      const coordinators: Input<FindCoordinatorResponseCoordinator>[] = [];
      for (const key of req.coordinatorKeys) {
        coordinators.push({
          key,
          ...(denied(ctx, keyType, key) ?? (await lookup(ctx.broker, keyType, ctx.connection.listener))),
        });
      }
      return { throttleTimeMs: 0, coordinators };
    }
    const c = denied(ctx, keyType, req.key) ?? (await lookup(ctx.broker, keyType, ctx.connection.listener));
    return {
      throttleTimeMs: 0,
      errorCode: c.errorCode,
      // Kafka fills this from Errors.message(), which is "NONE" on success
      errorMessage: c.errorCode === ErrorCode.NONE ? 'NONE' : (c.errorMessage ?? null),
      nodeId: c.nodeId,
      host: c.host,
      port: c.port,
    };
  },
});
