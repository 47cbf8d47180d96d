/**
 * Helpers for the consumer and group tests: test data from kcat or a raw
 * Produce request (the project's producer is written separately), and
 * polling until a condition holds.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, ConsumerRecord } from '../../src/client/consumer/index.ts';
import { ApiKey, Cluster, ErrorCode } from '../../src/client/index.ts';
import { encodeRecordBatch, type RecordInput } from '../../src/protocol/index.ts';
import type { TestBroker } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';

/** Broker configs for fast group tests. */
export const GROUP_CONFIGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '500',
  'offsets.topic.num.partitions': '4',
  'group.consumer.heartbeat.interval.ms': '200',
  'group.consumer.session.timeout.ms': '3000',
};

/** Consumer options for fast group tests. */
export const FAST = { sessionTimeoutMs: 3000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 5000, maxWaitMs: 100 };

/** A cluster client closed after the test. */
export function cluster(tb: TestBroker, after: (fn: () => Promise<void>) => void, metadataMaxAgeMs?: number): Cluster {
  const c = new Cluster({
    bootstrapServers: tb.bootstrap,
    retry: { retries: 8, initialBackoffMs: 50, maxBackoffMs: 500 },
    ...(metadataMaxAgeMs !== undefined && { metadataMaxAgeMs }),
  });
  after(() => c.close());
  return c;
}

/** `key:value` lines through kcat (-K:), one partition or by key hash. */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  lines: string[],
  opts: { codec?: string; partition?: number; headers?: string[] } = {},
): Promise<void> {
  const args = ['-b', bootstrap, '-P', '-t', topic, '-K:', '-z', opts.codec ?? 'none', '-X', 'acks=all'];
  if (opts.partition !== undefined) args.push('-p', String(opts.partition));
  for (const h of opts.headers ?? []) args.push('-H', h);
  const r = await exec('kcat', args, `${lines.join('\n')}\n`, 30_000);
  assert.equal(r.code, 0, r.stderr);
}

/** One record batch through a raw Produce request (acks=all). */
export async function rawProduce(
  c: Cluster,
  topic: string,
  partition: number,
  records: RecordInput[],
  compression = 0,
): Promise<void> {
  const conn = await c.connection(1);
  const res = await conn.request(ApiKey.Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [
      { name: topic, partitionData: [{ index: partition, records: encodeRecordBatch({ records, compression }) }] },
    ],
  });
  assert.equal(res.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE);
}

/** Polls until `n` records arrived (or the time is up). */
export async function drain(consumer: Consumer, n: number, timeoutMs = 10_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...(await consumer.poll(200)));
  return out;
}

/** Waits until `cond()` is true. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** "topic-partition@offset" for comparisons. */
export const at = (r: ConsumerRecord): string => `${r.topic}-${r.partition}@${r.offset}`;
