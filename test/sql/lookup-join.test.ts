/**
 * Lookup joins against a real PostgreSQL (started by the test) through the `jdbc` connector: INNER and LEFT
 * joins, post-filters, type conversions, the partial cache (new and legacy options, missing keys), option
 * errors, EXPLAIN, an unreachable database; the jdbc table as a bounded scan source and as a sink.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jdbcLookupQueries } from '../../src/sql/connectors/jdbc/index.ts';
import { formatResultRows, type Result, SqlSession } from '../../src/sql/index.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';

let pg: TestPostgres;

before(async () => {
  pg = await startPostgres();
  await pg.query(`CREATE TABLE customers (
    id BIGINT PRIMARY KEY, name VARCHAR(50), country TEXT, balance NUMERIC(12, 2), since TIMESTAMP(3),
    big BIGINT, active BOOLEAN, born DATE)`);
  await pg.query(`INSERT INTO customers VALUES
    (1, 'Alice', 'DE', 1234.50, '2024-01-02 03:04:05.678', 9007199254740993, true, '1990-05-01'),
    (2, 'Bob', 'FR', -0.01, NULL, NULL, false, NULL),
    (3, NULL, 'DE', 9999999999.99, '1999-12-31 23:59:59', -9223372036854775808, NULL, '2000-02-29')`);
});

after(async () => {
  await pg?.stop();
});

/** A session with the PostgreSQL table `customers` declared as `name` with extra WITH options. */
function customersDdl(name: string, extra = '', url = pg.url): string {
  return `CREATE TABLE ${name} (id BIGINT, name STRING, country STRING, balance DECIMAL(12, 2), since TIMESTAMP(3),
    big BIGINT, active BOOLEAN, born DATE, PRIMARY KEY (id) NOT ENFORCED) WITH (
    'connector' = 'jdbc', 'url' = '${url}', 'table-name' = 'customers',
    'username' = '${pg.user}', 'password' = 'unused'${extra})`;
}

const ORDERS = `CREATE TABLE orders (oid INT, customer_id INT, amount INT, proc_time AS PROCTIME()) WITH (
  'connector' = 'values',
  'data' = '[[100, 1, 10], [101, 2, 20], [102, 4, 30], [103, 1, 40], [104, null, 50], [105, 3, 60]]')`;

async function session(t: { after(fn: () => unknown): void }, ...ddl: string[]): Promise<SqlSession> {
  const s = new SqlSession({ print: () => {} });
  t.after(() => s.close());
  for (const d of ddl) await s.execute(d);
  return s;
}

async function rows(s: SqlSession, sql: string): Promise<string[]> {
  const r = await s.execute(sql);
  if (r.kind === 'job') await r.job.wait();
  return formatResultRows(r);
}

test('INNER lookup join: rows in input order, all column types converted', async (t) => {
  const s = await session(t, ORDERS, customersDdl('customers'));
  jdbcLookupQueries.delete('default_catalog.default_database.customers');
  assert.deepEqual(
    await rows(
      s,
      `SELECT o.oid, c.id, c.name, c.country, c.balance, c.since, c.big, c.active, c.born
       FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id`,
    ),
    [
      '+I[100, 1, Alice, DE, 1234.50, 2024-01-02 03:04:05.678, 9007199254740993, TRUE, 1990-05-01]',
      '+I[101, 2, Bob, FR, -0.01, NULL, NULL, FALSE, NULL]',
      '+I[103, 1, Alice, DE, 1234.50, 2024-01-02 03:04:05.678, 9007199254740993, TRUE, 1990-05-01]',
      '+I[105, 3, NULL, DE, 9999999999.99, 1999-12-31 23:59:59.000, -9223372036854775808, NULL, 2000-02-29]',
    ],
  );
  // the six rows arrive in one burst: their four keys are fetched by one query
  assert.equal(jdbcLookupQueries.get('default_catalog.default_database.customers'), 1);
  // the values are the engine's representations (BIGINT as bigint, DECIMAL exact, TIMESTAMP wall-clock ms)
  const r = (await s.execute(
    `SELECT c.big, c.balance * 2, c.since + INTERVAL '1' SECOND, CAST(c.id AS INT) + 1 FROM orders AS o
     JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id WHERE o.oid = 100`,
  )) as Extract<Result, { kind: 'rows' }>;
  assert.equal(r.rows[0]!.row[0], 9007199254740993n);
  assert.deepEqual(formatResultRows(r), ['+I[9007199254740993, 2469.00, 2024-01-02 03:04:06.678, 2]']);
});

