/**
 * Logical types of the Flink SQL dialect: the `SqlType` union, constructors (`T`), Flink's printed names,
 * type families, implicit widening, Calcite/Flink `leastRestrictive` and the decimal result-type rules of
 * Flink's `LogicalTypeMerging` (+ - * / %, SUM, AVG; maximum precision 38, minimum adjusted scale 6).
 */

type SimpleKind = 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DATE' | 'NULL';

/** A logical type; `nullable` is false for `NOT NULL`. */
export type SqlType =
  | { kind: SimpleKind; nullable: boolean }
  | { kind: 'DECIMAL'; precision: number; scale: number; nullable: boolean }
  | { kind: 'CHAR' | 'VARCHAR'; length: number; nullable: boolean }
  | { kind: 'BINARY' | 'VARBINARY'; length: number; nullable: boolean }
  | { kind: 'TIME'; precision: number; nullable: boolean }
  | { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ'; precision: number; nullable: boolean }
  | { kind: 'INTERVAL_YM' | 'INTERVAL_DT'; nullable: boolean }
  | { kind: 'ARRAY' | 'MULTISET'; element: SqlType; nullable: boolean }
  | { kind: 'MAP'; key: SqlType; value: SqlType; nullable: boolean }
  | { kind: 'ROW'; fields: Array<{ name: string; type: SqlType }>; nullable: boolean };

/** Every `kind` of `SqlType`. */
export type SqlTypeKind = SqlType['kind'];
/** The `SqlType` variant of one kind. */
export type TypeOf<K extends SqlTypeKind> = SqlType extends infer U
  ? U extends { kind: infer KK }
    ? K extends KK
      ? U
      : never
    : never
  : never;

/** Maximum DECIMAL precision (Flink's DecimalType.MAX_PRECISION). */
export const MAX_DECIMAL_PRECISION = 38;
/** Length of STRING = VARCHAR(2147483647) and BYTES = VARBINARY(2147483647). */
export const MAX_LENGTH = 2147483647;
const MIN_ADJUSTED_SCALE = 6;

/** Type constructors; every one is nullable unless `nullable` is false. */
export const T = {
  boolean: (nullable = true): SqlType => ({ kind: 'BOOLEAN', nullable }),
  tinyint: (nullable = true): SqlType => ({ kind: 'TINYINT', nullable }),
  smallint: (nullable = true): SqlType => ({ kind: 'SMALLINT', nullable }),
  int: (nullable = true): SqlType => ({ kind: 'INT', nullable }),
  bigint: (nullable = true): SqlType => ({ kind: 'BIGINT', nullable }),
  float: (nullable = true): SqlType => ({ kind: 'FLOAT', nullable }),
  double: (nullable = true): SqlType => ({ kind: 'DOUBLE', nullable }),
  date: (nullable = true): SqlType => ({ kind: 'DATE', nullable }),
  null: (): SqlType => ({ kind: 'NULL', nullable: true }),
  decimal: (precision = 10, scale = 0, nullable = true): SqlType => ({ kind: 'DECIMAL', precision, scale, nullable }),
  char: (length = 1, nullable = true): SqlType => ({ kind: 'CHAR', length, nullable }),
  varchar: (length = 1, nullable = true): SqlType => ({ kind: 'VARCHAR', length, nullable }),
  string: (nullable = true): SqlType => ({ kind: 'VARCHAR', length: MAX_LENGTH, nullable }),
  binary: (length = 1, nullable = true): SqlType => ({ kind: 'BINARY', length, nullable }),
  varbinary: (length = 1, nullable = true): SqlType => ({ kind: 'VARBINARY', length, nullable }),
  bytes: (nullable = true): SqlType => ({ kind: 'VARBINARY', length: MAX_LENGTH, nullable }),
  time: (precision = 0, nullable = true): SqlType => ({ kind: 'TIME', precision, nullable }),
  timestamp: (precision = 6, nullable = true): SqlType => ({ kind: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 6, nullable = true): SqlType => ({ kind: 'TIMESTAMP_LTZ', precision, nullable }),
  intervalYM: (nullable = true): SqlType => ({ kind: 'INTERVAL_YM', nullable }),
  intervalDT: (nullable = true): SqlType => ({ kind: 'INTERVAL_DT', nullable }),
  array: (element: SqlType, nullable = true): SqlType => ({ kind: 'ARRAY', element, nullable }),
  multiset: (element: SqlType, nullable = true): SqlType => ({ kind: 'MULTISET', element, nullable }),
  map: (key: SqlType, value: SqlType, nullable = true): SqlType => ({ kind: 'MAP', key, value, nullable }),
  row: (fields: Array<{ name: string; type: SqlType }> | Record<string, SqlType>, nullable = true): SqlType => ({
    kind: 'ROW',
    fields: Array.isArray(fields) ? fields : Object.entries(fields).map(([name, type]) => ({ name, type })),
    nullable,
  }),
};

/** Flink's printed name of a type: `INT NOT NULL`, `DECIMAL(10, 2)`, `STRING`, `ROW<\`a\` INT>`, `TIMESTAMP_LTZ(3)`. */
export function formatType(t: SqlType): string {
  const nn = t.nullable ? '' : ' NOT NULL';
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})${nn}`;
    case 'CHAR':
    case 'BINARY':
      return `${t.kind}(${t.length})${nn}`;
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? `STRING${nn}` : `VARCHAR(${t.length})${nn}`;
    case 'VARBINARY':
      return t.length === MAX_LENGTH ? `BYTES${nn}` : `VARBINARY(${t.length})${nn}`;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return `${t.kind}(${t.precision})${nn}`;
    case 'INTERVAL_YM':
      return `INTERVAL YEAR TO MONTH${nn}`;
    case 'INTERVAL_DT':
      return `INTERVAL DAY TO SECOND(3)${nn}`;
    case 'ARRAY':
    case 'MULTISET':
      return `${t.kind}<${formatType(t.element)}>${nn}`;
    case 'MAP':
      return `MAP<${formatType(t.key)}, ${formatType(t.value)}>${nn}`;
    case 'ROW':
      return `ROW<${t.fields.map((f) => `\`${f.name.replaceAll('`', '``')}\` ${formatType(f.type)}`).join(', ')}>${nn}`;
    default:
      return `${t.kind}${nn}`;
  }
}

/** Structural equality, including nullability (`ignoreNullability` compares nested types without it too). */
export function typeEquals(a: SqlType, b: SqlType, ignoreNullability = false): boolean {
  if (a.kind !== b.kind || (!ignoreNullability && a.nullable !== b.nullable)) return false;
  switch (a.kind) {
    case 'DECIMAL': {
      const o = b as TypeOf<'DECIMAL'>;
      return a.precision === o.precision && a.scale === o.scale;
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY':
      return a.length === (b as { length: number }).length;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return a.precision === (b as { precision: number }).precision;
    case 'ARRAY':
    case 'MULTISET':
      return typeEquals(a.element, (b as TypeOf<'ARRAY'>).element, ignoreNullability);
    case 'MAP': {
      const o = b as TypeOf<'MAP'>;
      return typeEquals(a.key, o.key, ignoreNullability) && typeEquals(a.value, o.value, ignoreNullability);
    }
    case 'ROW': {
      const o = b as TypeOf<'ROW'>;
      return (
        a.fields.length === o.fields.length &&
        a.fields.every(
          (f, i) => f.name === o.fields[i]!.name && typeEquals(f.type, o.fields[i]!.type, ignoreNullability),
        )
      );
    }
    default:
      return true;
  }
}

/** The same type with the given top-level nullability. */
export function withNullable<S extends SqlType>(t: S, nullable: boolean): S {
  return t.nullable === nullable ? t : { ...t, nullable };
}

const INTEGRAL_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const INTEGRAL_DIGITS: Record<string, number> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/** TINYINT, SMALLINT, INT, BIGINT. */
export function isIntegral(t: SqlType): boolean {
  return t.kind in INTEGRAL_RANK;
}
/** Integral types and DECIMAL. */
export function isExactNumeric(t: SqlType): boolean {
  return t.kind === 'DECIMAL' || t.kind in INTEGRAL_RANK;
}
/** FLOAT, DOUBLE. */
export function isApproxNumeric(t: SqlType): boolean {
  return t.kind === 'FLOAT' || t.kind === 'DOUBLE';
}
/** Any numeric type. */
export function isNumeric(t: SqlType): boolean {
  return isExactNumeric(t) || isApproxNumeric(t);
}
/** CHAR, VARCHAR (STRING). */
export function isString(t: SqlType): boolean {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR';
}
/** BINARY, VARBINARY (BYTES). */
export function isBinary(t: SqlType): boolean {
  return t.kind === 'BINARY' || t.kind === 'VARBINARY';
}
/** DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ. */
export function isTemporal(t: SqlType): boolean {
  return t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
}
/** TIMESTAMP, TIMESTAMP_LTZ. */
export function isTimestamp(t: SqlType): boolean {
  return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
}
/** INTERVAL YEAR TO MONTH, INTERVAL DAY TO SECOND. */
export function isInterval(t: SqlType): boolean {
  return t.kind === 'INTERVAL_YM' || t.kind === 'INTERVAL_DT';
}
/** ARRAY, MULTISET, MAP, ROW. */
export function isConstructed(t: SqlType): boolean {
  return t.kind === 'ARRAY' || t.kind === 'MULTISET' || t.kind === 'MAP' || t.kind === 'ROW';
}
/** The untyped NULL literal's type. */
export function isNullType(t: SqlType): boolean {
  return t.kind === 'NULL';
}
/** Types with an order usable by < > MIN MAX ORDER BY (everything but MAP, MULTISET and ROW/ARRAY of unordered). */
export function isComparable(t: SqlType): boolean {
  if (t.kind === 'MAP' || t.kind === 'MULTISET') return false;
  if (t.kind === 'ARRAY') return isComparable(t.element);
  if (t.kind === 'ROW') return t.fields.every((f) => isComparable(f.type));
  return true;
}

/** An exact numeric type as DECIMAL (INT → DECIMAL(10, 0), BIGINT → DECIMAL(19, 0)); other types unchanged. */
export function toDecimalType(t: SqlType): SqlType {
  if (t.kind in INTEGRAL_DIGITS) return T.decimal(INTEGRAL_DIGITS[t.kind]!, 0, t.nullable);
  return t;
}

function decimalOf(p: number, s: number, nullable: boolean): TypeOf<'DECIMAL'> {
  if (p <= MAX_DECIMAL_PRECISION) return { kind: 'DECIMAL', precision: p, scale: s, nullable };
  const digitPart = p - s;
  const minScale = Math.min(s, MIN_ADJUSTED_SCALE);
  const scale = Math.max(MAX_DECIMAL_PRECISION - digitPart, minScale);
  return { kind: 'DECIMAL', precision: MAX_DECIMAL_PRECISION, scale, nullable };
}

type Dec = { precision: number; scale: number };
/** Flink: + and - of DECIMAL(p1,s1), DECIMAL(p2,s2) → scale max(s1,s2), precision max(p1-s1,p2-s2)+scale+1. */
export function decimalPlusType(a: Dec, b: Dec, nullable = true): TypeOf<'DECIMAL'> {
  const s = Math.max(a.scale, b.scale);
  return decimalOf(Math.max(a.precision - a.scale, b.precision - b.scale) + s + 1, s, nullable);
}
/** Flink: * → precision p1+p2+1, scale s1+s2. */
export function decimalTimesType(a: Dec, b: Dec, nullable = true): TypeOf<'DECIMAL'> {
  return decimalOf(a.precision + b.precision + 1, a.scale + b.scale, nullable);
}
/** Flink: / → scale max(6, s1+p2+1), precision p1-s1+s2+scale. */
export function decimalDivideType(a: Dec, b: Dec, nullable = true): TypeOf<'DECIMAL'> {
  const s = Math.max(MIN_ADJUSTED_SCALE, a.scale + b.precision + 1);
  return decimalOf(a.precision - a.scale + b.scale + s, s, nullable);
}
/** Flink: % → scale max(s1,s2), precision min(p1-s1,p2-s2)+scale. */
export function decimalModType(a: Dec, b: Dec, nullable = true): TypeOf<'DECIMAL'> {
  const s = Math.max(a.scale, b.scale);
  return decimalOf(Math.min(a.precision - a.scale, b.precision - b.scale) + s, s, nullable);
}
/** Flink's SUM result: DECIMAL(38, s) for DECIMAL, else the argument type; always nullable. */
export function sumType(t: SqlType): SqlType {
  if (t.kind === 'DECIMAL') return T.decimal(MAX_DECIMAL_PRECISION, t.scale);
  return withNullable(t, true);
}
/** Flink's AVG result: DECIMAL(38, max(6, s)) for DECIMAL, else the argument type (AVG of INT is INT); nullable. */
export function avgType(t: SqlType): SqlType {
  if (t.kind === 'DECIMAL') return decimalDivideType({ precision: 38, scale: t.scale }, { precision: 20, scale: 0 });
  return withNullable(t, true);
}

/**
 * Result type of binary arithmetic over numerics (Calcite/Flink): integral ⊕ integral → the wider integral;
 * DECIMAL with exact numerics → the decimal rule of `op`; any FLOAT/DOUBLE → DOUBLE (FLOAT only when both are
 * FLOAT or FLOAT with an integral). For `%` of integrals Calcite keeps the type of the second argument.
 * Returns undefined when either side is not numeric.
 */
export function numericResultType(op: '+' | '-' | '*' | '/' | '%', a: SqlType, b: SqlType): SqlType | undefined {
  if (a.kind === 'NULL') a = b;
  if (b.kind === 'NULL') b = a;
  if (!isNumeric(a) || !isNumeric(b)) return undefined;
  const nullable = a.nullable || b.nullable;
  if (isApproxNumeric(a) || isApproxNumeric(b)) {
    const kind =
      a.kind === 'DOUBLE' || b.kind === 'DOUBLE' || a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? 'DOUBLE' : 'FLOAT';
    return { kind, nullable };
  }
  if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
    const da = toDecimalType(a) as Dec;
    const db = toDecimalType(b) as Dec;
    switch (op) {
      case '+':
      case '-':
        return decimalPlusType(da, db, nullable);
      case '*':
        return decimalTimesType(da, db, nullable);
      case '/':
        return decimalDivideType(da, db, nullable);
      case '%':
        return decimalModType(da, db, nullable);
    }
  }
  if (op === '%') return withNullable(b, nullable);
  return withNullable(INTEGRAL_RANK[a.kind]! >= INTEGRAL_RANK[b.kind]! ? a : b, nullable);
}

/**
 * Whether a value of `from` may be passed where `to` is expected without an explicit CAST (Flink's implicit
 * widening: integral → wider integral/DECIMAL/FLOAT/DOUBLE, DECIMAL → DOUBLE, CHAR → VARCHAR, BINARY → VARBINARY,
 * DATE → TIMESTAMP, TIMESTAMP precision, NULL → anything).
 */
export function canImplicitCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true;
  if (typeEquals(from, to, true)) return true;
  if (isNumeric(from) && isNumeric(to)) {
    if (isApproxNumeric(to)) return !(from.kind === 'DOUBLE' && to.kind === 'FLOAT');
    if (isApproxNumeric(from)) return false;
    if (to.kind === 'DECIMAL') {
      const f = toDecimalType(from) as Dec;
      return f.precision - f.scale <= to.precision - to.scale && f.scale <= to.scale;
    }
    if (from.kind === 'DECIMAL') return false;
    return INTEGRAL_RANK[from.kind]! <= INTEGRAL_RANK[to.kind]!;
  }
  if (isString(from) && isString(to)) return true;
  if (isBinary(from) && isBinary(to)) return true;
  if (isTimestamp(to) && (from.kind === to.kind || from.kind === 'DATE')) return true;
  if (from.kind === 'TIME' && to.kind === 'TIME') return true;
  if ((from.kind === 'ARRAY' || from.kind === 'MULTISET') && from.kind === to.kind)
    return canImplicitCast(from.element, (to as TypeOf<'ARRAY'>).element);
  if (from.kind === 'MAP' && to.kind === 'MAP')
    return canImplicitCast(from.key, to.key) && canImplicitCast(from.value, to.value);
  if (from.kind === 'ROW' && to.kind === 'ROW')
    return (
      from.fields.length === to.fields.length &&
      from.fields.every((f, i) => canImplicitCast(f.type, to.fields[i]!.type))
    );
  return false;
}

