# Unbounded GROUP BY with retract output, DISTINCT and FILTER aggregates, HAVING, SELECT DISTINCT,
# aggregation over an updating input.

statement ok
CREATE TABLE clicks (user_name STRING, url STRING, n INT) WITH (
  'connector' = 'values',
  'data' = '[["alice", "/a", 1], ["bob", "/b", 2], ["alice", "/b", 3], ["alice", "/a", 4], ["carol", "/c", null]]'
)

query
SELECT user_name, COUNT(*) AS cnt, SUM(n) FROM clicks GROUP BY user_name
----
+I[alice, 1, 1]
+I[bob, 1, 2]
-U[alice, 1, 1]
+U[alice, 2, 4]
-U[alice, 2, 4]
+U[alice, 3, 8]
+I[carol, 1, NULL]

query final
SELECT user_name, COUNT(DISTINCT url), COUNT(n), MAX(n), MIN(url) FROM clicks GROUP BY user_name
----
+I[alice, 2, 3, 4, /a]
+I[bob, 1, 1, 2, /b]
+I[carol, 1, 0, NULL, /c]

query final
SELECT url, COUNT(*) FILTER (WHERE n > 1) AS big, COUNT(*) AS all_rows FROM clicks GROUP BY url
----
+I[/a, 1, 2]
+I[/b, 2, 2]
+I[/c, 0, 1]

query final
SELECT user_name, SUM(n) AS total FROM clicks GROUP BY user_name HAVING SUM(n) > 2
----
+I[alice, 8]

# HAVING retracts a group that no longer qualifies: the -U passes, the +U is filtered out
query
SELECT url, COUNT(*) AS c FROM clicks GROUP BY url HAVING COUNT(*) < 2
----
+I[/a, 1]
+I[/b, 1]
-U[/b, 1]
-U[/a, 1]
+I[/c, 1]

query
SELECT COUNT(*), SUM(n) FROM clicks
----
+I[1, 1]
-U[1, 1]
+U[2, 3]
-U[2, 3]
+U[3, 6]
-U[3, 6]
+U[4, 10]
-U[4, 10]
+U[5, 10]

query
SELECT DISTINCT url FROM clicks
----
+I[/a]
+I[/b]
+I[/c]

query final
SELECT n % 2 AS parity, COUNT(*) FROM clicks WHERE n IS NOT NULL GROUP BY n % 2
----
+I[0, 2]
+I[1, 2]

# an aggregate over an aggregate consumes retractions: how many users have each click count
query final
SELECT cnt, COUNT(*) AS users FROM (SELECT user_name, COUNT(*) AS cnt FROM clicks GROUP BY user_name) GROUP BY cnt
----
+I[1, 2]
+I[3, 1]

query
SELECT cnt, COUNT(*) AS users FROM (SELECT user_name, COUNT(*) AS cnt FROM clicks GROUP BY user_name) GROUP BY cnt
----
+I[1, 1]
-U[1, 1]
+U[1, 2]
-U[1, 2]
+U[1, 1]
+I[2, 1]
-D[2, 1]
+I[3, 1]
-U[1, 1]
+U[1, 2]

# retract input from a changelog source: MIN/MAX/SUM with retraction, -D removes the group
statement ok
CREATE TABLE prices (item STRING, price INT) WITH (
  'connector' = 'values',
  'changelog-mode' = 'I,UB,UA,D',
  'data' = '[{"kind": "+I", "row": ["a", 5]}, {"kind": "+I", "row": ["a", 9]}, {"kind": "+I", "row": ["b", 1]}, {"kind": "-U", "row": ["a", 9]}, {"kind": "+U", "row": ["a", 3]}, {"kind": "-D", "row": ["b", 1]}]'
)

query
SELECT item, MIN(price), MAX(price), SUM(price), COUNT(*) FROM prices GROUP BY item
----
+I[a, 5, 5, 5, 1]
-U[a, 5, 5, 5, 1]
+U[a, 5, 9, 14, 2]
+I[b, 1, 1, 1, 1]
-U[a, 5, 9, 14, 2]
+U[a, 5, 5, 5, 1]
-U[a, 5, 5, 5, 1]
+U[a, 3, 5, 8, 2]
-D[b, 1, 1, 1, 1]

query final
SELECT DISTINCT item FROM prices
----
+I[a]

statement error Expression 'url' is not being grouped
SELECT user_name, url FROM clicks GROUP BY user_name

statement error HAVING clause requires GROUP BY or aggregate functions
SELECT user_name FROM clicks HAVING user_name = 'x'

statement error Aggregate expression is illegal in GROUP BY clause
SELECT COUNT(*) FROM clicks GROUP BY COUNT(*)

statement error Cannot apply 'SUM' to arguments of type SUM(<STRING>)
SELECT SUM(url) FROM clicks
