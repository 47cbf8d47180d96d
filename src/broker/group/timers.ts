/**
 * Keyed timers, as the coordinator runtime's timer in Kafka: scheduling a key
 * replaces its pending timer, so "the heartbeat deadline of member X" or "the
 * join phase of group G" each has at most one deadline.
 */

/** Timers by key; every callback runs at most once and never after `clear`. */
export class KeyedTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #onError: (err: unknown) => void;
  #closed = false;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `fn` after `delayMs` unless the key is rescheduled or cancelled first. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.#closed) return;
    this.cancel(key);
    const timer = setTimeout(
      () => {
        if (this.#timers.get(key) !== timer) return;
        this.#timers.delete(key);
        try {
          fn();
        } catch (err) {
          this.#onError(err);
        }
      },
      Math.max(0, Math.min(delayMs, 2 ** 31 - 1)),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }

  /** Drops the key's pending timer, if any. */
  cancel(key: string): void {
    const t = this.#timers.get(key);
    if (t) {
      clearTimeout(t);
      this.#timers.delete(key);
    }
  }

  /** Whether the key has a pending timer. */
  has(key: string): boolean {
    return this.#timers.has(key);
  }

  /** Cancels everything; later `schedule` calls are ignored. */
  clear(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  /** Cancels everything but keeps accepting new timers (a reload). */
  reset(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