test('LEFT lookup join pads missing keys and NULL keys; extra ON conditions filter the match', async (t) => {
  const s = await session(t, ORDERS, customersDdl('customers'));
  assert.deepEqual(
    await rows(
      s,
      'SELECT o.oid, c.name FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id',
    ),
    ['+I[100, Alice]', '+I[101, Bob]', '+I[102, NULL]', '+I[103, Alice]', '+I[104, NULL]', '+I[105, NULL]'],
  );
  assert.deepEqual(
    await rows(
      s,
      `SELECT o.oid, c.id, c.country FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c
       ON o.customer_id = c.id AND c.country = 'DE' AND o.amount > 15`,
    ),
    [
      '+I[100, NULL, NULL]',
      '+I[101, NULL, NULL]',
      '+I[102, NULL, NULL]',
      '+I[103, 1, DE]',
      '+I[104, NULL, NULL]',
      '+I[105, 3, DE]',
    ],
  );
  assert.deepEqual(
    await rows(
      s,
      `SELECT o.oid, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c
       ON c.id = o.customer_id AND c.balance < 0`,
    ),
    ['+I[101, Bob]'],
  );
  // a key of two columns, one an expression of the left row
  assert.deepEqual(
    await rows(
      s,
      `SELECT o.oid, c.name FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c
       ON c.id = o.customer_id AND c.country = CASE WHEN o.amount < 50 THEN 'DE' ELSE 'FR' END`,
    ),
    ['+I[100, Alice]', '+I[103, Alice]'],
  );
});

