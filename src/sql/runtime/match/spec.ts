/**
 * What the planner (../../planner/match.ts) hands the MATCH_RECOGNIZE operator: the pattern as a sequence
 * of quantified variables, the compiled DEFINE conditions and MEASURES, the skip strategy and the time
 * bound. Expressions are compiled against a `MatchContext`: the rows of a (partial) match in order and the
 * pattern variable each was mapped to.
 */
import type { Row } from '../changelog.ts';

/** The rows of a match (or of a partial match plus the row being tested) and their variables. */
export interface MatchContext {
  rows: Row[];
  /** Variable id (index into `MatchSpec.varNames`) per row. */
  labels: number[];
  /** The partition's rows just before the match's first row (at most `MatchSpec.prevDepth`, oldest first), for PREV. */
  before: Row[];
}

/** One element of the pattern: `var{min,max}`. */
export interface PatternElement {
  varId: number;
  min: number;
  /** Infinity when unbounded. */
  max: number;
  /**
   * Flink's greedy quantifiers (looping, or {n,m} with n ≠ m, not reluctant): the next element's first
   * row may only be taken when this element's condition is false on it.
   */
  greedy: boolean;
}

export type SkipStrategy =
  | { type: 'PAST LAST ROW' }
  | { type: 'TO NEXT ROW' }
  | { type: 'TO FIRST' | 'TO LAST'; varId: number };

export interface MatchSpec {
  partitionKeys: Array<(row: Row) => unknown>;
  /** Index of the event-time attribute the rows are ordered by; null orders by arrival (processing time). */
  timeIndex: number | null;
  /** Further ORDER BY keys after the time attribute (ties of equal timestamps). */
  secondary: ((a: Row, b: Row) => number) | null;
  varNames: string[];
  elements: PatternElement[];
  /** Condition per variable id (null: always true), evaluated with the candidate row appended last. */
  defines: Array<((m: MatchContext) => boolean) | null>;
  measures: Array<(m: MatchContext) => unknown>;
  skip: SkipStrategy;
  /** How far PREV reaches back (the largest offset): rows before a match kept for it. */
  prevDepth: number;
  /** WITHIN, in ms: a match's last row must be less than this after its first. */
  within: number | null;
}
