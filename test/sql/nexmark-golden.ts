/**
 * The Nexmark golden data set (RisingWave's e2e_test/nexmark, copied into
 * test/fixtures/nexmark/golden/): loaders for its input rows, its view
 * definitions and its expected results, a comparison in sqllogictest's
 * terms, and a writer that puts the input into a Kafka topic as the JSON
 * Flink's insert_kafka.sql would write.
 *
 * How RisingWave's golden data maps onto the Flink DDL (ddl_kafka.sql):
 * - Three tables `person`, `auction`, `bid` become one stream of events in
 *   the `datagen` shape: `event_type` 0/1/2 plus nested `person` / `auction` /
 *   `bid` rows, the two others null.
 * - Column names are snake_case in RisingWave and camelCase in Flink:
 *   email_address → emailAddress, credit_card → creditCard, item_name →
 *   itemName, initial_bid → initialBid, date_time → dateTime (the others —
 *   id, name, city, state, extra, description, reserve, expires, seller,
 *   category, auction, bidder, price, channel, url — are the same).
 * - `TIMESTAMP` literals ('2015-07-15 00:00:00.005', no zone) become
 *   TIMESTAMP(3) epoch ms read as UTC, written in JSON as Flink's SQL format.
 * - Values are kept as RisingWave generated them: names, cities and states
 *   are lower-case ('vicky noris', 'boise', 'ca'), where Flink's generator
 *   capitalises ('Vicky Noris', 'Boise', 'CA'). The golden views filter on
 *   lower-case states (q3: 'or', 'id', 'ca'), so a Flink-dialect q3 over this
 *   data must use the lower-case literals to reproduce results/q3.
 * - Bidder ids are person ids (FIRST_PERSON_ID added once), unlike Flink's
 *   generator (see src/sql/connectors/nexmark/index.ts).
 * - Events are ordered by event time (ties: person, auction, bid, then file
 *   order), all in one partition, so entities precede most references and
 *   the 4 s watermark of the DDL drops nothing.
 *
 * Expected results are RisingWave's printing: whole-second timestamps without
 * a fraction ('2015-07-15 00:00:01'), others with 3 digits; decimals with
 * their scale; NULL as `NULL`. Rows are compared as sqllogictest does: a row
 * is its values joined by spaces with every run of whitespace collapsed
 * (values may contain spaces, so tokens are not columns), `rowsort` sorts
 * rows before comparing, `nosort` keeps the query's order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin, type Cluster, ErrorCode, Producer, type RecordMetadata } from '../../src/client/index.ts';
import {
  type Auction,
  type Bid,
  encodeNexmarkJson,
  eventToRow,
  type NexmarkEvent,
  type NexmarkRow,
  type Person,
  parseSqlTimestamp,
} from '../../src/sql/connectors/nexmark/index.ts';

/** test/fixtures/nexmark/golden */
export const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/nexmark/golden/', import.meta.url));

/** A SQL literal of an INSERT: number as written, string unquoted, or NULL. */
type Literal = { kind: 'number'; text: string } | { kind: 'string'; value: string } | { kind: 'null' };

/** The INSERT statements of one file: table, columns, and the tuples of literals. */
export function parseInserts(sql: string): Array<{ table: string; columns: string[]; tuples: Literal[][] }> {
  const out: Array<{ table: string; columns: string[]; tuples: Literal[][] }> = [];
  const head = /INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES/gi;
  for (let m = head.exec(sql); m; m = head.exec(sql)) {
    const columns = m[2]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const tuples: Literal[][] = [];
    let i = head.lastIndex;
    const skipWs = (): void => {
      while (i < sql.length && /[\s,]/.test(sql[i]!)) i++;
    };
    for (skipWs(); sql[i] === '('; skipWs()) {
      i++;
      const tuple: Literal[] = [];
      for (;;) {
        while (/\s/.test(sql[i]!)) i++;
        const c = sql[i];
        if (c === "'") {
          let value = '';
          for (i++; ; i++) {
            if (i >= sql.length) throw new SyntaxError(`unterminated string in INSERT INTO ${m[1]}`);
            if (sql[i] === "'") {
              if (sql[i + 1] === "'") {
                value += "'";
                i++;
              } else break;
            } else value += sql[i];
          }
          i++;
          tuple.push({ kind: 'string', value });
        } else if (/^NULL\b/i.test(sql.slice(i, i + 5))) {
          i += 4;
          tuple.push({ kind: 'null' });
        } else {
          const num = /^[+-]?\d+(?:\.\d+)?/.exec(sql.slice(i, i + 40));
          if (!num) throw new SyntaxError(`unexpected ${JSON.stringify(sql.slice(i, i + 20))} in INSERT INTO ${m[1]}`);
          i += num[0].length;
          tuple.push({ kind: 'number', text: num[0] });
        }
        while (/\s/.test(sql[i]!)) i++;
        if (sql[i] === ',') i++;
        else if (sql[i] === ')') {
          i++;
          break;
        } else
          throw new SyntaxError(`expected , or ) in INSERT INTO ${m[1]} at ${JSON.stringify(sql.slice(i, i + 20))}`);
      }
      if (tuple.length !== columns.length) {
        throw new SyntaxError(`INSERT INTO ${m[1]}: ${tuple.length} values for ${columns.length} columns`);
      }
      tuples.push(tuple);
    }
    out.push({ table: m[1]!, columns, tuples });
    head.lastIndex = i;
  }
  return out;
}

