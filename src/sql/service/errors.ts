/** Errors of the statement service; the platform API maps `kind` to its HTTP status. */
import { SqlParseError } from '../parser/index.ts';

/** Why a request to the statement service failed. */
export type StatementErrorKind = 'invalid' | 'not-found' | 'conflict';

/** A request the service refuses: bad SQL (with its position), an unknown name, a name taken, a wrong state. */
export class StatementError extends Error {
  override readonly name = 'StatementError';
  readonly kind: StatementErrorKind;
  /** 1-based position of a SQL error in the statement, when known. */
  readonly line?: number;
  readonly column?: number;

  constructor(kind: StatementErrorKind, message: string, pos?: { line: number; column: number }) {
    super(message);
    this.kind = kind;
    if (pos && pos.line > 0) {
      this.line = pos.line;
      this.column = pos.column;
    }
  }
}

/** One line of an engine error, and its position for parse and validation errors. */
export function describeSqlError(err: unknown): { message: string; line?: number; column?: number } {
  const e = err instanceof Error ? err : new Error(String(err));
  const message = e.message.replace(/\s*\n\s*/g, ' ').trim() || e.name;
  if (e instanceof SqlParseError) return { message, line: e.line, column: e.col };
  const pos = e as { line?: unknown; col?: unknown };
  if (typeof pos.line === 'number' && typeof pos.col === 'number' && pos.line > 0)
    return { message, line: pos.line, column: pos.col };
  const m = /at line (\d+), column (\d+)/.exec(message);
  if (m) return { message, line: Number(m[1]), column: Number(m[2]) };
  return { message };
}

/** A SQL error as a StatementError('invalid') with its position. */
export function invalidSql(err: unknown): StatementError {
  const d = describeSqlError(err);
  return new StatementError(
    'invalid',
    d.message,
    d.line !== undefined ? { line: d.line, column: d.column ?? 0 } : undefined,
  );
}
