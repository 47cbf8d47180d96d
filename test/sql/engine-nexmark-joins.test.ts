/**
 * Nexmark's join queries through the engine against the golden data set (test/fixtures/nexmark/golden):
 * the golden events go to a topic of a real broker as ddl_kafka.sql JSON (writeGoldenToKafka) and are read
 * with Flink's own DDL (ddl_kafka.sql, ddl_views.sql, bounded). q3 and q20 are regular joins, q4 and q7
 * regular joins whose BETWEEN is on plain columns (as Flink plans them), q8 a window join, q13 a
 * processing-time temporal join against a side-input table (a values table here; Flink's is a CSV file).
 * Also an interval join over the golden stream and an event-time temporal join against an upsert-kafka
 * versioned table, both checked against results computed from the input.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Admin, Cluster, Producer } from '../../src/client/index.ts';
import { formatResultRows, SqlSession } from '../../src/sql/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { finalRows, noComments, ph, readNexmark, selectOf } from './nexmark-files.ts';
import { compareWithGolden, loadGoldenData, loadGoldenResults, writeGoldenToKafka } from './nexmark-golden.ts';

const read = readNexmark;
const golden = loadGoldenResults();

/** RisingWave's TIMESTAMP text: no fraction on whole seconds, else 3 digits. */
function rwTs(ms: number): string {
  const iso = new Date(ms).toISOString();
  const t = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return ms % 1000 === 0 ? t : `${t}.${iso.slice(20, 23)}`;
}

function check(q: string, rows: string[][]): void {
  const want = golden.get(q)!;
  const cmp = compareWithGolden(want, rows);
  assert.ok(cmp.ok, `${q}: missing ${JSON.stringify(cmp.missing)}, unexpected ${JSON.stringify(cmp.unexpected)}`);
}

