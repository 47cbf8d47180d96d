/**
 * Checkpoints in process: a windowed count over a Kafka topic with an exactly-once sink, checkpointing
 * every 50 ms. The job is cancelled mid-run (its open transaction is aborted) and a new job with the same
 * key resumes from the latest checkpoint; the sink topic read with read_committed holds each window's
 * count exactly once and equals a run without interruption. Savepoints: stop with savepoint, start a
 * new job from it; a changed query is refused with the operator that does not fit; options errors.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { SqlSession } from '../../src/sql/index.ts';
import { JOB_KEY_OPTION, JOB_RESUME_OPTION } from '../../src/sql/session.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';
import { noComments, ph, readNexmark } from './nexmark-files.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Input: `n` events of 8 keys, one per 10 ms of event time, then one far-future event closing every window. */
function events(n: number): Array<{ k: string; ts: string }> {
  const out: Array<{ k: string; ts: string }> = [];
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++)
    out.push({ k: `k${(i * 7) % 8}`, ts: new Date(base + i * 10).toISOString().slice(0, 23).replace('T', ' ') });
  out.push({ k: 'end', ts: new Date(base + n * 10 + 3_600_000).toISOString().slice(0, 23).replace('T', ' ') });
  return out;
}

/** The expected windowed counts ("k|window_start|cnt"), sorted. */
function expected(evs: Array<{ k: string; ts: string }>): string[] {
  const counts = new Map<string, number>();
  for (const e of evs.slice(0, -1)) {
    const ms = Date.parse(`${e.ts.replace(' ', 'T')}Z`);
    const start = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const key = `${e.k}|${start}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, c]) => `${k}|${c}`).sort();
}

describe('checkpoints and exactly-once Kafka sinks', async () => {
  const tb = await startTestBroker(after);
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());

  async function produce(topic: string, evs: Array<{ k: string; ts: string }>, create = true): Promise<void> {
    if (create) {
      const [created] = await client.admin().createTopics([{ name: topic, numPartitions: 2 }]);
      assert.equal(created?.error, null);
    }
    const p = client.producer({ lingerMs: 5 });
    // the closing event goes to both partitions: the watermark is the minimum over partitions
    await Promise.all(
      evs.flatMap((e, i) =>
        (e.k === 'end' ? [0, 1] : [i % 2]).map((partition) => p.send({ topic, partition, value: JSON.stringify(e) })),
      ),
    );
    await p.flush();
  }

  /** Reads a topic to its end with the given isolation: "k|window_start|cnt" lines, sorted. */
  async function readSink(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    const [end] = await client
      .admin()
      .listOffsets([{ topic, partition: 0, at: 'latest' }], { isolationLevel: isolation });
    const last = end?.offset ?? 0n;
    const out: string[] = [];
    if (last === 0n) return out;
    const c = client.consumer({ autoCommit: false, isolationLevel: isolation, maxWaitMs: 100 });
    try {
      c.assign([{ topic, partition: 0, offset: 0n }]);
      while ((c.position({ topic, partition: 0 }) ?? 0n) < last) {
        for (const r of await c.poll(200)) {
          const v = JSON.parse(r.value!.toString()) as { k: string; window_start: string; cnt: number };
          out.push(`${v.k}|${v.window_start.slice(0, 19)}|${v.cnt}`);
        }
      }
    } finally {
      await c.close();
    }
    return out.sort();
  }

  const ddl = (src: string, sink: string, extra = '') => [
    `CREATE TABLE src (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'kafka',
      'topic' = '${src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    `CREATE TABLE snk (k STRING, window_start TIMESTAMP(3), cnt BIGINT) WITH ('connector' = 'kafka',
      'topic' = '${sink}', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once',
      'sink.transactional-id-prefix' = 'ckpt-test'${extra})`,
  ];
  const insert = `INSERT INTO snk SELECT k, window_start, COUNT(*) AS cnt
    FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end`;

  async function session(options: Record<string, string>, src: string, sink: string): Promise<SqlSession> {
    await client.admin().createTopics([{ name: sink, numPartitions: 1 }]);
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, options, print: () => {} });
    for (const d of ddl(src, sink)) await s.execute(d);
    return s;
  }

  test('a cancelled job resumes from its checkpoint; the committed output equals an uninterrupted run', async () => {
    const evs = events(20_000);
    const src = topicName('ckpt-src');
    await produce(src, evs);
    const want = expected(evs);

    // uninterrupted run (its sink is a different topic)
    const sinkA = topicName('ckpt-a');
    const a = await session(
      { 'execution.checkpointing.interval': '50 ms', [JOB_KEY_OPTION]: topicName('job-a') },
      src,
      sinkA,
    );
    const ra = await a.execute(insert);
    assert.equal(ra.kind, 'job');
    if (ra.kind !== 'job') return;
    let deadline = Date.now() + 60_000;
    while ((await readSink(sinkA, 'read_committed')).length < want.length && Date.now() < deadline) await sleep(100);
    {
      const got = await readSink(sinkA, 'read_committed');
      const missing = want.filter((w) => !got.includes(w));
      const extra = got.filter((g) => !want.includes(g));
      assert.deepEqual(
        { n: got.length, missing: missing.slice(0, 5), extra: extra.slice(0, 5) },
        { n: want.length, missing: [], extra: [] },
      );
    }
    // the commit is visible to readers a moment before the job has counted it
    for (const until = Date.now() + 10_000; ra.job.checkpointStats.completed === 0 && Date.now() < until; )
      await sleep(5);
    assert.ok(ra.job.checkpointStats.completed > 0, 'checkpoints were taken');
    const sizes = ra.job.stateSizes();
    assert.ok(sizes.some((s) => s.operator.startsWith('WindowAggregate') && s.bytes !== null));
    await a.close();

    // interrupted twice: the input arrives in three parts; after each of the first two the job is
    // cancelled (its open transaction aborted) and a new job resumes from the latest checkpoint
    const srcB = topicName('ckpt-src-b');
    const thirds = [evs.slice(0, 7000), evs.slice(7000, 14000), evs.slice(14000)];
    const sinkB = topicName('ckpt-b');
    const key = topicName('job-b');
    let restoredFrom: string | null = null;
    for (let round = 0; round < 3; round++) {
      await produce(srcB, thirds[round]!, round === 0);
      const b = await session(
        {
          'execution.checkpointing.interval': '50 ms',
          [JOB_KEY_OPTION]: key,
          [JOB_RESUME_OPTION]: round > 0 ? 'true' : 'false',
        },
        srcB,
        sinkB,
      );
      const rb = await b.execute(insert);
      if (rb.kind !== 'job') throw new Error('expected a job');
      await rb.job.restored;
      if (round > 0) assert.match(rb.job.checkpointStats.restoredFrom ?? '', /^checkpoint \d+$/);
      if (round < 2) {
        deadline = Date.now() + 30_000;
        while (rb.job.checkpointStats.completed < 2 && Date.now() < deadline) await sleep(5);
        await b.close();
        continue;
      }
      deadline = Date.now() + 60_000;
      while ((await readSink(sinkB, 'read_committed')).length < want.length && Date.now() < deadline) await sleep(100);
      restoredFrom = rb.job.checkpointStats.restoredFrom;
      await sleep(200);
      await b.close();
    }
    assert.match(restoredFrom ?? '', /^checkpoint \d+$/);
    const committed = await readSink(sinkB, 'read_committed');
    assert.deepEqual(committed, want, 'each window count exactly once in the committed output');
  });

  test('stop with savepoint, then a new job from it; a query that changed its state is refused', async () => {
    const evs = events(4_000);
    const src = topicName('sp-src');
    await produce(src, evs);
    const sink = topicName('sp-sink');
    const s1 = await session(
      { 'execution.checkpointing.interval': '1 h', [JOB_KEY_OPTION]: topicName('sp') },
      src,
      sink,
    );
    const r1 = await s1.execute(insert);
    if (r1.kind !== 'job') throw new Error('expected a job');
    await sleep(100);
    const path = await r1.job.stopWithSavepoint();
    assert.match(path, /^savepoint-/);
    assert.equal(r1.job.status, 'CANCELED');
    await s1.close();

    // a changed aggregate (SUM as well as COUNT) does not fit the window operator's state
    const s2 = await session(
      { 'execution.savepoint.path': path, 'execution.checkpointing.interval': '1 h' },
      src,
      sink,
    );
    await assert.rejects(
      s2.execute(`INSERT INTO snk SELECT k, window_start, COUNT(*) + SUM(1) AS cnt
        FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end`),
      (err: Error) => {
        assert.match(
          err.message,
          /Cannot restore savepoint 'savepoint-[^']+': the state of operator \d+:WindowAggregate does not fit/,
        );
        assert.match(err.message, /aggs=\[COUNT\]/);
        assert.match(err.message, /aggs=\[COUNT, SUM\]/);
        return true;
      },
    );
    await s2.close();

    // the same query continues from the savepoint: the output is complete and exact
    const s3 = await session(
      { 'execution.savepoint.path': path, 'execution.checkpointing.interval': '50 ms' },
      src,
      sink,
    );
    const r3 = await s3.execute(insert);
    if (r3.kind !== 'job') throw new Error('expected a job');
    assert.equal(r3.job.checkpointStats.restoredFrom, path);
    const want = expected(evs);
    const deadline = Date.now() + 60_000;
    while ((await readSink(sink, 'read_committed')).length < want.length && Date.now() < deadline) await sleep(100);
    assert.deepEqual(await readSink(sink, 'read_committed'), want);
    await s3.close();

    const s4 = await session(
      { 'execution.savepoint.path': 'savepoint-nope-00000000', 'execution.checkpointing.interval': '1 s' },
      src,
      sink,
    );
    await assert.rejects(s4.execute(insert), /Savepoint 'savepoint-nope-00000000' does not exist/);
    await s4.close();
  });

  test('a nexmark source resumes its event sequence: bids per window equal an uninterrupted run', async () => {
    const ddlGen = noComments(readNexmark('flink/queries/ddl_gen.sql'))
      .replaceAll(`'${ph('TPS')}'`, "'10000'")
      .replace(`'${ph('EVENTS_NUM')}'`, "'150000'")
      .replace(`'${ph('PERSON_PROPORTION')}'`, "'1'")
      .replace(`'${ph('AUCTION_PROPORTION')}'`, "'3'")
      .replace(`'${ph('BID_PROPORTION')}'`, "'46'")
      .replace("'connector' = 'nexmark',", "'connector' = 'nexmark', 'base-time' = '2026-01-01 00:00:00',");
    const views = noComments(readNexmark('flink/queries/ddl_views.sql')).replaceAll(ph('NEXMARK_TABLE'), 'datagen');
    const run = async (sink: string, key: string, resume: boolean) => {
      await client.admin().createTopics([{ name: sink, numPartitions: 1 }]);
      const s = new SqlSession({
        bootstrapServers: tb.bootstrap,
        print: () => {},
        options: {
          'execution.checkpointing.interval': '20 ms',
          [JOB_KEY_OPTION]: key,
          [JOB_RESUME_OPTION]: String(resume),
        },
      });
      await s.executeScript(ddlGen);
      await s.executeScript(views);
      await s.execute(`CREATE TABLE wsink (k STRING, window_start TIMESTAMP(3), cnt BIGINT) WITH ('connector' = 'kafka',
        'topic' = '${sink}', 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once',
        'sink.transactional-id-prefix' = 'nx')`);
      const r =
        await s.execute(`INSERT INTO wsink SELECT CAST(auction % 5 AS STRING) AS k, window_start, COUNT(*) AS cnt
        FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '1' SECOND))
        GROUP BY auction % 5, window_start, window_end`);
      if (r.kind !== 'job') throw new Error('expected a job');
      return { s, job: r.job };
    };
    const sinkA = topicName('nx-a');
    const a = await run(sinkA, topicName('nx-a'), false);
    await a.job.wait();
    await a.s.close();
    const want = await readSink(sinkA, 'read_committed');
    assert.ok(want.length > 50, `windows counted (${want.length})`);

    const sinkB = topicName('nx-b');
    const key = topicName('nx-b');
    const b1 = await run(sinkB, key, false);
    const deadline = Date.now() + 30_000;
    while (b1.job.checkpointStats.completed < 3 && b1.job.status === 'RUNNING' && Date.now() < deadline) await sleep(1);
    assert.equal(b1.job.status, 'RUNNING', 'cancelled mid-run');
    await b1.s.close();
    const b2 = await run(sinkB, key, true);
    await b2.job.wait();
    assert.match(b2.job.checkpointStats.restoredFrom ?? '', /^checkpoint \d+$/);
    await b2.s.close();
    assert.deepEqual(await readSink(sinkB, 'read_committed'), want);
  });

  test('a datagen sequence resumes after its last emitted row: each value committed once', async () => {
    const sink = topicName('dg-sink');
    await client.admin().createTopics([{ name: sink, numPartitions: 1 }]);
    const key = topicName('dg');
    const run = async (resume: boolean) => {
      const s = new SqlSession({
        bootstrapServers: tb.bootstrap,
        print: () => {},
        options: {
          'execution.checkpointing.interval': '30 ms',
          [JOB_KEY_OPTION]: key,
          [JOB_RESUME_OPTION]: String(resume),
        },
      });
      await s.execute(`CREATE TABLE seq (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '30000',
        'rows-per-second' = '20000', 'fields.n.kind' = 'sequence', 'fields.n.start' = '0', 'fields.n.end' = '29999')`);
      await s.execute(`CREATE TABLE out_seq (n BIGINT) WITH ('connector' = 'kafka', 'topic' = '${sink}',
        'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'dg')`);
      const r = await s.execute('INSERT INTO out_seq SELECT n FROM seq');
      if (r.kind !== 'job') throw new Error('expected a job');
      return { s, job: r.job };
    };
    const first = await run(false);
    const deadline = Date.now() + 30_000;
    while (first.job.checkpointStats.completed < 3 && Date.now() < deadline) await sleep(5);
    assert.equal(first.job.status, 'RUNNING', 'cancelled mid-run');
    await first.s.close();
    const second = await run(true);
    await second.job.wait();
    assert.match(second.job.checkpointStats.restoredFrom ?? '', /^checkpoint \d+$/);
    await second.s.close();
    const [end] = await client.admin().listOffsets([{ topic: sink, partition: 0, at: 'latest' }], {
      isolationLevel: 'read_committed',
    });
    const c = client.consumer({ autoCommit: false, isolationLevel: 'read_committed', maxWaitMs: 50 });
    const values: number[] = [];
    c.assign([{ topic: sink, partition: 0, offset: 0n }]);
    while ((c.position({ topic: sink, partition: 0 }) ?? 0n) < end!.offset)
      for (const r of await c.poll(100)) values.push((JSON.parse(r.value!.toString()) as { n: number }).n);
    await c.close();
    values.sort((a, b) => a - b);
    assert.equal(values.length, 30_000);
    assert.deepEqual(
      values,
      Array.from({ length: 30_000 }, (_, i) => i),
    );
  });

  test('exactly-once sinks need checkpointing and a transactional id prefix', async () => {
    const s = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    await s.execute(`CREATE TABLE src2 (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '5')`);
    await assert.rejects(
      s
        .execute(`CREATE TABLE bad (k STRING) WITH ('connector' = 'kafka', 'topic' = 'x', 'format' = 'json',
        'sink.delivery-guarantee' = 'exactly-once')`)
        .then(() => s.execute('INSERT INTO bad SELECT k FROM src2')),
      /sink\.transactional-id-prefix must be specified when using DeliveryGuarantee\.EXACTLY_ONCE/,
    );
    await s.execute(`CREATE TABLE eo (k STRING) WITH ('connector' = 'kafka', 'topic' = '${topicName('eo')}',
      'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'p')`);
    await assert.rejects(
      s.execute('INSERT INTO eo SELECT k FROM src2'),
      /checkpointing is disabled: set 'execution.checkpointing.interval'/,
    );
    await assert.rejects(
      s
        .execute(`CREATE TABLE g (k STRING) WITH ('connector' = 'kafka', 'topic' = 'x', 'format' = 'json',
        'sink.delivery-guarantee' = 'twice')`)
        .then(() => s.execute('INSERT INTO g SELECT k FROM src2')),
      /Could not parse value 'twice' for key 'sink.delivery-guarantee'/,
    );
    // a bounded job with an exactly-once sink commits at its end
    const topic = topicName('eo-bounded');
    await s.execute(`CREATE TABLE eo2 (k STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}',
      'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'p')`);
    await s.execute(`SET 'execution.checkpointing.interval' = '1 h'`);
    const r = await s.execute('INSERT INTO eo2 SELECT k FROM src2');
    if (r.kind !== 'job') throw new Error('expected a job');
    await r.job.wait();
    const [end] = await client
      .admin()
      .listOffsets([{ topic, partition: 0, at: 'latest' }], { isolationLevel: 'read_committed' });
    assert.equal(end?.offset, 6n, '5 records and the commit marker');
    await s.close();
  });
});
