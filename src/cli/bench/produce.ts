/**
 * The producing side of `tributary bench`: K producers, each on its own
 * Cluster (so its own connections), send their share of the records
 * concurrently in this process. A record's latency runs from its send() call
 * to its delivery report. Each producer keeps at most as many records
 * outstanding as fit its buffer memory, as a blocking send() bounds
 * kafka-producer-perf-test; --throughput paces the sends as Kafka's
 * ThroughputThrottler does.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Admin } from '../../client/admin/index.ts';
import { Cluster, ErrorCode } from '../../client/index.ts';
import { Producer } from '../../client/producer/index.ts';
import { Histogram } from './histogram.ts';
import { acksValue, type ProduceOptions } from './options.ts';
import { type Mark, mark } from './report.ts';

/** What the producers did. */
export interface ProduceOutcome {
  /** Records delivered. */
  records: number;
  /** Value bytes delivered. */
  bytes: number;
  /** At the first send() and at the last delivery report. */
  start: Mark;
  end: Mark;
  /** send() → delivery report. */
  latency: Histogram;
  errors: number;
  firstError: string | null;
  /** The topic's partition count. */
  partitions: number;
}

/** Live counters for the progress line. */
export interface Counters {
  sent: number;
  acked: number;
  received: number;
}

const BUFFER_MEMORY = 32 * 1024 * 1024; // the producer's default buffer.memory
const POOL = 1 << 20;
/** Bytes 0-7 of an e2e record: its send time, process.hrtime.bigint() (CLOCK_MONOTONIC, shared by processes). */
export const STAMP_BYTES = 8;

/**
 * Printable random values: record i is a slice of a random pool at an offset
 * of its own, so values differ (compression sees realistic input), at no
 * cost per record.
 */
function valuePool(size: number): Buffer {
  const alphabet = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  const pool = randomBytes(POOL + size);
  for (let i = 0; i < pool.length; i++) pool[i] = alphabet[pool[i]! & 63]!;
  return pool;
}

/** Creates the topic with `partitions` partitions unless it exists; returns its partition count. */
export async function ensureTopic(cluster: Cluster, topic: string, partitions: number): Promise<number> {
  const [created] = await new Admin(cluster).createTopics([{ name: topic, numPartitions: partitions }]);
  if (created?.error && created.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw created.error;
  const [info] = await cluster.topicMetadata([topic]);
  return info!.partitions.length;
}

/** Opens a connection to every leader of `topic` so the measured time leaves out connecting. */
export async function connectLeaders(cluster: Cluster, topic: string): Promise<number> {
  const [info] = await cluster.topicMetadata([topic]);
  const leaders = new Set(info!.partitions.map((p) => p.leader));
  await Promise.all([...leaders].map((id) => cluster.connection(id)));
  return info!.partitions.length;
}

/** Splits `total` into `k` shares that differ by at most one. */
function shares(total: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(total / k) + (i < total % k ? 1 : 0));
}

/**
 * Runs the producers to completion. With `stamp`, every value starts with
 * its send time (STAMP_BYTES) for the e2e consumer.
 */
export async function runProducers(o: ProduceOptions, counters: Counters, stamp: boolean): Promise<ProduceOutcome> {
  const clusters = Array.from(
    { length: o.producers },
    (_, i) => new Cluster({ bootstrapServers: o.bootstrapServer, clientId: `tributary-bench-${process.pid}-${i}` }),
  );
  const producers: Producer[] = [];
  try {
    const partitions = await ensureTopic(clusters[0]!, o.topic, o.partitions);
    await Promise.all(clusters.map((c) => connectLeaders(c, o.topic)));
    for (const c of clusters) {
      producers.push(
        new Producer(c, {
          acks: acksValue(o.acks),
          lingerMs: o.lingerMs,
          batchSize: o.batchSize,
          compression: o.compression,
          bufferMemory: BUFFER_MEMORY,
          maxRequestSize: Math.max(1_048_576, o.batchSize + 1024, o.recordSize + 1024),
        }),
      );
    }
    const pool = valuePool(o.recordSize);
    const latency = new Histogram();
    const window = Math.max(16, Math.floor(BUFFER_MEMORY / (o.recordSize + 64)));
    const perProducerRate = o.throughput > 0 ? o.throughput / o.producers : -1;
    let errors = 0;
    let firstError: string | null = null;
    let bytes = 0;
    const start = mark();
    const t0 = start.at;

    const produceShare = async (producer: Producer, count: number, index: number): Promise<void> => {
      let outstanding = 0;
      let wake: (() => void) | null = null;
      let allDone: (() => void) | null = null;
      const settled = (): void => {
        outstanding--;
        counters.acked++;
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
        if (outstanding === 0 && allDone) allDone();
      };
      for (let i = 0; i < count; i++) {
        if (perProducerRate > 0) {
          const due = t0 + (i / perProducerRate) * 1000;
          const ahead = due - performance.now();
          if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
        }
        if (outstanding >= window) await new Promise<void>((r) => (wake = r));
        else if ((i & 255) === 255) await yieldToLoop(); // let replies and linger timers run
        const off = ((i * o.producers + index) * 7919) % POOL;
        let value: Buffer;
        if (stamp) {
          value = Buffer.allocUnsafe(o.recordSize);
          pool.copy(value, 0, off, off + o.recordSize);
          value.writeBigUInt64BE(process.hrtime.bigint(), 0);
        } else {
          value = pool.subarray(off, off + o.recordSize);
        }
        outstanding++;
        counters.sent++;
        const sentAt = performance.now();
        producer.send({ topic: o.topic, value }).then(
          () => {
            latency.recordMs(performance.now() - sentAt);
            bytes += o.recordSize;
            settled();
          },
          (err: Error) => {
            errors++;
            firstError ??= err.message;
            settled();
          },
        );
      }
      if (outstanding > 0) await new Promise<void>((r) => (allDone = r));
    };

    await Promise.all(shares(o.records, o.producers).map((n, i) => produceShare(producers[i]!, n, i)));
    const end = mark(); // the last delivery report resolved Promise.all just now
    return { records: latency.count, bytes, start, end, latency, errors, firstError, partitions };
  } finally {
    await Promise.allSettled(producers.map((p) => p.close()));
    await Promise.allSettled(clusters.map((c) => c.close()));
  }
}
