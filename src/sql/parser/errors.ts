/** Position of a token or node in the SQL text: 1-based line and column, 0-based offset. */
export interface Pos {
  line: number;
  col: number;
  offset: number;
}

/**
 * A syntax error with where it happened and what the parser would have
 * accepted there. The message is one line and never repeats the statement.
 */
export class SqlParseError extends Error {
  override readonly name = 'SqlParseError';
  readonly line: number;
  readonly col: number;
  readonly offset: number;
  /** What would have been accepted at this point: keywords (`FROM`), quoted punctuation (`','`), or categories (`identifier`). */
  readonly expected: string[];
  /** The text of the offending token, or `end of input`. */
  readonly found: string;

  constructor(pos: Pos, detail: string, expected: string[] = [], found = '') {
    super(`SQL parse error at line ${pos.line}, column ${pos.col}: ${detail}`);
    this.line = pos.line;
    this.col = pos.col;
    this.offset = pos.offset;
    this.expected = expected;
    this.found = found;
  }
}

/**
 * The usual "expected one of X, Y but found 'Z'" wording, plus "(did you
 * mean FROM?)" when the found word is a near miss of an expected keyword.
 */
export function expectedMessage(expected: readonly string[], found: string, foundWord?: string): string {
  const list = expected.length > 12 ? [...expected.slice(0, 12), '...'] : expected;
  const what = list.length === 0 ? 'something else' : list.length === 1 ? list[0] : `one of ${list.join(', ')}`;
  const guess = foundWord ? suggestKeyword(foundWord, expected) : undefined;
  return `expected ${what} but found ${found}${guess ? ` (did you mean ${guess}?)` : ''}`;
}

/** An expected keyword (`GROUP BY`) whose first word is within a typo or two of `word`. */
export function suggestKeyword(word: string, expected: readonly string[]): string | undefined {
  const w = word.toUpperCase();
  if (w.length < 3) return undefined;
  let best: string | undefined;
  let bestDistance = w.length >= 6 ? 3 : 2;
  for (const e of expected) {
    if (!/^[A-Z_]+( [A-Z_]+)*$/.test(e)) continue;
    const first = e.split(' ')[0];
    if (first === w) continue;
    const d = editDistance(w, first);
    if (d < bestDistance) {
      best = e;
      bestDistance = d;
    }
  }
  return best;
}

// optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 99;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
