/**
 * The Nexmark golden data set (test/fixtures/nexmark/golden): every file
 * parses, the input has RisingWave's 20 / 40 / 50 rows with the Flink field
 * names, a few results are recomputed from the input to check loader and
 * comparison together, and the input round-trips through a real broker as
 * ddl_kafka.sql JSON.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Cluster, Consumer } from '../../src/client/index.ts';
import { decodeNexmarkJson, reversedChannelId } from '../../src/sql/connectors/nexmark/index.ts';
import { drain } from '../client/consumer-helpers.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import {
  compareWithGolden,
  GOLDEN_DIR,
  type GoldenQuery,
  loadGoldenData,
  loadGoldenResults,
  loadGoldenViews,
  normalizeRow,
  parseInserts,
  parseSltQueries,
  writeGoldenToKafka,
} from './nexmark-golden.ts';

const data = loadGoldenData();
const results = loadGoldenResults();
const BASE = Date.UTC(2015, 6, 15);

/** RisingWave's TIMESTAMP text: no fraction on whole seconds, else 3 digits. */
function rwTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  const s = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return ms % 1000 === 0 ? s : `${s}.${iso.slice(20, 23)}`;
}

describe('golden data', () => {
  test('the inserts hold 20 persons, 40 auctions and 50 bids with Flink field names', () => {
    assert.equal(data.persons.length, 20);
    assert.equal(data.auctions.length, 40);
    assert.equal(data.bids.length, 50);
    assert.equal(data.events.length, 110);
    assert.equal(data.rows.length, 110);
    assert.deepEqual(data.persons[0], {
      id: 1000,
      name: 'vicky noris',
      emailAddress: 'vzbhp@wxv.com',
      creditCard: '4355 0142 3460 9324',
      city: 'boise',
      state: 'ca',
      dateTime: BASE,
      extra:
        'cllnesmssnthtljklifqbqcyhcjwiuoaudxxwcnnwgmsmwgqelplzyckqzuoaitfpxubgpkjtqjhktelmbskvjkxrhziyowxibbgnqneuaiazqduhkynvgeisbxtknbxmqmzbgnptlrcyigjginataks',
    });
    assert.deepEqual(Object.keys(data.auctions[0]!), [
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
    ]);
    assert.equal(data.auctions[0]!.expires, BASE + 20_163);
    assert.deepEqual(data.bids[1], {
      auction: 1000,
      bidder: 1001,
      price: 499920,
      channel: 'Apple',
      url: 'https://www.nexmark.com/rxa/bnn/fl_/item.htm?query=1',
      dateTime: BASE + 1001,
      extra: 'gwqpevotazgnmxipaopgadzjhnmoxnyxdslcqchawppgliuqntlnjqztzdlaooms',
    });
    assert.deepEqual(
      data.persons.map((p) => p.id),
      Array.from({ length: 20 }, (_, i) => 1000 + i),
    );
    assert.deepEqual(
      data.auctions.map((a) => a.id),
      Array.from({ length: 40 }, (_, i) => 1000 + i),
    );
  });

  test('the event stream is in event-time order, persons before auctions before bids at equal times', () => {
    for (let i = 1; i < data.events.length; i++) {
      const a = data.events[i - 1]!;
      const b = data.events[i]!;
      assert.ok(a.dateTime < b.dateTime || (a.dateTime === b.dateTime && a.eventType <= b.eventType), `event ${i}`);
    }
    assert.deepEqual(
      [0, 1, 2].map((t) => data.rows.filter((r) => r[0] === t).length),
      [20, 40, 50],
    );
    const bidRow = data.rows.find((r) => r[0] === 2)!;
    assert.equal(bidRow[1], null);
    assert.equal(bidRow[2], null);
    assert.equal(typeof bidRow[3]![0], 'bigint');
  });

  test('INSERT parsing: quotes, NULL, numbers, mismatched arity', () => {
    const [s] = parseInserts(`INSERT INTO t (a, "b", c) VALUES\n(1, 'it''s', NULL),\n(-2.5, '', 'x');`);
    assert.deepEqual(s, {
      table: 't',
      columns: ['a', 'b', 'c'],
      tuples: [
        [{ kind: 'number', text: '1' }, { kind: 'string', value: "it's" }, { kind: 'null' }],
        [
          { kind: 'number', text: '-2.5' },
          { kind: 'string', value: '' },
          { kind: 'string', value: 'x' },
        ],
      ],
    });
    assert.throws(() => parseInserts(`INSERT INTO t (a, b) VALUES (1);`), /1 values for 2 columns/);
  });

  test('every results file parses to one query with rows; every view file to statements', () => {
    const files = readdirSync(join(GOLDEN_DIR, 'results')).filter((f) => /^q.*\.slt\.part$/.test(f));
    assert.equal(files.length, 26);
    assert.equal(results.size, 26);
    const counts: Record<string, number> = {
      q0: 50,
      q1: 50,
      q2: 1,
      q3: 7,
      q5: 17,
      q21: 48,
      q22: 50,
      q101: 40,
      q106: 1,
    };
    for (const [name, n] of Object.entries(counts)) assert.equal(results.get(name)?.rows.length, n, name);
    for (const q of results.values()) {
      assert.ok(q.rows.length > 0, q.name);
      assert.match(q.sql, /nexmark_q/i);
      assert.match(q.types, /^[ITRF]+$/);
    }
    assert.equal(results.get('q19')?.sortMode, 'nosort');
    assert.equal(results.get('q0')?.sortMode, 'rowsort');
    assert.deepEqual(results.get('q0')?.rows[0], ['1000', '1001', '10465998', '2015-07-15', '00:00:22.005']);
    assert.equal(results.get('q101')?.rows.filter((r) => r.includes(null)).length, 28);
    const views = loadGoldenViews();
    assert.deepEqual([...views.keys()].sort(), [...results.keys()].sort());
    for (const [name, stmts] of views) {
      assert.ok(stmts.length >= 1, name);
      assert.match(stmts.at(-1)!, new RegExp(`CREATE MATERIALIZED VIEW nexmark_${name}\\b`));
    }
    assert.equal(views.get('q14')?.length, 2);
  });

  test('sqllogictest parsing: sort modes, missing separator, blank line ends the rows', () => {
    const [q] = parseSltQueries('query IT valuesort\nselect 1\n----\n1 a\n2  b\n\nquery I\nselect 2\n----\n2\n', 'x');
    assert.equal(q?.sortMode, 'valuesort');
    assert.deepEqual(q?.rows, [
      ['1', 'a'],
      ['2', 'b'],
    ]);
    assert.equal(parseSltQueries('query I\nselect 2\n----\n2', 'y')[0]?.sortMode, 'nosort');
    assert.throws(() => parseSltQueries('query I\nselect 1\n', 'z'), /without ----/);
    assert.equal(normalizeRow(['k  y', null, ' 3 ']), 'k y NULL 3');
  });
});

