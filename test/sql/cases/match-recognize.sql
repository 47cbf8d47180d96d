# MATCH_RECOGNIZE: quantifiers (greedy as Flink's CEP: the row after a greedy element only enters the next
# variable when the greedy variable cannot take it), reluctant quantifiers, AFTER MATCH SKIP strategies,
# PREV/FIRST/LAST and aggregates in DEFINE and MEASURES, WITHIN, late rows, EXPLAIN, refused forms.
# Every expected row below was worked out by hand; the comments give the reasoning.

# the sequence a a a b a b b c, one row per second, n = position
statement ok
CREATE TABLE seq (k STRING, n INT, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["k", 1, "a", "2024-01-01 00:00:01"], ["k", 2, "a", "2024-01-01 00:00:02"], ["k", 3, "a", "2024-01-01 00:00:03"], ["k", 4, "b", "2024-01-01 00:00:04"], ["k", 5, "a", "2024-01-01 00:00:05"], ["k", 6, "b", "2024-01-01 00:00:06"], ["k", 7, "b", "2024-01-01 00:00:07"], ["k", 8, "c", "2024-01-01 00:00:08"]]'
)

# A+ B: a a a b, then a b; 7 (b) cannot start a match
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e
  PATTERN (A+ B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 1, 4]
+I[k, 5, 6]

# A{2} B: from 1 the third a is not a b; from 2: a a b
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e
  PATTERN (A{2} B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 2, 4]

# A{2,} B: a a a b; from 5 only one a
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e
  PATTERN (A{2,} B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 1, 4]

# A{1,2} B (greedy): from 1 the third a can only be an A, and A is full: no match; from 2: a a b; 5 6: a b
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e
  PATTERN (A{1,2} B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 2, 4]
+I[k, 5, 6]

# A{,2} B: as above, and B alone matches the b at 7
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e, COUNT(A.n) AS na
  PATTERN (A{,2} B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 2, 4, 2]
+I[k, 5, 6, 1]
+I[k, 7, 7, 0]

# A? B: from 1 and 2 the next row is an a, not a b; 3 4; 5 6; 7 alone
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e, CLASSIFIER() AS cls
  PATTERN (A? B) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 3, 4, B]
+I[k, 5, 6, B]
+I[k, 7, 7, B]

# A B* C: only a b b c (5..8)
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e, COUNT(B.n) AS nb
  PATTERN (A B* C) DEFINE A AS v = 'a', B AS v = 'b', C AS v = 'c')
----
+I[k, 5, 8, 2]

# A B*? (reluctant last): the match ends with the A as soon as the next row arrives
query
SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(n) AS s, LAST(n) AS e
  PATTERN (A B*?) DEFINE A AS v = 'a', B AS v = 'b')
----
+I[k, 1, 1]
+I[k, 2, 2]
+I[k, 3, 3]
+I[k, 5, 5]

# Flink's documentation example of greedy and reluctant quantifiers: prices 10 11 12 13 14 16
statement ok
CREATE TABLE ticker (symbol STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["XYZ", 10, "2024-01-01 00:00:01"], ["XYZ", 11, "2024-01-01 00:00:02"], ["XYZ", 12, "2024-01-01 00:00:03"], ["XYZ", 13, "2024-01-01 00:00:04"], ["XYZ", 14, "2024-01-01 00:00:05"], ["XYZ", 16, "2024-01-01 00:00:06"]]'
)

# greedy B*: A = 11, B = 12 13 14, C = 16
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS a, C.price AS lastPrice
  PATTERN (A B* C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 11, 16]

# reluctant B*?: A = 11, B = 12, C = 13; then A = 14, C = 16
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS a, C.price AS lastPrice
  PATTERN (A B*? C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 11, 13]
+I[XYZ, 14, 16]

# reluctant B+?: A = 11, B = 12, C = 13 (C needs > 12); then A = 14, B needs < 15: 16 is not
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS a, C.price AS lastPrice
  PATTERN (A B+? C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 11, 13]

# B??: 11 12 13, then 14 16 without B
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS a, C.price AS lastPrice, COUNT(B.price) AS nb
  PATTERN (A B?? C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 11, 13, 1]
+I[XYZ, 14, 16, 0]

# WITHIN 3 s: the matches from 11 (at :02) and 12 (at :03) would end at :06, 3 s or more later
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS a, C.price AS lastPrice, MATCH_ROWTIME() AS mt
  PATTERN (A B* C) WITHIN INTERVAL '3' SECOND DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 13, 16, 2024-01-01 00:00:06.000]

# PREV is physical navigation in the partition (the SQL standard's; Flink refuses physical offsets): it
# reaches the rows before the match, so a single-row pattern can compare with the previous row
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES A.price AS price, PREV(A.price) AS before
  PATTERN (A) DEFINE A AS A.price > PREV(A.price))
