/**
 * The three benchmarks, each returning the report `tributary bench` prints:
 *
 * - produce: runProducers (produce.ts); rates over first send() → last
 *   delivery report, latency send() → delivery report.
 * - consume: N records from the beginning of every partition; rates over
 *   the first record's arrival → the N-th's (start-up and the first fetch
 *   are reported apart, as time to first record).
 * - e2e: the consumer is positioned at the end of every partition, then the
 *   producers run while it reads; every value carries its send time, so the
 *   latency runs from send() to the consumer's receipt. Producers and the
 *   consumer share this process (and its one JavaScript thread).
 */
import { Cluster } from '../../client/index.ts';
import { openConsumer } from './consume.ts';
import { Histogram } from './histogram.ts';
import type { ConsumeOptions, E2eOptions, ProduceOptions } from './options.ts';
import { type Counters, ensureTopic, runProducers, STAMP_BYTES } from './produce.ts';
import { type BenchReport, rates, span, startProgress } from './report.ts';

function produceConfig(o: ProduceOptions): Record<string, string | number> {
  return {
    recordSize: o.recordSize,
    acks: o.acks,
    compression: o.compression,
    producers: o.producers,
    lingerMs: o.lingerMs,
    batchSize: o.batchSize,
    throughput: o.throughput,
  };
}

function failures(errors: number, firstError: string | null): Error | null {
  return errors > 0 ? new Error(`${errors} record(s) failed; first error: ${firstError}`) : null;
}

/** `bench produce`; throws when a record fails (after the report is built, see BenchError). */
export async function benchProduce(o: ProduceOptions): Promise<BenchReport> {
  const counters: Counters = { sent: 0, acked: 0, received: 0 };
  const stop = startProgress('produce', o.records, counters);
  try {
    const p = await runProducers(o, counters, false);
    const s = span(p.start, p.end);
    const report: BenchReport = {
      mode: 'produce',
      topic: o.topic,
      partitions: p.partitions,
      records: p.records,
      bytes: p.bytes,
      ...rates(p.records, p.bytes, s.seconds),
      ...s,
      latencyMs: p.latency.summary(),
      errors: p.errors,
      config: produceConfig(o),
    };
    return withFailure(report, failures(p.errors, p.firstError));
  } finally {
    stop();
  }
}

/** `bench consume`. */
export async function benchConsume(o: ConsumeOptions): Promise<BenchReport> {
  const counters: Counters = { sent: 0, acked: 0, received: 0 };
  const consumer = await openConsumer({ ...o, from: 'beginning', counters });
  const stop = startProgress('consume', o.records, counters);
  try {
    const c = await consumer.read();
    const s = span(c.first, c.last);
    return {
      mode: 'consume',
      topic: o.topic,
      partitions: c.partitions,
      records: c.records,
      bytes: c.bytes,
      ...rates(c.records, c.bytes, s.seconds),
      ...s,
      timeToFirstRecordMs: c.firstRecordMs,
    };
  } finally {
    stop();
    await consumer.close();
  }
}

/** `bench e2e`. */
export async function benchE2e(o: E2eOptions): Promise<BenchReport> {
  const counters: Counters = { sent: 0, acked: 0, received: 0 };
  const e2e = new Histogram();
  let foreign = 0;
  // The topic must exist before the consumer can be positioned at its end.
  const setup = new Cluster({ bootstrapServers: o.bootstrapServer });
  try {
    await ensureTopic(setup, o.topic, o.partitions);
  } finally {
    await setup.close();
  }
  const consumer = await openConsumer({
    ...o,
    from: 'end',
    counters,
    onRecord: (r) => {
      const v = r.value;
      if (!v || v.length < STAMP_BYTES) {
        foreign++;
        return;
      }
      e2e.record(Number(process.hrtime.bigint() - v.readBigUInt64BE(0)) / 1000);
    },
  });
  const stop = startProgress('e2e', o.records, counters);
  try {
    const reading = consumer.read();
    reading.catch(() => {}); // awaited below; a failure while producing must not go unhandled
    const p = await runProducers(o, counters, true);
    const failed = failures(p.errors, p.firstError);
    if (failed) throw failed; // the consumer would only wait for records that never came
    const c = await reading;
    const s = span(p.start, c.last); // from the first send(), as produce
    const report: BenchReport = {
      mode: 'e2e',
      topic: o.topic,
      partitions: c.partitions,
      records: c.records,
      bytes: c.bytes,
      ...rates(c.records, c.bytes, s.seconds),
      ...s,
      latencyMs: e2e.summary(),
      ackLatencyMs: p.latency.summary(),
      errors: p.errors,
      config: produceConfig(o),
    };
    const err = foreign > 0 ? new Error(`${foreign} record(s) read were not written by this run`) : null;
    return withFailure(report, err);
  } finally {
    stop();
    await consumer.close();
  }
}

/** A benchmark that finished with failures: the report is still printed, then the command exits 1. */
export class BenchError extends Error {
  readonly report: BenchReport;
  constructor(message: string, report: BenchReport) {
    super(message);
    this.report = report;
  }
}

function withFailure(report: BenchReport, err: Error | null): BenchReport {
  if (err) throw new BenchError(err.message, report);
  return report;
}
