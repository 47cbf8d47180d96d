/**
 * TxnOffsetCommit (key 28), versions 0-4.
 * - Stages a consumer group's offsets in the producer's transaction; they
 *   become the group's committed offsets when the transaction commits and
 *   are dropped when it aborts (the group coordinator keeps them meanwhile).
 * - Unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION, the rest
 *   goes on; an empty group id is INVALID_GROUP_ID.
 * - The transaction coordinator verifies the group was added with
 *   AddOffsetsToTxn (Kafka's transaction verification, unless
 *   `transaction.partition.verification.enable` is false): otherwise
 *   INVALID_TXN_STATE (TRANSACTION_ABORTABLE from v4);
 *   INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH for a fenced
 *   producer, CONCURRENT_TRANSACTIONS while the transaction completes.
 * - v3+ carries the member (generation, member id, instance id), which the
 *   group coordinator checks as for OffsetCommit.
 * - Below v2 COORDINATOR_LOAD_IN_PROGRESS is sent as COORDINATOR_NOT_AVAILABLE.
 * - Authorization (when on): WRITE on the transactional id, then READ on
 *   the group (TRANSACTIONAL_ID_/GROUP_AUTHORIZATION_FAILED for every
 *   partition), then READ on each topic (TOPIC_AUTHORIZATION_FAILED before
 *   the existence check).
 */
import {
  ErrorCode,
  type Input,
  type TxnOffsetCommitResponseTxnOffsetCommitResponseTopic as TopicOut,
  toKafkaError,
} from '../../protocol/index.ts';
import { coordinatorAppendError } from '../coordinator-errors.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, ResourceType } from '../security/acls.ts';
import { authorize, filterAuthorized } from '../security/authorizer.ts';

/** How Kafka's group coordinator reports errors of the verification and the write (CoordinatorOperationExceptionHelper). */
function groupError(code: number, version: number): number {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return version >= 4 ? code : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.NETWORK_EXCEPTION:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    default:
      return coordinatorAppendError(code);
  }
}

export default defineHandler({
  key: 28,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const { broker } = ctx;
    const v = ctx.apiVersion;
    const codes = new Map<string, number>(); // "topic\0partition" → code, in request order
    const offsets: Array<{
      topic: string;
      partition: number;
      offset: bigint;
      leaderEpoch: number;
      metadata: string | null;
    }> = [];
    let denied: number = ErrorCode.NONE;
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
      denied = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) {
      denied = ErrorCode.GROUP_AUTHORIZATION_FAILED;
    }
    const readable =
      denied !== ErrorCode.NONE
        ? new Set<string>()
        : filterAuthorized(
            ctx,
            AclOperation.READ,
            ResourceType.TOPIC,
            req.topics.map((t) => t.name),
          );
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const key = `${t.name}\0${p.partitionIndex}`;
        if (!readable.has(t.name)) {
          codes.set(key, denied || ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          continue;
        }
        if (!broker.log(t.name, p.partitionIndex)) {
          codes.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        codes.set(key, ErrorCode.NONE);
        offsets.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        });
      }
    }
    const setAll = (code: number): void => {
      for (const o of offsets) codes.set(`${o.topic}\0${o.partition}`, code);
    };
    if (offsets.length > 0) {
      if (req.groupId === '') setAll(ErrorCode.INVALID_GROUP_ID);
      else {
        const verify = broker.brokerConfig('transaction.partition.verification.enable', 'true') !== 'false';
        const verified = verify
          ? broker.txns.verifyGroup(req.transactionalId, Number(req.producerId), req.producerEpoch, req.groupId)
          : ErrorCode.NONE;
        if (verified !== ErrorCode.NONE) setAll(groupError(verified, v));
        else {
          try {
            const results = await broker.groups.stageTxnOffsets({
              groupId: req.groupId,
              producerId: req.producerId,
              producerEpoch: req.producerEpoch,
              offsets,
              member:
                v >= 3
                  ? { memberId: req.memberId, generationId: req.generationId, groupInstanceId: req.groupInstanceId }
                  : undefined,
            });
            for (const r of results) codes.set(`${r.topic}\0${r.partition}`, groupError(r.errorCode, v));
          } catch (err) {
            const e = toKafkaError(err);
            if (e.code === ErrorCode.UNKNOWN_SERVER_ERROR) broker.logger.error({ err }, 'TxnOffsetCommit failed');
            setAll(groupError(e.code, v));
          }
        }
      }
    }
    const topics: Input<TopicOut>[] = [];
    const byName = new Map<string, Input<TopicOut>>();
    for (const [key, code] of codes) {
      const at = key.lastIndexOf('\0');
      const name = key.slice(0, at);
      let t = byName.get(name);
      if (!t) {
        t = { name, partitions: [] };
        byName.set(name, t);
        topics.push(t);
      }
      const errorCode =
        v < 2 && code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code;
      (t.partitions as Array<{ partitionIndex: number; errorCode: number }>).push({
        partitionIndex: Number(key.slice(at + 1)),
        errorCode,
      });
    }
    return { throttleTimeMs: 0, topics };
  },
});
