/**
 * Window joins (Flink's WindowJoin): two window TVF results (or window aggregations over them) joined on
 * window_start and window_end equality, plus any other keys. Each input's window columns are traced back
 * through projections to the window TVF or window aggregate that produced them; both sides must use the
 * same window. The runtime (../runtime/window-join.ts) keeps each window's rows and joins them when the
 * watermark passes the window end: append-only output, late rows dropped. A join that equates only one
 * of the two window columns stays a regular join, as in Flink.
 */
import { APPEND, type ChangelogMode, type Field, isAppendOnly, type Row } from '../runtime/changelog.ts';
import { resolveColumn, type ScopeField } from './expr.ts';
import type { JoinParts } from './interval-join.ts';
import { fail } from './names.ts';
import type { PlanNode, WindowSpec } from './plan.ts';
import type { Planned } from './query.ts';

export interface WindowJoinNode {
  kind: 'WindowJoin';
  left: PlanNode;
  right: PlanNode;
  leftKeys: Array<(row: Row) => unknown>;
  rightKeys: Array<(row: Row) => unknown>;
  filter?: (row: Row) => boolean;
  outer: [boolean, boolean];
  /** Positions of window_start and window_end in the left and right rows. */
  leftWindow: [number, number];
  rightWindow: [number, number];
  fields: Field[];
  mode: ChangelogMode;
  text: string;
}

type Origin = { what: 'start' | 'end'; window: WindowSpec };

const PROBE = Symbol('probe');

/** The window TVF under a window aggregate's input (through Calcs). */
function tvfOf(n: PlanNode): WindowSpec | undefined {
  while (n.kind === 'Calc') n = n.input;
  return n.kind === 'WindowTableFunction' ? n.window : undefined;
}

/** Whether column `index` of `n` is the window_start or window_end of a window TVF or window aggregate. */
function windowOrigin(n: PlanNode, index: number): Origin | undefined {
  switch (n.kind) {
    case 'WindowTableFunction': {
      if (n.window.type === 'SESSION') return undefined;
      const w = n.input.fields.length;
      return index === w
        ? { what: 'start', window: n.window }
        : index === w + 1
          ? { what: 'end', window: n.window }
          : undefined;
    }
    case 'WindowAggregate': {
      const window = tvfOf(n.input);
      if (!window) return undefined;
      return index === n.startKey
        ? { what: 'start', window }
        : index === n.endKey
          ? { what: 'end', window }
          : undefined;
    }
    case 'Calc': {
      if (!n.projection) return windowOrigin(n.input, index);
      const f = n.projection[index];
      if (!f) return undefined;
      // a projection that just forwards an input column returns the probe placed in that column
      const probe = n.input.fields.map((_, j) => ({ [PROBE]: j }));
      let v: unknown;
      try {
        v = f(probe);
      } catch {
        return undefined;
      }
      if (v !== null && typeof v === 'object' && PROBE in v)
        return windowOrigin(n.input, (v as { [PROBE]: number })[PROBE]);
      return undefined;
    }
    default:
      return undefined;
  }
}

function sameWindow(a: WindowSpec, b: WindowSpec): boolean {
  return (
    a.type === b.type && a.size === b.size && a.step === b.step && a.offset === b.offset && a.proctime === b.proctime
  );
}

function describe(w: WindowSpec, start: string, end: string): string {
  const bounds = `win_start=[${start}], win_end=[${end}]`;
  if (w.type === 'TUMBLE') return `TUMBLE(${bounds}, size=[${w.size} ms])`;
  if (w.type === 'HOP') return `HOP(${bounds}, size=[${w.size} ms], slide=[${w.step} ms])`;
  return `CUMULATE(${bounds}, max_size=[${w.size} ms], step=[${w.step} ms])`;
}

/** Plans a window join when ON equates both window_start and window_end of two windowed inputs; else undefined. */
export function planWindowJoin(p: JoinParts): Planned | undefined {
  const found: { start?: [number, number]; end?: [number, number]; windows?: [WindowSpec, WindowSpec] } = {};
  for (const [le, re] of p.keyPairs) {
    if (le.kind !== 'ColumnRef' || re.kind !== 'ColumnRef') continue;
    const l = resolveColumn({ fields: p.left.scope }, le.names, le.pos);
    const r = resolveColumn({ fields: p.right.scope }, re.names, re.pos);
    if (!l || !r || l.rest.length || r.rest.length) continue;
    const lo = windowOrigin(p.left.node, l.field.index);
    const ro = windowOrigin(p.right.node, r.field.index);
    if (!lo || !ro || lo.what !== ro.what) continue;
    found[lo.what] = [l.field.index, r.field.index];
    found.windows = [lo.window, ro.window];
  }
  if (!found.start || !found.end || !found.windows) return undefined;
  if (!isAppendOnly(p.left.node.mode) || !isAppendOnly(p.right.node.mode)) return undefined;
  const [lw, rw] = found.windows;
  const lf = p.left.node.fields;
  const rf = p.right.node.fields;
  const leftText = describe(lw, lf[found.start[0]]!.name, lf[found.end[0]]!.name);
  const rightText = describe(rw, rf[found.start[1]]!.name, rf[found.end[1]]!.name);
  if (!sameWindow(lw, rw))
    fail(
      p.ref.pos,
      `Currently, window join doesn't support different window table function of left and right inputs. The left window table function is ${leftText}, the right window table function is ${rightText}.`,
    );
  if (lw.proctime) fail(p.ref.pos, 'Window joins on processing-time windows are not supported yet');
  const width = lf.length;
  const scope: ScopeField[] = [
    ...p.left.scope.map((f) => ({ ...f, type: p.fields[f.index]!.type, rowtime: false })),
    ...p.right.scope.map((f) => ({
      ...f,
      index: f.index + width,
      type: p.fields[f.index + width]!.type,
      rowtime: false,
    })),
  ];
  const node: WindowJoinNode = {
    kind: 'WindowJoin',
    left: p.left.node,
    right: p.right.node,
    leftKeys: p.leftKeys,
    rightKeys: p.rightKeys,
    filter: p.filter,
    outer: p.outer,
    leftWindow: [found.start[0], found.end[0]],
    rightWindow: [found.start[1], found.end[1]],
    fields: p.fields,
    mode: APPEND,
    text: `WindowJoin(leftWindow=[${leftText}], rightWindow=[${rightText}], joinType=[${p.joinType}], where=[${p.where}], select=[${p.fields.map((f) => f.name).join(', ')}])`,
  };
  return { node, scope };
}
