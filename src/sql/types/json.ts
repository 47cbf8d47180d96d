/**
 * Values ↔ JSON as Flink's `json` format does with `json.timestamp-format.standard = 'SQL'`:
 * DATE `2020-01-31`, TIME `10:20:30[.fff]`, TIMESTAMP `2020-01-31 10:20:30[.fff]` (fraction digits only as
 * needed, Flink's appendFraction(0, 9)), TIMESTAMP_LTZ in UTC with a `Z` suffix, DECIMAL and BIGINT as JSON
 * numbers, BYTES as base64, MAP as an object, ROW as an object keyed by field name.
 * `toJsonText`/`parseJsonText` are exact for BIGINT and DECIMAL; `toJson`/`fromJson` work on parsed JS values
 * (numbers beyond 2^53 lose precision there; `parseJsonText` keeps their text as `LosslessNumber`).
 */
import { Decimal } from './decimal.ts';
import { SqlRuntimeError } from './errors.ts';
import { javaDoubleString } from './format.ts';
import { civilFromDays, MS_PER_DAY, parseDate, parseTime, parseTimestamp } from './temporal.ts';
import { formatType, type SqlType } from './types.ts';

/** A JSON number kept as its text (from `parseJsonLossless`). */
export class LosslessNumber {
  constructor(readonly text: string) {}
  valueOf(): number {
    return Number(this.text);
  }
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function jsonTime(msOfDay: number): string {
  const micros = Math.round(msOfDay * 1000);
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  let f = '';
  if (frac) f = `.${pad(frac, 6).replace(/0+$/, '')}`;
  return `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}${f}`;
}

function jsonDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function jsonTimestamp(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  return `${jsonDate(days)} ${jsonTime(ms - days * MS_PER_DAY)}`;
}

/** A value as a JS JSON value (BIGINT/DECIMAL become numbers, possibly losing digits beyond 2^53). */
export function toJson(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BIGINT':
      return Number(v as bigint);
    case 'DECIMAL':
      return (v as Decimal).toNumber();
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(v as number) ? v : javaDoubleString(v as number);
    case 'DATE':
      return jsonDate(v as number);
    case 'TIME':
      return jsonTime(v as number);
    case 'TIMESTAMP':
      return jsonTimestamp(v as number);
    case 'TIMESTAMP_LTZ':
      return `${jsonTimestamp(v as number)}Z`;
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'ARRAY':
    case 'MULTISET':
      return (v as unknown[]).map((e) => toJson(e, type.element));
    case 'MAP': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of v as Map<unknown, unknown>) o[String(toJson(k, type.key))] = toJson(x, type.value);
      return o;
    }
    case 'ROW': {
      const o: Record<string, unknown> = {};
      type.fields.forEach((f, i) => {
        o[f.name] = toJson((v as unknown[])[i] ?? null, f.type);
      });
      return o;
    }
    default:
      return v;
  }
}

/** A value as JSON text, exact for BIGINT and DECIMAL. */
export function toJsonText(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'BIGINT':
      return String(v);
    case 'DECIMAL':
      return (v as Decimal).toString();
    case 'ARRAY':
    case 'MULTISET':
      return `[${(v as unknown[]).map((e) => toJsonText(e, type.element)).join(',')}]`;
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>)
        parts.push(`${JSON.stringify(String(toJson(k, type.key)))}:${toJsonText(x, type.value)}`);
      return `{${parts.join(',')}}`;
    }
    case 'ROW':
      return `{${type.fields.map((f, i) => `${JSON.stringify(f.name)}:${toJsonText((v as unknown[])[i] ?? null, f.type)}`).join(',')}}`;
    default:
      return JSON.stringify(toJson(v, type));
  }
}

function bad(json: unknown, type: SqlType): never {
  const shown = typeof json === 'string' ? json : JSON.stringify(json instanceof LosslessNumber ? json.text : json);
  throw new SqlRuntimeError(`Failed to deserialize JSON '${shown}' as ${formatType(type)}`);
}

function numText(json: unknown, type: SqlType): string {
  if (json instanceof LosslessNumber) return json.text;
  if (typeof json === 'number') return String(json);
  if (typeof json === 'bigint') return String(json);
  if (typeof json === 'string') return json.trim();
  return bad(json, type);
}

