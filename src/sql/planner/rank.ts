/**
 * Top-N and deduplication, recognised as Flink's planner does: a ROW_NUMBER() OVER (PARTITION BY ..
 * ORDER BY ..) column (a pending Rank planned by over.ts) filtered in the enclosing query by its value
 * (`rn <= N`, `rn < N`, `rn = 1`, `rn BETWEEN a AND b`, `rn > a AND rn <= b`).
 *
 * - Deduplicate: rank 1 only, ORDER BY a single time attribute, rank number not selected, append-only
 *   input. ASC keeps the first row, DESC the last. Processing-time keep-first is append-only; the other
 *   variants emit -U/+U (event time: a row with a smaller/greater rowtime replaces the kept one).
 * - Rank (Top-N): any ORDER BY; emits the changes of the top N per partition with retractions (-D/+I,
 *   or -U/+U/+I/-D by position when the rank number is selected); on updating input a retracted row
 *   leaves the ranking (RetractStrategy).
 */
import type { Expr, Select } from '../parser/index.ts';
import { APPEND, type ChangelogMode, type Field, isAppendOnly, RETRACT, type Row } from '../runtime/changelog.ts';
import { compileExpr, resolveColumn } from './expr.ts';
import { fail, names } from './names.ts';
import type { PlanNode } from './plan.ts';
import type { Planned, PlannerEnv } from './query.ts';
import { childrenOf } from './walk.ts';

