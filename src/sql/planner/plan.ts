/**
 * The physical plan: a tree of nodes, each with its output fields, its changelog mode (which row kinds it
 * emits) and a one-line description as Flink's EXPLAIN prints it. Nodes carry compiled closures; the
 * runtime (../runtime/job.ts) turns a plan into push-based operators.
 */
import type { CatalogTable } from '../catalog/catalog.ts';
import type { SinkProvider, SourceProvider } from '../connectors/connector.ts';
import type { AggregateFunction } from '../functions/index.ts';
import type { ChangelogMode, Field, Row } from '../runtime/changelog.ts';
import { formatChangelogMode } from '../runtime/changelog.ts';
import type { CorrelateNode } from './correlate.ts';
import type { IntervalJoinNode } from './interval-join.ts';
import type { LookupJoinNode } from './lookup-join.ts';
import type { MatchNode } from './match.ts';
import type { OverAggregateNode } from './over.ts';
import type { DeduplicateNode, RankNode } from './rank.ts';
import type { TemporalJoinNode } from './temporal-join.ts';
import type { WindowJoinNode } from './window-join.ts';

/** A compiled aggregate call. */
export interface AggCall {
  fn: AggregateFunction<unknown>;
  args: Array<(row: Row) => unknown>;
  distinct: boolean;
  filter?: (row: Row) => boolean;
  /** As printed in EXPLAIN: `COUNT(DISTINCT a) AS EXPR$1`. */
  text: string;
}

/** Window TVF parameters, in milliseconds. */
export interface WindowSpec {
  type: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  /** Window size (SESSION: the gap). */
  size: number;
  /** HOP slide / CUMULATE step. */
  step: number;
  offset: number;
  /** Processing-time windows (on a PROCTIME() attribute) instead of event time. */
  proctime: boolean;
}

interface Base {
  fields: Field[];
  mode: ChangelogMode;
  /** EXPLAIN's text for this node (without the changelog mode). */
  text: string;
}

export interface ScanNode extends Base {
  kind: 'Scan';
  table: CatalogTable;
  provider: SourceProvider;
  /** For each output column: index in the source row, or -1 for a computed column. */
  sourceIndex: number[];
  /** Computed columns: output index and evaluator over the (partially filled) output row. */
  computed: Array<{ index: number; eval: (row: Row) => unknown }>;
  /** `text` is `rowtime column|watermark expression`. */
  watermark?: { eval: (row: Row) => unknown; text: string };
  /** Idle partitions stop holding back the watermark after this many ms (0 = never). */
  idleTimeoutMs: number;
}

export interface ValuesNode extends Base {
  kind: 'Values';
  rows: Row[];
}

export interface CalcNode extends Base {
  kind: 'Calc';
  input: PlanNode;
  filter?: (row: Row) => boolean;
  /** Null: rows pass unchanged. */
  projection: Array<(row: Row) => unknown> | null;
}

export interface UnionNode extends Base {
  kind: 'Union';
  inputs: PlanNode[];
}

/** Regular join: equi-join keys per side and a filter on the joined row (left fields, then right). */
export interface JoinNode extends Base {
  kind: 'Join';
  left: PlanNode;
  right: PlanNode;
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  filter?: (row: Row) => boolean;
  /** Which sides are preserved (padded with NULLs when unmatched): LEFT [true, false], RIGHT, FULL. */
  outer: [boolean, boolean];
}

export interface GroupAggregateNode extends Base {
  kind: 'GroupAggregate';
  input: PlanNode;
  keys: Array<(row: Row) => unknown>;
  aggs: AggCall[];
}

export interface WindowTvfNode extends Base {
  kind: 'WindowTableFunction';
  input: PlanNode;
  window: WindowSpec;
  timeIndex: number;
}

export interface WindowAggregateNode extends Base {
  kind: 'WindowAggregate';
  input: PlanNode;
  keys: Array<(row: Row) => unknown>;
  aggs: AggCall[];
  /** Positions of window_start and window_end among the keys. */
  startKey: number;
  endKey: number;
}

