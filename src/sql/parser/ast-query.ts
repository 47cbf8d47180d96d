/** Syntax tree: queries (set operations, SELECT, FROM items, joins, MATCH_RECOGNIZE). */
import type { Identifier, Pos, QualifiedName } from './ast.ts';
import type { Expr, FunctionCall, IntervalLit, StringLit, WindowSpec } from './ast-expr.ts';

export interface OrderItem {
  kind: 'OrderItem';
  pos: Pos;
  expr: Expr;
  direction?: 'ASC' | 'DESC';
  nulls?: 'FIRST' | 'LAST';
}

/** A hint value is `'k' = 'v'` pairs or a list of identifiers/strings. */
export interface HintKv {
  kind: 'HintKv';
  pos: Pos;
  key: string;
  value: string;
}
/** `/*+ NAME(args) *\/` — kept for the planner (OPTIONS, LOOKUP, STATE_TTL, BROADCAST, ...). */
export interface Hint {
  kind: 'Hint';
  pos: Pos;
  name: Identifier;
  /** Present when the hint had parentheses. */
  args?: Array<HintKv | Identifier | StringLit>;
}

export interface Cte {
  kind: 'Cte';
  pos: Pos;
  name: Identifier;
  columns?: Identifier[];
  query: Query;
}

/** A full query: optional WITH, a body, then ORDER BY / LIMIT / OFFSET / FETCH applying to the whole body. */
export interface Query {
  kind: 'Query';
  pos: Pos;
  with?: Cte[];
  body: SetExpr;
  orderBy?: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  /** `FETCH FIRST n ROWS ONLY`. */
  fetch?: Expr;
}

/** A parenthesised query inside a set operation is a nested `Query`. */
export type SetExpr = Select | SetOperation | Values | Query;

export interface SetOperation {
  kind: 'SetOperation';
  pos: Pos;
  op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  quantifier?: 'ALL' | 'DISTINCT';
  left: SetExpr;
  right: SetExpr;
}

export interface Values {
  kind: 'Values';
  pos: Pos;
  rows: Expr[][];
}

export interface SelectItem {
  kind: 'SelectItem';
  pos: Pos;
  expr: Expr;
  alias?: Identifier;
}

/** A GROUP BY element that is not a plain expression. Each set is a list of expressions (`()` is empty). */
export interface GroupingSets {
  kind: 'GroupingSets';
  pos: Pos;
  type: 'GROUPING SETS' | 'ROLLUP' | 'CUBE';
  sets: Expr[][];
}
export type GroupItem = Expr | GroupingSets;

export interface NamedWindow {
  kind: 'NamedWindow';
  pos: Pos;
  name: Identifier;
  spec: WindowSpec;
}

export interface Select {
  kind: 'Select';
  pos: Pos;
  hints: Hint[];
  quantifier?: 'DISTINCT' | 'ALL';
  items: SelectItem[];
  from?: TableRef;
  where?: Expr;
  groupBy?: GroupItem[];
  having?: Expr;
  windows?: NamedWindow[];
}

export interface Alias {
  kind: 'Alias';
  pos: Pos;
  name: Identifier;
  columns?: Identifier[];
}

export type TableRef = TableName | SubqueryRef | TableFunctionRef | UnnestRef | Join | MatchRecognize;

/** A named table, view or CTE, with hints, temporal `FOR SYSTEM_TIME AS OF` and alias. */
export interface TableName {
  kind: 'TableName';
  pos: Pos;
  name: QualifiedName;
  hints: Hint[];
  systemTime?: Expr;
  alias?: Alias;
}
export interface SubqueryRef {
  kind: 'SubqueryRef';
  pos: Pos;
  lateral: boolean;
  query: Query;
  alias?: Alias;
}
/** `TABLE(f(...))` or `LATERAL TABLE(f(...))` — window TVFs and table functions. */
export interface TableFunctionRef {
  kind: 'TableFunctionRef';
  pos: Pos;
  lateral: boolean;
  call: FunctionCall;
  alias?: Alias;
}
export interface UnnestRef {
  kind: 'UnnestRef';
  pos: Pos;
  exprs: Expr[];
  withOrdinality: boolean;
  alias?: Alias;
}
export interface Join {
  kind: 'Join';
  pos: Pos;
  /** `COMMA` is the implicit cross join `FROM a, b`. */
  type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';
  /** true when written with the optional keyword (INNER JOIN, LEFT OUTER JOIN). */
  explicitKeyword: boolean;
  natural: boolean;
  left: TableRef;
  right: TableRef;
  on?: Expr;
  using?: Identifier[];
}

// MATCH_RECOGNIZE

export type PatternTerm =
  | PatternVar
  | PatternSeq
  | PatternAlt
  | PatternQuant
  | PatternGroup
  | PatternAnchor
  | PatternPermute
  | PatternExclude;

export interface PatternVar {
  kind: 'PatternVar';
  pos: Pos;
  name: Identifier;
}
export interface PatternSeq {
  kind: 'PatternSeq';
  pos: Pos;
  terms: PatternTerm[];
}
export interface PatternAlt {
  kind: 'PatternAlt';
  pos: Pos;
  alternatives: PatternTerm[];
}
/** `x*`, `x+`, `x?`, `x{n}`, `x{n,}`, `x{,m}`, `x{n,m}`, each optionally reluctant (`?` suffix). */
export interface PatternQuant {
  kind: 'PatternQuant';
  pos: Pos;
  term: PatternTerm;
  min: number;
  /** null is unbounded. */
  max: number | null;
  /** How it was written, for printing: `*`, `+`, `?` or `{}`. */
  form: '*' | '+' | '?' | '{}';
  reluctant: boolean;
}
export interface PatternGroup {
  kind: 'PatternGroup';
  pos: Pos;
  pattern: PatternTerm;
}
export interface PatternAnchor {
  kind: 'PatternAnchor';
  pos: Pos;
  anchor: '^' | '$';
}
export interface PatternPermute {
  kind: 'PatternPermute';
  pos: Pos;
  terms: PatternTerm[];
}
/** `{- A -}` */
export interface PatternExclude {
  kind: 'PatternExclude';
  pos: Pos;
  pattern: PatternTerm;
}

export interface Measure {
  kind: 'Measure';
  pos: Pos;
  expr: Expr;
  alias: Identifier;
}
export interface PatternDefine {
  kind: 'PatternDefine';
  pos: Pos;
  name: Identifier;
  condition: Expr;
}
export interface Subset {
  kind: 'Subset';
  pos: Pos;
  name: Identifier;
  vars: Identifier[];
}
export interface AfterMatch {
  kind: 'AfterMatch';
  pos: Pos;
  type: 'PAST LAST ROW' | 'TO NEXT ROW' | 'TO FIRST' | 'TO LAST' | 'TO';
  variable?: Identifier;
}
export interface MatchRecognize {
  kind: 'MatchRecognize';
  pos: Pos;
  input: TableRef;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  measures: Measure[];
  rowsPerMatch?: 'ONE ROW PER MATCH' | 'ALL ROWS PER MATCH';
  afterMatch?: AfterMatch;
  pattern: PatternTerm;
  within?: IntervalLit;
  subsets: Subset[];
  define: PatternDefine[];
  alias?: Alias;
}
