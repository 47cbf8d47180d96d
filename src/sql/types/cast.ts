/**
 * CAST and TRY_CAST with Flink 1.19's rules (legacy cast behaviour off):
 * - STRING → numerics trims whitespace; integral targets truncate a fraction (`'1.9'` → 1) as Flink's
 *   BinaryStringDataUtil does; bad text or an out-of-range integer fails the cast.
 * - STRING → BOOLEAN accepts (trimmed, any case) true/t/yes/y/1 and false/f/no/n/0.
 * - → DECIMAL(p, s) rounds HALF_UP; a value needing more than p digits becomes NULL (Flink's decimal overflow).
 * - FLOAT/DOUBLE → integral truncates toward zero and saturates like Java's `(long) d`; NaN → 0.
 * - integral narrowing wraps like Java (`CAST(128 AS TINYINT)` = -128).
 * - TIMESTAMP ↔ TIMESTAMP_LTZ and DATE/STRING ↔ TIMESTAMP_LTZ use the session time zone; exact numerics ↔
 *   TIMESTAMP_LTZ are epoch seconds.
 * - → CHAR(n) pads with spaces and truncates, → VARCHAR(n) truncates; BINARY(n)/VARBINARY(n) likewise with 0x00.
 * - ARRAY/MULTISET/MAP/ROW cast element-wise; anything → STRING prints as `castToString`.
 * A failed CAST throws SqlRuntimeError; TRY_CAST gives NULL instead.
 */
import { Decimal, pow10, toPrecision } from './decimal.ts';
import { SqlRuntimeError, SqlTypeError } from './errors.ts';
import { castToString } from './format.ts';
import { instantToLocal, localToInstant, MS_PER_DAY, parseDate, parseTime, parseTimestamp } from './temporal.ts';
import { canCast, formatType, isString, MAX_LENGTH, type SqlType } from './types.ts';

const utf8 = new TextEncoder();

/** Settings that casts depend on. */
export interface CastContext {
  /** Session time zone for TIMESTAMP_LTZ, default 'UTC'. */
  timeZone?: string;
}

class CastFailure extends Error {}

function fail(v: unknown, to: SqlType): never {
  const shown = typeof v === 'string' ? `'${v}'` : String(v);
  throw new CastFailure(`Cannot cast ${shown} to ${formatType(to)}`);
}

const INT_RE = /^([+-]?)(\d+)(?:\.(\d*))?$/;
const RANGES: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

function parseIntegral(s: string, to: SqlType): number | bigint {
  const t = s.trim();
  const m = INT_RE.exec(t);
  if (!m) {
    // "-.5" and ".5" are accepted by Flink too: integral part 0
    if (/^[+-]?\.\d+$/.test(t)) return to.kind === 'BIGINT' ? 0n : 0;
    fail(s, to);
  }
  const big = BigInt(m[1] === '-' ? `-${m[2]}` : m[2]!);
  if (to.kind === 'BIGINT') {
    if (big !== BigInt.asIntN(64, big)) fail(s, to);
    return big;
  }
  const [lo, hi] = RANGES[to.kind]!;
  if (big < BigInt(lo) || big > BigInt(hi)) fail(s, to);
  return Number(big);
}

const DOUBLE_RE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[dDfF]?$/;

function parseDouble(s: string, to: SqlType): number {
  const t = s.trim();
  if (!DOUBLE_RE.test(t)) fail(s, to);
  const clean = /[dDfF]$/.test(t) && !t.endsWith('Infinity') ? t.slice(0, -1) : t;
  return Number(clean);
}

function parseBoolean(s: string, to: SqlType): boolean {
  switch (s.trim().toLowerCase()) {
    case 'true':
    case 't':
    case 'yes':
    case 'y':
    case '1':
      return true;
    case 'false':
    case 'f':
    case 'no':
    case 'n':
    case '0':
      return false;
    default:
      fail(s, to);
  }
}

/** Java `(long) d`: truncation toward zero, saturating, NaN → 0. */
function doubleToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 2 ** 63) return 9223372036854775807n;
  if (d <= -(2 ** 63)) return -9223372036854775808n;
  return BigInt(Math.trunc(d));
}

/** Java `(int) d`. */
function doubleToInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= 2147483647) return 2147483647;
  if (d <= -2147483648) return -2147483648;
  return Math.trunc(d);
}

function narrow(v: number, kind: string): number {
  return kind === 'INT' ? v | 0 : kind === 'SMALLINT' ? (v << 16) >> 16 : kind === 'TINYINT' ? (v << 24) >> 24 : v;
}

function truncateToPrecision(ms: number, precision: number): number {
  if (precision >= 6) return ms;
  if (precision >= 3) {
    const unit = 10 ** (6 - precision);
    return (Math.floor(Math.round(ms * 1000) / unit) * unit) / 1000;
  }
  const unit = 10 ** (3 - precision);
  return Math.floor(ms / unit) * unit;
}

