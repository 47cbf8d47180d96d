/**
 * Avro schemas for SQL rows, as Flink's AvroSchemaConverter.convertToSchema derives them, and the
 * conversions between SQL runtime values and the serde's Avro values (avsc's: records as objects, longs as
 * numbers, bytes as Buffers, ["null", T] unions unwrapped).
 *
 * Derivation (`deriveAvroSchema`): the row is a record named `record` in namespace
 * `org.apache.flink.avro.generated`; a nested ROW field `f` is a record named `<parent>_f` (its array
 * elements and map values keep the field's name); a nullable type is the union ["null", T] and a nullable
 * field has `"default": null`. BOOLEAN→boolean, TINYINT/SMALLINT/INT→int, BIGINT→long, FLOAT→float,
 * DOUBLE→double, CHAR/VARCHAR/STRING→string, BINARY/VARBINARY/BYTES→bytes, DECIMAL(p,s)→bytes with
 * logicalType decimal (precision p, scale s), DATE→int date, TIME(p≤3)→int time-millis,
 * TIMESTAMP(p≤3)→long timestamp-millis and TIMESTAMP(4..6)→long timestamp-micros (Flink's legacy mapping,
 * its default; with `legacyTimestamps` false: local-timestamp-millis/-micros), TIMESTAMP_LTZ(p≤3)→long
 * timestamp-millis and (4..6)→timestamp-micros, ARRAY<T>→array, MAP<STRING,V>→map, MULTISET<T>→map of int
 * counts, ROW→record. Refused as Flink does: TIME(p>3), TIMESTAMP(p>6), MAP with non-string keys, INTERVAL.
 *
 * Value conversion works from an Avro schema JSON (the derived one, or an explicit `schema` option) and the
 * SQL type side by side, so logical types are honoured whatever the schema came from.
 */
import { ConnectorOptionError } from '../connectors/connector.ts';
import type { Field } from '../runtime/changelog.ts';
import {
  castToString,
  Decimal,
  formatType,
  parseDate,
  parseTime,
  parseTimestamp,
  SqlRuntimeError,
  type SqlType,
  toPrecision,
} from '../types/index.ts';

export const FLINK_AVRO_NAMESPACE = 'org.apache.flink.avro.generated';

// biome-ignore lint/suspicious/noExplicitAny: Avro schema JSON
type Json = any;

export interface DeriveOptions {
  /** Flink's legacy timestamp mapping (default): TIMESTAMP → timestamp-millis; false: local-timestamp-millis. */
  legacyTimestamps: boolean;
}

const unsupported = (t: SqlType) => new ConnectorOptionError(`Unsupported to derive Schema for type: ${formatType(t)}`);

function nullable(t: SqlType, s: Json): Json {
  return t.nullable ? ['null', s] : s;
}

function typeSchema(t: SqlType, rowName: string, o: DeriveOptions): Json {
  switch (t.kind) {
    case 'BOOLEAN':
      return nullable(t, 'boolean');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return nullable(t, 'int');
    case 'BIGINT':
      return nullable(t, 'long');
    case 'FLOAT':
      return nullable(t, 'float');
    case 'DOUBLE':
      return nullable(t, 'double');
    case 'CHAR':
    case 'VARCHAR':
      return nullable(t, 'string');
    case 'BINARY':
    case 'VARBINARY':
      return nullable(t, 'bytes');
    case 'DECIMAL':
      return nullable(t, { type: 'bytes', logicalType: 'decimal', precision: t.precision, scale: t.scale });
    case 'DATE':
      return nullable(t, { type: 'int', logicalType: 'date' });
    case 'TIME':
      if (t.precision > 3)
        throw new ConnectorOptionError(
          `Avro does not support TIME type with precision: ${t.precision}, it only supports precision less than 3.`,
        );
      return nullable(t, { type: 'int', logicalType: 'time-millis' });
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      if (t.precision > 6)
        throw new ConnectorOptionError(
          `Avro does not support ${t.kind === 'TIMESTAMP' ? 'TIMESTAMP' : 'LOCAL TIMESTAMP'} type with precision: ${t.precision}, it only supports precision less than 6.`,
        );
      const unit = t.precision <= 3 ? 'millis' : 'micros';
      const local = t.kind === 'TIMESTAMP' && !o.legacyTimestamps;
      return nullable(t, { type: 'long', logicalType: `${local ? 'local-' : ''}timestamp-${unit}` });
    }
    case 'ARRAY':
      return nullable(t, { type: 'array', items: typeSchema(t.element, rowName, o) });
    case 'MULTISET':
      return nullable(t, { type: 'map', values: t.element.nullable ? ['null', 'int'] : 'int' });
    case 'MAP':
      if (t.key.kind !== 'VARCHAR' && t.key.kind !== 'CHAR')
        throw new ConnectorOptionError(
          `Avro format doesn't support non-string as key type of map. The key type is: ${formatType(t.key)}`,
        );
      return nullable(t, { type: 'map', values: typeSchema(t.value, rowName, o) });
    case 'ROW':
      return nullable(t, recordSchema(t.fields, rowName, o, false));
    default:
      throw unsupported(t);
  }
}

