# UNION ALL (with type widening), UNION (distinct), and their errors.

statement ok
CREATE TABLE a (id INT, s STRING) WITH ('connector' = 'values', 'data' = '[[1, "x"], [2, "y"]]')

statement ok
CREATE TABLE b (id BIGINT, s STRING) WITH ('connector' = 'values', 'data' = '[[2, "y"], [3, "z"]]')

query rowsort
SELECT id, s FROM a UNION ALL SELECT id, s FROM b
----
+I[1, x]
+I[2, y]
+I[2, y]
+I[3, z]

query final
SELECT id, s FROM a UNION SELECT id, s FROM b
----
+I[1, x]
+I[2, y]
+I[3, z]

query final
SELECT s, COUNT(*) FROM (SELECT s FROM a UNION ALL SELECT s FROM b UNION ALL SELECT 'y') GROUP BY s
----
+I[x, 1]
+I[y, 3]
+I[z, 1]

statement error Column count mismatch in UNION ALL
SELECT id FROM a UNION ALL SELECT id, s FROM b

statement error Type mismatch in column 1 of UNION ALL
SELECT id FROM a UNION ALL SELECT s FROM b

statement error INTERSECT is not supported yet
SELECT id FROM a INTERSECT SELECT id FROM b