----
+I[XYZ, 11, 10]
+I[XYZ, 12, 11]
+I[XYZ, 13, 12]
+I[XYZ, 14, 13]
+I[XYZ, 16, 14]

# PREV(x, 2): from 10 there is no row two before 11; 11 12 (10 + 1 < 12); 13 14 (12 + 1 < 14); 16 stays open
query
SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts
  MEASURES A.price AS a, B.price AS b, PREV(B.price, 2) AS b_prev2, PREV(A.price, 2) AS a_prev2
  PATTERN (A B) DEFINE B AS B.price > PREV(B.price, 2) + 1)
----
+I[XYZ, 11, 12, 10, NULL]
+I[XYZ, 13, 14, 12, 11]

# into a sink; MATCH_ROWTIME() is the time of the match's last row
statement ok
CREATE TABLE drops_print (symbol STRING, a INT, c INT, mt TIMESTAMP(3)) WITH ('connector' = 'print')

insert
INSERT INTO drops_print SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts
  MEASURES A.price AS a, C.price AS c, MATCH_ROWTIME() AS mt
  PATTERN (A B*? C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12)
----
+I[XYZ, 11, 13, 2024-01-01T00:00:04]
+I[XYZ, 14, 16, 2024-01-01T00:00:06]

# an alias for the match table, expressions over two variables, a filter on the result
query
SELECT T.a, T.total FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS a, A.price + B.price AS total
  PATTERN (A B) DEFINE B AS B.price > A.price) AS T WHERE T.a > 11
----
+I[12, 25]
+I[14, 30]

# V shapes: a: 10 8 6 7 | 9 5 4 11, b: 3 2 5; PREV within the match, FIRST/LAST, CLASSIFIER, MATCH_ROWTIME
statement ok
CREATE TABLE v (sym STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["a", 10, "2024-01-01 00:00:01"], ["b", 3, "2024-01-01 00:00:01"], ["a", 8, "2024-01-01 00:00:02"], ["b", 2, "2024-01-01 00:00:02"], ["a", 6, "2024-01-01 00:00:03"], ["b", 5, "2024-01-01 00:00:03"], ["a", 7, "2024-01-01 00:00:04"], ["a", 9, "2024-01-01 00:00:05"], ["a", 5, "2024-01-01 00:00:06"], ["a", 4, "2024-01-01 00:00:07"], ["a", 11, "2024-01-01 00:00:08"]]'
)

query rowsort
SELECT * FROM v MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts
  MEASURES FIRST(S.price) AS s, LAST(D.price) AS bottom, U.price AS up, PREV(U.price) AS before_up,
    FIRST(D.price) AS first_down, CLASSIFIER() AS cls, MATCH_ROWTIME() AS mt
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (S D+ U)
  DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price)
) AS T
----
+I[a, 10, 6, 7, 6, 8, U, 2024-01-01 00:00:04.000]
+I[a, 9, 4, 11, 4, 5, U, 2024-01-01 00:00:08.000]
+I[b, 3, 2, 5, 2, 2, U, 2024-01-01 00:00:03.000]

# SKIP TO NEXT ROW: 8 6 7 and 5 4 11 match too
query rowsort
SELECT sym, s, bottom, up FROM v MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s, LAST(D.price) AS bottom, U.price AS up
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (S D+ U) DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price))
----
+I[a, 10, 6, 7]
+I[a, 8, 6, 7]
+I[a, 9, 4, 11]
+I[a, 5, 4, 11]
+I[b, 3, 2, 5]

# SKIP TO FIRST U: the next match may start at the U row (7 9 is not a descent; 4 11 neither)
query rowsort
SELECT sym, s, bottom, up FROM v MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s, LAST(D.price) AS bottom, U.price AS up
  AFTER MATCH SKIP TO FIRST U
  PATTERN (S D+ U) DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price))
----
+I[a, 10, 6, 7]
+I[a, 9, 4, 11]
+I[b, 3, 2, 5]

# SKIP TO FIRST of the first variable would loop: Flink fails the job
statement error Could not skip to first element of a match.
SELECT * FROM v MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s
  AFTER MATCH SKIP TO FIRST S
  PATTERN (S D+ U) DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price))

# descents 10 8 6 4 then 7: SKIP TO NEXT ROW finds three, SKIP TO LAST D restarts at 4 (no descent after it)
statement ok
CREATE TABLE dd (sym STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'values',
  'data' = '[["a", 10, "2024-01-01 00:00:01"], ["a", 8, "2024-01-01 00:00:02"], ["a", 6, "2024-01-01 00:00:03"], ["a", 4, "2024-01-01 00:00:04"], ["a", 7, "2024-01-01 00:00:05"], ["a", 3, "2024-01-01 00:00:06"], ["a", 9, "2024-01-01 00:00:07"]]'
)

