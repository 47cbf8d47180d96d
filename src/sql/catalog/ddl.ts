/**
 * CREATE TABLE → CatalogTable: column types, computed column types (compiled against the physical and
 * metadata columns), metadata columns, the watermark (a TIMESTAMP(p ≤ 3) / TIMESTAMP_LTZ column and
 * expression), the primary key (its columns become NOT NULL), and connector validation.
 */
import { validateTable } from '../connectors/connector.ts';
import type { CreateTable, Pos } from '../parser/index.ts';
import { toSqlType } from '../planner/data-type.ts';
import { SqlValidationError } from '../planner/errors.ts';
import { compileExpr, type ExprContext, type ScopeField } from '../planner/expr.ts';
import { formatType, type SqlType, withNullable } from '../types/index.ts';
import type { CatalogColumn, CatalogTable } from './catalog.ts';

function fail(pos: Pos, msg: string): never {
  throw new SqlValidationError(pos, msg);
}

/** Builds and validates a table from its CREATE TABLE statement (CTAS columns come from `queryFields`). */
export function tableFromDdl(
  stmt: CreateTable,
  name: string,
  ctx: ExprContext,
  queryFields?: Array<{ name: string; type: SqlType }>,
): CatalogTable {
  if (stmt.like) fail(stmt.like.pos, 'CREATE TABLE ... LIKE is not supported yet');
  if (stmt.partitionedBy?.length) fail(stmt.pos, 'PARTITIONED BY is not supported yet');
  const columns: CatalogColumn[] = [];
  const seen = new Set<string>();
  const add = (c: CatalogColumn, pos: Pos) => {
    if (seen.has(c.name)) fail(pos, `A column named '${c.name}' already exists in the table`);
    seen.add(c.name);
    columns.push(c);
  };
  if (queryFields) {
    if (stmt.columns.some((c) => c.kind !== 'PhysicalColumn') || stmt.columns.length)
      fail(stmt.pos, 'CREATE TABLE AS SELECT with a column list is not supported yet');
    for (const f of queryFields) add({ name: f.name, type: withNullable(f.type, true), kind: 'physical' }, stmt.pos);
  }
  let pk: string[] | undefined;
  let pkPos: Pos | undefined;
  for (const c of stmt.columns) {
    if (c.kind === 'PhysicalColumn') {
      add({ name: c.name.value, type: toSqlType(c.type), kind: 'physical', comment: c.comment }, c.pos);
      if (c.primaryKey) {
        if (pk) fail(c.pos, 'Duplicate primary key definition');
        pk = [c.name.value];
        pkPos = c.primaryKey.pos;
        if (c.primaryKey.enforced)
          fail(
            c.primaryKey.pos,
            "Flink doesn't support ENFORCED mode for PRIMARY KEY constraint. ENFORCED/NOT ENFORCED controls if the constraint checks are performed on the incoming/outgoing data. Flink does not own the data therefore the only supported mode is the NOT ENFORCED mode",
          );
      }
    } else if (c.kind === 'MetadataColumn') {
      add(
        {
          name: c.name.value,
          type: toSqlType(c.type),
          kind: 'metadata',
          metadataKey: c.from ?? c.name.value,
          virtual: c.virtual,
          comment: c.comment,
        },
        c.pos,
      );
    }
  }
  // computed columns see physical and metadata columns; resolved after all of those are known
  const base: ScopeField[] = columns.map((c, i) => ({ name: c.name, type: c.type, index: i }));
  const ordered: CatalogColumn[] = [];
  let k = queryFields ? queryFields.length : 0;
  for (const c of stmt.columns) {
    if (c.kind === 'ComputedColumn') {
      const t = compileExpr(c.expr, { fields: base, noAggregates: 'computed column' }, ctx).type;
      if (seen.has(c.name.value)) fail(c.pos, `A column named '${c.name.value}' already exists in the table`);
      seen.add(c.name.value);
      ordered.push({ name: c.name.value, type: t, kind: 'computed', expr: c.expr, comment: c.comment });
    } else ordered.push(columns[k++]!);
  }
  const all = queryFields ? [...columns.slice(0, queryFields.length), ...ordered] : ordered;

  if (stmt.primaryKey) {
    if (pk) fail(stmt.primaryKey.pos, 'Duplicate primary key definition');
    pk = stmt.primaryKey.columns.map((c) => c.value);
    pkPos = stmt.primaryKey.pos;
    if (stmt.primaryKey.enforced)
      fail(
        stmt.primaryKey.pos,
        "Flink doesn't support ENFORCED mode for PRIMARY KEY constraint. ENFORCED/NOT ENFORCED controls if the constraint checks are performed on the incoming/outgoing data. Flink does not own the data therefore the only supported mode is the NOT ENFORCED mode",
      );
  }
  if (pk) {
    for (const k of pk) {
      const col = all.find((c) => c.name === k);
      if (!col) fail(pkPos!, `Primary key column '${k}' is not defined in the schema`);
      if (col.kind !== 'physical')
        fail(
          pkPos!,
          `Could not create a PRIMARY KEY with column '${k}' at ${pkPos!.line}:${pkPos!.col}. A PRIMARY KEY constraint must be declared on physical columns.`,
        );
      col.type = withNullable(col.type, false);
    }
  }

  let watermark: CatalogTable['watermark'];
  if (stmt.watermarks.length > 1) fail(stmt.watermarks[1]!.pos, 'Multiple watermark definitions are not supported yet');
  const w = stmt.watermarks[0];
  if (w) {
    const colName = w.column.map((n) => n.value).join('.');
    const col = all.find((c) => c.name === colName);
    if (!col)
      fail(
        w.pos,
        `The rowtime attribute field '${colName}' is not defined in the table schema, at ${w.pos.line}:${w.pos.col}. Available fields: [${all.map((c) => `'${c.name}'`).join(', ')}]`,
      );
    const okType = (t: SqlType) => (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && t.precision <= 3;
    if (!okType(col.type))
      fail(
        w.pos,
        `Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is ${formatType(col.type)}`,
      );
    const scope: ScopeField[] = all.map((c, i) => ({ name: c.name, type: c.type, index: i }));
    const wt = compileExpr(w.expr, { fields: scope, noAggregates: 'watermark' }, ctx).type;
    if (!okType(wt))
      fail(
        w.expr.pos,
        `Invalid data type of expression for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the watermark expression type is ${formatType(wt)}`,
      );
    watermark = { column: colName, expr: w.expr };
  }
  const options: Record<string, string> = {};
  for (const o of stmt.options) options[o.key] = o.value;
  const table: CatalogTable = {
    kind: 'table',
    name,
    columns: all,
    watermark,
    primaryKey: pk,
    options,
    comment: stmt.comment,
  };
  validateTable(table);
  return table;
}