/** RisingWave column name → Flink (ddl_kafka.sql) field name. */
export const RW_TO_FLINK: Readonly<Record<string, string>> = {
  email_address: 'emailAddress',
  credit_card: 'creditCard',
  item_name: 'itemName',
  initial_bid: 'initialBid',
  date_time: 'dateTime',
};

const TIMESTAMP_FIELDS = new Set(['dateTime', 'expires']);

function toRecord(columns: string[], tuple: Literal[], table: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  columns.forEach((col, k) => {
    const name = RW_TO_FLINK[col] ?? col;
    const lit = tuple[k]!;
    if (lit.kind === 'null') o[name] = null;
    else if (TIMESTAMP_FIELDS.has(name)) {
      if (lit.kind !== 'string') throw new TypeError(`${table}.${col}: expected a timestamp literal`);
      o[name] = parseSqlTimestamp(lit.value);
    } else if (lit.kind === 'number') o[name] = Number(lit.text);
    else o[name] = lit.value;
  });
  return o;
}

/** The golden input: 20 persons, 40 auctions, 50 bids, with the Flink field names. */
export interface GoldenData {
  persons: Person[];
  auctions: Auction[];
  bids: Bid[];
  /** All of them as one event stream in event-time order (see the file header). */
  events: NexmarkEvent[];
  /** `events` as rows of the datagen / kafka table. */
  rows: NexmarkRow[];
}

/** Reads data/insert_{person,auction,bid}.slt.part. */
export function loadGoldenData(dir: string = GOLDEN_DIR): GoldenData {
  const read = (table: string): Array<Record<string, unknown>> => {
    const inserts = parseInserts(readFileSync(join(dir, 'data', `insert_${table}.slt.part`), 'utf8'));
    return inserts.filter((s) => s.table === table).flatMap((s) => s.tuples.map((t) => toRecord(s.columns, t, table)));
  };
  const persons = read('person') as unknown as Person[];
  const auctions = read('auction') as unknown as Auction[];
  const bids = read('bid') as unknown as Bid[];
  const events: NexmarkEvent[] = [
    ...persons.map((person): NexmarkEvent => ({ eventType: 0, person, dateTime: person.dateTime })),
    ...auctions.map((auction): NexmarkEvent => ({ eventType: 1, auction, dateTime: auction.dateTime })),
    ...bids.map((bid): NexmarkEvent => ({ eventType: 2, bid, dateTime: bid.dateTime })),
  ];
  // Array.prototype.sort is stable: ties keep type order, then file order
  events.sort((a, b) => a.dateTime - b.dateTime || a.eventType - b.eventType);
  return { persons, auctions, bids, events, rows: events.map(eventToRow) };
}

/** One `query` record of a results file. */
export interface GoldenQuery {
  /** File name without `.slt.part`: q0 … q22, q101 … q106, q6_group_top1. */
  name: string;
  /** sqllogictest column type letters as written (I integer, T text, R/F real); not checked by sqllogictest-rs. */
  types: string;
  sortMode: 'nosort' | 'rowsort' | 'valuesort';
  sql: string;
  /** Expected rows as whitespace-separated tokens, null for NULL. */
  rows: Array<Array<string | null>>;
}

