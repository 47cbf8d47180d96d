# Deduplication, Top-N and OVER aggregations (Flink's Deduplicate, Rank and OverAggregate).

statement ok
CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["a", 1, "2024-01-01 00:00:01"], ["b", 2, "2024-01-01 00:00:04"], ["a", 3, "2024-01-01 00:00:09"], ["a", 4, "2024-01-01 00:00:11"], ["a", 5, "2024-01-01 00:00:08"], ["b", 6, "2024-01-01 00:00:25"]]'
)

statement ok
CREATE TABLE clicks (user_name STRING, url STRING, pt AS PROCTIME()) WITH (
  'connector' = 'values',
  'data' = '[["alice", "/a"], ["bob", "/b"], ["alice", "/c"], ["alice", "/d"], ["bob", "/e"]]'
)

# --- deduplication -------------------------------------------------------------------------------

# keep first on processing time: append-only
query
SELECT user_name, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_name ORDER BY pt ASC) AS rn FROM clicks) WHERE rn = 1
----
+I[alice, /a]
+I[bob, /b]

# keep last on processing time: every row replaces the kept one
query
SELECT user_name, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_name ORDER BY pt DESC) AS rn FROM clicks) WHERE rn <= 1
----
+I[alice, /a]
+I[bob, /b]
-U[alice, /a]
+U[alice, /c]
-U[alice, /c]
+U[alice, /d]
-U[bob, /b]
+U[bob, /e]

# keep last on event time: a row with an earlier rowtime (a, 5 at :08) does not replace a later one
query
SELECT item, price, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY ts DESC) AS rn FROM bids) WHERE rn < 2
----
+I[a, 1, 2024-01-01 00:00:01.000]
+I[b, 2, 2024-01-01 00:00:04.000]
-U[a, 1, 2024-01-01 00:00:01.000]
+U[a, 3, 2024-01-01 00:00:09.000]
-U[a, 3, 2024-01-01 00:00:09.000]
+U[a, 4, 2024-01-01 00:00:11.000]
-U[b, 2, 2024-01-01 00:00:04.000]
+U[b, 6, 2024-01-01 00:00:25.000]

# keep first on event time: only an earlier rowtime would replace the first row
query
SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY ts) AS rn FROM bids) WHERE rn = 1
----
+I[a, 1]
+I[b, 2]

explain
EXPLAIN SELECT user_name, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_name ORDER BY pt) AS rn FROM clicks) WHERE rn = 1
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[user_name, url], changelogMode=[I])
   +- Deduplicate(keep=[FirstRow], key=[user_name], order=[PROCTIME], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, pt], changelogMode=[I])

explain
EXPLAIN SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY ts DESC) AS rn FROM bids) WHERE rn = 1
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[item, price], changelogMode=[I,UB,UA])
   +- Deduplicate(keep=[LastRow], key=[item], order=[ROWTIME], changelogMode=[I,UB,UA])
      +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '1' SECOND], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, bids]], fields=[item, price, ts], changelogMode=[I])

# --- Top-N ---------------------------------------------------------------------------------------

# with the rank number: rows moving down a rank are updated (-U/+U), a newly filled rank is inserted
query
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2
----
+I[a, 1, 2024-01-01 00:00:01.000, 1]
+I[b, 2, 2024-01-01 00:00:04.000, 1]
-U[a, 1, 2024-01-01 00:00:01.000, 1]
+U[a, 3, 2024-01-01 00:00:09.000, 1]
+I[a, 1, 2024-01-01 00:00:01.000, 2]
-U[a, 3, 2024-01-01 00:00:09.000, 1]
+U[a, 4, 2024-01-01 00:00:11.000, 1]
-U[a, 1, 2024-01-01 00:00:01.000, 2]
+U[a, 3, 2024-01-01 00:00:09.000, 2]
-U[a, 4, 2024-01-01 00:00:11.000, 1]
+U[a, 5, 2024-01-01 00:00:08.000, 1]
-U[a, 3, 2024-01-01 00:00:09.000, 2]
+U[a, 4, 2024-01-01 00:00:11.000, 2]
-U[b, 2, 2024-01-01 00:00:04.000, 1]
+U[b, 6, 2024-01-01 00:00:25.000, 1]
+I[b, 2, 2024-01-01 00:00:04.000, 2]

