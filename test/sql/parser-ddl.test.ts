// DDL, catalog and utility statements, and data types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DataType,
  formatStatement,
  formatType,
  parseScript,
  parseStatement,
  parseStatements,
} from '../../src/sql/parser/index.ts';
import { as, assertScriptRoundTrip, roundTrip, stripPositions } from './parser-helpers.ts';

function columnType(sqlType: string): DataType {
  const t = as(roundTrip(`CREATE TABLE t (c ${sqlType})`), 'CreateTable');
  return as(t.columns[0], 'PhysicalColumn').type;
}

test('CREATE TABLE with physical, computed and metadata columns, watermark, primary key and options', () => {
  const t = as(
    roundTrip(`CREATE TABLE IF NOT EXISTS cat.db.orders (
      id BIGINT,
      price DECIMAL(10, 2),
      qty INT,
      cost AS price * qty COMMENT 'derived',
      ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
      \`partition\` INT METADATA VIRTUAL,
      \`offset\` BIGINT METADATA VIRTUAL,
      headers MAP<STRING, BYTES> METADATA,
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
      CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED
    ) COMMENT 'orders' PARTITIONED BY (qty) WITH ('connector' = 'kafka', 'topic' = 'orders', 'it''s' = 'quoted')`),
    'CreateTable',
  );
  assert.equal(t.ifNotExists, true);
  assert.deepEqual(
    t.name.map((n) => n.value),
    ['cat', 'db', 'orders'],
  );
  assert.deepEqual(
    t.columns.map((c) => c.kind),
    [
      'PhysicalColumn',
      'PhysicalColumn',
      'PhysicalColumn',
      'ComputedColumn',
      'MetadataColumn',
      'MetadataColumn',
      'MetadataColumn',
      'MetadataColumn',
    ],
  );
  const cost = as(t.columns[3], 'ComputedColumn');
  assert.equal(cost.comment, 'derived');
  assert.equal(as(cost.expr, 'Binary').op, '*');
  const ts = as(t.columns[4], 'MetadataColumn');
  assert.equal(ts.from, 'timestamp');
  assert.equal(ts.virtual, false);
  const partition = as(t.columns[5], 'MetadataColumn');
  assert.equal(partition.name.value, 'partition');
  assert.equal(partition.name.quoted, true);
  assert.equal(partition.from, undefined);
  assert.equal(partition.virtual, true);
  assert.equal(as(t.columns[7], 'MetadataColumn').type.kind, 'MapType');
  assert.equal(t.watermarks.length, 1);
  assert.equal(t.watermarks[0].column[0].value, 'ts');
  assert.equal(as(t.watermarks[0].expr, 'Binary').op, '-');
  assert.equal(t.primaryKey?.constraintName?.value, 'pk');
  assert.deepEqual(
    t.primaryKey?.columns.map((c) => c.value),
    ['id'],
  );
  assert.equal(t.primaryKey?.enforced, false);
  assert.equal(t.comment, 'orders');
  assert.deepEqual(
    t.partitionedBy?.map((c) => c.value),
    ['qty'],
  );
  assert.deepEqual(
    t.options.map((o) => [o.key, o.value]),
    [
      ['connector', 'kafka'],
      ['topic', 'orders'],
      ["it's", 'quoted'],
    ],
  );
});

test('inline PRIMARY KEY NOT ENFORCED, NOT NULL and column comments', () => {
  const t = as(
    roundTrip(`CREATE TEMPORARY TABLE t (id STRING NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'key', v INT)`),
    'CreateTable',
  );
  assert.equal(t.temporary, true);
  const id = as(t.columns[0], 'PhysicalColumn');
  assert.equal(id.type.nullable, false);
  assert.equal(id.primaryKey?.enforced, false);
  assert.equal(id.comment, 'key');
});

