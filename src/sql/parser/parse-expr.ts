/**
 * Expressions, by precedence climbing with Calcite's (and so Flink's) levels,
 * loosest first:
 *
 *   1 OR · 2 AND · 3 NOT (prefix) · 4 IS [NOT] NULL/TRUE/FALSE/DISTINCT FROM ·
 *   5 = <> != < > <= >= · 6 [NOT] BETWEEN / IN / LIKE / SIMILAR TO ·
 *   7 + - · 8 * / % || · 9 unary + - · 10 postfix [i] and .field
 *
 * `||` binds like `*` (Calcite gives CONCAT the multiplicative level).
 */
import type {
  CaseWhen,
  Expr,
  FunctionCall,
  Identifier,
  IntervalLit,
  JsonBehavior,
  JsonCall,
  OrderItem,
  Pos,
  TypedLit,
  WindowFrameBound,
  WindowSpec,
} from './ast.ts';
import { type Cursor, toIdentifier } from './cursor.ts';
import { isQueryStart, parseOrderByList, parseOrderItem, parseQuery } from './parse-query.ts';
import { parseDataType, parseIntervalQualifier, parseTimeUnit } from './parse-types.ts';
import { FUNCTION_KEYWORDS, RESERVED } from './tokens.ts';

export const PREC = {
  OR: 1,
  AND: 2,
  NOT: 3,
  IS: 4,
  CMP: 5,
  PRED: 6,
  ADD: 7,
  MUL: 8,
  UNARY: 9,
  POSTFIX: 10,
  PRIMARY: 11,
} as const;

const CMP_OPS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const NILADIC = new Set(['CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP']);
const EXTRACT_UNITS = new Set(['DOW', 'DOY', 'EPOCH', 'DECADE', 'CENTURY', 'MILLENNIUM', 'ISODOW', 'ISOYEAR']);

/** Parses an expression whose operators all bind at least as tightly as `minPrec`. */
export function parseExpr(c: Cursor, minPrec: number = PREC.OR): Expr {
  c.enter();
  let left = parsePrefix(c);
  for (;;) {
    const t = c.peek();
    const pos = left.pos;
    if (t.kind === 'op') {
      const op = t.value;
      if (op === '[' && PREC.POSTFIX >= minPrec) {
        c.next();
        const index = parseExpr(c);
        c.expectOp(']');
        left = { kind: 'IndexAccess', pos, expr: left, index };
        continue;
      }
      if (op === '.' && PREC.POSTFIX >= minPrec && c.isIdent(1)) {
        c.next();
        left = { kind: 'FieldAccess', pos, expr: left, field: c.identifier() };
        continue;
      }
      if ((op === '*' || op === '/' || op === '%' || op === '||') && PREC.MUL >= minPrec) {
        c.next();
        left = { kind: 'Binary', pos, op, left, right: parseExpr(c, PREC.MUL + 1) };
        continue;
      }
      if ((op === '+' || op === '-') && PREC.ADD >= minPrec) {
        c.next();
        left = { kind: 'Binary', pos, op, left, right: parseExpr(c, PREC.ADD + 1) };
        continue;
      }
      if (CMP_OPS.has(op) && PREC.CMP >= minPrec) {
        c.next();
        const q = c.peek();
        if (
          q.kind === 'word' &&
          (q.upper === 'ANY' || q.upper === 'SOME' || q.upper === 'ALL') &&
          c.isOp('(', 1) &&
          isQueryStart(c, 2)
        ) {
          c.next();
          c.next();
          const query = parseQuery(c);
          c.expectOp(')');
          left = { kind: 'QuantifiedComparison', pos, op: op as '=', quantifier: q.upper as 'ANY', left, query };
          continue;
        }
        left = { kind: 'Binary', pos, op: op as '=', left, right: parseExpr(c, PREC.CMP + 1) };
        continue;
      }
      break;
    }
    if (t.kind !== 'word') break;
    const w = t.upper;
    if (w === 'OR' && PREC.OR >= minPrec) {
      c.next();
      left = { kind: 'Binary', pos, op: 'OR', left, right: parseExpr(c, PREC.OR + 1) };
      continue;
    }
    if (w === 'AND' && PREC.AND >= minPrec) {
      c.next();
      left = { kind: 'Binary', pos, op: 'AND', left, right: parseExpr(c, PREC.AND + 1) };
      continue;
    }
    if (w === 'IS' && PREC.IS >= minPrec) {
      c.next();
      const not = c.accept('NOT');
      if (c.accept('DISTINCT')) {
        c.expect('FROM');
        left = { kind: 'IsDistinctFrom', pos, left, not, right: parseExpr(c, PREC.CMP + 1) };
      } else if (c.accept('JSON')) {
        const kind = c.acceptOneOf('VALUE', 'SCALAR', 'ARRAY', 'OBJECT');
        left = { kind: 'IsTest', pos, expr: left, not, test: kind ? `JSON ${kind}` : 'JSON' };
      } else {
        const test = c.expectOneOf('NULL', 'TRUE', 'FALSE', 'UNKNOWN', 'DISTINCT');
        left = { kind: 'IsTest', pos, expr: left, not, test: test as 'NULL' };
      }
      continue;
    }
    if (PREC.PRED >= minPrec) {
      const negated =
        w === 'NOT' && ['IN', 'LIKE', 'BETWEEN', 'SIMILAR'].includes(c.peek(1).upper) && c.peek(1).kind === 'word';
      const kw = negated ? c.peek(1).upper : w;
      if (kw === 'IN' || kw === 'LIKE' || kw === 'BETWEEN' || kw === 'SIMILAR') {
        if (negated) c.next();
        c.next();
        left = parsePredicate(c, kw, left, negated);
        continue;
      }
    }
    break;
  }
  c.leave();
  return left;
}

