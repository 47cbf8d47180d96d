/**
 * Streaming SQL in Apache Flink's dialect.
 *
 * | folder / file | what                                                                          |
 * |---------------|-------------------------------------------------------------------------------|
 * | parser/       | the Flink SQL parser: statements, expressions, errors with line/column        |
 * | types/        | logical types, runtime values, CAST, JSON conversion                          |
 * | functions/    | built-in scalar and aggregate functions                                       |
 * | catalog/      | tables (columns, watermark, primary key, options) and views; DDL; DESCRIBE    |
 * | planner/      | expression compiler, query planner, plan nodes with changelog modes, EXPLAIN  |
 * | runtime/      | changelog rows, push-based operators, watermarks, jobs                        |
 * | connectors/   | kafka, upsert-kafka, datagen, values, print, blackhole (nexmark: generator)   |
 * | formats/      | json, raw, csv; avro-confluent, avro-registry, json-registry (through src/serde) |
 * | session.ts    | SqlSession: execute(sql) for DDL, queries and INSERT jobs                     |
 */
export { Catalog, type CatalogTable, type CatalogView } from './catalog/catalog.ts';
export {
  type ConnectorEnv,
  type ConnectorFactory,
  ConnectorOptionError,
  registerConnector,
  type SinkRuntime,
  type SourceOutput,
  type SourceRuntime,
} from './connectors/index.ts';
export { SqlPlanError, SqlValidationError } from './planner/errors.ts';
export {
  type ChangelogMode,
  type Field,
  formatChangelogMode,
  formatRow,
  ROW_KIND_NAMES,
  type Row,
  RowKind,
} from './runtime/changelog.ts';
export { Job, type JobStatus, type ResultRow } from './runtime/job.ts';
export type { JobMetrics } from './runtime/window.ts';
export { formatResultRows, type Result, type SessionOptions, SqlSession } from './session.ts';
