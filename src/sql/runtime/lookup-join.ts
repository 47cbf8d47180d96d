/**
 * Lookup join operator: each left row fetches the rows of its key from an external table (a LookupRuntime,
 * e.g. PostgreSQL) and is joined with them. Lookups are asynchronous while the operator chain is not, so
 * rows wait in an ordered queue and leave it in input order once their lookup has answered (Flink's
 * ordered async mode); watermarks and the end of input wait behind the rows before them. A cache hit with
 * nothing queued is emitted at once.
 *
 * Keys missing from the cache are collected and fetched together (up to the provider's batch size per
 * query, scheduled after the current synchronous burst of rows); a key already being fetched is not asked
 * for again. A failing lookup is retried `maxRetries` times with a short backoff, then the job fails with
 * the table and the key. The partial cache keeps up to `maxRows` keys (least recently used first out) and
 * expires them after write and/or access; keys without rows are cached when `cacheMissingKey`.
 */
import { fullName } from '../catalog/catalog.ts';
import type { LookupCacheOptions, LookupRuntime } from '../connectors/connector.ts';
import type { LookupJoinNode } from '../planner/lookup-join.ts';
import type { Downstream, Row, RowKind } from './changelog.ts';
import { groupKey } from './group-aggregate.ts';
import type { AsyncOperator } from './job.ts';

interface RowEntry {
  t: 'row';
  kind: RowKind;
  row: Row;
  /** The looked-up rows; null while the lookup runs. */
  rows: Row[] | null;
}
type Entry = RowEntry | { t: 'watermark'; ts: number } | { t: 'end' };

/** A partial lookup cache by key. */
export class LookupCache {
  readonly #o: LookupCacheOptions;
  readonly #map = new Map<string, { rows: Row[]; written: number; accessed: number }>();