function parsePredicate(c: Cursor, kw: string, left: Expr, not: boolean): Expr {
  const pos = left.pos;
  if (kw === 'IN') {
    c.expectOp('(');
    if (isQueryStart(c)) {
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'InSubquery', pos, expr: left, not, query };
    }
    const list = parseExprList(c);
    c.expectOp(')');
    return { kind: 'InList', pos, expr: left, not, list };
  }
  if (kw === 'BETWEEN') {
    const symmetric = c.acceptOneOf('SYMMETRIC', 'ASYMMETRIC');
    const low = parseExpr(c, PREC.ADD);
    c.expect('AND');
    const high = parseExpr(c, PREC.ADD);
    return { kind: 'Between', pos, expr: left, not, low, high, ...(symmetric ? { symmetric } : {}) };
  }
  let op: 'LIKE' | 'SIMILAR TO' = 'LIKE';
  if (kw === 'SIMILAR') {
    c.expect('TO');
    op = 'SIMILAR TO';
  }
  const pattern = parseExpr(c, PREC.ADD);
  const like: Expr = { kind: 'Like', pos, op, expr: left, not, pattern };
  if (c.accept('ESCAPE')) like.escape = parseExpr(c, PREC.ADD);
  return like;
}

export function parseExprList(c: Cursor): Expr[] {
  const list = [parseExpr(c)];
  while (c.acceptOp(',')) list.push(parseExpr(c));
  return list;
}

function parsePrefix(c: Cursor): Expr {
  const t = c.peek();
  const pos = t.pos;
  switch (t.kind) {
    case 'number':
      c.next();
      return { kind: 'NumberLit', pos, text: t.value };
    case 'string':
      c.next();
      if (t.prefix === 'X') {
        if (!/^[0-9a-fA-F]*$/.test(t.value)) c.error(pos, `invalid binary literal X'${t.value}'`, ['hex digits']);
        return { kind: 'BinaryLit', pos, hex: t.value };
      }
      return { kind: 'StringLit', pos, value: t.value };
    case 'variable':
    case 'quoted':
      return parseNameOrCall(c);
    case 'op':
      if (t.value === '(') return parseParenthesised(c);
      if (t.value === '-' || t.value === '+') {
        c.next();
        return { kind: 'Unary', pos, op: t.value, expr: parseExpr(c, PREC.UNARY) };
      }
      break;
    case 'word':
      return parseWordPrefix(c);
    default:
      break;
  }
  c.note('expression');
  c.fail();
}

function parseParenthesised(c: Cursor): Expr {
  const pos = c.pos;
  c.expectOp('(');
  if (isQueryStart(c)) {
    const query = parseQuery(c);
    c.expectOp(')');
    return { kind: 'ScalarSubquery', pos, query };
  }
  const fields = parseExprList(c);
  c.expectOp(')');
  if (fields.length === 1) return fields[0];
  return { kind: 'RowCtor', pos, explicit: false, fields };
}

