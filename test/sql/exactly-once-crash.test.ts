/**
 * Exactly-once through SIGKILL: the platform runs as a child process with a windowed aggregation
 * statement writing to an exactly-once Kafka sink (checkpoints every second). The input arrives in five
 * parts; after each of the first four the platform is killed with SIGKILL at a random moment and started
 * again on the same data dir, and the statement resumes from its last checkpoint. The sink topic read with
 * read_committed must equal the result of the same statement run without crashes — each window's count
 * exactly once, none lost, none twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { type ChildPlatform, killChild, startChildPlatform } from '../helpers/child-platform.ts';
import { removeDir, tempDir } from '../server/api-helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BASE = Date.UTC(2026, 0, 1);
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');

interface Ev {
  k: string;
  v: number;
  ts: string;
}

/** `n` events over 12 keys, 5 ms of event time apart, then an event an hour later closing every window. */
function events(n: number): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) out.push({ k: `k${(i * 5) % 12}`, v: i % 97, ts: stamp(BASE + i * 5) });
  out.push({ k: 'end', v: 0, ts: stamp(BASE + n * 5 + 3_600_000) });
  return out;
}

/** "k|window_start|cnt|total" per closed window, sorted. */
function expected(evs: Ev[]): string[] {
  const m = new Map<string, [number, number]>();
  for (const e of evs) {
    if (e.k === 'end') continue;
    const start = stamp(Math.floor(Date.parse(`${e.ts.replace(' ', 'T')}Z`) / 1000) * 1000).slice(0, 19);
    const key = `${e.k}|${start}`;
    const c = m.get(key) ?? [0, 0];
    c[0]++;
    c[1] += e.v;
    m.set(key, c);
  }
  return [...m].map(([k, [c, s]]) => `${k}|${c}|${s}`).sort();
}

