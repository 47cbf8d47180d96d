# Time-aware joins: interval joins (time-attribute bounds, state cleaned by the watermark), window joins
# (window_start/window_end equality, emitted when the window closes) and temporal joins (FOR SYSTEM_TIME
# AS OF: the version valid at the row's event time, or the latest one on processing time).
#
# Two values sources run one after the other: every left row arrives first, then the right rows, and the
# join's watermark (the minimum of both inputs) follows the right input. So the right rows below show
# what the watermark does: a row after `shipments` row 2 (00:00:25) sees everything before 00:00:25 gone.

statement ok
CREATE TABLE orders (oid INT, amount INT, ot TIMESTAMP(3), WATERMARK FOR ot AS ot) WITH ('connector' = 'values',
  'data' = '[[1, 10, "2024-01-01 00:00:01"], [2, 20, "2024-01-01 00:00:05"], [3, 30, "2024-01-01 00:00:20"], [4, 40, "2024-01-01 00:00:30"]]')

statement ok
CREATE TABLE shipments (sid INT, oid INT, st TIMESTAMP(3), WATERMARK FOR st AS st) WITH ('connector' = 'values',
  'data' = '[[1, 1, "2024-01-01 00:00:03"], [2, 2, "2024-01-01 00:00:25"], [3, 2, "2024-01-01 00:00:12"], [4, 3, "2024-01-01 00:00:26"], [5, 4, "2024-01-01 00:00:45"]]')

# interval join: shipment 3 (00:00:12) would match order 2 (00:00:05 + 10 s) but arrives after the
# watermark reached 00:00:25, when order 2 had already left the state: no output for it
query
SELECT o.oid, s.sid, s.st FROM orders o JOIN shipments s ON o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND
----
+I[1, 1, 2024-01-01 00:00:03.000]
+I[3, 4, 2024-01-01 00:00:26.000]

# the same with >= / < (a strict bound moves by 1 ms); LEFT: an order without shipment is emitted
# padded with NULLs when the watermark passes its interval (order 2 at 00:00:25, before shipment 4's
# match; order 4 at 00:00:45), not at the end of input
query
SELECT o.oid, s.sid FROM orders o LEFT JOIN shipments s ON o.oid = s.oid AND s.st >= o.ot AND s.st < o.ot + INTERVAL '10' SECOND
----
+I[1, 1]
+I[2, NULL]
+I[3, 4]
+I[4, NULL]

# FULL: unmatched shipments are padded as soon as they cannot match any more (2 when the watermark
# reaches it, the late 3 at once)
query
SELECT o.oid, s.sid FROM orders o FULL JOIN shipments s ON o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND
----
+I[1, 1]
+I[2, NULL]
+I[NULL, 2]
+I[NULL, 3]
+I[3, 4]
+I[4, NULL]
+I[NULL, 5]

# the bounds the other way round (the left time bounded by the right one); here the shipments arrive
# first and the orders drive the watermark, so shipment 3 finds order 2
query
SELECT s.sid, o.oid FROM shipments s JOIN orders o ON s.oid = o.oid AND o.ot BETWEEN s.st - INTERVAL '10' SECOND AND s.st
----
+I[1, 1]
+I[3, 2]
+I[4, 3]

# Flink's usual form: a comma join whose WHERE holds the key and the bounds (pushed into the join)
query
SELECT o.oid, s.sid FROM orders o, shipments s WHERE o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND AND o.amount > 5
----
+I[1, 1]
+I[3, 4]

explain
EXPLAIN SELECT o.oid, s.sid FROM orders o, shipments s WHERE o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND AND o.amount > 5
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[o.oid AS oid, s.sid AS sid], where=[o.amount > 5], changelogMode=[I])
   +- IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true, leftLowerBound=-10000, leftUpperBound=0, leftTimeIndex=2, rightTimeIndex=2], where=[o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND], select=[oid, amount, ot, sid, oid, st], changelogMode=[I])
      :- WatermarkAssigner(rowtime=[ot], watermark=[ot], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, orders]], fields=[oid, amount, ot], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[st], watermark=[st], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, shipments]], fields=[sid, oid, st], changelogMode=[I])

explain
EXPLAIN SELECT o.oid, s.sid FROM orders o LEFT JOIN shipments s ON o.oid = s.oid AND s.st >= o.ot AND s.st < o.ot + INTERVAL '10' SECOND
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[o.oid AS oid, s.sid AS sid], changelogMode=[I])
   +- IntervalJoin(joinType=[LeftOuterJoin], windowBounds=[isRowTime=true, leftLowerBound=-9999, leftUpperBound=0, leftTimeIndex=2, rightTimeIndex=2], where=[o.oid = s.oid AND s.st >= o.ot AND s.st < o.ot + INTERVAL '10' SECOND], select=[oid, amount, ot, sid, oid, st], changelogMode=[I])
      :- WatermarkAssigner(rowtime=[ot], watermark=[ot], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, orders]], fields=[oid, amount, ot], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[st], watermark=[st], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, shipments]], fields=[sid, oid, st], changelogMode=[I])

