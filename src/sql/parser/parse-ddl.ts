/**
 * Statements other than queries: CREATE/DROP/ALTER of tables, views,
 * functions, catalogs and databases; INSERT; statement sets; SHOW, DESCRIBE,
 * EXPLAIN, SET, RESET, USE.
 */
import type {
  AlterSchema,
  AlterTable,
  ColumnDef,
  CreateFunction,
  CreateTable,
  CreateView,
  Distribution,
  Drop,
  Explain,
  Insert,
  LikeClause,
  LikeOption,
  PartitionValue,
  PrimaryKey,
  Show,
  Statement,
  StatementSet,
  TableOption,
} from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpr } from './parse-expr.ts';
import { isQueryStart, parseHints, parseQuery } from './parse-query.ts';
import { parseDataType } from './parse-types.ts';

const STATEMENT_STARTS = [
  'SELECT',
  'WITH',
  'VALUES',
  'INSERT',
  'CREATE',
  'DROP',
  'ALTER',
  'SHOW',
  'DESCRIBE',
  'EXPLAIN',
  'SET',
  'RESET',
  'USE',
  'EXECUTE',
  'BEGIN',
  'ADD JAR',
  'REMOVE JAR',
  'LOAD MODULE',
  'UNLOAD MODULE',
  'STOP JOB',
];

export function parseStatementAt(c: Cursor): Statement {
  const t = c.peek();
  const w = t.kind === 'word' ? t.upper : '';
  switch (w) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
      return parseQuery(c);
    case 'INSERT':
      return parseInsert(c);
    case 'CREATE':
      return parseCreate(c);
    case 'DROP':
      return parseDrop(c);
    case 'ALTER':
      return parseAlter(c);
    case 'SHOW':
      return parseShow(c);
    case 'DESCRIBE':
    case 'DESC': {
      c.next();
      const extended = c.accept('EXTENDED');
      return { kind: 'Describe', pos: t.pos, extended, name: c.qualifiedName() };
    }
    case 'EXPLAIN':
      return parseExplain(c);
    case 'SET': {
      c.next();
      if (!c.isString()) {
        c.note('string literal');
        return { kind: 'Set', pos: t.pos };
      }
      const key = c.string();
      c.expectOp('=');
      return { kind: 'Set', pos: t.pos, key, value: c.string() };
    }
    case 'RESET': {
      c.next();
      if (!c.isString()) {
        c.note('string literal');
        return { kind: 'Reset', pos: t.pos };
      }
      return { kind: 'Reset', pos: t.pos, key: c.string() };
    }
    case 'USE': {
      c.next();
      if (c.accept('CATALOG')) return { kind: 'Use', pos: t.pos, target: 'CATALOG', names: [c.identifier()] };
      if (c.accept('MODULES')) {
        const names = [c.identifier()];
        while (c.acceptOp(',')) names.push(c.identifier());
        return { kind: 'Use', pos: t.pos, target: 'MODULES', names };
      }
      return { kind: 'Use', pos: t.pos, target: 'DATABASE', names: c.qualifiedName() };
    }
    case 'EXECUTE':
      c.next();
      if (c.isWord('STATEMENT')) return parseStatementSet(c, t.pos, 'execute');
      if (c.isWord('INSERT')) return parseInsert(c);
      if (isQueryStart(c)) return parseQuery(c);
      c.note('STATEMENT SET');
      c.note('INSERT');
      return c.fail();
    case 'BEGIN':
      c.next();
      return parseStatementSet(c, t.pos, 'begin');
    case 'ADD':
    case 'REMOVE':
      c.next();
      c.expect('JAR');
      return { kind: 'Jar', pos: t.pos, op: w, path: c.string() };
    case 'LOAD':
    case 'UNLOAD': {
      c.next();
      c.expect('MODULE');
      const name = c.identifier();
      const options = w === 'LOAD' && c.accept('WITH') ? parseOptions(c) : [];
      return { kind: 'Module', pos: t.pos, op: w, name, options };
    }
    case 'STOP': {
      c.next();
      c.expect('JOB');
      const jobId = c.string();
      const withSavepoint = c.acceptAll('WITH', 'SAVEPOINT');
      const withDrain = c.acceptAll('WITH', 'DRAIN');
      return { kind: 'StopJob', pos: t.pos, jobId, withSavepoint, withDrain };
    }
    default:
      if (c.isOp('(')) return parseQuery(c);
  }
  for (const s of STATEMENT_STARTS) c.note(s);
  c.fail();
}

