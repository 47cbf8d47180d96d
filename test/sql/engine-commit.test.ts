/**
 * The `kafka` source commits its group's positions only after the job's
 * sinks delivered the rows read before them: with a sink whose delivery is
 * held back, nothing is committed; once it delivers, the positions are.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { registerConnector, SqlSession } from '../../src/sql/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

/** A sink whose flush waits for `open()`; rows are counted as delivered when it resolves. */
function gatedSink() {
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { written: 0, delivered: 0 };
  registerConnector({
    identifier: 'test-gated',
    requiredOptions: [],
    optionalOptions: [],
    sink: () => ({
      accepts: 'all',
      create: () => ({
        write() {
          state.written++;
        },
        flush: async () => {
          const upTo = state.written;
          await gate;
          state.delivered = Math.max(state.delivered, upTo);
        },
        close: async () => {},
      }),
    }),
  });
  return {
    state,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kafka source commits after delivery', async () => {
  const tb = await startTestBroker(after);
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());

  test('positions are committed only once the sink has delivered the rows before them', async () => {
    const topic = topicName('commit-src');
    const group = topicName('commit-group');
    const [created] = await client.admin().createTopics([{ name: topic, numPartitions: 1 }]);
    assert.equal(created?.error, null);
    const producer = client.producer();
    for (let i = 0; i < 10; i++) await producer.send({ topic, value: JSON.stringify({ n: i }) });
    await producer.flush();
    const sink = gatedSink();
    const s = new SqlSession({ bootstrapServers: tb.bootstrap });
    await s.execute(
      `CREATE TABLE src (n INT) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json',
        'scan.startup.mode' = 'earliest-offset', 'properties.group.id' = '${group}',
        'properties.enable.auto.commit' = 'true', 'properties.auto.commit.interval.ms' = '20')`,
    );
    await s.execute(`CREATE TABLE out_t (n INT) WITH ('connector' = 'test-gated')`);
    const r = await s.execute('INSERT INTO out_t SELECT n FROM src');
    assert.equal(r.kind, 'job');
    const committed = async () =>
      (await client.admin().fetchOffsets(group)).find((o) => o.topic === topic && o.partition === 0)?.offset ?? -1n;
    let deadline = Date.now() + 30_000;
    while (sink.state.written < 10 && Date.now() < deadline) await sleep(20);
    assert.equal(sink.state.written, 10, 'the job read every record');
    await sleep(300);
    assert.ok((await committed()) <= 0n, 'nothing committed while the sink holds the rows back');
    sink.open();
    deadline = Date.now() + 30_000;
    while ((await committed()) < 10n && Date.now() < deadline) await sleep(50);
    assert.equal(await committed(), 10n);
    assert.equal(sink.state.delivered, 10);
    if (r.kind === 'job') await r.job.stop();
  });
});