# an outer interval join is append-only: it can go to an append-only sink, a regular outer join cannot
statement ok
CREATE TABLE shipped_out (oid INT, sid INT) WITH ('connector' = 'kafka', 'topic' = 'x', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json')

explain
EXPLAIN INSERT INTO shipped_out SELECT o.oid, s.sid FROM orders o LEFT JOIN shipments s ON o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND
----
== Optimized Physical Plan ==
Sink(table=[default_catalog.default_database.shipped_out], fields=[oid, sid], changelogMode=[NONE])
+- Calc(select=[o.oid AS oid, s.sid AS sid], changelogMode=[I])
   +- IntervalJoin(joinType=[LeftOuterJoin], windowBounds=[isRowTime=true, leftLowerBound=-10000, leftUpperBound=0, leftTimeIndex=2, rightTimeIndex=2], where=[o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND], select=[oid, amount, ot, sid, oid, st], changelogMode=[I])
      :- WatermarkAssigner(rowtime=[ot], watermark=[ot], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, orders]], fields=[oid, amount, ot], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[st], watermark=[st], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, shipments]], fields=[sid, oid, st], changelogMode=[I])

statement error doesn't support consuming delete changes which is produced by node Join(joinType=[LeftOuterJoin], where=[o.oid = s.oid AND s.st >= o.ot]
INSERT INTO shipped_out SELECT o.oid, s.sid FROM orders o LEFT JOIN shipments s ON o.oid = s.oid AND s.st >= o.ot

# one bound only, or bounds on columns that are not time attributes: a regular join with a filter (as Flink)
explain
EXPLAIN SELECT o.oid, s.sid FROM orders o JOIN shipments s ON o.oid = s.oid AND s.st >= o.ot
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[o.oid AS oid, s.sid AS sid], changelogMode=[I])
   +- Join(joinType=[InnerJoin], where=[o.oid = s.oid AND s.st >= o.ot], select=[oid, amount, ot, sid, oid, st], changelogMode=[I])
      :- WatermarkAssigner(rowtime=[ot], watermark=[ot], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, orders]], fields=[oid, amount, ot], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[st], watermark=[st], changelogMode=[I])
         +- TableSourceScan(table=[[default_catalog, default_database, shipments]], fields=[sid, oid, st], changelogMode=[I])

query rowsort
SELECT o.oid, s.sid FROM orders o JOIN shipments s ON o.oid = s.oid AND s.st >= o.ot
----
+I[1, 1]
+I[2, 2]
+I[2, 3]
+I[3, 4]
+I[4, 5]

# the output keeps the time attributes and holds the watermark back by the interval: a window
# aggregation over it loses nothing
statement ok
CREATE VIEW shipped AS SELECT o.oid, o.amount, o.ot FROM orders o JOIN shipments s ON o.oid = s.oid AND s.st BETWEEN o.ot AND o.ot + INTERVAL '10' SECOND

query
SELECT window_start, COUNT(*), SUM(amount) FROM TABLE(TUMBLE(TABLE shipped, DESCRIPTOR(ot), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
----
+I[2024-01-01 00:00:00.000, 1, 10]
+I[2024-01-01 00:00:20.000, 1, 30]

late 0

statement error Interval joins on processing time (PROCTIME()) are not supported yet
SELECT * FROM (SELECT *, PROCTIME() AS p FROM orders) o JOIN (SELECT *, PROCTIME() AS p FROM shipments) s ON o.oid = s.oid AND s.p BETWEEN o.p AND o.p + INTERVAL '1' SECOND

# window join of two window TVFs: shipment 3 (window 00:00:10) is late (the watermark is at 00:00:25)
query
SELECT L.oid, L.window_start, R.sid FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) L JOIN TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND)) R ON L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end
----
+I[1, 2024-01-01 00:00:00.000, 1]
+I[3, 2024-01-01 00:00:20.000, 4]

late 1

# FULL: each window's unmatched rows, padded, when the window closes
query
SELECT L.oid, L.window_start, R.sid, R.window_start FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) L FULL JOIN TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND)) R ON L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end
----
+I[1, 2024-01-01 00:00:00.000, 1, 2024-01-01 00:00:00.000]
+I[2, 2024-01-01 00:00:00.000, NULL, NULL]
+I[3, 2024-01-01 00:00:20.000, 4, 2024-01-01 00:00:20.000]
+I[NULL, NULL, 2, 2024-01-01 00:00:20.000]
+I[4, 2024-01-01 00:00:30.000, NULL, NULL]
+I[NULL, NULL, 5, 2024-01-01 00:00:40.000]