test('string keys and more types: TIMESTAMP_LTZ, TIME, DOUBLE, SMALLINT, BYTES, DECIMAL(38, 18), CHAR', async (t) => {
  await pg.query(`CREATE TABLE typed (code TEXT PRIMARY KEY, ts TIMESTAMPTZ, t TIME, f DOUBLE PRECISION, s SMALLINT,
    b BYTEA, d NUMERIC(38, 18), c CHAR(3))`);
  await pg.query(`INSERT INTO typed VALUES
    ('a''b', '2024-03-04 05:06:07.891+02', '13:14:15.5', 0.1, -32768, '\\x00ff10', 12345678901234567890.123456789012345678, 'xy'),
    ('null', NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
  t.after(() => pg.query('DROP TABLE typed'));
  const s = await session(
    t,
    `CREATE TABLE codes (code STRING, pt AS PROCTIME()) WITH ('connector' = 'values', 'data' = '[["a''b"], ["null"], ["zz"]]')`,
    `CREATE TABLE typed (code STRING, ts TIMESTAMP_LTZ(3), t TIME(3), f DOUBLE, s SMALLINT, b BYTES, d DECIMAL(38, 18),
      c CHAR(3), PRIMARY KEY (code) NOT ENFORCED) WITH ('connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'typed',
      'username' = '${pg.user}', 'password' = 'unused')`,
  );
  const r = (await s.execute(
    'SELECT k.code, y.code, y.ts, y.t, y.f, y.s, y.d, y.c, y.b FROM codes AS k LEFT JOIN typed FOR SYSTEM_TIME AS OF k.pt AS y ON y.code = k.code',
  )) as Extract<Result, { kind: 'rows' }>;
  assert.deepEqual(formatResultRows(r).slice(1), [
    '+I[null, null, NULL, NULL, NULL, NULL, NULL, NULL, NULL]',
    '+I[zz, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]',
  ]);
  assert.match(
    formatResultRows(r)[0]!,
    /^\+I\[a'b, a'b, 2024-03-04 03:06:07\.891, 13:14:15\.500, 0\.1, -32768, 12345678901234567890\.123456789012345678, xy , /,
  );
  const row = r.rows[0]!.row;
  assert.equal(row[2], Date.UTC(2024, 2, 4, 3, 6, 7, 891));
  assert.equal(row[3], (13 * 3600 + 14 * 60 + 15.5) * 1000);
  assert.equal(row[4], 0.1);
  assert.deepEqual(row[8], new Uint8Array([0, 255, 16]));
});

test('EXPLAIN shows a LookupJoin; the jdbc table reads once as a bounded scan', async (t) => {
  const s = await session(t, ORDERS, customersDdl('customers'));
  const plan = (
    await rows(
      s,
      `EXPLAIN SELECT o.oid, c.name FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c
     ON o.customer_id = c.id AND c.country = 'DE'`,
    )
  ).join('\n');
  assert.match(
    plan,
    /LookupJoin\(table=\[default_catalog\.default_database\.customers\], joinType=\[LeftOuterJoin\], lookup=\[id=customer_id\], joinCondition=\[c\.country = 'DE'\], select=\[oid, customer_id, amount, proc_time, id, name, country, balance, since, big, active, born\], changelogMode=\[I\]\)/,
  );
  assert.doesNotMatch(plan, /TemporalJoin|TableSourceScan\(table=\[\[default_catalog, default_database, customers/);
  assert.deepEqual((await rows(s, 'SELECT id, name, balance FROM customers')).sort(), [
    '+I[1, Alice, 1234.50]',
    '+I[2, Bob, -0.01]',
    '+I[3, NULL, 9999999999.99]',
  ]);
});

/**
 * Runs queries over a slow left stream (one row each 25 ms) together; once each has produced some rows,
 * runs `during` (a change in PostgreSQL); returns every query's rows.
 */
async function whileRunning(s: SqlSession, sqls: string[], during: () => Promise<void>): Promise<string[][]> {
  const first = s.jobs.length;
  const running = sqls.map((q) => rows(s, q));
  for (let i = 0; i < 400; i++) {
    const jobs = s.jobs.slice(first);
    if (jobs.length === sqls.length && jobs.every((j) => j.results.length >= 4)) break;
    await sleep(5);
  }
  await during();
  return Promise.all(running);
}

const SLOW = (key: number) => `CREATE TABLE slow (n BIGINT, k BIGINT, proc_time AS PROCTIME()) WITH (
  'connector' = 'datagen', 'rows-per-second' = '40', 'number-of-rows' = '40',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '40',
  'fields.k.min' = '${key}', 'fields.k.max' = '${key}')`;

test('the partial cache answers repeated keys until its entries expire; without a cache rows are current', async (t) => {
  const s = await session(
    t,
    SLOW(1),
    customersDdl(
      'cached',
      `, 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100', 'lookup.partial-cache.expire-after-write' = '10 min'`,
    ),
    customersDdl('legacy_ttl', `, 'lookup.cache.max-rows' = '100', 'lookup.cache.ttl' = '150 ms'`),
    customersDdl('uncached'),
  );
  const q = (table: string) =>
    `SELECT o.n, c.name FROM slow AS o JOIN ${table} FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.id`;
  for (const name of ['cached', 'legacy_ttl', 'uncached'])
    jdbcLookupQueries.delete(`default_catalog.default_database.${name}`);
  t.after(() => pg.query(`UPDATE customers SET name = 'Alice' WHERE id = 1`));
  const [cached, ttl, uncached] = await whileRunning(s, [q('cached'), q('legacy_ttl'), q('uncached')], async () => {
    await pg.query(`UPDATE customers SET name = 'Alicia' WHERE id = 1`);
  });
  const names = (lines: string[]) => lines.map((l) => /, (\w+)\]$/.exec(l)![1]);
  assert.equal(cached.length, 40);
  assert.ok(
    names(cached).every((n) => n === 'Alice'),
    'the cached key keeps the value read first',
  );
  for (const r of [ttl, uncached]) {
    assert.equal(r.length, 40);
    assert.equal(names(r)[0], 'Alice');
    assert.equal(names(r)[39], 'Alicia', 'a lookup after the update sees it');
  }
  const queries = (name: string) => jdbcLookupQueries.get(`default_catalog.default_database.${name}`) ?? 0;
  assert.equal(queries('cached'), 1);
  assert.ok(queries('uncached') >= 20, `uncached: ${queries('uncached')} queries`);
  assert.ok(queries('legacy_ttl') > 1 && queries('legacy_ttl') < queries('uncached'), `ttl: ${queries('legacy_ttl')}`);
});