function recordSchema(
  fields: ReadonlyArray<{ name: string; type: SqlType }>,
  name: string,
  o: DeriveOptions,
  top: boolean,
): Json {
  return {
    type: 'record',
    name,
    ...(top && { namespace: FLINK_AVRO_NAMESPACE }),
    fields: fields.map((f) => ({
      name: f.name,
      type: typeSchema(f.type, `${name}_${f.name}`, o),
      ...(f.type.nullable && { default: null }),
    })),
  };
}

/** Flink's derived Avro schema of a row of `fields` (a NOT NULL record). */
export function deriveAvroSchema(fields: readonly Field[], o: DeriveOptions): Json {
  return recordSchema(fields, 'record', o, true);
}

// ---- values ---------------------------------------------------------------------------------------------

/** Java BigInteger.toByteArray: minimal big-endian two's complement. */
export function bigintToBytes(v: bigint, size?: number): Buffer {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  if (size !== undefined) {
    if (n > size) throw new SqlRuntimeError(`Decimal value does not fit into ${size} bytes.`);
    n = size;
  }
  const hex = BigInt.asUintN(8 * n, v)
    .toString(16)
    .padStart(2 * n, '0');
  return Buffer.from(hex, 'hex');
}

export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  const u = BigInt(`0x${Buffer.from(b).toString('hex')}`);
  return (b[0]! & 0x80) !== 0 ? u - (1n << BigInt(8 * b.length)) : u;
}

/** A named-type table while walking a schema (named types may be referenced by name later). */
type Names = Map<string, Json>;

function qualify(name: string, ns: string): string {
  return name.includes('.') || !ns ? name : `${ns}.${name}`;
}

/** The schema node with named references resolved; records/enums/fixed are recorded in `names`. */
function resolveNode(node: Json, names: Names, ns: string): { node: Json; ns: string } {
  if (typeof node === 'string') {
    const named = names.get(qualify(node, ns)) ?? names.get(node);
    if (named) return { node: named.node, ns: named.ns };
    return { node: { type: node }, ns };
  }
  if (Array.isArray(node)) return { node, ns };
  if (typeof node.type === 'object' && node.type !== null) return resolveNode(node.type, names, ns);
  if (node.type === 'record' || node.type === 'error' || node.type === 'enum' || node.type === 'fixed') {
    const inner = typeof node.namespace === 'string' ? node.namespace : ns;
    const full = qualify(String(node.name), inner);
    const ownNs = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
    names.set(full, { node, ns: ownNs });
    return { node, ns: ownNs };
  }
  if (typeof node.type === 'string' && !['array', 'map'].includes(node.type) && !PRIMS.has(node.type)) {
    return resolveNode(node.type, names, ns);
  }
  return { node, ns };
}

const PRIMS = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

type Conv = (v: unknown) => unknown;

function branchName(b: Json, names: Names, ns: string): string {
  if (typeof b === 'string') {
    if (PRIMS.has(b)) return b;
    return qualify(b, ns);
  }
  if (Array.isArray(b)) return 'union';
  if (['record', 'error', 'enum', 'fixed'].includes(b.type)) {
    const inner = typeof b.namespace === 'string' ? b.namespace : ns;
    return qualify(String(b.name), inner);
  }
  if (typeof b.type === 'string' && PRIMS.has(b.type)) return b.type;
  if (b.type === 'array' || b.type === 'map') return b.type;
  return branchName(b.type, names, ns);
}