# without the rank number: a displaced row is deleted, then the new one inserted
query
SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2
----
+I[a, 1]
+I[b, 2]
+I[a, 3]
-D[a, 1]
+I[a, 4]
-D[a, 3]
+I[a, 5]
+I[b, 6]

query final
SELECT item, price, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 3 AND price > 1
----
+I[a, 3, 3]
+I[a, 4, 2]
+I[a, 5, 1]
+I[b, 2, 2]
+I[b, 6, 1]

# a rank range that does not start at 1, no partition, ORDER BY on two columns
query final
SELECT * FROM (SELECT item, price, ROW_NUMBER() OVER (ORDER BY item DESC, price) AS rn FROM bids) WHERE rn > 1 AND rn <= 3
----
+I[a, 1, 3]
+I[b, 6, 2]

query final
SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price) AS rn FROM bids) WHERE rn BETWEEN 1 AND 1
----
+I[a, 1]
+I[b, 2]

explain
EXPLAIN SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[item, price], changelogMode=[I,UB,UA,D])
   +- Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[item], orderBy=[price DESC], select=[item, price, ts], changelogMode=[I,UB,UA,D])
      +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '1' SECOND], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, bids]], fields=[item, price, ts], changelogMode=[I])

# WHERE inside the ranked query filters before ranking; a projection in between keeps the rank number;
# the enclosing WHERE keeps its other conditions above the Rank; the rank column through an alias
query
SELECT item, t.rn FROM (SELECT item, price, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids WHERE price <> 4) t WHERE t.rn <= 2 AND item = 'a'
----
+I[a, 1]
-U[a, 1]
+U[a, 1]
+I[a, 2]
-U[a, 1]
+U[a, 1]
-U[a, 2]
+U[a, 2]

explain
EXPLAIN SELECT item, t.rn FROM (SELECT item, price, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids WHERE price <> 4) t WHERE t.rn <= 2 AND item = 'a'
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[item, t.rn AS rn], where=[item = 'a'], changelogMode=[I,UB,UA,D])
   +- Calc(select=[item, price, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn], changelogMode=[I,UB,UA,D])
      +- Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[item], orderBy=[price DESC], select=[item, price, ts, w0$o0], changelogMode=[I,UB,UA,D])
         +- Calc(select=[item, price, ts], where=[price <> 4], changelogMode=[I])
            +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '1' SECOND], changelogMode=[I])
               +- TableSourceScan(table=[[default_catalog, default_database, bids]], fields=[item, price, ts], changelogMode=[I])

# the ROW_NUMBER() in a view, filtered by the query over it
statement ok
CREATE VIEW cheapest AS SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price) AS rn FROM bids

query
SELECT item, price FROM cheapest WHERE 1 >= rn
----
+I[a, 1]
+I[b, 2]

# Top-N over an updating input: a retracted row leaves the ranking and the next one moves up
statement ok
CREATE TABLE prices (item STRING, price INT) WITH (
  'connector' = 'values',
  'changelog-mode' = 'I,UB,UA,D',
  'data' = '[{"kind": "+I", "row": ["a", 5]}, {"kind": "+I", "row": ["b", 9]}, {"kind": "+I", "row": ["c", 1]}, {"kind": "-U", "row": ["b", 9]}, {"kind": "+U", "row": ["b", 2]}, {"kind": "-D", "row": ["a", 5]}]'
)

query
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price DESC) AS rn FROM prices) WHERE rn <= 2
----
+I[a, 5, 1]
-U[a, 5, 1]
+U[b, 9, 1]
+I[a, 5, 2]
-U[b, 9, 1]
+U[a, 5, 1]
-U[a, 5, 2]
+U[c, 1, 2]
-U[c, 1, 2]
+U[b, 2, 2]
-U[a, 5, 1]
+U[b, 2, 1]
-U[b, 2, 2]
+U[c, 1, 2]

