/**
 * The Nexmark event generator (src/sql/connectors/nexmark): determinism per
 * event id across instances and splits, the 1:3:46 type pattern, id rules
 * (hot sellers/bidders/auctions, active windows, leads), timestamps, the
 * channel/URL rules q21 relies on, `extra` sizes, prices, the JSON Flink's
 * kafka sink writes, WITH options and wall-clock pacing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  type Auction,
  type Bid,
  channelName,
  channelUrl,
  configFromOptions,
  decodeNexmarkJson,
  dueBatch,
  EmitPacer,
  EventRandom,
  encodeNexmarkJson,
  eventAt,
  eventToJson,
  eventToRow,
  FIRST_PERSON_ID,
  formatSqlTimestamp,
  HOT_CHANNELS,
  hotChannelUrl,
  lastBase0AuctionId,
  lastBase0PersonId,
  type NexmarkEvent,
  NexmarkGenerator,
  type NexmarkRow,
  NUM_CHANNELS,
  nexmarkConfig,
  type Person,
  parseSqlTimestamp,
  reversedChannelId,
  rowToEvent,
  US_STATES,
} from '../../src/sql/connectors/nexmark/index.ts';

const BASE = Date.UTC(2015, 6, 15);
const cfg = nexmarkConfig({ baseTime: BASE });
const N = 50_000;
const Q21 = /(&|^)channel_id=([^&]*)/;

// 50k events shared by the statistical tests (built once: ~0.1 s)
const events: NexmarkEvent[] = Array.from({ length: N }, (_, n) => eventAt(n, cfg));
const persons = events.flatMap((e) => (e.person ? [e.person] : []));
const auctions = events.flatMap((e) => (e.auction ? [e.auction] : []));
const bids = events.flatMap((e) => (e.bid ? [e.bid] : []));
const idsOf = <T>(type: 0 | 1 | 2, pick: (e: NexmarkEvent) => T | undefined): Array<[number, T]> =>
  events.flatMap((e, n) => (e.eventType === type ? [[n, pick(e)!] as [number, T]] : []));

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('determinism', () => {
  test('the same id gives the same event, whatever was generated before', () => {
    for (const n of [0, 1, 4, 49, 50, 12_345, 9_999_999, 2 ** 40 + 7]) {
      const a = eventAt(n, cfg);
      eventAt(n + 1, cfg);
      eventAt(3, cfg);
      assert.deepEqual(eventAt(n, cfg), a, `event ${n}`);
      assert.deepEqual(eventAt(n, nexmarkConfig({ baseTime: BASE })), a, `event ${n} under an equal config`);
    }
    assert.notDeepEqual(eventAt(54, cfg).bid, eventAt(55, cfg).bid);
  });

  test('two generator instances emit identical rows', () => {
    const a = new NexmarkGenerator(cfg, { count: 2000 });
    const b = new NexmarkGenerator({ baseTime: BASE, eventsNum: 2000 });
    assert.deepEqual([...a], [...b]);
    assert.equal(a.done, true);
    assert.equal(a.position, 2000);
  });

  test('interleaved splits together are exactly the single-generator stream', () => {
    const bounded = nexmarkConfig({ baseTime: BASE, eventsNum: 1003, numGenerators: 4 });
    const whole = new NexmarkGenerator(bounded).nextBatch(5000);
    assert.equal(whole.length, 1003);
    const splits = [0, 1, 2, 3].map((i) => NexmarkGenerator.forSplit(bounded, i));
    assert.deepEqual(
      splits.map((g) => g.split.count),
      [251, 251, 251, 250],
    );
    const merged: NexmarkRow[] = [];
    const parts = splits.map((g) => g.nextBatch(10_000));
    for (let n = 0; n < 1003; n++) merged.push(parts[n % 4]![Math.floor(n / 4)]!);
    assert.deepEqual(merged, whole);
    // a contiguous range from the middle matches too
    const mid = new NexmarkGenerator(bounded, { firstEventId: 500, count: 20 }).nextBatch(100);
    assert.deepEqual(mid, whole.slice(500, 520));
  });

  test('seek restores a checkpointed position; nextBatch respects max and untilEventId', () => {
    const g = new NexmarkGenerator(cfg, { firstEventId: 7, stride: 3 });
    assert.equal(g.done, false);
    const first = g.nextBatch(10);
    assert.equal(first.length, 10);
    assert.equal(g.position, 10);
    assert.equal(g.nextEventId, 37);
    const after = g.nextBatch(5);
    const restored = new NexmarkGenerator(cfg, { firstEventId: 7, stride: 3 });
    restored.seek(10);
    assert.deepEqual(restored.nextBatch(5), after);
    assert.deepEqual(first[0], eventToRow(eventAt(7, cfg)));
    const capped = new NexmarkGenerator(cfg);
    assert.equal(capped.nextBatch(100, 41).length, 42);
    assert.equal(capped.nextEventId, 42);
    assert.throws(() => capped.seek(-1), RangeError);
  });

  test('the PRNG is reproducible and spreads bounded draws evenly', () => {
    const a = new EventRandom(123);
    const b = new EventRandom(123);
    const xs = Array.from({ length: 8 }, () => a.u32());
    assert.deepEqual(
      Array.from({ length: 8 }, () => b.u32()),
      xs,
    );
    assert.notDeepEqual(
      Array.from({ length: 8 }, () => new EventRandom(124).u32()),
      xs,
    );
    const r = new EventRandom(9);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]!++;
    for (const c of counts) assert.ok(c > 9_500 && c < 10_500, `bucket ${c}`);
    for (let i = 0; i < 1000; i++) {
      const d = r.double();
      assert.ok(d >= 0 && d < 1);
    }
  });
});

describe('event types and ids', () => {
  test('types follow n mod 50: exactly 1 person, 3 auctions, 46 bids in every 50', () => {
    assert.equal(persons.length, 1000);
    assert.equal(auctions.length, 3000);
    assert.equal(bids.length, 46_000);
    events.forEach((e, n) => {
      const rem = n % 50;
      assert.equal(e.eventType, rem === 0 ? 0 : rem <= 3 ? 1 : 2, `event ${n}`);
      assert.equal(Number(e.person !== undefined) + Number(e.auction !== undefined) + Number(e.bid !== undefined), 1);
    });
    const custom = nexmarkConfig({ baseTime: BASE, personProportion: 2, auctionProportion: 1, bidProportion: 2 });
    assert.deepEqual(
      Array.from({ length: 10 }, (_, n) => eventAt(n, custom).eventType),
      [0, 0, 1, 2, 2, 0, 0, 1, 2, 2],
    );
  });

  test('person ids are 1000 + n/50 and auction ids 1000 + 3·(n/50) + slot, both consecutive', () => {
    for (const [n, p] of idsOf(0, (e) => e.person)) assert.equal(p.id, 1000 + n / 50);
    for (const [n, a] of idsOf(1, (e) => e.auction)) assert.equal(a.id, 1000 + 3 * Math.floor(n / 50) + (n % 50) - 1);
    assert.deepEqual(
      persons.map((p) => p.id),
      Array.from({ length: 1000 }, (_, i) => 1000 + i),
    );
    assert.deepEqual(
      auctions.map((a) => a.id),
      Array.from({ length: 3000 }, (_, i) => 1000 + i),
    );
    for (const a of auctions) assert.ok(a.category >= 10 && a.category <= 14);
    assert.equal(new Set(auctions.map((a) => a.category)).size, 5);
  });

  test('sellers: 3/4 hot (newest person rounded down to 100), else among the active people or ≤10 ahead', () => {
    let hot = 0;
    for (const [n, a] of idsOf(1, (e) => e.auction)) {
      const last = lastBase0PersonId(n, cfg);
      const hotSeller = Math.floor(last / 100) * 100 + FIRST_PERSON_ID;
      if (a.seller === hotSeller) hot++;
      else {
        const people = last + 1;
        const active = Math.min(people, 1000);
        assert.ok(a.seller - 1000 >= people - active && a.seller - 1000 < people + 10, `seller ${a.seller} at ${n}`);
      }
    }
    assert.ok(hot / auctions.length > 0.72 && hot / auctions.length < 0.78, `hot sellers ${hot / auctions.length}`);
  });

  test('bidders: 3/4 hot (rounded down to 100, plus 1: never a hot seller); auctions: 1/2 hot', () => {
    let hotBidders = 0;
    let hotAuctions = 0;
    let ahead = 0;
    for (const [n, b] of idsOf(2, (e) => e.bid)) {
      const lastPerson = lastBase0PersonId(n, cfg);
      const hotSeller = Math.floor(lastPerson / 100) * 100 + 1000;
      const hotBidder = hotSeller + 1;
      assert.notEqual(hotBidder, hotSeller);
      if (b.bidder === hotBidder) hotBidders++;
      else {
        const people = lastPerson + 1;
        const active = Math.min(people, 1000);
        assert.ok(b.bidder - 1000 >= people - active && b.bidder - 1000 < people + 10, `bidder ${b.bidder} at ${n}`);
        if (b.bidder - 1000 > lastPerson) ahead++;
      }
      const lastAuction = lastBase0AuctionId(n, cfg);
      if (b.auction === Math.floor(lastAuction / 100) * 100 + 1000) hotAuctions++;
      else {
        const min = Math.max(lastAuction - 100, 0);
        assert.ok(b.auction - 1000 >= min && b.auction - 1000 <= lastAuction + 10, `auction ${b.auction} at ${n}`);
      }
    }
    assert.ok(hotBidders / bids.length > 0.73 && hotBidders / bids.length < 0.77, `hot bidders ${hotBidders}`);
    assert.ok(hotAuctions / bids.length > 0.48 && hotAuctions / bids.length < 0.53, `hot auctions ${hotAuctions}`);
    assert.ok(ahead > 0, 'some bids name a person not generated yet (the id lead)');
    // hot bidders end in 01, hot sellers in 00
    assert.ok(bids.filter((b) => (b.bidder - 1000) % 100 === 1).length >= hotBidders);
  });

  test('flinkBidderQuirk adds FIRST_PERSON_ID a second time, nothing else changes', () => {
    const quirk = nexmarkConfig({ baseTime: BASE, flinkBidderQuirk: true });
    for (let n = 4; n < 2000; n += 7) {
      const a = eventAt(n, cfg);
      const b = eventAt(n, quirk);
      if (!a.bid) continue;
      assert.deepEqual(b.bid, { ...a.bid, bidder: a.bid.bidder + 1000 });
    }
  });
});

describe('values', () => {
  test('dateTime = baseTime + n · 10^6/rate µs, truncated to ms; the row carries it', () => {
    events.forEach((e, n) => {
      assert.equal(e.dateTime, BASE + Math.floor(n / 10), `event ${n}`);
      const inner = e.person ?? e.auction ?? e.bid;
      assert.equal(inner?.dateTime, e.dateTime);
    });
    const fast = nexmarkConfig({ baseTime: BASE, firstEventRate: 10_000_000 });
    assert.equal(eventAt(123_456_789, fast).dateTime, BASE + 12_345);
    const slow = nexmarkConfig({ baseTime: BASE, firstEventRate: 3 });
    assert.equal(eventAt(10, slow).dateTime, BASE + 3333);
    assert.equal(eventAt(3, slow).dateTime, BASE + 1000);
  });

  test('expires = dateTime + 1 + uniform[0, 2·H), H = time until 100 more auctions (1666 events)', () => {
    const horizon = 1666 / 10;
    const lengths = auctions.map((a) => a.expires - a.dateTime);
    for (const l of lengths) assert.ok(l >= 1 && l <= 2 * Math.ceil(horizon), `length ${l}`);
    const m = mean(lengths);
    assert.ok(Math.abs(m - horizon) < 8, `mean auction length ${m}`);
  });

  test('prices are log-uniform cents in [100, 10^8]; reserve = initialBid + a price', () => {
    const prices = bids.map((b) => b.price).sort((a, b) => a - b);
    assert.ok(prices[0]! >= 100 && prices.at(-1)! <= 100_000_000);
    const median = prices[prices.length >> 1]!;
    assert.ok(median > 70_000 && median < 140_000, `median ${median}`);
    const decades = [1e3, 1e4, 1e5, 1e6, 1e7].map((x) => prices.filter((p) => p < x).length / prices.length);
    for (const [i, f] of decades.entries()) assert.ok(Math.abs(f - (i + 1) / 6) < 0.02, `below 10^${i + 3}: ${f}`);
    for (const a of auctions) assert.ok(a.reserve > a.initialBid && a.initialBid >= 100);
  });

  test('persons: names, emails, credit cards, cities and upper-case states as Flink generates them', () => {
    for (const p of persons) {
      assert.match(p.name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
      // nextString(7) @ nextString(5) .com: 3–6 and 3–4 characters before trimming spaces
      assert.match(p.emailAddress, /^[a-z ]{0,6}@[a-z ]{0,4}\.com$/);
      for (const part of p.emailAddress.slice(0, -4).split('@')) assert.equal(part, part.trim());
      assert.match(p.creditCard, /^\d{4} \d{4} \d{4} \d{4}$/);
      assert.ok(US_STATES.includes(p.state));
    }
    assert.equal(new Set(persons.map((p) => p.state)).size, 6);
    assert.equal(new Set(persons.map((p) => p.city)).size, 10);
    assert.ok(new Set(persons.map((p) => p.name)).size > 90);
  });

  test('item names (≤19) and descriptions (≤99) are letters with occasional spaces, trimmed', () => {
    for (const a of auctions) {
      assert.ok(a.itemName.length <= 19 && a.description.length <= 99);
      assert.equal(a.itemName, a.itemName.trim());
      assert.match(a.description, /^[a-z ]*$/);
    }
    const spaces = auctions.reduce((s, a) => s + (a.description.match(/ /g)?.length ?? 0), 0);
    const chars = auctions.reduce((s, a) => s + a.description.length, 0);
    assert.ok(spaces / chars > 0.06 && spaces / chars < 0.09, `space ratio ${spaces / chars}`);
  });

  test('extra pads each event to the average sizes 200 / 500 / 100 bytes (±20 % of the padding)', () => {
    const personSize = (p: Person): number =>
      8 + p.name.length + p.emailAddress.length + p.creditCard.length + p.city.length + p.state.length;
    const auctionSize = (a: Auction): number => 8 + a.itemName.length + a.description.length + 40;
    const check = <T>(xs: T[], size: (x: T) => number, extra: (x: T) => string, target: number): void => {
      const total = mean(xs.map((x) => size(x) + extra(x).length));
      assert.ok(Math.abs(total - target) < target * 0.02, `average ${total} for ${target}`);
      for (const x of xs) {
        const left = target - size(x);
        const delta = Math.round(left * 0.2);
        const len = extra(x).length;
        assert.ok(len >= left - delta && len <= left + delta, `extra ${len} for ${left} left`);
        assert.match(extra(x), /^[a-z]*$/);
      }
    };
    check(persons, personSize, (p) => p.extra, 200);
    check(auctions, auctionSize, (a) => a.extra, 500);
    check(
      bids,
      () => 32,
      (b: Bid) => b.extra,
      100,
    );
    assert.ok(new Set(bids.map((b) => b.extra)).size > 45_000, 'extras differ between events');
    const big = nexmarkConfig({ baseTime: BASE, avgBidByteSize: 1_000_000 });
    assert.ok(eventAt(4, big).bid!.extra.length >= 800_000);
  });
});

describe('channels and URLs (q21, q22)', () => {
  test('half the bids use one of 4 hot channels, each with one fixed URL without channel_id', () => {
    const hot = bids.filter((b) => HOT_CHANNELS.includes(b.channel));
    assert.ok(Math.abs(hot.length / bids.length - 0.5) < 0.02, `hot channel share ${hot.length / bids.length}`);
    HOT_CHANNELS.forEach((c, i) => {
      const urls = new Set(hot.filter((b) => b.channel === c).map((b) => b.url));
      assert.deepEqual([...urls], [hotChannelUrl(i)]);
      assert.match(
        hotChannelUrl(i),
        /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1$/,
      );
    });
  });

  test('non-hot bids: channel-<i> with its URL; ~90 % carry channel_id=<bit-reversed i>, which the q21 regex extracts', () => {
    const other = bids.filter((b) => !HOT_CHANNELS.includes(b.channel));
    let withId = 0;
    for (const b of other) {
      const i = Number(/^channel-(\d+)$/.exec(b.channel)?.[1]);
      assert.ok(i >= 0 && i < NUM_CHANNELS, b.channel);
      assert.equal(b.url, channelUrl(i));
      const m = Q21.exec(b.url);
      if (m) {
        withId++;
        assert.equal(m[2], String(reversedChannelId(i)));
      } else assert.ok(b.url.endsWith('item.htm?query=1'), b.url);
      // q22's SPLIT_INDEX(url, '/', 3..5) are the three directories
      assert.equal(b.url.split('/').length, 7);
    }
    const share = withId / other.length;
    assert.ok(share > 0.88 && share < 0.92, `channel_id share ${share}`);
    let table = 0;
    for (let i = 0; i < NUM_CHANNELS; i++) {
      assert.equal(channelName(i), `channel-${i}`);
      if (Q21.test(channelUrl(i))) table++;
    }
    assert.ok(table > 8900 && table < 9100, `channels with an id: ${table}`);
  });

  test("channel ids are Java's Math.abs(Integer.reverse(i)), as in the golden data", () => {
    assert.equal(reversedChannelId(7568), 163053568);
    assert.equal(reversedChannelId(9319), 433848320);
    assert.equal(reversedChannelId(6340), 588775424);
    assert.equal(reversedChannelId(0), 0);
    assert.equal(reversedChannelId(1), -2147483648);
    assert.equal(reversedChannelId(2), 1073741824);
  });
});

describe('JSON as Flink writes it (ddl_kafka.sql, format json)', () => {
  const ddl = readFileSync(new URL('../fixtures/nexmark/queries/ddl_kafka.sql', import.meta.url), 'utf8');
  const rowFields = (name: string): string[] => {
    const body = new RegExp(`${name} ROW<([^>]*)>`).exec(ddl)?.[1];
    assert.ok(body, `${name} ROW in ddl_kafka.sql`);
    return body.split(',').map((f) => f.trim().split(/\s+/)[0]!.replace(/`/g, ''));
  };

  test("keys are ddl_kafka.sql's physical columns and nested fields, in order; the others are null", () => {
    const shapes: Record<number, [string, string[]]> = {
      0: ['person', rowFields('person')],
      1: ['auction', rowFields('auction')],
      2: ['bid', rowFields('bid')],
    };
    assert.deepEqual(shapes[2]![1], ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
    for (const n of [0, 1, 2, 3, 4, 49, 50]) {
      const row = eventToRow(eventAt(n, cfg));
      const o = JSON.parse(encodeNexmarkJson(row)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(o), ['event_type', 'person', 'auction', 'bid']);
      const [inner, fields] = shapes[o.event_type as number]!;
      assert.deepEqual(Object.keys(o[inner] as object), fields);
      for (const other of ['person', 'auction', 'bid'].filter((k) => k !== inner)) assert.equal(o[other], null);
    }
  });

  test('BIGINT as numbers, TIMESTAMP(3) as SQL text; parses back to the same row', () => {
    const text = encodeNexmarkJson(eventToRow(eventAt(1, cfg)));
    const o = JSON.parse(text) as { auction: Record<string, unknown> };
    assert.equal(typeof o.auction.id, 'number');
    assert.equal(typeof o.auction.initialBid, 'number');
    assert.match(o.auction.dateTime as string, /^2015-07-15 00:00:00$/);
    assert.doesNotMatch(text, /\s"|":\s/);
    for (let n = 0; n < 3000; n++) {
      const e = eventAt(n, cfg);
      const row = eventToRow(e);
      const json = encodeNexmarkJson(row);
      assert.equal(eventToJson(e), json);
      assert.deepEqual(decodeNexmarkJson(json), row);
      assert.deepEqual(rowToEvent(row), e);
    }
  });

  test("timestamps use Flink's SQL format: trailing fraction zeros dropped, none on whole seconds", () => {
    assert.equal(formatSqlTimestamp(BASE), '2015-07-15 00:00:00');
    assert.equal(formatSqlTimestamp(BASE + 5), '2015-07-15 00:00:00.005');
    assert.equal(formatSqlTimestamp(BASE + 50), '2015-07-15 00:00:00.05');
    assert.equal(formatSqlTimestamp(BASE + 500), '2015-07-15 00:00:00.5');
    assert.equal(formatSqlTimestamp(BASE + 86_399_999), '2015-07-15 23:59:59.999');
    assert.equal(formatSqlTimestamp(-1), '1969-12-31 23:59:59.999');
    for (const t of [BASE, BASE + 1, BASE + 10, BASE + 123_456_789, -1, 0]) {
      assert.equal(parseSqlTimestamp(formatSqlTimestamp(t)), t);
    }
    assert.equal(parseSqlTimestamp('2015-07-15 00:00:00.005000'), BASE + 5);
    assert.equal(parseSqlTimestamp('2015-07-15T00:00:01.1'), BASE + 1100);
    assert.throws(() => parseSqlTimestamp('2015-07-15'), SyntaxError);
    assert.throws(() => decodeNexmarkJson('{"event_type":2,"bid":{"auction":"x"}}'), /auction/);
  });
});

describe('configuration', () => {
  test('Flink WITH options of ddl_gen.sql (placeholders filled) configure the generator', () => {
    const c = configFromOptions(
      {
        connector: 'nexmark',
        'first-event.rate': '10000000',
        'next-event.rate': '10000000',
        'events.num': '100000000',
        'person.proportion': '1',
        'auction.proportion': '3',
        'bid.proportion': '46',
        'bid.avg-size': '1kb',
        'rate.limited': 'true',
        'base-time': '2015-07-15 00:00:00',
      },
      0,
    );
    assert.equal(c.firstEventRate, 10_000_000);
    assert.equal(c.eventsNum, 100_000_000);
    assert.equal(c.avgBidByteSize, 1024);
    assert.equal(c.maxEmitSpeed, false);
    assert.equal(c.baseTime, BASE);
    assert.equal(c.interEventDelayUs, 0.1);
    assert.equal(configFromOptions({}, 42).baseTime, 42);
    assert.throws(() => configFromOptions({ 'events.num': '$' + '{EVENTS_NUM}' }), /placeholder/);
    assert.throws(() => configFromOptions({ 'event.num': '5' }), /unknown option 'event.num'/);
    assert.throws(() => configFromOptions({ 'events.num': 'many' }), /integer/);
    assert.throws(() => nexmarkConfig({ auctionProportion: 0 }), /auctionProportion/);
    assert.throws(() => nexmarkConfig({ firstEventRate: 0 }), /firstEventRate/);
  });

  test('wall-clock pacing: event n is due at start + n · delay; dueBatch emits only due events', () => {
    const paced = nexmarkConfig({ baseTime: BASE, firstEventRate: 1000, maxEmitSpeed: false, eventsNum: 100 });
    const start = 1_000_000;
    const pacer = new EmitPacer(paced, start);
    assert.equal(pacer.dueAt(0), start);
    assert.equal(pacer.dueAt(250), start + 250);
    assert.equal(pacer.lastDueEventId(start - 1), -1);
    assert.equal(pacer.lastDueEventId(start), 0);
    assert.equal(pacer.lastDueEventId(start + 9), 9);
    assert.equal(pacer.msUntil(20, start + 5), 15);
    const g = new NexmarkGenerator(paced);
    let r = dueBatch(g, pacer, 1000, start + 9);
    assert.equal(r.rows.length, 10);
    r = dueBatch(g, pacer, 1000, start + 9);
    assert.deepEqual(r, { rows: [], waitMs: 1 });
    r = dueBatch(g, pacer, 5, start + 50);
    assert.equal(r.rows.length, 5);
    assert.equal(g.nextEventId, 15);
    r = dueBatch(g, pacer, 1000, start + 10_000);
    assert.equal(r.rows.length, 85);
    assert.equal(g.done, true);
    // a fractional delay (3 events/s): due times are the truncated event times
    const odd = new EmitPacer(nexmarkConfig({ baseTime: BASE, firstEventRate: 3, maxEmitSpeed: false }), 0);
    assert.deepEqual(
      [0, 332, 333, 665, 666, 999, 1000].map((t) => odd.lastDueEventId(t)),
      [0, 0, 1, 1, 2, 2, 3],
    );
    assert.equal(new EmitPacer(cfg, 0).lastDueEventId(0), Number.POSITIVE_INFINITY);
  });
});