query
SELECT s, bottom, up FROM dd MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s, LAST(D.price) AS bottom, U.price AS up
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (S D+ U) DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price))
----
+I[10, 4, 7]
+I[8, 4, 7]
+I[6, 4, 7]
+I[7, 3, 9]

query
SELECT s, bottom, up FROM dd MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s, LAST(D.price) AS bottom, U.price AS up
  AFTER MATCH SKIP TO LAST D
  PATTERN (S D+ U) DEFINE D AS D.price < PREV(D.price), U AS U.price > PREV(U.price))
----
+I[10, 4, 7]
+I[7, 3, 9]

# LAST(D.price, 1) in DEFINE (Nexmark CEP q0's form): the previous D, or the start row for the first D
query
SELECT s, bottom, up FROM dd MATCH_RECOGNIZE (
  PARTITION BY sym ORDER BY ts MEASURES S.price AS s, LAST(D.price) AS bottom, U.price AS up
  AFTER MATCH SKIP TO LAST U
  PATTERN (S D+ U)
  DEFINE D AS (LAST(D.price, 1) IS NULL AND D.price < S.price) OR D.price < LAST(D.price, 1),
    U AS U.price > LAST(D.price))
----
+I[10, 4, 7]
+I[7, 3, 9]

# aggregates: prices 5 9 14 20 3 30 2 1; A AS AVG(A.price) < 10 (INT average truncates: 28 / 3 = 9)
statement ok
CREATE TABLE ag (k STRING, n INT, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'values',
  'data' = '[["k", 1, 5, "2024-01-01 00:00:01"], ["k", 2, 9, "2024-01-01 00:00:02"], ["k", 3, 14, "2024-01-01 00:00:03"], ["k", 4, 20, "2024-01-01 00:00:04"], ["k", 5, 3, "2024-01-01 00:00:05"], ["k", 6, 30, "2024-01-01 00:00:06"], ["k", 7, 2, "2024-01-01 00:00:07"], ["k", 8, 1, "2024-01-01 00:00:08"]]'
)

# 5 9 14 (avg 9) then 20 breaks it; 3 then 30; 2 1 never ends
query
SELECT * FROM ag MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts
  MEASURES FIRST(A.n) AS s, LAST(A.n) AS e, AVG(A.price) AS ap, SUM(A.price) AS sp, COUNT(*) AS cnt, B.price AS bp,
    FIRST(A.price, 1) AS a2, LAST(A.price, 1) AS a_prev, MAX(A.price) - MIN(A.price) AS spread
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (A+ B) DEFINE A AS AVG(A.price) < 10)
----
+I[k, 1, 3, 9, 28, 4, 20, 9, 9, 9]
+I[k, 5, 5, 3, 3, 2, 30, NULL, NULL, 0]

# SKIP TO NEXT ROW: 9 14 (avg 11) ends at 3, emitted after the match from 1 that started earlier
query
SELECT * FROM ag MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts
  MEASURES FIRST(A.n) AS s, LAST(A.n) AS e, AVG(A.price) AS ap
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (A+ B) DEFINE A AS AVG(A.price) < 10)
----
+I[k, 1, 3, 9]
+I[k, 2, 2, 9]
+I[k, 5, 5, 3]

# SUM and COUNT over the variable so far in DEFINE: runs of at most 3 rows summing under 20, then any row
query
SELECT * FROM ag MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts
  MEASURES FIRST(A.n) AS s, LAST(A.n) AS e, SUM(A.price) AS sp
  PATTERN (A+ B) DEFINE A AS SUM(A.price) < 20 AND COUNT(A.price) <= 3)
----
+I[k, 1, 2, 14]
+I[k, 5, 5, 3]

# rows at or below the watermark on arrival are late: dropped and counted (the 3 at :04 after :10)
statement ok
CREATE TABLE late_rows (k STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["k", 1, "2024-01-01 00:00:01"], ["k", 2, "2024-01-01 00:00:02"], ["k", 5, "2024-01-01 00:00:10"], ["k", 3, "2024-01-01 00:00:04"], ["k", 6, "2024-01-01 00:00:11"]]'
)

query
SELECT * FROM late_rows MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.price AS a, B.price AS b
  PATTERN (A B) DEFINE B AS B.price = A.price + 1)
----
+I[k, 1, 2]
+I[k, 5, 6]

late 1

# out-of-order rows that are not late are sorted by time before matching
statement ok
CREATE TABLE shuffled (k STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["k", 2, "2024-01-01 00:00:02"], ["k", 1, "2024-01-01 00:00:01"], ["k", 4, "2024-01-01 00:00:04"], ["k", 3, "2024-01-01 00:00:03"]]'
)