function parseWordPrefix(c: Cursor): Expr {
  const t = c.peek();
  const pos = t.pos;
  const w = t.upper;
  const next = c.peek(1);
  switch (w) {
    case 'TRUE':
    case 'FALSE':
      c.next();
      return { kind: 'BooleanLit', pos, value: w === 'TRUE' };
    case 'NULL':
      c.next();
      return { kind: 'NullLit', pos };
    case 'NOT':
      c.next();
      return { kind: 'Unary', pos, op: 'NOT', expr: parseExpr(c, PREC.NOT + 1) };
    case 'CASE':
      return parseCase(c);
    case 'CAST':
    case 'TRY_CAST': {
      c.next();
      c.expectOp('(');
      const expr = parseExpr(c);
      c.expect('AS');
      const type = parseDataType(c);
      c.expectOp(')');
      return { kind: 'Cast', pos, try: w === 'TRY_CAST', expr, type };
    }
    case 'EXISTS': {
      c.next();
      c.expectOp('(');
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'Exists', pos, query };
    }
    case 'INTERVAL':
      return parseIntervalLiteral(c);
    case 'ARRAY': {
      c.next();
      c.expectOp('[');
      const elements = c.isOp(']') ? [] : parseExprList(c);
      c.expectOp(']');
      return { kind: 'ArrayCtor', pos, elements };
    }
    case 'ROW': {
      c.next();
      c.expectOp('(');
      const fields = c.isOp(')') ? [] : parseExprList(c);
      c.expectOp(')');
      return { kind: 'RowCtor', pos, explicit: true, fields };
    }
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (next.kind === 'string' && next.prefix === undefined) {
        c.next();
        c.next();
        return { kind: 'TypedLit', pos, type: w as TypedLit['type'], value: next.value };
      }
      break;
    case 'MAP':
      if (c.isOp('[', 1)) {
        c.next();
        c.next();
        const entries = c.isOp(']') ? [] : parseExprList(c);
        if (entries.length % 2 !== 0) c.error(pos, 'MAP[...] needs an even number of entries (key, value, ...)');
        c.expectOp(']');
        return { kind: 'MapCtor', pos, entries };
      }
      break;
    case 'DESCRIPTOR':
      if (c.isOp('(', 1)) {
        c.next();
        return { kind: 'Descriptor', pos, columns: c.identifierList() };
      }
      break;
    case 'RUNNING':
    case 'FINAL':
      if (c.isIdent(1) && c.isOp('(', 2)) {
        c.next();
        const call = parseNameOrCall(c);
        if (call.kind === 'FunctionCall') {
          call.semantics = w;
          call.pos = pos;
        }
        return call;
      }
      break;
    default:
      if (NILADIC.has(w)) {
        c.next();
        const name: Identifier = { kind: 'Identifier', pos, value: t.value, quoted: false };
        if (c.isOp('(') && c.isOp(')', 1)) {
          c.next();
          c.next();
          return { kind: 'FunctionCall', pos, name: [name], args: [] };
        }
        return { kind: 'FunctionCall', pos, name: [name], args: [], niladic: true };
      }
  }
  if (!RESERVED.has(w) || (FUNCTION_KEYWORDS.has(w) && c.isOp('(', 1))) return parseNameOrCall(c);
  c.note('expression');
  c.fail();
}

/** `INTERVAL [-] '10' SECOND` */
export function parseIntervalLiteral(c: Cursor): IntervalLit {
  const pos = c.expect('INTERVAL').pos;
  let negative = false;
  if (c.isOp('-') || c.isOp('+')) negative = c.next().value === '-';
  const value = c.string();
  return { kind: 'IntervalLit', pos, negative, value, qualifier: parseIntervalQualifier(c) };
}

function parseCase(c: Cursor): Expr {
  const pos = c.expect('CASE').pos;
  const operand = c.isWord('WHEN') ? undefined : parseExpr(c);
  const whens: CaseWhen[] = [];
  do {
    const wpos = c.expect('WHEN').pos;
    const when = parseExpr(c);
    c.expect('THEN');
    whens.push({ kind: 'CaseWhen', pos: wpos, condition: when, result: parseExpr(c) });
  } while (c.isWord('WHEN'));
  const result: Expr = { kind: 'Case', pos, whens };
  if (operand) result.operand = operand;
  if (c.accept('ELSE')) result.else = parseExpr(c);
  c.expect('END');
  return result;
}

