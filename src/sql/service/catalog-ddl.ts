/**
 * The catalog as persisted in `_sql-statements`: one record per table or view holding the DDL that
 * recreates it. A plain CREATE TABLE / CREATE VIEW keeps the text the user wrote; a table made by
 * CREATE TABLE ... AS SELECT or ... LIKE is printed from the catalog (every name quoted, so reserved
 * words survive the round trip). CREATE FUNCTION keeps its text too (stored under `function:<name>`),
 * so statements that call a UDF resume after a restart.
 */
import type { CatalogTable } from '../index.ts';
import { formatExpr } from '../parser/index.ts';
import { formatType } from '../types/index.ts';

/** A catalog object as stored. */
export interface StoredCatalogObject {
  kind: 'table' | 'view' | 'function';
  name: string;
  ddl: string;
}

const q = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
const s = (v: string): string => `'${v.replaceAll("'", "''")}'`;

/** CREATE TABLE text that recreates `t` (without AS SELECT). */
export function createTableDdl(t: CatalogTable): string {
  const lines: string[] = [];
  for (const c of t.columns) {
    if (c.kind === 'computed') lines.push(`  ${q(c.name)} AS ${formatExpr(c.expr!)}`);
    else if (c.kind === 'metadata')
      lines.push(
        `  ${q(c.name)} ${formatType(c.type)} METADATA${c.metadataKey && c.metadataKey !== c.name ? ` FROM ${s(c.metadataKey)}` : ''}${c.virtual ? ' VIRTUAL' : ''}`,
      );
    else lines.push(`  ${q(c.name)} ${formatType(c.type)}`);
  }
  if (t.watermark) lines.push(`  WATERMARK FOR ${q(t.watermark.column)} AS ${formatExpr(t.watermark.expr)}`);
  if (t.primaryKey) lines.push(`  PRIMARY KEY (${t.primaryKey.map(q).join(', ')}) NOT ENFORCED`);
  const opts = Object.entries(t.options).map(([k, v]) => `  ${s(k)} = ${s(v)}`);
  return `CREATE TABLE ${q(t.name)} (\n${lines.join(',\n')}\n) WITH (\n${opts.join(',\n')}\n)`;
}
