# Regular inner joins: equi keys, extra conditions, cross joins, updating inputs.

statement ok
CREATE TABLE users (id INT, name STRING) WITH ('connector' = 'values', 'data' = '[[1, "alice"], [2, "bob"], [3, "carol"]]')

statement ok
CREATE TABLE orders (oid INT, user_id INT, amount INT) WITH ('connector' = 'values', 'data' = '[[10, 1, 5], [11, 2, 7], [12, 1, 9], [13, 4, 1], [14, null, 2]]')

query rowsort
SELECT o.oid, u.name, o.amount FROM orders o JOIN users u ON o.user_id = u.id
----
+I[10, alice, 5]
+I[11, bob, 7]
+I[12, alice, 9]

query rowsort
SELECT o.oid, u.name FROM orders AS o INNER JOIN users AS u ON u.id = o.user_id AND o.amount > 6
----
+I[11, bob]
+I[12, alice]

query rowsort
SELECT u.name, o.oid FROM users u, orders o WHERE u.id = o.user_id AND u.name <> 'bob'
----
+I[alice, 10]
+I[alice, 12]

query
SELECT COUNT(*) FROM users CROSS JOIN orders
----
+I[1]
-U[1]
+U[2]
-U[2]
+U[3]
-U[3]
+U[4]
-U[4]
+U[5]
-U[5]
+U[6]
-U[6]
+U[7]
-U[7]
+U[8]
-U[8]
+U[9]
-U[9]
+U[10]
-U[10]
+U[11]
-U[11]
+U[12]
-U[12]
+U[13]
-U[13]
+U[14]
-U[14]
+U[15]

# an updating input: the join follows the aggregate's retractions
query final
SELECT u.name, t.total FROM users u JOIN (SELECT user_id, SUM(amount) AS total FROM orders GROUP BY user_id) t ON u.id = t.user_id
----
+I[alice, 14]
+I[bob, 7]

query
SELECT u.name, t.total FROM users u JOIN (SELECT user_id, SUM(amount) AS total FROM orders GROUP BY user_id) t ON u.id = t.user_id
----
+I[alice, 5]
+I[bob, 7]
-U[alice, 5]
+U[alice, 14]

statement error Column 'id' is ambiguous
SELECT id FROM users a JOIN users b ON a.id = b.id

# outer joins: an unmatched row is padded with NULLs and retracted when its first partner arrives
query
SELECT u.name, o.oid FROM users u LEFT JOIN orders o ON u.id = o.user_id
----
+I[alice, NULL]
+I[bob, NULL]
+I[carol, NULL]
-D[alice, NULL]
+I[alice, 10]
-D[bob, NULL]
+I[bob, 11]
+I[alice, 12]

query final
SELECT u.name, o.oid FROM users u RIGHT JOIN orders o ON u.id = o.user_id
----
+I[alice, 10]
+I[alice, 12]
+I[bob, 11]
+I[NULL, 13]
+I[NULL, 14]

query final
SELECT u.name, o.oid FROM users u FULL OUTER JOIN orders o ON u.id = o.user_id AND o.amount < 8
----
+I[alice, 10]
+I[bob, 11]
+I[carol, NULL]
+I[NULL, 12]
+I[NULL, 13]
+I[NULL, 14]

# the padded row comes back when the last partner is retracted
statement ok
CREATE TABLE order_changes (oid INT, user_id INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,D',
  'data' = '[{"kind": "+I", "row": [10, 1]}, {"kind": "-D", "row": [10, 1]}]')

query
SELECT u.name, o.oid FROM users u LEFT JOIN order_changes o ON u.id = o.user_id WHERE u.id = 1
----
+I[alice, NULL]
-D[alice, NULL]
+I[alice, 10]
-D[alice, 10]
+I[alice, NULL]

statement ok
CREATE TABLE joined_out (name STRING, oid INT) WITH ('connector' = 'kafka', 'topic' = 'x', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json')

statement error doesn't support consuming delete changes which is produced by node Join(joinType=[LeftOuterJoin]
INSERT INTO joined_out SELECT u.name, o.oid FROM users u LEFT JOIN orders o ON u.id = o.user_id

statement error SQL parse error at line 1, column 41: expected one of ON, USING but found end of input
SELECT * FROM users u LEFT JOIN orders o

statement error NATURAL joins and JOIN ... USING are not supported yet
SELECT * FROM users u JOIN users v USING (id)