test('missing keys are cached unless cache-missing-key is false', async (t) => {
  const opts = (missing: boolean) =>
    `, 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '10', 'lookup.partial-cache.cache-missing-key' = '${missing}'`;
  const s = await session(t, SLOW(99), customersDdl('miss_cached', opts(true)), customersDdl('miss_live', opts(false)));
  const q = (table: string) =>
    `SELECT o.n, c.name FROM slow AS o LEFT JOIN ${table} FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.id`;
  jdbcLookupQueries.delete('default_catalog.default_database.miss_cached');
  jdbcLookupQueries.delete('default_catalog.default_database.miss_live');
  t.after(() => pg.query('DELETE FROM customers WHERE id = 99'));
  const [cached, live] = await whileRunning(s, [q('miss_cached'), q('miss_live')], async () => {
    await pg.query(`INSERT INTO customers (id, name) VALUES (99, 'Zoe')`);
  });
  assert.equal(cached.length, 40);
  assert.ok(cached.every((l) => l.endsWith(', NULL]')));
  assert.equal(jdbcLookupQueries.get('default_catalog.default_database.miss_cached'), 1);
  assert.equal(live[0], '+I[1, NULL]');
  assert.equal(live[39], '+I[40, Zoe]');
  // once found, the key is cached
  const liveQueries = jdbcLookupQueries.get('default_catalog.default_database.miss_live')!;
  assert.ok(liveQueries >= 4 && liveQueries < 40, `miss_live: ${liveQueries} queries`);
});

test('concurrent misses are fetched in batches; output keeps input order; connections close with the job', async (t) => {
  const s = await session(
    t,
    `CREATE TABLE many (n BIGINT, k BIGINT, proc_time AS PROCTIME()) WITH ('connector' = 'datagen',
      'number-of-rows' = '3000', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '3000',
      'fields.k.min' = '1', 'fields.k.max' = '5')`,
    customersDdl('batched'),
  );
  jdbcLookupQueries.delete('default_catalog.default_database.batched');
  const out = await rows(
    s,
    'SELECT o.n, o.k, c.name FROM many AS o LEFT JOIN batched FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.id',
  );
  assert.equal(out.length, 3000);
  const names: Record<string, string> = { '1': 'Alice', '2': 'Bob' };
  out.forEach((l, i) => {
    const [n, k, name] = /^\+I\[(\d+), (\d), (\w+)\]$/.exec(l)!.slice(1);
    assert.equal(Number(n), i + 1);
    assert.equal(name, names[k!] ?? 'NULL');
  });
  const queries = jdbcLookupQueries.get('default_catalog.default_database.batched')!;
  // the source's bursts (it waits for the lookups between them) are fetched a query each
  assert.ok(queries < 300, `${queries} queries for 3000 rows`);
  // the job's pool is closed: no client connections left but the helper's own
  let open = -1;
  for (let i = 0; i < 50 && open !== 0; i++) {
    if (i) await sleep(50);
    const r = await pg.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    open = r[0]!.n as number;
  }
  assert.equal(open, 0);
});

test('watermarks wait behind pending lookups (event-time windows after a lookup join); updates keep their kind', async (t) => {
  const s = await session(
    t,
    `CREATE TABLE clicks (id INT, customer_id INT, ts TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR ts AS ts) WITH (
      'connector' = 'values', 'data' = '[[1, 1, "2024-01-01 00:00:01"], [2, 2, "2024-01-01 00:00:04"],
        [3, 3, "2024-01-01 00:00:12"], [4, 1, "2024-01-01 00:00:15"], [5, 1, "2024-01-01 00:00:21"],
        [6, 9, "2024-01-01 00:00:22"]]')`,
    customersDdl('customers'),
    `CREATE VIEW enriched AS SELECT k.id, k.ts, c.country FROM clicks AS k
       JOIN customers FOR SYSTEM_TIME AS OF k.pt AS c ON k.customer_id = c.id`,
  );
  assert.deepEqual(
    await rows(
      s,
      `SELECT window_start, country, COUNT(*) FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(ts), INTERVAL '10' SECOND))
       GROUP BY window_start, window_end, country`,
    ),
    [
      '+I[2024-01-01 00:00:00.000, DE, 1]',
      '+I[2024-01-01 00:00:00.000, FR, 1]',
      '+I[2024-01-01 00:00:10.000, DE, 2]',
      '+I[2024-01-01 00:00:20.000, DE, 1]',
    ],
  );
  await s.execute(`CREATE TABLE changes (id INT, customer_id INT, pt AS PROCTIME(), PRIMARY KEY (id) NOT ENFORCED) WITH (
    'connector' = 'values', 'changelog-mode' = 'I,UB,UA,D',
    'data' = '[[1, 1], {"kind": "-U", "row": [1, 1]}, {"kind": "+U", "row": [1, 2]}, {"kind": "-D", "row": [1, 2]}]')`);
  assert.deepEqual(
    await rows(
      s,
      'SELECT x.id, c.name FROM changes AS x LEFT JOIN customers FOR SYSTEM_TIME AS OF x.pt AS c ON x.customer_id = c.id',
    ),
    ['+I[1, Alice]', '-U[1, Alice]', '+U[1, Bob]', '-D[1, Bob]'],
  );
});

