/**
 * The `WITH (...)` options of a `'connector' = 'nexmark'` table (Flink's
 * NexmarkSourceOptions) turned into a NexmarkConfig. Options of ours, not
 * Flink's: `base-time` (event time of event 0; default now), `max-emit-speed`
 * (the inverse of `rate.limited`), `bidder-id.flink-quirk`. Unknown keys and
 * unfilled `${...}` placeholders are errors that name the key.
 */
import { type NexmarkConfig, NexmarkConfigError, nexmarkConfig, type ResolvedNexmarkConfig } from './config.ts';
import { parseSqlTimestamp } from './json.ts';

type Setter = (c: Partial<NexmarkConfig>, value: string, key: string) => void;

function int(key: string, value: string): number {
  const n = Number(value.trim());
  if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new NexmarkConfigError(`option '${key}': expected an integer, got '${value}'`);
  }
  return n;
}

function bool(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new NexmarkConfigError(`option '${key}': expected true or false, got '${value}'`);
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kibibyte: 1024,
  kibibytes: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mebibyte: 1024 ** 2,
  mebibytes: 1024 ** 2,
};

/** Flink's MemorySize text ('200b', '1 kb', '2m'). */
function memorySize(key: string, value: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new NexmarkConfigError(`option '${key}': expected a size like '200b', got '${value}'`);
  return Number(m[1]) * unit;
}

const OPTIONS: Record<string, Setter> = {
  'first-event.rate': (c, v, k) => {
    c.firstEventRate = int(k, v);
  },
  'next-event.rate': (c, v, k) => {
    c.nextEventRate = int(k, v);
  },
  'events.num': (c, v, k) => {
    c.eventsNum = int(k, v);
  },
  'person.proportion': (c, v, k) => {
    c.personProportion = int(k, v);
  },
  'auction.proportion': (c, v, k) => {
    c.auctionProportion = int(k, v);
  },
  'bid.proportion': (c, v, k) => {
    c.bidProportion = int(k, v);
  },
  'auction.hot-ratio.sellers': (c, v, k) => {
    c.hotSellersRatio = int(k, v);
  },
  'bid.hot-ratio.auctions': (c, v, k) => {
    c.hotAuctionsRatio = int(k, v);
  },
  'bid.hot-ratio.bidders': (c, v, k) => {
    c.hotBiddersRatio = int(k, v);
  },
  'person.avg-size': (c, v, k) => {
    c.avgPersonByteSize = memorySize(k, v);
  },
  'auction.avg-size': (c, v, k) => {
    c.avgAuctionByteSize = memorySize(k, v);
  },
  'bid.avg-size': (c, v, k) => {
    c.avgBidByteSize = memorySize(k, v);
  },
  'rate.limited': (c, v, k) => {
    c.maxEmitSpeed = !bool(k, v);
  },
  'max-emit-speed': (c, v, k) => {
    c.maxEmitSpeed = bool(k, v);
  },
  // accepted for Flink's DDL; the rate shape is not modelled (Flink's port only uses the first rate)
  'rate.shape': () => {},
  'rate.period': () => {},
  'base-time': (c, v, k) => {
    const t = v.trim();
    if (/^\d+$/.test(t)) c.baseTime = int(k, t);
    else {
      try {
        c.baseTime = parseSqlTimestamp(t);
      } catch {
        throw new NexmarkConfigError(`option '${k}': expected epoch ms or 'yyyy-MM-dd HH:mm:ss[.SSS]', got '${v}'`);
      }
    }
  },
  'bidder-id.flink-quirk': (c, v, k) => {
    c.flinkBidderQuirk = bool(k, v);
  },
};

/** Option keys the connector understands (besides `connector`). */
export const NEXMARK_OPTION_KEYS: readonly string[] = Object.keys(OPTIONS);

/** Builds the generator config from a table's WITH options; `now` is the default base time. */
export function configFromOptions(options: Record<string, string>, now: number = Date.now()): ResolvedNexmarkConfig {
  const c: Partial<NexmarkConfig> = { baseTime: now };
  for (const [key, value] of Object.entries(options)) {
    if (key === 'connector') continue;
    const set = OPTIONS[key];
    if (!set) {
      throw new NexmarkConfigError(
        `unknown option '${key}' for connector 'nexmark'; known: ${NEXMARK_OPTION_KEYS.join(', ')}`,
      );
    }
    if (/\$\{[^}]*\}/.test(value))
      throw new NexmarkConfigError(`option '${key}' has an unfilled placeholder: '${value}'`);
    set(c, value, key);
  }
  return nexmarkConfig(c);
}
