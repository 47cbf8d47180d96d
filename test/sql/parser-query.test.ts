// Queries: SELECT clauses, joins, window TVFs, OVER, MATCH_RECOGNIZE, hints, set operations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Query, Select, Statement, TableRef } from '../../src/sql/parser/index.ts';
import { as, roundTrip } from './parser-helpers.ts';

function select(sql: string): Select {
  return as(query(sql).body, 'Select');
}
function query(sql: string): Query {
  return as(roundTrip(sql) as Statement, 'Query');
}
function from(sql: string): TableRef {
  return select(sql).from!;
}

test('SELECT DISTINCT, aliases with and without AS, star and qualified star', () => {
  const s = select('SELECT DISTINCT a, b AS x, c y, t.*, * FROM t');
  assert.equal(s.quantifier, 'DISTINCT');
  assert.deepEqual(
    s.items.map((i) => i.alias?.value ?? null),
    [null, 'x', 'y', null, null],
  );
  assert.deepEqual(as(s.items[3].expr, 'Star').qualifier[0].value, 't');
  assert.deepEqual(as(s.items[4].expr, 'Star').qualifier, []);
});

test('identifiers keep their case; backquotes allow reserved words and escapes', () => {
  const s = select('SELECT MyCol, `select`, `a``b`, `dateTime` FROM `My Table`');
  assert.deepEqual(
    s.items.map((i) => {
      const id = as(i.expr, 'ColumnRef').names[0];
      return [id.value, id.quoted];
    }),
    [
      ['MyCol', false],
      ['select', true],
      ['a`b', true],
      ['dateTime', true],
    ],
  );
  assert.equal(as(s.from!, 'TableName').name[0].value, 'My Table');
});

test('joins: INNER/LEFT/RIGHT/FULL OUTER/CROSS/comma, ON and USING, nested', () => {
  const j = as(
    from(
      'SELECT * FROM a INNER JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (y) RIGHT JOIN d ON TRUE FULL JOIN e ON 1 = 1 CROSS JOIN f, g',
    ),
    'Join',
  );
  const kinds: string[] = [];
  let cur: TableRef = j;
  while (cur.kind === 'Join') {
    kinds.unshift(`${cur.type}${cur.explicitKeyword ? '+' : ''}`);
    cur = cur.left;
  }
  assert.deepEqual(kinds, ['INNER+', 'LEFT+', 'RIGHT', 'FULL', 'CROSS', 'COMMA']);
  const nested = as(from('SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x'), 'Join');
  assert.equal(nested.right.kind, 'Join');
});

test('LATERAL TABLE, UNNEST and subqueries in FROM', () => {
  const j = as(from('SELECT * FROM t, LATERAL TABLE(split(s)) AS w (word, len)'), 'Join');
  const lat = as(j.right, 'TableFunctionRef');
  assert.equal(lat.lateral, true);
  assert.deepEqual(
    lat.alias?.columns?.map((c) => c.value),
    ['word', 'len'],
  );
  const u = as(
    as(from('SELECT * FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS x (v, i)'), 'Join').right,
    'UnnestRef',
  );
  assert.equal(u.withOrdinality, true);
  const sub = as(from('SELECT * FROM (SELECT 1 AS a) q'), 'SubqueryRef');
  assert.equal(sub.alias?.name.value, 'q');
});

test('window TVFs: TUMBLE, HOP, CUMULATE, SESSION with PARTITION BY, and named arguments', () => {
  const tumble = as(
    from("SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))"),
    'TableFunctionRef',
  );
  assert.equal(tumble.call.name[0].value, 'TUMBLE');
  assert.equal(as(tumble.call.args[0], 'TableArg').name[0].value, 'bid');
  assert.equal(as(tumble.call.args[1], 'Descriptor').columns[0].value, 'dateTime');
  const hop = as(
    from("SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))"),
    'TableFunctionRef',
  );
  assert.equal(hop.call.args.length, 4);
  const cum = as(
    from("SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR))"),
    'TableFunctionRef',
  );
  assert.equal(cum.call.name[0].value, 'CUMULATE');
  const session = as(
    from("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTE))"),
    'TableFunctionRef',
  );
  assert.equal(as(session.call.args[0], 'TableArg').partitionBy.length, 1);
  const named = as(
    from(
      "SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTES, `OFFSET` => INTERVAL '1' MINUTE))",
    ),
    'TableFunctionRef',
  );
  assert.deepEqual(
    named.call.args.map((a) => `${as(a, 'NamedArg').name.value}:${as(a, 'NamedArg').value.kind}`),
    ['DATA:TableArg', 'TIMECOL:Descriptor', 'SIZE:IntervalLit', 'OFFSET:IntervalLit'],
  );
});