/** Parses the `query` records of a sqllogictest file. */
export function parseSltQueries(text: string, name: string): GoldenQuery[] {
  const lines = text.split(/\r?\n/);
  const out: GoldenQuery[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^query\s+(\S+)(?:\s+(nosort|rowsort|valuesort))?/.exec(lines[i]!);
    if (!m) continue;
    const sql: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '----'; i++) sql.push(lines[i]!);
    if (i >= lines.length) throw new SyntaxError(`${name}: query without ----`);
    const rows: Array<Array<string | null>> = [];
    for (i++; i < lines.length && lines[i]!.trim() !== ''; i++) {
      rows.push(
        lines[i]!.trim()
          .split(/\s+/)
          .map((t) => (t === 'NULL' ? null : t)),
      );
    }
    out.push({
      name,
      types: m[1]!,
      sortMode: (m[2] as GoldenQuery['sortMode'] | undefined) ?? 'nosort',
      sql: sql.join('\n').trim(),
      rows,
    });
  }
  return out;
}

/** Every results/qN.slt.part, by name. */
export function loadGoldenResults(dir: string = GOLDEN_DIR): Map<string, GoldenQuery> {
  const out = new Map<string, GoldenQuery>();
  for (const file of readdirSync(join(dir, 'results')).sort()) {
    if (!/^q.*\.slt\.part$/.test(file)) continue;
    const name = file.replace(/\.slt\.part$/, '');
    const queries = parseSltQueries(readFileSync(join(dir, 'results', file), 'utf8'), name);
    if (queries.length !== 1) throw new SyntaxError(`${file}: expected one query, found ${queries.length}`);
    out.set(name, queries[0]!);
  }
  return out;
}

/** The `statement ok` SQL of every views/qN.slt.part (RisingWave dialect), by name. */
export function loadGoldenViews(dir: string = GOLDEN_DIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(join(dir, 'views')).sort()) {
    if (!file.endsWith('.slt.part')) continue;
    const lines = readFileSync(join(dir, 'views', file), 'utf8').split(/\r?\n/);
    const statements: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!/^statement\s+ok\b/.test(lines[i]!)) continue;
      const sql: string[] = [];
      for (i++; i < lines.length && lines[i]!.trim() !== ''; i++) sql.push(lines[i]!);
      statements.push(sql.join('\n').trim());
    }
    out.set(file.replace(/\.slt\.part$/, ''), statements);
  }
  return out;
}

/** A row as sqllogictest compares it: values joined by spaces, whitespace runs collapsed. */
export function normalizeRow(values: ReadonlyArray<string | null>): string {
  return values
    .map((v) => v ?? 'NULL')
    .join(' ')
    .trim()
    .split(/\s+/)
    .join(' ');
}

/** Compares formatted result rows with the expected ones under the query's sort mode. */
export function compareWithGolden(
  q: GoldenQuery,
  actual: ReadonlyArray<ReadonlyArray<string | null>>,
): { ok: boolean; missing: string[]; unexpected: string[] } {
  let want = q.rows.map(normalizeRow);
  let got = actual.map(normalizeRow);
  if (q.sortMode === 'valuesort') {
    want = want.flatMap((r) => r.split(' ')).sort();
    got = got.flatMap((r) => r.split(' ')).sort();
  } else if (q.sortMode === 'rowsort') {
    want = [...want].sort();
    got = [...got].sort();
  }
  if (want.length === got.length && want.every((w, i) => w === got[i]))
    return { ok: true, missing: [], unexpected: [] };
  const counts = new Map<string, number>();
  for (const w of want) counts.set(w, (counts.get(w) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const g of got) {
    const c = counts.get(g) ?? 0;
    if (c > 0) counts.set(g, c - 1);
    else unexpected.push(g);
  }
  const missing = [...counts].flatMap(([w, c]) => Array<string>(c).fill(w));
  // same multiset in another order only matters for nosort
  return { ok: false, missing, unexpected };
}

/**
 * Writes the golden events to `topic` as ddl_kafka.sql JSON, in event-time
 * order to partition 0, no key, record timestamp = the event's dateTime.
 * Creates the topic (1 partition) unless it exists. Resolves when every
 * record is acknowledged.
 */
export async function writeGoldenToKafka(
  cluster: Cluster,
  topic: string,
  data: GoldenData = loadGoldenData(),
): Promise<RecordMetadata[]> {
  const [created] = await new Admin(cluster).createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
  if (created?.error && created.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw created.error;
  const producer = new Producer(cluster, { lingerMs: 5 });
  try {
    return await producer.sendBatch(
      data.rows.map((row, i) => ({
        topic,
        partition: 0,
        value: encodeNexmarkJson(row),
        timestamp: data.events[i]!.dateTime,
      })),
    );
  } finally {
    await producer.close();
  }
}
