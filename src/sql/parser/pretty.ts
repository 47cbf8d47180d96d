/**
 * Multi-line layout of canonical SQL text (what print.ts produces): clauses
 * of every query on their own lines, subqueries and MATCH_RECOGNIZE bodies
 * indented, long select lists and MEASURES/DEFINE one item per line, one
 * table element or option per line. Only whitespace between tokens changes,
 * so the result parses to the same tree.
 */
import { tokenize } from './lexer.ts';
import type { Token } from './tokens.ts';

type FrameKind = 'query' | 'match' | 'elements' | 'other';

const QUERY_CLAUSES = new Set([
  'SELECT',
  'VALUES',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'WINDOW',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'FETCH',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'PARTITIONED',
  'DISTRIBUTED',
  'COMMENT',
]);
const JOIN_STARTS = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL']);
const JOIN_WORDS = new Set([...JOIN_STARTS, 'OUTER']);
const MATCH_CLAUSES = new Set(['PARTITION', 'ORDER', 'MEASURES', 'ONE', 'ALL', 'AFTER', 'PATTERN', 'SUBSET', 'DEFINE']);
const COLLECTION_TYPES = new Set(['ROW', 'ARRAY', 'MAP', 'MULTISET']);
const INDENT = '  ';
/** Select lists with more items than this get one item per line. */
const INLINE_SELECT_ITEMS = 4;

interface Frame {
  kind: FrameKind;
  depth: number;
  /** `<` nesting of ROW<...>/MAP<...> types inside an element list. */
  angles: number;
  /** The MATCH_RECOGNIZE clause being printed. */
  clause?: string;
  /** A statement set's BEGIN ... END. */
  block?: boolean;
}

function isWord(t: Token | undefined, w: string): boolean {
  return t?.kind === 'word' && t.upper === w;
}
function isOp(t: Token | undefined, op: string): boolean {
  return t?.kind === 'op' && t.value === op;
}

/** Lays out one canonical statement over several lines. */
export function layout(sql: string): string {
  const tokens = tokenize(sql).filter((t) => t.kind !== 'eof');
  const itemized = itemizedSelectCommas(tokens);
  const frames: Frame[] = [{ kind: 'query', depth: 0, angles: 0 }];
  let out = '';
  // indentation of a line break wanted before the next token, if any
  let pendingBreak: number | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    const frame = frames[frames.length - 1];
    let breakAt = pendingBreak;
    pendingBreak = undefined;
    if (isOp(t, ')')) {
      const closed = frames.pop()!;
      if (closed.kind !== 'other') breakAt = frames[frames.length - 1].depth;
    } else if (isWord(t, 'END') && frame.block) {
      frames.pop();
      breakAt = frames[frames.length - 1].depth;
    } else if (t.kind === 'word' && k > 0 && !isOp(prev, '(') && startsLine(frame, t, prev, next, tokens[k + 2])) {
      breakAt = frame.depth;
    }
    if (breakAt !== undefined && out !== '') out = `${out.trimEnd()}\n${INDENT.repeat(breakAt)}`;
    else if (out !== '' && t.pos.offset > prev.pos.offset + prev.text.length) out += ' ';
    out += t.text;

    if (isOp(t, '(')) {
      let kind: FrameKind = 'other';
      if (isWord(next, 'SELECT') || isWord(next, 'WITH') || isWord(next, 'VALUES')) kind = 'query';
      else if (isWord(prev, 'MATCH_RECOGNIZE')) kind = 'match';
      else if (frames.length === 1 && isElementList(tokens, k)) kind = 'elements';
      const depth = kind === 'other' ? frame.depth : frame.depth + 1;
      frames.push({ kind, depth, angles: 0 });
      if (kind !== 'other') pendingBreak = depth;
    } else if (frame.kind === 'elements' && isOp(t, '<') && COLLECTION_TYPES.has(prev?.upper ?? '')) {
      frame.angles++;
    } else if (frame.kind === 'elements' && isOp(t, '>') && frame.angles > 0) {
      frame.angles--;
    } else if (isOp(t, ',')) {
      if (frame.kind === 'elements' && frame.angles === 0) pendingBreak = frame.depth;
      else if (frame.kind === 'match' && (frame.clause === 'MEASURES' || frame.clause === 'DEFINE'))
        pendingBreak = frame.depth + 1;
      else if (itemized.has(k)) pendingBreak = frame.depth + 1;
    } else if (isOp(t, ';')) {
      pendingBreak = frame.depth;
    } else if (isWord(t, 'BEGIN')) {
      frames.push({ kind: 'query', depth: frame.depth + 1, angles: 0, block: true });
      if (!isWord(next, 'STATEMENT')) pendingBreak = frame.depth + 1;
    } else if (frame.kind === 'match' && MATCH_CLAUSES.has(t.upper)) {
      frame.clause = t.upper;
      if (t.upper === 'MEASURES' || t.upper === 'DEFINE') pendingBreak = frame.depth + 1;
    } else if (isWord(t, 'SELECT') && itemized.has(k)) {
      pendingBreak = frame.depth + 1;
    }
  }
  return out;
}

