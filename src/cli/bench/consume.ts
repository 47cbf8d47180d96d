/**
 * The consuming side of `tributary bench`: one consumer, without a group,
 * assigned every partition of the topic, from the beginning (consume) or
 * from the end (e2e, positioned before the producers start). It stops at the
 * N-th record; it fails when no record arrives for --timeout-ms.
 */

import { Consumer, type ConsumerRecord } from '../../client/consumer/index.ts';
import { Cluster } from '../../client/index.ts';
import type { Counters } from './produce.ts';
import { type Mark, mark } from './report.ts';

/** What the consumer read. */
export interface ConsumeOutcome {
  records: number;
  /** Value bytes read. */
  bytes: number;
  /** From creating the consumer (metadata, offsets, first fetch included) to the first record. */
  firstRecordMs: number;
  partitions: number;
  /** At the arrival of the first record and of the N-th. */
  first: Mark;
  last: Mark;
}

export interface ConsumeRun {
  bootstrapServer: string;
  topic: string;
  records: number;
  timeoutMs: number;
  from: 'beginning' | 'end';
  counters: Counters;
  /** Called for each of the N records as it arrives, with performance.now(). */
  onRecord?: (r: ConsumerRecord, now: number) => void;
}

/** A consumer positioned on every partition of the topic; `read()` consumes N records, `close()` ends it. */
export interface PositionedConsumer {
  partitions: number;
  read(): Promise<ConsumeOutcome>;
  close(): Promise<void>;
}

/** Creates the consumer and resolves its positions (ListOffsets) before anything is read. */
export async function openConsumer(o: ConsumeRun): Promise<PositionedConsumer> {
  const t0 = performance.now();
  const cluster = new Cluster({ bootstrapServers: o.bootstrapServer, clientId: `tributary-bench-${process.pid}-c` });
  const consumer = new Consumer(cluster, {
    autoCommit: false,
    autoOffsetReset: o.from === 'beginning' ? 'earliest' : 'latest',
  });
  const close = async (): Promise<void> => {
    await consumer.close().catch(() => {});
    await cluster.close().catch(() => {});
  };
  let partitions = 0;
  try {
    const [info] = await cluster.topicMetadata([o.topic]);
    const tps = info!.partitions.map((p) => ({ topic: o.topic, partition: p.partition }));
    partitions = tps.length;
    consumer.assign(tps);
    if (o.from === 'beginning') await consumer.seekToBeginning(tps);
    else await consumer.seekToEnd(tps);
  } catch (err) {
    await close();
    throw err;
  }

  const read = async (): Promise<ConsumeOutcome> => {
    let count = 0;
    let bytes = 0;
    let first: Mark | null = null;
    let last: Mark | null = null;
    let idleSince = performance.now();
    while (count < o.records) {
      const left = o.timeoutMs - (performance.now() - idleSince);
      if (left <= 0) {
        throw new Error(`read ${count} of ${o.records} records from ${o.topic}; none arrived for ${o.timeoutMs} ms`);
      }
      const batch = await consumer.poll(Math.min(left, 1000));
      if (batch.length === 0) continue;
      const now = performance.now();
      idleSince = now;
      first ??= mark();
      for (const r of batch) {
        if (count === o.records) break;
        count++;
        bytes += r.value?.length ?? 0;
        o.onRecord?.(r, now);
      }
      o.counters.received = count;
      if (count === o.records) last = mark();
    }
    if (!first || !last) throw new Error(`no records to read from ${o.topic}`); // records ≥ 1
    return {
      records: count,
      bytes,
      firstRecordMs: Math.round((first.at - t0) * 1000) / 1000,
      partitions,
      first,
      last,
    };
  };
  return { partitions, read, close };
}
