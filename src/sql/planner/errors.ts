/** Errors of planning: Flink's "SQL validation error at line L, column C: ..." with the AST position. */
import type { Pos } from '../parser/index.ts';

/** A statement is invalid (unknown column, type mismatch, unsupported feature); one line with its position. */
export class SqlValidationError extends Error {
  override readonly name = 'SqlValidationError';
  readonly line: number;
  readonly col: number;

  constructor(pos: Pos | undefined, detail: string) {
    super(
      pos
        ? `SQL validation error at line ${pos.line}, column ${pos.col}: ${detail}`
        : `SQL validation error: ${detail}`,
    );
    this.line = pos?.line ?? 0;
    this.col = pos?.col ?? 0;
  }
}

/** A statement plans but cannot run as asked (e.g. updates into an append-only sink), as Flink's TableException. */
export class SqlPlanError extends Error {
  override readonly name = 'SqlPlanError';
}