test('temporal join FOR SYSTEM_TIME AS OF and interval join predicates', () => {
  const j = as(from('SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur'), 'Join');
  const r = as(j.right, 'TableName');
  assert.equal(
    as(r.systemTime!, 'ColumnRef')
      .names.map((n) => n.value)
      .join('.'),
    'o.ts',
  );
  assert.equal(r.alias?.name.value, 'r');
  const w = select("SELECT * FROM a, b WHERE a.id = b.id AND a.ts BETWEEN b.ts - INTERVAL '4' HOUR AND b.ts").where!;
  const between = as(as(w, 'Binary').right, 'Between');
  assert.equal(as(between.low, 'Binary').op, '-');
});

test('table hints /*+ OPTIONS(...) */ and query hints are kept', () => {
  const t = as(
    from("SELECT * FROM kafka_t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset', 'k' = 'v') */ AS k"),
    'TableName',
  );
  assert.equal(t.hints[0].name.value, 'OPTIONS');
  assert.deepEqual(
    t.hints[0].args?.map((a) => (a.kind === 'HintKv' ? [a.key, a.value] : null)),
    [
      ['scan.startup.mode', 'earliest-offset'],
      ['k', 'v'],
    ],
  );
  assert.equal(t.alias?.name.value, 'k');
  const s = select("SELECT /*+ BROADCAST(dim), STATE_TTL('o' = '1d'), NO_ARGS */ * FROM o JOIN dim ON o.k = dim.k");
  assert.deepEqual(
    s.hints.map((h) => [h.name.value, h.args?.length ?? -1]),
    [
      ['BROADCAST', 1],
      ['STATE_TTL', 1],
      ['NO_ARGS', -1],
    ],
  );
});

test('WHERE, GROUP BY with GROUPING SETS/ROLLUP/CUBE, HAVING, ORDER BY, LIMIT, OFFSET, FETCH', () => {
  const q = query(
    'SELECT a, b, COUNT(*) FROM t WHERE x > 0 GROUP BY GROUPING SETS ((a, b), (a), ()), ROLLUP (a, b), CUBE (b), a HAVING COUNT(*) > 1 ORDER BY a DESC NULLS LAST, b LIMIT 10 OFFSET 5',
  );
  const s = as(q.body, 'Select');
  const gs = as(s.groupBy![0], 'GroupingSets');
  assert.equal(gs.type, 'GROUPING SETS');
  assert.deepEqual(
    gs.sets.map((x) => x.length),
    [2, 1, 0],
  );
  assert.equal(as(s.groupBy![1], 'GroupingSets').type, 'ROLLUP');
  assert.equal(as(s.groupBy![2], 'GroupingSets').type, 'CUBE');
  assert.equal(s.groupBy![3].kind, 'ColumnRef');
  assert.equal(q.orderBy?.[0].direction, 'DESC');
  assert.equal(q.orderBy?.[0].nulls, 'LAST');
  assert.equal(as(q.limit!, 'NumberLit').text, '10');
  assert.equal(as(q.offset!, 'NumberLit').text, '5');
  const f = query('SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS ONLY');
  assert.equal(as(f.fetch!, 'NumberLit').text, '3');
});

