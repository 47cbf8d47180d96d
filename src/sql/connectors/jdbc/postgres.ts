/**
 * The PostgreSQL side of the `jdbc` connector: parsing `jdbc:postgresql://host:port/db` URLs, connection
 * pools, identifiers and the conversions between PostgreSQL's text format and the engine's values.
 *
 * Results are read as text (every type parser is the identity) and converted by the table's declared SQL
 * type, so int8, numeric and timestamps are exact; parameters are sent as text and typed by the server.
 * Sessions run with TimeZone = UTC, so timestamptz reads back as the instant.
 */
import pg from 'pg';
import type { Row } from '../../runtime/changelog.ts';
import {
  Decimal,
  formatDate,
  formatTime,
  formatTimestamp,
  formatType,
  MS_PER_DAY,
  parseDate,
  parseTime,
  parseTimestamp,
  type SqlType,
} from '../../types/index.ts';
import { ConnectorOptionError } from '../connector.ts';

export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
}

/** `jdbc:postgresql://host[:port]/database[?user=..&password=..]`; other URLs are refused. */
export function parseJdbcUrl(url: string): PgTarget {
  const m = /^jdbc:postgresql:\/\/(\[[^\]]+\]|[^/:?]+)(?::(\d+))?\/([^?]+)(?:\?(.*))?$/.exec(url.trim());
  if (!m)
    throw new ConnectorOptionError(
      `Could not find any jdbc dialect factory that can handle url '${url}'. Supported URLs: jdbc:postgresql://host[:port]/database (PostgreSQL only).`,
    );
  const params = new URLSearchParams(m[4] ?? '');
  return {
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: m[2] ? Number(m[2]) : 5432,
    database: decodeURIComponent(m[3]!),
    user: params.get('user') ?? undefined,
    password: params.get('password') ?? undefined,
  };
}

/** Text for every type: conversions are by the declared SQL type. */
const RAW_TYPES = { getTypeParser: () => (v: string) => v };

/** A connection pool; idle-client errors are swallowed (the next query reports the problem). */
export function createPool(target: PgTarget, connectTimeoutMs: number, max = 4): pg.Pool {
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    options: '-c TimeZone=UTC',
    types: RAW_TYPES,
  });
  pool.on('error', () => {});
  return pool;
}

/** Runs a query returning rows as arrays of text (or null). */
export async function queryText(
  pool: pg.Pool | pg.Client,
  text: string,
  values: unknown[] = [],
): Promise<Array<Array<string | null>>> {
  const r = await pool.query({ text, values, rowMode: 'array', types: RAW_TYPES });
  return r.rows as Array<Array<string | null>>;
}

/**
 * An identifier as PostgreSQL reads it unquoted (Flink's dialect does not quote): lower-case names are
 * quoted so reserved words work, others are left to PostgreSQL's case folding; `a.b` is schema.table.
 */
export function identifier(name: string): string {
  return name
    .split('.')
    .map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? `"${p}"` : p))
    .join('.');
}

/** Whether a column type can be read and written through the connector. */
export function supportedType(t: SqlType): boolean {
  return !['ARRAY', 'MULTISET', 'MAP', 'ROW', 'INTERVAL_YM', 'INTERVAL_DT', 'NULL'].includes(t.kind);
}

function bad(text: string, type: SqlType, column: string): never {
  throw new Error(`Cannot convert PostgreSQL value '${text}' of column '${column}' to ${formatType(type)}`);
}

/** Splits `±HH[:MM[:SS]]` off a timestamp's time part: [wall-clock text, offset in ms]. */
function splitOffset(text: string): [string, number] {
  const m = /^(.*[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text);
  if (!m) return [text, 0];
  const off = (Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0)) * 1000;
  return [m[1]!, m[2] === '-' ? -off : off];
}

/** A value in PostgreSQL's text output format as a value of `type`. */
export function fromPgText(text: string | null, type: SqlType, column: string): unknown {
  if (text === null) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (text === 't' || text === 'true') return true;
      if (text === 'f' || text === 'false') return false;
      return bad(text, type, column);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      if (!/^[+-]?\d+$/.test(text)) return bad(text, type, column);
      return Number(text);
    }
    case 'BIGINT':
      if (!/^[+-]?\d+$/.test(text)) return bad(text, type, column);
      return BigInt.asIntN(64, BigInt(text));
    case 'FLOAT':
    case 'DOUBLE': {
      const n = Number(text);
      if (Number.isNaN(n) && text !== 'NaN') return bad(text, type, column);
      return type.kind === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'DECIMAL': {
      const d = Decimal.parse(text);
      if (!d) return bad(text, type, column);
      const r = d.setScale(type.scale);
      const u = r.unscaled < 0n ? -r.unscaled : r.unscaled;
      return u.toString().length > type.precision ? null : r;
    }
    case 'CHAR':
    case 'VARCHAR':
      return text;
    case 'BINARY':
    case 'VARBINARY':
      if (text.startsWith('\\x')) return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
      return new Uint8Array(Buffer.from(text, 'utf8'));
    case 'DATE':
      return parseDate(text) ?? bad(text, type, column);
    case 'TIME':
      return parseTime(text.replace(/[+-]\d{2}(:?\d{2})?$/, '')) ?? bad(text, type, column);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const [wall, offset] = splitOffset(text);
      const local = parseTimestamp(wall);
      if (local === undefined) {
        const days = parseDate(wall);
        return days === undefined ? bad(text, type, column) : days * MS_PER_DAY;
      }
      // TIMESTAMP_LTZ is the instant; TIMESTAMP the wall clock (of UTC for a timestamptz column)
      return local - offset;
    }
    default:
      return bad(text, type, column);
  }
}

/** An engine value as a query parameter for a column of `type` (text the server casts). */
export function toPgParam(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'BIGINT':
    case 'DECIMAL':
      return String(v);
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(v as Uint8Array);
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, 6);
    case 'TIMESTAMP':
      return formatTimestamp(v as number, 6);
    case 'TIMESTAMP_LTZ':
      return `${formatTimestamp(v as number, 6)}+00`;
    default:
      return v;
  }
}

/** A row of text values converted to the physical columns' types. */
export function rowFromPg(values: Array<string | null>, columns: ReadonlyArray<{ name: string; type: SqlType }>): Row {
  return columns.map((c, i) => fromPgText(values[i] ?? null, c.type, c.name));
}
