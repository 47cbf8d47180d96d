/**
 * The generator's configuration: Flink's `nexmark` connector options with
 * their defaults, validation, event type / id / timestamp arithmetic shared by
 * every event, and how a configuration splits across parallel source tasks.
 */

/** Generator settings; each field names the Flink option it comes from. */
export interface NexmarkConfig {
  /** Events per second of the whole source (`first-event.rate`, the TPS); sets the event-time spacing. */
  firstEventRate: number;
  /** `next-event.rate`: accepted for Flink's DDL, unused (Flink's port only uses the first rate). */
  nextEventRate: number;
  /** Events in total over all splits (`events.num`); 0 = unbounded. */
  eventsNum: number;
  /** `person.proportion`, `auction.proportion`, `bid.proportion`: event n's type is fixed by n mod their sum. */
  personProportion: number;
  auctionProportion: number;
  bidProportion: number;
  /** An auction's seller is hot with probability 1 − 1/ratio (`auction.hot-ratio.sellers`). */
  hotSellersRatio: number;
  /** A bid's auction is hot with probability 1 − 1/ratio (`bid.hot-ratio.auctions`). */
  hotAuctionsRatio: number;
  /** A bid's bidder is hot with probability 1 − 1/ratio (`bid.hot-ratio.bidders`). */
  hotBiddersRatio: number;
  /** A bid's channel is one of the 4 hot ones with probability 1 − 1/ratio (a constant 2 in Flink). */
  hotChannelsRatio: number;
  /** Idealised average sizes in bytes the `extra` padding aims at (`person.avg-size` etc.). */
  avgPersonByteSize: number;
  avgAuctionByteSize: number;
  avgBidByteSize: number;
  /** Non-hot sellers and bidders are drawn from the last this-many people. */
  numActivePeople: number;
  /** Non-hot bids go to one of the last this-many auctions; also sets `expires`. */
  numInFlightAuctions: number;
  /** Event time of event 0, epoch ms (Flink: wall clock when the source starts). */
  baseTime: number;
  /** true: emit as fast as possible (event time still advances at the nominal rate); false: pace to the wall clock. */
  maxEmitSpeed: boolean;
  /** Number of splits (parallel source tasks); split i emits ids i, i+p, i+2p, … */
  numGenerators: number;
  /**
   * Flink's `BidGenerator` adds FIRST_PERSON_ID (1000) to the bidder twice,
   * so its bidder ids are person ids + 1000. Off by default (nexmark-rs,
   * Arroyo and RisingWave's golden data add it once, so bids join persons).
   */
  flinkBidderQuirk: boolean;
}

/** First id of each kind, as in every Nexmark generator. */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Non-hot picks may name up to this many ids past the newest (intentional out-of-order foreign keys). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
/** Hot sellers/bidders/auctions are the newest id rounded down to a multiple of this. */
export const HOT_ROUNDING = 100;

/** Flink's defaults; `baseTime` is taken when a config is built. */
export const NEXMARK_DEFAULTS: Readonly<Omit<NexmarkConfig, 'baseTime'>> = Object.freeze({
  firstEventRate: 10_000,
  nextEventRate: 10_000,
  eventsNum: 0,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  hotSellersRatio: 4,
  hotAuctionsRatio: 2,
  hotBiddersRatio: 4,
  hotChannelsRatio: 2,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  maxEmitSpeed: true,
  numGenerators: 1,
  flinkBidderQuirk: false,
});

/** A validated configuration with derived values the generator uses on every event. */
export interface ResolvedNexmarkConfig extends NexmarkConfig {
  /** personProportion + auctionProportion + bidProportion */
  readonly totalProportion: number;
  /** 10^6 / firstEventRate: microseconds of event time between consecutive events. */
  readonly interEventDelayUs: number;
  /** Events until numInFlightAuctions more auctions exist (sets the auction length). */
  readonly eventsForAuctions: number;
}

/** Error for a configuration the generator cannot run with. */
export class NexmarkConfigError extends Error {
  override name = 'NexmarkConfigError';
}

function requireInt(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min)
    throw new NexmarkConfigError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