async function api(
  p: ChildPlatform,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
): Promise<{ status: number; body: any }> {
  const r = await fetch(`${p.api}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** A topic's records read to its end with read_committed (or uncommitted), as sorted lines. */
async function readSink(bootstrap: string, topic: string, committed = true): Promise<string[]> {
  const client = new Client({ bootstrapServers: bootstrap });
  const isolationLevel = committed ? 'read_committed' : 'read_uncommitted';
  try {
    const [end] = await client.admin().listOffsets([{ topic, partition: 0, at: 'latest' }], { isolationLevel });
    const last = end?.offset ?? 0n;
    const out: string[] = [];
    if (last === 0n) return out;
    const c = client.consumer({ autoCommit: false, isolationLevel, maxWaitMs: 100 });
    c.assign([{ topic, partition: 0, offset: 0n }]);
    while ((c.position({ topic, partition: 0 }) ?? 0n) < last) {
      for (const r of await c.poll(200)) {
        const v = JSON.parse(r.value!.toString()) as { k: string; window_start: string; cnt: number; total: number };
        out.push(`${v.k}|${v.window_start.slice(0, 19)}|${v.cnt}|${v.total}`);
      }
    }
    await c.close();
    return out.sort();
  } finally {
    await client.close();
  }
}

async function produce(bootstrap: string, topic: string, evs: Ev[]): Promise<void> {
  const client = new Client({ bootstrapServers: bootstrap });
  try {
    const p = client.producer({ lingerMs: 5, acks: -1 });
    await Promise.all(
      evs.flatMap((e, i) =>
        (e.k === 'end' ? [0, 1] : [i % 2]).map((partition) => p.send({ topic, partition, value: JSON.stringify(e) })),
      ),
    );
    await p.flush();
  } finally {
    await client.close();
  }
}

test('SIGKILL during a windowed aggregation: the read_committed sink equals a run without crashes', async (t) => {
  const dir = tempDir('tributary-eo-crash-');
  let p: ChildPlatform | null = null;
  t.after(async () => {
    if (p) await killChild(p.proc);
    removeDir(dir);
  });
  p = await startChildPlatform(dir);
  const client = new Client({ bootstrapServers: p.bootstrap });
  const made = await client.admin().createTopics([
    { name: 'eo-src', numPartitions: 2 },
    { name: 'eo-out', numPartitions: 1 },
    { name: 'eo-ref', numPartitions: 1 },
  ]);
  await client.close();
  for (const m of made) assert.equal(m.error, null);
  const ddl = [
    `CREATE TABLE eo_src (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'kafka',
      'topic' = 'eo-src', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    `CREATE TABLE eo_out (k STRING, window_start TIMESTAMP(3), cnt BIGINT, total INT) WITH ('connector' = 'kafka',
      'topic' = 'eo-out', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'eo')`,
    `CREATE TABLE eo_ref (k STRING, window_start TIMESTAMP(3), cnt BIGINT, total INT) WITH ('connector' = 'kafka',
      'topic' = 'eo-ref', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'ref')`,
  ];
  for (const sql of ddl) assert.equal((await api(p, 'POST', '/api/v1/statements', { sql })).status, 201);
  const query = (sink: string) => `INSERT INTO ${sink} SELECT k, window_start, COUNT(*) AS cnt, SUM(v) AS total
    FROM TABLE(TUMBLE(TABLE eo_src, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end`;
  const created = await api(p, 'POST', '/api/v1/statements', {
    name: 'eo-agg',
    sql: query('eo_out'),
    properties: { 'execution.checkpointing.interval': '1 s' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const evs = events(100_000);
  const parts = 5;
  const size = Math.ceil((evs.length - 1) / parts);
  let kills = 0;
  for (let r = 0; r < parts; r++) {
    const part = r === parts - 1 ? evs.slice(r * size) : evs.slice(r * size, (r + 1) * size);
    await produce(p.bootstrap, 'eo-src', part);
    if (r === parts - 1) break;
    // kill at a random moment while the part is being processed (and checkpoints committed)
    await sleep(100 + Math.floor(Math.random() * 1000));
    await killChild(p.proc);
    kills++;
    p = await startChildPlatform(dir);
    const st = await api(p, 'GET', '/api/v1/statements/eo-agg');
    assert.equal(st.body.status, 'RUNNING', JSON.stringify(st.body));
  }
  const want = expected(evs);
  let got: string[] = [];
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(200)) {
    got = await readSink(p.bootstrap, 'eo-out');
    if (got.length >= want.length) break;
  }
  await sleep(500);
  got = await readSink(p.bootstrap, 'eo-out');
  const st = await api(p, 'GET', '/api/v1/statements/eo-agg');
  assert.equal(st.body.status, 'RUNNING');
  assert.match(st.body.state.checkpoints.restoredFrom, /^checkpoint \d+$/, 'resumed from a checkpoint');
  assert.ok(
    st.body.state.operators.some((o: { operator: string; entries: number }) =>
      o.operator.startsWith('WindowAggregate'),
    ),
  );

  // the same statement without crashes
  const ref = await api(p, 'POST', '/api/v1/statements', {
    name: 'eo-ref-agg',
    sql: query('eo_ref'),
    properties: { 'execution.checkpointing.interval': '200 ms' },
  });
  assert.equal(ref.status, 201);
  let clean: string[] = [];
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(200)) {
    clean = await readSink(p.bootstrap, 'eo-ref');
    if (clean.length >= want.length) break;
  }
  assert.equal(kills, parts - 1);
  // records of transactions the kills aborted are in the log but not in the committed view
  const raw = await readSink(p.bootstrap, 'eo-out', false);
  t.diagnostic(`${kills} kills; sink log ${raw.length} records, ${got.length} committed, ${want.length} expected`);
  const dupes = got.length - new Set(got).size;
  assert.equal(dupes, 0, 'no window result twice');
  assert.deepEqual(clean, want, 'the run without crashes computes the expected counts');
  assert.deepEqual(got, clean, 'the crashed run equals the run without crashes');
});
