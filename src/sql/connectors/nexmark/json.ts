/**
 * The JSON Flink's `insert_kafka.sql` job writes to the `nexmark` topic
 * (`'format' = 'json'`, defaults): one object per event with the physical
 * columns of ddl_kafka.sql in order — `event_type`, then `person`, `auction`
 * and `bid`, the two that do not match the type written as `null`
 * (json.encode.ignore-null-fields is false) — nested field names in camelCase
 * exactly as in the DDL, BIGINT and INT as JSON numbers, no whitespace.
 *
 * TIMESTAMP(3) uses json.timestamp-format.standard = 'SQL': `yyyy-MM-dd
 * HH:mm:ss` plus a fraction with trailing zeros removed, and no fraction at
 * all on a whole second (Flink's formatter appends NANO_OF_SECOND with 0–9
 * digits): `2015-07-15 00:00:01`, `2015-07-15 00:00:01.5`,
 * `2015-07-15 00:00:01.005`. The decoder accepts 0–9 fraction digits, so it
 * also reads fixed `.SSS` text.
 */
import type { Auction, Bid, NexmarkEvent, Person } from './events.ts';
import { type AuctionRow, type BidRow, type NexmarkRow, type PersonRow, rowToEvent } from './rows.ts';

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDate = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** TIMESTAMP(3) (epoch ms read as UTC wall time) in Flink's SQL timestamp format, trailing fraction zeros removed. */
export function formatSqlTimestamp(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cachedDay = day;
  }
  const t = ms - day * DAY_MS;
  const msPart = t % 1000;
  const secs = (t - msPart) / 1000;
  const hms = `${cachedDate} ${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
  if (msPart === 0) return hms;
  const frac = msPart < 10 ? `00${msPart}` : msPart < 100 ? `0${msPart}` : String(msPart);
  return `${hms}.${frac.endsWith('00') ? frac[0] : frac.endsWith('0') ? frac.slice(0, 2) : frac}`;
}

const SQL_TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Parses `yyyy-MM-dd HH:mm:ss[.fraction]` (0–9 digits; sub-ms digits truncated) to epoch ms. */
export function parseSqlTimestamp(text: string): number {
  const m = SQL_TS.exec(text);
  if (!m) throw new SyntaxError(`not a SQL timestamp (yyyy-MM-dd HH:mm:ss[.SSS]): ${JSON.stringify(text)}`);
  const frac = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +frac);
}

const str = JSON.stringify;

function personJson(p: PersonRow): string {
  return `{"id":${p[0]},"name":${str(p[1])},"emailAddress":${str(p[2])},"creditCard":${str(p[3])},"city":${str(p[4])},"state":${str(p[5])},"dateTime":"${formatSqlTimestamp(p[6])}","extra":${str(p[7])}}`;
}

function auctionJson(a: AuctionRow): string {
  return `{"id":${a[0]},"itemName":${str(a[1])},"description":${str(a[2])},"initialBid":${a[3]},"reserve":${a[4]},"dateTime":"${formatSqlTimestamp(a[5])}","expires":"${formatSqlTimestamp(a[6])}","seller":${a[7]},"category":${a[8]},"extra":${str(a[9])}}`;
}

function bidJson(b: BidRow): string {
  return `{"auction":${b[0]},"bidder":${b[1]},"price":${b[2]},"channel":${str(b[3])},"url":${str(b[4])},"dateTime":"${formatSqlTimestamp(b[5])}","extra":${str(b[6])}}`;
}

/** A table row as the JSON text Flink's kafka sink writes for it. */
export function encodeNexmarkJson(row: NexmarkRow): string {
  const [t, p, a, b] = row;
  return `{"event_type":${t},"person":${p ? personJson(p) : 'null'},"auction":${a ? auctionJson(a) : 'null'},"bid":${b ? bidJson(b) : 'null'}}`;
}

/** An event object as the same JSON (without building the row). */
export function eventToJson(e: NexmarkEvent): string {
  const p = e.person;
  const a = e.auction;
  const b = e.bid;
  return `{"event_type":${e.eventType},"person":${p ? personObjJson(p) : 'null'},"auction":${a ? auctionObjJson(a) : 'null'},"bid":${b ? bidObjJson(b) : 'null'}}`;
}

function personObjJson(p: Person): string {
  return `{"id":${p.id},"name":${str(p.name)},"emailAddress":${str(p.emailAddress)},"creditCard":${str(p.creditCard)},"city":${str(p.city)},"state":${str(p.state)},"dateTime":"${formatSqlTimestamp(p.dateTime)}","extra":${str(p.extra)}}`;
}

function auctionObjJson(a: Auction): string {
  return `{"id":${a.id},"itemName":${str(a.itemName)},"description":${str(a.description)},"initialBid":${a.initialBid},"reserve":${a.reserve},"dateTime":"${formatSqlTimestamp(a.dateTime)}","expires":"${formatSqlTimestamp(a.expires)}","seller":${a.seller},"category":${a.category},"extra":${str(a.extra)}}`;
}

function bidObjJson(b: Bid): string {
  return `{"auction":${b.auction},"bidder":${b.bidder},"price":${b.price},"channel":${str(b.channel)},"url":${str(b.url)},"dateTime":"${formatSqlTimestamp(b.dateTime)}","extra":${str(b.extra)}}`;
}

type Json = Record<string, unknown>;

function field<T>(o: Json, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[name];
  if (!check(v)) throw new TypeError(`field ${name}: expected ${what}, got ${JSON.stringify(v)}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const big = (o: Json, name: string): bigint => BigInt(field(o, name, isNumber, 'an integer'));
const text = (o: Json, name: string): string => field(o, name, isString, 'a string');
const time = (o: Json, name: string): number => parseSqlTimestamp(field(o, name, isString, 'a SQL timestamp'));
const nested = (o: Json, name: string): Json | null => {
  const v = o[name];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`field ${name}: expected an object or null`);
  return v as Json;
};

/**
 * Parses one JSON record of the ddl_kafka.sql shape back into a table row
 * (for tests and tools; the SQL engine's `json` format is the general reader).
 * Ids must be safe integers; every field of a present nested row is required.
 */
export function decodeNexmarkJson(json: string): NexmarkRow {
  const o = JSON.parse(json) as unknown;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError('expected a JSON object');
  const r = o as Json;
  const t = field(r, 'event_type', isNumber, 'an integer');
  const p = nested(r, 'person');
  const a = nested(r, 'auction');
  const b = nested(r, 'bid');
  return [
    t,
    p && [
      big(p, 'id'),
      text(p, 'name'),
      text(p, 'emailAddress'),
      text(p, 'creditCard'),
      text(p, 'city'),
      text(p, 'state'),
      time(p, 'dateTime'),
      text(p, 'extra'),
    ],
    a && [
      big(a, 'id'),
      text(a, 'itemName'),
      text(a, 'description'),
      big(a, 'initialBid'),
      big(a, 'reserve'),
      time(a, 'dateTime'),
      time(a, 'expires'),
      big(a, 'seller'),
      big(a, 'category'),
      text(a, 'extra'),
    ],
    b && [
      big(b, 'auction'),
      big(b, 'bidder'),
      big(b, 'price'),
      text(b, 'channel'),
      text(b, 'url'),
      time(b, 'dateTime'),
      text(b, 'extra'),
    ],
  ];
}

/** Parses one JSON record into an event object. */
export function jsonToEvent(json: string): NexmarkEvent {
  return rowToEvent(decodeNexmarkJson(json));
}
