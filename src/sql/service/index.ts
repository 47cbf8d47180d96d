/**
 * SQL statements as long-running jobs of the platform.
 *
 * | file            | what                                                                          |
 * |-----------------|-------------------------------------------------------------------------------|
 * | service.ts      | StatementService: create/list/get/results/stop/resume/delete, restart recovery |
 * | store.ts        | the compacted `_sql-statements` topic: read at start, written with acks=all    |
 * | engine.ts       | what the service needs from SqlSession beyond execute (workarounds, one place) |
 * | catalog-ddl.ts  | the catalog as DDL records                                                    |
 * | results.ts      | result rows (op, printed and JSON values), the bounded buffer of a running SELECT |
 * | script.ts       | splitting a `;`-separated script into statements with their positions        |
 * | errors.ts       | StatementError (invalid / not-found / conflict) with SQL error positions      |
 */
export { StatementError, type StatementErrorKind } from './errors.ts';
export type { ApiRow, ResultColumn } from './results.ts';
export { endsStatement, type ScriptPart, shiftPosition, splitScript } from './script.ts';
export {
  type CreateStatement,
  type StatementInfo,
  type StatementKind,
  type StatementResults,
  StatementService,
  type StatementServiceOptions,
  type StatementStatus,
} from './service.ts';