/**
 * Common type of several types (Calcite's leastRestrictive as Flink uses it for UNION, CASE, COALESCE, IN,
 * GREATEST): NULL is absorbed; numerics widen (exact+approx → DOUBLE, DECIMAL keeps max integer digits and max
 * scale, capped at 38); CHAR/VARCHAR → the longest (VARCHAR if any is); DATE with TIMESTAMP → TIMESTAMP;
 * TIMESTAMP with TIMESTAMP_LTZ → TIMESTAMP_LTZ; constructed types element-wise. Undefined if there is none.
 */
export function leastRestrictive(types: SqlType[]): SqlType | undefined {
  const nonNull = types.filter((t) => t.kind !== 'NULL');
  const nullable = types.some((t) => t.nullable);
  if (nonNull.length === 0) return types.length ? T.null() : undefined;
  let acc: SqlType | undefined = nonNull[0]!;
  for (let i = 1; i < nonNull.length && acc; i++) acc = lr2(acc, nonNull[i]!);
  return acc && withNullable(acc, nullable);
}

function lr2(a: SqlType, b: SqlType): SqlType | undefined {
  const nullable = a.nullable || b.nullable;
  if (typeEquals(a, b, true)) return withNullable(a, nullable);
  if (isNumeric(a) && isNumeric(b)) {
    if (isApproxNumeric(a) || isApproxNumeric(b)) {
      const kind = a.kind === 'FLOAT' && b.kind === 'FLOAT' ? 'FLOAT' : 'DOUBLE';
      return { kind, nullable };
    }
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      const da = toDecimalType(a) as Dec;
      const db = toDecimalType(b) as Dec;
      const s = Math.max(da.scale, db.scale);
      const p = Math.min(MAX_DECIMAL_PRECISION, Math.max(da.precision - da.scale, db.precision - db.scale) + s);
      return T.decimal(p, Math.min(s, p), nullable);
    }
    return withNullable(INTEGRAL_RANK[a.kind]! >= INTEGRAL_RANK[b.kind]! ? a : b, nullable);
  }
  if (isString(a) && isString(b)) {
    const length = Math.max((a as TypeOf<'CHAR'>).length, (b as TypeOf<'CHAR'>).length);
    return { kind: a.kind === 'CHAR' && b.kind === 'CHAR' ? 'CHAR' : 'VARCHAR', length, nullable };
  }
  if (isBinary(a) && isBinary(b)) {
    const length = Math.max((a as TypeOf<'BINARY'>).length, (b as TypeOf<'BINARY'>).length);
    return { kind: a.kind === 'BINARY' && b.kind === 'BINARY' ? 'BINARY' : 'VARBINARY', length, nullable };
  }
  if ((isTimestamp(a) || a.kind === 'DATE') && (isTimestamp(b) || b.kind === 'DATE')) {
    const pa = a.kind === 'DATE' ? 0 : (a as TypeOf<'TIMESTAMP'>).precision;
    const pb = b.kind === 'DATE' ? 0 : (b as TypeOf<'TIMESTAMP'>).precision;
    const kind = a.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMP';
    return { kind, precision: Math.max(pa, pb), nullable };
  }
  if (a.kind === 'TIME' && b.kind === 'TIME') return T.time(Math.max(a.precision, b.precision), nullable);
  if ((a.kind === 'ARRAY' || a.kind === 'MULTISET') && a.kind === b.kind) {
    const e = leastRestrictive([a.element, (b as TypeOf<'ARRAY'>).element]);
    return e && { kind: a.kind, element: e, nullable };
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = leastRestrictive([a.key, b.key]);
    const v = leastRestrictive([a.value, b.value]);
    return k && v && T.map(k, v, nullable);
  }
  if (a.kind === 'ROW' && b.kind === 'ROW' && a.fields.length === b.fields.length) {
    const fields: Array<{ name: string; type: SqlType }> = [];
    for (let i = 0; i < a.fields.length; i++) {
      const t = leastRestrictive([a.fields[i]!.type, b.fields[i]!.type]);
      if (!t) return undefined;
      fields.push({ name: a.fields[i]!.name, type: t });
    }
    return T.row(fields, nullable);
  }
  return undefined;
}

