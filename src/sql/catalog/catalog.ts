/**
 * The in-memory catalog of one session: tables (physical, computed and metadata columns, watermark,
 * primary key, connector options) and views, in Flink's single `default_catalog.default_database`.
 * Names resolve case-sensitively as Flink does; `cat.db.name` and `db.name` forms are accepted.
 */
import type { Expr, QualifiedName, Query } from '../parser/index.ts';
import { formatExpr } from '../parser/index.ts';
import type { Field } from '../runtime/changelog.ts';
import { formatType, type SqlType, withNullable } from '../types/index.ts';

/** `name` or `` `na me` `` as Flink prints identifiers. */
export function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replaceAll('`', '``')}\``;
}

export const DEFAULT_CATALOG = 'default_catalog';
export const DEFAULT_DATABASE = 'default_database';

/** A column of a table. */
export interface CatalogColumn {
  name: string;
  type: SqlType;
  kind: 'physical' | 'computed' | 'metadata';
  /** Computed columns: the expression. */
  expr?: Expr;
  /** Metadata columns: the connector's key (`FROM 'key'`, else the column name). */
  metadataKey?: string;
  /** Metadata columns declared VIRTUAL (read-only, not written by sinks). */
  virtual?: boolean;
  comment?: string;
}

/** `WATERMARK FOR column AS expr`. */
export interface CatalogWatermark {
  column: string;
  expr: Expr;
}

/** A table: a schema plus connector options. */
export interface CatalogTable {
  kind: 'table';
  name: string;
  columns: CatalogColumn[];
  watermark?: CatalogWatermark;
  primaryKey?: string[];
  options: Record<string, string>;
  comment?: string;
}

/** A view: a stored query with its output schema. */
export interface CatalogView {
  kind: 'view';
  name: string;
  query: Query;
  /** Column aliases of `CREATE VIEW v (a, b) AS ...`. */
  columnNames?: string[];
  fields: Field[];
}

export type CatalogObject = CatalogTable | CatalogView;

/** `default_catalog.default_database.name` */
export function fullName(name: string): string {
  return `${DEFAULT_CATALOG}.${DEFAULT_DATABASE}.${name}`;
}

/** Tables and views by name. */
export class Catalog {
  readonly #objects = new Map<string, CatalogObject>();

  /** The object name a qualified name refers to, or undefined when it names another catalog/database. */
  static objectName(name: QualifiedName): string | undefined {
    const parts = name.map((n) => n.value);
    if (parts.length === 1) return parts[0];
    if (parts.length === 2) return parts[0] === DEFAULT_DATABASE ? parts[1] : undefined;
    if (parts.length === 3) return parts[0] === DEFAULT_CATALOG && parts[1] === DEFAULT_DATABASE ? parts[2] : undefined;
    return undefined;
  }

  get(name: string): CatalogObject | undefined {
    return this.#objects.get(name);
  }

  has(name: string): boolean {
    return this.#objects.has(name);
  }

  put(obj: CatalogObject): void {
    this.#objects.set(obj.name, obj);
  }

  delete(name: string): boolean {
    return this.#objects.delete(name);
  }

  /** Sorted names of tables (views excluded, as Flink's SHOW TABLES lists both; `views` only views). */
  list(kind?: 'table' | 'view'): string[] {
    return [...this.#objects.values()]
      .filter((o) => !kind || o.kind === kind)
      .map((o) => o.name)
      .sort();
  }
}

/** One row of DESCRIBE: name, type, null, key, extras, watermark (Flink's columns). */
export function describeRows(t: CatalogTable | CatalogView): unknown[][] {
  if (t.kind === 'view')
    return t.fields.map((f) => [f.name, formatType(withNullable(f.type, true)), f.type.nullable, null, null, null]);
  const pk = t.primaryKey;
  return t.columns.map((c) => {
    const rowtime = t.watermark?.column === c.name;
    let type = formatType(withNullable(c.type, true));
    if (rowtime) type += ' *ROWTIME*';
    else if (
      c.kind === 'computed' &&
      c.expr?.kind === 'FunctionCall' &&
      c.expr.args.length === 0 &&
      c.expr.name.at(-1)?.value.toUpperCase() === 'PROCTIME'
    )
      type += ' *PROCTIME*';
    const key = pk?.includes(c.name) ? `PRI(${pk.map((k) => quoteName(k)).join(', ')})` : null;
    let extras: string | null = null;
    if (c.kind === 'computed') extras = `AS ${formatExpr(c.expr!)}`;
    else if (c.kind === 'metadata')
      extras = `METADATA${c.metadataKey && c.metadataKey !== c.name ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}`;
    const watermark = rowtime ? formatExpr(t.watermark!.expr) : null;
    return [c.name, type, c.type.nullable, key, extras, watermark];
  });
}

/** The CREATE TABLE statement a table came from, re-printed (SHOW CREATE TABLE). */
export function showCreateTable(t: CatalogTable): string {
  const lines: string[] = [];
  for (const c of t.columns) {
    const n = quoteName(c.name);
    if (c.kind === 'computed') lines.push(`  ${n} AS ${formatExpr(c.expr!)}`);
    else if (c.kind === 'metadata')
      lines.push(
        `  ${n} ${formatType(c.type)} METADATA${c.metadataKey && c.metadataKey !== c.name ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}`,
      );
    else lines.push(`  ${n} ${formatType(c.type)}`);
  }
  if (t.watermark) lines.push(`  WATERMARK FOR ${quoteName(t.watermark.column)} AS ${formatExpr(t.watermark.expr)}`);
  if (t.primaryKey) lines.push(`  PRIMARY KEY (${t.primaryKey.map((k) => quoteName(k)).join(', ')}) NOT ENFORCED`);
  const opts = Object.entries(t.options).map(([k, v]) => `  '${k}' = '${v.replaceAll("'", "''")}'`);
  return `CREATE TABLE \`${DEFAULT_CATALOG}\`.\`${DEFAULT_DATABASE}\`.${quoteName(t.name)} (\n${lines.join(',\n')}\n) WITH (\n${opts.join(',\n')}\n)\n`;
}
