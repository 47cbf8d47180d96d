/**
 * Nexmark files and result helpers shared by the engine's Nexmark tests. Files are read from the repo's
 * copy in test/fixtures/nexmark (so a clone without ../shared runs them), addressed by their path in
 * ../shared/nexmark: `flink/queries/…` → `queries/…`, `flink/queries-cep/…` → `queries-cep/…`,
 * `risingwave/golden/…` → `golden/…` (test/sql/parser-nexmark.test.ts checks the copy is exact).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatResultRows, type Result } from '../../src/sql/index.ts';

const FIXTURES = new URL('../fixtures/nexmark/', import.meta.url);

/** A file of ../shared/nexmark, read from test/fixtures/nexmark. */
export function readNexmark(path: string): string {
  const local = path.replace(/^flink\//, '').replace(/^risingwave\/golden\//, 'golden/');
  return readFileSync(new URL(local, FIXTURES), 'utf8');
}

/** The SQL without `--` comments. */
export const noComments = (sql: string): string => sql.replace(/--.*$/gm, '');

/** A `${NAME}` placeholder of the Flink query files. */
export const ph = (name: string): string => `$${'{'}${name}}`;

/** The SELECT of a Flink query file's `INSERT INTO nexmark_qN`. */
export function selectOf(q: string): string {
  const text = noComments(readNexmark(`flink/queries/${q}.sql`));
  const head = `INSERT INTO nexmark_${q}`;
  return text
    .slice(text.indexOf(head) + head.length)
    .trim()
    .replace(/;$/, '');
}

/** The final table of a changelog result, each row as its values (RisingWave's timestamp text). */
export function finalRows(r: Result): string[][] {
  const counts = new Map<string, number>();
  for (const line of formatResultRows(r)) {
    const body = line.slice(3, -1);
    counts.set(body, (counts.get(body) ?? 0) + (line.startsWith('+I') || line.startsWith('+U') ? 1 : -1));
  }
  const out: string[][] = [];
  for (const [body, n] of counts) {
    assert.ok(n >= 0, `retracted more often than inserted: ${body}`);
    for (let i = 0; i < n; i++)
      out.push(body.split(', ').map((v) => v.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.000$/, '$1')));
  }
  return out;
}
