/**
 * The Flink SQL dialect parser: a hand-written lexer and recursive-descent
 * parser producing a typed syntax tree (see ast.ts), errors with line,
 * column and what was expected (SqlParseError), and a printer that turns the
 * tree back into SQL — one line, or laid out with `{ pretty: true }`.
 *
 *   parseStatements(script)  `;`-separated statements
 *   parseScript(script)      the same, with each statement's source text
 *   parseStatement(sql)      exactly one statement
 *   parseExpression(sql)     one expression
 *   formatStatement(stmt)    SQL text that parses back to the same tree
 */
export type * from './ast.ts';
export { SqlParseError } from './errors.ts';
export { parseExpression, parseScript, parseStatement, parseStatements, type ScriptStatement } from './parser.ts';
export {
  type FormatOptions,
  formatExpr,
  formatIdentifier,
  formatQuery,
  formatStatement,
  formatStatements,
  formatType,
} from './print.ts';
export { RESERVED } from './tokens.ts';
