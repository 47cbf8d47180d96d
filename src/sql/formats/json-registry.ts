/**
 * Confluent Cloud's `json-registry` format: JSON Schema in Confluent's wire format through a schema
 * registry, with ../../serde's Serializer (validates against the schema, runs the subject's WRITE rules) and
 * Deserializer (validates against the writer schema, runs READ rules). Options: see registry.ts
 * (`json-registry.url` required; `subject`, `schema`, `auto.register.schemas`, `ignore-parse-errors`, auth).
 *
 * The derived JSON Schema (draft-07) of a row: `{"type":"object","title":"record","properties":{…},
 * "required":[NOT NULL columns]}`; a nullable type is `{"oneOf":[{"type":"null"}, T]}`. Types, with Kafka
 * Connect's annotations as Confluent Cloud writes them: BOOLEAN boolean; TINYINT/SMALLINT/INT/BIGINT integer
 * (`connect.type` int8/int16/int32/int64); FLOAT/DOUBLE number (float32/float64); DECIMAL(p,s) number (title
 * org.apache.kafka.connect.data.Decimal, `connect.parameters` scale and precision); CHAR/VARCHAR string;
 * BINARY/VARBINARY base64 string (`connect.type` bytes); DATE integer days since the epoch, TIME integer ms of
 * the day, TIMESTAMP / TIMESTAMP_LTZ integer epoch milliseconds (titles org.apache.kafka.connect.data.Date /
 * Time / Timestamp); ARRAY array; MAP<STRING,V> object with additionalProperties; other MAPs an array of
 * {key, value} objects (`connect.type` map); ROW a nested object titled `record_<field>`. Reading maps
 * properties to columns by name; temporal values are also accepted as SQL-format strings, DECIMAL as strings.
 * Numbers travel as JSON numbers, so BIGINT beyond ±2^53-1 and DECIMAL beyond 15-17 digits are refused on
 * write / lose digits on read.
 */
import { ConnectorOptionError } from '../connectors/connector.ts';
import type { Field, Row } from '../runtime/changelog.ts';
import {
  Decimal,
  formatType,
  parseDate,
  parseTime,
  parseTimestamp,
  SqlRuntimeError,
  type SqlType,
  T,
  toPrecision,
} from '../types/index.ts';
import { type Format, type FormatContext, registerFormat } from './format.ts';
import { messageOf, REGISTRY_OPTION_PREFIXES, REGISTRY_OPTIONS, RegistrySerde, registrySettings } from './registry.ts';

type Json = Record<string, unknown>;

function connectInt(t: SqlType): string {
  return t.kind === 'TINYINT' ? 'int8' : t.kind === 'SMALLINT' ? 'int16' : t.kind === 'INT' ? 'int32' : 'int64';
}

function typeSchema(t: SqlType, title: string): Json {
  const s = baseSchema(t, title);
  return t.nullable ? { oneOf: [{ type: 'null' }, s] } : s;
}

function baseSchema(t: SqlType, title: string): Json {
  switch (t.kind) {
    case 'BOOLEAN':
      return { type: 'boolean' };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return { type: 'integer', 'connect.type': connectInt(t) };
    case 'FLOAT':
      return { type: 'number', 'connect.type': 'float32' };
    case 'DOUBLE':
      return { type: 'number', 'connect.type': 'float64' };
    case 'DECIMAL':
      return {
        type: 'number',
        title: 'org.apache.kafka.connect.data.Decimal',
        'connect.parameters': { scale: String(t.scale), 'connect.decimal.precision': String(t.precision) },
      };
    case 'CHAR':
    case 'VARCHAR':
      return { type: 'string' };
    case 'BINARY':
    case 'VARBINARY':
      return { type: 'string', 'connect.type': 'bytes' };
    case 'DATE':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Date', 'connect.type': 'int32' };
    case 'TIME':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Time', 'connect.type': 'int32' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return { type: 'integer', title: 'org.apache.kafka.connect.data.Timestamp', 'connect.type': 'int64' };
    case 'ARRAY':
      return { type: 'array', items: typeSchema(t.element, title) };
    case 'MAP':
      if (t.key.kind === 'VARCHAR' || t.key.kind === 'CHAR')
        return { type: 'object', additionalProperties: typeSchema(t.value, title) };
      return {
        type: 'array',
        'connect.type': 'map',
        items: {
          type: 'object',
          properties: { key: typeSchema(t.key, title), value: typeSchema(t.value, title) },
          required: ['key', 'value'].filter((_, i) => !(i === 0 ? t.key : t.value).nullable),
        },
      };
    case 'ROW':
      return objectSchema(t.fields, title);
    default:
      throw new ConnectorOptionError(`Unsupported to derive JSON Schema for type: ${formatType(t)}`);
  }
}

function objectSchema(fields: ReadonlyArray<{ name: string; type: SqlType }>, title: string): Json {
  const required = fields.filter((f) => !f.type.nullable).map((f) => f.name);
  return {
    type: 'object',
    title,
    properties: Object.fromEntries(fields.map((f) => [f.name, typeSchema(f.type, `${title}_${f.name}`)])),
    ...(required.length > 0 && { required }),
  };
}

/** The JSON Schema derived from a row of `fields`. */
export function deriveJsonSchema(fields: readonly Field[]): Json {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...objectSchema(fields, 'record') };
}

function num(v: unknown, what: string): number {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER))
      throw new SqlRuntimeError(
        `BIGINT value ${v} of ${what} is beyond ±2^53-1 and cannot be written as a JSON number exactly.`,
      );
    return Number(v);
  }
  return Number(v);
}