explain
EXPLAIN SELECT L.oid, R.sid FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) L LEFT JOIN TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND)) R ON L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[L.oid AS oid, R.sid AS sid], changelogMode=[I])
   +- WindowJoin(leftWindow=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[10000 ms])], rightWindow=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[10000 ms])], joinType=[LeftOuterJoin], where=[L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end], select=[oid, amount, ot, window_start, window_end, window_time, sid, oid, st, window_start, window_end, window_time], changelogMode=[I])
      :- WindowTableFunction(window=[TUMBLE(time_col=[ot], size=[10000 ms])], changelogMode=[I])
      :  +- WatermarkAssigner(rowtime=[ot], watermark=[ot], changelogMode=[I])
      :     +- TableSourceScan(table=[[default_catalog, default_database, orders]], fields=[oid, amount, ot], changelogMode=[I])
      +- WindowTableFunction(window=[TUMBLE(time_col=[st], size=[10000 ms])], changelogMode=[I])
         +- WatermarkAssigner(rowtime=[st], watermark=[st], changelogMode=[I])
            +- TableSourceScan(table=[[default_catalog, default_database, shipments]], fields=[sid, oid, st], changelogMode=[I])

# window join of two window aggregations (window columns renamed on one side), as Nexmark q8
query
SELECT L.cnt, L.ws, R.cnt FROM (SELECT window_start AS ws, window_end AS we, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) L JOIN (SELECT window_start, window_end, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) R ON L.ws = R.window_start AND L.we = R.window_end
----
+I[2, 2024-01-01 00:00:00.000, 1]
+I[1, 2024-01-01 00:00:20.000, 2]

# the window columns' equality in WHERE (a comma join) works the same
query rowsort
SELECT L.oid, R.sid FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) L, TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '10' SECOND)) R WHERE L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end
----
+I[1, 1]
+I[3, 4]

statement error Currently, window join doesn't support different window table function of left and right inputs. The left window table function is TUMBLE(win_start=[window_start], win_end=[window_end], size=[10000 ms]), the right window table function is TUMBLE(win_start=[window_start], win_end=[window_end], size=[20000 ms]).
SELECT L.oid, R.sid FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ot), INTERVAL '10' SECOND)) L JOIN TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(st), INTERVAL '20' SECOND)) R ON L.oid = R.oid AND L.window_start = R.window_start AND L.window_end = R.window_end

# temporal join on event time: rates is a versioned table (primary key + watermark); EUR is 10 from
# 00:00:00, 11 from 00:00:10, 12 from 00:00:30; USD is 5 from 00:00:00 and deleted at 00:00:15.
# Each buy joins the rate valid at its time and is emitted when the watermark passes it (in time order
# among the rows that become due together).
statement ok
CREATE TABLE rates (cur STRING, rate INT, rt TIMESTAMP(3), WATERMARK FOR rt AS rt, PRIMARY KEY (cur) NOT ENFORCED) WITH ('connector' = 'values', 'changelog-mode' = 'I,UA,D',
  'data' = '[["EUR", 10, "2024-01-01 00:00:00"], ["USD", 5, "2024-01-01 00:00:00"], {"kind": "+U", "row": ["EUR", 11, "2024-01-01 00:00:10"]}, {"kind": "-D", "row": ["USD", 5, "2024-01-01 00:00:15"]}, {"kind": "+U", "row": ["EUR", 12, "2024-01-01 00:00:30"]}]')

statement ok
CREATE TABLE buys (bid INT, cur STRING, amount INT, bt TIMESTAMP(3), WATERMARK FOR bt AS bt) WITH ('connector' = 'values',
  'data' = '[[1, "EUR", 100, "2024-01-01 00:00:05"], [2, "EUR", 200, "2024-01-01 00:00:12"], [3, "USD", 300, "2024-01-01 00:00:07"], [4, "USD", 400, "2024-01-01 00:00:20"], [5, "GBP", 500, "2024-01-01 00:00:08"], [6, "EUR", 600, "2024-01-01 00:00:40"]]')

query
SELECT b.bid, b.cur, r.rate, b.amount * r.rate FROM buys b JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur
----
+I[1, EUR, 10, 1000]
+I[3, USD, 5, 1500]
+I[2, EUR, 11, 2200]
+I[6, EUR, 12, 7200]

# LEFT: no version (GBP) or a deleted one (USD at 00:00:20) gives NULLs
query
SELECT b.bid, b.cur, r.rate FROM buys b LEFT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur
----
+I[1, EUR, 10]
+I[3, USD, 5]
+I[5, GBP, NULL]
+I[2, EUR, 11]
+I[4, USD, NULL]
+I[6, EUR, 12]

# an extra condition on the version
query
SELECT b.bid, r.rate FROM buys b LEFT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur AND r.rate > 10
----
+I[1, NULL]
+I[3, NULL]
+I[5, NULL]
+I[2, 11]
+I[4, NULL]
+I[6, 12]