/** `EXECUTE STATEMENT SET BEGIN insert; ...; END` or `BEGIN STATEMENT SET; insert; ...; END` */
function parseStatementSet(c: Cursor, pos: StatementSet['pos'], syntax: 'execute' | 'begin'): StatementSet {
  c.expect('STATEMENT');
  c.expect('SET');
  if (syntax === 'execute') c.expect('BEGIN');
  else c.expectOp(';');
  const inserts: Insert[] = [];
  for (;;) {
    while (c.acceptOp(';')) {}
    if (c.at('END')) break;
    inserts.push(parseInsert(c));
    if (!c.isWord('END')) c.expectOp(';');
  }
  c.expect('END');
  if (inserts.length === 0) c.error(pos, 'a statement set needs at least one INSERT', ['INSERT']);
  return { kind: 'StatementSet', pos, syntax, inserts };
}

function parseInsert(c: Cursor): Insert {
  const pos = c.expect('INSERT').pos;
  const overwrite = c.expectOneOf('INTO', 'OVERWRITE') === 'OVERWRITE';
  const table = c.qualifiedName();
  const hints = c.isOp('/*+') ? parseHints(c) : [];
  let partition: PartitionValue[] | undefined;
  if (c.accept('PARTITION')) {
    c.expectOp('(');
    partition = [];
    do {
      const name = c.identifier();
      c.expectOp('=');
      partition.push({ kind: 'PartitionValue', pos: name.pos, name, value: parseExpr(c) });
    } while (c.acceptOp(','));
    c.expectOp(')');
  }
  const columns = c.isOp('(') && !isQueryStart(c, 1) && !c.isOp('(', 1) ? c.identifierList() : undefined;
  const insert: Insert = { kind: 'Insert', pos, overwrite, table, hints, query: parseQuery(c) };
  if (partition) insert.partition = partition;
  if (columns) insert.columns = columns;
  return insert;
}

function ifNotExists(c: Cursor): boolean {
  if (!c.acceptAll('IF', 'NOT', 'EXISTS')) return false;
  return true;
}

function parseCreate(c: Cursor): Statement {
  const pos = c.expect('CREATE').pos;
  const orReplace = c.acceptAll('OR', 'REPLACE');
  let scope: 'TEMPORARY' | 'TEMPORARY SYSTEM' | undefined;
  if (c.accept('TEMPORARY')) scope = c.accept('SYSTEM') ? 'TEMPORARY SYSTEM' : 'TEMPORARY';
  const what = c.expectOneOf('TABLE', 'VIEW', 'FUNCTION', 'CATALOG', 'DATABASE');
  if (scope === 'TEMPORARY SYSTEM' && what !== 'FUNCTION')
    c.error(pos, 'TEMPORARY SYSTEM applies to functions only', ['FUNCTION']);
  const temporary = scope !== undefined;
  switch (what) {
    case 'TABLE':
      return parseCreateTable(c, pos, temporary, orReplace);
    case 'VIEW': {
      const exists = ifNotExists(c);
      const name = c.qualifiedName();
      const columns = c.isOp('(') ? c.identifierList() : undefined;
      const comment = c.accept('COMMENT') ? c.string() : undefined;
      c.expect('AS');
      const view: CreateView = {
        kind: 'CreateView',
        pos,
        temporary,
        orReplace,
        ifNotExists: exists,
        name,
        query: parseQuery(c),
      };
      if (columns) view.columns = columns;
      if (comment !== undefined) view.comment = comment;
      return view;
    }
    case 'FUNCTION': {
      const fn: CreateFunction = {
        kind: 'CreateFunction',
        pos,
        orReplace,
        ifNotExists: ifNotExists(c),
        name: c.qualifiedName(),
        className: '',
        jars: [],
      };
      if (scope) fn.scope = scope;
      c.expect('AS');
      fn.className = c.string();
      if (c.accept('LANGUAGE'))
        fn.language = c.expectOneOf('JAVA', 'SCALA', 'PYTHON', 'SQL', 'JAVASCRIPT', 'TYPESCRIPT');
      if (c.accept('USING')) {
        do {
          c.expect('JAR');
          fn.jars.push(c.string());
        } while (c.acceptOp(','));
      }
      return fn;
    }
    case 'CATALOG': {
      const exists = ifNotExists(c);
      const name = c.identifier();
      c.expect('WITH');
      return { kind: 'CreateCatalog', pos, ifNotExists: exists, name, options: parseOptions(c) };
    }
    default: {
      const exists = ifNotExists(c);
      const name = c.qualifiedName();
      const comment = c.accept('COMMENT') ? c.string() : undefined;
      const options = c.accept('WITH') ? parseOptions(c) : [];
      return {
        kind: 'CreateDatabase',
        pos,
        ifNotExists: exists,
        name,
        options,
        ...(comment !== undefined ? { comment } : {}),
      };
    }
  }
}

