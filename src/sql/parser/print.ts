/**
 * Prints the syntax tree back to Flink SQL. The output is canonical (upper-
 * case keywords, single spaces, parentheses only where precedence needs
 * them) and re-parses to the same tree, positions aside — tests rely on
 * that, and EXPLAIN uses it to show statements.
 */
import type {
  Alias,
  ColumnDef,
  DataType,
  Expr,
  FunctionCall,
  GroupItem,
  Hint,
  Identifier,
  Insert,
  IntervalQualifier,
  JsonBehavior,
  JsonCall,
  OrderItem,
  PatternTerm,
  PrimaryKey,
  Query,
  Select,
  SetExpr,
  Statement,
  TableOption,
  TableRef,
  Watermark,
  WindowFrameBound,
  WindowSpec,
} from './ast.ts';
import { PREC } from './parse-expr.ts';
import { layout } from './pretty.ts';

const SIMPLE_IDENT = /^[A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/;

/** `name` as written: backquoted when it was quoted or could not be read back bare. */
export function formatIdentifier(id: Identifier): string {
  if (id.placeholder) return `\${${id.value}}`;
  if (id.quoted || !SIMPLE_IDENT.test(id.value)) return `\`${id.value.replaceAll('`', '``')}\``;
  return id.value;
}

function names(ids: Identifier[]): string {
  return ids.map(formatIdentifier).join('.');
}

function str(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function list<T>(items: T[], f: (x: T) => string): string {
  return items.map(f).join(', ');
}

// ------------------------------------------------------------------ types

/** Prints a data type, e.g. `TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL`. */
export function formatType(t: DataType): string {
  let s: string;
  switch (t.kind) {
    case 'PrimitiveType':
      s = t.name + (t.args.length ? `(${t.args.join(', ')})` : '');
      if (t.timeZone === 'WITH') s += ' WITH TIME ZONE';
      else if (t.timeZone === 'WITHOUT') s += ' WITHOUT TIME ZONE';
      else if (t.timeZone === 'LOCAL') s += ' WITH LOCAL TIME ZONE';
      break;
    case 'IntervalType':
      s = `INTERVAL ${formatQualifier(t.qualifier)}`;
      break;
    case 'ArrayType':
    case 'MultisetType': {
      const word = t.kind === 'ArrayType' ? 'ARRAY' : 'MULTISET';
      s = t.postfix ? `${formatType(t.element)} ${word}` : `${word}<${formatType(t.element)}>`;
      break;
    }
    case 'MapType':
      s = `MAP<${formatType(t.key)}, ${formatType(t.value)}>`;
      break;
    case 'RowType': {
      const fields = list(
        t.fields,
        (f) =>
          `${formatIdentifier(f.name)} ${formatType(f.type)}${f.comment !== undefined ? ` COMMENT ${str(f.comment)}` : ''}`,
      );
      s = t.parens ? `ROW(${fields})` : `ROW<${fields}>`;
      break;
    }
  }
  return t.nullable ? s : `${s} NOT NULL`;
}

function formatQualifier(q: IntervalQualifier): string {
  let s = q.start + (q.startPrecision !== undefined ? `(${q.startPrecision})` : '');
  if (q.end) s += ` TO ${q.end}${q.endPrecision !== undefined ? `(${q.endPrecision})` : ''}`;
  return s;
}

// ------------------------------------------------------------------ expressions

function precOf(e: Expr): number {
  switch (e.kind) {
    case 'Binary':
      switch (e.op) {
        case 'OR':
          return PREC.OR;
        case 'AND':
          return PREC.AND;
        case '+':
        case '-':
          return PREC.ADD;
        case '*':
        case '/':
        case '%':
        case '||':
          return PREC.MUL;
        default:
          return PREC.CMP;
      }
    case 'Unary':
      return e.op === 'NOT' ? PREC.NOT : PREC.UNARY;
    case 'IsTest':
    case 'IsDistinctFrom':
      return PREC.IS;
    case 'QuantifiedComparison':
      return PREC.CMP;
    case 'Between':
    case 'InList':
    case 'InSubquery':
    case 'Like':
      return PREC.PRED;
    case 'IndexAccess':
    case 'FieldAccess':
      return PREC.POSTFIX;
    default:
      return PREC.PRIMARY;
  }
}

// prints e, parenthesised when it binds looser than `min`
function sub(e: Expr, min: number): string {
  const s = formatExpr(e);
  return precOf(e) < min ? `(${s})` : s;
}

/** Prints an expression. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'NumberLit':
      return e.text;
    case 'StringLit':
      return str(e.value);
    case 'BinaryLit':
      return `X'${e.hex}'`;
    case 'BooleanLit':
      return e.value ? 'TRUE' : 'FALSE';
    case 'NullLit':
      return 'NULL';
    case 'IntervalLit':
      return `INTERVAL ${e.negative ? '-' : ''}${str(e.value)} ${formatQualifier(e.qualifier)}`;
    case 'TypedLit':
      return `${e.type} ${str(e.value)}`;
    case 'ColumnRef':
      return names(e.names);
    case 'Star':
      return e.qualifier.length ? `${names(e.qualifier)}.*` : '*';
    case 'FieldAccess': {
      // `(a).b` must keep its parentheses or it would read back as the column a.b
      const inner = e.expr.kind === 'ColumnRef' ? `(${formatExpr(e.expr)})` : sub(e.expr, PREC.POSTFIX);
      return `${inner}.${formatIdentifier(e.field)}`;
    }
    case 'IndexAccess':
      return `${sub(e.expr, PREC.POSTFIX)}[${formatExpr(e.index)}]`;
    case 'FunctionCall':
      return formatCall(e);
    case 'Cast':
      return `${e.try ? 'TRY_CAST' : 'CAST'}(${formatExpr(e.expr)} AS ${formatType(e.type)})`;
    case 'Case': {
      let s = 'CASE';
      if (e.operand) s += ` ${formatExpr(e.operand)}`;
      for (const w of e.whens) s += ` WHEN ${formatExpr(w.condition)} THEN ${formatExpr(w.result)}`;
      if (e.else) s += ` ELSE ${formatExpr(e.else)}`;
      return `${s} END`;
    }
    case 'InList':
      return `${sub(e.expr, PREC.PRED)} ${e.not ? 'NOT IN' : 'IN'} (${list(e.list, formatExpr)})`;
    case 'InSubquery':
      return `${sub(e.expr, PREC.PRED)} ${e.not ? 'NOT IN' : 'IN'} (${formatQuery(e.query)})`;
    case 'Between':
      return `${sub(e.expr, PREC.PRED)} ${e.not ? 'NOT BETWEEN' : 'BETWEEN'}${e.symmetric ? ` ${e.symmetric}` : ''} ${sub(e.low, PREC.ADD)} AND ${sub(e.high, PREC.ADD)}`;
    case 'Like': {
      let s = `${sub(e.expr, PREC.PRED)} ${e.not ? 'NOT ' : ''}${e.op} ${sub(e.pattern, PREC.ADD)}`;
      if (e.escape) s += ` ESCAPE ${sub(e.escape, PREC.ADD)}`;
      return s;
    }
    case 'IsTest':
      return `${sub(e.expr, PREC.IS)} IS ${e.not ? 'NOT ' : ''}${e.test}`;
    case 'IsDistinctFrom':
      return `${sub(e.left, PREC.IS)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${sub(e.right, PREC.CMP + 1)}`;
    case 'Exists':
      return `EXISTS (${formatQuery(e.query)})`;
    case 'ScalarSubquery':
      return `(${formatQuery(e.query)})`;
    case 'Unary': {
      if (e.op === 'NOT') return `NOT ${sub(e.expr, PREC.NOT + 1)}`;
      const operand = sub(e.expr, PREC.UNARY);
      // never print `--` or `++` (a comment, or unreadable)
      return operand.startsWith('-') || operand.startsWith('+') ? `${e.op}(${operand})` : `${e.op}${operand}`;
    }
    case 'Binary': {
      // walk the left spine iteratively: long `a + b + c + ...` chains are deep trees
      const p = precOf(e);
      const tail: string[] = [];
      let cur: Expr = e;
      while (cur.kind === 'Binary' && precOf(cur) === p) {
        tail.push(`${cur.op} ${sub(cur.right, p + 1)}`);
        cur = cur.left;
      }
      return `${sub(cur, p)} ${tail.reverse().join(' ')}`;
    }
    case 'ArrayCtor':
      return `ARRAY[${list(e.elements, formatExpr)}]`;
    case 'MapCtor':
      return `MAP[${list(e.entries, formatExpr)}]`;
    case 'RowCtor':
      return `${e.explicit ? 'ROW' : ''}(${list(e.fields, formatExpr)})`;
    case 'NamedArg':
      return `${formatIdentifier(e.name)} => ${formatExpr(e.value)}`;
    case 'Descriptor':
      return `DESCRIPTOR(${list(e.columns, formatIdentifier)})`;
    case 'TableArg': {
      let s = `TABLE ${names(e.name)}`;
      if (e.partitionBy.length) s += ` PARTITION BY (${list(e.partitionBy, formatExpr)})`;
      if (e.orderBy.length) s += ` ORDER BY (${list(e.orderBy, formatOrderItem)})`;
      return s;
    }
    case 'Extract':
      return `EXTRACT(${e.unit} FROM ${formatExpr(e.expr)})`;
    case 'Position':
      return `POSITION(${sub(e.needle, PREC.ADD)} IN ${formatExpr(e.haystack)})`;
    case 'Trim': {
      const parts = [e.side, e.chars ? formatExpr(e.chars) : undefined].filter((x) => x !== undefined);
      return `TRIM(${parts.join(' ')}${parts.length ? ' ' : ''}FROM ${formatExpr(e.expr)})`;
    }
    case 'CeilFloor':
      return `${e.fn}(${formatExpr(e.expr)} TO ${e.unit})`;
    case 'QuantifiedComparison':
      return `${sub(e.left, PREC.CMP)} ${e.op} ${e.quantifier} (${formatQuery(e.query)})`;
    case 'JsonCall':
      return formatJsonCall(e);
  }
}

function formatJsonCall(e: JsonCall): string {
  const parts: string[] = [];
  if (e.fn === 'JSON_OBJECT' || e.fn === 'JSON_OBJECTAGG') {
    parts.push(
      list(e.entries, (en) => `${en.keyword ? 'KEY ' : ''}${formatExpr(en.key)} VALUE ${formatExpr(en.value)}`),
    );
  } else {
    parts.push(list(e.args, formatExpr));
  }
  if (e.orderBy) parts.push(`ORDER BY ${list(e.orderBy, formatOrderItem)}`);
  if (e.returning) parts.push(`RETURNING ${formatType(e.returning)}`);
  if (e.wrapper) parts.push(e.wrapper);
  const behavior = (b: JsonBehavior): string => (b.type === 'DEFAULT' ? `DEFAULT ${formatExpr(b.default!)}` : b.type);
  if (e.onEmpty) parts.push(`${behavior(e.onEmpty)} ON EMPTY`);
  if (e.onError) parts.push(`${behavior(e.onError)} ON ERROR`);
  if (e.onNull) parts.push(`${e.onNull} ON NULL`);
  return `${e.fn}(${parts.filter((p) => p !== '').join(' ')})`;
}

function formatCall(e: FunctionCall): string {
  const name = names(e.name);
  if (e.niladic) return name;
  let s = `${e.semantics ? `${e.semantics} ` : ''}${name}(${e.quantifier ? `${e.quantifier} ` : ''}${list(e.args, formatExpr)})`;
  if (e.withinGroup) s += ` WITHIN GROUP (ORDER BY ${list(e.withinGroup, formatOrderItem)})`;
  if (e.filter) s += ` FILTER (WHERE ${formatExpr(e.filter)})`;
  if (e.nullTreatment) s += ` ${e.nullTreatment}`;
  if (e.over) s += ` OVER ${e.over.kind === 'Identifier' ? formatIdentifier(e.over) : formatWindowSpec(e.over)}`;
  return s;
}

function formatWindowSpec(w: WindowSpec): string {
  const parts: string[] = [];
  if (w.base) parts.push(formatIdentifier(w.base));
  if (w.partitionBy.length) parts.push(`PARTITION BY ${list(w.partitionBy, formatExpr)}`);
  if (w.orderBy.length) parts.push(`ORDER BY ${list(w.orderBy, formatOrderItem)}`);
  if (w.frame) {
    const f = w.frame;
    parts.push(
      f.end
        ? `${f.units} BETWEEN ${formatBound(f.start)} AND ${formatBound(f.end)}`
        : `${f.units} ${formatBound(f.start)}`,
    );
  }
  return `(${parts.join(' ')})`;
}

function formatBound(b: WindowFrameBound): string {
  return b.offset ? `${sub(b.offset, PREC.ADD)} ${b.type}` : b.type;
}

function formatOrderItem(o: OrderItem): string {
  let s = formatExpr(o.expr);
  if (o.direction) s += ` ${o.direction}`;
  if (o.nulls) s += ` NULLS ${o.nulls}`;
  return s;
}

// ------------------------------------------------------------------ queries

/** Prints a query (WITH ... ORDER BY ... LIMIT ...). */
export function formatQuery(q: Query): string {
  const parts: string[] = [];
  if (q.with) {
    parts.push(
      `WITH ${list(q.with, (c) => `${formatIdentifier(c.name)}${c.columns ? ` (${list(c.columns, formatIdentifier)})` : ''} AS (${formatQuery(c.query)})`)}`,
    );
  }
  parts.push(formatSetExpr(q.body));
  if (q.orderBy) parts.push(`ORDER BY ${list(q.orderBy, formatOrderItem)}`);
  if (q.limit) parts.push(`LIMIT ${formatExpr(q.limit)}`);
  if (q.offset) parts.push(`OFFSET ${formatExpr(q.offset)} ROWS`);
  if (q.fetch) parts.push(`FETCH FIRST ${formatExpr(q.fetch)} ROWS ONLY`);
  return parts.join(' ');
}

function formatSetExpr(s: SetExpr): string {
  switch (s.kind) {
    case 'Select':
      return formatSelect(s);
    case 'Values':
      return `VALUES ${list(s.rows, (r) => `(${list(r, formatExpr)})`)}`;
    case 'Query':
      return `(${formatQuery(s)})`;
    case 'SetOperation':
      return `${formatSetExpr(s.left)} ${s.op}${s.quantifier ? ` ${s.quantifier}` : ''} ${formatSetExpr(s.right)}`;
  }
}

function formatHints(hints: Hint[]): string {
  const one = (h: Hint): string => {
    if (!h.args) return formatIdentifier(h.name);
    const args = list(h.args, (a) =>
      a.kind === 'HintKv'
        ? `${str(a.key)} = ${str(a.value)}`
        : a.kind === 'StringLit'
          ? str(a.value)
          : formatIdentifier(a),
    );
    return `${formatIdentifier(h.name)}(${args})`;
  };
  return `/*+ ${list(hints, one)} */`;
}

function formatSelect(s: Select): string {
  const parts = ['SELECT'];
  if (s.hints.length) parts.push(formatHints(s.hints));
  if (s.quantifier) parts.push(s.quantifier);
  parts.push(list(s.items, (i) => formatExpr(i.expr) + (i.alias ? ` AS ${formatIdentifier(i.alias)}` : '')));
  if (s.from) parts.push(`FROM ${formatTableRef(s.from)}`);
  if (s.where) parts.push(`WHERE ${formatExpr(s.where)}`);
  if (s.groupBy) parts.push(`GROUP BY ${list(s.groupBy, formatGroupItem)}`);
  if (s.having) parts.push(`HAVING ${formatExpr(s.having)}`);
  if (s.windows)
    parts.push(`WINDOW ${list(s.windows, (w) => `${formatIdentifier(w.name)} AS ${formatWindowSpec(w.spec)}`)}`);
  return parts.join(' ');
}

function formatGroupItem(g: GroupItem): string {
  if (g.kind !== 'GroupingSets') return formatExpr(g);
  return `${g.type}(${list(g.sets, (set) => `(${list(set, formatExpr)})`)})`;
}

function formatAlias(a: Alias | undefined): string {
  if (!a) return '';
  return ` AS ${formatIdentifier(a.name)}${a.columns ? ` (${list(a.columns, formatIdentifier)})` : ''}`;
}

function formatTableRef(t: TableRef): string {
  switch (t.kind) {
    case 'TableName': {
      let s = names(t.name);
      if (t.hints.length) s += ` ${formatHints(t.hints)}`;
      if (t.systemTime) s += ` FOR SYSTEM_TIME AS OF ${formatExpr(t.systemTime)}`;
      return s + formatAlias(t.alias);
    }
    case 'SubqueryRef':
      return `${t.lateral ? 'LATERAL ' : ''}(${formatQuery(t.query)})${formatAlias(t.alias)}`;
    case 'TableFunctionRef':
      return `${t.lateral ? 'LATERAL ' : ''}TABLE(${formatExpr(t.call)})${formatAlias(t.alias)}`;
    case 'UnnestRef':
      return `UNNEST(${list(t.exprs, formatExpr)})${t.withOrdinality ? ' WITH ORDINALITY' : ''}${formatAlias(t.alias)}`;
    case 'Join': {
      const right = t.right.kind === 'Join' ? `(${formatTableRef(t.right)})` : formatTableRef(t.right);
      if (t.type === 'COMMA') return `${formatTableRef(t.left)}, ${right}`;
      let kw: string;
      if (t.type === 'INNER') kw = t.explicitKeyword ? 'INNER JOIN' : 'JOIN';
      else if (t.type === 'CROSS') kw = 'CROSS JOIN';
      else kw = `${t.type}${t.explicitKeyword ? ' OUTER' : ''} JOIN`;
      let s = `${formatTableRef(t.left)} ${t.natural ? 'NATURAL ' : ''}${kw} ${right}`;
      if (t.on) s += ` ON ${formatExpr(t.on)}`;
      if (t.using) s += ` USING (${list(t.using, formatIdentifier)})`;
      return s;
    }
    case 'MatchRecognize': {
      const parts: string[] = [];
      if (t.partitionBy.length) parts.push(`PARTITION BY ${list(t.partitionBy, formatExpr)}`);
      if (t.orderBy.length) parts.push(`ORDER BY ${list(t.orderBy, formatOrderItem)}`);
      if (t.measures.length)
        parts.push(`MEASURES ${list(t.measures, (m) => `${formatExpr(m.expr)} AS ${formatIdentifier(m.alias)}`)}`);
      if (t.rowsPerMatch) parts.push(t.rowsPerMatch);
      if (t.afterMatch)
        parts.push(
          `AFTER MATCH SKIP ${t.afterMatch.type}${t.afterMatch.variable ? ` ${formatIdentifier(t.afterMatch.variable)}` : ''}`,
        );
      parts.push(`PATTERN (${formatPattern(t.pattern)})${t.within ? ` WITHIN ${formatExpr(t.within)}` : ''}`);
      if (t.subsets.length)
        parts.push(
          `SUBSET ${list(t.subsets, (s) => `${formatIdentifier(s.name)} = (${list(s.vars, formatIdentifier)})`)}`,
        );
      parts.push(`DEFINE ${list(t.define, (d) => `${formatIdentifier(d.name)} AS ${formatExpr(d.condition)}`)}`);
      const input = t.input.kind === 'Join' ? `(${formatTableRef(t.input)})` : formatTableRef(t.input);
      return `${input} MATCH_RECOGNIZE (${parts.join(' ')})${formatAlias(t.alias)}`;
    }
  }
}

function formatPattern(p: PatternTerm): string {
  switch (p.kind) {
    case 'PatternVar':
      return formatIdentifier(p.name);
    case 'PatternSeq':
      return p.terms.map((t) => (t.kind === 'PatternAlt' ? `(${formatPattern(t)})` : formatPattern(t))).join(' ');
    case 'PatternAlt':
      return p.alternatives.map(formatPattern).join(' | ');
    case 'PatternGroup':
      return `(${formatPattern(p.pattern)})`;
    case 'PatternAnchor':
      return p.anchor;
    case 'PatternPermute':
      return `PERMUTE(${list(p.terms, formatPattern)})`;
    case 'PatternExclude':
      return `{- ${formatPattern(p.pattern)} -}`;
    case 'PatternQuant': {
      const inner =
        p.term.kind === 'PatternVar' || p.term.kind === 'PatternGroup' || p.term.kind === 'PatternAnchor'
          ? formatPattern(p.term)
          : `(${formatPattern(p.term)})`;
      let q: string;
      if (p.form === '{}') q = p.min === p.max ? `{${p.min}}` : `{${p.min},${p.max ?? ''}}`;
      else q = p.form;
      return inner + q + (p.reluctant ? '?' : '');
    }
  }
}

// ------------------------------------------------------------------ statements

function formatOptions(options: TableOption[]): string {
  return `(${list(options, (o) => `${str(o.key)} = ${str(o.value)}`)})`;
}

function formatInsert(s: Insert): string {
  let out = `INSERT ${s.overwrite ? 'OVERWRITE' : 'INTO'} ${names(s.table)}`;
  if (s.hints.length) out += ` ${formatHints(s.hints)}`;
  if (s.partition)
    out += ` PARTITION (${list(s.partition, (p) => `${formatIdentifier(p.name)} = ${formatExpr(p.value)}`)})`;
  if (s.columns) out += ` (${list(s.columns, formatIdentifier)})`;
  return `${out} ${formatQuery(s.query)}`;
}

// column definitions, then watermarks, then the primary key
function formatElements(t: { columns: ColumnDef[]; watermarks: Watermark[]; primaryKey?: PrimaryKey }): string[] {
  const elements: string[] = t.columns.map((c) => {
    let d = formatIdentifier(c.name);
    if (c.kind === 'ComputedColumn') d += ` AS ${formatExpr(c.expr)}`;
    else {
      d += ` ${formatType(c.type)}`;
      if (c.kind === 'MetadataColumn')
        d += ` METADATA${c.from !== undefined ? ` FROM ${str(c.from)}` : ''}${c.virtual ? ' VIRTUAL' : ''}`;
      else if (c.primaryKey)
        d += `${c.primaryKey.constraintName ? ` CONSTRAINT ${formatIdentifier(c.primaryKey.constraintName)}` : ''} PRIMARY KEY ${c.primaryKey.enforced ? '' : 'NOT '}ENFORCED`;
    }
    if (c.comment !== undefined) d += ` COMMENT ${str(c.comment)}`;
    if (c.position) d += 'first' in c.position ? ' FIRST' : ` AFTER ${formatIdentifier(c.position.after)}`;
    return d;
  });
  for (const w of t.watermarks) elements.push(`WATERMARK FOR ${names(w.column)} AS ${formatExpr(w.expr)}`);
  const pk = t.primaryKey;
  if (pk) {
    elements.push(
      `${pk.constraintName ? `CONSTRAINT ${formatIdentifier(pk.constraintName)} ` : ''}PRIMARY KEY (${list(pk.columns, formatIdentifier)}) ${pk.enforced ? '' : 'NOT '}ENFORCED`,
    );
  }
  return elements;
}

/** Printing options: `pretty` lays clauses out over several indented lines (for EXPLAIN and humans). */
export interface FormatOptions {
  pretty?: boolean;
}

/** Prints one statement, without a trailing `;`. */
export function formatStatement(s: Statement, options: FormatOptions = {}): string {
  const text = formatOne(s);
  return options.pretty ? layout(text) : text;
}

function formatOne(s: Statement): string {
  switch (s.kind) {
    case 'Query':
      return formatQuery(s);
    case 'Insert':
      return formatInsert(s);
    case 'StatementSet': {
      const body = s.inserts.map((i) => `${formatInsert(i)}; `).join('');
      return s.syntax === 'execute' ? `EXECUTE STATEMENT SET BEGIN ${body}END` : `BEGIN STATEMENT SET; ${body}END`;
    }
    case 'CreateTable': {
      let out = `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.temporary ? 'TEMPORARY ' : ''}TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)}`;
      if (s.hasColumnList) {
        const elements = formatElements(s);
        out += ` (${elements.join(', ')})`;
      }
      if (s.comment !== undefined) out += ` COMMENT ${str(s.comment)}`;
      const d = s.distribution;
      if (d) {
        out += d.columns.length
          ? ` DISTRIBUTED BY ${d.algorithm ? `${d.algorithm}` : ''}(${list(d.columns, formatIdentifier)})${d.buckets !== undefined ? ` INTO ${d.buckets} BUCKETS` : ''}`
          : ` DISTRIBUTED INTO ${d.buckets} BUCKETS`;
      }
      if (s.partitionedBy) out += ` PARTITIONED BY (${list(s.partitionedBy, formatIdentifier)})`;
      if (s.hasWith) out += ` WITH ${formatOptions(s.options)}`;
      if (s.like)
        out += ` LIKE ${names(s.like.source)}${s.like.options.length ? ` (${s.like.options.map((o) => `${o.mode} ${o.what}`).join(' ')})` : ''}`;
      if (s.asQuery) out += ` AS ${formatQuery(s.asQuery)}`;
      return out;
    }
    case 'CreateView': {
      let out = `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.temporary ? 'TEMPORARY ' : ''}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)}`;
      if (s.columns) out += ` (${list(s.columns, formatIdentifier)})`;
      if (s.comment !== undefined) out += ` COMMENT ${str(s.comment)}`;
      return `${out} AS ${formatQuery(s.query)}`;
    }
    case 'CreateFunction': {
      let out = `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}${s.scope ? `${s.scope} ` : ''}FUNCTION ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)} AS ${str(s.className)}`;
      if (s.language) out += ` LANGUAGE ${s.language}`;
      if (s.jars.length) out += ` USING ${list(s.jars, (j) => `JAR ${str(j)}`)}`;
      return out;
    }
    case 'CreateCatalog':
      return `CREATE CATALOG ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${formatIdentifier(s.name)} WITH ${formatOptions(s.options)}`;
    case 'CreateDatabase': {
      let out = `CREATE DATABASE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${names(s.name)}`;
      if (s.comment !== undefined) out += ` COMMENT ${str(s.comment)}`;
      if (s.options.length) out += ` WITH ${formatOptions(s.options)}`;
      return out;
    }
    case 'Drop':
      return `DROP ${s.scope ? `${s.scope} ` : ''}${s.object} ${s.ifExists ? 'IF EXISTS ' : ''}${names(s.name)}${s.behavior ? ` ${s.behavior}` : ''}`;
    case 'AlterTable': {
      const head = `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${names(s.name)}`;
      const a = s.action;
      switch (a.kind) {
        case 'RenameTable':
          return `${head} RENAME TO ${names(a.to)}`;
        case 'RenameColumn':
          return `${head} RENAME ${formatIdentifier(a.from)} TO ${formatIdentifier(a.to)}`;
        case 'SetOptions':
          return `${head} SET ${formatOptions(a.options)}`;
        case 'ResetOptions':
          return `${head} RESET (${list(a.keys, str)})`;
        case 'AlterSchema': {
          const elements = formatElements(a).join(', ');
          return `${head} ${a.op} ${a.parens ? `(${elements})` : elements}`;
        }
        case 'DropSchema':
          if (a.what === 'COLUMNS') {
            const cols = list(a.names, formatIdentifier);
            return `${head} DROP ${a.parens ? `(${cols})` : cols}`;
          }
          return `${head} DROP ${a.what}${a.what === 'CONSTRAINT' ? ` ${formatIdentifier(a.names[0])}` : ''}`;
      }
      break;
    }
    case 'Show': {
      let out = `SHOW ${s.object}`;
      if (s.name) out += s.preposition ? ` ${s.preposition} ${names(s.name)}` : ` ${names(s.name)}`;
      if (s.like) out += ` ${s.like.not ? 'NOT ' : ''}${s.like.ilike ? 'ILIKE' : 'LIKE'} ${str(s.like.pattern)}`;
      return out;
    }
    case 'Describe':
      return `DESCRIBE ${s.extended ? 'EXTENDED ' : ''}${names(s.name)}`;
    case 'Explain': {
      const head = s.planFor ? 'EXPLAIN PLAN FOR' : `EXPLAIN${s.details.length ? ` ${s.details.join(', ')}` : ''}`;
      return `${head} ${formatOne(s.statement)}`;
    }
    case 'Set':
      return s.key === undefined ? 'SET' : `SET ${str(s.key)} = ${str(s.value ?? '')}`;
    case 'Reset':
      return s.key === undefined ? 'RESET' : `RESET ${str(s.key)}`;
    case 'Jar':
      return `${s.op} JAR ${str(s.path)}`;
    case 'Module':
      return `${s.op} MODULE ${formatIdentifier(s.name)}${s.options.length ? ` WITH ${formatOptions(s.options)}` : ''}`;
    case 'StopJob':
      return `STOP JOB ${str(s.jobId)}${s.withSavepoint ? ' WITH SAVEPOINT' : ''}${s.withDrain ? ' WITH DRAIN' : ''}`;
    case 'Use':
      if (s.target === 'CATALOG') return `USE CATALOG ${names(s.names)}`;
      if (s.target === 'MODULES') return `USE MODULES ${list(s.names, formatIdentifier)}`;
      return `USE ${names(s.names)}`;
  }
}

/** Prints a script: each statement followed by `;` on its own line (a blank line between them when pretty). */
export function formatStatements(stmts: Statement[], options: FormatOptions = {}): string {
  return stmts.map((s) => `${formatStatement(s, options)};\n`).join(options.pretty ? '\n' : '');
}