/** Fills in Flink's defaults, checks every field, and derives the per-event constants. */
export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): ResolvedNexmarkConfig {
  const c: NexmarkConfig = { ...NEXMARK_DEFAULTS, baseTime: Date.now(), ...overrides };
  if (!(c.firstEventRate > 0) || !Number.isFinite(c.firstEventRate)) {
    throw new NexmarkConfigError(`firstEventRate (first-event.rate) must be > 0, got ${c.firstEventRate}`);
  }
  requireInt('eventsNum (events.num)', c.eventsNum, 0);
  requireInt('personProportion (person.proportion)', c.personProportion, 1);
  requireInt('auctionProportion (auction.proportion)', c.auctionProportion, 1);
  requireInt('bidProportion (bid.proportion)', c.bidProportion, 0);
  requireInt('hotSellersRatio (auction.hot-ratio.sellers)', c.hotSellersRatio, 1);
  requireInt('hotAuctionsRatio (bid.hot-ratio.auctions)', c.hotAuctionsRatio, 1);
  requireInt('hotBiddersRatio (bid.hot-ratio.bidders)', c.hotBiddersRatio, 1);
  requireInt('hotChannelsRatio', c.hotChannelsRatio, 1);
  requireInt('avgPersonByteSize (person.avg-size)', c.avgPersonByteSize, 0);
  requireInt('avgAuctionByteSize (auction.avg-size)', c.avgAuctionByteSize, 0);
  requireInt('avgBidByteSize (bid.avg-size)', c.avgBidByteSize, 0);
  requireInt('numActivePeople', c.numActivePeople, 1);
  requireInt('numInFlightAuctions', c.numInFlightAuctions, 1);
  requireInt('numGenerators', c.numGenerators, 1);
  if (!Number.isFinite(c.baseTime)) throw new NexmarkConfigError(`baseTime must be epoch ms, got ${c.baseTime}`);
  const totalProportion = c.personProportion + c.auctionProportion + c.bidProportion;
  return Object.freeze({
    ...c,
    totalProportion,
    interEventDelayUs: 1_000_000 / c.firstEventRate,
    eventsForAuctions: Math.floor((c.numInFlightAuctions * totalProportion) / c.auctionProportion),
  });
}

/** 0 person, 1 auction, 2 bid — the `event_type` column. */
export type EventType = 0 | 1 | 2;

/** The type of event n: fixed by n mod the proportions' sum (defaults: 0 → person, 1–3 → auction, 4–49 → bid). */
export function eventTypeOf(n: number, cfg: ResolvedNexmarkConfig): EventType {
  const rem = n % cfg.totalProportion;
  if (rem < cfg.personProportion) return 0;
  if (rem < cfg.personProportion + cfg.auctionProportion) return 1;
  return 2;
}

/** Event time of event n: baseTime + n · interEventDelay, truncated to ms as Flink does. */
export function eventTimestamp(n: number, cfg: ResolvedNexmarkConfig): number {
  return cfg.baseTime + Math.floor((n * cfg.interEventDelayUs) / 1000);
}

/** The newest person id (base 0) at event n; the id of the person event n creates, if it is one. */
export function lastBase0PersonId(n: number, cfg: ResolvedNexmarkConfig): number {
  const epoch = Math.floor(n / cfg.totalProportion);
  let offset = n % cfg.totalProportion;
  if (offset >= cfg.personProportion) offset = cfg.personProportion - 1;
  return epoch * cfg.personProportion + offset;
}

/** The newest auction id (base 0) at event n; the id of the auction event n creates, if it is one. */
export function lastBase0AuctionId(n: number, cfg: ResolvedNexmarkConfig): number {
  let epoch = Math.floor(n / cfg.totalProportion);
  let offset = n % cfg.totalProportion;
  if (offset < cfg.personProportion) {
    epoch--;
    offset = cfg.auctionProportion - 1;
  } else if (offset >= cfg.personProportion + cfg.auctionProportion) {
    offset = cfg.auctionProportion - 1;
  } else {
    offset -= cfg.personProportion;
  }
  return epoch * cfg.auctionProportion + offset;
}

/** Which event ids one source task emits: firstEventId, firstEventId + stride, … (count of them). */
export interface NexmarkSplit {
  firstEventId: number;
  /** Infinity when unbounded. */
  count: number;
  stride: number;
}

/**
 * Split `index` of `cfg.numGenerators` (or `numSplits`): ids interleaved with
 * stride p, so the union of all splits is exactly the single-generator stream
 * with the same timestamps. (Flink instead gives each split a contiguous id
 * range on its own timeline; interleaving keeps event time and ids aligned
 * and works for unbounded sources.)
 */
export function splitOf(cfg: ResolvedNexmarkConfig, index: number, numSplits = cfg.numGenerators): NexmarkSplit {
  requireInt('numSplits', numSplits, 1);
  if (!Number.isSafeInteger(index) || index < 0 || index >= numSplits) {
    throw new NexmarkConfigError(`split index must be in [0, ${numSplits}), got ${index}`);
  }
  const count =
    cfg.eventsNum === 0 ? Number.POSITIVE_INFINITY : Math.max(0, Math.ceil((cfg.eventsNum - index) / numSplits));
  return { firstEventId: index, count, stride: numSplits };
}