function rescale(d: Decimal, precision: number, scale: number, what: string): Decimal {
  const r = toPrecision(d, precision, scale);
  if (!r) throw new SqlRuntimeError(`Value ${d.toString()} of ${what} does not fit DECIMAL(${precision}, ${scale}).`);
  return r;
}

function toDecimal(v: unknown): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return new Decimal(v, 0);
  if (typeof v === 'number') {
    const d = Decimal.fromNumber(v);
    if (d) return d;
  }
  if (typeof v === 'string') {
    const d = Decimal.parse(v.trim());
    if (d) return d;
  }
  throw new SqlRuntimeError(`Cannot convert ${String(v)} to DECIMAL.`);
}

/** avsc's long range (longs as JavaScript numbers): ±9007199254740990. */
const MAX_AVSC_LONG = 9007199254740990n;

function toSafeNumber(v: unknown, what: string): number {
  if (typeof v === 'bigint') {
    if (v > MAX_AVSC_LONG || v < -MAX_AVSC_LONG)
      throw new SqlRuntimeError(
        `BIGINT value ${v} of ${what} is beyond ±${MAX_AVSC_LONG}, which the Avro serde (longs as JavaScript numbers) cannot encode exactly.`,
      );
    return Number(v);
  }
  if (v instanceof Decimal) return Number(v.toString());
  return Number(v);
}

/** SQL value → serde (avsc) value for Avro schema `schema` and SQL type `t`. */
export function avroEncoder(schema: Json, t: SqlType, path = 'the row', names: Names = new Map(), ns = ''): Conv {
  const { node, ns: nodeNs } = resolveNode(schema, names, ns);
  if (Array.isArray(node)) {
    const nonNull = node.filter((b) => b !== 'null' && b?.type !== 'null');
    if (nonNull.length === 0) return () => null;
    const inner = avroEncoder(nonNull[0], t, path, names, nodeNs);
    if (nonNull.length === 1) return (v) => (v === null || v === undefined ? null : inner(v));
    const bn = branchName(nonNull[0], names, nodeNs);
    return (v) => (v === null || v === undefined ? null : { [bn]: inner(v) });
  }
  const type: string = node.type;
  const logical: string | undefined = node.logicalType;
  switch (type) {
    case 'record':
    case 'error': {
      if (t.kind !== 'ROW') throw mismatch(path, t, 'record');
      const convs = (node.fields as Json[]).map((f) => {
        const i = t.fields.findIndex((x) => x.name === f.name);
        if (i < 0) return null;
        return {
          name: String(f.name),
          i,
          conv: avroEncoder(f.type, t.fields[i]!.type, `field '${f.name}'`, names, nodeNs),
        };
      });
      return (v) => {
        if (v === null || v === undefined) return null;
        const row = v as unknown[];
        const out: Record<string, unknown> = {};
        for (const c of convs) if (c) out[c.name] = c.conv(row[c.i] ?? null);
        return out;
      };
    }
    case 'array': {
      if (t.kind !== 'ARRAY' && t.kind !== 'MULTISET') throw mismatch(path, t, 'array');
      const inner = avroEncoder(node.items, t.element, path, names, nodeNs);
      return (v) => (v === null || v === undefined ? null : (v as unknown[]).map(inner));
    }
    case 'map': {
      if (t.kind === 'MULTISET') {
        return (v) => {
          if (v === null || v === undefined) return null;
          const out: Record<string, number> = {};
          for (const e of v as unknown[]) {
            const k = typeof e === 'string' ? e : castToString(e, t.element);
            out[k] = (out[k] ?? 0) + 1;
          }
          return out;
        };
      }
      if (t.kind !== 'MAP') throw mismatch(path, t, 'map');
      const inner = avroEncoder(node.values, t.value, path, names, nodeNs);
      return (v) => {
        if (v === null || v === undefined) return null;
        const out: Record<string, unknown> = {};
        for (const [k, x] of v as Map<unknown, unknown>) {
          if (k === null || k === undefined) throw new SqlRuntimeError(`Avro maps cannot hold a NULL key (${path}).`);
          out[typeof k === 'string' ? k : String(k)] = inner(x);
        }
        return out;
      };
    }
    case 'enum':
      return (v) => (v === null || v === undefined ? null : String(v));
    case 'fixed': {
      const size = Number(node.size);
      if (logical === 'decimal') {
        const p = Number(node.precision);
        const s = Number(node.scale ?? 0);
        return (v) => (v == null ? null : bigintToBytes(rescale(toDecimal(v), p, s, path).unscaled, size));
      }
      return (v) => (v == null ? null : Buffer.from(v as Uint8Array));
    }
    case 'null':
      return () => null;
    case 'boolean':
      return (v) => v;
    case 'int':
      if (logical === 'date' || logical === 'time-millis') return (v) => v;
      return (v) => (v == null ? null : toSafeNumber(v, path));
    case 'long': {
      if (logical?.endsWith('-micros')) return (v) => (v == null ? null : Math.round(Number(v) * 1000));
      if (logical?.endsWith('-nanos'))
        return (v) => (v == null ? null : toSafeNumber(BigInt(Math.round(Number(v))) * 1_000_000n, path));
      return (v) => (v == null ? null : toSafeNumber(v, path));
    }
    case 'float':
    case 'double':
      return (v) => (v == null ? null : toSafeNumber(v, path));
    case 'string':
      return (v) =>
        v == null
          ? null
          : typeof v === 'string'
            ? v
            : v instanceof Uint8Array
              ? Buffer.from(v).toString('utf8')
              : castToString(v, t);
    case 'bytes': {
      if (logical === 'decimal') {
        const p = Number(node.precision);
        const s = Number(node.scale ?? 0);
        return (v) => (v == null ? null : bigintToBytes(rescale(toDecimal(v), p, s, path).unscaled));
      }
      return (v) => (v == null ? null : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array));
    }
    default:
      throw new ConnectorOptionError(`Unsupported Avro type '${type}' for ${path}.`);
  }
}

