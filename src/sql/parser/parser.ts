/**
 * Entry points: a `;`-separated script, one statement, or one expression.
 * Hand-written recursive descent (precedence climbing for expressions) over
 * a token array: one token of lookahead almost everywhere, a few bounded
 * peeks (e.g. `WATERMARK FOR`), and a run of `(` when telling a
 * parenthesised query from a parenthesised join — so parsing is linear in
 * the input and never backtracks.
 */
import type { Expr, Pos, Statement } from './ast.ts';
import { Cursor } from './cursor.ts';
import { parseStatementAt } from './parse-ddl.ts';
import { parseExpr } from './parse-expr.ts';

/** Parses a script of statements separated by `;` (empty statements are skipped). */
export function parseStatements(sql: string): Statement[] {
  const c = new Cursor(sql);
  const out: Statement[] = [];
  for (;;) {
    while (c.acceptOp(';')) {}
    if (c.atEnd()) return out;
    out.push(parseStatementAt(c));
    if (c.atEnd()) return out;
    c.note('end of input');
    c.expectOp(';');
  }
}

/** A statement of a script with the exact source text it came from (without the `;`). */
export interface ScriptStatement {
  statement: Statement;
  text: string;
  start: Pos;
  /** Offset just past the statement's last token. */
  end: number;
}

/** Like parseStatements, keeping each statement's source text (e.g. to store it as a statement resource). */
export function parseScript(sql: string): ScriptStatement[] {
  const c = new Cursor(sql);
  const out: ScriptStatement[] = [];
  for (;;) {
    while (c.acceptOp(';')) {}
    if (c.atEnd()) return out;
    const start = c.pos;
    const statement = parseStatementAt(c);
    const last = c.tokens[c.i - 1];
    const end = last.pos.offset + last.text.length;
    out.push({ statement, text: sql.slice(start.offset, end), start, end });
    if (c.atEnd()) return out;
    c.note('end of input');
    c.expectOp(';');
  }
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(sql: string): Statement {
  const c = new Cursor(sql);
  if (c.atEnd()) {
    c.note('statement');
    c.fail();
  }
  const stmt = parseStatementAt(c);
  c.acceptOp(';');
  expectEnd(c);
  return stmt;
}

/** Parses one expression, e.g. a computed column or a watermark strategy. */
export function parseExpression(sql: string): Expr {
  const c = new Cursor(sql);
  const expr = parseExpr(c);
  expectEnd(c);
  return expr;
}

function expectEnd(c: Cursor): void {
  if (c.atEnd()) return;
  c.note('end of input');
  c.fail();
}
