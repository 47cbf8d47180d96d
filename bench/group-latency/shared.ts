/**
 * What the latency benchmark's processes share: the clock, the record
 * format, the messages they exchange over IPC, and the latency collector.
 *
 * The clock is CLOCK_MONOTONIC (process.hrtime), which is one clock for the
 * whole machine, so a time taken in the producer process can be subtracted
 * from one taken in a consumer process; no wall clock, so NTP steps do not
 * matter.
 */

/** Milliseconds (µs resolution) on the machine's monotonic clock, the same in every process. */
export function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** One scenario as the producer and consumer processes see it. */
export interface ScenarioConfig {
  bootstrap: string;
  topic: string;
  groupId: string;
  /** 1 or -1 (all). */
  acks: 1 | -1;
  /** Records per second. */
  rate: number;
  /** Records sent in all; the first `warmup` are not counted. */
  total: number;
  warmup: number;
  /** Record value size in bytes (at least 32). */
  size: number;
  /** kafkajs member: commit offsets after every batch (kafkajs' default autoCommit) or not at all. */
  autoCommit: boolean;
}

/** From the producer process. */
export type ProducerMessage =
  | { type: 'connected' }
  | {
      type: 'done';
      sent: number;
      errors: number;
      firstError: string | null;
      seconds: number;
      /** How late the send() calls were against the fixed-rate schedule (timer and event-loop delay), ms. */
      scheduleLag: Summary;
      /** From send() to its acknowledgement, per produce request, ms. */
      ack: Summary;
    };

/** From a consumer process (or the kcat reader). */
export type ConsumerMessage =
  | { type: 'ready' }
  | {
      type: 'result';
      result: Collected;
      /** kafkajs only: duration of the member's requests by API (Fetch, OffsetCommit, Heartbeat), ms. */
      requests: Record<string, Summary>;
    };

/** To a consumer process: every record has been sent, report once they have all arrived (or after `graceMs`). */
export interface FinishMessage {
  type: 'finish';
  graceMs: number;
}

/**
 * A record's value: `<seq> <send time in ms> ` then dots up to `size` bytes,
 * so kcat can print it as a line and any consumer can parse it.
 */
export function formatValue(seq: number, sentMs: number, size: number): string {
  const head = `${seq} ${sentMs.toFixed(3)} `;
  return head.length >= size ? head : head + '.'.repeat(size - head.length);
}

/** Percentiles of a set of latencies, in ms (µs resolution). */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Nearest-rank percentiles of `values` (sorted in place). */
export function summarize(values: Float64Array): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  values.sort();
  const at = (p: number): number => r3(values[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!);
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: n,
    mean: r3(sum / n),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: r3(values[n - 1]!),
  };
}

/** What a consumer saw of one scenario. */
export interface Collected {
  /** Latency of every counted record (send to delivery), ms, in send order. */
  latencies: Float64Array;
  /** Counted records (seq ≥ warmup) that never arrived. */
  missing: number;
  /** Records delivered more than once (after a rebalance, say). */
  duplicates: number;
  /** Values that did not parse as a record of this benchmark. */
  garbled: number;
}

/** Records every delivery of one scenario, by sequence number. */
export class Collector {
  readonly #at: Float64Array;
  readonly #warmup: number;
  #seen = 0;
  #duplicates = 0;
  #garbled = 0;

  constructor(total: number, warmup: number) {
    this.#at = new Float64Array(total).fill(Number.NaN);
    this.#warmup = warmup;
  }

  /** A value (string or bytes, as delivered) that arrived at `atMs`. */
  add(value: string, atMs: number): void {
    const sp1 = value.indexOf(' ');
    const sp2 = value.indexOf(' ', sp1 + 1);
    const seq = Number(value.slice(0, sp1));
    const sent = Number(value.slice(sp1 + 1, sp2));
    if (sp1 <= 0 || sp2 < 0 || !Number.isInteger(seq) || seq < 0 || seq >= this.#at.length || !(sent > 0)) {
      this.#garbled++;
      return;
    }
    if (!Number.isNaN(this.#at[seq]!)) {
      this.#duplicates++;
      return;
    }
    this.#at[seq] = atMs - sent;
    this.#seen++;
  }

  /** Every record has arrived. */
  complete(): boolean {
    return this.#seen === this.#at.length;
  }

  result(): Collected {
    const latencies: number[] = [];
    let missing = 0;
    for (let i = this.#warmup; i < this.#at.length; i++) {
      const v = this.#at[i]!;
      if (Number.isNaN(v)) missing++;
      else latencies.push(v);
    }
    return {
      latencies: Float64Array.from(latencies),
      missing,
      duplicates: this.#duplicates,
      garbled: this.#garbled,
    };
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sends `m` to the parent process; resolves once it is written, so exiting right after loses nothing. */
export function toParent(m: ProducerMessage | ConsumerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(m, undefined, {}, () => resolve());
  });
}
