/**
 * Nexmark through the engine. The golden data set of ../shared/nexmark/risingwave/golden/ is turned into
 * Flink's kafka JSON shape (event_type + person/auction/bid rows), produced to a topic of a real broker
 * and read with Flink's own DDL (ddl_kafka.sql, ddl_views.sql, bounded); q0, q1 and q2 write into kafka
 * sinks whose topics, read back, must equal the golden results. Also the `nexmark` generator source with
 * Flink's ddl_gen.sql running q0-q2 and a window query to the end.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { formatResultRows, SqlSession } from '../../src/sql/index.ts';
import { type Expr, parseStatement } from '../../src/sql/parser/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { noComments, ph, readNexmark } from './nexmark-files.ts';

const read = readNexmark;

function literal(e: Expr): unknown {
  if (e.kind === 'NumberLit') return Number(e.text);
  if (e.kind === 'StringLit') return e.value;
  if (e.kind === 'NullLit') return null;
  if (e.kind === 'Unary' && e.op === '-' && e.expr.kind === 'NumberLit') return -Number(e.expr.text);
  throw new Error(`unexpected literal ${e.kind}`);
}

/** The rows of a golden `INSERT INTO t (cols) VALUES ...` file as objects. */
function goldenRows(file: string): Array<Record<string, unknown>> {
  const sql = read(file).replace(/^statement ok\s*/m, '');
  const ins = parseStatement(sql);
  assert.equal(ins.kind, 'Insert');
  if (ins.kind !== 'Insert' || ins.query.body.kind !== 'Values') throw new Error('not an INSERT ... VALUES');
  const cols = ins.columns!.map((c) => c.value);
  return ins.query.body.rows.map((r) => Object.fromEntries(r.map((e, i) => [cols[i]!, literal(e)])));
}

/** Result lines of a golden `query ... ---- rows` file, columns split on whitespace runs. */
function goldenResult(file: string): string[][] {
  const text = read(file);
  return text
    .slice(text.indexOf('----') + 4)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/\t+|\s{2,}/));
}

/** `2015-07-15 00:00:01` and `2015-07-15 00:00:01.000` alike. */
const ts = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);

