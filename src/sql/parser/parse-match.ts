/**
 * MATCH_RECOGNIZE: PARTITION BY, ORDER BY, MEASURES, ONE/ALL ROWS PER MATCH,
 * AFTER MATCH SKIP, PATTERN (regular expression over pattern variables with
 * *, +, ?, {n,m}, reluctant ?, |, grouping, ^ $, PERMUTE, {- -}), WITHIN,
 * SUBSET, DEFINE.
 */
import type { AfterMatch, MatchRecognize, Measure, PatternDefine, PatternTerm, Subset, TableRef } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpr, parseExprList, parseIntervalLiteral } from './parse-expr.ts';
import { parseOrderByList } from './parse-query.ts';

export function parseMatchRecognize(c: Cursor, input: TableRef): MatchRecognize {
  const pos = c.expect('MATCH_RECOGNIZE').pos;
  c.expectOp('(');
  const partitionBy = c.acceptAll('PARTITION', 'BY') ? parseExprList(c) : [];
  const orderBy = c.acceptAll('ORDER', 'BY') ? parseOrderByList(c) : [];
  const measures: Measure[] = [];
  if (c.accept('MEASURES')) {
    do {
      const mpos = c.pos;
      const expr = parseExpr(c);
      c.expect('AS');
      measures.push({ kind: 'Measure', pos: mpos, expr, alias: c.identifier() });
    } while (c.acceptOp(','));
  }
  let rowsPerMatch: MatchRecognize['rowsPerMatch'];
  if (c.acceptAll('ONE', 'ROW', 'PER', 'MATCH')) rowsPerMatch = 'ONE ROW PER MATCH';
  else if (c.acceptAll('ALL', 'ROWS', 'PER', 'MATCH')) rowsPerMatch = 'ALL ROWS PER MATCH';
  const afterMatch = c.accept('AFTER') ? parseAfterMatch(c) : undefined;
  c.expect('PATTERN');
  c.expectOp('(');
  const pattern = parseAlternation(c);
  c.expectOp(')');
  const within = c.accept('WITHIN') ? parseIntervalLiteral(c) : undefined;
  const subsets: Subset[] = [];
  if (c.accept('SUBSET')) {
    do {
      const spos = c.pos;
      const name = c.identifier();
      c.expectOp('=');
      subsets.push({ kind: 'Subset', pos: spos, name, vars: c.identifierList() });
    } while (c.acceptOp(','));
  }
  c.expect('DEFINE');
  const define: PatternDefine[] = [];
  do {
    const dpos = c.pos;
    const name = c.identifier();
    c.expect('AS');
    define.push({ kind: 'PatternDefine', pos: dpos, name, condition: parseExpr(c) });
  } while (c.acceptOp(','));
  c.expectOp(')');
  const mr: MatchRecognize = {
    kind: 'MatchRecognize',
    pos,
    input,
    partitionBy,
    orderBy,
    measures,
    pattern,
    subsets,
    define,
  };
  if (rowsPerMatch) mr.rowsPerMatch = rowsPerMatch;
  if (afterMatch) mr.afterMatch = afterMatch;
  if (within) mr.within = within;
  return mr;
}

function parseAfterMatch(c: Cursor): AfterMatch {
  const pos = c.peek(-1).pos;
  c.expect('MATCH');
  c.expect('SKIP');
  if (c.accept('PAST')) {
    c.expect('LAST');
    c.expect('ROW');
    return { kind: 'AfterMatch', pos, type: 'PAST LAST ROW' };
  }
  c.expect('TO');
  if (c.acceptAll('NEXT', 'ROW')) return { kind: 'AfterMatch', pos, type: 'TO NEXT ROW' };
  // `TO FIRST x` / `TO LAST x`, but `TO LAST` alone would name a variable called LAST
  if ((c.isWord('FIRST') || c.isWord('LAST')) && c.isIdent(1)) {
    const type = c.next().upper === 'FIRST' ? 'TO FIRST' : 'TO LAST';
    return { kind: 'AfterMatch', pos, type, variable: c.identifier() };
  }
  return { kind: 'AfterMatch', pos, type: 'TO', variable: c.identifier() };
}

function parseAlternation(c: Cursor): PatternTerm {
  const pos = c.pos;
  const first = parseSequence(c);
  if (!c.isOp('|')) return first;
  const alternatives = [first];
  while (c.acceptOp('|')) alternatives.push(parseSequence(c));
  return { kind: 'PatternAlt', pos, alternatives };
}

function parseSequence(c: Cursor): PatternTerm {
  const pos = c.pos;
  const terms: PatternTerm[] = [parseQuantified(c)];
  while (c.isIdent() || c.isOp('(') || c.isOp('^') || c.isOp('$') || (c.isOp('{') && c.isOp('-', 1))) {
    terms.push(parseQuantified(c));
  }
  return terms.length === 1 ? terms[0] : { kind: 'PatternSeq', pos, terms };
}

function parseQuantified(c: Cursor): PatternTerm {
  const term = parsePatternPrimary(c);
  const pos = term.pos;
  let min: number;
  let max: number | null;
  let form: '*' | '+' | '?' | '{}';
  if (c.isOp('*') || c.isOp('+') || c.isOp('?')) {
    form = c.next().value as '*';
    [min, max] = form === '*' ? [0, null] : form === '+' ? [1, null] : [0, 1];
  } else if (c.isOp('{') && !c.isOp('-', 1)) {
    c.next();
    form = '{}';
    min = 0;
    max = null;
    if (c.peek().kind === 'number') min = max = c.integer();
    if (c.acceptOp(',')) max = c.peek().kind === 'number' ? c.integer() : null;
    else if (c.peek(-1).value === '{') c.fail();
    c.expectOp('}');
    if (max !== null && max < min) c.error(pos, `pattern quantifier {${min},${max}}: maximum below minimum`);
  } else {
    c.note("'*'");
    c.note("'+'");
    c.note("'?'");
    c.note("'{'");
    return term;
  }
  const reluctant = c.acceptOp('?');
  return { kind: 'PatternQuant', pos, term, min, max, form, reluctant };
}

function parsePatternPrimary(c: Cursor): PatternTerm {
  const pos = c.pos;
  if (c.isOp('(')) {
    c.next();
    const pattern = parseAlternation(c);
    c.expectOp(')');
    return { kind: 'PatternGroup', pos, pattern };
  }
  if (c.isOp('^') || c.isOp('$')) return { kind: 'PatternAnchor', pos, anchor: c.next().value as '^' };
  if (c.isOp('{') && c.isOp('-', 1)) {
    c.next();
    c.next();
    const pattern = parseAlternation(c);
    c.expectOp('-');
    c.expectOp('}');
    return { kind: 'PatternExclude', pos, pattern };
  }
  if (c.isWord('PERMUTE') && c.isOp('(', 1)) {
    c.next();
    c.next();
    const terms = [parseAlternation(c)];
    while (c.acceptOp(',')) terms.push(parseAlternation(c));
    c.expectOp(')');
    return { kind: 'PatternPermute', pos, terms };
  }
  c.note('pattern variable');
  c.note("'('");
  if (!c.isIdent()) c.fail();
  return { kind: 'PatternVar', pos, name: c.identifier() };
}
