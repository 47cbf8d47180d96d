/**
 * Temporal joins: `FROM o [LEFT] JOIN r FOR SYSTEM_TIME AS OF o.t AS r ON o.k = r.k`.
 *
 * - Event time (`o.t` a rowtime attribute): `r` must be a versioned table, a table with a PRIMARY KEY and a
 *   watermark (an upsert-kafka table, or any connector: each row is a new version of its key) or a view
 *   deduplicating on event time (`ROW_NUMBER() OVER (PARTITION BY k ORDER BY rt DESC) = 1`, key k), and
 *   the ON condition must equate the whole primary key. Each row of `o` joins the version of `r` valid at its
 *   event time and is emitted when the watermark passes it (../runtime/temporal-join.ts).
 * - Processing time (`o.t` a PROCTIME() attribute): each row of `o` joins the latest rows of `r` with its
 *   key, as Flink's lookup join does; a bounded `r` (a side-input table) is loaded fully first.
 *
 * Only INNER and LEFT joins, over an append-only left input. The output is append-only and keeps the left input's time attributes.
 */
import { Catalog, fullName } from '../catalog/catalog.ts';
import type { Join, TableName, TableRef } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly, type Row } from '../runtime/changelog.ts';
import { type SqlType, withNullable } from '../types/index.ts';
import { resolveColumn } from './expr.ts';
import { conjuncts, onFilter, splitEquiKeys, versionedJoinScopes } from './join.ts';
import { lookupTable, planLookupJoin } from './lookup-join.ts';
import { fail } from './names.ts';
import type { PlanNode } from './plan.ts';
import { isBounded } from './plan.ts';
import type { Ctes, Planned, PlannerEnv } from './query.ts';

type PlanFrom = (ref: TableRef, env: PlannerEnv, ctes: Ctes) => Planned;

