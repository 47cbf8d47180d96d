/** Syntax tree: data types. */
import type { Identifier, Pos } from './ast.ts';

export type DataType = PrimitiveType | IntervalType | ArrayType | MultisetType | MapType | RowType;

interface TypeBase {
  pos: Pos;
  /** false when declared NOT NULL; NULL is the default and not recorded. */
  nullable: boolean;
}

/**
 * Scalar types. `name` is upper-cased as written (INT and INTEGER both kept);
 * multi-word names are joined by one space (`DOUBLE PRECISION`,
 * `CHARACTER VARYING`). `args` are the parenthesised numbers: length,
 * precision or (precision, scale).
 */
export interface PrimitiveType extends TypeBase {
  kind: 'PrimitiveType';
  name: string;
  args: number[];
  /** TIMESTAMP/TIME `WITH TIME ZONE`, `WITHOUT TIME ZONE`, `WITH LOCAL TIME ZONE`. */
  timeZone?: 'WITH' | 'WITHOUT' | 'LOCAL';
}

export type TimeUnit =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'DAY'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'NANOSECOND';

/** `DAY(2) TO SECOND(3)` as used by interval types and literals. */
export interface IntervalQualifier {
  start: TimeUnit;
  startPrecision?: number;
  end?: TimeUnit;
  endPrecision?: number;
}

export interface IntervalType extends TypeBase {
  kind: 'IntervalType';
  qualifier: IntervalQualifier;
}
export interface ArrayType extends TypeBase {
  kind: 'ArrayType';
  element: DataType;
  /** true for the postfix form `INT ARRAY`. */
  postfix: boolean;
}
export interface MultisetType extends TypeBase {
  kind: 'MultisetType';
  element: DataType;
  postfix: boolean;
}
export interface MapType extends TypeBase {
  kind: 'MapType';
  key: DataType;
  value: DataType;
}
export interface RowField {
  kind: 'RowField';
  pos: Pos;
  name: Identifier;
  type: DataType;
  comment?: string;
}
/** `ROW<a INT, b STRING>` or `ROW(a INT, b STRING)`. */
export interface RowType extends TypeBase {
  kind: 'RowType';
  fields: RowField[];
  parens: boolean;
}