  constructor(o: LookupCacheOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string, now: number): Row[] | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    const { expireAfterWriteMs: w, expireAfterAccessMs: a } = this.#o;
    if ((w > 0 && now - e.written >= w) || (a > 0 && now - e.accessed >= a)) {
      this.#map.delete(key);
      return undefined;
    }
    e.accessed = now;
    // most recently used last
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.rows;
  }

  put(key: string, rows: Row[], now: number): void {
    if (rows.length === 0 && !this.#o.cacheMissingKey) return;
    this.#map.delete(key);
    this.#map.set(key, { rows, written: now, accessed: now });
    while (this.#map.size > this.#o.maxRows) this.#map.delete(this.#map.keys().next().value!);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LookupJoinOp implements Downstream, AsyncOperator {
  readonly #n: LookupJoinNode;
  readonly #down: Downstream;
  readonly #onError: (e: Error) => void;
  readonly #cache: LookupCache | null;
  readonly #rightWidth: number;
  /** Rows (and watermarks, end) waiting to be emitted, oldest first from `#head`. */
  #queue: Entry[] = [];
  #head = 0;
  /** Keys to fetch, not yet asked for. */
  #waiting = new Map<string, { key: unknown[]; entries: RowEntry[] }>();
  /** Keys being fetched. */
  readonly #inflight = new Map<string, RowEntry[]>();
  #scheduled: NodeJS.Immediate | null = null;
  #runtime: LookupRuntime | null = null;
  #error: Error | null = null;
  #closed = false;
  #idle: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** Rows looked up, of them answered by the cache, and lookup calls made. */
  readonly metrics = { lookups: 0, cacheHits: 0, queries: 0 };

  constructor(n: LookupJoinNode, down: Downstream, onError: (e: Error) => void) {
    this.#n = n;
    this.#down = down;
    this.#onError = onError;
    this.#cache = n.provider.cache ? new LookupCache(n.provider.cache) : null;
    this.#rightWidth = n.sourceIndex.length;
  }

  get #pending(): number {
    return this.#queue.length - this.#head;
  }

  push(kind: RowKind, row: Row): void {
    if (this.#error) throw this.#error;
    const key = this.#n.leftKeys.map((f) => f(row));
    let rows: Row[] | undefined;
    let k = '';
    this.metrics.lookups++;
    // a NULL key matches nothing (the lookup's `=` is never true)
    if (key.some((v) => v === null || v === undefined)) rows = [];
    else {
      k = groupKey(key);
      rows = this.#cache?.get(k, Date.now());
      if (rows) this.metrics.cacheHits++;
    }
    if (rows && this.#pending === 0) {
      this.#emit(kind, row, rows);
      return;
    }
    const entry: RowEntry = { t: 'row', kind, row, rows: rows ?? null };
    this.#queue.push(entry);
    if (rows) return;
    const inflight = this.#inflight.get(k);
    if (inflight) {
      inflight.push(entry);
      return;
    }
    const w = this.#waiting.get(k);
    if (w) w.entries.push(entry);
    else this.#waiting.set(k, { key, entries: [entry] });
    if (this.#waiting.size >= this.#n.provider.maxBatch) this.#flush();
    else this.#scheduled ??= setImmediate(() => this.#flush());
  }

  watermark(ts: number): void {
    if (this.#pending === 0) {
      this.#down.watermark(ts);
      return;
    }
    const last = this.#queue[this.#queue.length - 1]!;
    if (last.t === 'watermark') last.ts = ts;
    else this.#queue.push({ t: 'watermark', ts });
  }

  end(): void {
    if (this.#pending === 0) this.#down.end();
    else this.#queue.push({ t: 'end' });
  }

  idle(): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idle.push({ resolve, reject }));
  }

  /** Closes the lookup runtime (its connections); later answers are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const rt = this.#runtime;
    this.#runtime = null;
    await rt?.close().catch(() => {});
  }

  /** Sends the waiting keys, `maxBatch` per lookup call. */
  #flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    if (this.#closed || this.#error) return;
    const max = this.#n.provider.maxBatch;
    const all = [...this.#waiting];
    this.#waiting = new Map();
    for (let i = 0; i < all.length; i += max) {
      const batch = all.slice(i, i + max);
      for (const [k, w] of batch) this.#inflight.set(k, w.entries);
      this.#fetch(batch.map(([k, w]) => ({ k, key: w.key }))).catch((e: unknown) =>
        this.#fail(e instanceof Error ? e : new Error(String(e))),
      );
    }
  }

  async #fetch(batch: Array<{ k: string; key: unknown[] }>): Promise<void> {
    this.#runtime ??= this.#n.provider.create(this.#n.keyColumns);
    const keys = batch.map((b) => b.key);
    let results: Row[][];
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) return;
      try {
        this.metrics.queries++;
        results = await this.#runtime.lookup(keys);
        break;
      } catch (e) {
        if (this.#closed) return;
        if (attempt >= this.#n.provider.maxRetries) throw this.#lookupError(keys, e as Error);
        await sleep(Math.min(1000, 100 * 2 ** attempt));
      }
    }
    if (this.#closed || this.#error) return;
    const now = Date.now();
    batch.forEach((b, i) => {
      const rows = results[i] ?? [];
      this.#cache?.put(b.k, rows, now);
      for (const e of this.#inflight.get(b.k) ?? []) e.rows = rows;
      this.#inflight.delete(b.k);
    });
    this.#drain();
  }

  #lookupError(keys: unknown[][], cause: Error): Error {
    const physical = this.#n.table.columns.filter((c) => c.kind === 'physical');
    const names = this.#n.keyColumns.map((i) => physical[i]!.name);
    const key = `(${names.map((c, j) => `${c}=${String(keys[0]![j])}`).join(', ')})`;
    const retries = this.#n.provider.maxRetries;
    const more = keys.length > 1 ? ` (and ${keys.length - 1} more keys)` : '';
    const err = new Error(
      `Lookup of key ${key}${more} in table [${fullName(this.#n.table.name)}] failed after ${retries} ${retries === 1 ? 'retry' : 'retries'}: ${cause.message || String(cause)}`,
    );
    err.cause = cause;
    return err;
  }

  /** Emits the rows at the head of the queue whose lookups have answered, with the markers between them. */
  #drain(): void {
    try {
      while (this.#head < this.#queue.length) {
        const e = this.#queue[this.#head]!;
        if (e.t === 'row') {
          if (e.rows === null) break;
          this.#emit(e.kind, e.row, e.rows);
        } else if (e.t === 'watermark') this.#down.watermark(e.ts);
        else this.#down.end();
        this.#head++;
      }
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#pending === 0) {
      this.#queue = [];
      this.#head = 0;
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w.resolve();
    }
  }

  #emit(kind: RowKind, row: Row, rows: Row[]): void {
    const { sourceIndex, computed, filter } = this.#n;
    let matched = false;
    for (const r of rows) {
      const right = sourceIndex.map((i) => (i >= 0 ? r[i] : null));
      for (const c of computed) right[c.index] = c.eval(right);
      const joined = [...row, ...right];
      if (filter && !filter(joined)) continue;
      matched = true;
      this.#down.push(kind, joined);
    }
    if (!matched && this.#n.leftOuter) this.#down.push(kind, [...row, ...new Array(this.#rightWidth).fill(null)]);
  }

  #fail(e: Error): void {
    if (this.#error || this.#closed) return;
    this.#error = e;
    const waiters = this.#idle;
    this.#idle = [];
    for (const w of waiters) w.reject(e);
    this.#onError(e);
  }
}