test('DISTRIBUTED BY ... INTO n BUCKETS and LIKE', () => {
  const t = as(
    roundTrip(`CREATE TABLE t (a INT) DISTRIBUTED BY HASH(a) INTO 6 BUCKETS WITH ('x' = 'y')`),
    'CreateTable',
  );
  assert.deepEqual(stripPositions(t.distribution), {
    kind: 'Distribution',
    algorithm: 'HASH',
    columns: [{ kind: 'Identifier', value: 'a', quoted: false }],
    buckets: 6,
  });
  const l = as(
    roundTrip("CREATE TABLE t2 WITH ('a' = 'b') LIKE t (EXCLUDING ALL INCLUDING GENERATED OVERWRITING OPTIONS)"),
    'CreateTable',
  );
  assert.deepEqual(
    l.like?.options.map((o) => `${o.mode} ${o.what}`),
    ['EXCLUDING ALL', 'INCLUDING GENERATED', 'OVERWRITING OPTIONS'],
  );
});

test('CREATE TABLE ... AS SELECT, with and without a column list', () => {
  const ctas = as(
    roundTrip(`CREATE TABLE t2 WITH ('connector' = 'kafka') AS SELECT id, COUNT(*) AS n FROM t GROUP BY id`),
    'CreateTable',
  );
  assert.equal(ctas.hasColumnList, false);
  assert.equal(ctas.asQuery?.kind, 'Query');
  const withPk = as(roundTrip(`CREATE TABLE t3 (PRIMARY KEY (id) NOT ENFORCED) AS SELECT id FROM t`), 'CreateTable');
  assert.equal(withPk.hasColumnList, true);
  assert.equal(withPk.columns.length, 0);
  assert.equal(withPk.primaryKey?.columns[0].value, 'id');
});

test('CREATE VIEW, DROP TABLE/VIEW/FUNCTION', () => {
  const v = as(
    roundTrip(`CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) COMMENT 'c' AS SELECT x, y FROM t`),
    'CreateView',
  );
  assert.equal(v.temporary, true);
  assert.deepEqual(
    v.columns?.map((c) => c.value),
    ['a', 'b'],
  );
  const drops = assertScriptRoundTrip(
    'DROP TABLE IF EXISTS a.t; DROP VIEW v; DROP TEMPORARY VIEW w; DROP TEMPORARY SYSTEM FUNCTION IF EXISTS f;',
  );
  assert.deepEqual(
    drops.map((d) => {
      const x = as(d, 'Drop');
      return [x.object, x.ifExists, x.scope ?? '', x.name.map((n) => n.value).join('.')];
    }),
    [
      ['TABLE', true, '', 'a.t'],
      ['VIEW', false, '', 'v'],
      ['VIEW', false, 'TEMPORARY', 'w'],
      ['FUNCTION', true, 'TEMPORARY SYSTEM', 'f'],
    ],
  );
});

test('CREATE FUNCTION ... AS class [LANGUAGE] [USING JAR]', () => {
  const f = as(roundTrip(`CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'`), 'CreateFunction');
  assert.equal(f.className, 'com.github.nexmark.flink.udf.CountChar');
  assert.equal(f.language, undefined);
  const g = as(
    roundTrip(`CREATE TEMPORARY FUNCTION IF NOT EXISTS db.g AS 'x.G' LANGUAGE PYTHON USING JAR '/a.jar', JAR '/b.jar'`),
    'CreateFunction',
  );
  assert.equal(g.scope, 'TEMPORARY');
  assert.equal(g.language, 'PYTHON');
  assert.deepEqual(g.jars, ['/a.jar', '/b.jar']);
});

