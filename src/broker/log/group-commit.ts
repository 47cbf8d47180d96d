/**
 * Group commit: many callers waiting for their writes to be durable share
 * one fsync. A caller whose writes are already covered by the fsync in
 * progress waits for it; one that arrives during an fsync (its data may have
 * missed it) waits for the next, which starts as soon as the current one ends
 * and serves everyone who queued meanwhile. With nothing written since the
 * last fsync, `flush()` resolves at once.
 */
export class GroupCommit {
  #sync: () => Promise<void>;
  #written = 0;
  #synced = 0;
  #running: Promise<void> | null = null;
  #runningTarget = 0;
  #queued: Promise<void> | null = null;
  /** fsync rounds started (for tests and metrics). */
  rounds = 0;

  /** `sync` makes everything written before it is called durable. */
  constructor(sync: () => Promise<void>) {
    this.#sync = sync;
  }

  /** Records that something was written (call after each write). */
  markWritten(): void {
    this.#written++;
  }

  /** Whether writes await an fsync. */
  get pending(): boolean {
    return this.#synced < this.#written;
  }

  /** Resolves once everything written before the call is durable; rejects if that fsync fails. */
  flush(): Promise<void> {
    const target = this.#written;
    if (this.#synced >= target) return Promise.resolve();
    if (this.#running === null) return this.#start();
    if (this.#runningTarget >= target) return this.#running;
    const ignore = () => {};
    this.#queued ??= this.#running.then(ignore, ignore).then(() => {
      this.#queued = null;
      return this.flush();
    });
    return this.#queued;
  }

  #start(): Promise<void> {
    // Until the sync really starts (one microtask later, so that callers in
    // the same synchronous run, e.g. the partitions of one Produce request,
    // share it) it covers every write.
    this.#runningTarget = Number.POSITIVE_INFINITY;
    this.rounds++;
    const run = async () => {
      await null;
      const target = this.#written;
      this.#runningTarget = target;
      try {
        await this.#sync();
        if (target > this.#synced) this.#synced = target;
      } finally {
        this.#running = null;
      }
    };
    this.#running = run();
    return this.#running;
  }
}
