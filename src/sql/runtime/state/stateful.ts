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
