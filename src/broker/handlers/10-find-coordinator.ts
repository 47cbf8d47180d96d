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
 */
import { ErrorCode, type FindCoordinatorResponseCoordinator, type Input, toKafkaError } from '../../protocol/index.ts';
import type { Broker } from '../broker.ts';
import { defineHandler } from '../handler.ts';

const GROUP = 0;
const TRANSACTION = 1;

async function lookup(broker: Broker, keyType: number): Promise<Input<FindCoordinatorResponseCoordinator>> {
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
    host: broker.advertisedHost,
    port: broker.port,
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
      for (const key of req.coordinatorKeys) coordinators.push({ key, ...(await lookup(ctx.broker, keyType)) });
      return { throttleTimeMs: 0, coordinators };
    }
    const c = await lookup(ctx.broker, keyType);
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