// whether a keyword starts a new line in its frame
function startsLine(
  frame: Frame,
  t: Token,
  prev: Token,
  next: Token | undefined,
  afterNext: Token | undefined,
): boolean {
  if (frame.kind === 'match') return MATCH_CLAUSES.has(t.upper) && !(t.upper === 'ALL' && !isWord(next, 'ROWS'));
  if (frame.kind !== 'query') return false;
  // IS DISTINCT FROM and WITHIN GROUP continue an expression
  if ((t.upper === 'FROM' && isWord(prev, 'DISTINCT')) || (t.upper === 'GROUP' && isWord(prev, 'WITHIN'))) return false;
  if (QUERY_CLAUSES.has(t.upper)) return true;
  if (JOIN_STARTS.has(t.upper)) {
    // LEFT(...) and RIGHT(...) are functions; the words after the first belong to the same join
    return !((t.upper === 'LEFT' || t.upper === 'RIGHT') && isOp(next, '(')) && !JOIN_WORDS.has(prev.upper);
  }
  // WITH (options) or WITH name AS (...), not WITH ORDINALITY / WITH TIME ZONE
  if (t.upper === 'WITH') {
    if (isOp(next, '(')) return true;
    return next?.kind !== 'op' && !isWord(next, 'ORDINALITY') && (isWord(afterNext, 'AS') || isOp(afterNext, '('));
  }
  return false;
}

// the first `(` of CREATE/ALTER TABLE, and `WITH (` options, hold one element per line
function isElementList(tokens: Token[], k: number): boolean {
  if (isWord(tokens[k - 1], 'WITH')) return true;
  if (!isWord(tokens[0], 'CREATE') && !isWord(tokens[0], 'ALTER')) return false;
  for (let j = 0; j < k; j++) if (isOp(tokens[j], '(')) return false;
  return true;
}

/**
 * Indexes of SELECT tokens and of the commas of their select lists, for
 * select lists long enough to print one item per line.
 */
function itemizedSelectCommas(tokens: Token[]): Set<number> {
  const depthAt: number[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, ')')) depth--;
    depthAt.push(depth);
    if (isOp(t, '(')) depth++;
  }
  const marked = new Set<number>();
  for (let k = 0; k < tokens.length; k++) {
    if (!isWord(tokens[k], 'SELECT')) continue;
    const commas: number[] = [];
    for (let j = k + 1; j < tokens.length && depthAt[j] >= depthAt[k]; j++) {
      if (depthAt[j] !== depthAt[k]) continue;
      const t = tokens[j];
      if (isOp(t, ',')) commas.push(j);
      else if (isOp(t, ';') || (t.kind === 'word' && QUERY_CLAUSES.has(t.upper) && !isWord(tokens[j - 1], 'DISTINCT')))
        break;
    }
    if (commas.length >= INLINE_SELECT_ITEMS) {
      marked.add(k);
      for (const j of commas) marked.add(j);
    }
  }
  return marked;
}