/** Legacy `GROUP BY ..., SESSION(rowtime, gap)`: output keys, aggregates, window start, end, rowtime. */
export interface SessionWindowAggregateNode extends Base {
  kind: 'SessionWindowAggregate';
  input: PlanNode;
  keys: Array<(row: Row) => unknown>;
  aggs: AggCall[];
  time: (row: Row) => unknown;
  gap: number;
  /** Over a SESSION window TVF: positions of window_start and window_end among the keys (filled at output). */
  windowKeys?: [number, number];
}

export interface SortLimitNode extends Base {
  kind: 'SortLimit';
  input: PlanNode;
  compare: ((a: Row, b: Row) => number) | null;
  offset: number;
  limit: number;
}

export interface SinkNode extends Base {
  kind: 'Sink';
  input: PlanNode;
  table: CatalogTable;
  provider: SinkProvider;
}

/** Where SELECT results go (the session collects them). */
export interface CollectNode extends Base {
  kind: 'Collect';
  input: PlanNode;
}

export type PlanNode =
  | ScanNode
  | ValuesNode
  | CalcNode
  | UnionNode
  | JoinNode
  | GroupAggregateNode
  | WindowTvfNode
  | WindowAggregateNode
  | SessionWindowAggregateNode
  | SortLimitNode
  | SinkNode
  | CollectNode
  | MatchNode
  | IntervalJoinNode
  | WindowJoinNode
  | TemporalJoinNode
  | LookupJoinNode
  | RankNode
  | DeduplicateNode
  | OverAggregateNode
  | CorrelateNode;

/** The inputs of a node. */
export function inputsOf(n: PlanNode): PlanNode[] {
  switch (n.kind) {
    case 'Scan':
    case 'Values':
      return [];
    case 'Union':
      return n.inputs;
    case 'Join':
    case 'IntervalJoin':
    case 'WindowJoin':
    case 'TemporalJoin':
      return [n.left, n.right];
    default:
      return [n.input];
  }
}

/** Whether every source under a node is bounded. */
export function isBounded(n: PlanNode): boolean {
  if (n.kind === 'Scan') return n.provider.bounded;
  return inputsOf(n).every(isBounded);
}

/** The plan tree as Flink's EXPLAIN prints its physical plan, with each node's changelog mode. */
export function explainTree(root: PlanNode): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, prefix: string, childPrefix: string) => {
    const mode = n.kind === 'Sink' || n.kind === 'Collect' ? '[NONE]' : formatChangelogMode(n.mode);
    const line = (text: string) =>
      text.endsWith('()')
        ? `${text.slice(0, -1)}changelogMode=${mode})`
        : `${text.slice(0, -1)}, changelogMode=${mode})`;
    if (n.kind === 'Scan' && n.watermark) {
      // Flink shows the watermark assigner as its own node above the scan; here it runs inside the scan
      lines.push(
        `${prefix}${line(`WatermarkAssigner(rowtime=[${n.watermark.text.split('|')[0]}], watermark=[${n.watermark.text.split('|')[1]}])`)}`,
      );
      lines.push(`${childPrefix}+- ${line(n.text)}`);
      return;
    }
    if (n.kind === 'Scan' && n.table.primaryKey && n.table.options.connector === 'upsert-kafka') {
      // the source materialises the upsert stream by key (Flink's ChangelogNormalize over an upsert scan)
      lines.push(`${prefix}${line(`ChangelogNormalize(key=[${n.table.primaryKey.join(', ')}])`)}`);
      lines.push(`${childPrefix}+- ${n.text.slice(0, -1)}, changelogMode=[UA,D])`);
      return;
    }
    lines.push(`${prefix}${line(n.text)}`);
    const ins = inputsOf(n);
    ins.forEach((c, i) => {
      const last = i === ins.length - 1;
      walk(c, `${childPrefix}${last ? '+- ' : ':- '}`, `${childPrefix}${last ? '   ' : ':  '}`);
    });
  };
  walk(root, '', '');
  return lines.join('\n');
}
