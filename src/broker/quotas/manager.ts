/**
 * One client quota type (produce bytes, fetch bytes, or request time), as
 * Kafka's ClientQuotaManager with its default quota callback:
 *
 * - A client is (user, client-id). Its quota is the most specific one set,
 *   in Kafka's order: /users/<user>/clients/<client-id>,
 *   /users/<user>/clients/<default>, /users/<user>,
 *   /users/<default>/clients/<client-id>, /users/<default>/clients/<default>,
 *   /users/<default>, /clients/<client-id>, /clients/<default>.
 * - Usage is measured per quota entity (Kafka's metric tags): clients sharing
 *   a user quota share one rate, a client-id quota is shared by every user
 *   with that client id, a <default> quota gives each user/client-id its own.
 * - Unauthenticated clients are user "ANONYMOUS", so user quotas (and the
 *   <default> user quota) apply to them; an empty client id matches no
 *   client-id quota (Kafka's quotaLimit only looks when the id is non-empty).
 * - Rates idle for an hour are dropped (Kafka's sensor expiry).
 */
import { Rate, type RateWindow } from './rate.ts';
import type { StoredQuota } from './store.ts';

/** Quota levels in use (Kafka's QuotaTypes bits). */
const CLIENT_ID_LEVEL = 1;
const USER_LEVEL = 2;
const USER_CLIENT_ID_LEVEL = 4;

const INACTIVE_EXPIRY_MS = 3_600_000;
const SWEEP_EVERY_MS = 60_000;

/** A level of the precedence: undefined absent, null the default entity, else a name. */
type Name = string | null | undefined;

const part = (n: Name): string => (n === undefined ? '-' : n === null ? '*' : `=${n}`);
const levelKey = (user: Name, clientId: Name): string => `${part(user)}\u0000${part(clientId)}`;

interface Sensor {
  user: string;
  clientId: string;
  rate: Rate;
  lastUsed: number;
  lastThrottleMs: number;
}

/** What one quota entity is using, for tests and debugging. */
export interface QuotaUsage {
  /** The quota key (producer_byte_rate, consumer_byte_rate, request_percentage). */
  key: string;
  /** Kafka's metric tags: "" where the quota entity does not name the level. */
  user: string;
  clientId: string;
  /** The bound in force, null when none applies. */
  quota: number | null;
  /** Current rate over the window (bytes/s, or percent of one thread). */
  rate: number;
  /** Throttle time given with the last recorded value. */
  lastThrottleMs: number;
}

/** One quota type's limits and rates. */
export class ClientQuotaManager {
  /** The quota key this manager enforces. */
  readonly key: string;
  readonly #window: RateWindow;
  readonly #maxThrottleMs: number;
  #limits = new Map<string, number>();
  #levels = 0;
  readonly #sensors = new Map<string, Sensor>();
  #lastSweep = 0;

  /** `maxThrottleMs` caps throttle times (the request quota caps at one window). */
  constructor(key: string, window: RateWindow, maxThrottleMs = Number.POSITIVE_INFINITY) {
    this.key = key;
    this.#window = window;
    this.#maxThrottleMs = maxThrottleMs;
  }

