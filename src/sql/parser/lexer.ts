/**
 * Lexer for the Flink SQL dialect: words, backquoted identifiers, '..'
 * strings with '' escapes, numbers (exact text kept), `${VAR}` placeholders,
 * operators, `--` and `/* *\/` comments (skipped) and `/*+ ... *\/` hints
 * (kept as tokens so the parser can read the hint body).
 */
import { type Pos, SqlParseError } from './errors.ts';
import type { Token, TokenKind } from './tokens.ts';

const TWO_CHAR_OPS = new Set(['<>', '<=', '>=', '!=', '||', '=>', '::', '->']);
const ONE_CHAR_OPS = new Set([...'+-*/%=<>()[]{},.;?|^$:&~!']);

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\u007f';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Splits SQL text into tokens; the last token is always `eof`. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let inHint = false;

  const posAt = (offset: number): Pos => ({ line, col: offset - lineStart + 1, offset });
  // advance over text that may contain newlines, keeping line/col right
  const skipTo = (end: number): void => {
    for (let k = i; k < end; k++) {
      if (sql.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    i = end;
  };
  const push = (kind: TokenKind, value: string, start: number, pos: Pos, upper = value): void => {
    tokens.push({ kind, value, upper, text: sql.slice(start, i), pos });
  };

  while (i < n) {
    const c = sql[i];
    // also no-break space and a byte-order mark, which editors leave in pasted SQL
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\u00a0' || c === '\ufeff') {
      skipTo(i + 1);
      continue;
    }
    const start = i;
    const pos = posAt(i);
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      if (sql[i + 2] === '+' && !inHint) {
        i += 3;
        inHint = true;
        push('op', '/*+', start, pos);
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlParseError(pos, 'unterminated comment (expected */)', ['*/'], 'end of input');
      skipTo(end + 2);
      continue;
    }
    if (inHint && c === '*' && sql[i + 1] === '/') {
      i += 2;
      inHint = false;
      push('op', '*/', start, pos);
      continue;
    }
    if ((c === 'X' || c === 'x') && sql[i + 1] === "'") {
      i++;
      const value = readQuoted("'", pos);
      tokens.push({ kind: 'string', value, upper: value, text: sql.slice(start, i), pos, prefix: 'X' });
      continue;
    }
    if (isIdentStart(c) || (c === '$' && i + 1 < n && isIdentStart(sql[i + 1]))) {
      i++;
      while (i < n && isIdentPart(sql[i])) i++;
      const word = sql.slice(start, i);
      push('word', word, start, pos, word.toUpperCase());
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(sql[i + 1] ?? '') && !followsOperand(tokens))) {
      while (i < n && isDigit(sql[i])) i++;
      if (sql[i] === '.' && isDigit(sql[i + 1] ?? '')) {
        i++;
        while (i < n && isDigit(sql[i])) i++;
      } else if (sql[i] === '.' && !isIdentStart(sql[i + 1] ?? '') && sql[i + 1] !== '.') {
        i++; // "1." is a number
      }
      if (
        (sql[i] === 'e' || sql[i] === 'E') &&
        (isDigit(sql[i + 1] ?? '') || ('+-'.includes(sql[i + 1] ?? 'x') && isDigit(sql[i + 2] ?? '')))
      ) {
        i += 2;
        while (i < n && isDigit(sql[i])) i++;
      }
      if (i < n && isIdentStart(sql[i])) {
        throw new SqlParseError(
          pos,
          `malformed number '${sql.slice(start, i + 1)}'`,
          ['number'],
          `'${sql.slice(start, i + 1)}'`,
        );
      }
      push('number', sql.slice(start, i), start, pos);
      continue;
    }
    if (c === "'") {
      const value = readQuoted("'", pos);
      push('string', value, start, pos);
      continue;
    }
    if (c === '`') {
      const value = readQuoted('`', pos);
      if (value === '') throw new SqlParseError(pos, 'empty quoted identifier', ['identifier'], '``');
      push('quoted', value, start, pos);
      continue;
    }
    if (c === '$' && sql[i + 1] === '{') {
      const end = sql.indexOf('}', i);
      const body = end < 0 ? '' : sql.slice(i + 2, end);
      if (end < 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(body)) {
        throw new SqlParseError(pos, `malformed \${...} placeholder`, [`\${NAME}`], `'${sql.slice(i, i + 2)}'`);
      }
      i = end + 1;
      push('variable', body, start, pos);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      i += 2;
      push('op', two, start, pos);
      continue;
    }
    if (ONE_CHAR_OPS.has(c)) {
      i++;
      push('op', c, start, pos);
      continue;
    }
    const shown = c === '"' ? `'"' (use backquotes for identifiers and '...' for strings)` : `'${c}'`;
    throw new SqlParseError(pos, `unexpected character ${shown}`, [], `'${c}'`);
  }
  if (inHint) {
    const last = tokens.findLast((t) => t.text === '/*+');
    throw new SqlParseError(last?.pos ?? posAt(i), 'unterminated hint (expected */)', ['*/'], 'end of input');
  }
  tokens.push({ kind: 'eof', value: '', upper: '', text: '', pos: posAt(n) });
  return tokens;

  // reads a quote-delimited run starting at sql[i] with doubled-quote escapes
  function readQuoted(q: string, pos: Pos): string {
    let out = '';
    let k = i + 1;
    for (;;) {
      const end = sql.indexOf(q, k);
      if (end < 0) {
        const what = q === "'" ? 'string literal' : 'quoted identifier';
        throw new SqlParseError(pos, `unterminated ${what} (expected a closing ${q})`, [q], 'end of input');
      }
      out += sql.slice(k, end);
      if (sql[end + 1] === q) {
        out += q;
        k = end + 2;
        continue;
      }
      skipTo(end + 1);
      return out;
    }
  }
}

// `.5` starts a number unless it follows something that can be qualified (`t.5` is not SQL anyway)
function followsOperand(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (!last) return false;
  return (
    last.kind === 'word' || last.kind === 'quoted' || (last.kind === 'op' && (last.value === ')' || last.value === ']'))
  );
}