/** A (qualified) name: a column reference, `t.*`, or a function call. */
function parseNameOrCall(c: Cursor): Expr {
  const pos = c.pos;
  const names: Identifier[] = [];
  const first = c.peek();
  if (first.kind === 'word' && RESERVED.has(first.upper)) names.push(toIdentifier(c.next()));
  else names.push(c.identifier());
  while (c.isOp('.')) {
    if (c.isOp('*', 1)) {
      c.next();
      c.next();
      return { kind: 'Star', pos, qualifier: names };
    }
    if (!c.isIdent(1)) break;
    c.next();
    names.push(c.identifier());
  }
  if (c.isOp('(')) return parseCall(c, names);
  return { kind: 'ColumnRef', pos, names };
}

function parseCall(c: Cursor, name: Identifier[]): Expr {
  const pos = name[0].pos;
  const simple = name.length === 1 && !name[0].quoted ? name[0].value.toUpperCase() : '';
  c.expectOp('(');
  const special = parseSpecialCall(c, simple, name);
  if (special) return special;
  const call: FunctionCall = { kind: 'FunctionCall', pos, name, args: [] };
  if (c.isOp('*')) {
    call.args.push({ kind: 'Star', pos: c.next().pos, qualifier: [] });
  } else if (!c.isOp(')')) {
    const q = c.acceptOneOf('DISTINCT', 'ALL');
    if (q) call.quantifier = q;
    call.args.push(parseArgument(c));
    while (c.acceptOp(',')) call.args.push(parseArgument(c));
  }
  c.expectOp(')');
  if (c.isWord('WITHIN') && c.isWord('GROUP', 1)) {
    c.next();
    c.next();
    c.expectOp('(');
    c.expect('ORDER');
    c.expect('BY');
    call.withinGroup = parseOrderByList(c);
    c.expectOp(')');
  }
  if (c.isWord('FILTER') && c.isOp('(', 1)) {
    c.next();
    c.next();
    c.expect('WHERE');
    call.filter = parseExpr(c);
    c.expectOp(')');
  }
  if ((c.isWord('IGNORE') || c.isWord('RESPECT')) && c.isWord('NULLS', 1)) {
    call.nullTreatment = c.next().upper === 'IGNORE' ? 'IGNORE NULLS' : 'RESPECT NULLS';
    c.next();
  }
  if (c.accept('OVER')) {
    call.over = c.isOp('(') ? parseWindowSpec(c) : c.identifier();
  }
  return call;
}

/** A function argument: `name => value`, `TABLE t [PARTITION BY ..]`, or an expression. */
function parseArgument(c: Cursor): Expr {
  // parameter names may be reserved words (`OFFSET => INTERVAL '1' MINUTE`)
  if ((c.isIdent() || c.peek().kind === 'word') && c.isOp('=>', 1)) {
    const name = toIdentifier(c.next());
    c.next();
    return { kind: 'NamedArg', pos: name.pos, name, value: parseArgumentValue(c) };
  }
  return parseArgumentValue(c);
}

function parseArgumentValue(c: Cursor): Expr {
  if (c.isWord('TABLE')) {
    const pos = c.next().pos;
    const name = c.qualifiedName();
    const partitionBy = c.acceptAll('PARTITION', 'BY') ? parsePartitionList(c) : [];
    const orderBy = c.acceptAll('ORDER', 'BY') ? parseTableArgOrder(c) : [];
    return { kind: 'TableArg', pos, name, partitionBy, orderBy };
  }
  return parseExpr(c);
}

// In table arguments the list is comma-ambiguous with the next argument, so
// several keys need parentheses: `PARTITION BY k` or `PARTITION BY (a, b)`.
function parsePartitionList(c: Cursor): Expr[] {
  if (!c.isOp('(')) return [parseExpr(c)];
  c.next();
  const list = parseExprList(c);
  c.expectOp(')');
  return list;
}

function parseTableArgOrder(c: Cursor): OrderItem[] {
  if (!c.isOp('(')) return [parseOrderItem(c)];
  c.next();
  const list = parseOrderByList(c);
  c.expectOp(')');
  return list;
}

