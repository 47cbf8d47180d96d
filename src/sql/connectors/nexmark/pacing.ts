/**
 * Wall-clock pacing for `maxEmitSpeed = false` (Flink's `rate.limited`):
 * event n is due at wallclockBase + (eventTimestamp(n) − baseTime), i.e.
 * baseTime + n · interEventDelay shifted to when the source started, as
 * Flink's NexmarkGenerator computes its wallclockTimestamp. Pass
 * cfg.baseTime as the wall-clock base to make each event due exactly at its
 * event time. With maxEmitSpeed = true nothing waits; event time advances at
 * the nominal rate regardless.
 */
import { eventTimestamp, type ResolvedNexmarkConfig } from './config.ts';
import type { NexmarkGenerator } from './generator.ts';
import type { NexmarkRow } from './rows.ts';

/** When each event is due on the wall clock. */
export class EmitPacer {
  readonly #cfg: ResolvedNexmarkConfig;
  /** Wall-clock ms at which event 0 is due. */
  readonly wallclockBase: number;

  constructor(cfg: ResolvedNexmarkConfig, wallclockBase: number = Date.now()) {
    this.#cfg = cfg;
    this.wallclockBase = wallclockBase;
  }

  /** Wall-clock ms at which event `n` is due. */
  dueAt(n: number): number {
    return this.wallclockBase + (eventTimestamp(n, this.#cfg) - this.#cfg.baseTime);
  }

  /** Milliseconds until event `n` is due (0 when it already is). */
  msUntil(n: number, now: number = Date.now()): number {
    return Math.max(0, this.dueAt(n) - now);
  }

  /** The largest event id due at `now`, or −1 when none is (Infinity with maxEmitSpeed). */
  lastDueEventId(now: number = Date.now()): number {
    if (this.#cfg.maxEmitSpeed) return Number.POSITIVE_INFINITY;
    const elapsed = now - this.wallclockBase;
    if (elapsed < 0) return -1;
    // floor(n·d/1000) ≤ elapsed  ⇔  n·d < (elapsed+1)·1000; estimate, then correct for rounding
    let n = Math.ceil(((elapsed + 1) * 1000) / this.#cfg.interEventDelayUs) - 1;
    while (n >= 0 && this.dueAt(n) > now) n--;
    while (this.dueAt(n + 1) <= now) n++;
    return n;
  }
}

/**
 * The rows of `gen` due now, at most `max`; when none is due yet, how long to
 * wait for the next one. With maxEmitSpeed it never waits.
 */
export function dueBatch(
  gen: NexmarkGenerator,
  pacer: EmitPacer,
  max: number,
  now: number = Date.now(),
): { rows: NexmarkRow[]; waitMs: number } {
  if (gen.done) return { rows: [], waitMs: 0 };
  const rows = gen.nextBatch(max, pacer.lastDueEventId(now));
  return { rows, waitMs: rows.length > 0 || gen.done ? 0 : pacer.msUntil(gen.nextEventId, now) };
}