/** SQL value → JSON value for the derived schema. */
function toJsonValue(v: unknown, t: SqlType, what: string): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return num(v, what);
    case 'DECIMAL':
      return Number((v as Decimal).toString());
    case 'BINARY':
    case 'VARBINARY':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'ARRAY':
    case 'MULTISET':
      return (v as unknown[]).map((e) => toJsonValue(e, t.element, what));
    case 'MAP': {
      const m = v as Map<unknown, unknown>;
      if (t.key.kind === 'VARCHAR' || t.key.kind === 'CHAR') {
        const o: Record<string, unknown> = {};
        for (const [k, x] of m) o[String(k)] = toJsonValue(x, t.value, what);
        return o;
      }
      return [...m].map(([k, x]) => ({ key: toJsonValue(k, t.key, what), value: toJsonValue(x, t.value, what) }));
    }
    case 'ROW': {
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => {
        o[f.name] = toJsonValue((v as unknown[])[i] ?? null, f.type, `field '${f.name}'`);
      });
      return o;
    }
    default:
      return v;
  }
}

function decimalOf(v: unknown, t: Extract<SqlType, { kind: 'DECIMAL' }>): Decimal | null {
  const d = typeof v === 'number' ? Decimal.fromNumber(v) : typeof v === 'string' ? Decimal.parse(v.trim()) : undefined;
  if (!d) throw new SqlRuntimeError(`Cannot read ${JSON.stringify(v)} as ${formatType(t)}.`);
  return toPrecision(d, t.precision, t.scale);
}

/** JSON value → SQL value of type t (fields by name). */
function fromJsonValue(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'BOOLEAN':
      return typeof v === 'string' ? v.toLowerCase() === 'true' : Boolean(v);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return Math.trunc(Number(v));
    case 'BIGINT':
      return typeof v === 'string' ? BigInt(v.trim()) : BigInt(Math.trunc(Number(v)));
    case 'FLOAT':
      return Math.fround(Number(v));
    case 'DOUBLE':
      return Number(v);
    case 'DECIMAL':
      return decimalOf(v, t);
    case 'CHAR':
    case 'VARCHAR':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'BINARY':
    case 'VARBINARY':
      return new Uint8Array(Buffer.from(String(v), 'base64'));
    case 'DATE':
      return typeof v === 'string' ? (parseDate(v) ?? null) : Number(v);
    case 'TIME':
      return typeof v === 'string' ? (parseTime(v) ?? null) : Number(v);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return typeof v === 'string' ? (parseTimestamp(v) ?? null) : Number(v);
    case 'ARRAY':
    case 'MULTISET':
      return Array.isArray(v) ? v.map((e) => fromJsonValue(e, t.element)) : null;
    case 'MAP':
      if (Array.isArray(v))
        return new Map(
          v.map((e) => [fromJsonValue((e as Json)?.key, t.key), fromJsonValue((e as Json)?.value, t.value)]),
        );
      return new Map(Object.entries(v as Json).map(([k, x]) => [fromJsonValue(k, t.key), fromJsonValue(x, t.value)]));
    case 'ROW': {
      if (typeof v !== 'object' || Array.isArray(v))
        throw new SqlRuntimeError(`Expected an object for ${formatType(t)}.`);
      const o = v as Json;
      return t.fields.map((f) => fromJsonValue(o[f.name], f.type));
    }
    default:
      throw new SqlRuntimeError(`Cannot read JSON into ${formatType(t)}.`);
  }
}

function create(fields: Field[], options: Record<string, string>, ctx?: FormatContext): Format {
  const settings = registrySettings('json-registry', options, ctx);
  let schema: unknown;
  if (options.schema !== undefined) {
    try {
      schema = JSON.parse(options.schema);
    } catch (err) {
      throw new ConnectorOptionError(`Option 'json-registry.schema' is not valid JSON: ${messageOf(err)}`);
    }
  } else schema = deriveJsonSchema(fields);
  const rowType = T.row(
    fields.map((f) => ({ name: f.name, type: f.type })),
    false,
  );
  const serde = new RegistrySerde('JSON', JSON.stringify(schema), settings);
  const what = settings.isKey ? 'key' : 'value';
  return {
    deserialize(): Row | null {
      throw new SqlRuntimeError(`The 'json-registry' format decodes asynchronously (deserializeAsync).`);
    },
    serialize(): Buffer {
      throw new SqlRuntimeError(`The 'json-registry' format encodes asynchronously (serializeAsync).`);
    },
    async deserializeAsync(bytes: Buffer, topic: string): Promise<Row | null> {
      try {
        const msg = await serde.of(topic).de.deserialize(topic, bytes);
        if (msg === null) return null;
        return fromJsonValue(msg, rowType) as Row;
      } catch (err) {
        if (settings.ignoreParseErrors) return null;
        throw new SqlRuntimeError(
          `Failed to deserialize JSON record (${what} of topic '${topic}', subject '${serde.subjectOf(topic)}'): ${messageOf(err)}`,
        );
      }
    },
    async serializeAsync(row: Row, topic: string): Promise<Buffer> {
      return serde.serialize(topic, toJsonValue(row, rowType, 'the row'), `a ${what} row`);
    },
  };
}

registerFormat({
  identifier: 'json-registry',
  options: REGISTRY_OPTIONS,
  optionPrefixes: REGISTRY_OPTION_PREFIXES,
  create,
});