query
SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price DESC) AS rn FROM prices) WHERE rn <= 2
----
+I[a, 5]
+I[b, 9]
-D[b, 9]
+I[c, 1]
-D[c, 1]
+I[b, 2]
-D[a, 5]
+I[c, 1]

# Top-N over an aggregation (updating input): the two users with most clicks
query final
SELECT user_name, cnt FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY cnt DESC) AS rn FROM (SELECT user_name, COUNT(*) AS cnt FROM clicks GROUP BY user_name)) WHERE rn <= 1
----
+I[alice, 3]

explain
EXPLAIN SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price DESC) AS rn FROM prices) WHERE rn <= 2
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Rank(strategy=[RetractStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[], orderBy=[price DESC], select=[item, price], changelogMode=[I,UB,UA,D])
   +- TableSourceScan(table=[[default_catalog, default_database, prices]], fields=[item, price], changelogMode=[I,UB,UA,D])

# --- OVER aggregations ---------------------------------------------------------------------------

# ROWS frame on event time: rows are emitted in rowtime order as the watermark passes; (a, 5, :08) is late
query
SELECT item, price, SUM(price) OVER (PARTITION BY item ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s, COUNT(*) OVER (PARTITION BY item ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS c FROM bids
----
+I[a, 1, 1, 1]
+I[b, 2, 2, 1]
+I[a, 3, 4, 2]
+I[a, 4, 7, 2]
+I[b, 6, 8, 2]

late 1

# RANGE frame with an interval, named WINDOW
query
SELECT item, price, SUM(price) OVER w AS s, MAX(price) OVER w AS m FROM bids WINDOW w AS (PARTITION BY item ORDER BY ts RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW)
----
+I[a, 1, 1, 1]
+I[b, 2, 2, 2]
+I[a, 3, 3, 3]
+I[a, 4, 7, 4]
+I[b, 6, 6, 6]

late 1

# UNBOUNDED PRECEDING (the default frame) without PARTITION BY
query
SELECT item, price, COUNT(*) OVER (ORDER BY ts) AS c, SUM(price) OVER (ORDER BY ts RANGE UNBOUNDED PRECEDING) AS s FROM bids
----
+I[a, 1, 1, 1]
+I[b, 2, 2, 3]
+I[a, 3, 3, 6]
+I[a, 4, 4, 10]
+I[b, 6, 5, 16]

# A row behind the watermark but after its key's last handled row (b, 4 at :05 once the watermark is
# :09): an UNBOUNDED PRECEDING frame drops it, as Flink's AbstractRowTimeUnboundedPrecedingOver does;
# a bounded frame keeps it (Flink's bounded OVER functions only drop rows up to lastTriggeringTs)
statement ok
CREATE TABLE late_b (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["a", 1, "2024-01-01 00:00:01"], ["b", 2, "2024-01-01 00:00:02"], ["a", 3, "2024-01-01 00:00:10"], ["b", 4, "2024-01-01 00:00:05"]]'
)

query rowsort
SELECT k, v, COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c FROM late_b
----
+I[a, 1, 1]
+I[a, 3, 2]
+I[b, 2, 1]

late 1

query rowsort
SELECT k, v, COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS c FROM late_b
----
+I[a, 1, 1]
+I[a, 3, 2]
+I[b, 2, 1]
+I[b, 4, 2]

# RANGE peers (same rowtime) share one result; ROWS counts them one by one
statement ok
CREATE TABLE ticks (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["x", 1, "2024-01-01 00:00:01"], ["x", 2, "2024-01-01 00:00:01"], ["x", 3, "2024-01-01 00:00:02"], ["x", 4, "2024-01-01 00:00:05"]]'
)

query
SELECT v, SUM(v) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) AS r FROM ticks
----
+I[1, 3]
+I[2, 3]
+I[3, 6]
+I[4, 4]

