/**
 * AVRO: parsing with avsc, canonical identity, and the names table the
 * compatibility checker walks.
 *
 * Identity. Confluent identifies an Avro schema by its own printed form, not by
 * the Avro Parsing Canonical Form (which drops docs, defaults and aliases, so two
 * schemas with different defaults would share an id). We keep the author's JSON
 * exactly — key order, field order, docs, custom attributes — and only drop
 * insignificant whitespace: `JSON.stringify(JSON.parse(text))`.
 *
 * normalize=true additionally writes every named type with its full name, puts
 * keys in one fixed order, and collapses `{"type":"int"}` to `"int"`, so
 * schemas that differ only in spelling share an id.
 */
import avro from 'avsc';
import type { ParsedSchema, ResolvedReference } from './types.ts';
import { SchemaParseError } from './types.ts';

/** An Avro schema node as JSON: a type name, a union array or a complex type object. */
export type AvroNode = string | AvroNode[] | AvroObject;
export interface AvroObject {
  type: AvroNode;
  name?: string;
  namespace?: string;
  fields?: AvroField[];
  symbols?: string[];
  default?: unknown;
  items?: AvroNode;
  values?: AvroNode;
  size?: number;
  aliases?: string[];
  logicalType?: string;
  [key: string]: unknown;
}
export interface AvroField {
  name: string;
  type: AvroNode;
  default?: unknown;
  aliases?: string[];
  [key: string]: unknown;
}

// Full name of each named type node, recorded when collected, so a type reached
// through a reference knows its own namespace rather than the referrer's.
const FULL_NAMES = new WeakMap<object, string>();

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** A parsed Avro schema: its root and every named type (own and referenced) by full name. */
export interface AvroSchema {
  root: AvroNode;
  named: Map<string, AvroObject>;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SchemaParseError(`Invalid schema ${what}: not valid JSON (${(e as Error).message})`);
  }
}

function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.') || !namespace) return name;
  return `${namespace}.${name}`;
}

function namespaceOf(full: string): string | undefined {
  const i = full.lastIndexOf('.');
  return i < 0 ? undefined : full.slice(0, i);
}

/** Records every named type under its full name; `ns` is the enclosing namespace. */
function collectNames(node: AvroNode, ns: string | undefined, named: Map<string, AvroObject>): void {
  if (Array.isArray(node)) {
    for (const b of node) collectNames(b, ns, named);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const t = node.type;
  if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') {
    if (typeof node.name !== 'string') return;
    const full = fullName(node.name, node.namespace ?? ns);
    named.set(full, node);
    FULL_NAMES.set(node, full);
    const inner = namespaceOf(full);
    for (const f of node.fields ?? []) collectNames(f.type, inner, named);
    return;
  }
  if (node.items !== undefined) collectNames(node.items, ns, named);
  if (node.values !== undefined) collectNames(node.values, ns, named);
  if (typeof t === 'object') collectNames(t, ns, named);
}

/** Parses an Avro schema with its references (each a named type from another schema). */
export function parseAvro(text: string, refs: ResolvedReference[]): { schema: AvroSchema; parsed: ParsedSchema } {
  const registry: Record<string, unknown> = {};
  const named = new Map<string, AvroObject>();
  // References may depend on one another in any order: retry until no progress.
  let pending = refs.filter((r) => r.schemaType === 'AVRO');
  while (pending.length > 0) {
    const failed: ResolvedReference[] = [];
    let lastError = '';
    for (const ref of pending) {
      const json = parseJson(ref.schema, `reference '${ref.name}'`) as AvroNode;
      try {
        avro.Type.forSchema(json as avro.Schema, { registry: registry as never });
        collectNames(json, undefined, named);
      } catch (e) {
        failed.push(ref);
        lastError = (e as Error).message;
      }
    }
    if (failed.length === pending.length) {
      throw new SchemaParseError(
        `Invalid schema: reference '${failed[0]!.name}' is invalid or has unresolved references (${lastError})`,
      );
    }
    pending = failed;
  }
  const json = parseJson(text, 'text') as AvroNode;
  try {
    avro.Type.forSchema(json as avro.Schema, { registry: registry as never });
  } catch (e) {
    throw new SchemaParseError(`Invalid schema: ${(e as Error).message}`);
  }
  collectNames(json, undefined, named);
  return {
    schema: { root: json, named },
    parsed: { type: 'AVRO', canonical: JSON.stringify(json), normalized: JSON.stringify(normalize(json, undefined)) },
  };
}

