/**
 * Client quotas (KIP-13, KIP-55, KIP-124, KIP-219): produce and fetch byte
 * rates and request time per (user, client-id), enforced as Kafka's
 * KafkaApis and RequestHandlerHelper do, after the handler answered:
 *
 * - Produce: the request's size counts against producer_byte_rate; the
 *   handler time against request_percentage, except for acks=0.
 * - Fetch: request_percentage first, then the response's size against
 *   consumer_byte_rate. A throttled fetch answers empty and its bytes are
 *   taken back (Kafka's unrecordQuotaSensor); a fetch never asks for more
 *   than quota × (samples − 1) × window bytes.
 * - Every other API: its handler time against request_percentage. Time is
 *   the handler's synchronous work and the response encoding, in percent of
 *   one thread per window (Kafka: time on the request handler and network
 *   threads).
 * - The larger throttle time goes into the response's throttleTimeMs (every
 *   response that has the field) and the connection reads no further request
 *   for that long after the decision (KIP-219); the response itself leaves at
 *   once, and clients that honour throttleTimeMs back off too.
 *
 * | file        | what                                                 |
 * |-------------|------------------------------------------------------|
 * | store.ts    | entities, keys, validation, durable store, describe  |
 * | manager.ts  | one quota type: precedence, usage per entity         |
 * | rate.ts     | Kafka's windowed Rate and throttle time formula      |
 */
import { performance } from 'node:perf_hooks';
import type { Broker } from '../broker.ts';
import type { RequestContext } from '../handler.ts';
import { sessionsOf } from '../handlers/01-fetch.ts';
import { ClientQuotaManager, type QuotaUsage } from './manager.ts';
import { allQuotas } from './store.ts';

export type { QuotaUsage } from './manager.ts';
export * from './store.ts';

const PRODUCE = 0;
const FETCH = 1;
// percent of one thread per second, from milliseconds of work (Kafka's nanosToPercentage)
const MS_TO_PERCENT = 100 / 1000;

function positiveInt(broker: Broker, name: string, fallback: number): number {
  const v = Number(broker.brokerConfig(name, String(fallback)));
  if (Number.isInteger(v) && v >= 1) return v;
  broker.logger.warn({ config: name }, `ignoring ${name}: it must be an integer of at least 1`);
  return fallback;
}

/** The user a principal counts as ("User:alice" → alice, unauthenticated → ANONYMOUS). */
function userOf(principal: string): string {
  const i = principal.indexOf(':');
  return i < 0 ? principal : principal.slice(i + 1);
}

/** A broker's client quota managers. */
export class BrokerQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;
  readonly #broker: Broker;

  constructor(broker: Broker) {
    this.#broker = broker;
    const window = {
      samples: positiveInt(broker, 'quota.window.num', 11),
      windowMs: positiveInt(broker, 'quota.window.size.seconds', 1) * 1000,
    };
    this.produce = new ClientQuotaManager('producer_byte_rate', window);
    this.fetch = new ClientQuotaManager('consumer_byte_rate', window);
    // Kafka's ClientRequestQuotaManager caps throttle times at one window
    this.request = new ClientQuotaManager('request_percentage', window, window.windowMs);
    this.reload();
  }

  /** Re-reads the quotas from the metadata store (after AlterClientQuotas). */
  reload(): void {
    const quotas = allQuotas(this.#broker.metadata);
    for (const m of [this.produce, this.fetch, this.request]) m.load(quotas);
  }

  /** Current usage per quota entity and type (tests, debugging). */
  usage(now = Date.now()): QuotaUsage[] {
    return [this.produce, this.fetch, this.request].flatMap((m) => m.usage(now));
  }

  /**
   * The quota bookkeeping of one request, or null when no quota is set (the
   * request then costs nothing extra). Caps a Fetch's maxBytes.
   */
  begin(ctx: RequestContext, key: number, requestBytes: number, body: unknown): QuotaCall | null {
    if (!this.produce.enabled && !this.fetch.enabled && !this.request.enabled) return null;
    const call = new QuotaCall(this, ctx, key, requestBytes, body);
    if (key === FETCH && this.fetch.enabled) {
      const fetch = body as { maxBytes: number; minBytes: number };
      const cap = Math.floor(this.fetch.maxValueInWindow(call.user, call.clientId));
      if (cap < fetch.maxBytes) fetch.maxBytes = cap;
      if (fetch.minBytes > fetch.maxBytes) fetch.minBytes = fetch.maxBytes;
    }
    return call;
  }
}