export interface TemporalJoinNode {
  kind: 'TemporalJoin';
  left: PlanNode;
  right: PlanNode;
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  filter?: (row: Row) => boolean;
  /** LEFT JOIN: unmatched left rows are padded with NULLs. */
  leftOuter: boolean;
  /** Event time: positions of the left row's time attribute and the right row's rowtime (version time). */
  leftTime: number;
  rightTime: number;
  /** Processing time: join the latest rows of the right side. */
  proctime: boolean;
  /** Processing time over a bounded right side: it is read fully before left rows are joined. */
  rightBounded: boolean;
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

const PROBE = Symbol('probe');
type Dedup = Extract<PlanNode, { kind: 'Deduplicate' }>;

/** The column of `n`'s input that a Calc projection forwards to output column `index`, if it just forwards one. */
function forwarded(f: ((row: Row) => unknown) | undefined, width: number): number | undefined {
  if (!f) return undefined;
  try {
    const v = f(Array.from({ length: width }, (_, j) => ({ [PROBE]: j })));
    if (v !== null && typeof v === 'object' && PROBE in v) return (v as { [PROBE]: number })[PROBE];
  } catch {
    // computes something
  }
  return undefined;
}

/**
 * A deduplicated view keeping the last row per key on event time (Flink's versioned view): the output
 * columns of `n` holding the deduplication key and the rowtime; undefined when `n` is not one.
 */
function versionedView(n: PlanNode): { keys: number[]; time: number } | undefined {
  // output column of `n` → column of the Deduplicate node below (through Calcs that forward columns)
  const maps: Array<Array<number | undefined>> = [];
  let d: PlanNode = n;
  while (d.kind === 'Calc') {
    const c = d;
    maps.push(d.fields.map((_, i) => (c.projection ? forwarded(c.projection[i], c.input.fields.length) : i)));
    d = d.input;
  }
  if (d.kind !== 'Deduplicate') return undefined;
  const dedup: Dedup = d;
  if (!dedup.keepLast || dedup.timeIndex < 0) return undefined;
  const outputOf = (col: number): number => {
    let cols = dedup.fields.map((_, i) => (i === col ? 0 : -1));
    for (let m = maps.length - 1; m >= 0; m--) cols = maps[m]!.map((j) => (j === undefined ? -1 : cols[j]!));
    return cols.indexOf(0);
  };
  const keyCols = dedup.keys.map((k) => forwarded(k, dedup.input.fields.length));
  if (keyCols.some((c) => c === undefined)) return undefined;
  return { keys: keyCols.map((c) => outputOf(c!)), time: outputOf(dedup.timeIndex) };
}

/** Whether a join's right side is `table FOR SYSTEM_TIME AS OF ...`. */
export function isTemporalJoin(ref: Join): boolean {
  return ref.right.kind === 'TableName' && ref.right.systemTime !== undefined;
}

export function planTemporalJoin(ref: Join, env: PlannerEnv, ctes: Ctes, planFrom: PlanFrom): Planned {
  const rightRef = ref.right as TableName;
  const asOf = rightRef.systemTime!;
  if (ref.natural || ref.using) fail(ref.pos, 'NATURAL joins and JOIN ... USING are not supported yet');
  if (ref.type !== 'INNER' && ref.type !== 'LEFT')
    fail(ref.pos, `Temporal table join currently only supports INNER JOIN and LEFT JOIN, but was ${ref.type} JOIN.`);
  if (!ref.on) fail(ref.pos, 'Temporal table join requires an ON condition');
  const left = planFrom(ref.left, env, ctes);
  const right = planFrom({ ...rightRef, systemTime: undefined }, env, ctes);
  const objName = Catalog.objectName(rightRef.name);
  const isCte = rightRef.name.length === 1 && ctes.has(rightRef.name[0]!.value);
  const obj = objName === undefined || isCte ? undefined : env.catalog.get(objName);
  const tableName = obj ? fullName(obj.name) : rightRef.name.map((n) => n.value).join('.');

  // FOR SYSTEM_TIME AS OF must name a time attribute of the left input
  const timeHit = asOf.kind === 'ColumnRef' ? resolveColumn({ fields: left.scope }, asOf.names, asOf.pos) : undefined;
  if (!timeHit || timeHit.rest.length || (!timeHit.field.rowtime && !timeHit.field.proctime))
    fail(
      asOf.pos,
      "Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field",
    );
  const proctime = timeHit.field.proctime === true;
  // a table whose connector looks rows up by key (jdbc): a lookup join
  if (lookupTable(right)) return planLookupJoin(ref, env, left, right, tableName, proctime);
  if (!isAppendOnly(left.node.mode))
    fail(ref.pos, 'Temporal joins with an updating (non append-only) left input are not supported yet');

  const { lw, scopeFields, merged, leftScope, rightScope } = versionedJoinScopes(left, right);
  const { leftKeys, rightKeys, rightKeyColumns, keyText, rest } = splitEquiKeys(
    conjuncts(ref.on, []),
    merged,
    lw,
    leftScope,
    rightScope,
    env.ctx,
  );
  if (leftKeys.length === 0)
    fail(ref.pos, `Temporal table join requires an equality condition on fields of table [${tableName}].`);

  let rightTime = -1;
  let pkNames: string[] = [];
  if (!proctime) {
    const names = right.node.fields.map((f) => f.name);
    const tablePk = obj?.kind === 'table' ? obj.primaryKey : undefined;
    // a table's PRIMARY KEY, or the key of a deduplicated view (ROW_NUMBER() ... ORDER BY rowtime DESC = 1)
    const view = tablePk?.length ? undefined : versionedView(right.node);
    const pkCols = tablePk?.length ? tablePk.map((k) => names.indexOf(k)) : view?.keys;
    if (!pkCols?.length || pkCols.some((i) => i < 0))
      fail(ref.pos, 'Temporal Table Join requires primary key in versioned table, but no primary key can be found.');
    pkNames = pkCols.map((i) => names[i]!);
    const rt = right.scope.find((f) => f.rowtime)?.index ?? view?.time ?? -1;
    if (rt < 0)
      fail(
        ref.pos,
        'Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found.',
      );
    rightTime = rt;
    for (const i of pkCols)
      if (!rightKeyColumns.has(i))
        fail(
          ref.pos,
          `Temporal table's primary key [${pkNames.join(', ')}] must be included in the equivalence condition of temporal join condition.`,
        );
  }

  const { filter, filterText } = onFilter(rest, merged, env.ctx);
  const leftOuter = ref.type === 'LEFT';
  const nullable = (f: Field): Field => (leftOuter ? { ...f, type: withNullable(f.type as SqlType, true) } : f);
  const fields = [...left.node.fields, ...right.node.fields.map(nullable)];
  const scope = scopeFields.map((f, i) => ({ ...f, type: fields[i]!.type }));
  const lt = left.node.fields[timeHit.field.index]!.name;
  const temporal = proctime
    ? `__TEMPORAL_JOIN_CONDITION(${lt})`
    : `__TEMPORAL_JOIN_CONDITION(${lt}, ${right.node.fields[rightTime]!.name}, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(${pkNames.join(', ')}))`;
  const where = [keyText.join(' AND '), temporal, filterText].filter(Boolean).join(' AND ');
  const node: TemporalJoinNode = {
    kind: 'TemporalJoin',
    left: left.node,
    right: right.node,
    leftKeys,
    rightKeys,
    filter,
    leftOuter,
    leftTime: timeHit.field.index,
    rightTime,
    proctime,
    rightBounded: isBounded(right.node),
    fields,
    mode: APPEND,
    text: `TemporalJoin(joinType=[${leftOuter ? 'LeftOuterJoin' : 'InnerJoin'}], where=[${where}], select=[${fields.map((f) => f.name).join(', ')}])`,
  };
  return { node, scope };
}
