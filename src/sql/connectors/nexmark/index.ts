/**
 * The `nexmark` connector's event generator: a deterministic TypeScript port
 * of the Nexmark generator (Beam → Flink's nexmark-flink, nexmark-rs), written
 * from ../shared/nexmark/README.md with constants checked against both.
 *
 * | file         | what                                                              |
 * |--------------|-------------------------------------------------------------------|
 * | config.ts    | NexmarkConfig, defaults, id/type/timestamp arithmetic, splits      |
 * | options.ts   | Flink WITH options ('first-event.rate', 'events.num', …) → config |
 * | random.ts    | xoshiro128** reseeded per event id                                |
 * | strings.ts   | words, padding, prices, names, channel table and URLs             |
 * | events.ts    | eventAt(n, cfg): Person / Auction / Bid of event n                 |
 * | rows.ts      | the datagen/kafka table shape as positional rows; row type        |
 * | generator.ts | NexmarkGenerator: one split's events, next / nextBatch / seek     |
 * | json.ts      | the JSON Flink's insert_kafka.sql writes, and back                |
 * | pacing.ts    | wall-clock pacing for maxEmitSpeed = false                        |
 *
 * Decisions:
 * - **Determinism.** Every event's values come from a PRNG seeded with its id
 *   (random.ts), so event n is the same in every run, split and generator
 *   instance. Flink's generator is unseeded; its values differ run to run,
 *   only ids, types and timestamps are fixed. Ours match its distributions.
 * - **Values follow Flink**, not RisingWave: names "Peter Shultz", cities
 *   "Los Angeles", states upper-case "OR" (Flink's q3 filters on 'OR', 'ID',
 *   'CA'); RisingWave's generator and golden data lower-case them.
 * - **Bidder ids**: Flink adds FIRST_PERSON_ID to the bidder twice, shifting
 *   every bidder 1000 past the person ids. We add it once by default
 *   (nexmark-rs, Arroyo, RisingWave's golden data), so `bid.bidder` joins
 *   `person.id` (q23); `flinkBidderQuirk` / 'bidder-id.flink-quirk' = 'true'
 *   reproduces Flink.
 * - **Splits** interleave ids (split i of p: i, i + p, …) instead of Flink's
 *   contiguous ranges on parallel timelines: the union of the splits is the
 *   one-generator stream, timestamps included, bounded or not.
 * - **Timestamps**: dateTime(n) = baseTime + floor(n · 10^6 / rate / 1000) ms;
 *   out-of-order groups, rate shapes and the next-event rate are not modelled.
 * - **Text** is cut from fixed seeded pools (strings.ts) at a random offset —
 *   Flink's lengths and letter/space mix at one draw per string.
 */
export {
  AUCTION_ID_LEAD,
  type EventType,
  eventTimestamp,
  eventTypeOf,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  HOT_ROUNDING,
  lastBase0AuctionId,
  lastBase0PersonId,
  NEXMARK_DEFAULTS,
  type NexmarkConfig,
  NexmarkConfigError,
  type NexmarkSplit,
  NUM_CATEGORIES,
  nexmarkConfig,
  PERSON_ID_LEAD,
  type ResolvedNexmarkConfig,
  splitOf,
} from './config.ts';
export { type Auction, type Bid, eventAt, type NexmarkEvent, type Person } from './events.ts';
export { NexmarkGenerator, type SplitOptions } from './generator.ts';
export {
  decodeNexmarkJson,
  encodeNexmarkJson,
  eventToJson,
  formatSqlTimestamp,
  jsonToEvent,
  parseSqlTimestamp,
} from './json.ts';
export { configFromOptions, NEXMARK_OPTION_KEYS } from './options.ts';
export { dueBatch, EmitPacer } from './pacing.ts';
export { EventRandom } from './random.ts';
export {
  AUCTION_FIELDS,
  type AuctionRow,
  BID_FIELDS,
  type BidRow,
  eventToRow,
  NEXMARK_COLUMNS,
  type NexmarkRow,
  nexmarkRowType,
  PERSON_FIELDS,
  type PersonRow,
  rowToEvent,
} from './rows.ts';
export {
  channelName,
  channelUrl,
  HOT_CHANNELS,
  hotChannelUrl,
  NUM_CHANNELS,
  reversedChannelId,
  US_STATES,
} from './strings.ts';