type Result = Record<string, unknown>;

/** One request under quotas: measures its work, then throttles its response. */
export class QuotaCall {
  readonly user: string;
  readonly clientId: string;
  readonly #quotas: BrokerQuotas;
  readonly #ctx: RequestContext;
  readonly #key: number;
  readonly #requestBytes: number;
  readonly #body: unknown;
  #workMs = 0;
  #encodeMs = 0;

  constructor(quotas: BrokerQuotas, ctx: RequestContext, key: number, requestBytes: number, body: unknown) {
    this.#quotas = quotas;
    this.#ctx = ctx;
    this.#key = key;
    this.#requestBytes = requestBytes;
    this.#body = body;
    this.user = userOf(ctx.principal);
    this.clientId = ctx.header.clientId ?? '';
  }

  /** Runs the handler, counting its synchronous work. */
  run<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.#workMs += performance.now() - t0;
    }
  }

  /**
   * Records the request against its quotas and encodes the response with
   * its throttle time; `mute` gets the throttle time when there is one.
   * A null result (Produce acks=0) answers null.
   */
  respond(result: unknown, encode: (r: unknown) => Buffer, mute: (ms: number) => void): Buffer | null {
    const q = this.#quotas;
    const now = Date.now();
    const { user, clientId } = this;
    let res = result as Result | null;
    let encoded: Buffer | null = null;
    let bandwidthMs = 0;
    let requestMs = 0;
    const requestQuota = (): number =>
      q.request.enabled ? q.request.record(user, clientId, this.#workMs * MS_TO_PERCENT, now) : 0;
    if (this.#key === PRODUCE) {
      if (q.produce.enabled) bandwidthMs = q.produce.record(user, clientId, this.#requestBytes, now);
      if ((this.#body as { acks: number }).acks !== 0) requestMs = requestQuota();
    } else if (this.#key === FETCH && res) {
      requestMs = requestQuota();
      if (q.fetch.enabled) {
        encoded = this.#timed(() => encode(res));
        bandwidthMs = q.fetch.record(user, clientId, encoded.length, now);
        if (Math.max(bandwidthMs, requestMs) > 0) q.fetch.record(user, clientId, -encoded.length, now);
      }
      if (Math.max(bandwidthMs, requestMs) > 0) {
        res = this.#throttledFetch(res);
        encoded = null;
      }
    } else {
      requestMs = requestQuota();
    }
    const throttleMs = Math.max(bandwidthMs, requestMs);
    if (throttleMs > 0) {
      mute(throttleMs);
      if (res) {
        res = { ...res, throttleTimeMs: throttleMs };
        encoded = null;
      }
    }
    if (res && !encoded) {
      const r = res;
      encoded = this.#timed(() => encode(r));
    }
    // encoding is network-thread work in Kafka: counted, never throttled for
    if (q.request.enabled && this.#encodeMs > 0) {
      q.request.recordNoThrottle(user, clientId, this.#encodeMs * MS_TO_PERCENT, now);
    }
    return encoded;
  }

  #timed<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.#encodeMs += performance.now() - t0;
    }
  }

  /**
   * Kafka's getThrottledResponse: no partitions; an incremental session keeps
   * its id, a session this request would have opened is not opened.
   */
  #throttledFetch(res: Result): Result {
    if (res.errorCode !== 0) return res;
    const req = this.#body as { sessionId: number; sessionEpoch: number };
    let sessionId = 0;
    if (req.sessionEpoch > 0) sessionId = res.sessionId as number;
    else if (typeof res.sessionId === 'number' && res.sessionId !== 0) {
      sessionsOf(this.#ctx.broker).close(res.sessionId);
    }
    return { ...res, sessionId, responses: [] };
  }
}

const byBroker = new WeakMap<Broker, BrokerQuotas>();

/** The quota managers of a broker (made on first use, from its metadata and configs). */
export function quotasOf(broker: Broker): BrokerQuotas {
  let q = byBroker.get(broker);
  if (!q) byBroker.set(broker, (q = new BrokerQuotas(broker)));
  return q;
}
