/**
 * The worked example docs/examples/order-completeness.md, run as written: its ```sql blocks (with the
 * test broker's address and fresh topic names substituted) run in a session against a real in-process
 * broker, the sample records of its table are produced (order 1002's items before the order itself), and
 * the two sink topics must end up holding exactly the complete orders and the alerts below, which must
 * also be what the page shows. So the page cannot rot: a changed statement, sample or expected output
 * fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Client } from '../../src/client/index.ts';
import { type Job, SqlSession } from '../../src/sql/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

const DOC = readFileSync(new URL('../../docs/examples/order-completeness.md', import.meta.url), 'utf8');

/** The contents of the page's fenced blocks in one language, in order. */
function fenced(lang: string): string[] {
  return [...DOC.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** The sample input: the rows of the page's `| topic | record |` table, in order. */
function sample(): Array<{ topic: string; value: Record<string, unknown> }> {
  return [...DOC.matchAll(/^\| (orders|order_items) \| `(\{.*\})` \|$/gm)].map((m) => ({
    topic: m[1]!,
    value: JSON.parse(m[2]!) as Record<string, unknown>,
  }));
}

/** The page's expected outputs: the lines of its ```json blocks (complete_orders, then the alerts). */
function shownOutputs(): string[][] {
  return fenced('json').map((b) => b.trim().split('\n'));
}

const COMPLETE = [
  { order_id: 1002, customer: 'bob', item_count: 3, total_amount: 23, completed_at: '2024-06-01 10:01:10' },
  { order_id: 1001, customer: 'alice', item_count: 2, total_amount: 30, completed_at: '2024-06-01 10:03:00' },
];
const alert = (order_id: number, customer: string, order_time: string, deadline: string) => ({
  order_id,
  customer,
  items_received: 1,
  item_count: 2,
  order_time: `2024-06-01 ${order_time}`,
  deadline: `2024-06-01 ${deadline}`,
});
const ALERTS = [
  alert(1003, 'carol', '10:02:00', '10:17:00'),
  alert(1004, 'dave', '10:04:00', '10:19:00'),
  alert(1005, 'erin', '10:06:00', '10:21:00'),
];

describe('docs/examples/order-completeness.md', async () => {
  const tb = await startTestBroker(after);
  const client = new Client({ bootstrapServers: tb.bootstrap });
  after(() => client.close());
  const admin = client.admin();
  const producer = client.producer();

  const topics: Record<string, string> = {};
  for (const t of ['orders', 'order_items', 'complete_orders', 'incomplete_order_alerts']) {
    topics[t] = topicName(`ex-${t.replaceAll('_', '-')}`);
    const [r] = await admin.createTopics([{ name: topics[t]!, numPartitions: 1 }]);
    assert.equal(r!.error, null);
  }

  /** Every record value of a one-partition topic, from the start up to its end offset at call time. */
  async function readTopic(topic: string): Promise<string[]> {
    const [end] = await admin.listOffsets([{ topic, partition: 0, at: 'latest' as const }]);
    const out: string[] = [];
    if (end!.offset === 0n) return out;
    const consumer = client.consumer({ autoCommit: false });
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    const deadline = Date.now() + 15_000;
    let done = false;
    while (!done && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) {
        out.push(r.value!.toString());
        if (r.offset + 1n >= end!.offset) done = true;
      }
    }
    await consumer.close();
    assert.ok(done, `read the whole of ${topic}`);
    return out;
  }

  async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('the page shows the statements, the sample and the outputs this test checks', () => {
    const blocks = fenced('sql');
    assert.equal(blocks.length, 5);
    assert.equal(blocks.join('\n').match(/^INSERT INTO/gm)?.length, 2);
    const rows = sample();
    assert.equal(rows.length, 18);
    // the first records are order 1002's items, before any order
    const firstOrder = rows.findIndex((r) => r.topic === 'orders');
    assert.deepEqual(
      rows.slice(0, firstOrder).map((r) => r.value.order_id),
      [1002, 1002, 1002],
    );
    const [complete, alerts] = shownOutputs();
    assert.deepEqual(
      complete!.map((l) => JSON.parse(l)),
      COMPLETE,
    );
    assert.deepEqual(
      alerts!.map((l) => JSON.parse(l)),
      ALERTS,
    );
  });

  test('complete orders once each, alerts exactly for the orders incomplete at their deadline', async (t) => {
    const session = new SqlSession({ bootstrapServers: tb.bootstrap, print: () => {} });
    t.after(() => session.close());
    const jobs: Job[] = [];
    for (const block of fenced('sql')) {
      let sql = block.replaceAll(
        "'properties.bootstrap.servers' = 'localhost:9092'",
        `'properties.bootstrap.servers' = '${tb.bootstrap}'`,
      );
      for (const [name, real] of Object.entries(topics))
        sql = sql.replaceAll(`'topic' = '${name}'`, `'topic' = '${real}'`);
      for (const r of await session.executeScript(sql)) if (r.kind === 'job') jobs.push(r.job);
    }
    assert.equal(jobs.length, 2);
    for (const j of jobs) assert.equal(j.status, 'RUNNING');

    const rows = sample();
    const send = async (part: typeof rows) => {
      await producer.sendBatch(
        part.map((r) => ({
          topic: topics[r.topic]!,
          key: String(r.value.order_id),
          value: JSON.stringify(r.value),
        })),
      );
      await producer.flush();
    };
    const completeTopic = topics.complete_orders!;
    const alertTopic = topics.incomplete_order_alerts!;
    // one record at a time, each read by both statements before the next is produced (both read every
    // record: orders through `orders` and `order_deadlines`), so the statements see the page's order:
    // order 1002's items before the order, 1005's late item after the watermark has passed it
    const late = rows.findIndex((r) => r.value.item_time === '2024-06-01 10:25:00');
    for (const [i, r] of rows.entries()) {
      if (i === late) {
        // up to here the watermark stays below every deadline (10:15 and later): 1001 and 1002 complete
        // without waiting for one, and no alert is raised yet
        await until('the first complete orders', async () => (await readTopic(completeTopic)).length >= 2);
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(await readTopic(alertTopic), []);
      }
      await send([r]);
      await until(`record ${i + 1} read`, () => jobs.every((j) => j.metrics.rowsIn >= i + 1));
    }
    await until(
      'the complete orders and the alerts',
      async () =>
        (await readTopic(completeTopic)).length >= COMPLETE.length &&
        (await readTopic(alertTopic)).length >= ALERTS.length,
    );
    // nothing more comes: 1006 is still open and nothing else may appear
    await new Promise((r) => setTimeout(r, 1000));
    for (const j of jobs) assert.equal(j.status, 'RUNNING', j.error?.message);

    const complete = await readTopic(completeTopic);
    const alerts = await readTopic(alertTopic);
    assert.deepEqual(
      complete.map((l) => JSON.parse(l)),
      COMPLETE,
    );
    assert.deepEqual(
      alerts.map((l) => JSON.parse(l)),
      ALERTS,
    );
    // byte for byte what the page shows
    assert.deepEqual([complete, alerts], shownOutputs());
    // 1005's second item came after the watermark had passed it: each statement dropped it as late
    for (const j of jobs) assert.equal(j.metrics.lateRecordsDropped, 1);
  });
});
