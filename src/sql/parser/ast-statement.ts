/** Syntax tree: statements (DDL, INSERT, statement sets, SHOW/DESCRIBE/EXPLAIN/SET/RESET/USE). */
import type { Identifier, Pos, QualifiedName } from './ast.ts';
import type { Expr } from './ast-expr.ts';
import type { Hint, Query } from './ast-query.ts';
import type { DataType } from './ast-types.ts';

export type Statement =
  | Query
  | Insert
  | CreateTable
  | CreateView
  | CreateFunction
  | CreateCatalog
  | CreateDatabase
  | Drop
  | AlterTable
  | Show
  | Describe
  | Explain
  | SetStatement
  | ResetStatement
  | Use
  | StatementSet
  | JarStatement
  | ModuleStatement
  | StopJob;

/** `'key' = 'value'` in WITH (...) */
export interface TableOption {
  kind: 'TableOption';
  pos: Pos;
  key: string;
  value: string;
}

export interface PhysicalColumn {
  kind: 'PhysicalColumn';
  pos: Pos;
  name: Identifier;
  type: DataType;
  /** Inline `PRIMARY KEY NOT ENFORCED`. */
  primaryKey?: PrimaryKey;
  comment?: string;
}
/** `col AS expr` */
export interface ComputedColumn {
  kind: 'ComputedColumn';
  pos: Pos;
  name: Identifier;
  expr: Expr;
  comment?: string;
}
/** `col TYPE METADATA [FROM 'key'] [VIRTUAL]` */
export interface MetadataColumn {
  kind: 'MetadataColumn';
  pos: Pos;
  name: Identifier;
  type: DataType;
  from?: string;
  virtual: boolean;
  comment?: string;
}
/** ALTER TABLE ADD/MODIFY column placement. */
export type ColumnPosition = { first: true } | { after: Identifier };
export type ColumnDef = (PhysicalColumn | ComputedColumn | MetadataColumn) & { position?: ColumnPosition };

export interface Watermark {
  kind: 'Watermark';
  pos: Pos;
  column: QualifiedName;
  expr: Expr;
}
export interface PrimaryKey {
  kind: 'PrimaryKey';
  pos: Pos;
  constraintName?: Identifier;
  /** Empty for the inline column form. */
  columns: Identifier[];
  /** Flink only accepts NOT ENFORCED; the parser records what was written. */
  enforced: boolean;
}
export interface Distribution {
  kind: 'Distribution';
  pos: Pos;
  algorithm?: 'HASH' | 'RANGE';
  columns: Identifier[];
  buckets?: number;
}
export interface LikeOption {
  kind: 'LikeOption';
  pos: Pos;
  mode: 'INCLUDING' | 'EXCLUDING' | 'OVERWRITING';
  what: 'ALL' | 'CONSTRAINTS' | 'DISTRIBUTION' | 'GENERATED' | 'METADATA' | 'OPTIONS' | 'PARTITIONS' | 'WATERMARKS';
}
export interface LikeClause {
  kind: 'LikeClause';
  pos: Pos;
  source: QualifiedName;
  options: LikeOption[];
}

export interface CreateTable {
  kind: 'CreateTable';
  pos: Pos;
  temporary: boolean;
  orReplace: boolean;
  ifNotExists: boolean;
  name: QualifiedName;
  /** Whether a (...) column list was written (CTAS may omit it). */
  hasColumnList: boolean;
  columns: ColumnDef[];
  watermarks: Watermark[];
  primaryKey?: PrimaryKey;
  comment?: string;
  distribution?: Distribution;
  partitionedBy?: Identifier[];
  options: TableOption[];
  /** Whether `WITH (...)` was written, possibly empty. */
  hasWith: boolean;
  like?: LikeClause;
  /** CREATE TABLE ... AS SELECT */
  asQuery?: Query;
}
export interface CreateView {
  kind: 'CreateView';
  pos: Pos;
  temporary: boolean;
  orReplace: boolean;
  ifNotExists: boolean;
  name: QualifiedName;
  columns?: Identifier[];
  comment?: string;
  query: Query;
}
export interface CreateFunction {
  kind: 'CreateFunction';
  pos: Pos;
  scope?: 'TEMPORARY' | 'TEMPORARY SYSTEM';
  orReplace: boolean;
  ifNotExists: boolean;
  name: QualifiedName;
  className: string;
  language?: string;
  jars: string[];
}
export interface CreateCatalog {
  kind: 'CreateCatalog';
  pos: Pos;
  ifNotExists: boolean;
  name: Identifier;
  options: TableOption[];
}
export interface CreateDatabase {
  kind: 'CreateDatabase';
  pos: Pos;
  ifNotExists: boolean;
  name: QualifiedName;
  comment?: string;
  options: TableOption[];
}
export interface Drop {
  kind: 'Drop';
  pos: Pos;
  object: 'TABLE' | 'VIEW' | 'FUNCTION' | 'CATALOG' | 'DATABASE';
  scope?: 'TEMPORARY' | 'TEMPORARY SYSTEM';
  ifExists: boolean;
  name: QualifiedName;
  behavior?: 'RESTRICT' | 'CASCADE';
}