query
SELECT * FROM shuffled MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES FIRST(A.price) AS f, LAST(A.price) AS l, B.price AS b
  PATTERN (A{2} B) DEFINE A AS A.price < 3)
----
+I[k, 1, 2, 3]

late 0

# rows with equal timestamps are ordered by the further ORDER BY keys
statement ok
CREATE TABLE same_ts (k STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'values',
  'data' = '[["k", 1, "2024-01-01 00:00:01"], ["k", 3, "2024-01-01 00:00:01"], ["k", 2, "2024-01-01 00:00:01"], ["k", 0, "2024-01-01 00:00:02"]]'
)

# 1 2 3 0: 1 then 2 rises
query
SELECT * FROM same_ts MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts, price MEASURES A.price AS a, B.price AS b
  PATTERN (A B) DEFINE B AS B.price > A.price)
----
+I[k, 1, 2]

# 3 2 1 0: never rises
query
SELECT * FROM same_ts MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts, price DESC MEASURES A.price AS a, B.price AS b
  PATTERN (A B) DEFINE B AS B.price > A.price)
----

late 0

# processing time: rows in arrival order
statement ok
CREATE TABLE pt_rows (k STRING, price INT, pt AS PROCTIME()) WITH (
  'connector' = 'values',
  'data' = '[["k", 1], ["k", 3], ["k", 2], ["k", 5]]'
)

query
SELECT * FROM pt_rows MATCH_RECOGNIZE (PARTITION BY k ORDER BY pt MEASURES A.price AS a, B.price AS b
  PATTERN (A B) DEFINE B AS B.price > A.price)
----
+I[k, 1, 3]
+I[k, 2, 5]

# the result is append-only and can feed further operators
query
SELECT k, COUNT(*) AS matches FROM (
  SELECT * FROM seq MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES LAST(n) AS e
    PATTERN (A B*?) DEFINE A AS v = 'a', B AS v = 'b')
) GROUP BY k
----
+I[k, 1]
-U[k, 1]
+U[k, 2]
-U[k, 2]
+U[k, 3]
-U[k, 3]
+U[k, 4]

explain
EXPLAIN SELECT * FROM ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY ts MEASURES C.price AS lastPrice AFTER MATCH SKIP TO LAST B PATTERN (A B{1,3}? C) WITHIN INTERVAL '1' MINUTE DEFINE A AS A.price > 10, C AS C.price > PREV(C.price))
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Match(partitionBy=[symbol], orderBy=[ts ASC], measures=[C.price AS lastPrice], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP TO LAST B], pattern=[A B{1,3}? C], within=[60000 ms], define=[A AS A.price > 10, C AS C.price > PREV(C.price)], changelogMode=[I])
   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '1' SECOND], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, ticker]], fields=[symbol, price, ts], changelogMode=[I])

# refused forms, with Flink's messages where Flink has one
statement error Currently, CEP doesn't support branching patterns.
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS p PATTERN (A | B) DEFINE A AS A.price > 10)

statement error All rows per match mode is not supported yet.
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS p ALL ROWS PER MATCH PATTERN (A B) DEFINE A AS A.price > 10)

statement error Greedy quantifiers are not allowed as the last element of a Pattern yet.
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS p PATTERN (A B+) DEFINE A AS A.price > 10)

statement error You must specify either rowtime or proctime for order by as the first one.
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY price MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 10)

statement error Quantified groups of pattern variables are not supported yet
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS p PATTERN ((A B)+ C) DEFINE A AS A.price > 10)

statement error SUBSET in MATCH_RECOGNIZE is not supported yet
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES A.price AS p PATTERN (A B) SUBSET S = (A, B) DEFINE A AS A.price > 10)

statement error doesn't support consuming update and delete changes
SELECT * FROM (SELECT symbol, MAX(ts) AS ts FROM ticker GROUP BY symbol) MATCH_RECOGNIZE (ORDER BY ts MEASURES A.symbol AS p PATTERN (A B) DEFINE A AS A.symbol = 'x')

statement error Primary sort order of a streaming table must be ascending on time.
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts DESC MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 10)

statement error NEXT in MATCH_RECOGNIZE is not supported yet
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES NEXT(A.price) AS p PATTERN (A B) DEFINE A AS A.price > 10)

statement error DISTINCT aggregations in MATCH_RECOGNIZE are not supported yet
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(DISTINCT A.price) AS p PATTERN (A B) DEFINE A AS A.price > 10)

statement error Aggregation must reference a single pattern variable
SELECT * FROM ticker MATCH_RECOGNIZE (ORDER BY ts MEASURES SUM(A.price + B.price) AS p PATTERN (A B) DEFINE A AS A.price > 10)