function parseCreateTable(c: Cursor, pos: CreateTable['pos'], temporary: boolean, orReplace: boolean): CreateTable {
  const table: CreateTable = {
    kind: 'CreateTable',
    pos,
    temporary,
    orReplace,
    ifNotExists: ifNotExists(c),
    name: c.qualifiedName(),
    hasColumnList: false,
    columns: [],
    watermarks: [],
    options: [],
    hasWith: false,
  };
  if (c.acceptOp('(')) {
    table.hasColumnList = true;
    do parseTableElement(c, table);
    while (c.acceptOp(','));
    c.expectOp(')');
  }
  if (c.accept('COMMENT')) table.comment = c.string();
  if (c.at('DISTRIBUTED')) table.distribution = parseDistribution(c);
  if (c.acceptAll('PARTITIONED', 'BY')) table.partitionedBy = c.identifierList();
  if (c.accept('WITH')) {
    table.hasWith = true;
    table.options = parseOptions(c);
  }
  if (c.accept('LIKE')) table.like = parseLike(c);
  if (c.accept('AS')) table.asQuery = parseQuery(c);
  return table;
}

/** Where table elements go: a CREATE TABLE or an ALTER TABLE ADD/MODIFY. */
interface ElementTarget {
  columns: ColumnDef[];
  watermarks: CreateTable['watermarks'];
  primaryKey?: PrimaryKey;
}

function parseTableElement(c: Cursor, table: ElementTarget, allowPosition = false): void {
  const pos = c.pos;
  if (c.isWord('WATERMARK') && c.isWord('FOR', 1)) {
    c.next();
    c.next();
    const column = c.qualifiedName();
    c.expect('AS');
    table.watermarks.push({ kind: 'Watermark', pos, column, expr: parseExpr(c) });
    return;
  }
  if ((c.isWord('PRIMARY') && c.isWord('KEY', 1)) || c.isWord('CONSTRAINT')) {
    if (table.primaryKey) c.error(pos, 'a table has at most one PRIMARY KEY');
    const constraintName = c.accept('CONSTRAINT') ? c.identifier() : undefined;
    c.expect('PRIMARY');
    c.expect('KEY');
    const columns = c.identifierList();
    table.primaryKey = {
      kind: 'PrimaryKey',
      pos,
      columns,
      enforced: parseEnforced(c),
      ...(constraintName ? { constraintName } : {}),
    };
    return;
  }
  c.note('WATERMARK');
  c.note('PRIMARY KEY');
  const name = c.identifier();
  let column: ColumnDef;
  if (c.accept('AS')) {
    column = { kind: 'ComputedColumn', pos, name, expr: parseExpr(c) };
  } else {
    const type = parseDataType(c);
    if (c.accept('METADATA')) {
      column = { kind: 'MetadataColumn', pos, name, type, virtual: false };
      if (c.accept('FROM')) column.from = c.string();
      column.virtual = c.accept('VIRTUAL');
    } else {
      column = { kind: 'PhysicalColumn', pos, name, type };
      const kpos = c.pos;
      if ((c.isWord('PRIMARY') && c.isWord('KEY', 1)) || c.isWord('CONSTRAINT')) {
        if (table.primaryKey) c.error(kpos, 'a table has at most one PRIMARY KEY');
        const constraintName = c.accept('CONSTRAINT') ? c.identifier() : undefined;
        c.expect('PRIMARY');
        c.expect('KEY');
        const pk: PrimaryKey = {
          kind: 'PrimaryKey',
          pos: kpos,
          columns: [],
          enforced: parseEnforced(c),
          ...(constraintName ? { constraintName } : {}),
        };
        column.primaryKey = pk;
      } else {
        c.note('PRIMARY KEY');
      }
    }
  }
  if (c.accept('COMMENT')) column.comment = c.string();
  if (allowPosition) {
    if (c.accept('FIRST')) column.position = { first: true };
    else if (c.accept('AFTER')) column.position = { after: c.identifier() };
  }
  table.columns.push(column);
}