/** A parsed JSON value (from JSON.parse or parseJsonLossless) as a runtime value of `type`. */
export function fromJson(json: unknown, type: SqlType): unknown {
  if (json === null || json === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (typeof json === 'boolean') return json;
      if (json === 'true' || json === 'false') return json === 'true';
      return bad(json, type);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const t = numText(json, type);
      if (!/^[+-]?\d+$/.test(t)) return bad(json, type);
      const n = Number(t);
      const lim = type.kind === 'INT' ? 2 ** 31 : type.kind === 'SMALLINT' ? 2 ** 15 : 2 ** 7;
      if (n < -lim || n >= lim) return bad(json, type);
      return n;
    }
    case 'BIGINT': {
      const t = numText(json, type);
      if (!/^[+-]?\d+$/.test(t)) return bad(json, type);
      return BigInt.asIntN(64, BigInt(t));
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const n = typeof json === 'number' ? json : Number(numText(json, type));
      if (Number.isNaN(n) && json !== 'NaN') return bad(json, type);
      return type.kind === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'DECIMAL': {
      const d = typeof json === 'number' ? Decimal.fromNumber(json) : Decimal.parse(numText(json, type));
      if (!d) return bad(json, type);
      const r = d.setScale(type.scale);
      const u = r.unscaled < 0n ? -r.unscaled : r.unscaled;
      return u.toString().length > type.precision ? null : r;
    }
    case 'CHAR':
    case 'VARCHAR':
      if (typeof json === 'string') return json;
      if (json instanceof LosslessNumber) return json.text;
      return typeof json === 'object' ? JSON.stringify(json) : String(json);
    case 'BINARY':
    case 'VARBINARY':
      if (typeof json !== 'string') return bad(json, type);
      return new Uint8Array(Buffer.from(json, 'base64'));
    case 'DATE': {
      const d = typeof json === 'string' ? parseDate(json) : undefined;
      return d ?? bad(json, type);
    }
    case 'TIME': {
      const t = typeof json === 'string' ? parseTime(json) : undefined;
      return t ?? bad(json, type);
    }
    case 'TIMESTAMP': {
      const t = typeof json === 'string' ? parseTimestamp(json) : undefined;
      return t ?? bad(json, type);
    }
    case 'TIMESTAMP_LTZ': {
      if (typeof json !== 'string' || !/Z$/.test(json)) return bad(json, type);
      return parseTimestamp(json.slice(0, -1)) ?? bad(json, type);
    }
    case 'INTERVAL_YM':
    case 'INTERVAL_DT':
      return typeof json === 'number' ? json : bad(json, type);
    case 'ARRAY':
    case 'MULTISET':
      if (!Array.isArray(json)) return bad(json, type);
      return json.map((e) => fromJson(e, type.element));
    case 'MAP': {
      if (typeof json !== 'object' || Array.isArray(json)) return bad(json, type);
      const m = new Map<unknown, unknown>();
      for (const [k, x] of Object.entries(json as Record<string, unknown>))
        m.set(fromJson(k, type.key), fromJson(x, type.value));
      return m;
    }
    case 'ROW': {
      if (typeof json !== 'object' || Array.isArray(json)) return bad(json, type);
      const o = json as Record<string, unknown>;
      return type.fields.map((f) => fromJson(o[f.name] ?? null, f.type));
    }
    default:
      return null;
  }
}

const LITERALS: Array<[string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
const NUM_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses JSON text keeping long numbers exact (a small scanner: Node 20's JSON.parse does not expose the
 * source of numbers), then converts it to a value of `type`.
 */
export function parseJsonText(text: string, type: SqlType): unknown {
  let exact: unknown;
  try {
    exact = scanJson(text);
  } catch {
    throw new SqlRuntimeError(
      `Invalid JSON for ${formatType(type)}: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`,
    );
  }
  return fromJson(exact, type);
}

/** Parses JSON text keeping every number's source text as LosslessNumber (for JSON_VALUE/JSON_QUERY). Throws SyntaxError. */
export function parseJsonExact(text: string): unknown {
  return scanJson(text, true);
}

/** Compact JSON text of a value from parseJsonExact (numbers written as their source text). */
export function stringifyJsonExact(v: unknown): string {
  if (v instanceof LosslessNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringifyJsonExact).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringifyJsonExact(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function scanJson(text: string, allExact = false): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = Object.create(null);
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') throw new SyntaxError('key');
        ws();
        if (text[i++] !== ':') throw new SyntaxError(':');
        o[k] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === '}') return o;
        else throw new SyntaxError('}');
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === ']') return a;
        else throw new SyntaxError(']');
      }
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1));
      i = j + 1;
      return s;
    }
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUM_RE.lastIndex = i;
    const m = NUM_RE.exec(text);
    if (!m) throw new SyntaxError('value');
    i += m[0].length;
    if (allExact) return new LosslessNumber(m[0]);
    const n = Number(m[0]);
    return String(n) === m[0] || m[0].replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length <= 15
      ? n
      : new LosslessNumber(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) throw new SyntaxError('trailing characters');
  return v;
}
