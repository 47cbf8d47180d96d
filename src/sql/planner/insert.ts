/**
 * INSERT INTO planning: the query's columns matched to the sink's (physical and writable metadata
 * columns, or the listed ones), implicit casts where Flink allows them, and the changelog check: an
 * append-only sink rejects a query producing updates or deletes, naming the node that produces them.
 */
import { Catalog, type CatalogTable, fullName } from '../catalog/catalog.ts';
import { tableInfo, validateTable } from '../connectors/connector.ts';
import type { Insert, Query } from '../parser/index.ts';
import { type Field, isAppendOnly } from '../runtime/changelog.ts';
import { canImplicitCast, formatType, typeEquals, withNullable } from '../types/index.ts';
import { SqlPlanError, SqlValidationError } from './errors.ts';
import { type Compiled, coerce } from './expr.ts';
import { inputsOf, type PlanNode, type SinkNode } from './plan.ts';
import { type PlannerEnv, planQuery } from './query.ts';

const schema = (fs: readonly Field[]) => `[${fs.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')}]`;

/** The node where updates first appear (its inputs are append-only), for the error message. */
function updateOrigin(n: PlanNode): PlanNode {
  for (const c of inputsOf(n)) if (!isAppendOnly(c.mode)) return updateOrigin(c);
  return n;
}

/** Plans `INSERT INTO table query` into a Sink node. */
export function planInsert(ins: Insert, env: PlannerEnv): SinkNode {
  const name = Catalog.objectName(ins.table);
  const obj = name === undefined ? undefined : env.catalog.get(name);
  if (!obj) throw new SqlValidationError(ins.pos, `Object '${ins.table.map((n) => n.value).join('.')}' not found`);
  if (obj.kind === 'view') throw new SqlValidationError(ins.pos, `View '${fullName(obj.name)}' cannot be written to`);
  if (ins.overwrite)
    throw new SqlValidationError(ins.pos, 'INSERT OVERWRITE expression is only supported in batch mode');
  if (ins.partition) throw new SqlValidationError(ins.pos, 'INSERT INTO ... PARTITION is not supported yet');
  return planSink(
    obj,
    ins.query,
    env,
    ins.columns?.map((c) => c.value),
    ins.pos,
  );
}

/** Plans writing `query` into `table` (INSERT INTO and CREATE TABLE AS SELECT). */
export function planSink(
  table: CatalogTable,
  query: Query,
  env: PlannerEnv,
  columns?: string[],
  pos?: { line: number; col: number; offset: number },
): SinkNode {
  const factory = validateTable(table);
  if (!factory.sink)
    throw new SqlValidationError(
      pos,
      `Connector '${factory.identifier}' can only be used as a source. It cannot be used as a sink.`,
    );
  const info = tableInfo(table, true);
  const provider = factory.sink(info, env.connectorEnv);
  const sinkFields: Field[] = info.columns.map((c) => ({ name: c.name, type: c.type }));
  const p = planQuery(query, env);
  const qf = p.node.fields;
  const objectName = fullName(table.name);
  // which query column feeds each sink column (-1: NULL)
  let mapping: number[];
  if (columns) {
    for (const c of columns)
      if (!sinkFields.some((f) => f.name === c)) throw new SqlValidationError(pos, `Unknown target column '${c}'`);
    if (columns.length !== qf.length)
      throw new SqlValidationError(
        pos,
        `Column types of query result and sink for '${objectName}' do not match. Cause: Different number of columns. Query schema: ${schema(qf)} Sink schema: ${schema(columns.map((c) => sinkFields.find((f) => f.name === c)!))}`,
      );
    mapping = sinkFields.map((f) => columns.indexOf(f.name));
  } else {
    if (qf.length !== sinkFields.length)
      throw new SqlValidationError(
        pos,
        `Column types of query result and sink for '${objectName}' do not match. Cause: Different number of columns. Query schema: ${schema(qf)} Sink schema: ${schema(sinkFields)}`,
      );
    mapping = sinkFields.map((_, i) => i);
  }
  const projection = sinkFields.map((f, i) => {
    const src = mapping[i]!;
    if (src < 0) {
      if (!f.type.nullable)
        throw new SqlValidationError(pos, `Column '${f.name}' of sink '${objectName}' is NOT NULL and has no value`);
      return () => null;
    }
    const from = qf[src]!.type;
    if (!typeEquals(withNullable(from, true), withNullable(f.type, true)) && !canImplicitCast(from, f.type))
      throw new SqlValidationError(
        pos,
        `Column types of query result and sink for '${objectName}' do not match. Cause: Incompatible types for sink column '${f.name}' at position ${i}. Query schema: ${schema(qf)} Sink schema: ${schema(sinkFields)}`,
      );
    const c: Compiled = { type: from, eval: (row) => row[src] };
    return coerce(c, withNullable(f.type, true), env.ctx).eval;
  });
  const identity =
    mapping.every((m, i) => m === i) &&
    sinkFields.every((f, i) => typeEquals(withNullable(f.type, true), withNullable(qf[i]!.type, true)));
  let input = p.node;
  if (!identity)
    input = {
      kind: 'Calc',
      input,
      projection,
      fields: sinkFields,
      mode: input.mode,
      text: `Calc(select=[${sinkFields.map((f, i) => (mapping[i]! < 0 ? `null:${formatType(f.type)} AS ${f.name}` : qf[mapping[i]!]!.name === f.name ? f.name : `${qf[mapping[i]!]!.name} AS ${f.name}`)).join(', ')}])`,
    };
  const m = input.mode;
  if (provider.accepts === 'append' && !isAppendOnly(m)) {
    const what = (m.updateBefore || m.updateAfter) && m.delete ? 'update and delete' : m.delete ? 'delete' : 'update';
    throw new SqlPlanError(
      `Table sink '${objectName}' doesn't support consuming ${what} changes which is produced by node ${updateOrigin(input).text}`,
    );
  }
  return {
    kind: 'Sink',
    input,
    table,
    provider,
    fields: sinkFields,
    mode: input.mode,
    text: `Sink(table=[${objectName}], fields=[${sinkFields.map((f) => f.name).join(', ')}])`,
  };
}
