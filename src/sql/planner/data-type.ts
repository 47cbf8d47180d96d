/** Parser data types (ast-types.ts) → logical SqlTypes, with Flink's defaults and names. */
import type { DataType } from '../parser/index.ts';
import { MAX_LENGTH, type SqlType, T } from '../types/types.ts';
import { SqlValidationError } from './errors.ts';

/** The logical type of a declared data type; throws SqlValidationError for unknown names. */
export function toSqlType(t: DataType): SqlType {
  const n = t.nullable;
  switch (t.kind) {
    case 'ArrayType':
      return T.array(toSqlType(t.element), n);
    case 'MultisetType':
      return T.multiset(toSqlType(t.element), n);
    case 'MapType':
      return T.map(toSqlType(t.key), toSqlType(t.value), n);
    case 'RowType':
      return T.row(
        t.fields.map((f) => ({ name: f.name.value, type: toSqlType(f.type) })),
        n,
      );
    case 'IntervalType': {
      const ym = t.qualifier.start === 'YEAR' || t.qualifier.start === 'MONTH' || t.qualifier.start === 'QUARTER';
      return ym ? T.intervalYM(n) : T.intervalDT(n);
    }
    case 'PrimitiveType': {
      const a = t.args;
      switch (t.name) {
        case 'BOOLEAN':
          return T.boolean(n);
        case 'TINYINT':
          return T.tinyint(n);
        case 'SMALLINT':
          return T.smallint(n);
        case 'INT':
        case 'INTEGER':
          return T.int(n);
        case 'BIGINT':
          return T.bigint(n);
        case 'FLOAT':
        case 'REAL':
          return T.float(n);
        case 'DOUBLE':
        case 'DOUBLE PRECISION':
          return T.double(n);
        case 'DECIMAL':
        case 'DEC':
        case 'NUMERIC':
          return T.decimal(a[0] ?? 10, a[1] ?? 0, n);
        case 'CHAR':
        case 'CHARACTER':
          return T.char(a[0] ?? 1, n);
        case 'VARCHAR':
        case 'CHARACTER VARYING':
        case 'CHAR VARYING':
          // in DDL a VARCHAR without length is STRING (Calcite's unspecified precision)
          return T.varchar(a[0] ?? MAX_LENGTH, n);
        case 'STRING':
          return T.varchar(MAX_LENGTH, n);
        case 'BINARY':
          return T.binary(a[0] ?? 1, n);
        case 'VARBINARY':
        case 'BINARY VARYING':
          return T.varbinary(a[0] ?? MAX_LENGTH, n);
        case 'BYTES':
          return T.bytes(n);
        case 'DATE':
          return T.date(n);
        case 'TIME':
          return T.time(a[0] ?? 0, n);
        case 'TIMESTAMP':
          return t.timeZone === 'LOCAL' ? T.timestampLtz(a[0] ?? 6, n) : T.timestamp(a[0] ?? 6, n);
        case 'TIMESTAMP_LTZ':
          return T.timestampLtz(a[0] ?? 6, n);
        case 'NULL':
          return T.null();
      }
    }
  }
  throw new SqlValidationError(t.pos, `Unknown data type '${(t as { name?: string }).name ?? t.kind}'`);
}