const KEY_ORDER = ['type', 'name', 'namespace', 'doc', 'fields', 'symbols', 'items', 'values', 'size', 'default'];

function normalize(node: AvroNode, ns: string | undefined): unknown {
  if (Array.isArray(node)) return node.map((b) => normalize(b, ns));
  if (typeof node === 'string') return PRIMITIVES.has(node) ? node : fullName(node, ns);
  const keys = Object.keys(node).filter((k) => k !== 'namespace');
  const t = node.type;
  if (typeof t === 'string' && PRIMITIVES.has(t) && keys.length === 1) return t;
  const out: Record<string, unknown> = {};
  const isNamed = typeof node.name === 'string' && (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed');
  const inner = isNamed ? namespaceOf(fullName(node.name!, node.namespace ?? ns)) : ns;
  const ordered = [...KEY_ORDER.filter((k) => k in node), ...keys.filter((k) => !KEY_ORDER.includes(k)).sort()];
  for (const k of ordered) {
    if (k === 'namespace') continue;
    const v = node[k];
    if (k === 'type') out.type = typeof v === 'string' || typeof v === 'object' ? normalize(v as AvroNode, ns) : v;
    else if (k === 'name' && isNamed) out.name = fullName(v as string, node.namespace ?? ns);
    else if (k === 'items' || k === 'values') out[k] = normalize(v as AvroNode, ns);
    else if (k === 'fields') out.fields = (v as AvroField[]).map((f) => normalizeField(f, inner));
    else out[k] = v;
  }
  return out;
}

function normalizeField(f: AvroField, ns: string | undefined): unknown {
  const out: Record<string, unknown> = { name: f.name, type: normalize(f.type, ns) };
  for (const k of Object.keys(f).sort()) if (k !== 'name' && k !== 'type') out[k] = f[k];
  return out;
}

/** Resolves a node to a type object: named references through the table, primitives wrapped. */
export function resolveAvro(node: AvroNode, named: Map<string, AvroObject>, ns: string | undefined): AvroNode {
  if (typeof node === 'string') {
    if (PRIMITIVES.has(node)) return { type: node };
    return named.get(fullName(node, ns)) ?? named.get(node) ?? { type: node };
  }
  if (Array.isArray(node)) return node;
  if (typeof node.type === 'string' && !PRIMITIVES.has(node.type) && !isComplexKeyword(node.type)) {
    return resolveAvro(node.type, named, ns);
  }
  if (typeof node.type === 'object') return resolveAvro(node.type, named, ns);
  return node;
}

function isComplexKeyword(t: string): boolean {
  return t === 'record' || t === 'error' || t === 'enum' || t === 'fixed' || t === 'array' || t === 'map';
}

/** The namespace that names inside `node` inherit. */
export function innerNamespace(node: AvroObject, ns: string | undefined): string | undefined {
  if (typeof node.name !== 'string') return ns;
  return namespaceOf(FULL_NAMES.get(node) ?? fullName(node.name, node.namespace ?? ns));
}

/** The simple (unqualified) name of a named type. */
export function simpleName(node: AvroObject): string {
  const n = node.name ?? '';
  return n.slice(n.lastIndexOf('.') + 1);
}

/** The full name of a named type given its enclosing namespace. */
export function avroFullName(node: AvroObject, ns: string | undefined): string {
  return FULL_NAMES.get(node) ?? fullName(node.name ?? '', node.namespace ?? ns);
}