test('SHOW, DESCRIBE, USE, SET, RESET', () => {
  const stmts = assertScriptRoundTrip(`
    SHOW TABLES; SHOW VIEWS; SHOW FUNCTIONS; SHOW USER FUNCTIONS; SHOW CATALOGS; SHOW DATABASES;
    SHOW TABLES FROM cat.db LIKE 'ord%'; SHOW COLUMNS IN t NOT LIKE 'x%'; SHOW CREATE TABLE t; SHOW CURRENT CATALOG;
    DESCRIBE t; DESC EXTENDED db.t;
    USE CATALOG c; USE db; USE MODULES core, hive;
    SET 'table.local-time-zone' = 'UTC'; SET; RESET 'table.local-time-zone'; RESET;`);
  const shows = stmts.filter((s) => s.kind === 'Show');
  assert.deepEqual(
    shows.map((s) => s.object),
    [
      'TABLES',
      'VIEWS',
      'FUNCTIONS',
      'USER FUNCTIONS',
      'CATALOGS',
      'DATABASES',
      'TABLES',
      'COLUMNS',
      'CREATE TABLE',
      'CURRENT CATALOG',
    ],
  );
  assert.deepEqual(shows[6].like, { not: false, ilike: false, pattern: 'ord%' });
  assert.equal(shows[6].preposition, 'FROM');
  assert.deepEqual(shows[7].like, { not: true, ilike: false, pattern: 'x%' });
  const desc = as(stmts[11], 'Describe');
  assert.equal(desc.extended, true);
  const set = as(stmts[15], 'Set');
  assert.equal(set.key, 'table.local-time-zone');
  assert.equal(set.value, 'UTC');
  assert.equal(as(stmts[16], 'Set').key, undefined);
  assert.equal(as(stmts[17], 'Reset').key, 'table.local-time-zone');
  assert.equal(as(stmts[18], 'Reset').key, undefined);
});

test('EXPLAIN of a query, an INSERT and a statement set', () => {
  const e = as(roundTrip('EXPLAIN SELECT * FROM t'), 'Explain');
  assert.equal(e.statement.kind, 'Query');
  const p = as(roundTrip('EXPLAIN PLAN FOR INSERT INTO t SELECT 1'), 'Explain');
  assert.equal(p.planFor, true);
  assert.equal(p.statement.kind, 'Insert');
  const d = as(roundTrip('EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1'), 'Explain');
  assert.deepEqual(d.details, ['CHANGELOG_MODE', 'ESTIMATED_COST']);
  const s = as(roundTrip('EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END'), 'Explain');
  assert.equal(s.statement.kind, 'StatementSet');
});

test('statement sets: EXECUTE STATEMENT SET BEGIN ... END and BEGIN STATEMENT SET; ... END;', () => {
  const [a, b, c] = assertScriptRoundTrip(`
    EXECUTE STATEMENT SET BEGIN
      INSERT INTO s1 SELECT * FROM t;
      INSERT INTO s2 SELECT * FROM t WHERE x > 1;
    END;
    BEGIN STATEMENT SET;
    INSERT INTO s1 SELECT 1;
    INSERT INTO s2 SELECT 2;
    END;
    SELECT 3;`);
  const x = as(a, 'StatementSet');
  assert.equal(x.syntax, 'execute');
  assert.deepEqual(
    x.inserts.map((i) => i.table[0].value),
    ['s1', 's2'],
  );
  const y = as(b, 'StatementSet');
  assert.equal(y.syntax, 'begin');
  assert.equal(y.inserts.length, 2);
  assert.equal(c.kind, 'Query');
});

test('INSERT INTO/OVERWRITE with partition, column list, hints and VALUES', () => {
  const i = as(
    roundTrip(`INSERT OVERWRITE t PARTITION (dt = '2024-01-01', hr = 1) (a, b) SELECT a, b FROM u`),
    'Insert',
  );
  assert.equal(i.overwrite, true);
  assert.equal(i.partition?.length, 2);
  assert.deepEqual(
    i.columns?.map((c) => c.value),
    ['a', 'b'],
  );
  const h = as(roundTrip(`INSERT INTO t /*+ OPTIONS('sink.parallelism' = '2') */ SELECT 1`), 'Insert');
  assert.equal(h.hints[0].name.value, 'OPTIONS');
  const v = as(roundTrip(`INSERT INTO t VALUES (1, 'a'), (2, 'b')`), 'Insert');
  assert.equal(as(v.query.body, 'Values').rows.length, 2);
  const p = as(roundTrip('INSERT INTO t (SELECT 1)'), 'Insert');
  assert.equal(p.columns, undefined);
});

