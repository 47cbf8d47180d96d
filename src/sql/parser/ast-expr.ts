/** Syntax tree: expressions (literals, names, calls, operators, predicates, window specs). */
import type { Identifier, Pos, QualifiedName } from './ast.ts';
import type { OrderItem, Query } from './ast-query.ts';
import type { DataType, IntervalQualifier, TimeUnit } from './ast-types.ts';

export type Expr =
  | NumberLit
  | StringLit
  | BinaryLit
  | BooleanLit
  | NullLit
  | IntervalLit
  | TypedLit
  | ColumnRef
  | Star
  | FieldAccess
  | IndexAccess
  | FunctionCall
  | Cast
  | CaseExpr
  | InList
  | InSubquery
  | Between
  | Like
  | IsTest
  | IsDistinctFrom
  | Exists
  | ScalarSubquery
  | Unary
  | Binary
  | ArrayCtor
  | MapCtor
  | RowCtor
  | NamedArg
  | Descriptor
  | TableArg
  | Extract
  | Position
  | Trim
  | CeilFloor
  | JsonCall
  | QuantifiedComparison;

/** Numeric literal; `text` is exactly as written so DECIMAL values keep their digits. */
export interface NumberLit {
  kind: 'NumberLit';
  pos: Pos;
  text: string;
}
export interface StringLit {
  kind: 'StringLit';
  pos: Pos;
  /** Unescaped value. */
  value: string;
}
/** `X'0AFF'` */
export interface BinaryLit {
  kind: 'BinaryLit';
  pos: Pos;
  hex: string;
}
export interface BooleanLit {
  kind: 'BooleanLit';
  pos: Pos;
  value: boolean;
}
export interface NullLit {
  kind: 'NullLit';
  pos: Pos;
}
/** `INTERVAL '10' SECOND`, `INTERVAL -'1' DAY`, `INTERVAL '1 02' DAY TO HOUR`. */
export interface IntervalLit {
  kind: 'IntervalLit';
  pos: Pos;
  negative: boolean;
  value: string;
  qualifier: IntervalQualifier;
}
/** `DATE '2024-01-01'`, `TIME '..'`, `TIMESTAMP '..'`, `TIMESTAMP_LTZ '..'`. */
export interface TypedLit {
  kind: 'TypedLit';
  pos: Pos;
  type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ';
  value: string;
}
/** A column or qualified column: `price`, `B.price`, `cat.db.t.col`. */
export interface ColumnRef {
  kind: 'ColumnRef';
  pos: Pos;
  names: QualifiedName;
}
/** `*` or `t.*` (also the argument of `COUNT(*)`). */
export interface Star {
  kind: 'Star';
  pos: Pos;
  qualifier: QualifiedName;
}
/** `expr.field` where expr is not a plain name (`f(x).a`, `arr[1].b`, `(r).f`). */
export interface FieldAccess {
  kind: 'FieldAccess';
  pos: Pos;
  expr: Expr;
  field: Identifier;
}
/** `a[1]`, `m['k']` */
export interface IndexAccess {
  kind: 'IndexAccess';
  pos: Pos;
  expr: Expr;
  index: Expr;
}
export interface WindowFrameBound {
  kind: 'FrameBound';
  pos: Pos;
  type: 'UNBOUNDED PRECEDING' | 'UNBOUNDED FOLLOWING' | 'CURRENT ROW' | 'PRECEDING' | 'FOLLOWING';
  offset?: Expr;
}
export interface WindowFrame {
  kind: 'WindowFrame';
  pos: Pos;
  units: 'ROWS' | 'RANGE';
  start: WindowFrameBound;
  /** Present for `BETWEEN start AND end`. */
  end?: WindowFrameBound;
}
/** The body of `OVER (...)` or of a `WINDOW w AS (...)` definition. */
export interface WindowSpec {
  kind: 'WindowSpec';
  pos: Pos;
  /** `OVER (w ORDER BY ..)`: the window this one extends. */
  base?: Identifier;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: WindowFrame;
}
export interface FunctionCall {
  kind: 'FunctionCall';
  pos: Pos;
  name: QualifiedName;
  args: Expr[];
  /** `COUNT(DISTINCT x)`; `quantifier: 'ALL'` is kept when written. */
  quantifier?: 'DISTINCT' | 'ALL';
  /** `CURRENT_TIMESTAMP` and friends written without parentheses. */
  niladic?: boolean;
  /** MATCH_RECOGNIZE `RUNNING`/`FINAL` semantics prefix. */
  semantics?: 'RUNNING' | 'FINAL';
  nullTreatment?: 'IGNORE NULLS' | 'RESPECT NULLS';
  withinGroup?: OrderItem[];
  filter?: Expr;
  /** `OVER (...)` or `OVER w`. */
  over?: WindowSpec | Identifier;
}
export interface Cast {
  kind: 'Cast';
  pos: Pos;
  /** TRY_CAST returns NULL instead of failing. */
  try: boolean;
  expr: Expr;
  type: DataType;
}
export interface CaseWhen {
  kind: 'CaseWhen';
  pos: Pos;
  condition: Expr;
  result: Expr;
}
export interface CaseExpr {
  kind: 'Case';
  pos: Pos;
  operand?: Expr;
  whens: CaseWhen[];
  else?: Expr;
}
export interface InList {
  kind: 'InList';
  pos: Pos;
  expr: Expr;
  not: boolean;
  list: Expr[];
}
export interface InSubquery {
  kind: 'InSubquery';
  pos: Pos;
  expr: Expr;
  not: boolean;
  query: Query;
}
export interface Between {
  kind: 'Between';
  pos: Pos;
  expr: Expr;
  not: boolean;
  symmetric?: 'SYMMETRIC' | 'ASYMMETRIC';
  low: Expr;
  high: Expr;
}
export interface Like {
  kind: 'Like';
  pos: Pos;
  op: 'LIKE' | 'SIMILAR TO';
  expr: Expr;
  not: boolean;
  pattern: Expr;
  escape?: Expr;
}
/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN` */
export interface IsTest {
  kind: 'IsTest';
  pos: Pos;
  expr: Expr;
  not: boolean;
  test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'JSON' | 'JSON VALUE' | 'JSON SCALAR' | 'JSON ARRAY' | 'JSON OBJECT';
}
export interface IsDistinctFrom {
  kind: 'IsDistinctFrom';
  pos: Pos;
  left: Expr;
  not: boolean;
  right: Expr;
}
export interface Exists {
  kind: 'Exists';
  pos: Pos;
  query: Query;
}
export interface ScalarSubquery {
  kind: 'ScalarSubquery';
  pos: Pos;
  query: Query;
}
export interface Unary {
  kind: 'Unary';
  pos: Pos;
  op: '-' | '+' | 'NOT';
  expr: Expr;
}
export type BinaryOp = 'OR' | 'AND' | '=' | '<>' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';
export interface Binary {
  kind: 'Binary';
  pos: Pos;
  op: BinaryOp;
  left: Expr;
  right: Expr;
}
/** `ARRAY[1, 2]` */
export interface ArrayCtor {
  kind: 'ArrayCtor';
  pos: Pos;
  elements: Expr[];
}
/** `MAP['k1', v1, 'k2', v2]`: alternating keys and values. */
export interface MapCtor {
  kind: 'MapCtor';
  pos: Pos;
  entries: Expr[];
}
/** `ROW(a, b)` (explicit) or `(a, b)` (implicit, two or more fields). */
export interface RowCtor {
  kind: 'RowCtor';
  pos: Pos;
  explicit: boolean;
  fields: Expr[];
}
/** Named argument `SIZE => INTERVAL '10' SECOND`. */
export interface NamedArg {
  kind: 'NamedArg';
  pos: Pos;
  name: Identifier;
  value: Expr;
}
/** `DESCRIPTOR(col, ...)` in window TVF arguments. */
export interface Descriptor {
  kind: 'Descriptor';
  pos: Pos;
  columns: Identifier[];
}
/** `TABLE t [PARTITION BY k] [ORDER BY ..]` as a table-function argument. */
export interface TableArg {
  kind: 'TableArg';
  pos: Pos;
  name: QualifiedName;
  partitionBy: Expr[];
  orderBy: OrderItem[];
}
/** `EXTRACT(unit FROM expr)` */
export interface Extract {
  kind: 'Extract';
  pos: Pos;
  unit: TimeUnit | 'DOW' | 'DOY' | 'EPOCH' | 'DECADE' | 'CENTURY' | 'MILLENNIUM' | 'ISODOW' | 'ISOYEAR';
  expr: Expr;
}
/** `POSITION(needle IN haystack)` */
export interface Position {
  kind: 'Position';
  pos: Pos;
  needle: Expr;
  haystack: Expr;
}
/** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM expr)`; the plain `TRIM(expr)` is a FunctionCall. */
export interface Trim {
  kind: 'Trim';
  pos: Pos;
  side?: 'BOTH' | 'LEADING' | 'TRAILING';
  chars?: Expr;
  expr: Expr;
}
/** `CEIL(ts TO DAY)` / `FLOOR(ts TO HOUR)`; the one-argument forms are FunctionCalls. */
export interface CeilFloor {
  kind: 'CeilFloor';
  pos: Pos;
  fn: 'CEIL' | 'FLOOR';
  expr: Expr;
  unit: TimeUnit;
}

