/**
 * Savepoints and state through the statement service (in process, real broker): a running INSERT
 * reports its checkpoints and per-operator state; `STOP JOB '<name>' WITH SAVEPOINT` answers the
 * savepoint path; a new statement with `execution.savepoint.path` continues from it (exact counts, each
 * once); one whose query's state does not fit is refused (400) naming the operator; a stop and resume
 * continues from the stop's checkpoint without duplicates.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { CheckpointStore } from '../../src/sql/runtime/state/checkpoints.ts';
import { StatementService } from '../../src/sql/service/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('statement service: checkpoints, state and savepoints', async () => {
  const tb = await startTestBroker(after, { 'group.initial.rebalance.delay.ms': '0' });
  const svc = await StatementService.start({ bootstrapServers: tb.bootstrap, topic: topicName('sp-statements') });
  after(() => svc.close());
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());
  const admin = client.admin();
  const producer = client.producer();

  /** Upsert-style counts per key as the sink holds them (read_committed): key → latest count. */
  async function counts(topic: string): Promise<Map<string, number>> {
    const [end] = await admin.listOffsets([{ topic, partition: 0, at: 'latest' }], {
      isolationLevel: 'read_committed',
    });
    const out = new Map<string, number>();
    if ((end?.offset ?? 0n) === 0n) return out;
    const c = client.consumer({ autoCommit: false, isolationLevel: 'read_committed', maxWaitMs: 50 });
    try {
      c.assign([{ topic, partition: 0, offset: 0n }]);
      while ((c.position({ topic, partition: 0 }) ?? 0n) < end!.offset)
        for (const r of await c.poll(100)) {
          const k = JSON.parse(r.key!.toString()) as { k: string };
          if (r.value === null) out.delete(k.k);
          else out.set(k.k, (JSON.parse(r.value.toString()) as { n: number }).n);
        }
    } finally {
      await c.close();
    }
    return out;
  }

  const send = async (topic: string, keys: string[]) => {
    for (const k of keys) await producer.send({ topic, partition: 0, value: JSON.stringify({ k }) });
  };

  test('stop with savepoint, resume from it in a new statement; a query that does not fit is refused', async () => {
    const [src, dst] = [topicName('svc-sp-src'), topicName('svc-sp-dst')];
    for (const name of [src, dst]) await admin.createTopics([{ name, numPartitions: 1 }]);
    await send(src, ['a', 'b', 'a']);
    await svc.create({
      sql: `CREATE TABLE sp_in (k STRING) WITH ('connector' = 'kafka', 'topic' = '${src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    });
    await svc.create({
      sql: `CREATE TABLE sp_out (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
        'topic' = '${dst}', 'key.format' = 'json', 'value.format' = 'json',
        'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'sp')`,
    });
    const props = { 'execution.checkpointing.interval': '100 ms' };
    const first = await svc.create({
      name: 'sp-count',
      sql: 'INSERT INTO sp_out SELECT k, COUNT(*) AS n FROM sp_in GROUP BY k',
      properties: props,
    });
    assert.equal(first.status, 'RUNNING');
    await until('counts a=2 b=1', async () => {
      const m = await counts(dst);
      return m.get('a') === 2 && m.get('b') === 1 ? true : undefined;
    });
    // the commit is visible to readers a moment before the job has counted it
    const running = await until('a completed checkpoint', () => {
      const info = svc.get('sp-count');
      return (info.state?.checkpoints.completed ?? 0) > 0 ? info : undefined;
    });
    assert.ok(running.state, 'a running INSERT reports its state');
    const agg = running.state.operators.find((o) => o.operator.startsWith('GroupAggregate'));
    assert.equal(agg?.entries, 2, 'two keys held');
    assert.ok((agg?.bytes ?? 0) > 0);

    // STOP JOB as SQL: the savepoint path comes back as a row
    const stop = await svc.create({ sql: "STOP JOB 'sp-count' WITH SAVEPOINT" });
    assert.equal(stop.status, 'COMPLETED');
    const path = svc.results(stop.name).rows[0]!.row[0] as string;
    assert.match(path, /^savepoint-sp-count-[0-9a-f]{8}$/);
    assert.equal(svc.get('sp-count').status, 'STOPPED');
    assert.equal(svc.get('sp-count').savepoint, path);

    await send(src, ['b', 'c']);
    // a different aggregate cannot use the savepoint's state
    await assert.rejects(
      svc.create({
        sql: 'INSERT INTO sp_out SELECT k, SUM(1) AS n FROM sp_in GROUP BY k',
        properties: { ...props, 'execution.savepoint.path': path },
      }),
      (err: Error) => {
        assert.match(
          err.message,
          /does not fit the query .* holding GroupAggregate\(\[STRING\]\) keys=1 aggs=\[COUNT\]/,
        );
        assert.match(err.message, /needing GroupAggregate\(\[STRING\]\) keys=1 aggs=\[SUM\]/);
        return true;
      },
    );
    // the same query continues from the savepoint: the input is not counted twice
    const second = await svc.create({
      name: 'sp-count-2',
      sql: 'INSERT INTO sp_out SELECT k, COUNT(*) AS n FROM sp_in GROUP BY k',
      properties: { ...props, 'execution.savepoint.path': path },
    });
    assert.equal(second.status, 'RUNNING');
    await until('counts a=2 b=2 c=1', async () => {
      const m = await counts(dst);
      return m.get('a') === 2 && m.get('b') === 2 && m.get('c') === 1 ? true : undefined;
    });
    assert.equal(svc.get('sp-count-2').state?.checkpoints.restoredFrom, path);

    // stop (a last checkpoint) and resume: continues where it stopped
    assert.equal((await svc.stop('sp-count-2')).status, 'STOPPED');
    await send(src, ['c']);
    assert.equal((await svc.resume('sp-count-2')).status, 'RUNNING');
    await until('counts c=2', async () => ((await counts(dst)).get('c') === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([...(await counts(dst))].sort(), [
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ]);
    await assert.rejects(svc.create({ sql: "STOP JOB 'nope' WITH SAVEPOINT" }), /statement "nope" not found/);
    const store = new CheckpointStore({ bootstrapServers: tb.bootstrap });
    after(() => store.close());
    assert.ok(await store.latest('sp-count-2'), 'a running statement has a checkpoint');
    await svc.delete('sp-count-2');
    assert.equal(await store.latest('sp-count-2'), null, 'a deleted statement leaves no checkpoint to resume');
  });

  test('table.exec.state.ttl drops idle keys: a key seen again after the TTL counts from zero', async () => {
    const [src, dst] = [topicName('svc-ttl-src'), topicName('svc-ttl-dst')];
    for (const name of [src, dst]) await admin.createTopics([{ name, numPartitions: 1 }]);
    await svc.create({
      sql: `CREATE TABLE ttl_in (k STRING) WITH ('connector' = 'kafka', 'topic' = '${src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')`,
    });
    await svc.create({
      sql: `CREATE TABLE ttl_out (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
        'topic' = '${dst}', 'key.format' = 'json', 'value.format' = 'json')`,
    });
    await svc.create({
      name: 'ttl-count',
      sql: 'INSERT INTO ttl_out SELECT k, COUNT(*) AS n FROM ttl_in GROUP BY k',
      properties: { 'table.exec.state.ttl': '300 ms' },
    });
    await send(src, ['x', 'x']);
    await until('x=2', async () => ((await counts(dst)).get('x') === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 700));
    await send(src, ['x', 'y']);
    await until('y=1', async () => ((await counts(dst)).get('y') === 1 ? true : undefined));
    // x's state expired: its count restarted (Flink's NeverReturnExpired), 1 rather than 3
    assert.equal((await counts(dst)).get('x'), 1);
    await svc.delete('ttl-count');
  });
});
