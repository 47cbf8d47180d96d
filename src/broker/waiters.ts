/**
 * Long-poll support: Fetch requests wait here until data arrives on one of
 * their partitions, their max wait passes, or the broker shuts down.
 */

type Waiter = { keys: readonly string[]; wake: () => void };

/** Key of a partition in the waiter table. */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Wakes fetches waiting on partitions when appends land. */
export class DataWaiters {
  readonly #byKey = new Map<string, Set<Waiter>>();

  /** Resolves when any of `keys` is notified, after `timeoutMs`, or when `signal` aborts. */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        keys,
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', waiter.wake);
          for (const k of keys) {
            const set = this.#byKey.get(k);
            set?.delete(waiter);
            if (set?.size === 0) this.#byKey.delete(k);
          }
          resolve();
        },
      };
      for (const k of keys) {
        let set = this.#byKey.get(k);
        if (!set) this.#byKey.set(k, (set = new Set()));
        set.add(waiter);
      }
      timer = setTimeout(waiter.wake, timeoutMs);
      signal?.addEventListener('abort', waiter.wake, { once: true });
    });
  }

  /** Data arrived on a partition. */
  notify(topic: string, partition: number): void {
    const set = this.#byKey.get(partitionKey(topic, partition));
    if (set) for (const w of [...set]) w.wake();
  }

  /** Wakes every waiter (topic deleted, shutdown). */
  wakeAll(): void {
    const all = new Set<Waiter>();
    for (const set of this.#byKey.values()) for (const w of set) all.add(w);
    for (const w of all) w.wake();
  }
}