function toNumeric(v: unknown, from: SqlType, to: SqlType): unknown {
  const k = to.kind;
  // source as one of: number (integral or approx), bigint, Decimal, boolean
  if (typeof v === 'boolean') {
    if (k === 'BIGINT') return v ? 1n : 0n;
    if (k === 'DECIMAL') return toPrecision(new Decimal(v ? 1n : 0n, 0), to.precision, to.scale);
    return v ? 1 : 0;
  }
  if (k === 'BOOLEAN') {
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'bigint') return v !== 0n;
    return (v as Decimal).signum() !== 0;
  }
  switch (k) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      if (typeof v === 'number') return narrow(from.kind === 'FLOAT' || from.kind === 'DOUBLE' ? doubleToInt(v) : v, k);
      if (typeof v === 'bigint') return narrow(Number(BigInt.asIntN(32, v)), k);
      return narrow(Number(BigInt.asIntN(32, decimalToBigint(v as Decimal))), k);
    case 'BIGINT':
      if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? BigInt(v) : doubleToLong(v);
      if (typeof v === 'bigint') return v;
      return BigInt.asIntN(64, decimalToBigint(v as Decimal));
    case 'FLOAT':
      return Math.fround(typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : (v as Decimal).toNumber());
    case 'DOUBLE':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : (v as Decimal).toNumber();
    case 'DECIMAL': {
      let d: Decimal | undefined;
      if (typeof v === 'bigint') d = new Decimal(v, 0);
      else if (typeof v === 'number') d = Decimal.fromNumber(v);
      else d = v as Decimal;
      return d === undefined ? null : toPrecision(d, to.precision, to.scale);
    }
    default:
      return fail(v, to);
  }
}

function decimalToBigint(d: Decimal): bigint {
  return d.scale === 0 ? d.unscaled : d.unscaled / pow10(d.scale);
}

function fitString(s: string, to: SqlType): string {
  if (to.kind === 'VARCHAR') return to.length !== MAX_LENGTH && s.length > to.length ? s.slice(0, to.length) : s;
  if (to.kind === 'CHAR') return s.length > to.length ? s.slice(0, to.length) : s.padEnd(to.length, ' ');
  return s;
}

function fitBytes(b: Uint8Array, to: SqlType): Uint8Array {
  if (to.kind !== 'BINARY' && to.kind !== 'VARBINARY') return b;
  if (b.length > to.length) return b.slice(0, to.length);
  if (to.kind === 'BINARY' && b.length < to.length) {
    const out = new Uint8Array(to.length);
    out.set(b);
    return out;
  }
  return b;
}