describe('Nexmark golden data through kafka', async () => {
  const tb = await startTestBroker(after);
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());
  const admin = client.admin();

  const persons = goldenRows('risingwave/golden/data/insert_person.slt.part');
  const auctions = goldenRows('risingwave/golden/data/insert_auction.slt.part');
  const bids = goldenRows('risingwave/golden/data/insert_bid.slt.part');
  const events = [
    ...persons.map((p) => ({
      t: ts(p.date_time as string),
      json: {
        event_type: 0,
        person: {
          id: p.id,
          name: p.name,
          emailAddress: p.email_address,
          creditCard: p.credit_card,
          city: p.city,
          state: p.state,
          dateTime: p.date_time,
          extra: p.extra,
        },
        auction: null,
        bid: null,
      },
    })),
    ...auctions.map((a) => ({
      t: ts(a.date_time as string),
      json: {
        event_type: 1,
        person: null,
        auction: {
          id: a.id,
          itemName: a.item_name,
          description: a.description,
          initialBid: a.initial_bid,
          reserve: a.reserve,
          dateTime: a.date_time,
          expires: a.expires,
          seller: a.seller,
          category: a.category,
          extra: a.extra,
        },
        bid: null,
      },
    })),
    ...bids.map((b) => ({
      t: ts(b.date_time as string),
      json: {
        event_type: 2,
        person: null,
        auction: null,
        bid: {
          auction: b.auction,
          bidder: b.bidder,
          price: b.price,
          channel: b.channel,
          url: b.url,
          dateTime: b.date_time,
          extra: b.extra,
        },
      },
    })),
  ].sort((x, y) => x.t - y.t);

  const topic = topicName('nexmark');
  await admin.createTopics([{ name: topic, numPartitions: 1 }]);
  const producer = client.producer();
  await producer.sendBatch(events.map((e) => ({ topic, value: JSON.stringify(e.json) })));
  await producer.flush();

  /** A session with Flink's kafka table and views over the golden topic; `now` fixes the processing-time clock. */
  async function nexmarkSession(now?: () => number): Promise<SqlSession> {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {}, now });
    after(() => s.close());
    await s.executeScript(
      noComments(read('flink/queries/ddl_kafka.sql'))
        .replace("'topic' = 'nexmark'", `'topic' = '${topic}'`)
        .replace(ph('BOOTSTRAP_SERVERS'), tb.bootstrap)
        .replace("'format' = 'json'", "'format' = 'json', 'scan.bounded.mode' = 'latest-offset'"),
    );
    await s.executeScript(noComments(read('flink/queries/ddl_views.sql')).replaceAll(ph('NEXMARK_TABLE'), 'kafka'));
    return s;
  }
  const session = await nexmarkSession();

  /** Every record of a topic: key and value text. */
  async function readTopic(topic: string): Promise<Array<{ key: string | null; value: string | null }>> {
    const [end] = await admin.listOffsets([{ topic, partition: 0, at: 'latest' }]);
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    const out: Array<{ key: string | null; value: string | null }> = [];
    const deadline = Date.now() + 15_000;
    while (BigInt(out.length) < end!.offset && Date.now() < deadline)
      for (const r of await consumer.poll(200))
        out.push({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
    await consumer.close();
    return out;
  }

  /**
   * Runs a Flink query file with its blackhole sink replaced by a kafka topic (or, with `upsertKey`, an
   * upsert-kafka topic keyed by those columns); returns the topic's rows (for upsert: the final table).
   */
  async function runToKafka(sql: string, upsertKey?: string[], on = session): Promise<Array<Record<string, unknown>>> {
    const out = topicName('nexmark-out');
    await admin.createTopics([{ name: out, numPartitions: 1 }]);
    const sink = upsertKey
      ? `, PRIMARY KEY (${upsertKey.join(', ')}) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${out}', 'key.format' = 'json', 'value.format' = 'json')`
      : `) WITH ('connector' = 'kafka', 'topic' = '${out}', 'format' = 'json')`;
    const results = await on.executeScript(
      noComments(sql).replace(/\)\s*WITH\s*\(\s*'connector'\s*=\s*'blackhole'\s*\)/, sink),
    );
    const last = results[results.length - 1]!;
    assert.equal(last.kind, 'job');
    if (last.kind === 'job') {
      await last.job.wait();
      assert.equal(last.job.status, 'FINISHED');
    }
    const records = await readTopic(out);
    if (!upsertKey) return records.map((r) => JSON.parse(r.value!));
    const table = new Map<string, Record<string, unknown>>();
    for (const r of records) {
      if (r.value === null) table.delete(r.key!);
      else table.set(r.key!, JSON.parse(r.value));
    }
    return [...table.values()];
  }

  const sorted = (rows: string[][]) => rows.map((r) => r.join('|')).sort();

  test('q0: pass-through of bids', async () => {
    const rows = await runToKafka(read('flink/queries/q0.sql').replaceAll('nexmark_q0', 'nexmark_q0_out'));
    const golden = goldenResult('risingwave/golden/results/q0.slt.part');
    assert.equal(rows.length, golden.length);
    assert.deepEqual(
      sorted(rows.map((r) => [String(r.auction), String(r.bidder), String(r.price), String(ts(r.dateTime as string))])),
      sorted(golden.map((g) => [g[0]!, g[1]!, g[2]!, String(ts(g[3]!))])),
    );
    // extra is carried through unchanged
    assert.deepEqual(rows.map((r) => r.extra).sort(), bids.map((b) => b.extra).sort());
  });

  test('q1: currency conversion with exact DECIMAL(23, 3)', async () => {
    const rows = await runToKafka(read('flink/queries/q1.sql'));
    const golden = goldenResult('risingwave/golden/results/q1.slt.part');
    assert.equal(rows.length, golden.length);
    assert.deepEqual(
      sorted(
        rows.map((r) => [
          String(r.auction),
          String(r.bidder),
          Number(r.price).toFixed(3),
          String(ts(r.dateTime as string)),
        ]),
      ),
      sorted(golden.map((g) => [g[0]!, g[1]!, Number(g[2]!).toFixed(3), String(ts(g[3]!))])),
    );
  });

  test("q2: selection (the golden predicate, and Flink's MOD form)", async () => {
    const golden = goldenResult('risingwave/golden/results/q2.slt.part');
    const view = noComments(read('risingwave/golden/views/q2.slt.part'))
      .replace(/^statement ok\s*/m, '')
      .replace(/CREATE MATERIALIZED VIEW nexmark_q2\s+AS/, '')
      .trim()
      .replace(/;$/, '');
    const rows = await runToKafka(
      `CREATE TABLE nexmark_q2_golden (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole'); INSERT INTO nexmark_q2_golden ${view}`,
    );
    assert.deepEqual(
      sorted(rows.map((r) => [String(r.auction), String(r.price)])),
      sorted(golden.map((g) => [g[0]!, g[1]!])),
    );
    const flink = await runToKafka(read('flink/queries/q2.sql'));
    const want = bids.filter((b) => (b.auction as number) % 123 === 0).map((b) => [String(b.auction), String(b.price)]);
    assert.deepEqual(sorted(flink.map((r) => [String(r.auction), String(r.price)])), sorted(want));
  });

  test('q5: hot items — HOP window counts joined with the per-window maximum (final table of the changelog)', async () => {
    const text = noComments(read('flink/queries/q5.sql'));
    const select = text
      .slice(text.indexOf('INSERT INTO nexmark_q5') + 'INSERT INTO nexmark_q5'.length)
      .trim()
      .replace(/;$/, '');
    const r = await session.execute(select);
    const counts = new Map<string, number>();
    for (const line of formatResultRows(r)) {
      const body = line.slice(3, -1).split(', ').join('|');
      counts.set(body, (counts.get(body) ?? 0) + (line.startsWith('+I') || line.startsWith('+U') ? 1 : -1));
    }
    const final: string[] = [];
    for (const [row, n] of counts) for (let i = 0; i < n; i++) final.push(row);
    const golden = goldenResult('risingwave/golden/results/q5.slt.part').map((g) => g.join(' ').split(/\s+/));
    assert.deepEqual(final.sort(), sorted(golden));
  });

  test('q11: user sessions (legacy GROUP BY SESSION window) against sessions computed from the data', async () => {
    const rows = await runToKafka(read('flink/queries/q11.sql'));
    const byBidder = new Map<number, number[]>();
    for (const b of bids)
      byBidder.set(b.bidder as number, [...(byBidder.get(b.bidder as number) ?? []), ts(b.date_time as string)]);
    const want: string[][] = [];
    for (const [bidder, times] of byBidder) {
      times.sort((a, b) => a - b);
      let start = times[0]!;
      let end = start + 10_000;
      let n = 0;
      for (const t of times) {
        if (t >= end) {
          want.push([String(bidder), String(n), String(start), String(end)]);
          start = t;
          n = 0;
        }
        n++;
        end = t + 10_000;
      }
      want.push([String(bidder), String(n), String(start), String(end)]);
    }
    assert.deepEqual(
      sorted(
        rows.map((r) => [
          String(r.bidder),
          String(r.bid_count),
          String(ts(r.starttime as string)),
          String(ts(r.endtime as string)),
        ]),
      ),
      sorted(want),
    );
  });

  test('q12: processing-time tumbling windows (PROCTIME() on a fixed clock)', async () => {
    const clock = Date.UTC(2024, 0, 1, 0, 0, 5);
    const s = await nexmarkSession(() => clock);
    const rows = await runToKafka(read('flink/queries/q12.sql'), undefined, s);
    const want = new Map<number, number>();
    for (const b of bids) want.set(b.bidder as number, (want.get(b.bidder as number) ?? 0) + 1);
    assert.deepEqual(
      sorted(rows.map((r) => [String(r.bidder), String(r.bid_count), String(r.starttime), String(r.endtime)])),
      sorted([...want].map(([bidder, n]) => [String(bidder), String(n), '2024-01-01 00:00:00', '2024-01-01 00:00:10'])),
    );
  });

  test('q14: a CASE over HOUR() and DECIMAL filters (count_char as a SQL expression instead of the Java UDF)', async () => {
    const sql = read('flink/queries/q14.sql')
      .replace(/CREATE FUNCTION count_char[^;]*;/, '')
      .replace("count_char(extra, 'c')", "CHAR_LENGTH(extra) - CHAR_LENGTH(REPLACE(extra, 'c', ''))");
    const rows = await runToKafka(sql);
    const golden = goldenResult('risingwave/golden/results/q14.slt.part').map((g) => g.join(' ').split(/\s+/));
    assert.equal(rows.length, golden.length);
    assert.deepEqual(
      sorted(
        rows.map((r) => [
          String(r.auction),
          String(r.bidder),
          Number(r.price).toFixed(3),
          String(r.bidTimeType),
          String(ts(r.dateTime as string)),
          String(r.c_counts),
        ]),
      ),
      sorted(golden.map((g) => [g[0]!, g[1]!, Number(g[2]!).toFixed(3), g[3]!, String(ts(`${g[4]} ${g[5]}`)), g[6]!])),
    );
  });

  test('q15: per-day counts with FILTER and COUNT(DISTINCT), as a final upsert table', async () => {
    const rows = await runToKafka(read('flink/queries/q15.sql'), ['`day`']);
    const golden = goldenResult('risingwave/golden/results/q15.slt.part').map((g) =>
      g.length === 1 ? g[0]!.split(/\s+/) : g,
    );
    const cols = [
      'day',
      'total_bids',
      'rank1_bids',
      'rank2_bids',
      'rank3_bids',
      'total_bidders',
      'rank1_bidders',
      'rank2_bidders',
      'rank3_bidders',
      'total_auctions',
      'rank1_auctions',
      'rank2_auctions',
      'rank3_auctions',
    ];
    assert.deepEqual(sorted(rows.map((r) => cols.map((c) => String(r[c])))), sorted(golden));
  });

  test('q16: per channel and day, as a final upsert table', async () => {
    const rows = await runToKafka(read('flink/queries/q16.sql'), ['channel', '`day`']);
    const golden = goldenResult('risingwave/golden/results/q16.slt.part').map((g) => g.join(' ').split(/\s+/));
    const cols = [
      'channel',
      'day',
      'total_bids',
      'rank1_bids',
      'rank2_bids',
      'rank3_bids',
      'total_bidders',
      'rank1_bidders',
      'rank2_bidders',
      'rank3_bidders',
      'total_auctions',
      'rank1_auctions',
      'rank2_auctions',
      'rank3_auctions',
    ];
    // `minute` is left out: RisingWave's to_char(.., 'HH:MI') is a 12-hour clock, Flink's 'HH:mm' is not
    assert.deepEqual(
      sorted(rows.map((r) => cols.map((c) => String(r[c])))),
      sorted(golden.map((g) => [g[0]!, g[1]!, ...g.slice(3)])),
    );
    for (const r of rows) assert.match(String(r.minute), /^00:00$/);
  });

  test('q17: per auction and day with MIN/MAX/AVG/SUM, as a final upsert table', async () => {
    const rows = await runToKafka(read('flink/queries/q17.sql'), ['auction', '`day`']);
    const golden = goldenResult('risingwave/golden/results/q17.slt.part');
    const cols = [
      'auction',
      'day',
      'total_bids',
      'rank1_bids',
      'rank2_bids',
      'rank3_bids',
      'min_price',
      'max_price',
      'avg_price',
      'sum_price',
    ];
    // Flink's AVG of a BIGINT is a BIGINT (truncated); RisingWave's golden value is a decimal
    assert.deepEqual(
      sorted(rows.map((r) => cols.map((c) => String(r[c])))),
      sorted(golden.map((g) => [...g.slice(0, 8), String(Math.trunc(Number(g[8]))), g[9]!])),
    );
  });

  test('q21: channel ids with REGEXP_EXTRACT', async () => {
    const rows = await runToKafka(read('flink/queries/q21.sql'));
    const golden = goldenResult('risingwave/golden/results/q21.slt.part');
    assert.deepEqual(
      sorted(rows.map((r) => ['auction', 'bidder', 'price', 'channel', 'channel_id'].map((c) => String(r[c])))),
      sorted(golden),
    );
  });

  test('q22: url directories with SPLIT_INDEX', async () => {
    const rows = await runToKafka(read('flink/queries/q22.sql'));
    const golden = goldenResult('risingwave/golden/results/q22.slt.part');
    assert.deepEqual(
      sorted(
        rows.map((r) => ['auction', 'bidder', 'price', 'channel', 'dir1', 'dir2', 'dir3'].map((c) => String(r[c]))),
      ),
      sorted(golden),
    );
  });
});

