/**
 * TxnOffsetCommit: a consumer group's offsets written into a transaction,
 * sent to the group coordinator after AddOffsetsToTxn (transactions.ts).
 * Partitions answered with a retriable error are sent again; a group
 * membership error (the consumer left the generation) fails the call.
 */
import { CoordinatorType } from '../cluster.ts';
import { ErrorCode, KafkaError } from '../errors.ts';
import { ApiKey } from '../versions.ts';
import { type ProducerContext, retryWithin } from './context.ts';
import type { Sequences } from './idempotence.ts';
import type { ConsumerGroupMetadata, TopicPartitionOffset } from './types.ts';

/** Group errors after which TxnOffsetCommit cannot succeed in this transaction (Java's CommitFailedException). */
const GROUP_MEMBERSHIP_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.FENCED_INSTANCE_ID,
]);

/** Commits `offsets` for group `g` inside the producer's transaction. */
export async function commitTxnOffsets(
  ctx: ProducerContext,
  producer: { transactionalId: string; seq: Sequences },
  g: ConsumerGroupMetadata,
  offsets: TopicPartitionOffset[],
): Promise<void> {
  let left = offsets;
  const forget = (code: number): void => {
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) {
      ctx.cluster.invalidateCoordinator(CoordinatorType.GROUP, g.groupId);
    }
  };
  await retryWithin(
    ctx,
    `TxnOffsetCommit for group ${g.groupId}`,
    async () => {
      const conn = await ctx.cluster.coordinatorConnection(CoordinatorType.GROUP, g.groupId);
      const byTopic = new Map<string, TopicPartitionOffset[]>();
      for (const o of left) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
      const r = await conn.request(ApiKey.TxnOffsetCommit, {
        transactionalId: producer.transactionalId,
        groupId: g.groupId,
        producerId: producer.seq.producerId,
        producerEpoch: producer.seq.producerEpoch,
        generationId: g.generationId,
        memberId: g.memberId,
        groupInstanceId: g.groupInstanceId,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            committedMetadata: o.metadata ?? '',
          })),
        })),
      });
      const codes = new Map<string, number>();
      for (const t of r.topics) for (const p of t.partitions) codes.set(`${p.partitionIndex}:${t.name}`, p.errorCode);
      const retry: TopicPartitionOffset[] = [];
      let last: number = ErrorCode.NONE;
      for (const o of left) {
        const c = codes.get(`${o.partition}:${o.topic}`) ?? ErrorCode.NONE;
        if (c === ErrorCode.NONE) continue;
        const err = new KafkaError(c);
        if (!err.retriable) {
          const why = GROUP_MEMBERSHIP_ERRORS.has(c) ? ' (the consumer is no longer in that generation)' : '';
          throw new KafkaError(c, `TxnOffsetCommit ${o.topic}-${o.partition}: ${err.errorName}${why}`);
        }
        retry.push(o);
        last = c;
      }
      left = retry;
      if (last !== ErrorCode.NONE) throw new KafkaError(last, `TxnOffsetCommit: ${new KafkaError(last).errorName}`);
    },
    forget,
  );
}
