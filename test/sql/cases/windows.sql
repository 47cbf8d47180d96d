# Window TVFs (TUMBLE, HOP, CUMULATE) with window aggregation: results when the watermark passes the
# window end, late rows dropped and counted; watermarks per partition (minimum) and idle partitions.

statement ok
CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["a", 1, "2024-01-01 00:00:01"], ["b", 2, "2024-01-01 00:00:04"], ["a", 3, "2024-01-01 00:00:09"], ["a", 4, "2024-01-01 00:00:11"], ["a", 5, "2024-01-01 00:00:08"], ["b", 6, "2024-01-01 00:00:25"]]'
)

query
SELECT window_start, window_end, item, COUNT(*) AS cnt, SUM(price) AS total
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, item
----
+I[2024-01-01 00:00:00.000, 2024-01-01 00:00:10.000, a, 2, 4]
+I[2024-01-01 00:00:00.000, 2024-01-01 00:00:10.000, b, 1, 2]
+I[2024-01-01 00:00:10.000, 2024-01-01 00:00:20.000, a, 1, 4]
+I[2024-01-01 00:00:20.000, 2024-01-01 00:00:30.000, b, 1, 6]

late 1

query
SELECT window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end
----
+I[2023-12-31 23:59:55.000, 2024-01-01 00:00:05.000, 2, 3]
+I[2024-01-01 00:00:00.000, 2024-01-01 00:00:10.000, 3, 6]
+I[2024-01-01 00:00:05.000, 2024-01-01 00:00:15.000, 3, 12]
+I[2024-01-01 00:00:10.000, 2024-01-01 00:00:20.000, 1, 4]
+I[2024-01-01 00:00:20.000, 2024-01-01 00:00:30.000, 1, 6]
+I[2024-01-01 00:00:25.000, 2024-01-01 00:00:35.000, 1, 6]

late 1

query
SELECT window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end
----
+I[2024-01-01 00:00:00.000, 2024-01-01 00:00:05.000, 2, 3]
+I[2024-01-01 00:00:00.000, 2024-01-01 00:00:10.000, 3, 6]
+I[2024-01-01 00:00:10.000, 2024-01-01 00:00:15.000, 1, 4]
+I[2024-01-01 00:00:10.000, 2024-01-01 00:00:20.000, 1, 4]
+I[2024-01-01 00:00:20.000, 2024-01-01 00:00:30.000, 1, 6]

late 1

# named arguments, a filter before the window, the window TVF on its own
query
SELECT item, price, window_start, window_end, window_time
FROM TABLE(TUMBLE(DATA => TABLE bids, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND))
WHERE price > 3
----
+I[a, 4, 2024-01-01 00:00:10.000, 2024-01-01 00:00:20.000, 2024-01-01 00:00:19.999]
+I[b, 6, 2024-01-01 00:00:20.000, 2024-01-01 00:00:30.000, 2024-01-01 00:00:29.999]

late 1

query
SELECT window_end, MAX(price) FILTER (WHERE item = 'a'), COUNT(DISTINCT item)
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end
----
+I[2024-01-01 00:01:00.000, 5, 2]

late 0

# the watermark is the minimum over partitions: b's row at 00:00:02 is on time because partition 1
# holds the watermark back although partition 0 is already at 00:00:15
statement ok
CREATE TABLE parts (item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'values',
  'data' = '[{"partition": 0, "row": ["a", "2024-01-01 00:00:01"]}, {"partition": 0, "row": ["a", "2024-01-01 00:00:15"]}, {"partition": 1, "row": ["b", "2024-01-01 00:00:02"]}, {"partition": 1, "row": ["b", "2024-01-01 00:00:12"]}]'
)

