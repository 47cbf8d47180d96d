/**
 * Output of `tributary bench`: a progress line on stderr (only when stderr
 * is a terminal, redrawn once a second), then either a short human summary
 * or one JSON object on stdout. MB/s is 10^6 bytes of record values per
 * second.
 */
import type { LatencySummary } from './histogram.ts';
import type { Counters } from './produce.ts';

/** A point in time on this process's clock, the machine's monotonic clock and its own CPU time. */
export interface Mark {
  /** performance.now() */
  at: number;
  /** process.hrtime in ms: CLOCK_MONOTONIC, the same in every process on the machine. */
  monoMs: number;
  /** process.cpuUsage() */
  cpu: NodeJS.CpuUsage;
}

/** Now, as a Mark. */
export function mark(): Mark {
  return { at: performance.now(), monoMs: Number(process.hrtime.bigint()) / 1e6, cpu: process.cpuUsage() };
}

/** The measured span between two marks: seconds, this process's CPU cores over it, and its monotonic ends. */
export function span(
  start: Mark,
  end: Mark,
): { seconds: number; cpuCores: number; monotonicStartMs: number; monotonicEndMs: number } {
  const seconds = Math.max(end.at - start.at, 1) / 1000;
  const cpu = (end.cpu.user - start.cpu.user + end.cpu.system - start.cpu.system) / 1e6;
  return {
    seconds: Math.round(seconds * 1000) / 1000,
    cpuCores: Math.round((cpu / seconds) * 100) / 100,
    monotonicStartMs: Math.round(start.monoMs * 1000) / 1000,
    monotonicEndMs: Math.round(end.monoMs * 1000) / 1000,
  };
}

/** One benchmark's result, as printed with --json. */
export interface BenchReport {
  mode: 'produce' | 'consume' | 'e2e';
  topic: string;
  partitions: number;
  records: number;
  bytes: number;
  /** The measured span (see run.ts for where it starts and ends per mode). */
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** CPU cores this process used on average over the span. */
  cpuCores: number;
  /** The span's ends on CLOCK_MONOTONIC, so a harness can line up its own CPU samples. */
  monotonicStartMs: number;
  monotonicEndMs: number;
  /** produce: send() → delivery report; e2e: send time in the record → consumer receive time. */
  latencyMs?: LatencySummary;
  /** e2e: send() → delivery report. */
  ackLatencyMs?: LatencySummary;
  /** consume: creating the consumer → first record. */
  timeToFirstRecordMs?: number;
  /** produce/e2e: records whose send failed. */
  errors?: number;
  /** produce/e2e: the settings used. */
  config?: Record<string, string | number>;
}

/** records/s and MB/s of `records` records holding `bytes` value bytes over `seconds`. */
export function rates(records: number, bytes: number, seconds: number): { recordsPerSec: number; mbPerSec: number } {
  return {
    recordsPerSec: Math.round(records / seconds),
    mbPerSec: Math.round((bytes / 1e6 / seconds) * 100) / 100,
  };
}

/** Starts the progress line; returns the function that stops and erases it. */
export function startProgress(mode: string, total: number, c: Counters): () => void {
  if (!process.stderr.isTTY) return () => {};
  const t0 = performance.now();
  let last = { at: t0, n: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    const n = mode === 'produce' ? c.acked : c.received;
    const rate = Math.round(((n - last.n) * 1000) / (now - last.at));
    last = { at: now, n };
    const what =
      mode === 'consume'
        ? `${c.received.toLocaleString('en-US')} read`
        : mode === 'e2e'
          ? `${c.sent.toLocaleString('en-US')} sent, ${c.received.toLocaleString('en-US')} received`
          : `${c.sent.toLocaleString('en-US')} sent, ${c.acked.toLocaleString('en-US')} acked`;
    const line = `bench ${mode}: ${what} of ${total.toLocaleString('en-US')}, ${rate.toLocaleString('en-US')} records/s`;
    process.stderr.write(`\r\x1b[2K${line}`);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[2K');
  };
}

function latencyLine(label: string, l: LatencySummary): string {
  const f = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  return (
    `  ${label.padEnd(11)} avg ${f(l.avgMs)}  p50 ${f(l.p50Ms)}  p99 ${f(l.p99Ms)}  ` +
    `p99.9 ${f(l.p999Ms)}  max ${f(l.maxMs)} ms`
  );
}

/** The human summary. */
export function formatSummary(r: BenchReport): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines: string[] = [];
  const cfg = r.config
    ? `; ${Object.entries(r.config)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`
    : '';
  lines.push(`${r.mode} ${n(r.records)} records, topic ${r.topic} (${r.partitions} partition(s))${cfg}`);
  lines.push(
    `  throughput  ${n(r.recordsPerSec)} records/s  ${r.mbPerSec.toFixed(2)} MB/s  ` +
      `(${r.seconds.toFixed(3)} s, ${r.cpuCores.toFixed(2)} cores used by this process)`,
  );
  if (r.latencyMs) lines.push(latencyLine(r.mode === 'e2e' ? 'end-to-end' : 'latency', r.latencyMs));
  if (r.ackLatencyMs) lines.push(latencyLine('ack', r.ackLatencyMs));
  if (r.timeToFirstRecordMs !== undefined) lines.push(`  first record after ${r.timeToFirstRecordMs.toFixed(1)} ms`);
  if (r.errors) lines.push(`  ${n(r.errors)} record(s) failed`);
  return `${lines.join('\n')}\n`;
}

/** Writes the report (JSON or summary) to stdout and waits until it is written. */
export function printReport(r: BenchReport, json: boolean): Promise<void> {
  const text = json ? `${JSON.stringify(r)}\n` : formatSummary(r);
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