function castInner(v: unknown, from: SqlType, to: SqlType, tz: string): unknown {
  if (v === null || v === undefined) return null;
  if (isString(to)) return fitString(typeof v === 'string' ? v : castToString(v, from, tz), to);
  const fk = from.kind;
  const tk = to.kind;
  if (isString(from)) {
    const s = v as string;
    switch (tk) {
      case 'BOOLEAN':
        return parseBoolean(s, to);
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'BIGINT':
        return parseIntegral(s, to);
      case 'FLOAT':
        return Math.fround(parseDouble(s, to));
      case 'DOUBLE':
        return parseDouble(s, to);
      case 'DECIMAL': {
        const d = Decimal.parse(s.trim());
        if (!d) fail(s, to);
        return toPrecision(d, to.precision, to.scale);
      }
      case 'DATE': {
        const d = parseDate(s);
        if (d !== undefined) return d;
        const ts = parseTimestamp(s);
        if (ts === undefined) fail(s, to);
        return Math.floor(ts / MS_PER_DAY);
      }
      case 'TIME': {
        const t = parseTime(s);
        if (t === undefined) fail(s, to);
        return truncateToPrecision(t, to.precision);
      }
      case 'TIMESTAMP': {
        const t = parseTimestamp(s);
        if (t === undefined) fail(s, to);
        return truncateToPrecision(t, to.precision);
      }
      case 'TIMESTAMP_LTZ': {
        const t = parseTimestamp(s);
        if (t === undefined) fail(s, to);
        return truncateToPrecision(localToInstant(t, tz), to.precision);
      }
      case 'BINARY':
      case 'VARBINARY':
        return fitBytes(utf8.encode(s), to);
      default:
        throw new SqlTypeError(`Cannot cast ${formatType(from)} to ${formatType(to)}`);
    }
  }
  switch (tk) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      if (fk === 'TIMESTAMP_LTZ') {
        const secs = Math.floor((v as number) / 1000);
        return toNumeric(secs, T_BIGINT_LIKE, to);
      }
      if (
        fk === 'BOOLEAN' ||
        fk === 'DECIMAL' ||
        fk === 'TINYINT' ||
        fk === 'SMALLINT' ||
        fk === 'INT' ||
        fk === 'BIGINT' ||
        fk === 'FLOAT' ||
        fk === 'DOUBLE'
      )
        return toNumeric(v, from, to);
      break;
    case 'DATE':
      if (fk === 'DATE') return v;
      if (fk === 'TIMESTAMP') return Math.floor((v as number) / MS_PER_DAY);
      if (fk === 'TIMESTAMP_LTZ') return Math.floor(instantToLocal(v as number, tz) / MS_PER_DAY);
      break;
    case 'TIME': {
      let local: number | undefined;
      if (fk === 'TIME') local = v as number;
      else if (fk === 'TIMESTAMP') local = v as number;
      else if (fk === 'TIMESTAMP_LTZ') local = instantToLocal(v as number, tz);
      if (local === undefined) break;
      const ms = local - Math.floor(local / MS_PER_DAY) * MS_PER_DAY;
      return truncateToPrecision(ms, to.precision);
    }
    case 'TIMESTAMP':
      if (fk === 'TIMESTAMP' || fk === 'TIME') return truncateToPrecision(v as number, to.precision);
      if (fk === 'DATE') return (v as number) * MS_PER_DAY;
      if (fk === 'TIMESTAMP_LTZ') return truncateToPrecision(instantToLocal(v as number, tz), to.precision);
      break;
    case 'TIMESTAMP_LTZ':
      if (fk === 'TIMESTAMP_LTZ') return truncateToPrecision(v as number, to.precision);
      if (fk === 'TIMESTAMP' || fk === 'TIME')
        return truncateToPrecision(localToInstant(v as number, tz), to.precision);
      if (fk === 'DATE') return localToInstant((v as number) * MS_PER_DAY, tz);
      if (typeof v === 'number') return v * 1000;
      if (typeof v === 'bigint') return Number(v) * 1000;
      if (v instanceof Decimal) return truncateToPrecision(v.toNumber() * 1000, to.precision);
      break;
    case 'BINARY':
    case 'VARBINARY':
      if (v instanceof Uint8Array) return fitBytes(v, to);
      break;
    case 'INTERVAL_YM':
    case 'INTERVAL_DT':
      if (fk === tk) return v;
      break;
    case 'ARRAY':
    case 'MULTISET':
      if (fk === tk) {
        const fe = (from as { element: SqlType }).element;
        return (v as unknown[]).map((e) => castInner(e, fe, to.element, tz));
      }
      break;
    case 'MAP':
      if (fk === 'MAP') {
        const out = new Map<unknown, unknown>();
        for (const [k, x] of v as Map<unknown, unknown>)
          out.set(castInner(k, from.key, to.key, tz), castInner(x, from.value, to.value, tz));
        return out;
      }
      break;
    case 'ROW':
      if (fk === 'ROW' && from.fields.length === to.fields.length)
        return (v as unknown[]).map((e, i) => castInner(e, from.fields[i]!.type, to.fields[i]!.type, tz));
      break;
    case 'NULL':
      return null;
  }
  throw new SqlTypeError(`Cannot cast ${formatType(from)} to ${formatType(to)}`);
}

const T_BIGINT_LIKE: SqlType = { kind: 'INT', nullable: true };

/** CAST(v AS to) for a value of type `from`; throws SqlRuntimeError on bad input, SqlTypeError if not castable. */
export function castValue(v: unknown, from: SqlType, to: SqlType, ctx?: CastContext): unknown {
  try {
    return castInner(v, from, to, ctx?.timeZone ?? 'UTC');
  } catch (e) {
    if (e instanceof CastFailure) throw new SqlRuntimeError(e.message);
    throw e;
  }
}

/** TRY_CAST(v AS to): as castValue but NULL when the value cannot be converted. */
export function tryCastValue(v: unknown, from: SqlType, to: SqlType, ctx?: CastContext): unknown {
  try {
    return castInner(v, from, to, ctx?.timeZone ?? 'UTC');
  } catch (e) {
    if (e instanceof CastFailure || e instanceof SqlRuntimeError) return null;
    throw e;
  }
}

/**
 * A cast specialised for one pair of types (checked with canCast up front: throws SqlTypeError when not
 * castable). Identity when the types are equal apart from nullability.
 */
export function compileCast(
  from: SqlType,
  to: SqlType,
  opts?: CastContext & { try?: boolean },
): (v: unknown) => unknown {
  if (!canCast(from, to)) throw new SqlTypeError(`Cannot cast ${formatType(from)} to ${formatType(to)}`);
  const tz = opts?.timeZone ?? 'UTC';
  const isTry = opts?.try === true;
  return (v) => {
    if (v === null) return null;
    try {
      return castInner(v, from, to, tz);
    } catch (e) {
      if (e instanceof CastFailure) {
        if (isTry) return null;
        throw new SqlRuntimeError(e.message);
      }
      throw e;
    }
  };
}