test('catalog statements: CREATE CATALOG/DATABASE, ALTER TABLE', () => {
  const stmts = assertScriptRoundTrip(`
    CREATE CATALOG c WITH ('type' = 'generic_in_memory');
    CREATE DATABASE IF NOT EXISTS c.d COMMENT 'x' WITH ('k' = 'v');
    ALTER TABLE t SET ('scan.startup.mode' = 'latest-offset');
    ALTER TABLE IF EXISTS t RENAME TO u;
    ALTER TABLE t RESET ('a', 'b');
    ALTER TABLE t RENAME a TO b;
    ALTER TABLE t ADD c STRING COMMENT 'new' FIRST;
    ALTER TABLE t ADD (d INT AFTER c, e AS d * 2, ts TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, PRIMARY KEY (d) NOT ENFORCED);
    ALTER TABLE t MODIFY WATERMARK FOR ts AS ts;
    ALTER TABLE t DROP WATERMARK;
    ALTER TABLE t DROP PRIMARY KEY;
    ALTER TABLE t DROP CONSTRAINT pk;
    ALTER TABLE t DROP (a, b);
    ALTER TABLE t DROP a;`);
  assert.deepEqual(
    stmts.map((s) => (s.kind === 'AlterTable' ? s.action.kind : s.kind)),
    [
      'CreateCatalog',
      'CreateDatabase',
      'SetOptions',
      'RenameTable',
      'ResetOptions',
      'RenameColumn',
      'AlterSchema',
      'AlterSchema',
      'AlterSchema',
      'DropSchema',
      'DropSchema',
      'DropSchema',
      'DropSchema',
      'DropSchema',
    ],
  );
  const add = as(as(stmts[7], 'AlterTable').action, 'AlterSchema');
  assert.equal(add.parens, true);
  assert.deepEqual(
    add.columns.map((c) => c.kind),
    ['PhysicalColumn', 'ComputedColumn', 'MetadataColumn'],
  );
  assert.deepEqual(stripPositions(add.columns[0].position), {
    after: { kind: 'Identifier', value: 'c', quoted: false },
  });
  assert.equal(add.watermarks.length, 1);
  assert.equal(add.primaryKey?.columns[0].value, 'd');
  assert.deepEqual(as(as(stmts[6], 'AlterTable').action, 'AlterSchema').columns[0].position, { first: true });
  assert.equal(as(as(stmts[8], 'AlterTable').action, 'AlterSchema').op, 'MODIFY');
  assert.deepEqual(
    stmts.slice(9).map((s) => as(as(s, 'AlterTable').action, 'DropSchema').what),
    ['WATERMARK', 'PRIMARY KEY', 'CONSTRAINT', 'COLUMNS', 'COLUMNS'],
  );
});

test('other dialects are refused clearly (RisingWave CREATE SINK, double-quoted names)', () => {
  assert.throws(
    () => parseStatement("CREATE SINK s AS SELECT 1 WITH (connector = 'blackhole')"),
    /expected one of .*TABLE, VIEW.* but found 'SINK'/,
  );
  assert.throws(() => parseStatement('SELECT "a" FROM t'), /use backquotes/);
});

