/**
 * The figures a run collects: rates, CPU use per step, the results object
 * that the report and the JSON are made from, and the progress log.
 */
import { MB, SIZE } from './options.ts';

/** CPU use over one step: the server, the load generator, and everything else on the machine. */
export interface Usage {
  serverCores?: number;
  clientCores?: number;
  machineCores?: number;
  /** Kernel threads and interrupts (writeback, journal, loopback network): work done for the step. */
  kernelCores?: number;
  /** Busy cores of other processes (not the server, the client, this process or the kernel). */
  otherCores?: number;
}

/** Records and payload bytes moved in a step, and how fast. */
export interface Rate {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

/**
 * One measured step: its rate and (Linux only) the CPU cores used on average
 * during it; with --repeat, the median run and every run's records/s.
 */
export type Measured = Rate & Usage & { samples?: number[] };

/** The rate of `records` records of SIZE bytes moved in `seconds`, with its CPU use. */
export function rate(records: number, seconds: number, usage: Usage = {}): Measured {
  const bytes = records * SIZE;
  return {
    records,
    bytes,
    seconds: round(seconds, 3),
    recordsPerSec: Math.round(records / seconds),
    mbPerSec: round(bytes / MB / seconds, 1),
    ...usage,
  };
}

/** `x` rounded to `digits` decimals. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Everything a run measured, by part. */
export interface Results {
  tributary: Record<string, Measured>;
  /** The broker loaded by the project's own client (`tributary bench`), keyed as `tributary`. */
  ownClient: Record<string, Measured>;
  redis: Record<string, Measured>;
  nats: Record<string, Measured>;
  limits: {
    loopbackNodeGBps?: number;
    loopbackIperf3GBps?: number;
    diskWriteMBps?: number;
    notes: string[];
  };
  notes: string[];
}

/** The results of this run, filled in step by step. */
export const results: Results = { tributary: {}, ownClient: {}, redis: {}, nats: {}, limits: { notes: [] }, notes: [] };

/** A progress line on stderr, with the time of day. */
export function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** One step's figures on one line, for the progress log. */
export function fmtRate(r: Measured): string {
  const c = (x: number | undefined): string => x?.toFixed(2) ?? '?';
  const cores =
    r.machineCores !== undefined
      ? `; cores: server ${c(r.serverCores)}, client ${c(r.clientCores)}, kernel ${c(r.kernelCores)}, other ${c(r.otherCores)}`
      : '';
  return `${r.recordsPerSec.toLocaleString('en-US')} records/s, ${r.mbPerSec.toFixed(1)} MB/s, ${r.seconds.toFixed(2)} s${cores}`;
}
