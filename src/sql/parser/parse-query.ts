/**
 * Queries: WITH, set operations, SELECT (hints, DISTINCT, FROM with joins,
 * LATERAL, window TVFs, temporal joins, MATCH_RECOGNIZE), WHERE, GROUP BY
 * (incl. GROUPING SETS / ROLLUP / CUBE), HAVING, WINDOW, ORDER BY, LIMIT,
 * OFFSET, FETCH, VALUES.
 */
import type {
  Alias,
  Cte,
  Expr,
  GroupItem,
  Hint,
  HintKv,
  Identifier,
  Join,
  NamedWindow,
  OrderItem,
  Query,
  Select,
  SelectItem,
  SetExpr,
  StringLit,
  TableRef,
  Values,
} from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpr, parseExprList, parseWindowSpec } from './parse-expr.ts';
import { parseMatchRecognize } from './parse-match.ts';

/** Whether the token k ahead starts a query (SELECT, WITH, VALUES). */
export function isQueryStart(c: Cursor, k = 0): boolean {
  if (c.isWord('SELECT', k) || c.isWord('WITH', k) || c.isWord('VALUES', k)) return true;
  if (k === 0) {
    c.note('SELECT');
    c.note('WITH');
    c.note('VALUES');
  }
  return false;
}

// `(((SELECT` — a parenthesised query rather than a parenthesised join or expression
function isParenthesisedQuery(c: Cursor): boolean {
  let k = 0;
  while (c.isOp('(', k)) k++;
  return k > 0 && isQueryStart(c, k);
}

export function parseQuery(c: Cursor): Query {
  c.enter();
  const pos = c.pos;
  let ctes: Cte[] | undefined;
  if (c.accept('WITH')) {
    ctes = [];
    do {
      const cpos = c.pos;
      const name = c.identifier();
      const columns = c.isOp('(') ? c.identifierList() : undefined;
      c.expect('AS');
      c.expectOp('(');
      const cte: Cte = { kind: 'Cte', pos: cpos, name, query: parseQuery(c) };
      if (columns) cte.columns = columns;
      c.expectOp(')');
      ctes.push(cte);
    } while (c.acceptOp(','));
  }
  const query: Query = { kind: 'Query', pos, body: parseSetExpr(c, 1) };
  if (ctes) query.with = ctes;
  if (c.acceptAll('ORDER', 'BY')) query.orderBy = parseOrderByList(c);
  if (c.accept('LIMIT')) query.limit = parseExpr(c);
  if (c.accept('OFFSET')) {
    query.offset = parseExpr(c);
    c.acceptOneOf('ROW', 'ROWS');
  }
  if (c.accept('FETCH')) {
    c.expectOneOf('FIRST', 'NEXT');
    query.fetch = parseExpr(c);
    c.expectOneOf('ROW', 'ROWS');
    c.expect('ONLY');
  }
  c.leave();
  return query;
}

const SET_PREC: Record<string, number> = { UNION: 1, EXCEPT: 1, MINUS: 1, INTERSECT: 2 };

function parseSetExpr(c: Cursor, minPrec: number): SetExpr {
  let left = parseSetPrimary(c);
  for (;;) {
    const t = c.peek();
    const prec = t.kind === 'word' ? SET_PREC[t.upper] : undefined;
    if (prec === undefined) {
      c.note('UNION');
      c.note('INTERSECT');
      c.note('EXCEPT');
      return left;
    }
    if (prec < minPrec) return left;
    c.next();
    const op = t.upper === 'MINUS' ? 'EXCEPT' : (t.upper as 'UNION' | 'INTERSECT' | 'EXCEPT');
    const quantifier = c.acceptOneOf('ALL', 'DISTINCT');
    const right = parseSetExpr(c, prec + 1);
    left = { kind: 'SetOperation', pos: left.pos, op, left, right, ...(quantifier ? { quantifier } : {}) };
  }
}

function parseSetPrimary(c: Cursor): SetExpr {
  if (c.isWord('SELECT')) return parseSelect(c);
  if (c.isWord('VALUES')) return parseValues(c);
  if (c.isOp('(') && isParenthesisedQuery(c)) {
    c.next();
    const q = parseQuery(c);
    c.expectOp(')');
    return q;
  }
  c.note('SELECT');
  c.note('VALUES');
  c.note("'('");
  c.fail();
}

function parseValues(c: Cursor): Values {
  const pos = c.expect('VALUES').pos;
  const rows: Expr[][] = [];
  do {
    if (c.isOp('(')) {
      c.next();
      rows.push(parseExprList(c));
      c.expectOp(')');
    } else {
      rows.push([parseExpr(c)]);
    }
  } while (c.acceptOp(','));
  return { kind: 'Values', pos, rows };
}

