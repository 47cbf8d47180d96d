/**
 * Values as text: `castToString` is Flink's CAST(x AS STRING) (BOOLEAN `TRUE`, DOUBLE as Java's
 * Double.toString `1.0E10`, DECIMAL with its scale, TIMESTAMP(p) with p fraction digits, ROW `(1, a)`,
 * ARRAY `[1, 2]`, MAP `{a=1}`, BYTES decoded as UTF-8); `formatValue` is how Flink's SQL client (tableau mode)
 * prints a result cell: the same, except NULL is `<NULL>` and BYTES print as `x'0a1b'`.
 */
import { Decimal } from './decimal.ts';
import { formatDate, formatTime, formatTimestamp, instantToLocal } from './temporal.ts';
import type { SqlType } from './types.ts';

const utf8 = new TextDecoder('utf-8');

/** Java's Double.toString: `1.0`, `0.001`, `1.0E7`, `1.5E-5`, `NaN`, `Infinity`. */
export function javaDoubleString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Number.POSITIVE_INFINITY) return 'Infinity';
  if (d === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') ? s : `${s}.0`;
  }
  const e = d.toExponential(); // shortest digits, e.g. 1.5e-5
  const i = e.indexOf('e');
  let mant = e.slice(0, i);
  if (!mant.includes('.')) mant += '.0';
  const exp = e.slice(i + 1);
  return `${mant}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** Java's Float.toString: the shortest digits that read back as the same float. */
export function javaFloatString(f: number): string {
  if (!Number.isFinite(f) || f === 0) return javaDoubleString(f);
  for (let p = 1; p <= 9; p++) {
    const x = Number(f.toPrecision(p));
    if (Math.fround(x) === f) return javaDoubleString(x);
  }
  return javaDoubleString(f);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** INTERVAL YEAR TO MONTH as Flink prints it: `+1-02`. */
export function formatIntervalYM(months: number): string {
  const abs = Math.abs(months);
  return `${months < 0 ? '-' : '+'}${Math.floor(abs / 12)}-${pad2(abs % 12)}`;
}

/** INTERVAL DAY TO SECOND(3) as Flink prints it: `+1 02:03:04.005`. */
export function formatIntervalDT(ms: number): string {
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  return `${ms < 0 ? '-' : '+'}${days} ${formatTime(abs - days * 86_400_000, 3)}`;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

function text(v: unknown, t: SqlType, timeZone: string, printing: boolean): string {
  if (v === null || v === undefined) return printing ? 'NULL' : 'NULL';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'TRUE' : 'FALSE';
    case 'FLOAT':
      return javaFloatString(v as number);
    case 'DOUBLE':
      return javaDoubleString(v as number);
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, t.precision);
    case 'TIMESTAMP':
      return formatTimestamp(v as number, t.precision);
    case 'TIMESTAMP_LTZ':
      return formatTimestamp(instantToLocal(v as number, timeZone), t.precision);
    case 'INTERVAL_YM':
      return formatIntervalYM(v as number);
    case 'INTERVAL_DT':
      return formatIntervalDT(v as number);
    case 'BINARY':
    case 'VARBINARY':
      return printing ? `x'${hex(v as Uint8Array)}'` : utf8.decode(v as Uint8Array);
    case 'ARRAY':
    case 'MULTISET':
      return `[${(v as unknown[]).map((e) => text(e, t.element, timeZone, printing)).join(', ')}]`;
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>)
        parts.push(`${text(k, t.key, timeZone, printing)}=${text(x, t.value, timeZone, printing)}`);
      return `{${parts.join(', ')}}`;
    }
    case 'ROW':
      return `(${(v as unknown[]).map((e, i) => text(e, t.fields[i]?.type ?? t, timeZone, printing)).join(', ')})`;
    default:
      if (v instanceof Decimal) return v.toString();
      return String(v);
  }
}

/** Flink's CAST(v AS STRING) of a non-null value (nested NULLs print as `NULL`); TIMESTAMP_LTZ in `timeZone`. */
export function castToString(v: unknown, type: SqlType, timeZone = 'UTC'): string {
  return text(v, type, timeZone, false);
}

/** A result cell as Flink's SQL client prints it in tableau mode: `<NULL>` for NULL, bytes as `x'…'`. */
export function formatValue(v: unknown, type: SqlType, timeZone = 'UTC'): string {
  if (v === null || v === undefined) return '<NULL>';
  return text(v, type, timeZone, true);
}