/** Calls with keyword syntax inside the parentheses; returns undefined to fall back to a plain call. */
function parseSpecialCall(c: Cursor, upper: string, name: Identifier[]): Expr | undefined {
  const pos = name[0].pos;
  switch (upper) {
    case 'EXTRACT': {
      const t = c.peek();
      let unit: string;
      if (t.kind === 'word' && EXTRACT_UNITS.has(t.upper)) unit = c.next().upper;
      else unit = parseTimeUnit(c);
      c.expect('FROM');
      const expr = parseExpr(c);
      c.expectOp(')');
      return { kind: 'Extract', pos, unit: unit as 'DAY', expr };
    }
    case 'POSITION': {
      const needle = parseExpr(c, PREC.ADD);
      if (!c.isWord('IN')) return finishPlainCall(c, name, [needle]);
      c.next();
      const haystack = parseExpr(c);
      c.expectOp(')');
      return { kind: 'Position', pos, needle, haystack };
    }
    case 'TRIM': {
      const side = c.acceptOneOf('BOTH', 'LEADING', 'TRAILING');
      if (!side && !c.isWord('FROM')) {
        const first = parseExpr(c);
        if (!c.isWord('FROM')) return finishPlainCall(c, name, [first]);
        c.next();
        const expr = parseExpr(c);
        c.expectOp(')');
        return { kind: 'Trim', pos, chars: first, expr };
      }
      let chars: Expr | undefined;
      if (!c.isWord('FROM')) chars = parseExpr(c);
      c.expect('FROM');
      const expr = parseExpr(c);
      c.expectOp(')');
      return { kind: 'Trim', pos, expr, ...(side ? { side } : {}), ...(chars ? { chars } : {}) };
    }
    case 'SUBSTRING': {
      const str = parseExpr(c);
      if (!c.isWord('FROM')) return finishPlainCall(c, name, [str]);
      c.next();
      const args = [str, parseExpr(c)];
      if (c.accept('FOR')) args.push(parseExpr(c));
      c.expectOp(')');
      return { kind: 'FunctionCall', pos, name, args };
    }
    case 'CEIL':
    case 'CEILING':
    case 'FLOOR': {
      const expr = parseExpr(c);
      if (!c.isWord('TO')) return finishPlainCall(c, name, [expr]);
      c.next();
      const unit = parseTimeUnit(c);
      c.expectOp(')');
      return { kind: 'CeilFloor', pos, fn: upper === 'FLOOR' ? 'FLOOR' : 'CEIL', expr, unit };
    }
    case 'JSON_VALUE':
    case 'JSON_QUERY':
    case 'JSON_EXISTS':
    case 'JSON_OBJECT':
    case 'JSON_ARRAY':
    case 'JSON_OBJECTAGG':
    case 'JSON_ARRAYAGG':
      return parseJsonCall(c, pos, upper);
    default:
      return undefined;
  }
}

/** SQL/JSON functions; the opening parenthesis is already consumed. */
function parseJsonCall(c: Cursor, pos: Pos, fn: JsonCall['fn']): JsonCall {
  const call: JsonCall = { kind: 'JsonCall', pos, fn, args: [], entries: [] };
  if (fn === 'JSON_VALUE' || fn === 'JSON_QUERY' || fn === 'JSON_EXISTS') {
    call.args.push(parseExpr(c));
    c.expectOp(',');
    call.args.push(parseExpr(c));
    if (fn !== 'JSON_EXISTS' && c.accept('RETURNING')) call.returning = parseDataType(c);
    if (fn === 'JSON_QUERY') {
      const w = c.acceptOneOf('WITHOUT', 'WITH');
      if (w) {
        const words: string[] = [w];
        const mode = w === 'WITH' ? c.acceptOneOf('CONDITIONAL', 'UNCONDITIONAL') : undefined;
        if (mode) words.push(mode);
        if (c.accept('ARRAY')) words.push('ARRAY');
        c.expect('WRAPPER');
        words.push('WRAPPER');
        call.wrapper = words.join(' ');
      }
    }
    for (;;) {
      if (c.isOp(')')) break;
      const behavior = parseJsonBehavior(c, fn);
      c.expect('ON');
      const when = fn === 'JSON_EXISTS' ? c.expectOneOf('ERROR') : c.expectOneOf('EMPTY', 'ERROR');
      if (when === 'EMPTY') call.onEmpty = behavior;
      else call.onError = behavior;
    }
  } else if (fn === 'JSON_OBJECT' || fn === 'JSON_OBJECTAGG') {
    if (!c.isOp(')') && !isOnNull(c)) {
      do {
        const epos = c.pos;
        // `KEY` is optional, and `key VALUE v` names a column called key
        const keyword = c.isWord('KEY') && !c.isWord('VALUE', 1);
        if (keyword) c.next();
        const key = parseExpr(c);
        c.expect('VALUE');
        call.entries.push({ kind: 'JsonEntry', pos: epos, keyword, key, value: parseExpr(c) });
      } while (fn === 'JSON_OBJECT' && c.acceptOp(','));
    }
  } else if (!c.isOp(')') && !isOnNull(c)) {
    call.args.push(parseExpr(c));
    if (fn === 'JSON_ARRAY') while (c.acceptOp(',')) call.args.push(parseExpr(c));
    else if (c.acceptAll('ORDER', 'BY')) call.orderBy = parseOrderByList(c);
  }
  if (fn !== 'JSON_VALUE' && fn !== 'JSON_QUERY' && fn !== 'JSON_EXISTS' && isOnNull(c)) {
    call.onNull = c.next().upper as 'NULL' | 'ABSENT';
    c.expect('ON');
    c.expect('NULL');
  }
  c.expectOp(')');
  return call;
}

