/**
 * What a runtime operator with state offers to checkpoints and savepoints.
 *
 * `snapshotState()` is called synchronously at a point where no row is in flight (an aligned checkpoint);
 * the value it returns is encoded at once by `encodeState` (./codec.ts), so it may share structure with
 * the live state (Maps, arrays, rows, accumulators) — nothing may be mutated between the two calls.
 * `restoreState(s)` is called on a freshly built operator, before any row, with what `decodeState` gave
 * back. An operator's snapshot holds its keyed state and its timers' inputs (its current watermark);
 * caches and metrics are not state.
 */
export interface Stateful {
  snapshotState(): unknown;
  restoreState(state: unknown): void;
  /** Entries held (keys, buffered rows, pending matches): reported as state size in statement status. */
  stateEntries(): number;
}

/** Whether an operator (or any object) implements Stateful. */
export function isStateful(op: unknown): op is Stateful {
  return (
    typeof op === 'object' &&
    op !== null &&
    typeof (op as Stateful).snapshotState === 'function' &&
    typeof (op as Stateful).restoreState === 'function'
  );
}

/** A decoded snapshot that must be an object (its fields are the operator's state). */
export function stateObject(state: unknown, what: string): Record<string, unknown> {
  if (typeof state !== 'object' || state === null || Array.isArray(state))
    throw new Error(`Bad ${what} state: expected an object`);
  return state as Record<string, unknown>;
}

/** Puts a two-or-more-input operator's saved per-input watermarks and ended flags back (in place). */
export function restoreInputs(s: Record<string, unknown>, wms: number[], ended: boolean[]): void {
  const savedWms = s.wms as number[];
  const savedEnded = s.ended as boolean[];
  for (let i = 0; i < wms.length; i++) {
    wms[i] = savedWms[i]!;
    ended[i] = savedEnded[i]!;
  }
}