test('OVER windows: ROW_NUMBER top-N, ROWS/RANGE frames, named WINDOW', () => {
  const s = select(`SELECT
      ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY ts DESC) AS rn,
      AVG(price) OVER (PARTITION BY s ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW),
      SUM(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW),
      MAX(x) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING),
      MIN(x) OVER w,
      COUNT(*) OVER (w ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
    FROM t WINDOW w AS (PARTITION BY k ORDER BY ts)`);
  const calls = s.items.map((i) => as(i.expr, 'FunctionCall'));
  const rn = calls[0].over;
  assert.ok(rn && rn.kind === 'WindowSpec');
  assert.equal(rn.partitionBy.length, 2);
  assert.equal(rn.orderBy[0].direction, 'DESC');
  const avg = calls[1].over;
  assert.ok(avg && avg.kind === 'WindowSpec');
  assert.equal(avg.frame?.units, 'ROWS');
  assert.equal(avg.frame?.start.type, 'PRECEDING');
  assert.equal(as(avg.frame!.start.offset!, 'NumberLit').text, '10');
  assert.equal(avg.frame?.end?.type, 'CURRENT ROW');
  const sum = calls[2].over;
  assert.ok(sum && sum.kind === 'WindowSpec');
  assert.equal(sum.frame?.units, 'RANGE');
  assert.equal(sum.frame?.start.offset?.kind, 'IntervalLit');
  const max = calls[3].over;
  assert.ok(max && max.kind === 'WindowSpec');
  assert.equal(max.frame?.start.type, 'UNBOUNDED PRECEDING');
  assert.equal(max.frame?.end, undefined);
  assert.equal(calls[4].over?.kind, 'Identifier');
  const ext = calls[5].over;
  assert.ok(ext && ext.kind === 'WindowSpec');
  assert.equal(ext.base?.value, 'w');
  assert.equal(s.windows?.[0].name.value, 'w');
});

test('aggregates: COUNT(*), COUNT(DISTINCT x), FILTER (WHERE ...), WITHIN GROUP', () => {
  const s = select(
    "SELECT COUNT(*), COUNT(DISTINCT bidder) FILTER (WHERE price < 10000), LISTAGG(s, ',') WITHIN GROUP (ORDER BY s) FROM bid",
  );
  const [star, distinct, listagg] = s.items.map((i) => as(i.expr, 'FunctionCall'));
  assert.equal(star.args[0].kind, 'Star');
  assert.equal(distinct.quantifier, 'DISTINCT');
  assert.equal(as(distinct.filter!, 'Binary').op, '<');
  assert.equal(listagg.withinGroup?.length, 1);
});

test('set operations: UNION [ALL], INTERSECT binds tighter, EXCEPT, parenthesised operands', () => {
  const q = query('SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4');
  const top = as(q.body, 'SetOperation');
  assert.equal(top.op, 'EXCEPT');
  const union = as(top.left, 'SetOperation');
  assert.equal(union.op, 'UNION');
  assert.equal(union.quantifier, 'ALL');
  assert.equal(as(union.right, 'SetOperation').op, 'INTERSECT');
  const p = query('(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3');
  assert.equal(as(as(p.body, 'SetOperation').left, 'Query').body.kind, 'SetOperation');
});

test('WITH (CTEs) and subqueries: IN, NOT IN, EXISTS, scalar', () => {
  const q = query(
    'WITH a AS (SELECT 1 AS x), b (y) AS (SELECT 2) SELECT * FROM a WHERE x IN (SELECT y FROM b) AND NOT EXISTS (SELECT 1 FROM b) AND x NOT IN (1, 2) AND x = (SELECT MAX(y) FROM b)',
  );
  assert.deepEqual(
    q.with?.map((c) => [c.name.value, c.columns?.map((x) => x.value) ?? []]),
    [
      ['a', []],
      ['b', ['y']],
    ],
  );
  const w = as(q.body, 'Select').where!;
  const kinds: string[] = [];
  const walk = (e: typeof w): void => {
    if (e.kind === 'Binary' && e.op === 'AND') {
      walk(e.left);
      walk(e.right);
    } else kinds.push(e.kind === 'Unary' ? `NOT ${e.expr.kind}` : e.kind === 'Binary' ? e.right.kind : e.kind);
  };
  walk(w);
  assert.deepEqual(kinds, ['InSubquery', 'NOT Exists', 'InList', 'ScalarSubquery']);
});