  /** Takes the current quotas (after every change). */
  load(quotas: Iterable<StoredQuota>): void {
    const limits = new Map<string, number>();
    let levels = 0;
    for (const { entity, values } of quotas) {
      const value = values[this.key];
      if (value === undefined || !('user' in entity || 'client-id' in entity)) continue;
      limits.set(levelKey(entity.user, entity['client-id']), value);
      if ('user' in entity) levels |= 'client-id' in entity ? USER_CLIENT_ID_LEVEL : USER_LEVEL;
      else levels |= CLIENT_ID_LEVEL;
    }
    // usage is grouped differently once other levels are in use: start over
    if (levels !== this.#levels) this.#sensors.clear();
    this.#limits = limits;
    this.#levels = levels;
  }

  /** Whether any quota of this type is set. */
  get enabled(): boolean {
    return this.#limits.size > 0;
  }

  /** Kafka's quotaMetricTags: the (user, client-id) a client's usage is counted under. */
  #tags(user: string, clientId: string): [string, string] {
    switch (this.#levels) {
      case 0:
      case CLIENT_ID_LEVEL:
        return ['', clientId];
      case USER_LEVEL:
        return [user, ''];
      case USER_CLIENT_ID_LEVEL:
        return [user, clientId];
    }
    const has = (u: Name, c: Name): boolean => this.#limits.has(levelKey(u, c));
    if (has(user, clientId) || has(user, null)) return [user, clientId];
    if (has(user, undefined)) return [user, ''];
    if (has(null, clientId) || has(null, null)) return [user, clientId];
    if (has(null, undefined)) return [user, ''];
    return ['', clientId];
  }

  /** Kafka's quotaLimit for a client's tags. */
  #limit(user: string, clientId: string): number | undefined {
    const get = (u: Name, c: Name): number | undefined => this.#limits.get(levelKey(u, c));
    if (user !== '' && clientId !== '') {
      return get(user, clientId) ?? get(user, null) ?? get(null, clientId) ?? get(null, null);
    }
    if (user !== '') return get(user, undefined) ?? get(null, undefined);
    if (clientId !== '') return get(undefined, clientId) ?? get(undefined, null);
    return undefined;
  }

  /** The quota in force for a client, if any. */
  quotaFor(user: string, clientId: string): number | undefined {
    const [u, c] = this.#tags(user, clientId);
    return this.#limit(u, c);
  }

  #sensor(user: string, clientId: string, now: number): Sensor {
    if (now - this.#lastSweep >= SWEEP_EVERY_MS) {
      this.#lastSweep = now;
      for (const [k, s] of this.#sensors) if (now - s.lastUsed >= INACTIVE_EXPIRY_MS) this.#sensors.delete(k);
    }
    const [u, c] = this.#tags(user, clientId);
    const key = `${u}\u0000${c}`;
    let s = this.#sensors.get(key);
    if (!s) {
      s = { user: u, clientId: c, rate: new Rate(this.#window), lastUsed: now, lastThrottleMs: 0 };
      this.#sensors.set(key, s);
    }
    s.lastUsed = now;
    return s;
  }

  /**
   * Records `value` for a client; answers the throttle time in ms (0 within
   * its quota), Kafka's recordAndGetThrottleTimeMs.
   */
  record(user: string, clientId: string, value: number, now: number): number {
    const s = this.#sensor(user, clientId, now);
    s.rate.record(value, now);
    const bound = this.#limit(s.user, s.clientId);
    const ms = bound === undefined ? 0 : Math.min(s.rate.throttleMs(bound, now), this.#maxThrottleMs);
    s.lastThrottleMs = ms;
    return ms;
  }

  /** Records without checking the quota: counted against the next request. */
  recordNoThrottle(user: string, clientId: string, value: number, now: number): void {
    this.#sensor(user, clientId, now).rate.record(value, now);
  }

  /**
   * The most that could be recorded at once without certain throttling:
   * quota × (samples − 1) × window (Kafka's getMaxValueInQuotaWindow).
   */
  maxValueInWindow(user: string, clientId: string): number {
    if (!this.enabled) return Number.POSITIVE_INFINITY;
    const q = this.quotaFor(user, clientId);
    if (q === undefined) return Number.POSITIVE_INFINITY;
    return (q * (this.#window.samples - 1) * this.#window.windowMs) / 1000;
  }

  /** Usage per quota entity. */
  usage(now: number): QuotaUsage[] {
    return [...this.#sensors.values()].map((s) => ({
      key: this.key,
      user: s.user,
      clientId: s.clientId,
      quota: this.#limit(s.user, s.clientId) ?? null,
      rate: s.rate.measure(now),
      lastThrottleMs: s.lastThrottleMs,
    }));
  }
}
