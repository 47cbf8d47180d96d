/**
 * Values as Flink's print sink shows them: the sink converts each row to Flink's external `Row` and prints
 * `Row.toString()`, so cells read as Java's toString of the external classes — `null`, `true`, Double's
 * `1.0E10`, BigDecimal, LocalDate `2024-01-01`, LocalTime `10:00` / `10:00:01.500`, LocalDateTime
 * `2024-01-01T10:00`, Instant `2024-01-01T10:00:00Z`, Duration `PT2M`, Period `P1Y2M`, arrays `[1, 2]`,
 * maps `{a=1}`, nested rows `+I[1, a]`, byte[] as `[1, 2]`.
 */
import {
  civilFromDays,
  type Decimal,
  javaDoubleString,
  javaFloatString,
  MS_PER_DAY,
  type SqlType,
} from '../types/index.ts';
import { ROW_KIND_NAMES, type Row, type RowKind } from './changelog.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function localDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(m)}-${pad(d)}`;
}

/** java.time.LocalTime#toString: HH:mm, then :ss and a 3/6/9-digit fraction only when non-zero. */
function localTime(msOfDay: number, forceSeconds = false): string {
  const nanos = Math.round(msOfDay * 1_000_000);
  const totalSecs = Math.floor(nanos / 1_000_000_000);
  const nano = nanos - totalSecs * 1_000_000_000;
  const h = Math.floor(totalSecs / 3600);
  const m = Math.floor(totalSecs / 60) % 60;
  const s = totalSecs % 60;
  let out = `${pad(h)}:${pad(m)}`;
  if (s > 0 || nano > 0 || forceSeconds) {
    out += `:${pad(s)}`;
    if (nano > 0) {
      if (nano % 1_000_000 === 0) out += `.${pad(nano / 1_000_000, 3)}`;
      else if (nano % 1000 === 0) out += `.${pad(nano / 1000, 6)}`;
      else out += `.${pad(nano, 9)}`;
    }
  }
  return out;
}

function splitMs(ms: number): [number, number] {
  const days = Math.floor(ms / MS_PER_DAY);
  return [days, ms - days * MS_PER_DAY];
}

/** java.time.Duration#toString for milliseconds: PT0S, PT2M, PT1H30M, PT0.5S, PT-1S. */
function duration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sign = neg ? '-' : '';
  let out = 'PT';
  if (h) out += `${sign}${h}H`;
  if (m) out += `${sign}${m}M`;
  if (rest) out += `${sign}${String(rest / 1000)}S`;
  return out;
}

/** java.time.Period#toString for months: P0D, P1Y2M, P3M. */
function period(months: number): string {
  if (months === 0) return 'P0D';
  const y = Math.trunc(months / 12);
  const m = months - y * 12;
  return `P${y ? `${y}Y` : ''}${m ? `${m}M` : ''}`;
}

/** One value as Java's toString of Flink's external type. */
export function javaString(v: unknown, t: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'FLOAT':
      return javaFloatString(v as number);
    case 'DOUBLE':
      return javaDoubleString(v as number);
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'DATE':
      return localDate(v as number);
    case 'TIME':
      return localTime(v as number);
    case 'TIMESTAMP': {
      const [d, ms] = splitMs(v as number);
      return `${localDate(d)}T${localTime(ms)}`;
    }
    case 'TIMESTAMP_LTZ': {
      const [d, ms] = splitMs(v as number);
      return `${localDate(d)}T${localTime(ms, true)}Z`;
    }
    case 'INTERVAL_DT':
      return duration(v as number);
    case 'INTERVAL_YM':
      return period(v as number);
    case 'BINARY':
    case 'VARBINARY':
      return `[${Array.from(v as Uint8Array, (b) => (b > 127 ? b - 256 : b)).join(', ')}]`;
    case 'ARRAY':
    case 'MULTISET':
      return `[${(v as unknown[]).map((e) => javaString(e, t.element)).join(', ')}]`;
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(`${javaString(k, t.key)}=${javaString(x, t.value)}`);
      return `{${parts.join(', ')}}`;
    }
    case 'ROW':
      return `+I[${(v as unknown[]).map((e, i) => javaString(e, t.fields[i]?.type ?? t)).join(', ')}]`;
    default:
      return String(v);
  }
}

/** A changelog row as Flink's print sink prints it: `+I[1, foo, null]`. */
export function formatRowJava(kind: RowKind, row: Row, fields: ReadonlyArray<{ type: SqlType }>): string {
  const parts = new Array<string>(fields.length);
  for (let i = 0; i < fields.length; i++) parts[i] = javaString(row[i], fields[i]!.type);
  return `${ROW_KIND_NAMES[kind]}[${parts.join(', ')}]`;
}