describe('results recomputed from the input', () => {
  const check = (q: GoldenQuery, actual: Array<Array<string | null>>): void => {
    const r = compareWithGolden(q, actual);
    assert.ok(r.ok, `${q.name}: missing ${JSON.stringify(r.missing)}, unexpected ${JSON.stringify(r.unexpected)}`);
  };

  test("q0 (pass-through) and q2 (RisingWave's variant: a list of auction ids)", () => {
    const q0 = data.bids.map((b) => [String(b.auction), String(b.bidder), String(b.price), rwTimestamp(b.dateTime)]);
    check(results.get('q0')!, q0);
    check(results.get('q0')!, [...q0].reverse());
    const q2 = data.bids
      .filter((b) => [1007, 1020, 2001, 2019, 2087].includes(b.auction))
      .map((b) => [String(b.auction), String(b.price)]);
    check(results.get('q2')!, q2);
    const wrong = compareWithGolden(results.get('q0')!, q0.slice(1));
    assert.equal(wrong.ok, false);
    assert.equal(wrong.missing.length, 1);
    assert.deepEqual(wrong.unexpected, []);
  });

  test('q21 (channel_id from the URL with the q21 regex) and q22 (URL directories)', () => {
    const hot: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
    const q21 = data.bids.flatMap((b) => {
      const id = hot[b.channel.toLowerCase()] ?? /(&|^)channel_id=([^&]*)/.exec(b.url)?.[2];
      return id === undefined ? [] : [[String(b.auction), String(b.bidder), String(b.price), b.channel, id]];
    });
    check(results.get('q21')!, q21);
    // the golden channel ids are Java's Math.abs(Integer.reverse(i)), as the generator computes them
    for (const b of data.bids) {
      const m = /^channel-(\d+)$/.exec(b.channel);
      const id = /channel_id=([^&]*)/.exec(b.url)?.[1];
      if (m && id) assert.equal(id, String(reversedChannelId(Number(m[1]))));
    }
    const q22 = data.bids.map((b) => {
      const parts = b.url.split('/');
      return [String(b.auction), String(b.bidder), String(b.price), b.channel, parts[3]!, parts[4]!, parts[5]!];
    });
    check(results.get('q22')!, q22);
  });
});

describe('golden data through Kafka', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 5, initialBackoffMs: 50 } });
  after(() => cluster.close());

  test('writeGoldenToKafka writes ddl_kafka.sql JSON in event-time order; it reads back to the same rows', async (t) => {
    const topic = topicName('nexmark-golden');
    const reports = await writeGoldenToKafka(cluster, topic, data);
    assert.equal(reports.length, 110);
    assert.deepEqual(
      reports.map((r) => r.offset),
      Array.from({ length: 110 }, (_, i) => BigInt(i)),
    );
    const consumer = new Consumer(cluster, { autoOffsetReset: 'earliest' });
    t.after(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const records = await drain(consumer, 110);
    assert.equal(records.length, 110);
    const rows = records.map((r) => decodeNexmarkJson(r.value!.toString('utf8')));
    assert.deepEqual(rows, data.rows);
    assert.deepEqual(
      records.map((r) => Number(r.timestamp)),
      data.events.map((e) => e.dateTime),
    );
    assert.equal(records[0]!.key, null);
    const first = JSON.parse(records[0]!.value!.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['event_type', 'person', 'auction', 'bid']);
    assert.deepEqual(first.person, {
      id: 1000,
      name: 'vicky noris',
      emailAddress: 'vzbhp@wxv.com',
      creditCard: '4355 0142 3460 9324',
      city: 'boise',
      state: 'ca',
      dateTime: '2015-07-15 00:00:00',
      extra: data.persons[0]!.extra,
    });
    // writing again appends to the existing topic
    await writeGoldenToKafka(cluster, topic, data);
    assert.equal((await drain(consumer, 110)).length, 110);
  });
});
