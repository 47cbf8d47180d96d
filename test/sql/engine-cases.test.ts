/**
 * Runs the SQL case files in test/sql/cases/*.sql, each in a fresh SqlSession. A file is a sequence of
 * blocks separated by blank lines; `#` lines outside blocks are comments. Blocks:
 *
 *   statement ok                 the SQL runs without error (INSERT jobs are awaited)
 *   statement error <text>       running it fails with a message containing <text>
 *   query [rowsort|final]        a SELECT; after `----` the expected changelog rows (`+I[1, a]`), in order,
 *                                sorted (rowsort), or materialised as the final table, sorted (final)
 *   insert [rowsort] [stop-after=<ms>]
 *                                an INSERT whose print sink output (after `----`) is checked; with
 *                                stop-after the (unbounded) job is stopped after that many ms
 *   explain                      an EXPLAIN whose plan (after `----`) is checked line by line
 *   late <n>                     the last job dropped <n> late records
 *
 * SQL runs until the `----` line (or the end of the block).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatResultRows, type Result, SqlSession } from '../../src/sql/index.ts';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'cases');

interface Block {
  line: number;
  directive: string;
  arg: string;
  sql: string;
  expected: string[];
}

function parseFile(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      i++;
      continue;
    }
    const start = i + 1;
    const m = /^(\S+)\s*(.*)$/.exec(l.trim())!;
    i++;
    const sql: string[] = [];
    const expected: string[] = [];
    let inExpected = false;
    while (i < lines.length && lines[i]!.trim() !== '') {
      const x = lines[i]!;
      if (x.trim() === '----') inExpected = true;
      else if (inExpected) expected.push(x.trimEnd());
      else sql.push(x);
      i++;
    }
    blocks.push({ line: start, directive: m[1]!, arg: m[2]!, sql: sql.join('\n'), expected });
  }
  return blocks;
}

function finalTable(lines: string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) {
    const body = l.slice(2);
    const add = l.startsWith('+I') || l.startsWith('+U');
    counts.set(body, (counts.get(body) ?? 0) + (add ? 1 : -1));
  }
  const out: string[] = [];
  for (const [body, n] of counts) for (let k = 0; k < n; k++) out.push(`+I${body}`);
  return out.sort();
}

async function settle(r: Result): Promise<Result> {
  if (r.kind === 'job') await r.job.wait();
  return r;
}

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort()) {
  test(`sql case ${file}`, async (t) => {
    const printed: string[] = [];
    const session = new SqlSession({ print: (line) => printed.push(line), now: () => Date.UTC(2024, 0, 1) });
    t.after(() => session.close());
    let lastJobLate = 0;
    for (const b of parseFile(readFileSync(join(dir, file), 'utf8'))) {
      const where = `${file}:${b.line}`;
      await t.test(`${b.directive} @ line ${b.line}`, async () => {
        printed.length = 0;
        switch (b.directive) {
          case 'statement': {
            if (b.arg === 'ok') {
              const r = await settle(await session.execute(b.sql));
              if (r.kind === 'job') lastJobLate = r.job.metrics.lateRecordsDropped;
              return;
            }
            const want = b.arg.replace(/^error\s*/, '');
            await assert.rejects(
              async () => settle(await session.execute(b.sql)),
              (err: Error) => {
                assert.ok(
                  err.message.includes(want),
                  `${where}: expected an error containing\n  ${want}\ngot\n  ${err.message}`,
                );
                assert.ok(!err.message.includes('\n'), `${where}: error message is not one line: ${err.message}`);
                return true;
              },
              `${where}: expected an error`,
            );
            return;
          }
          case 'query': {
            const r = await settle(await session.execute(b.sql));
            if (r.kind !== 'ok' && r.job) lastJobLate = r.job.metrics.lateRecordsDropped;
            // multi-line values (SHOW CREATE TABLE) compare line by line
            let got = formatResultRows(r).flatMap((l) => l.split('\n'));
            let want = b.expected;
            if (b.arg === 'rowsort') {
              got = [...got].sort();
              want = [...want].sort();
            } else if (b.arg === 'final') {
              got = finalTable(got);
              want = [...want].sort();
            }
            assert.deepEqual(got, want, `${where}: rows differ`);
            return;
          }
          case 'insert': {
            const stopAfter = /stop-after=(\d+)/.exec(b.arg);
            let r = await session.execute(b.sql);
            if (stopAfter && r.kind === 'job') {
              await new Promise((res) => setTimeout(res, Number(stopAfter[1])));
              await r.job.stop();
              assert.equal(r.job.status, 'CANCELED');
            }
            r = await settle(r);
            if (r.kind === 'job') lastJobLate = r.job.metrics.lateRecordsDropped;
            let got = [...printed];
            let want = b.expected;
            if (b.arg.includes('rowsort')) {
              got = got.sort();
              want = [...want].sort();
            }
            assert.deepEqual(got, want, `${where}: printed rows differ`);
            return;
          }
          case 'explain': {
            const r = await session.execute(b.sql);
            assert.equal(r.kind, 'rows');
            const text = String((r as Extract<Result, { kind: 'rows' }>).rows[0]!.row[0]);
            assert.deepEqual(text.trimEnd().split('\n'), b.expected, `${where}: plan differs`);
            return;
          }
          case 'late':
            assert.equal(lastJobLate, Number(b.arg), `${where}: late records dropped`);
            return;
          default:
            assert.fail(`${where}: unknown directive ${b.directive}`);
        }
      });
    }
  });
}