query
SELECT window_start, item, COUNT(*) FROM TABLE(TUMBLE(TABLE parts, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item
----
+I[2024-01-01 00:00:00.000, a, 1]
+I[2024-01-01 00:00:00.000, b, 1]
+I[2024-01-01 00:00:10.000, a, 1]
+I[2024-01-01 00:00:10.000, b, 1]

late 0

# an empty partition holds the watermark back on an unbounded source ...
statement ok
CREATE TABLE stalled (item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'values', 'partitions' = '2', 'bounded' = 'false',
  'data' = '[["a", "2024-01-01 00:00:01"], ["a", "2024-01-01 00:00:15"]]'
)

statement ok
CREATE TABLE win_print (ws TIMESTAMP(3), item STRING, cnt BIGINT) WITH ('connector' = 'print')

insert stop-after=200
INSERT INTO win_print SELECT window_start, item, COUNT(*) FROM TABLE(TUMBLE(TABLE stalled, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item
----

# ... until it is idle for scan.watermark.idle-timeout
statement ok
CREATE TABLE idle_ok (item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'values', 'partitions' = '2', 'bounded' = 'false', 'scan.watermark.idle-timeout' = '20 ms',
  'data' = '[["a", "2024-01-01 00:00:01"], ["a", "2024-01-01 00:00:15"]]'
)

insert stop-after=300
INSERT INTO win_print SELECT window_start, item, COUNT(*) FROM TABLE(TUMBLE(TABLE idle_ok, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item
----
+I[2024-01-01T00:00, a, 1]

# the session option applies to every source
statement ok
SET 'table.exec.source.idle-timeout' = '20 ms'

insert stop-after=300
INSERT INTO win_print SELECT window_start, item, COUNT(*) FROM TABLE(TUMBLE(TABLE stalled, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, item
----
+I[2024-01-01T00:00, a, 1]

statement error requires the timecol to be a time attribute type, but is INT.
SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(price), INTERVAL '10' SECOND))

statement error Column 'nope' not found in any table
SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(nope), INTERVAL '10' SECOND))

statement error Invalid number of arguments to function 'HOP'
SELECT * FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))

statement error HOP table function based aggregate requires size must be an integral multiple of slide
SELECT * FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '10' SECOND))

# SESSION window TVF with window aggregation (Flink 1.19 syntax, PARTITION BY the key)
query
SELECT window_start, window_end, item, COUNT(*) AS cnt, SUM(price)
FROM TABLE(SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, item
----
+I[2024-01-01 00:00:01.000, 2024-01-01 00:00:06.000, a, 1, 1]
+I[2024-01-01 00:00:04.000, 2024-01-01 00:00:09.000, b, 1, 2]
+I[2024-01-01 00:00:08.000, 2024-01-01 00:00:16.000, a, 3, 12]
+I[2024-01-01 00:00:25.000, 2024-01-01 00:00:30.000, b, 1, 6]

statement error The SESSION window table function is only supported under a window aggregation
SELECT * FROM TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))

# legacy group window SESSION: sessions merge (a@8 joins a@9..11), each fires when the watermark passes its end
query
SELECT item, COUNT(*), SESSION_START(ts, INTERVAL '5' SECOND), SESSION_END(ts, INTERVAL '5' SECOND)
FROM bids GROUP BY item, SESSION(ts, INTERVAL '5' SECOND)
----
+I[a, 1, 2024-01-01 00:00:01.000, 2024-01-01 00:00:06.000]
+I[b, 1, 2024-01-01 00:00:04.000, 2024-01-01 00:00:09.000]
+I[a, 3, 2024-01-01 00:00:08.000, 2024-01-01 00:00:16.000]
+I[b, 1, 2024-01-01 00:00:25.000, 2024-01-01 00:00:30.000]

late 0

statement error Window aggregate can only be defined over a time attribute column
SELECT item, COUNT(*) FROM bids GROUP BY item, SESSION(price, INTERVAL '5' SECOND)

# CURRENT_WATERMARK: NULL before the first watermark, then the watermark as of the row
query
SELECT item, CURRENT_WATERMARK(ts) FROM bids
----
+I[a, NULL]
+I[b, 2024-01-01 00:00:00.000]
+I[a, 2024-01-01 00:00:03.000]
+I[a, 2024-01-01 00:00:08.000]
+I[a, 2024-01-01 00:00:10.000]
+I[b, 2024-01-01 00:00:10.000]
