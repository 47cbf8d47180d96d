// Damaged input never crashes the parser: it parses or throws a SqlParseError with a sane position.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatStatements, parseStatements, SqlParseError } from '../../src/sql/parser/index.ts';
import { stripPositions } from './parser-helpers.ts';

const fixtures = fileURLToPath(new URL('../fixtures/nexmark/', import.meta.url));
const corpus = ['queries', 'queries-cep'].flatMap((set) =>
  readdirSync(`${fixtures}${set}`)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(`${fixtures}${set}/${f}`, 'utf8')),
);

// small deterministic PRNG so failures reproduce
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const SNIPPETS = [
  '(',
  ')',
  ',',
  ';',
  "'",
  '`',
  'SELECT',
  'FROM',
  'AS',
  'JOIN',
  'ON',
  '*',
  '+',
  'OVER',
  'BY',
  'INTERVAL',
  '/*+',
  '*/',
  '--',
  'END',
  '[',
  ']',
  '=>',
  '{',
  '}',
];

test('mutated nexmark queries parse or fail with SqlParseError', () => {
  const rand = rng(42);
  let errors = 0;
  let parsed = 0;
  for (let round = 0; round < 3000; round++) {
    const base = corpus[Math.floor(rand() * corpus.length)];
    const words = base.split(/(\s+)/);
    const i = Math.floor(rand() * words.length);
    const op = rand();
    if (op < 0.4) words.splice(i, 1);
    else if (op < 0.8) words.splice(i, 0, ` ${SNIPPETS[Math.floor(rand() * SNIPPETS.length)]} `);
    else words[i] = SNIPPETS[Math.floor(rand() * SNIPPETS.length)];
    const sql = words.join('');
    try {
      const stmts = parseStatements(sql);
      parsed++;
      // whatever parses must also round-trip
      assert.deepEqual(stripPositions(parseStatements(formatStatements(stmts))), stripPositions(stmts), sql);
      assert.deepEqual(
        stripPositions(parseStatements(formatStatements(stmts, { pretty: true }))),
        stripPositions(stmts),
        sql,
      );
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof SqlParseError, `not a SqlParseError for:\n${sql}\n${(e as Error).stack}`);
      assert.ok(e.line >= 1 && e.col >= 1 && e.offset >= 0 && e.offset <= sql.length);
      assert.ok(!e.message.includes('\n'));
      errors++;
    }
  }
  assert.ok(errors > 100 && parsed > 100, `${errors} errors, ${parsed} parsed`);
});