test('every data type form', () => {
  const cases: Array<[string, string]> = [
    ['BOOLEAN', 'BOOLEAN'],
    ['tinyint', 'TINYINT'],
    ['SMALLINT', 'SMALLINT'],
    ['int', 'INT'],
    ['INTEGER', 'INTEGER'],
    ['BIGINT', 'BIGINT'],
    ['FLOAT', 'FLOAT'],
    ['DOUBLE', 'DOUBLE'],
    ['DOUBLE PRECISION', 'DOUBLE PRECISION'],
    ['DECIMAL', 'DECIMAL'],
    ['DECIMAL(10)', 'DECIMAL(10)'],
    ['DECIMAL(23, 3)', 'DECIMAL(23, 3)'],
    ['NUMERIC(5,2)', 'NUMERIC(5, 2)'],
    ['CHAR(3)', 'CHAR(3)'],
    ['VARCHAR', 'VARCHAR'],
    ['VARCHAR(255)', 'VARCHAR(255)'],
    ['CHARACTER VARYING(4)', 'CHARACTER VARYING(4)'],
    ['STRING', 'STRING'],
    ['BYTES', 'BYTES'],
    ['BINARY(16)', 'BINARY(16)'],
    ['VARBINARY(100)', 'VARBINARY(100)'],
    ['DATE', 'DATE'],
    ['TIME', 'TIME'],
    ['TIME(3)', 'TIME(3)'],
    ['TIMESTAMP', 'TIMESTAMP'],
    ['TIMESTAMP(3)', 'TIMESTAMP(3)'],
    ['TIMESTAMP(6) WITHOUT TIME ZONE', 'TIMESTAMP(6) WITHOUT TIME ZONE'],
    ['TIMESTAMP(3) WITH TIME ZONE', 'TIMESTAMP(3) WITH TIME ZONE'],
    ['TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP(3) WITH LOCAL TIME ZONE'],
    ['TIMESTAMP_LTZ(3)', 'TIMESTAMP_LTZ(3)'],
    ['INTERVAL DAY', 'INTERVAL DAY'],
    ['INTERVAL DAY(2) TO SECOND(3)', 'INTERVAL DAY(2) TO SECOND(3)'],
    ['INTERVAL YEAR TO MONTH', 'INTERVAL YEAR TO MONTH'],
    ['ARRAY<INT>', 'ARRAY<INT>'],
    ['ARRAY<ARRAY<STRING NOT NULL>>', 'ARRAY<ARRAY<STRING NOT NULL>>'],
    ['INT ARRAY', 'INT ARRAY'],
    ['MULTISET<STRING>', 'MULTISET<STRING>'],
    ['MAP<STRING, ARRAY<INT>>', 'MAP<STRING, ARRAY<INT>>'],
    ["ROW<a INT, `b c` STRING COMMENT 'x'>", "ROW<a INT, `b c` STRING COMMENT 'x'>"],
    ['ROW(a INT, b ROW<c BIGINT>)', 'ROW(a INT, b ROW<c BIGINT>)'],
    ['BIGINT NOT NULL', 'BIGINT NOT NULL'],
    ['STRING NULL', 'STRING'],
  ];
  for (const [input, printed] of cases) {
    assert.equal(formatType(columnType(input)), printed, input);
  }
  const ts = as(columnType('TIMESTAMP(3) WITH LOCAL TIME ZONE'), 'PrimitiveType');
  assert.deepEqual([ts.name, ts.args, ts.timeZone], ['TIMESTAMP', [3], 'LOCAL']);
  const dec = as(columnType('DECIMAL(23, 3) NOT NULL'), 'PrimitiveType');
  assert.deepEqual([dec.name, dec.args, dec.nullable], ['DECIMAL', [23, 3], false]);
  const row = as(columnType('ROW<x INT, y MAP<STRING, BIGINT>>'), 'RowType');
  assert.deepEqual(
    row.fields.map((f) => [f.name.value, f.type.kind]),
    [
      ['x', 'PrimitiveType'],
      ['y', 'MapType'],
    ],
  );
});

test('a script may have comments, blank statements and no trailing semicolon', () => {
  const stmts = parseStatements(`-- leading comment
    ;; SELECT 1; /* block
    comment */ ;
    SELECT 2 -- trailing
  `);
  assert.equal(stmts.length, 2);
  assert.throws(() => parseStatement('SELECT 1; SELECT 2'), /expected end of input but found 'SELECT'/);
});

