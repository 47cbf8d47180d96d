/**
 * Keyword-level helpers for the JSON Schema checker (json-compat.ts): $ref
 * lookup, allOf merging, numeric bounds, types and content-model lookups.
 */
import type { Json, JsonObject, JsonSchemaModel } from './json-schema.ts';
import { draftOf, fromDraft4 } from './json-schema.ts';

/** A document of `model` in the spelling the checker reads (draft-04 rewritten to draft-06). */
export function prepDoc(model: JsonSchemaModel, s: Json): Json {
  return draftOf(model.root) === '4' ? fromDraft4(s) : s;
}

/** A schema node and the document its `$ref`s resolve in. */
export interface Node {
  s: Json;
  doc: Json;
}

export const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  'id',
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  'definitions',
  '$defs',
  'readOnly',
  'writeOnly',
  'deprecated',
  '$anchor',
]);

export const isObj = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  const ak = Object.keys(a as JsonObject);
  const bo = b as JsonObject;
  return ak.length === Object.keys(bo).length && ak.every((k) => equal((a as JsonObject)[k], bo[k]));
}

/** Lower and upper numeric bounds of a schema: value and exclusiveness. */
export function bound(s: JsonObject, side: 'min' | 'max'): { v: number; excl: boolean } | undefined {
  const incl = s[side === 'min' ? 'minimum' : 'maximum'];
  const exclK = s[side === 'min' ? 'exclusiveMinimum' : 'exclusiveMaximum'];
  if (typeof exclK === 'boolean') return typeof incl === 'number' ? { v: incl, excl: exclK } : undefined;
  const a = typeof incl === 'number' ? { v: incl, excl: false } : undefined;
  const b = typeof exclK === 'number' ? { v: exclK, excl: true } : undefined;
  if (!a || !b) return a ?? b;
  const tighter = side === 'min' ? b.v >= a.v : b.v <= a.v;
  return tighter ? b : a;
}

export function typesOf(s: JsonObject): Set<string> | undefined {
  const t = s.type;
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  const values = s.const !== undefined ? [s.const] : Array.isArray(s.enum) ? s.enum : undefined;
  if (values) return new Set(values.map(jsonType));
  return undefined;
}

export function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function typeAccepted(t: string, reader: Set<string>): boolean {
  return reader.has(t) || (t === 'integer' && reader.has('number'));
}

/** Merges two schemas that must both hold into one (the usual allOf flattening). */
export function conj(a: Json, b: Json): Json {
  if (a === false || b === false) return false;
  if (a === true || !isObj(a)) return b;
  if (b === true || !isObj(b)) return a;
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if ((k === 'properties' || k === 'patternProperties') && isObj(cur) && isObj(v)) {
      const merged: JsonObject = { ...cur };
      for (const [p, ps] of Object.entries(v)) merged[p] = merged[p] === undefined ? ps : conj(merged[p]!, ps);
      out[k] = merged;
    } else if (k === 'required' && Array.isArray(cur) && Array.isArray(v))
      out[k] = [...new Set([...cur, ...v])] as Json;
    else if (k === 'allOf' && Array.isArray(cur) && Array.isArray(v)) out[k] = [...cur, ...v];
    else if (k === 'items' && isObj(cur) && isObj(v)) out[k] = conj(cur, v);
    else if (['minimum', 'minLength', 'minItems', 'minProperties'].includes(k))
      out[k] = Math.max(cur as number, v as number);
    else if (['maximum', 'maxLength', 'maxItems', 'maxProperties'].includes(k))
      out[k] = Math.min(cur as number, v as number);
  }
  return out;
}

/** Follows a `$ref` (keeping sibling keywords), into another registered document when it names one. */
export function deref(n: Node, model: JsonSchemaModel, depth = 0): Node {
  if (!isObj(n.s) || typeof n.s.$ref !== 'string' || depth > 32) return n;
  const { $ref, ...siblings } = n.s;
  const target = lookup($ref, n.doc, model);
  if (target === undefined) return { s: siblings, doc: n.doc };
  const inner = deref(target, model, depth + 1);
  return { s: Object.keys(siblings).length === 0 ? inner.s : conj(inner.s, siblings), doc: inner.doc };
}

function lookup(ref: string, doc: Json, model: JsonSchemaModel): Node | undefined {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const frag = hash < 0 ? '' : ref.slice(hash + 1);
  let target = doc;
  if (base !== '') {
    const found =
      model.docs.get(base) ??
      [...model.docs.entries()].find(([name, d]) => base.endsWith(`/${name}`) || (isObj(d) && d.$id === base))?.[1];
    if (found === undefined) return undefined;
    target = prepDoc(model, found);
  }
  if (frag === '') return { s: target, doc: target };
  if (frag.startsWith('/')) {
    let cur: Json | undefined = target;
    for (const raw of frag.slice(1).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      cur = Array.isArray(cur) ? cur[Number(key)] : isObj(cur) ? cur[key] : undefined;
    }
    return cur === undefined ? undefined : { s: cur, doc: target };
  }
  const anchor = findAnchor(target, frag);
  return anchor === undefined ? undefined : { s: anchor, doc: target };
}

function findAnchor(v: Json, name: string): Json | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = findAnchor(x, name);
      if (f !== undefined) return f;
    }
    return undefined;
  }
  if (!isObj(v)) return undefined;
  if (v.$anchor === name || v.$id === `#${name}` || (typeof v.$id === 'string' && v.$id.endsWith(`#${name}`))) return v;
  for (const x of Object.values(v)) {
    const f = findAnchor(x, name);
    if (f !== undefined) return f;
  }
  return undefined;
}

/** The schema that governs property `name`: its `properties` entry, a matching pattern, or `additionalProperties`. */
export function governing(s: JsonObject, name: string): Json {
  const props = isObj(s.properties) ? s.properties : {};
  if (props[name] !== undefined) return props[name]!;
  if (isObj(s.patternProperties)) {
    for (const [p, ps] of Object.entries(s.patternProperties)) if (safeTest(p, name)) return ps;
  }
  return s.additionalProperties ?? true;
}

/** Positional items and the schema for the rest, in draft 4-7 (`items` array) or 2020-12 (`prefixItems`) spelling. */
export function tuple(s: JsonObject): { items: Json[]; rest: Json } {
  if (Array.isArray(s.prefixItems)) return { items: s.prefixItems, rest: s.items ?? true };
  if (Array.isArray(s.items)) return { items: s.items, rest: s.additionalItems ?? true };
  return { items: [], rest: s.items ?? true };
}

function safeTest(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(name);
  } catch {
    return false;
  }
}
