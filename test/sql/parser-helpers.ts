// Shared helpers for the SQL parser tests.
import assert from 'node:assert/strict';
import {
  type Expr,
  formatExpr,
  formatStatement,
  formatStatements,
  parseExpression,
  parseStatement,
  parseStatements,
  SqlParseError,
  type Statement,
} from '../../src/sql/parser/index.ts';

/** A deep copy without `pos` fields, for comparing trees. */
export function stripPositions<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'pos' ? undefined : v))) as T;
}

/** Parses a script, prints it, parses the print and asserts both trees match (positions aside). */
export function assertScriptRoundTrip(sql: string): Statement[] {
  const first = parseStatements(sql);
  const printed = formatStatements(first);
  const second = parseStatements(printed);
  assert.deepEqual(stripPositions(second), stripPositions(first), `round trip changed the tree; printed:\n${printed}`);
  return first;
}

/** Parses one statement, asserts the print round trip, and returns the statement. */
export function roundTrip(sql: string): Statement {
  const stmt = parseStatement(sql);
  const printed = formatStatement(stmt);
  assert.deepEqual(
    stripPositions(parseStatement(printed)),
    stripPositions(stmt),
    `round trip changed the tree; printed:\n${printed}`,
  );
  return stmt;
}

/** Parses one expression with the round-trip check. */
export function expr(sql: string): Expr {
  const e = parseExpression(sql);
  const printed = formatExpr(e);
  assert.deepEqual(
    stripPositions(parseExpression(printed)),
    stripPositions(e),
    `round trip changed the tree; printed: ${printed}`,
  );
  return e;
}

/** Asserts `fn` throws a SqlParseError and returns it. */
export function parseError(fn: () => unknown): SqlParseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SqlParseError, `expected SqlParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a parse error');
}

/** Narrows a statement/expression to a kind or fails the test. */
export function as<K extends string, T extends { kind: string }>(node: T, kind: K): Extract<T, { kind: K }> {
  assert.equal(node.kind, kind);
  return node as Extract<T, { kind: K }>;
}