function parseSelect(c: Cursor): Select {
  const pos = c.expect('SELECT').pos;
  const select: Select = { kind: 'Select', pos, hints: c.isOp('/*+') ? parseHints(c) : [], items: [] };
  const q = c.acceptOneOf('DISTINCT', 'ALL');
  if (q) select.quantifier = q;
  do select.items.push(parseSelectItem(c));
  while (c.acceptOp(','));
  if (!c.accept('FROM')) return select;
  select.from = parseFrom(c);
  if (c.accept('WHERE')) select.where = parseExpr(c);
  if (c.acceptAll('GROUP', 'BY')) select.groupBy = parseGroupBy(c);
  if (c.accept('HAVING')) select.having = parseExpr(c);
  if (c.accept('WINDOW')) {
    const windows: NamedWindow[] = [];
    do {
      const wpos = c.pos;
      const name = c.identifier();
      c.expect('AS');
      windows.push({ kind: 'NamedWindow', pos: wpos, name, spec: parseWindowSpec(c) });
    } while (c.acceptOp(','));
    select.windows = windows;
  }
  return select;
}

function parseSelectItem(c: Cursor): SelectItem {
  const pos = c.pos;
  if (c.isOp('*')) {
    c.next();
    return { kind: 'SelectItem', pos, expr: { kind: 'Star', pos, qualifier: [] } };
  }
  const expr = parseExpr(c);
  const item: SelectItem = { kind: 'SelectItem', pos, expr };
  const alias = parseAliasName(c);
  if (alias) item.alias = alias;
  return item;
}

/**
 * `[AS] name`. Without AS, a name is only taken as an alias when the token
 * after it cannot continue (`SELECT a b c` is never valid, and refusing `b`
 * makes the error point at it: "expected one of ',', FROM ... but found 'FORM'").
 */
function parseAliasName(c: Cursor): Identifier | undefined {
  if (c.accept('AS')) return c.identifier();
  // `x BY` is never an alias followed by more: it is a misspelt GROUP/ORDER/PARTITION BY
  if (c.isIdent() && !c.isIdent(1) && !c.isOp('.', 1) && !c.isWord('BY', 1)) return c.identifier();
  return undefined;
}

function parseAlias(c: Cursor): Alias | undefined {
  const pos = c.pos;
  const name = parseAliasName(c);
  if (!name) return undefined;
  const alias: Alias = { kind: 'Alias', pos, name };
  if (c.isOp('(') && c.isIdent(1)) alias.columns = c.identifierList();
  return alias;
}

export function parseOrderByList(c: Cursor): OrderItem[] {
  const items = [parseOrderItem(c)];
  while (c.acceptOp(',')) items.push(parseOrderItem(c));
  return items;
}

/** `expr [ASC|DESC] [NULLS FIRST|LAST]` */
export function parseOrderItem(c: Cursor): OrderItem {
  const item: OrderItem = { kind: 'OrderItem', pos: c.pos, expr: parseExpr(c) };
  const dir = c.acceptOneOf('ASC', 'DESC');
  if (dir) item.direction = dir;
  if (c.accept('NULLS')) item.nulls = c.expectOneOf('FIRST', 'LAST');
  return item;
}

function parseGroupBy(c: Cursor): GroupItem[] {
  const items: GroupItem[] = [];
  do {
    const pos = c.pos;
    if (c.acceptAll('GROUPING', 'SETS')) {
      items.push({ kind: 'GroupingSets', pos, type: 'GROUPING SETS', sets: parseGroupingSetList(c) });
    } else if ((c.isWord('ROLLUP') || c.isWord('CUBE')) && c.isOp('(', 1)) {
      const type = c.next().upper as 'ROLLUP' | 'CUBE';
      items.push({ kind: 'GroupingSets', pos, type, sets: parseGroupingSetList(c) });
    } else if (c.isOp('(') && c.isOp(')', 1)) {
      c.next();
      c.next();
      items.push({ kind: 'RowCtor', pos, explicit: false, fields: [] });
    } else {
      items.push(parseExpr(c));
    }
  } while (c.acceptOp(','));
  return items;
}

// `( set, set, ... )` where a set is `(a, b)`, `()` or `a`
function parseGroupingSetList(c: Cursor): Expr[][] {
  c.expectOp('(');
  const sets: Expr[][] = [];
  do {
    if (c.isOp('(')) {
      c.next();
      sets.push(c.isOp(')') ? [] : parseExprList(c));
      c.expectOp(')');
    } else {
      sets.push([parseExpr(c)]);
    }
  } while (c.acceptOp(','));
  c.expectOp(')');
  return sets;
}

// ------------------------------------------------------------------ FROM

