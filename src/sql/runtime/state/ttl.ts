/**
 * State time-to-live for keyed operator state (Flink's `table.exec.state.ttl`): processing time, the clock
 * restarts when a key is created or written (OnCreateAndWrite), and a key not written for `ttlMs` is
 * treated as absent when next read (NeverReturnExpired).
 *
 * `KeyTtl` keeps each key's last write time in a Map ordered by last write (a write moves the key to the
 * end), so the expired keys are always at the front: `sweep` drops them from there and stops at the first
 * live one. Operators call `sweepIfDue` on every row, which sweeps at most every `min(ttlMs, 100)` ms.
 * Times are epoch ms and part of the snapshot, so a restored operator's keys keep ageing from their last
 * write.
 */

/** Last-write times of keys, oldest first. */
export class KeyTtl {
  readonly ttlMs: number;
  #times = new Map<string, number>();
  #lastSweep = 0;
  readonly #every: number;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
    this.#every = Math.max(1, Math.min(ttlMs, 100));
  }

  /** Number of keys tracked. */
  get size(): number {
    return this.#times.size;
  }

  /** Records a write of `k` at `now`. */
  touch(k: string, now: number): void {
    const t = this.#times;
    t.delete(k);
    t.set(k, now);
  }

  /** Whether `k` was written and expired by `now`. */
  expired(k: string, now: number): boolean {
    const t = this.#times.get(k);
    return t !== undefined && now - t >= this.ttlMs;
  }

  forget(k: string): void {
    this.#times.delete(k);
  }

  /** Drops every expired key: forgets it and calls `drop(k)` so the operator removes its state. */
  sweep(now: number, drop: (k: string) => void): void {
    this.#lastSweep = now;
    const ttl = this.ttlMs;
    for (const [k, t] of this.#times) {
      if (now - t < ttl) break;
      this.#times.delete(k);
      drop(k);
    }
  }

  /** `sweep` when the last one is at least min(ttlMs, 100) ms old. */
  sweepIfDue(now: number, drop: (k: string) => void): void {
    if (now - this.#lastSweep >= this.#every) this.sweep(now, drop);
  }

  /** The keys' write times, oldest first (the live Map: encode it before the next write). */
  snapshot(): Map<string, number> {
    return this.#times;
  }

  /**
   * A row for key `k` arrives at `now`: sweeps when due, drops `k`'s state from `state` if it expired,
   * then records the write.
   */
  access(k: string, now: number, state: Map<string, unknown>, drop: (k: string) => void): void {
    this.sweepIfDue(now, drop);
    if (this.expired(k, now)) {
      this.#times.delete(k);
      state.delete(k);
    }
    this.touch(k, now);
  }

  /** Restores saved write times; state saved without TTL (`saved` not a Map) starts ageing now. */
  restoreOrStart(saved: unknown, keys: Iterable<string>): void {
    if (saved instanceof Map) this.restore(saved);
    else {
      const now = Date.now();
      for (const k of keys) this.touch(k, now);
    }
  }

  restore(times: unknown): void {
    if (!(times instanceof Map)) throw new Error('Bad TTL state: expected a Map of write times');
    // keep last-write order even if the clock went backwards before the snapshot
    const entries = [...(times as Map<string, number>)].sort((a, b) => a[1] - b[1]);
    this.#times = new Map(entries);
  }
}

/** A TTL for `ttlMs` (null when 0: no TTL). */
export function keyTtl(ttlMs: number): KeyTtl | null {
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new Error(`State TTL must be a non-negative number of ms: ${ttlMs}`);
  return ttlMs > 0 ? new KeyTtl(ttlMs) : null;
}
