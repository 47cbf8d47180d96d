/**
 * Runtime values: the JS representation of each SQL type (see the table in the contract), grouping keys
 * (`valueKey`), SQL ordering (`compareValues`) and equality, and Java-style integer wrapping.
 *
 * | type | JS value |
 * |---|---|
 * | BOOLEAN | boolean |  TINYINT/SMALLINT/INT | number (wraps like Java) |  BIGINT | bigint (64-bit wrap) |
 * | FLOAT/DOUBLE | number |  DECIMAL | Decimal |  CHAR/VARCHAR | string |  BINARY/VARBINARY | Uint8Array |
 * | DATE | days | TIME | ms of day | TIMESTAMP | wall-clock epoch ms | TIMESTAMP_LTZ | epoch ms |
 * | INTERVAL_YM | months | INTERVAL_DT | ms | ARRAY/MULTISET | unknown[] | MAP | Map | ROW | unknown[] |
 */
import { Decimal } from './decimal.ts';
import type { SqlType } from './types.ts';

export { Decimal } from './decimal.ts';
export { formatValue } from './format.ts';
export { fromJson, toJson } from './json.ts';

/** Java int/short/byte/long narrowing of an integral result. */
export function wrapInt(v: number): number {
  return v | 0;
}
export function wrapSmallint(v: number): number {
  return (v << 16) >> 16;
}
export function wrapTinyint(v: number): number {
  return (v << 24) >> 24;
}
export function wrapBigint(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Wraps an integral number to the range of `kind` (TINYINT, SMALLINT, INT); other kinds unchanged. */
export function wrapIntegral(v: number, kind: string): number {
  switch (kind) {
    case 'INT':
      return v | 0;
    case 'SMALLINT':
      return (v << 16) >> 16;
    case 'TINYINT':
      return (v << 24) >> 24;
    default:
      return v;
  }
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

/**
 * A string key for grouping, joins and DISTINCT: equal SQL values of one type give equal keys (DECIMAL 1.50
 * and 1.5 alike; -0.0 and 0.0 alike). Numbers, bigints and decimals share one namespace (`1`, `1n` and
 * DECIMAL 1 give the same key), strings and bytes have their own, so `1` and `'1'` differ.
 */
export function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return v === 0 ? 'n0' : `n${v}`;
    case 'bigint':
      return `n${v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'object': {
      if (v === null) return 'N';
      if (v instanceof Decimal) return `n${v.stripTrailingZeros().toString()}`;
      if (v instanceof Uint8Array) return `x${hex(v)}`;
      if (Array.isArray(v)) return `[${v.map((e) => JSON.stringify(valueKey(e))).join(',')}]`;
      if (v instanceof Map) {
        const entries = [...v].map(([k, x]) => `${JSON.stringify(valueKey(k))}:${JSON.stringify(valueKey(x))}`);
        return `{${entries.sort().join(',')}}`;
      }
      return `o${JSON.stringify(v)}`;
    }
    default:
      return `?${String(v)}`;
  }
}

function cmpNum(a: number, b: number): number {
  // Java Double.compare: NaN is greater than everything, -0.0 < 0.0 is ignored (SQL equality)
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

/** Compares strings by code point (Flink compares UTF-8 bytes, which orders the same way). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // surrogates (U+D800-DFFF) encode code points above U+FFFF: they sort after U+E000-FFFF
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Converts number/bigint/Decimal to Decimal for mixed exact comparison. */
function asDecimal(v: unknown): Decimal | undefined {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') return Decimal.fromNumber(v);
  return undefined;
}

/**
 * SQL ordering of two non-null values of one type (or of numerics of mixed representation): numbers,
 * bigints and Decimals compare numerically, strings by code point, bytes unsigned lexicographically,
 * booleans FALSE < TRUE, arrays and rows element by element with NULL first. `type` is optional: the
 * representation decides.
 */
export function compareValues(a: unknown, b: unknown, _type?: SqlType): number {
  if (typeof a === 'number' && typeof b === 'number') return cmpNum(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Decimal && b instanceof Decimal) return a.compareTo(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a === 'number' && (typeof b === 'bigint' || b instanceof Decimal)) {
      if (!Number.isFinite(a)) return cmpNum(a, 0);
      return asDecimal(a)!.compareTo(asDecimal(b)!);
    }
    if (typeof b === 'number' && (typeof a === 'bigint' || a instanceof Decimal)) return -compareValues(b, a);
  }
  if ((typeof a === 'bigint' || a instanceof Decimal) && (typeof b === 'bigint' || b instanceof Decimal))
    return asDecimal(a)!.compareTo(asDecimal(b)!);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x === null || y === null) {
        if (x !== y) return x === null ? -1 : 1;
        continue;
      }
      const c = compareValues(x, y);
      if (c !== 0) return c;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  const ka = valueKey(a);
  const kb = valueKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** SQL equality of two non-null values (numeric across representations, Maps by entries, NaN ≠ NaN). */
export function valuesEqual(a: unknown, b: unknown, type?: SqlType): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (typeof a === 'number' && typeof b === 'number') return false; // a === b already failed (NaN)
  if (a instanceof Map && b instanceof Map) return a.size === b.size && valueKey(a) === valueKey(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === null || y === null) {
        if (x !== y) return false;
      } else if (!valuesEqual(x, y)) return false;
    }
    return true;
  }
  if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean') return false;
  return compareValues(a, b, type) === 0;
}

/** Whether a JS value is a valid runtime value for the type (checks the representation, not ranges). */
export function isValueOf(v: unknown, t: SqlType): boolean {
  if (v === null) return t.nullable;
  switch (t.kind) {
    case 'BOOLEAN':
      return typeof v === 'boolean';
    case 'BIGINT':
      return typeof v === 'bigint';
    case 'DECIMAL':
      return v instanceof Decimal;
    case 'CHAR':
    case 'VARCHAR':
      return typeof v === 'string';
    case 'BINARY':
    case 'VARBINARY':
      return v instanceof Uint8Array;
    case 'ARRAY':
    case 'MULTISET':
    case 'ROW':
      return Array.isArray(v);
    case 'MAP':
      return v instanceof Map;
    case 'NULL':
      return false;
    default:
      return typeof v === 'number';
  }
}