test('a lookup whose connection dies is retried; an unbounded lookup join stops cleanly', async (t) => {
  const s = await session(t, SLOW(2), customersDdl('flaky', `, 'lookup.max-retries' = '3'`));
  const q = 'SELECT o.n, c.name FROM slow AS o JOIN flaky FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.id';
  const [out] = await whileRunning(s, [q], async () => {
    // block the lookups behind a table lock, kill the connection a lookup waits on, then release the lock:
    // the failed lookup is retried on a new connection
    await pg.query('BEGIN');
    await pg.query('LOCK TABLE customers IN ACCESS EXCLUSIVE MODE');
    let killed = 0;
    for (let i = 0; i < 200 && killed === 0; i++) {
      await sleep(10);
      const r = await pg.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      killed = r.length;
    }
    await pg.query('COMMIT');
    assert.equal(killed, 1);
  });
  assert.equal(out!.length, 40);
  assert.ok(out!.every((l, i) => l === `+I[${i + 1}, Bob]`));

  await s.execute(`CREATE TABLE endless (k BIGINT, proc_time AS PROCTIME()) WITH ('connector' = 'datagen',
    'rows-per-second' = '200', 'fields.k.min' = '1', 'fields.k.max' = '2')`);
  const r = await s.execute(
    'SELECT o.k, c.name FROM endless AS o JOIN flaky FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.id',
  );
  assert.equal(r.kind, 'job');
  if (r.kind !== 'job') return;
  await sleep(200);
  await r.job.stop();
  assert.equal(r.job.status, 'CANCELED');
  const lines = formatResultRows(r);
  assert.ok(lines.length > 0);
  assert.ok(lines.every((l) => l === '+I[1, Alice]' || l === '+I[2, Bob]'));
});

test('option errors are reported like Flink', async (t) => {
  const s = await session(t, ORDERS);
  const select = (table: string) =>
    rows(
      s,
      `SELECT o.oid FROM orders AS o JOIN ${table} FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id`,
    );
  const ddl = async (name: string, withOptions: string) => {
    await s.execute(`CREATE TABLE ${name} (id BIGINT, name STRING) WITH (${withOptions})`);
    return select(name);
  };
  await assert.rejects(
    ddl('mysql', `'connector' = 'jdbc', 'url' = 'jdbc:mysql://localhost:3306/shop', 'table-name' = 'customers'`),
    /Could not find any jdbc dialect factory that can handle url 'jdbc:mysql:\/\/localhost:3306\/shop'.*jdbc:postgresql:\/\/host\[:port\]\/database/,
  );
  await assert.rejects(
    ddl('no_table', `'connector' = 'jdbc', 'url' = '${pg.url}'`),
    /One or more required options are missing. Missing required options are: table-name/,
  );
  await assert.rejects(
    ddl('extra_opt', `'connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'customers', 'lookup.cache.foo' = '1'`),
    /Unsupported options found for 'jdbc'. Unsupported options: lookup.cache.foo. Supported options: .*lookup.partial-cache.max-rows/,
  );
  await assert.rejects(
    ddl('half_auth', `'connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'customers', 'username' = 'x'`),
    /Either all or none of the following options should be provided: username, password/,
  );
  await assert.rejects(
    ddl('partial', `'connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'customers', 'lookup.cache' = 'PARTIAL'`),
    /Missing 'lookup.partial-cache.expire-after-access' or 'lookup.partial-cache.expire-after-write' or 'lookup.partial-cache.max-rows'/,
  );
  await assert.rejects(
    ddl(
      'retries',
      `'connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'customers', 'lookup.max-retries' = '-1'`,
    ),
    /The value of 'lookup.max-retries' option shouldn't be negative, but is -1./,
  );
  await s.execute(customersDdl('customers'));
  await assert.rejects(
    rows(s, `SELECT o.oid FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON c.name = 'Bob'`),
    /Temporal table join requires an equality condition on fields of table \[default_catalog.default_database.customers\]/,
  );
  await s.execute(`CREATE TABLE timed (oid INT, customer_id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
    'connector' = 'values', 'data' = '[[1, 1, "2024-01-01 00:00:00"]]')`);
  await assert.rejects(
    rows(s, 'SELECT t.oid FROM timed AS t JOIN customers FOR SYSTEM_TIME AS OF t.ts AS c ON t.customer_id = c.id'),
    /Event-time temporal join is not supported on table \[default_catalog.default_database.customers\]: a 'jdbc' table is a lookup table, not a versioned table/,
  );
});