/**
 * Whether CAST(from AS to) is allowed (Flink 1.19's cast matrix): anything → CHAR/VARCHAR; CHAR/VARCHAR → every
 * atomic type; numerics and BOOLEAN among each other; exact numerics ↔ TIMESTAMP_LTZ (epoch seconds);
 * DATE/TIME/TIMESTAMP/TIMESTAMP_LTZ among each other (not DATE ↔ TIME); binary ↔ binary; the same interval kind;
 * ARRAY/MULTISET/MAP/ROW element-wise; NULL → anything.
 */
export function canCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL' || typeEquals(from, to, true)) return true;
  if (isString(to)) return true;
  if (isString(from)) return !isConstructed(to) && !isInterval(to) && to.kind !== 'NULL';
  const numOrBool = (t: SqlType) => isNumeric(t) || t.kind === 'BOOLEAN';
  if (numOrBool(from) && numOrBool(to)) return true;
  if (isExactNumeric(from) && to.kind === 'TIMESTAMP_LTZ') return true;
  if (from.kind === 'TIMESTAMP_LTZ' && isExactNumeric(to)) return true;
  if (isTemporal(from) && isTemporal(to)) {
    return !((from.kind === 'DATE' && to.kind === 'TIME') || (from.kind === 'TIME' && to.kind === 'DATE'));
  }
  if (isBinary(from) && isBinary(to)) return true;
  if (isInterval(from)) return from.kind === to.kind;
  if ((from.kind === 'ARRAY' || from.kind === 'MULTISET') && to.kind === from.kind)
    return canCast(from.element, (to as TypeOf<'ARRAY'>).element);
  if (from.kind === 'MAP' && to.kind === 'MAP') return canCast(from.key, to.key) && canCast(from.value, to.value);
  if (from.kind === 'ROW' && to.kind === 'ROW')
    return from.fields.length === to.fields.length && from.fields.every((f, i) => canCast(f.type, to.fields[i]!.type));
  return false;
}
