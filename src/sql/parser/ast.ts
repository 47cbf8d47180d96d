/**
 * The typed syntax tree of the Flink SQL dialect.
 *
 * Every node has a `kind` discriminant and `pos`, the position of its first
 * token. Identifiers keep their case exactly as written plus a `quoted` flag:
 * Flink resolves names case-sensitively (Calcite with unquoted casing
 * UNCHANGED), so the parser never folds case; `quoted` only records how the
 * name was written (it is printed back quoted). Keywords are matched
 * case-insensitively and appear in the tree upper-cased.
 */
import type { Pos } from './errors.ts';

export type * from './ast-expr.ts';
export type * from './ast-query.ts';
export type * from './ast-statement.ts';
export type * from './ast-types.ts';
export type { Pos };

/** A name as written; `placeholder` marks a `${NAME}` template variable (substituted before planning). */
export interface Identifier {
  kind: 'Identifier';
  pos: Pos;
  value: string;
  quoted: boolean;
  placeholder?: boolean;
}

/** `a.b.c` */
export type QualifiedName = Identifier[];
