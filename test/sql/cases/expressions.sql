# Projection and filter: the expression compiler over a values source.

statement ok
CREATE TABLE t (
  id INT,
  name STRING,
  price DECIMAL(10, 2),
  tags ARRAY<STRING>,
  attrs MAP<STRING, INT>,
  addr ROW<city STRING, zip INT>,
  doubled AS id * 2
) WITH (
  'connector' = 'values',
  'data' = '[[1, "apple", 1.50, ["a", "b"], {"x": 1}, {"city": "Oslo", "zip": 150}], [2, "banana", 0.25, [], {}, null], [3, null, 10.00, null, null, {"city": "Rome", "zip": null}]]'
)

query
SELECT id, name, doubled FROM t
----
+I[1, apple, 2]
+I[2, banana, 4]
+I[3, NULL, 6]

query
SELECT * FROM t WHERE id >= 2 AND name IS NOT NULL
----
+I[2, banana, 0.25, [], {}, NULL, 4]

query
SELECT id, price * 2 AS p2, price + 1, id / 2, id % 2, -id FROM t
----
+I[1, 3.00, 2.50, 0, 1, -1]
+I[2, 0.50, 1.25, 1, 0, -2]
+I[3, 20.00, 11.00, 1, 1, -3]

query
SELECT id, CASE WHEN id = 1 THEN 'one' WHEN id = 2 THEN 'two' ELSE 'many' END, CASE id WHEN 3 THEN 'three' END FROM t
----
+I[1, one , NULL]
+I[2, two , NULL]
+I[3, many, three]

query
SELECT id, CAST(id AS STRING) || '-' || COALESCE(name, '?'), TRY_CAST(name AS INT), CAST(price AS INT) FROM t
----
+I[1, 1-apple, NULL, 1]
+I[2, 2-banana, NULL, 0]
+I[3, 3-?, NULL, 10]

query
SELECT id FROM t WHERE id IN (1, 3) OR name IN ('banana')
----
+I[1]
+I[2]
+I[3]

query
SELECT id FROM t WHERE id NOT IN (1, 3)
----
+I[2]

query
SELECT id, id BETWEEN 2 AND 3, name LIKE 'b%', name NOT LIKE '%a%' FROM t
----
+I[1, FALSE, FALSE, FALSE]
+I[2, TRUE, TRUE, FALSE]
+I[3, TRUE, NULL, NULL]

query
SELECT id, tags[1], attrs['x'], addr.city, t.addr.zip, CARDINALITY(tags) FROM t
----
+I[1, a, 1, Oslo, 150, 2]
+I[2, NULL, NULL, NULL, NULL, 0]
+I[3, NULL, NULL, Rome, NULL, NULL]

query
SELECT UPPER(name), CHAR_LENGTH(name), SUBSTRING(name FROM 2 FOR 3), TRIM(BOTH 'a' FROM name) FROM t WHERE name IS NOT NULL
----
+I[APPLE, 5, ppl, pple]
+I[BANANA, 6, ana, banan]

query
SELECT id IS DISTINCT FROM 1, name IS NOT DISTINCT FROM NULL, NOT (id > 1) FROM t
----
+I[FALSE, FALSE, TRUE]
+I[TRUE, FALSE, FALSE]
+I[TRUE, TRUE, FALSE]

query
SELECT 1 + 1, 'a' || 'b', TRUE AND NULL, FALSE AND NULL, TRUE OR NULL, CAST(NULL AS INT), INTERVAL '2' MINUTE, DATE '2024-02-29', TIMESTAMP '2024-01-01 10:00:00.123'
----
+I[2, ab, NULL, FALSE, TRUE, NULL, +0 00:02:00.000, 2024-02-29, 2024-01-01 10:00:00.123]

query
SELECT ARRAY[1, 2, 3], MAP['a', 1], ROW(1, 'x')
----
+I[[1, 2, 3], {a=1}, (1, x)]

query
SELECT x, y FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y) WHERE x > 1
----
+I[2, b]

query
WITH big AS (SELECT id, price FROM t WHERE price > 1) SELECT id FROM big
----
+I[1]
+I[3]

query
SELECT id FROM t ORDER BY id DESC LIMIT 2
----
+I[3]
+I[2]

query
SELECT id, name FROM t ORDER BY name NULLS FIRST
----
+I[3, NULL]
+I[1, apple]
+I[2, banana]

# errors

statement error SQL validation error at line 1, column 8: Column 'foo' not found in any table
SELECT foo FROM t

statement error SQL validation error at line 1, column 8: Column 'foo' not found in table 't'
SELECT t.foo FROM t

statement error SQL validation error at line 1, column 24: Cannot apply '+' to arguments of type
SELECT id FROM t WHERE name + 1 > 0

statement error SQL validation error at line 1, column 8: No match found for function signature NOPE(<INT>)
SELECT nope(id) FROM t

statement error SQL validation error at line 1, column 24: WHERE clause must be a condition
SELECT id FROM t WHERE id + 1

statement error SQL validation error at line 1, column 24: Aggregate expression is illegal in WHERE clause
SELECT id FROM t WHERE COUNT(*) > 1

statement error Cannot cast
SELECT CAST(tags AS INT) FROM t

statement error Cannot cast 'apple' to INT
SELECT CAST(name AS INT) FROM t

statement error SQL parse error at line 1, column 11: expected
SELECT id FRM t

statement error You must specify either rowtime or proctime for order by as the first one.
SELECT * FROM t MATCH_RECOGNIZE (ORDER BY id MEASURES A.id AS x PATTERN (A) DEFINE A AS A.id > 0)

statement error Subqueries are not supported yet
SELECT id FROM t WHERE id IN (SELECT id FROM t)

statement error Unknown field 'nope'
SELECT addr.nope FROM t
