# Catalog statements: CREATE/DROP TABLE and VIEW, SHOW, DESCRIBE, SET/RESET, option validation.

statement ok
CREATE TABLE orders (
  id BIGINT,
  product STRING,
  price DECIMAL(10, 2),
  qty INT,
  ts TIMESTAMP(3),
  total AS price * qty,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'values')

query
DESCRIBE orders
----
+I[id, BIGINT, FALSE, PRI(id), NULL, NULL]
+I[product, STRING, TRUE, NULL, NULL, NULL]
+I[price, DECIMAL(10, 2), TRUE, NULL, NULL, NULL]
+I[qty, INT, TRUE, NULL, NULL, NULL]
+I[ts, TIMESTAMP(3) *ROWTIME*, TRUE, NULL, NULL, ts - INTERVAL '5' SECOND]
+I[total, DECIMAL(21, 2), TRUE, NULL, AS price * qty, NULL]

statement error Table (or view) default_database.orders already exists in Catalog default_catalog.
CREATE TABLE orders (a INT) WITH ('connector' = 'values')

statement ok
CREATE TABLE IF NOT EXISTS orders (a INT) WITH ('connector' = 'values')

statement ok
CREATE TABLE events (
  k STRING,
  v STRING,
  event_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  part INT METADATA FROM 'partition' VIRTUAL,
  `offset` BIGINT METADATA VIRTUAL,
  hdrs MAP<STRING, BYTES> METADATA FROM 'headers'
) WITH (
  'connector' = 'kafka',
  'topic' = 'events',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'scan.startup.mode' = 'earliest-offset'
)

query
DESCRIBE events
----
+I[k, STRING, TRUE, NULL, NULL, NULL]
+I[v, STRING, TRUE, NULL, NULL, NULL]
+I[event_time, TIMESTAMP_LTZ(3), TRUE, NULL, METADATA FROM 'timestamp', NULL]
+I[part, INT, TRUE, NULL, METADATA FROM 'partition' VIRTUAL, NULL]
+I[offset, BIGINT, TRUE, NULL, METADATA VIRTUAL, NULL]
+I[hdrs, MAP<STRING, BYTES>, TRUE, NULL, METADATA FROM 'headers', NULL]

statement ok
CREATE VIEW expensive AS SELECT id, product FROM orders WHERE price > 100

query
SHOW TABLES
----
+I[events]
+I[expensive]
+I[orders]

query
SHOW VIEWS
----
+I[expensive]

query
DESCRIBE expensive
----
+I[id, BIGINT, FALSE, NULL, NULL, NULL]
+I[product, STRING, TRUE, NULL, NULL, NULL]

query
SHOW FUNCTIONS LIKE 'REGEXP%'
----
+I[REGEXP]
+I[REGEXP_COUNT]
+I[REGEXP_EXTRACT]
+I[REGEXP_REPLACE]

statement ok
DROP VIEW expensive

statement error View with identifier 'default_catalog.default_database.expensive' does not exist.
DROP VIEW expensive

statement ok
DROP VIEW IF EXISTS expensive

statement ok
DROP TABLE events

statement error Table with identifier 'default_catalog.default_database.events' does not exist.
DROP TABLE events

statement ok
DROP TABLE IF EXISTS events

query
SHOW TABLES
----
+I[orders]

# connector options

statement error Unsupported options found for 'kafka'. Unsupported options: scan.startup.modee.
CREATE TABLE bad (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'scan.startup.modee' = 'earliest-offset')

statement error Unsupported options found for 'datagen'. Unsupported options: foo.
CREATE TABLE bad (a INT) WITH ('connector' = 'datagen', 'foo' = 'bar')

statement error One or more required options are missing. Missing required options are: key.format, topic
CREATE TABLE bad (a STRING, PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'value.format' = 'json')

statement error Could not find any factory for identifier 'nope'
CREATE TABLE bad (a INT) WITH ('connector' = 'nope')

statement error Table options do not contain an option key 'connector'
CREATE TABLE bad (a INT) WITH ('x' = 'y')

statement error 'upsert-kafka' tables require to define a PRIMARY KEY constraint.
CREATE TABLE bad (a STRING) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json')

statement error doesn't support defining PRIMARY KEY constraint on the table
CREATE TABLE bad (a STRING, PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')

statement error Could not parse value 'newest' for key 'scan.startup.mode'. Expected one of: [earliest-offset, latest-offset, group-offsets, timestamp, specific-offsets]
CREATE TABLE bad (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'scan.startup.mode' = 'newest')

statement error The 'raw' format only supports single physical column.
CREATE TABLE bad (a STRING, b STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'raw')

statement error Invalid metadata key 'nope' in column 'm'
CREATE TABLE bad (a STRING, m INT METADATA FROM 'nope') WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')

statement error A key format 'key.format' requires the declaration of one or more of key fields using 'key.fields'.
CREATE TABLE bad (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'key.format' = 'raw')

# schema errors

statement error SQL validation error at line 1, column 37: Invalid data type of time field for watermark definition.
CREATE TABLE bad (a INT, ts BIGINT, WATERMARK FOR ts AS ts) WITH ('connector' = 'values')

statement error The rowtime attribute field 'nope' is not defined in the table schema
CREATE TABLE bad (a INT, WATERMARK FOR nope AS nope) WITH ('connector' = 'values')

statement error Flink doesn't support ENFORCED mode for PRIMARY KEY constraint.
CREATE TABLE bad (a INT, PRIMARY KEY (a) ENFORCED) WITH ('connector' = 'values')

statement error SQL validation error at line 1, column 31: Column 'nope' not found in any table
CREATE TABLE bad (a INT, b AS nope + 1) WITH ('connector' = 'values')

statement error A column named 'a' already exists in the table
CREATE TABLE bad (a INT, a STRING) WITH ('connector' = 'values')

# SET / RESET

statement ok
SET 'table.local-time-zone' = 'Europe/Berlin'

statement ok
SET 'pipeline.name' = 'my job'

query
SET
----
+I[pipeline.name, my job]
+I[table.local-time-zone, Europe/Berlin]

statement ok
RESET 'pipeline.name'

query
SET
----
+I[table.local-time-zone, Europe/Berlin]

statement ok
RESET

query
SET
----

statement error Invalid time zone 'Mars/Olympus'
SET 'table.local-time-zone' = 'Mars/Olympus'

statement error Object 'nope' not found
SELECT * FROM nope

# SHOW CREATE TABLE, USE, catalogs

statement ok
CREATE TABLE shown (id BIGINT, v STRING, p AS PROCTIME(), PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'values')

query
SHOW CREATE TABLE shown
----
+I[CREATE TABLE `default_catalog`.`default_database`.shown (
  id BIGINT NOT NULL,
  v STRING,
  p AS PROCTIME(),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'values'
)
]

query
DESCRIBE shown
----
+I[id, BIGINT, FALSE, PRI(id), NULL, NULL]
+I[v, STRING, TRUE, NULL, NULL, NULL]
+I[p, TIMESTAMP_LTZ(3) *PROCTIME*, FALSE, NULL, AS PROCTIME(), NULL]

statement ok
USE CATALOG default_catalog

statement ok
USE default_database

statement error Database other does not exist
USE other

query
SHOW CATALOGS
----
+I[default_catalog]

query
SHOW CURRENT DATABASE
----
+I[default_database]

query
SELECT id FROM default_catalog.default_database.shown
----

statement error 'com.example.F' looks like a Java class name; Tributary runs TypeScript/JavaScript UDFs: give a module path
CREATE FUNCTION f AS 'com.example.F'
