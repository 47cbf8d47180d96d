# INSERT INTO print / blackhole, datagen, statement sets, CTAS, column lists and sink checks.
# The print sink shows cells as Flink's Row.toString does (null, true, 2024-01-01T10:00).

statement ok
CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'values', 'data' = '[[1, "a"], [2, "b"], [3, null]]')

statement ok
CREATE TABLE out_print (id INT, name STRING) WITH ('connector' = 'print')

insert
INSERT INTO out_print SELECT id, name FROM src
----
+I[1, a]
+I[2, b]
+I[3, null]

statement ok
CREATE TABLE agg_print (name STRING, cnt BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'agg')

insert
INSERT INTO agg_print SELECT 'all', COUNT(*) FROM src
----
agg> +I[all, 1]
agg> -U[all, 1]
agg> +U[all, 2]
agg> -U[all, 2]
agg> +U[all, 3]

# implicit widening INT -> BIGINT and a target column list (missing columns are NULL)
statement ok
CREATE TABLE wide (id BIGINT, name STRING, extra DOUBLE) WITH ('connector' = 'print')

insert
INSERT INTO wide (name, id) SELECT name, id FROM src WHERE id < 3
----
+I[1, a, null]
+I[2, b, null]

statement ok
CREATE TABLE typed_print (b BOOLEAN, d DOUBLE, dec DECIMAL(5, 2), dt DATE, t TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), iv INTERVAL DAY TO SECOND, arr ARRAY<INT>, m MAP<STRING, INT>, r ROW<x INT, y STRING>) WITH ('connector' = 'print')

insert
INSERT INTO typed_print SELECT TRUE, 1.0E10, 1.50, DATE '2024-02-29', TIME '10:00:01.500', TIMESTAMP '2024-01-01 10:00:00', TO_TIMESTAMP_LTZ(0, 3), INTERVAL '90' MINUTE, ARRAY[1, 2], MAP['a', 1], ROW(1, 'x')
----
+I[true, 1.0E10, 1.50, 2024-02-29, 10:00:01.500, 2024-01-01T10:00, 1970-01-01T00:00:00Z, PT1H30M, [1, 2], {a=1}, +I[1, x]]

statement ok
CREATE TABLE hole (id INT, name STRING) WITH ('connector' = 'blackhole')

insert
INSERT INTO hole SELECT * FROM src
----

# datagen: sequences bound the table
statement ok
CREATE TABLE gen (id BIGINT, label STRING, score INT) WITH (
  'connector' = 'datagen',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5',
  'fields.label.length' = '4',
  'fields.score.min' = '10', 'fields.score.max' = '20'
)

query
SELECT id, CHAR_LENGTH(label), score BETWEEN 10 AND 20 FROM gen
----
+I[1, 4, TRUE]
+I[2, 4, TRUE]
+I[3, 4, TRUE]
+I[4, 4, TRUE]
+I[5, 4, TRUE]

statement ok
CREATE TABLE gen_rows (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1000', 'rows-per-second' = '1000000')

query final
SELECT COUNT(*) FROM (SELECT * FROM gen_rows WHERE x IS NOT NULL) HAVING COUNT(*) = 1000
----
+I[1000]

# statement set: two INSERTs in one job
insert rowsort
EXECUTE STATEMENT SET BEGIN
INSERT INTO out_print SELECT id, name FROM src WHERE id = 1;
INSERT INTO agg_print SELECT name, CAST(id AS BIGINT) FROM src WHERE id = 2;
END
----
+I[1, a]
agg> +I[b, 2]

# CREATE TABLE AS SELECT
insert
CREATE TABLE copy WITH ('connector' = 'print', 'print-identifier' = 'copy') AS SELECT id * 10 AS id10, name FROM src WHERE id > 1
----
copy> +I[20, b]
copy> +I[30, null]

query
DESCRIBE copy
----
+I[id10, INT, TRUE, NULL, NULL, NULL]
+I[name, STRING, TRUE, NULL, NULL, NULL]

# an updating result into an append-only sink is rejected at planning
statement ok
CREATE TABLE k_out (name STRING, cnt BIGINT) WITH ('connector' = 'kafka', 'topic' = 'x', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json')

statement error Table sink 'default_catalog.default_database.k_out' doesn't support consuming update changes which is produced by node GroupAggregate(groupBy=[name], select=[name, COUNT(*) AS EXPR$1])
INSERT INTO k_out SELECT name, COUNT(*) FROM src GROUP BY name

statement ok
CREATE TABLE changes (item STRING, price INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,UB,UA,D', 'data' = '[]')

statement error Table sink 'default_catalog.default_database.k_out' doesn't support consuming update and delete changes which is produced by node TableSourceScan(table=[[default_catalog, default_database, changes]], fields=[item, price])
INSERT INTO k_out SELECT item, CAST(price AS BIGINT) FROM changes

statement error Column types of query result and sink for 'default_catalog.default_database.out_print' do not match. Cause: Different number of columns. Query schema: [id: INT] Sink schema: [id: INT, name: STRING]
INSERT INTO out_print SELECT id FROM src

statement error Incompatible types for sink column 'id' at position 0.
INSERT INTO out_print SELECT name, name FROM src

statement error Connector 'print' can only be used as a sink. It cannot be used as a source.
SELECT * FROM out_print

statement error Connector 'datagen' can only be used as a source. It cannot be used as a sink.
INSERT INTO gen SELECT 1, 'x', 2

# a failing row fails the job with the error
statement error Cannot cast 'a' to INT
INSERT INTO out_print SELECT CAST(name AS INT), name FROM src

statement error INSERT OVERWRITE expression is only supported in batch mode
INSERT OVERWRITE out_print SELECT id, name FROM src
