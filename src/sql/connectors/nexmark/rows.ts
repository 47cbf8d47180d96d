/**
 * The Flink `datagen` / `kafka` table shape of Nexmark events (ddl_gen.sql,
 * ddl_kafka.sql): `event_type INT` and three nullable nested rows, only the
 * one matching event_type set. Rows are positional arrays in field order with
 * the SQL value representation (BIGINT → bigint, TIMESTAMP(3) → epoch ms
 * number, VARCHAR → string). The computed `dateTime` column and the watermark
 * are the engine's business, not the connector's.
 */
import { type SqlType, T } from '../../types/index.ts';
import type { Auction, Bid, NexmarkEvent, Person } from './events.ts';

/** person ROW<id, name, emailAddress, creditCard, city, state, dateTime, extra> */
export type PersonRow = [
  id: bigint,
  name: string,
  emailAddress: string,
  creditCard: string,
  city: string,
  state: string,
  dateTime: number,
  extra: string,
];

/** auction ROW<id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra> */
export type AuctionRow = [
  id: bigint,
  itemName: string,
  description: string,
  initialBid: bigint,
  reserve: bigint,
  dateTime: number,
  expires: number,
  seller: bigint,
  category: bigint,
  extra: string,
];

/** bid ROW<auction, bidder, price, channel, url, dateTime, extra> */
export type BidRow = [
  auction: bigint,
  bidder: bigint,
  price: bigint,
  channel: string,
  url: string,
  dateTime: number,
  extra: string,
];

/** One row of the source table: [event_type, person, auction, bid]. */
export type NexmarkRow = [eventType: number, person: PersonRow | null, auction: AuctionRow | null, bid: BidRow | null];

/** Field names of the nested rows, in DDL order (also the JSON keys). */
export const PERSON_FIELDS = [
  'id',
  'name',
  'emailAddress',
  'creditCard',
  'city',
  'state',
  'dateTime',
  'extra',
] as const;
export const AUCTION_FIELDS = [
  'id',
  'itemName',
  'description',
  'initialBid',
  'reserve',
  'dateTime',
  'expires',
  'seller',
  'category',
  'extra',
] as const;
export const BID_FIELDS = ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'] as const;
/** Physical columns of the table, in order. */
export const NEXMARK_COLUMNS = ['event_type', 'person', 'auction', 'bid'] as const;

/** The physical row type of ddl_gen.sql / ddl_kafka.sql (without the computed `dateTime` column). */
export function nexmarkRowType(): SqlType {
  const s = T.string();
  const ts = T.timestamp(3);
  const b = T.bigint();
  return T.row([
    { name: 'event_type', type: T.int() },
    {
      name: 'person',
      type: T.row({ id: b, name: s, emailAddress: s, creditCard: s, city: s, state: s, dateTime: ts, extra: s }),
    },
    {
      name: 'auction',
      type: T.row({
        id: b,
        itemName: s,
        description: s,
        initialBid: b,
        reserve: b,
        dateTime: ts,
        expires: ts,
        seller: b,
        category: b,
        extra: s,
      }),
    },
    {
      name: 'bid',
      type: T.row({ auction: b, bidder: b, price: b, channel: s, url: s, dateTime: ts, extra: s }),
    },
  ]);
}

/** A person as its nested row. */
export function personRow(p: Person): PersonRow {
  return [BigInt(p.id), p.name, p.emailAddress, p.creditCard, p.city, p.state, p.dateTime, p.extra];
}

/** An auction as its nested row. */
export function auctionRow(a: Auction): AuctionRow {
  return [
    BigInt(a.id),
    a.itemName,
    a.description,
    BigInt(a.initialBid),
    BigInt(a.reserve),
    a.dateTime,
    a.expires,
    BigInt(a.seller),
    BigInt(a.category),
    a.extra,
  ];
}

/** A bid as its nested row. */
export function bidRow(b: Bid): BidRow {
  return [BigInt(b.auction), BigInt(b.bidder), BigInt(b.price), b.channel, b.url, b.dateTime, b.extra];
}

/** An event as a table row. */
export function eventToRow(e: NexmarkEvent): NexmarkRow {
  return [
    e.eventType,
    e.person ? personRow(e.person) : null,
    e.auction ? auctionRow(e.auction) : null,
    e.bid ? bidRow(e.bid) : null,
  ];
}

/** A table row back as an event (ids as numbers; throws if the row's event_type has no matching nested row). */
export function rowToEvent(row: NexmarkRow): NexmarkEvent {
  const [t, p, a, b] = row;
  if (t === 0 && p) {
    const [id, name, emailAddress, creditCard, city, state, dateTime, extra] = p;
    return {
      eventType: 0,
      person: { id: Number(id), name, emailAddress, creditCard, city, state, dateTime, extra },
      dateTime,
    };
  }
  if (t === 1 && a) {
    const [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra] = a;
    const auction: Auction = {
      id: Number(id),
      itemName,
      description,
      initialBid: Number(initialBid),
      reserve: Number(reserve),
      dateTime,
      expires,
      seller: Number(seller),
      category: Number(category),
      extra,
    };
    return { eventType: 1, auction, dateTime };
  }
  if (t === 2 && b) {
    const [auction, bidder, price, channel, url, dateTime, extra] = b;
    const bid: Bid = {
      auction: Number(auction),
      bidder: Number(bidder),
      price: Number(price),
      channel,
      url,
      dateTime,
      extra,
    };
    return { eventType: 2, bid, dateTime };
  }
  throw new TypeError(`event_type ${t} without its nested row`);
}