test('SQL client statements: ADD/REMOVE JAR, LOAD/UNLOAD MODULE, STOP JOB, SHOW JOBS', () => {
  const stmts = assertScriptRoundTrip(`
    ADD JAR '/tmp/udf.jar'; REMOVE JAR '/tmp/udf.jar';
    LOAD MODULE hive WITH ('hive-version' = '3.1.2'); UNLOAD MODULE hive;
    STOP JOB 'abc123' WITH SAVEPOINT WITH DRAIN; STOP JOB 'x'; SHOW JOBS; SHOW JARS; SHOW FULL MODULES;`);
  assert.deepEqual(
    stmts.map((s) => s.kind),
    ['Jar', 'Jar', 'Module', 'Module', 'StopJob', 'StopJob', 'Show', 'Show', 'Show'],
  );
  const stop = as(stmts[4], 'StopJob');
  assert.deepEqual([stop.jobId, stop.withSavepoint, stop.withDrain], ['abc123', true, true]);
  assert.equal(as(stmts[2], 'Module').options[0].key, 'hive-version');
});

test('EXPLAIN CREATE TABLE ... AS SELECT', () => {
  const e = as(roundTrip("EXPLAIN CREATE TABLE t WITH ('connector' = 'blackhole') AS SELECT 1 AS x"), 'Explain');
  assert.equal(as(e.statement, 'CreateTable').asQuery?.kind, 'Query');
  assert.throws(
    () => parseStatement('EXPLAIN CREATE TABLE t (a INT)'),
    /EXPLAIN supports CREATE TABLE \.\.\. AS SELECT only/,
  );
});

test('parseScript keeps each statement with its exact source text', () => {
  const sql =
    "-- setup\nSET 'a' = 'b';\n\nBEGIN STATEMENT SET;\nINSERT INTO x SELECT 1;\nEND;\nSELECT `q;` FROM t /* c; */ WHERE s = ';'";
  const script = parseScript(sql);
  assert.deepEqual(
    script.map((s) => s.text),
    [
      "SET 'a' = 'b'",
      'BEGIN STATEMENT SET;\nINSERT INTO x SELECT 1;\nEND',
      "SELECT `q;` FROM t /* c; */ WHERE s = ';'",
    ],
  );
  assert.deepEqual(
    script.map((s) => [s.start.line, s.start.col]),
    [
      [2, 1],
      [4, 1],
      [7, 1],
    ],
  );
  assert.equal(script[2].end, sql.length);
  assert.deepEqual(
    script.map((s) => s.statement.kind),
    ['Set', 'StatementSet', 'Query'],
  );
});

test('pretty layout of statement sets and CREATE TABLE', () => {
  const [set] = parseStatements(
    'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM x; INSERT INTO b SELECT 1; END',
  );
  assert.equal(
    formatStatement(set, { pretty: true }),
    [
      'EXECUTE STATEMENT SET BEGIN',
      '  INSERT INTO a',
      '  SELECT *',
      '  FROM x;',
      '  INSERT INTO b',
      '  SELECT 1;',
      'END',
    ].join('\n'),
  );
  const [table] = parseStatements(
    "CREATE TABLE t (id BIGINT, r ROW<a INT, b MAP<STRING, INT>>, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) PARTITIONED BY (id) WITH ('connector' = 'kafka', 'topic' = 't')",
  );
  assert.equal(
    formatStatement(table, { pretty: true }),
    [
      'CREATE TABLE t (',
      '  id BIGINT,',
      '  r ROW<a INT, b MAP<STRING, INT>>,',
      "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND",
      ')',
      'PARTITIONED BY (id)',
      'WITH (',
      "  'connector' = 'kafka',",
      "  'topic' = 't'",
      ')',
    ].join('\n'),
  );
});
