/**
 * Exact-frame helpers for the idempotence and transaction tests: the
 * requests a producer and a read_committed consumer send, built with the
 * project's codec over a RawConnection.
 */
import assert from 'node:assert/strict';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  iterateBatches,
  type ProduceResponsePartitionProduceResponse,
} from '../../src/protocol/index.ts';
import type { RawConnection } from '../helpers/raw-client.ts';

/** A producer batch of string values. */
export function batch(
  values: string[],
  producer: { id: bigint; epoch: number; seq: number; transactional?: boolean } | null = null,
): Buffer {
  return encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() })),
    producerId: producer?.id,
    producerEpoch: producer?.epoch,
    baseSequence: producer?.seq,
    transactional: producer?.transactional,
  });
}

/** Values of data records in fetched bytes (control batches skipped), with their offsets. */
export function fetchedValues(records: Buffer | null | undefined): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  if (!records) return out;
  for (const b of iterateBatches(records)) {
    if (b.header.isControl) continue;
    for (const r of decodeRecordBatch(b.bytes).records) out.push([Number(r.offset), String(r.value)]);
  }
  return out;
}

/** The requests of the tests, on one connection. */
export function txnClient(conn: RawConnection) {
  return {
    async initProducerId(transactionalId: string | null, timeoutMs = 60_000, version = 4, pid = -1n, epoch = -1) {
      return conn.request(22, version, {
        transactionalId,
        transactionTimeoutMs: timeoutMs,
        producerId: pid,
        producerEpoch: epoch,
      });
    },
    async produce(
      topic: string,
      partition: number,
      records: Buffer,
      transactionalId: string | null = null,
      version = 9,
    ): Promise<ProduceResponsePartitionProduceResponse> {
      const res = await conn.request(0, version, {
        transactionalId,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
      });
      const p = res.responses[0]?.partitionResponses[0];
      assert.ok(p);
      return p;
    },
    /** AddPartitionsToTxn in the client form (v0-3); returns partition → error code. */
    async addPartitions(
      transactionalId: string,
      pid: bigint,
      epoch: number,
      topics: Array<{ name: string; partitions: number[] }>,
      version = 3,
    ): Promise<Record<string, number>> {
      const res = await conn.request(24, version, {
        v3AndBelowTransactionalId: transactionalId,
        v3AndBelowProducerId: pid,
        v3AndBelowProducerEpoch: epoch,
        v3AndBelowTopics: topics,
      });
      const out: Record<string, number> = {};
      for (const t of res.resultsByTopicV3AndBelow)
        for (const p of t.resultsByPartition) out[`${t.name}-${p.partitionIndex}`] = p.partitionErrorCode;
      return out;
    },
    async endTxn(transactionalId: string, pid: bigint, epoch: number, committed: boolean, version = 3) {
      return conn.request(26, version, { transactionalId, producerId: pid, producerEpoch: epoch, committed });
    },
    async describe(transactionalId: string) {
      const res = await conn.request(65, 0, { transactionalIds: [transactionalId] });
      const s = res.transactionStates[0];
      assert.ok(s);
      return s;
    },
    async fetch(topic: string, partition: number, offset: bigint, readCommitted: boolean) {
      const res = await conn.request(1, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: readCommitted ? 1 : 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
      });
      const p = res.responses[0]?.partitions[0];
      assert.ok(p);
      return p;
    },
    async listOffset(topic: string, partition: number, readCommitted: boolean, timestamp = -1n) {
      const res = await conn.request(2, 7, {
        replicaId: -1,
        isolationLevel: readCommitted ? 1 : 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp, currentLeaderEpoch: -1 }] }],
      });
      const p = res.topics[0]?.partitions[0];
      assert.ok(p);
      return p.offset;
    },
  };
}
