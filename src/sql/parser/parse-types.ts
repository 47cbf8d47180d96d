/** Data types: `BIGINT`, `DECIMAL(23, 3)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`, `ROW<a INT>`, `MAP<K, V>`, ... */
import type { DataType, IntervalQualifier, RowField, TimeUnit } from './ast.ts';
import type { Cursor } from './cursor.ts';

const SIMPLE = [
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'INTEGER',
  'BIGINT',
  'FLOAT',
  'REAL',
  'DATE',
  'STRING',
  'BYTES',
  'NULL',
];
const WITH_LENGTH = ['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'];
const WITH_PRECISION_SCALE = ['DECIMAL', 'DEC', 'NUMERIC'];

export const TIME_UNITS: readonly TimeUnit[] = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
  'NANOSECOND',
];

/** The first words of every type, for "expected" messages. */
const TYPE_STARTS = [
  ...SIMPLE.filter((s) => s !== 'NULL'),
  ...WITH_LENGTH,
  'DECIMAL',
  'DOUBLE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'INTERVAL',
  'ARRAY',
  'MAP',
  'MULTISET',
  'ROW',
];

export function parseDataType(c: Cursor): DataType {
  let type = parseBaseType(c);
  type.nullable = parseNullability(c);
  // postfix collection forms: `INT ARRAY`, `STRING MULTISET NOT NULL`
  for (;;) {
    const pos = type.pos;
    if (c.accept('ARRAY')) {
      type = { kind: 'ArrayType', pos, element: type, postfix: true, nullable: true };
    } else if (c.accept('MULTISET')) {
      type = { kind: 'MultisetType', pos, element: type, postfix: true, nullable: true };
    } else break;
    type.nullable = parseNullability(c);
  }
  return type;
}

function parseNullability(c: Cursor): boolean {
  if (c.isWord('NOT') && c.isWord('NULL', 1)) {
    c.next();
    c.next();
    return false;
  }
  c.note('NOT NULL');
  // not the NULL of a JSON `NULL ON EMPTY` clause after RETURNING type
  if (c.isWord('NULL') && !c.isWord('ON', 1)) c.next();
  return true;
}

function parseBaseType(c: Cursor): DataType {
  const t = c.peek();
  const pos = t.pos;
  const word = t.kind === 'word' ? t.upper : '';
  if (SIMPLE.includes(word)) {
    c.next();
    const args = word === 'FLOAT' ? optionalArgs(c, 1) : [];
    return { kind: 'PrimitiveType', pos, name: word, args, nullable: true };
  }
  if (WITH_LENGTH.includes(word) || word === 'CHARACTER') {
    c.next();
    let name = word;
    if (word === 'CHARACTER' && c.accept('VARYING')) name = 'CHARACTER VARYING';
    return { kind: 'PrimitiveType', pos, name, args: optionalArgs(c, 1), nullable: true };
  }
  if (WITH_PRECISION_SCALE.includes(word)) {
    c.next();
    return { kind: 'PrimitiveType', pos, name: word, args: optionalArgs(c, 2), nullable: true };
  }
  if (word === 'DOUBLE') {
    c.next();
    const name = c.accept('PRECISION') ? 'DOUBLE PRECISION' : 'DOUBLE';
    return { kind: 'PrimitiveType', pos, name, args: [], nullable: true };
  }
  if (word === 'TIME' || word === 'TIMESTAMP') {
    c.next();
    const args = optionalArgs(c, 1);
    let timeZone: 'WITH' | 'WITHOUT' | 'LOCAL' | undefined;
    if (c.accept('WITHOUT')) {
      c.expect('TIME');
      c.expect('ZONE');
      timeZone = 'WITHOUT';
    } else if (c.isWord('WITH') && (c.isWord('TIME', 1) || c.isWord('LOCAL', 1))) {
      c.next();
      timeZone = c.accept('LOCAL') ? 'LOCAL' : 'WITH';
      c.expect('TIME');
      c.expect('ZONE');
    } else {
      c.note('WITH TIME ZONE');
    }
    return { kind: 'PrimitiveType', pos, name: word, args, nullable: true, ...(timeZone ? { timeZone } : {}) };
  }
  if (word === 'TIMESTAMP_LTZ') {
    c.next();
    return { kind: 'PrimitiveType', pos, name: word, args: optionalArgs(c, 1), nullable: true };
  }
  if (word === 'INTERVAL') {
    c.next();
    return { kind: 'IntervalType', pos, qualifier: parseIntervalQualifier(c), nullable: true };
  }
  if (word === 'ARRAY' || word === 'MULTISET') {
    c.next();
    c.expectOp('<');
    const element = parseDataType(c);
    closeAngle(c);
    return { kind: word === 'ARRAY' ? 'ArrayType' : 'MultisetType', pos, element, postfix: false, nullable: true };
  }
  if (word === 'MAP') {
    c.next();
    c.expectOp('<');
    const key = parseDataType(c);
    c.expectOp(',');
    const value = parseDataType(c);
    closeAngle(c);
    return { kind: 'MapType', pos, key, value, nullable: true };
  }
  if (word === 'ROW') {
    c.next();
    const parens = c.isOp('(');
    if (!parens && !c.isOp('<')) {
      c.note("'<'");
      c.note("'('");
      c.fail();
    }
    c.next();
    const fields: RowField[] = [];
    const close = parens ? ')' : '>';
    if (!c.isOp(close)) {
      do {
        const fpos = c.pos;
        const name = c.identifier();
        const type = parseDataType(c);
        const field: RowField = { kind: 'RowField', pos: fpos, name, type };
        if (c.accept('COMMENT')) field.comment = c.string();
        fields.push(field);
      } while (c.acceptOp(','));
    }
    if (parens) c.expectOp(')');
    else closeAngle(c);
    return { kind: 'RowType', pos, fields, parens, nullable: true };
  }
  for (const s of TYPE_STARTS) c.note(s);
  c.fail();
}

function closeAngle(c: Cursor): void {
  c.expectOp('>');
}

function optionalArgs(c: Cursor, max: number): number[] {
  if (!c.acceptOp('(')) return [];
  const args = [c.integer()];
  while (args.length < max && c.acceptOp(',')) args.push(c.integer());
  c.expectOp(')');
  return args;
}

/** `unit [(p)] [TO unit [(p)]]` */
export function parseIntervalQualifier(c: Cursor): IntervalQualifier {
  const start = parseTimeUnit(c);
  const q: IntervalQualifier = { start };
  if (c.isOp('(')) {
    c.next();
    q.startPrecision = c.integer();
    c.expectOp(')');
  }
  if (c.accept('TO')) {
    q.end = parseTimeUnit(c);
    if (c.acceptOp('(')) {
      q.endPrecision = c.integer();
      c.expectOp(')');
    }
  }
  return q;
}

export function parseTimeUnit(c: Cursor): TimeUnit {
  const t = c.peek();
  if (t.kind === 'word') {
    const u = t.upper.endsWith('S') && t.upper !== 'S' ? t.upper.slice(0, -1) : t.upper;
    if ((TIME_UNITS as readonly string[]).includes(t.upper) || (TIME_UNITS as readonly string[]).includes(u)) {
      c.next();
      return ((TIME_UNITS as readonly string[]).includes(t.upper) ? t.upper : u) as TimeUnit;
    }
  }
  for (const u of TIME_UNITS) c.note(u);
  c.fail();
}