interface Base {
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

export interface RankNode extends Base {
  kind: 'Rank';
  input: PlanNode;
  partitionKeys: Array<(row: Row) => unknown>;
  partitionText: string;
  compare: (a: Row, b: Row) => number;
  orderText: string;
  /** ORDER BY is one time attribute: its position, kind and direction (for deduplication). */
  orderTime?: { index: number; rowtime: boolean; desc: boolean };
  rankStart: number;
  rankEnd: number;
  /** Planned by over.ts, waiting for the enclosing query's filter on the rank number. */
  pending: boolean;
  /** The rank number is appended to each row (else rows are the input's). */
  outputRank: boolean;
}

export interface DeduplicateNode extends Base {
  kind: 'Deduplicate';
  input: PlanNode;
  keys: Array<(row: Row) => unknown>;
  keepLast: boolean;
  /** Event time: position of the rowtime column; -1 for processing time. */
  timeIndex: number;
}

const SENTINEL = { rank: true };

function conjuncts(e: Expr, out: Expr[]): Expr[] {
  if (e.kind === 'Binary' && e.op === 'AND') {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
  return out;
}

function references(e: Expr, name: string): boolean {
  if (e.kind === 'ColumnRef') return e.names.some((n) => n.value === name);
  if (e.kind === 'Star') return true;
  return childrenOf(e).some((c) => references(c, name));
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

/**
 * When the FROM of `sel` is a pending ROW_NUMBER(), takes the rank conditions out of its WHERE and
 * returns the completed Top-N / Deduplicate input with the rest of `sel`; undefined otherwise.
 */
export function applyRankFilter(
  input: Planned,
  sel: Select,
  env: PlannerEnv,
): { input: Planned; sel: Select } | undefined {
  let rank: PlanNode = input.node;
  const calc = rank.kind === 'Calc' && !rank.filter && rank.projection ? rank : undefined;
  if (calc) rank = calc.input;
  if (rank.kind !== 'Rank' || !rank.pending) return undefined;
  const width = rank.fields.length;
  // which columns of the input are the rank number
  let rankCols: number[];
  if (!calc) rankCols = [width - 1];
  else {
    const probe: unknown[] = new Array(width).fill(null);
    probe[width - 1] = SENTINEL;
    rankCols = [];
    calc.projection!.forEach((p, i) => {
      try {
        if (p(probe) === SENTINEL) rankCols.push(i);
      } catch {}
    });
  }
  const noFilter = (): never =>
    fail(
      sel.pos,
      'ROW_NUMBER() OVER without a filter on its result in the enclosing query (WHERE rn <= N) is not supported yet',
    );
  const where = sel.where ?? noFilter();
  if (rankCols.length === 0) noFilter();
  let start = 1;
  let end = Number.POSITIVE_INFINITY;
  let found = false;
  const rest: Expr[] = [];
  const isRank = (e: Expr) => {
    if (e.kind !== 'ColumnRef') return false;
    const hit = resolveColumn({ fields: input.scope }, e.names, e.pos);
    return !!hit && hit.rest.length === 0 && rankCols.includes(hit.field.index);
  };
  const constInt = (e: Expr): number | undefined => {
    const c = compileExpr(e, { fields: [] }, env.ctx);
    if (!c.constant || !['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(c.type.kind)) return undefined;
    return Number(c.constant.value);
  };
  for (const c of conjuncts(where, [])) {
    if (c.kind === 'Binary' && FLIP[c.op]) {
      let op = c.op;
      let v: number | undefined;
      if (isRank(c.left)) v = constInt(c.right);
      else if (isRank(c.right)) {
        v = constInt(c.left);
        op = FLIP[c.op] as typeof op;
      }
      if (v !== undefined) {
        found = true;
        if (op === '<=') end = Math.min(end, v);
        else if (op === '<') end = Math.min(end, v - 1);
        else if (op === '>=') start = Math.max(start, v);
        else if (op === '>') start = Math.max(start, v + 1);
        else {
          start = Math.max(start, v);
          end = Math.min(end, v);
        }
        continue;
      }
    }
    if (c.kind === 'Between' && !c.not && isRank(c.expr)) {
      const lo = constInt(c.low);
      const hi = constInt(c.high);
      if (lo !== undefined && hi !== undefined) {
        found = true;
        start = Math.max(start, lo);
        end = Math.min(end, hi);
        continue;
      }
    }
    rest.push(c);
  }
  if (!found) noFilter();
  if (!Number.isFinite(end))
    fail(
      where.pos,
      'Rank end is not specified. Currently rank only support TopN, which means the rank end must be specified.',
    );
  const restWhere = rest.reduceRight<Expr | undefined>(
    (acc, e) => (acc ? { kind: 'Binary', pos: e.pos, op: 'AND', left: e, right: acc } : e),
    undefined,
  );
  const newSel: Select = { ...sel, where: restWhere };
  // without a projection in between, the rank number is only produced when the enclosing query uses it
  const rankName = input.scope[width - 1]?.name ?? '';
  const used =
    !!calc ||
    sel.items.some((it) => references(it.expr, rankName)) ||
    (restWhere !== undefined && references(restWhere, rankName)) ||
    (sel.groupBy ?? []).some((g) => g.kind !== 'GroupingSets' && references(g, rankName)) ||
    (sel.having !== undefined && references(sel.having, rankName));
  const inputNode = rank.input;
  const inFields = inputNode.fields;
  const ot = rank.orderTime;
  let node: PlanNode;
  if (!used && start === 1 && end === 1 && ot && isAppendOnly(inputNode.mode)) {
    const keepLast = ot.desc;
    node = {
      kind: 'Deduplicate',
      input: inputNode,
      keys: rank.partitionKeys,
      keepLast,
      timeIndex: ot.rowtime ? ot.index : -1,
      fields: inFields,
      mode: !keepLast && !ot.rowtime ? APPEND : { insert: true, updateBefore: true, updateAfter: true, delete: false },
      text: `Deduplicate(keep=[${keepLast ? 'LastRow' : 'FirstRow'}], key=[${rank.partitionText}], order=[${ot.rowtime ? 'ROWTIME' : 'PROCTIME'}])`,
    };
  } else {
    const fields = used ? rank.fields : inFields;
    node = {
      ...rank,
      pending: false,
      outputRank: used,
      rankStart: start,
      rankEnd: end,
      fields,
      mode: RETRACT,
      text: `Rank(strategy=[${isAppendOnly(inputNode.mode) ? 'AppendFastStrategy' : 'RetractStrategy'}], rankType=[ROW_NUMBER], rankRange=[rankStart=${start}, rankEnd=${end}], partitionBy=[${rank.partitionText}], orderBy=[${rank.orderText}], select=[${names(fields)}])`,
    };
  }
  if (calc) return { input: { node: { ...calc, input: node, mode: node.mode }, scope: input.scope }, sel: newSel };
  const scope = used ? input.scope : input.scope.filter((f) => f.index !== width - 1);
  return { input: { node, scope }, sel: newSel };
}