test('MATCH_RECOGNIZE: all clauses and pattern quantifiers', () => {
  const mr = as(
    from(`SELECT * FROM ticker MATCH_RECOGNIZE (
      PARTITION BY symbol
      ORDER BY rowtime
      MEASURES FIRST(A.rowtime) AS start_t, FINAL LAST(C.price) AS last_price, MATCH_NUMBER() AS n
      ALL ROWS PER MATCH
      AFTER MATCH SKIP TO FIRST C
      PATTERN (^ A B*? C+ (D | E){2,4} F? G{3} H{2,}? PERMUTE(X, Y) {- Z -} $) WITHIN INTERVAL '1' HOUR
      SUBSET U = (A, B)
      DEFINE A AS A.price > 10, B AS B.price < PREV(B.price), C AS AVG(C.price) > 5
    ) AS T`),
    'MatchRecognize',
  );
  assert.equal(mr.partitionBy.length, 1);
  assert.equal(mr.measures.length, 3);
  assert.equal(as(mr.measures[1].expr, 'FunctionCall').semantics, 'FINAL');
  assert.equal(mr.rowsPerMatch, 'ALL ROWS PER MATCH');
  assert.deepEqual([mr.afterMatch?.type, mr.afterMatch?.variable?.value], ['TO FIRST', 'C']);
  assert.equal(mr.within?.qualifier.start, 'HOUR');
  assert.equal(mr.subsets[0].vars.length, 2);
  assert.equal(mr.define.length, 3);
  assert.equal(mr.alias?.name.value, 'T');
  const seq = as(mr.pattern, 'PatternSeq');
  const summary = seq.terms.map((t) =>
    t.kind === 'PatternQuant' ? `${t.term.kind}{${t.min},${t.max ?? ''}}${t.reluctant ? '?' : ''}` : t.kind,
  );
  assert.deepEqual(summary, [
    'PatternAnchor',
    'PatternVar',
    'PatternVar{0,}?',
    'PatternVar{1,}',
    'PatternGroup{2,4}',
    'PatternVar{0,1}',
    'PatternVar{3,3}',
    'PatternVar{2,}?',
    'PatternPermute',
    'PatternExclude',
    'PatternAnchor',
  ]);
  const skips = ['SKIP PAST LAST ROW', 'SKIP TO NEXT ROW', 'SKIP TO LAST B', 'SKIP TO B'].map(
    (skip) =>
      as(
        from(
          `SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts MEASURES A.x AS x ONE ROW PER MATCH AFTER MATCH ${skip} PATTERN (A B) DEFINE A AS TRUE)`,
        ),
        'MatchRecognize',
      ).afterMatch?.type,
  );
  assert.deepEqual(skips, ['PAST LAST ROW', 'TO NEXT ROW', 'TO LAST', 'TO']);
});

test('VALUES as a query', () => {
  const q = query("VALUES (1, 'a'), (2, 'b')");
  assert.deepEqual(
    as(q.body, 'Values').rows.map((r) => r.length),
    [2, 2],
  );
});

test('table arguments: one PARTITION BY key bare, several in parentheses, ORDER BY', () => {
  const one = as(
    from("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' MINUTE))"),
    'TableFunctionRef',
  );
  assert.equal(one.call.args.length, 3);
  const two = as(
    from("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY (bidder, auction), DESCRIPTOR(ts), INTERVAL '5' MINUTE))"),
    'TableFunctionRef',
  );
  assert.deepEqual(
    as(two.call.args[0], 'TableArg').partitionBy.map((e) => as(e, 'ColumnRef').names[0].value),
    ['bidder', 'auction'],
  );
  const ordered = as(
    from('SELECT * FROM TABLE(f(r => TABLE t PARTITION BY k ORDER BY ts DESC, n => 1))'),
    'TableFunctionRef',
  );
  const arg = as(as(ordered.call.args[0], 'NamedArg').value, 'TableArg');
  assert.equal(arg.orderBy[0].direction, 'DESC');
  assert.equal(ordered.call.args.length, 2);
});
