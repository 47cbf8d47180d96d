/**
 * One Nexmark event from its id: `eventAt(n, cfg)`. The generator is
 * reseeded with n before each event, so the same id under the same
 * configuration always yields the same event, whichever split or generator
 * instance produces it.
 *
 * Draw order per event follows Flink's generator (seller, category, prices,
 * expires, strings, …) so the distributions match; the values themselves
 * differ from Flink's, which are unseeded.
 */
import {
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
  NUM_CATEGORIES,
  PERSON_ID_LEAD,
  type ResolvedNexmarkConfig,
} from './config.ts';
import { EventRandom } from './random.ts';
import {
  channelName,
  channelUrl,
  HOT_CHANNELS,
  hotChannelUrl,
  NUM_CHANNELS,
  nextCreditCard,
  nextEmail,
  nextExtra,
  nextPersonName,
  nextPrice,
  nextString,
  US_CITIES,
  US_STATES,
} from './strings.ts';

/** A new person (`event_type` 0). Ids and prices are plain numbers here (all below 2^53); rows carry them as bigint. */
export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  /** Event time, epoch ms. */
  dateTime: number;
  extra: string;
}

/** A new auction (`event_type` 1). */
export interface Auction {
  id: number;
  itemName: string;
  description: string;
  /** Cents. */
  initialBid: number;
  /** Cents; initialBid + another price. */
  reserve: number;
  dateTime: number;
  /** dateTime + 1 + uniform[0, 2·H) ms; H = event time until numInFlightAuctions more auctions exist. */
  expires: number;
  seller: number;
  /** 10–14. */
  category: number;
  extra: string;
}

/** A bid (`event_type` 2). */
export interface Bid {
  auction: number;
  bidder: number;
  /** Cents. */
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

/** One event: its type, the one matching entity, and its event time. */
export interface NexmarkEvent {
  eventType: EventType;
  person?: Person;
  auction?: Auction;
  bid?: Bid;
  /** Event time, epoch ms: baseTime + n · interEventDelay. */
  dateTime: number;
}

/** Base-0 id of a random person among the last numActivePeople, plus up to PERSON_ID_LEAD ahead. */
function nextBase0PersonId(n: number, r: EventRandom, cfg: ResolvedNexmarkConfig): number {
  const numPeople = lastBase0PersonId(n, cfg) + 1;
  const active = Math.min(numPeople, cfg.numActivePeople);
  return numPeople - active + r.long(active + PERSON_ID_LEAD);
}

/** Base-0 id of a random auction among the last numInFlightAuctions, plus up to AUCTION_ID_LEAD ahead. */
function nextBase0AuctionId(n: number, r: EventRandom, cfg: ResolvedNexmarkConfig): number {
  const max = lastBase0AuctionId(n, cfg);
  const min = Math.max(max - cfg.numInFlightAuctions, 0);
  return min + r.long(max - min + 1 + AUCTION_ID_LEAD);
}

/** The person event n creates. `r` must be seeded with n. */
export function personAt(n: number, ts: number, r: EventRandom, cfg: ResolvedNexmarkConfig): Person {
  const id = lastBase0PersonId(n, cfg) + FIRST_PERSON_ID;
  const name = nextPersonName(r);
  const emailAddress = nextEmail(r);
  const creditCard = nextCreditCard(r);
  const city = US_CITIES[r.int(US_CITIES.length)]!;
  const state = US_STATES[r.int(US_STATES.length)]!;
  const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  const extra = nextExtra(r, size, cfg.avgPersonByteSize);
  return { id, name, emailAddress, creditCard, city, state, dateTime: ts, extra };
}

/** The auction event n creates. `r` must be seeded with n. */
export function auctionAt(n: number, ts: number, r: EventRandom, cfg: ResolvedNexmarkConfig): Auction {
  const id = lastBase0AuctionId(n, cfg) + FIRST_AUCTION_ID;
  const seller =
    (r.int(cfg.hotSellersRatio) > 0
      ? Math.floor(lastBase0PersonId(n, cfg) / HOT_ROUNDING) * HOT_ROUNDING
      : nextBase0PersonId(n, r, cfg)) + FIRST_PERSON_ID;
  const category = FIRST_CATEGORY_ID + r.int(NUM_CATEGORIES);
  const initialBid = nextPrice(r);
  const horizon = eventTimestamp(n + cfg.eventsForAuctions, cfg) - ts;
  const expires = ts + 1 + r.long(Math.max(horizon * 2, 1));
  const itemName = nextString(r, 20);
  const description = nextString(r, 100);
  const reserve = initialBid + nextPrice(r);
  const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
  const extra = nextExtra(r, size, cfg.avgAuctionByteSize);
  return { id, itemName, description, initialBid, reserve, dateTime: ts, expires, seller, category, extra };
}

/** The bid event n creates. `r` must be seeded with n. */
export function bidAt(n: number, ts: number, r: EventRandom, cfg: ResolvedNexmarkConfig): Bid {
  const auction =
    (r.int(cfg.hotAuctionsRatio) > 0
      ? Math.floor(lastBase0AuctionId(n, cfg) / HOT_ROUNDING) * HOT_ROUNDING
      : nextBase0AuctionId(n, r, cfg)) + FIRST_AUCTION_ID;
  // hot bidders are the second person of the hundred, so they never equal hot sellers
  const bidder =
    (r.int(cfg.hotBiddersRatio) > 0
      ? Math.floor(lastBase0PersonId(n, cfg) / HOT_ROUNDING) * HOT_ROUNDING + 1
      : nextBase0PersonId(n, r, cfg)) + (cfg.flinkBidderQuirk ? 2 * FIRST_PERSON_ID : FIRST_PERSON_ID);
  const price = nextPrice(r);
  let channel: string;
  let url: string;
  if (r.int(cfg.hotChannelsRatio) > 0) {
    const i = r.int(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i]!;
    url = hotChannelUrl(i);
  } else {
    const i = r.int(NUM_CHANNELS);
    channel = channelName(i);
    url = channelUrl(i);
  }
  const extra = nextExtra(r, 8 + 8 + 8 + 8, cfg.avgBidByteSize);
  return { auction, bidder, price, channel, url, dateTime: ts, extra };
}

const scratch = new EventRandom();

/** Event n (0, 1, 2, …) under `cfg`; a pure function of (n, cfg). */
export function eventAt(n: number, cfg: ResolvedNexmarkConfig, r: EventRandom = scratch): NexmarkEvent {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`event id must be a safe integer ≥ 0, got ${n}`);
  r.seed(n);
  const dateTime = eventTimestamp(n, cfg);
  const eventType = eventTypeOf(n, cfg);
  if (eventType === 0) return { eventType, person: personAt(n, dateTime, r, cfg), dateTime };
  if (eventType === 1) return { eventType, auction: auctionAt(n, dateTime, r, cfg), dateTime };
  return { eventType, bid: bidAt(n, dateTime, r, cfg), dateTime };
}