function isOnNull(c: Cursor): boolean {
  return (c.isWord('NULL') || c.isWord('ABSENT')) && c.isWord('ON', 1);
}

function parseJsonBehavior(c: Cursor, fn: JsonCall['fn']): JsonBehavior {
  const pos = c.pos;
  if (c.accept('DEFAULT')) return { kind: 'JsonBehavior', pos, type: 'DEFAULT', default: parseExpr(c) };
  if (fn === 'JSON_QUERY' && c.accept('EMPTY')) {
    return { kind: 'JsonBehavior', pos, type: `EMPTY ${c.expectOneOf('ARRAY', 'OBJECT')}` };
  }
  const options =
    fn === 'JSON_EXISTS' ? (['TRUE', 'FALSE', 'UNKNOWN', 'ERROR'] as const) : (['NULL', 'ERROR'] as const);
  const type = c.expectOneOf(...options);
  return { kind: 'JsonBehavior', pos, type };
}

// continues a call whose first argument is already parsed
function finishPlainCall(c: Cursor, name: Identifier[], args: Expr[]): Expr {
  while (c.acceptOp(',')) args.push(parseArgument(c));
  c.expectOp(')');
  return { kind: 'FunctionCall', pos: name[0].pos, name, args };
}

/** `( [base] [PARTITION BY ..] [ORDER BY ..] [ROWS|RANGE ..] )` */
export function parseWindowSpec(c: Cursor): WindowSpec {
  const pos = c.expectOp('(').pos;
  const spec: WindowSpec = { kind: 'WindowSpec', pos, partitionBy: [], orderBy: [] };
  if (c.isIdent() && !c.isWord('ROWS') && !c.isWord('RANGE')) spec.base = c.identifier();
  if (c.acceptAll('PARTITION', 'BY')) spec.partitionBy = parseExprList(c);
  if (c.acceptAll('ORDER', 'BY')) spec.orderBy = parseOrderByList(c);
  const fpos = c.pos;
  const units = c.acceptOneOf('ROWS', 'RANGE');
  if (units) {
    if (c.accept('BETWEEN')) {
      const start = parseFrameBound(c);
      c.expect('AND');
      spec.frame = { kind: 'WindowFrame', pos: fpos, units, start, end: parseFrameBound(c) };
    } else {
      spec.frame = { kind: 'WindowFrame', pos: fpos, units, start: parseFrameBound(c) };
    }
  }
  c.expectOp(')');
  return spec;
}

function parseFrameBound(c: Cursor): WindowFrameBound {
  const pos = c.pos;
  if (c.accept('UNBOUNDED')) {
    const dir = c.expectOneOf('PRECEDING', 'FOLLOWING');
    return { kind: 'FrameBound', pos, type: `UNBOUNDED ${dir}` };
  }
  if (c.acceptAll('CURRENT', 'ROW')) return { kind: 'FrameBound', pos, type: 'CURRENT ROW' };
  const offset = parseExpr(c, PREC.ADD);
  const dir = c.expectOneOf('PRECEDING', 'FOLLOWING');
  return { kind: 'FrameBound', pos, type: dir, offset };
}