function parseEnforced(c: Cursor): boolean {
  if (c.accept('NOT')) {
    c.expect('ENFORCED');
    return false;
  }
  c.expect('ENFORCED');
  return true;
}

function parseDistribution(c: Cursor): Distribution {
  const pos = c.expect('DISTRIBUTED').pos;
  const dist: Distribution = { kind: 'Distribution', pos, columns: [] };
  if (c.accept('BY')) {
    const algorithm = c.acceptOneOf('HASH', 'RANGE');
    if (algorithm) dist.algorithm = algorithm;
    dist.columns = c.identifierList();
    if (c.accept('INTO')) {
      dist.buckets = c.integer();
      c.expect('BUCKETS');
    }
  } else {
    c.expect('INTO');
    dist.buckets = c.integer();
    c.expect('BUCKETS');
  }
  return dist;
}

function parseLike(c: Cursor): LikeClause {
  const pos = c.pos;
  const like: LikeClause = { kind: 'LikeClause', pos, source: c.qualifiedName(), options: [] };
  if (c.acceptOp('(')) {
    // Flink separates the options with spaces; commas are accepted too
    do {
      const opos = c.pos;
      const mode = c.expectOneOf('INCLUDING', 'EXCLUDING', 'OVERWRITING');
      const what = c.expectOneOf(
        'ALL',
        'CONSTRAINTS',
        'DISTRIBUTION',
        'GENERATED',
        'METADATA',
        'OPTIONS',
        'PARTITIONS',
        'WATERMARKS',
      );
      like.options.push({ kind: 'LikeOption', pos: opos, mode, what } satisfies LikeOption);
      c.acceptOp(',');
    } while (!c.isOp(')') && !c.atEnd());
    c.expectOp(')');
  }
  return like;
}

/** `( 'key' = 'value', ... )` — keys may also be dotted names; values strings, numbers or booleans. */
export function parseOptions(c: Cursor): TableOption[] {
  c.expectOp('(');
  const options: TableOption[] = [];
  if (c.acceptOp(')')) return options;
  do {
    const pos = c.pos;
    let key: string;
    if (c.isString()) key = c.string();
    else
      key = c
        .qualifiedName()
        .map((n) => n.value)
        .join('.');
    c.expectOp('=');
    const v = c.peek();
    let value: string;
    if (v.kind === 'string' && v.prefix === undefined) value = c.next().value;
    else if (v.kind === 'number') value = c.next().value;
    else if (c.isWord('TRUE') || c.isWord('FALSE')) value = c.next().upper.toLowerCase();
    else {
      c.note('string literal');
      c.fail();
    }
    options.push({ kind: 'TableOption', pos, key, value });
  } while (c.acceptOp(','));
  c.expectOp(')');
  return options;
}

function parseDrop(c: Cursor): Drop {
  const pos = c.expect('DROP').pos;
  let scope: Drop['scope'];
  if (c.accept('TEMPORARY')) scope = c.accept('SYSTEM') ? 'TEMPORARY SYSTEM' : 'TEMPORARY';
  const object = c.expectOneOf('TABLE', 'VIEW', 'FUNCTION', 'CATALOG', 'DATABASE');
  const ifExists = c.acceptAll('IF', 'EXISTS');
  const drop: Drop = {
    kind: 'Drop',
    pos,
    object,
    ifExists,
    name: object === 'CATALOG' ? [c.identifier()] : c.qualifiedName(),
  };
  if (scope) drop.scope = scope;
  if (object === 'DATABASE') {
    const behavior = c.acceptOneOf('RESTRICT', 'CASCADE');
    if (behavior) drop.behavior = behavior;
  }
  return drop;
}

