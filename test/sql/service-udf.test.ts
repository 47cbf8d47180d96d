/**
 * CREATE FUNCTION through the statement service is stored in `_sql-statements`: after a restart
 * of the service the function is back before the tables and statements that use it, and DROP
 * FUNCTION removes it for good.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StatementService } from '../../src/sql/service/index.ts';
import { startTestBroker, topicName } from '../helpers/broker.ts';

async function until<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('statement service: user functions survive a restart', async () => {
  const tb = await startTestBroker(after, { 'group.initial.rebalance.delay.ms': '0' });
  const udfDir = mkdtempSync(join(tmpdir(), 'tributary-udf-'));
  after(async () => rmSync(udfDir, { recursive: true, force: true }));
  writeFileSync(
    join(udfDir, 'twice.mjs'),
    "export default { kind: 'scalar', returns: 'INT', args: ['INT'], eval: (n) => n * 2 };\n",
  );
  const topic = topicName('sql-svc-udf');
  const start = () => StatementService.start({ bootstrapServers: tb.bootstrap, topic, session: { udfDir } });

  test('the function comes back after a restart; DROP FUNCTION removes it', async () => {
    const first = await start();
    try {
      await first.create({ sql: "CREATE FUNCTION twice AS 'twice.mjs'" });
      await first.create({
        sql: `CREATE TABLE nums (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3',
          'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '3')`,
      });
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      const st = await second.create({ sql: 'SELECT twice(n) AS t FROM nums' });
      const rows = await until('the SELECT to finish', () => {
        const r = second.results(st.name);
        return r.complete ? r.rows.map((x) => x.row[0]) : undefined;
      });
      assert.deepEqual(rows, ['2', '4', '6'], 'results as the API prints them');
      await second.create({ sql: 'DROP FUNCTION twice' });
    } finally {
      await second.close();
    }
    const third = await start();
    try {
      await assert.rejects(third.create({ sql: 'SELECT twice(n) FROM nums' }), /twice/i);
    } finally {
      await third.close();
    }
  });
});