function mismatch(path: string, t: SqlType, avro: string): ConnectorOptionError {
  return new ConnectorOptionError(
    `The Avro schema's ${avro} for ${path} does not match the column type ${formatType(t)}.`,
  );
}

/** Serde (avsc) value of Avro schema `schema` → SQL runtime value of type `t`. */
export function avroDecoder(schema: Json, t: SqlType, path = 'the row', names: Names = new Map(), ns = ''): Conv {
  const { node, ns: nodeNs } = resolveNode(schema, names, ns);
  if (Array.isArray(node)) {
    const nonNull = node.filter((b) => b !== 'null' && b?.type !== 'null');
    if (nonNull.length === 0) return () => null;
    if (nonNull.length === 1) {
      const inner = avroDecoder(nonNull[0], t, path, names, nodeNs);
      return (v) => (v === null || v === undefined ? null : inner(v));
    }
    // a wrapped union {branch: value}: the branch that matches
    const byName = new Map<string, Conv>();
    for (const b of nonNull) {
      try {
        byName.set(branchName(b, names, nodeNs), avroDecoder(b, t, path, names, nodeNs));
      } catch {
        // a branch the column cannot hold: reading it fails below
      }
    }
    return (v) => {
      if (v === null || v === undefined) return null;
      const [k, x] = Object.entries(v as Record<string, unknown>)[0] ?? [];
      const conv = k === undefined ? undefined : byName.get(k);
      if (!conv) throw new SqlRuntimeError(`Found ${k}, expecting ${formatType(t)} (${path}).`);
      return conv(x);
    };
  }
  const type: string = node.type;
  const logical: string | undefined = node.logicalType;
  switch (type) {
    case 'record':
    case 'error': {
      if (t.kind !== 'ROW') throw mismatch(path, t, 'record');
      const convs = t.fields.map((f) => {
        const af = (node.fields as Json[]).find((x) => x.name === f.name);
        return af ? avroDecoder(af.type, f.type, `field '${f.name}'`, names, nodeNs) : null;
      });
      const fieldNames = t.fields.map((f) => f.name);
      return (v) => {
        if (v === null || v === undefined) return null;
        const o = v as Record<string, unknown>;
        return convs.map((c, i) => (c ? c(o[fieldNames[i]!] ?? null) : null));
      };
    }
    case 'array': {
      if (t.kind !== 'ARRAY' && t.kind !== 'MULTISET') throw mismatch(path, t, 'array');
      const inner = avroDecoder(node.items, t.element, path, names, nodeNs);
      return (v) => (v == null ? null : (v as unknown[]).map(inner));
    }
    case 'map': {
      if (t.kind === 'MULTISET') {
        return (v) => {
          if (v == null) return null;
          const out: unknown[] = [];
          for (const [k, n] of Object.entries(v as Record<string, number | null>))
            for (let i = 0; i < (n ?? 0); i++) out.push(k);
          return out;
        };
      }
      if (t.kind !== 'MAP') throw mismatch(path, t, 'map');
      const inner = avroDecoder(node.values, t.value, path, names, nodeNs);
      return (v) =>
        v == null ? null : new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, inner(x)]));
    }
    default: {
      const scale = logical === 'decimal' ? Number(node.scale ?? 0) : undefined;
      const micros = logical?.endsWith('-micros') ?? false;
      const nanos = logical?.endsWith('-nanos') ?? false;
      return (v) => (v == null ? null : scalar(v, t, { scale, micros, nanos, path }));
    }
  }
}