function parseAlter(c: Cursor): AlterTable {
  const pos = c.expect('ALTER').pos;
  c.expect('TABLE');
  const ifExists = c.acceptAll('IF', 'EXISTS');
  const name = c.qualifiedName();
  const apos = c.pos;
  const alter = (action: AlterTable['action']): AlterTable => ({ kind: 'AlterTable', pos, ifExists, name, action });
  if (c.accept('RENAME')) {
    if (c.accept('TO')) return alter({ kind: 'RenameTable', pos: apos, to: c.qualifiedName() });
    const from = c.identifier();
    c.expect('TO');
    return alter({ kind: 'RenameColumn', pos: apos, from, to: c.identifier() });
  }
  if (c.accept('SET')) return alter({ kind: 'SetOptions', pos: apos, options: parseOptions(c) });
  if (c.accept('RESET')) {
    c.expectOp('(');
    const keys = [c.string()];
    while (c.acceptOp(',')) keys.push(c.string());
    c.expectOp(')');
    return alter({ kind: 'ResetOptions', pos: apos, keys });
  }
  const op = c.acceptOneOf('ADD', 'MODIFY');
  if (op) {
    const action: AlterSchema = {
      kind: 'AlterSchema',
      pos: apos,
      op,
      parens: c.acceptOp('('),
      columns: [],
      watermarks: [],
    };
    if (action.parens) {
      do parseTableElement(c, action, true);
      while (c.acceptOp(','));
      c.expectOp(')');
    } else {
      parseTableElement(c, action, true);
    }
    return alter(action);
  }
  c.expect('DROP');
  if (c.accept('WATERMARK'))
    return alter({ kind: 'DropSchema', pos: apos, what: 'WATERMARK', parens: false, names: [] });
  if (c.acceptAll('PRIMARY', 'KEY'))
    return alter({ kind: 'DropSchema', pos: apos, what: 'PRIMARY KEY', parens: false, names: [] });
  if (c.accept('CONSTRAINT'))
    return alter({ kind: 'DropSchema', pos: apos, what: 'CONSTRAINT', parens: false, names: [c.identifier()] });
  if (c.isOp('('))
    return alter({ kind: 'DropSchema', pos: apos, what: 'COLUMNS', parens: true, names: c.identifierList() });
  return alter({ kind: 'DropSchema', pos: apos, what: 'COLUMNS', parens: false, names: [c.identifier()] });
}

function parseShow(c: Cursor): Show {
  const pos = c.expect('SHOW').pos;
  const show: Show = { kind: 'Show', pos, object: '' };
  if (c.accept('CREATE')) {
    show.object = `CREATE ${c.expectOneOf('TABLE', 'VIEW')}`;
    show.name = c.qualifiedName();
    return show;
  }
  if (c.accept('CURRENT')) {
    show.object = `CURRENT ${c.expectOneOf('CATALOG', 'DATABASE')}`;
    return show;
  }
  if (c.accept('USER')) show.object = `USER ${c.expectOneOf('FUNCTIONS')}`;
  else if (c.accept('FULL')) show.object = `FULL ${c.expectOneOf('MODULES')}`;
  else
    show.object = c.expectOneOf(
      'CATALOGS',
      'DATABASES',
      'TABLES',
      'VIEWS',
      'FUNCTIONS',
      'COLUMNS',
      'MODULES',
      'JARS',
      'JOBS',
    );
  if (['DATABASES', 'TABLES', 'VIEWS', 'FUNCTIONS', 'USER FUNCTIONS', 'COLUMNS'].includes(show.object)) {
    const prep = show.object === 'COLUMNS' ? c.expectOneOf('FROM', 'IN') : c.acceptOneOf('FROM', 'IN');
    if (prep) {
      show.preposition = prep;
      show.name = c.qualifiedName();
    }
    const not = c.isWord('NOT') && (c.isWord('LIKE', 1) || c.isWord('ILIKE', 1));
    if (not) c.next();
    const op = c.acceptOneOf('LIKE', 'ILIKE');
    if (op) show.like = { not, ilike: op === 'ILIKE', pattern: c.string() };
  }
  return show;
}

const EXPLAIN_DETAILS = ['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE'];

function parseExplain(c: Cursor): Explain {
  const pos = c.expect('EXPLAIN').pos;
  const planFor = c.acceptAll('PLAN', 'FOR');
  const details: string[] = [];
  if (!planFor) {
    while (EXPLAIN_DETAILS.some((d) => c.isWord(d))) {
      details.push(c.next().upper);
      if (!c.acceptOp(',')) break;
    }
  }
  let statement: Explain['statement'];
  if (c.isWord('INSERT')) statement = parseInsert(c);
  else if (c.isWord('EXECUTE') && c.isWord('STATEMENT', 1)) statement = parseStatementSet(c, c.next().pos, 'execute');
  else if (c.isWord('BEGIN') && c.isWord('STATEMENT', 1)) statement = parseStatementSet(c, c.next().pos, 'begin');
  else if (c.isWord('CREATE')) {
    const created = parseCreate(c);
    if (created.kind !== 'CreateTable' || !created.asQuery)
      c.error(created.pos, 'EXPLAIN supports CREATE TABLE ... AS SELECT only', ['SELECT', 'INSERT']);
    statement = created;
  } else statement = parseQuery(c);
  return { kind: 'Explain', pos, planFor, details, statement };
}