function parseFrom(c: Cursor): TableRef {
  let left = parseTablePrimary(c);
  for (;;) {
    const pos = left.pos;
    if (c.acceptOp(',')) {
      left = {
        kind: 'Join',
        pos,
        type: 'COMMA',
        explicitKeyword: false,
        natural: false,
        left,
        right: parseTablePrimary(c),
      };
      continue;
    }
    const natural = c.accept('NATURAL');
    let type: Join['type'];
    let explicitKeyword = false;
    if (c.accept('JOIN')) type = 'INNER';
    else if (c.accept('INNER')) {
      c.expect('JOIN');
      type = 'INNER';
      explicitKeyword = true;
    } else if (c.accept('CROSS')) {
      c.expect('JOIN');
      type = 'CROSS';
    } else {
      const side = c.acceptOneOf('LEFT', 'RIGHT', 'FULL');
      if (!side) {
        if (natural) c.fail();
        return left;
      }
      explicitKeyword = c.accept('OUTER');
      c.expect('JOIN');
      type = side;
    }
    const right = parseTablePrimary(c);
    const join: Join = { kind: 'Join', pos, type, explicitKeyword, natural, left, right };
    if (type !== 'CROSS' && !natural) {
      if (c.accept('ON')) join.on = parseExpr(c);
      else if (c.accept('USING')) join.using = c.identifierList();
      else c.fail();
    }
    left = join;
  }
}

function parseTablePrimary(c: Cursor): TableRef {
  c.enter();
  const pos = c.pos;
  let ref: TableRef;
  const lateral = c.accept('LATERAL');
  if (c.isWord('TABLE')) {
    c.next();
    c.expectOp('(');
    const call = parseExpr(c);
    if (call.kind !== 'FunctionCall')
      c.error(call.pos, 'expected a table function call inside TABLE(...)', ['function call']);
    c.expectOp(')');
    ref = { kind: 'TableFunctionRef', pos, lateral, call };
  } else if (c.isOp('(') && isParenthesisedQuery(c)) {
    c.next();
    const query = parseQuery(c);
    c.expectOp(')');
    ref = { kind: 'SubqueryRef', pos, lateral, query };
  } else if (lateral) {
    c.note('TABLE');
    c.note("'('");
    c.fail();
  } else if (c.isWord('UNNEST')) {
    c.next();
    c.expectOp('(');
    const exprs = parseExprList(c);
    c.expectOp(')');
    const withOrdinality = c.acceptAll('WITH', 'ORDINALITY');
    ref = { kind: 'UnnestRef', pos, exprs, withOrdinality };
  } else if (c.isOp('(')) {
    c.next();
    ref = parseFrom(c);
    c.expectOp(')');
    c.leave();
    return ref;
  } else {
    const name = c.qualifiedName();
    ref = { kind: 'TableName', pos, name, hints: c.isOp('/*+') ? parseHints(c) : [] };
    if (c.isWord('FOR') && c.isWord('SYSTEM_TIME', 1)) {
      c.next();
      c.next();
      c.expect('AS');
      c.expect('OF');
      ref.systemTime = parseExpr(c);
    }
  }
  if (c.isWord('MATCH_RECOGNIZE')) ref = parseMatchRecognize(c, ref);
  const alias = parseAlias(c);
  if (alias) ref.alias = alias;
  c.leave();
  return ref;
}

/** `/*+ NAME('k'='v', ...), NAME2(a, b) *\/` */
export function parseHints(c: Cursor): Hint[] {
  c.expectOp('/*+');
  const hints: Hint[] = [];
  do {
    const pos = c.pos;
    const hint: Hint = { kind: 'Hint', pos, name: c.identifier() };
    if (c.acceptOp('(')) {
      const args: Array<HintKv | Identifier | StringLit> = [];
      if (!c.isOp(')')) {
        do args.push(parseHintArg(c));
        while (c.acceptOp(','));
      }
      c.expectOp(')');
      hint.args = args;
    }
    hints.push(hint);
  } while (c.acceptOp(','));
  c.expectOp('*/');
  return hints;
}

function parseHintArg(c: Cursor): HintKv | Identifier | StringLit {
  const t = c.peek();
  const pos = t.pos;
  if (c.isOp('=', 1) && (c.isString() || c.isIdent())) {
    const key = c.next().value;
    c.next();
    const v = c.peek();
    if (v.kind !== 'string' && v.kind !== 'number' && !c.isIdent()) {
      c.note('string literal');
      c.fail();
    }
    c.next();
    return { kind: 'HintKv', pos, key, value: v.value };
  }
  if (c.isString()) return { kind: 'StringLit', pos, value: c.string() };
  return c.identifier();
}