describe('Nexmark join queries on the golden data', async () => {
  const tb = await startTestBroker(after);
  const cluster = new Cluster({ bootstrapServers: tb.bootstrap, retry: { retries: 5, initialBackoffMs: 50 } });
  after(() => cluster.close());
  const topic = topicName('nexmark-joins');
  const data0 = loadGoldenData();
  await writeGoldenToKafka(cluster, topic, data0);

  const session = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
  after(() => session.close());
  await session.executeScript(
    noComments(read('flink/queries/ddl_kafka.sql'))
      .replace("'topic' = 'nexmark'", `'topic' = '${topic}'`)
      .replace(ph('BOOTSTRAP_SERVERS'), tb.bootstrap)
      .replace("'format' = 'json'", "'format' = 'json', 'scan.bounded.mode' = 'latest-offset'"),
  );
  await session.executeScript(noComments(read('flink/queries/ddl_views.sql')).replaceAll(ph('NEXMARK_TABLE'), 'kafka'));

  test('q3: local item suggestion (regular join; the golden data has lower-case states)', async () => {
    const sql = selectOf('q3').replace("'OR'", "'or'").replace("'ID'", "'id'").replace("'CA'", "'ca'");
    check('q3', finalRows(await session.execute(sql)));
  });

  test('q4: average price per category (regular join + filter on plain columns, then two aggregations)', async () => {
    // Flink's AVG of a BIGINT is a BIGINT (truncated); RisingWave's golden value is a decimal
    const want = golden.get('q4')!;
    const rows = finalRows(await session.execute(selectOf('q4')));
    assert.deepEqual(
      rows.map((r) => r.join(' ')).sort(),
      want.rows.map((g) => `${g[0]} ${Math.trunc(Number(g[1]))}`).sort(),
    );
  });

  test('q7: highest bid per window (regular join on the window aggregate)', async () => {
    // Flink's q7 selects auction, price, bidder, dateTime, extra; the golden view has no extra
    const rows = finalRows(await session.execute(selectOf('q7')));
    check(
      'q7',
      rows.map((r) => r.slice(0, 4)),
    );
  });

  test('q8: new users who opened an auction in the same window (window join)', async () => {
    check('q8', finalRows(await session.execute(selectOf('q8'))));
  });

  test('q20: bids joined with their category-10 auctions (regular join)', async () => {
    check('q20', finalRows(await session.execute(selectOf('q20'))));
  });

  test('the plans: q3/q4/q7/q20 regular joins, q8 a window join', async () => {
    const plan = async (q: string) => {
      const r = await session.execute(`EXPLAIN ${selectOf(q)}`);
      return r.kind === 'rows' ? String(r.rows[0]!.row[0]) : '';
    };
    for (const q of ['q3', 'q4', 'q7', 'q20']) {
      const text = await plan(q);
      assert.match(text, /\bJoin\(joinType=\[InnerJoin\]/, q);
      assert.doesNotMatch(text, /IntervalJoin|WindowJoin|TemporalJoin/, q);
    }
    assert.match(
      await plan('q8'),
      /WindowJoin\(leftWindow=\[TUMBLE\(win_start=\[starttime\], win_end=\[endtime\], size=\[10000 ms\]\)\]/,
    );
  });

  test('an interval join over the golden stream: bids within 10 s of their auction opening', async () => {
    const sql =
      "SELECT B.auction, B.bidder, B.`dateTime` FROM bid B JOIN auction A ON B.auction = A.id AND B.`dateTime` BETWEEN A.`dateTime` AND A.`dateTime` + INTERVAL '10' SECOND";
    const plan = await session.execute(`EXPLAIN ${sql}`);
    assert.match(plan.kind === 'rows' ? String(plan.rows[0]!.row[0]) : '', /IntervalJoin\(joinType=\[InnerJoin\]/);
    const rows = finalRows(await session.execute(sql)).map((r) => r.join(' '));
    const opened = new Map(data0.auctions.map((a) => [a.id as number, a.dateTime as number]));
    const want = data0.bids
      .filter((b) => {
        const t = opened.get(b.auction as number);
        return t !== undefined && (b.dateTime as number) >= t && (b.dateTime as number) <= t + 10_000;
      })
      .map((b) => `${b.auction} ${b.bidder} ${rwTs(b.dateTime as number)}`);
    assert.ok(want.length > 0);
    assert.deepEqual(rows.sort(), want.sort());
  });

  test('an event-time temporal join against an upsert-kafka versioned table (updates and a tombstone)', async () => {
    const rates = topicName('rates');
    await new Admin(cluster).createTopics([{ name: rates, numPartitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(cluster, { lingerMs: 0 });
    const rec = (cur: string, rate: number | null, rt: string) => ({
      topic: rates,
      partition: 0,
      key: JSON.stringify({ cur }),
      value: rate === null ? null : JSON.stringify({ cur, rate, rt }),
    });
    await producer.sendBatch([
      rec('EUR', 10, '2024-01-01 00:00:00'),
      rec('USD', 5, '2024-01-01 00:00:00'),
      rec('EUR', 11, '2024-01-01 00:00:10'),
      rec('CHF', 7, '2024-01-01 00:00:12'),
      rec('USD', null, ''),
      rec('EUR', 12, '2024-01-01 00:00:30'),
    ]);
    await producer.close();
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    after(() => s.close());
    await s.executeScript(`
      CREATE TABLE rates (cur STRING, rate INT, rt TIMESTAMP(3), WATERMARK FOR rt AS rt, PRIMARY KEY (cur) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = '${rates}', 'properties.bootstrap.servers' = '${tb.bootstrap}',
        'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset');
      CREATE TABLE buys (bid INT, cur STRING, bt TIMESTAMP(3), WATERMARK FOR bt AS bt) WITH ('connector' = 'values',
        'data' = '[[1, "EUR", "2024-01-01 00:00:05"], [2, "EUR", "2024-01-01 00:00:11"], [3, "USD", "2024-01-01 00:00:08"], [4, "USD", "2024-01-01 00:00:20"], [5, "EUR", "2024-01-01 00:00:31"]]');
    `);
    const sql =
      'SELECT b.bid, b.cur, r.rate FROM buys b LEFT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur';
    const plan = await s.execute(`EXPLAIN ${sql}`);
    assert.match(plan.kind === 'rows' ? String(plan.rows[0]!.row[0]) : '', /TemporalJoin\(joinType=\[LeftOuterJoin\]/);
    // USD's tombstone takes effect at the watermark it arrived at (00:00:12): buy 3 still sees 5, buy 4 nothing
    const rows = formatResultRows(await s.execute(sql));
    assert.deepEqual([...rows].sort(), [
      '+I[1, EUR, 10]',
      '+I[2, EUR, 11]',
      '+I[3, USD, 5]',
      '+I[4, USD, NULL]',
      '+I[5, EUR, 12]',
    ]);
  });

  test('q13: bids joined with a bounded side-input table (processing-time temporal join)', async () => {
    const text = noComments(read('flink/queries/q13.sql'));
    // the side input is a values table (Flink's is a CSV file): a value for every even auction id
    const keys = Array.from({ length: 40 }, (_, i) => 1000 + i).filter((k) => k % 2 === 0);
    const data = JSON.stringify(keys.map((k) => [k, `side-${k}`]));
    const ddl = text
      .slice(text.indexOf('CREATE TABLE side_input'), text.indexOf(';', text.indexOf('CREATE TABLE side_input')))
      .replace(/WITH\s*\([\s\S]*$/, `WITH ('connector' = 'values', 'data' = '${data}')`);
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    after(() => s.close());
    await s.executeScript(
      noComments(read('flink/queries/ddl_kafka.sql'))
        .replace("'topic' = 'nexmark'", `'topic' = '${topic}'`)
        .replace(ph('BOOTSTRAP_SERVERS'), tb.bootstrap)
        .replace("'format' = 'json'", "'format' = 'json', 'scan.bounded.mode' = 'latest-offset'"),
    );
    await s.executeScript(noComments(read('flink/queries/ddl_views.sql')).replaceAll(ph('NEXMARK_TABLE'), 'kafka'));
    await s.execute(ddl);
    const plan = await s.execute(`EXPLAIN ${selectOf('q13')}`);
    assert.match(plan.kind === 'rows' ? String(plan.rows[0]!.row[0]) : '', /TemporalJoin\(joinType=\[InnerJoin\]/);
    const rows = finalRows(await s.execute(selectOf('q13')));
    const want = data0.bids
      .filter((b) => (b.auction as number) % 2 === 0)
      .map((b) =>
        [String(b.auction), String(b.bidder), String(b.price), rwTs(b.dateTime as number), `side-${b.auction}`].join(
          ' ',
        ),
      );
    assert.deepEqual(rows.map((r) => r.join(' ')).sort(), want.sort());
  });
});