function scalar(
  v: unknown,
  t: SqlType,
  o: { scale: number | undefined; micros: boolean; nanos: boolean; path: string },
): unknown {
  switch (t.kind) {
    case 'BOOLEAN':
      return Boolean(v);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return Number(v);
    case 'BIGINT':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'FLOAT':
      return Math.fround(Number(v));
    case 'DOUBLE':
      return Number(v);
    case 'DECIMAL': {
      const d =
        Buffer.isBuffer(v) || v instanceof Uint8Array
          ? new Decimal(bytesToBigint(v), o.scale ?? t.scale)
          : toDecimal(v);
      return rescale(d, t.precision, t.scale, o.path);
    }
    case 'CHAR':
    case 'VARCHAR':
      return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    case 'BINARY':
    case 'VARBINARY':
      return typeof v === 'string' ? new Uint8Array(Buffer.from(v)) : new Uint8Array(v as Uint8Array);
    case 'DATE':
      return typeof v === 'string' ? (parseDate(v) ?? null) : Number(v);
    case 'TIME':
      if (typeof v === 'string') return parseTime(v) ?? null;
      return o.micros ? Math.floor(Number(v) / 1000) : Number(v);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (typeof v === 'string') return parseTimestamp(v) ?? null;
      if (o.nanos) return Math.floor(Number(v) / 1_000_000);
      return o.micros ? Math.floor(Number(v) / 1000) : Number(v);
    default:
      throw new SqlRuntimeError(`Cannot read an Avro value into ${formatType(t)} (${o.path}).`);
  }
}

/**
 * The reader schema `reader` with its records renamed to the writer's names where they line up (Avro
 * resolution matches named types by name; Flink reads any writer record with its own derived schema).
 */
export function alignNames(reader: Json, writer: Json): Json {
  const used = new Set<string>();
  const wnames: Names = new Map();
  const walk = (r: Json, w: Json, wns: string): Json => {
    const { node: wn, ns: wnodeNs } = resolveNode(w, wnames, wns);
    if (Array.isArray(r)) {
      const rNonNull = r.filter((b) => b !== 'null');
      if (rNonNull.length !== 1) return r;
      const wBranches = Array.isArray(wn) ? wn : [wn];
      const wRec = wBranches
        .map((b) => resolveNode(b, wnames, wnodeNs))
        .find((x) => !Array.isArray(x.node) && x.node.type === rNonNull[0]?.type);
      if (!wRec) return r;
      return r.map((b) => (b === 'null' ? b : walk(b, wRec.node, wRec.ns)));
    }
    if (typeof r !== 'object' || r === null || Array.isArray(wn)) return r;
    if (r.type === 'record' && (wn.type === 'record' || wn.type === 'error')) {
      const full = qualify(String(wn.name), typeof wn.namespace === 'string' ? wn.namespace : wns);
      const out: Json = { ...r };
      if (!used.has(full)) {
        used.add(full);
        const dot = full.lastIndexOf('.');
        out.name = dot < 0 ? full : full.slice(dot + 1);
        out.namespace = dot < 0 ? '' : full.slice(0, dot);
      }
      out.fields = (r.fields as Json[]).map((f) => {
        const wf = (wn.fields as Json[]).find((x) => x.name === f.name);
        return wf ? { ...f, type: walk(f.type, wf.type, wnodeNs) } : f;
      });
      return out;
    }
    if (r.type === 'array' && wn.type === 'array') return { ...r, items: walk(r.items, wn.items, wnodeNs) };
    if (r.type === 'map' && wn.type === 'map') return { ...r, values: walk(r.values, wn.values, wnodeNs) };
    return r;
  };
  return walk(reader, writer, '');
}