/** What a JSON function does on empty input or an error: `NULL`, `ERROR`, `DEFAULT expr`, `EMPTY ARRAY`, `TRUE`, ... */
export interface JsonBehavior {
  kind: 'JsonBehavior';
  pos: Pos;
  type: 'NULL' | 'ERROR' | 'DEFAULT' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'EMPTY ARRAY' | 'EMPTY OBJECT';
  default?: Expr;
}
export interface JsonEntry {
  kind: 'JsonEntry';
  pos: Pos;
  /** Whether the optional KEY keyword was written. */
  keyword: boolean;
  key: Expr;
  value: Expr;
}
/** The SQL/JSON functions, whose arguments have keyword clauses. */
export interface JsonCall {
  kind: 'JsonCall';
  pos: Pos;
  fn: 'JSON_VALUE' | 'JSON_QUERY' | 'JSON_EXISTS' | 'JSON_OBJECT' | 'JSON_ARRAY' | 'JSON_OBJECTAGG' | 'JSON_ARRAYAGG';
  /** `[json, path]` for VALUE/QUERY/EXISTS; the elements for ARRAY/ARRAYAGG. */
  args: Expr[];
  /** KEY k VALUE v pairs of JSON_OBJECT / JSON_OBJECTAGG. */
  entries: JsonEntry[];
  returning?: DataType;
  /** JSON_QUERY: `WITHOUT ARRAY WRAPPER`, `WITH CONDITIONAL ARRAY WRAPPER`, ... as written (upper-cased). */
  wrapper?: string;
  onEmpty?: JsonBehavior;
  onError?: JsonBehavior;
  onNull?: 'NULL' | 'ABSENT';
  /** JSON_ARRAYAGG(x ORDER BY ...) */
  orderBy?: OrderItem[];
}
/** `x = ANY (subquery)`, `x > ALL (subquery)`, `x = SOME (...)`. */
export interface QuantifiedComparison {
  kind: 'QuantifiedComparison';
  pos: Pos;
  op: '=' | '<>' | '!=' | '<' | '>' | '<=' | '>=';
  quantifier: 'ANY' | 'SOME' | 'ALL';
  left: Expr;
  query: Query;
}