query
SELECT v, SUM(v) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING) AS r, AVG(v) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING) AS a FROM ticks
----
+I[1, 1, 1]
+I[2, 3, 1]
+I[3, 6, 2]
+I[4, 10, 2]

# WHERE applies before the OVER aggregation
query
SELECT item, price, COUNT(*) OVER (PARTITION BY item ORDER BY ts) AS c FROM bids WHERE price > 1
----
+I[b, 2, 1]
+I[a, 3, 1]
+I[a, 4, 2]
+I[b, 6, 2]

late 1

# processing time: rows are handled as they arrive
query
SELECT user_name, url, COUNT(*) OVER (PARTITION BY user_name ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM clicks
----
+I[alice, /a, 1]
+I[bob, /b, 1]
+I[alice, /c, 2]
+I[alice, /d, 3]
+I[bob, /e, 2]

explain
EXPLAIN SELECT item, SUM(price) OVER (PARTITION BY item ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM bids
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[item, SUM(price) OVER (PARTITION BY item ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s], changelogMode=[I])
   +- OverAggregate(partitionBy=[item], orderBy=[ts ASC], window=[ ROWS BETWEEN 2 PRECEDING AND CURRENT ROW], select=[item, price, ts, SUM(price) AS w0$o0], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '1' SECOND], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, bids]], fields=[item, price, ts], changelogMode=[I])

# --- sinks and errors ----------------------------------------------------------------------------

statement ok
CREATE TABLE out_append (item STRING, price INT) WITH ('connector' = 'kafka', 'topic' = 'x', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json')

statement ok
CREATE TABLE first_clicks (user_name STRING, url STRING) WITH ('connector' = 'kafka', 'topic' = 'y', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json')

# keep-first on processing time is append-only: it may go into an append-only sink
explain
EXPLAIN INSERT INTO first_clicks SELECT user_name, url FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_name ORDER BY pt) AS rn FROM clicks) WHERE rn = 1
----
== Optimized Physical Plan ==
Sink(table=[default_catalog.default_database.first_clicks], fields=[user_name, url], changelogMode=[NONE])
+- Calc(select=[user_name, url], changelogMode=[I])
   +- Deduplicate(keep=[FirstRow], key=[user_name], order=[PROCTIME], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, pt], changelogMode=[I])

statement error doesn't support consuming update and delete changes which is produced by node Rank(
INSERT INTO out_append SELECT item, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2

statement error OVER windows' ordering in stream mode must be defined on a time attribute.
SELECT item, SUM(price) OVER (PARTITION BY item ORDER BY price) FROM bids

statement error OVER windows' ordering in stream mode must be defined on a time attribute.
SELECT item, SUM(price) OVER (PARTITION BY item) FROM bids

statement error The window can only be ordered in ASCENDING mode.
SELECT item, SUM(price) OVER (PARTITION BY item ORDER BY ts DESC) FROM bids

statement error OVER ROW FOLLOWING windows are not supported yet.
SELECT SUM(price) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) FROM bids

statement error All aggregates must be computed on the same window.
SELECT SUM(price) OVER (ORDER BY ts), COUNT(*) OVER (PARTITION BY item ORDER BY ts) FROM bids

statement error OverAggregate doesn't support consuming update and delete changes
SELECT SUM(price) OVER (ORDER BY price) FROM prices

statement error Streaming tables do not support RANK rank function.
SELECT * FROM (SELECT *, RANK() OVER (PARTITION BY item ORDER BY price) AS r FROM bids) WHERE r <= 2

statement error Rank end is not specified
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price) AS rn FROM bids) WHERE rn > 1

statement error ROW_NUMBER() OVER without a filter on its result in the enclosing query (WHERE rn <= N) is not supported yet
SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price) AS rn FROM bids

statement error Over Agg: The window rank function without order by
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY item) AS rn FROM bids) WHERE rn = 1