describe("the nexmark source with Flink's ddl_gen.sql", () => {
  test('q0, q1, q2 and a tumbling-window count run to the end of a bounded stream', async (t) => {
    const s = new SqlSession({ print: () => {} });
    t.after(() => s.close());
    await s.executeScript(
      noComments(read('flink/queries/ddl_gen.sql'))
        .replaceAll(`'${ph('TPS')}'`, "'1000000'")
        .replace(`'${ph('EVENTS_NUM')}'`, "'5000'")
        .replace(`'${ph('PERSON_PROPORTION')}'`, "'1'")
        .replace(`'${ph('AUCTION_PROPORTION')}'`, "'3'")
        .replace(`'${ph('BID_PROPORTION')}'`, "'46'")
        .replace("'bid.proportion' = '46'", "'bid.proportion' = '46', 'base-time' = '2015-07-15 00:00:00'"),
    );
    await s.executeScript(noComments(read('flink/queries/ddl_views.sql')).replaceAll(ph('NEXMARK_TABLE'), 'datagen'));
    for (const q of ['q0', 'q1', 'q2']) {
      const rs = await s.executeScript(noComments(read(`flink/queries/${q}.sql`)));
      const last = rs[rs.length - 1]!;
      assert.equal(last.kind, 'job');
      if (last.kind === 'job') {
        await last.job.wait();
        assert.equal(last.job.status, 'FINISHED');
        assert.equal(last.job.metrics.rowsIn, 5000);
      }
    }
    const counts = await s.execute('SELECT event_type, COUNT(*) FROM datagen GROUP BY event_type');
    const final = new Map<string, string>();
    for (const line of formatResultRows(counts)) {
      const [k, v] = line.slice(3, -1).split(', ');
      if (line.startsWith('+I') || line.startsWith('+U')) final.set(k!, v!);
    }
    assert.deepEqual(Object.fromEntries(final), { '0': '100', '1': '300', '2': '4600' });
    const windows = await s.execute(
      `SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND)) GROUP BY window_start, window_end`,
    );
    const total = formatResultRows(windows).reduce((n, l) => n + Number(l.slice(3, -1).split(', ')[1]), 0);
    assert.equal(total, 4600);
    if (windows.kind !== 'ok' && windows.job) assert.equal(windows.job.metrics.lateRecordsDropped, 0);
  });
});