test('an unreachable database fails the statement naming the table and the key', async (t) => {
  const s = await session(
    t,
    ORDERS,
    customersDdl('customers_down', `, 'lookup.max-retries' = '1'`, 'jdbc:postgresql://127.0.0.1:1/shop'),
  );
  const started = Date.now();
  await assert.rejects(
    rows(
      s,
      'SELECT o.oid, c.name FROM orders AS o JOIN customers_down FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id',
    ),
    /Lookup of key \(id=1\) \(and 3 more keys\) in table \[default_catalog.default_database.customers_down\] failed after 1 retry: .*ECONNREFUSED/,
  );
  assert.ok(Date.now() - started < 10_000);
  assert.equal(s.jobs.at(-1)!.status, 'FAILED');
});

test('a jdbc sink upserts by primary key and deletes on -D; without a key it appends', async (t) => {
  await pg.query('CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT, amount NUMERIC(10, 2), at TIMESTAMP)');
  await pg.query('CREATE TABLE events (id BIGINT, note TEXT)');
  t.after(() => pg.query('DROP TABLE accounts; DROP TABLE events'));
  const s = await session(
    t,
    `CREATE TABLE src (id BIGINT, owner STRING, amount DECIMAL(10, 2), at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)
     WITH ('connector' = 'values', 'changelog-mode' = 'I,UA,D', 'data' = '[
       [1, "ann", "10.50", "2024-05-06 07:08:09.123"], [2, "ben", "20", null], [3, "cy", "30", null],
       {"kind": "+U", "row": [1, "ann", "11.25", "2024-05-06 07:08:09.123"]}, {"kind": "-D", "row": [2, "ben", "20", null]}]')`,
    `CREATE TABLE accounts (id BIGINT, owner STRING, amount DECIMAL(10, 2), at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)
     WITH ('connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'accounts', 'sink.buffer-flush.max-rows' = '2',
       'username' = '${pg.user}', 'password' = 'unused')`,
    `CREATE TABLE events (id BIGINT, note STRING) WITH ('connector' = 'jdbc', 'url' = '${pg.url}', 'table-name' = 'events',
       'username' = '${pg.user}', 'password' = 'unused')`,
  );
  const ins = await s.execute('INSERT INTO accounts SELECT * FROM src');
  assert.equal(ins.kind, 'job');
  if (ins.kind === 'job') await ins.job.wait();
  assert.deepEqual(
    await pg.query(
      `SELECT id, owner, amount::text, to_char(at, 'YYYY-MM-DD HH24:MI:SS.MS') AS at FROM accounts ORDER BY id`,
    ),
    [
      { id: '1', owner: 'ann', amount: '11.25', at: '2024-05-06 07:08:09.123' },
      { id: '3', owner: 'cy', amount: '30.00', at: null },
    ],
  );
  const ins2 = await s.execute(`INSERT INTO events VALUES (1, 'a'), (1, 'b'), (CAST(NULL AS BIGINT), 'c')`);
  if (ins2.kind === 'job') await ins2.job.wait();
  assert.deepEqual(await pg.query('SELECT id, note FROM events ORDER BY note'), [
    { id: '1', note: 'a' },
    { id: '1', note: 'b' },
    { id: null, note: 'c' },
  ]);
});
