import type { Pos } from './errors.ts';

/**
 * Token kinds:
 * - `word`: an unquoted identifier or keyword; `upper` is its upper-cased text
 * - `quoted`: a backquoted identifier; `value` has the quotes removed and `` `` `` unescaped
 * - `string`: a '...' literal with '' unescaped (`prefix` is `X` for binary literals)
 * - `number`: `value` keeps the exact text (1, 0.908, 1e10)
 * - `variable`: a `${NAME}` placeholder, accepted where an identifier is
 * - `op`: punctuation and operators, incl. `/*+` and `*\/` around hints
 * - `eof`
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'variable' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  /** Upper-cased value for words; equals value otherwise. */
  upper: string;
  /** Exact source text. */
  text: string;
  pos: Pos;
  /** `X` for X'..' binary string literals. */
  prefix?: string;
}

/**
 * Words that cannot be used as bare identifiers (quote them with backticks).
 * A subset of Calcite's reserved words: those whose use as an identifier would
 * make the grammar ambiguous for this parser. Non-reserved keywords (DAY,
 * VALUE, TIMESTAMP, ...) stay usable as names, which is more lenient than Flink.
 */
export const RESERVED: ReadonlySet<string> = new Set([
  'ALL',
  'AND',
  'ARRAY',
  'AS',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'CREATE',
  'CROSS',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'DISTINCT',
  'ELSE',
  'END',
  'ESCAPE',
  'EXCEPT',
  'EXISTS',
  'FALSE',
  'FETCH',
  'FILTER',
  'FOR',
  'FROM',
  'FULL',
  'GROUP',
  'HAVING',
  'IN',
  'INNER',
  'INSERT',
  'INTERSECT',
  'INTERVAL',
  'INTO',
  'IS',
  'JOIN',
  'LATERAL',
  'LEFT',
  'LIKE',
  'LIMIT',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'MATCH_RECOGNIZE',
  'MINUS',
  'NATURAL',
  'NOT',
  'NULL',
  'OFFSET',
  'ON',
  'OR',
  'ORDER',
  'OUTER',
  'OVER',
  'PARTITION',
  'RIGHT',
  'ROW',
  'SELECT',
  'SET',
  'SIMILAR',
  'TABLE',
  'THEN',
  'TRUE',
  'TRY_CAST',
  'UNION',
  'UNKNOWN',
  'UNNEST',
  'USING',
  'VALUES',
  'WHEN',
  'WHERE',
  'WINDOW',
  'WITH',
]);

/** Reserved words that may still name a function when followed by `(`. */
export const FUNCTION_KEYWORDS: ReadonlySet<string> = new Set(['LEFT', 'RIGHT']);