/** ALTER TABLE ... ADD/MODIFY: column, watermark and primary-key elements, `(...)` or a single one. */
export interface AlterSchema {
  kind: 'AlterSchema';
  pos: Pos;
  op: 'ADD' | 'MODIFY';
  parens: boolean;
  columns: ColumnDef[];
  watermarks: Watermark[];
  primaryKey?: PrimaryKey;
}
/** ALTER TABLE ... DROP column(s) | WATERMARK | PRIMARY KEY | CONSTRAINT name. */
export interface DropSchema {
  kind: 'DropSchema';
  pos: Pos;
  what: 'COLUMNS' | 'WATERMARK' | 'PRIMARY KEY' | 'CONSTRAINT';
  parens: boolean;
  /** Dropped columns, or the constraint name. */
  names: Identifier[];
}
export type AlterTableAction =
  | AlterSchema
  | DropSchema
  | { kind: 'RenameTable'; pos: Pos; to: QualifiedName }
  | { kind: 'RenameColumn'; pos: Pos; from: Identifier; to: Identifier }
  | { kind: 'SetOptions'; pos: Pos; options: TableOption[] }
  | { kind: 'ResetOptions'; pos: Pos; keys: string[] };
export interface AlterTable {
  kind: 'AlterTable';
  pos: Pos;
  ifExists: boolean;
  name: QualifiedName;
  action: AlterTableAction;
}

/** SHOW ... — `object` is the upper-cased words after SHOW (`TABLES`, `USER FUNCTIONS`, `CREATE TABLE`, `CURRENT CATALOG`, ...). */
export interface Show {
  kind: 'Show';
  pos: Pos;
  object: string;
  /** `FROM|IN db` for TABLES/VIEWS/FUNCTIONS/COLUMNS, or the object of SHOW CREATE. */
  name?: QualifiedName;
  preposition?: 'FROM' | 'IN';
  like?: { not: boolean; ilike: boolean; pattern: string };
}
export interface Describe {
  kind: 'Describe';
  pos: Pos;
  extended: boolean;
  name: QualifiedName;
}
export interface Explain {
  kind: 'Explain';
  pos: Pos;
  /** `PLAN FOR` when written that way, else the detail words (ESTIMATED_COST, CHANGELOG_MODE, ...). */
  planFor: boolean;
  details: string[];
  statement: Query | Insert | StatementSet | CreateTable;
}
/** `SET` (list all), or `SET 'key' = 'value'`. */
export interface SetStatement {
  kind: 'Set';
  pos: Pos;
  key?: string;
  value?: string;
}
export interface ResetStatement {
  kind: 'Reset';
  pos: Pos;
  key?: string;
}
export interface Use {
  kind: 'Use';
  pos: Pos;
  target: 'CATALOG' | 'DATABASE' | 'MODULES';
  names: QualifiedName;
}
/** One `key = value` of INSERT ... PARTITION (...). */
export interface PartitionValue {
  kind: 'PartitionValue';
  pos: Pos;
  name: Identifier;
  value: Expr;
}
export interface Insert {
  kind: 'Insert';
  pos: Pos;
  overwrite: boolean;
  table: QualifiedName;
  hints: Hint[];
  /** Static partition `PARTITION (dt = '2024-01-01', ...)`. */
  partition?: PartitionValue[];
  columns?: Identifier[];
  query: Query;
}
/** `EXECUTE STATEMENT SET BEGIN ... END` (`execute`) or `BEGIN STATEMENT SET; ... END` (`begin`). */
export interface StatementSet {
  kind: 'StatementSet';
  pos: Pos;
  syntax: 'execute' | 'begin';
  inserts: Insert[];
}

/** SQL client `ADD JAR '<path>'` / `REMOVE JAR '<path>'`. */
export interface JarStatement {
  kind: 'Jar';
  pos: Pos;
  op: 'ADD' | 'REMOVE';
  path: string;
}
/** `LOAD MODULE name [WITH (...)]` / `UNLOAD MODULE name`. */
export interface ModuleStatement {
  kind: 'Module';
  pos: Pos;
  op: 'LOAD' | 'UNLOAD';
  name: Identifier;
  options: TableOption[];
}
/** `STOP JOB 'id' [WITH SAVEPOINT] [WITH DRAIN]` */
export interface StopJob {
  kind: 'StopJob';
  pos: Pos;
  jobId: string;
  withSavepoint: boolean;
  withDrain: boolean;
}