explain
EXPLAIN SELECT b.bid, r.rate FROM buys b LEFT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[b.bid AS bid, r.rate AS rate], changelogMode=[I])
   +- TemporalJoin(joinType=[LeftOuterJoin], where=[b.cur = r.cur AND __TEMPORAL_JOIN_CONDITION(bt, rt, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(cur))], select=[bid, cur, amount, bt, cur, rate, rt], changelogMode=[I])
      :- WatermarkAssigner(rowtime=[bt], watermark=[bt], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, buys]], fields=[bid, cur, amount, bt], changelogMode=[I])
      +- WatermarkAssigner(rowtime=[rt], watermark=[rt], changelogMode=[I,UA,D])
         +- TableSourceScan(table=[[default_catalog, default_database, rates]], fields=[cur, rate, rt], changelogMode=[I,UA,D])

statement error Temporal table join currently only supports INNER JOIN and LEFT JOIN, but was RIGHT JOIN.
SELECT b.bid, r.rate FROM buys b RIGHT JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur

statement error Temporal table's primary key [cur] must be included in the equivalence condition of temporal join condition.
SELECT b.bid, r.rate FROM buys b JOIN rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.amount = r.rate

statement error Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field
SELECT b.bid, r.rate FROM buys b JOIN rates FOR SYSTEM_TIME AS OF b.amount AS r ON b.cur = r.cur

statement error Temporal Table Join requires primary key in versioned table, but no primary key can be found.
SELECT b.bid, s.sid FROM buys b JOIN shipments FOR SYSTEM_TIME AS OF b.bt AS s ON b.bid = s.sid

# a versioned view: the last row per key on event time (deduplication) has the key as its primary key
statement ok
CREATE TABLE rate_log (cur STRING, rate INT, rt TIMESTAMP(3), WATERMARK FOR rt AS rt) WITH ('connector' = 'values',
  'data' = '[["EUR", 10, "2024-01-01 00:00:00"], ["USD", 5, "2024-01-01 00:00:00"], ["EUR", 11, "2024-01-01 00:00:10"], ["EUR", 12, "2024-01-01 00:00:30"]]')

statement ok
CREATE VIEW versioned_rates AS SELECT cur, rate, rt FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY cur ORDER BY rt DESC) AS rownum FROM rate_log) WHERE rownum = 1

query
SELECT b.bid, b.cur, r.rate FROM buys b LEFT JOIN versioned_rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.cur = r.cur
----
+I[1, EUR, 10]
+I[3, USD, 5]
+I[5, GBP, NULL]
+I[2, EUR, 11]
+I[4, USD, 5]
+I[6, EUR, 12]

statement error Temporal table's primary key [cur] must be included in the equivalence condition of temporal join condition.
SELECT b.bid, r.rate FROM buys b JOIN versioned_rates FOR SYSTEM_TIME AS OF b.bt AS r ON b.amount = r.rate

# processing time: each click joins the current row of the (bounded, fully loaded) users table
statement ok
CREATE TABLE users (id INT, name STRING) WITH ('connector' = 'values', 'data' = '[[1, "alice"], [2, "bob"]]')

statement ok
CREATE TABLE clicks (uid INT, url STRING, pt AS PROCTIME()) WITH ('connector' = 'values', 'data' = '[[1, "/a"], [3, "/b"], [2, "/c"], [1, "/d"]]')

query
SELECT c.uid, c.url, u.name FROM clicks c LEFT JOIN users FOR SYSTEM_TIME AS OF c.pt AS u ON c.uid = u.id
----
+I[1, /a, alice]
+I[3, /b, NULL]
+I[2, /c, bob]
+I[1, /d, alice]

query
SELECT c.uid, c.url, u.name FROM clicks c JOIN users FOR SYSTEM_TIME AS OF c.pt AS u ON c.uid = u.id
----
+I[1, /a, alice]
+I[2, /c, bob]
+I[1, /d, alice]

explain
EXPLAIN SELECT c.uid, u.name FROM clicks c JOIN users FOR SYSTEM_TIME AS OF c.pt AS u ON c.uid = u.id
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[c.uid AS uid, u.name AS name], changelogMode=[I])
   +- TemporalJoin(joinType=[InnerJoin], where=[c.uid = u.id AND __TEMPORAL_JOIN_CONDITION(pt)], select=[uid, url, pt, id, name], changelogMode=[I])
      :- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[uid, url, pt], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, users]], fields=[id, name], changelogMode=[I])

statement error Temporal table join requires an equality condition on fields of table [default_catalog.default_database.users].
SELECT c.uid, u.name FROM clicks c JOIN users FOR SYSTEM_TIME AS OF c.pt AS u ON c.uid > u.id
