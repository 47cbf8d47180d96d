# EXPLAIN: the physical plan with each operator's changelog mode.

statement ok
CREATE TABLE clicks (user_name STRING, url STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'values')

statement ok
CREATE TABLE counts (user_name STRING, cnt BIGINT, PRIMARY KEY (user_name) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'counts', 'properties.bootstrap.servers' = 'localhost:1',
  'key.format' = 'json', 'value.format' = 'json'
)

explain
EXPLAIN SELECT user_name, url FROM clicks WHERE url LIKE '/a%'
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[user_name, url], where=[url LIKE '/a%'], changelogMode=[I])
   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])

explain
EXPLAIN INSERT INTO counts SELECT user_name, COUNT(*) AS cnt FROM clicks GROUP BY user_name
----
== Optimized Physical Plan ==
Sink(table=[default_catalog.default_database.counts], fields=[user_name, cnt], changelogMode=[NONE])
+- GroupAggregate(groupBy=[user_name], select=[user_name, COUNT(*) AS cnt], changelogMode=[I,UB,UA])
   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
      +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])

explain
EXPLAIN SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[window_start, COUNT(*) AS EXPR$1], changelogMode=[I])
   +- WindowAggregate(groupBy=[window_start, window_end], select=[window_start, window_end, COUNT(*) AS EXPR$1], changelogMode=[I])
      +- WindowTableFunction(window=[TUMBLE(time_col=[ts], size=[60000 ms])], changelogMode=[I])
         +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
            +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])

explain
EXPLAIN SELECT url FROM clicks UNION ALL SELECT DISTINCT url FROM clicks
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Union(all=[true], union=[url], changelogMode=[I])
   :- Calc(select=[url], changelogMode=[I])
   :  +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
   :     +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])
   +- GroupAggregate(groupBy=[url], select=[url], changelogMode=[I])
      +- Calc(select=[url], changelogMode=[I])
         +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
            +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])

explain
EXPLAIN SELECT cnt, COUNT(*) FROM counts GROUP BY cnt
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- GroupAggregate(groupBy=[cnt], select=[cnt, COUNT(*) AS EXPR$1], changelogMode=[I,UB,UA,D])
   +- ChangelogNormalize(key=[user_name], changelogMode=[I,UB,UA,D])
      +- TableSourceScan(table=[[default_catalog, default_database, counts]], fields=[user_name, cnt], changelogMode=[UA,D])

explain
EXPLAIN SELECT u.url, c.cnt FROM clicks u JOIN counts c ON u.user_name = c.user_name
----
== Optimized Physical Plan ==
Collect(changelogMode=[NONE])
+- Calc(select=[u.url AS url, c.cnt AS cnt], changelogMode=[I,UB,UA,D])
   +- Join(joinType=[InnerJoin], where=[u.user_name = c.user_name], select=[user_name, url, ts, user_name, cnt], changelogMode=[I,UB,UA,D])
      :- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], changelogMode=[I])
      :  +- TableSourceScan(table=[[default_catalog, default_database, clicks]], fields=[user_name, url, ts], changelogMode=[I])
      +- ChangelogNormalize(key=[user_name], changelogMode=[I,UB,UA,D])
         +- TableSourceScan(table=[[default_catalog, default_database, counts]], fields=[user_name, cnt], changelogMode=[UA,D])
