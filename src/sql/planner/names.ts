/** Small helpers shared by the planner files: errors, output names. */
import type { Pos, SelectItem } from '../parser/index.ts';
import type { Field } from '../runtime/changelog.ts';
import { SqlValidationError } from './errors.ts';

export function fail(pos: Pos | undefined, msg: string): never {
  throw new SqlValidationError(pos, msg);
}

/** `a, b, c` */
export const names = (fields: readonly Field[]): string => fields.map((f) => f.name).join(', ');

export function itemName(item: SelectItem, i: number): string {
  if (item.alias) return item.alias.value;
  const e = item.expr;
  if (e.kind === 'ColumnRef') return e.names[e.names.length - 1]!.value;
  if (e.kind === 'FieldAccess') return e.field.value;
  return `EXPR$${i}`;
}

export function uniqueNames(ns: string[]): string[] {
  const seen = new Set<string>();
  return ns.map((n) => {
    let m = n;
    for (let k = 0; seen.has(m); k++) m = `${n}${k}`;
    seen.add(m);
    return m;
  });
}
