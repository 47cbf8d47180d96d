/**
 * JSON Schema: parsing with ajv, picked by `$schema` (draft 4, 6 and 7 on the
 * default class, 2019-09 and 2020-12 on their own classes; no `$schema` means
 * draft 7, as Confluent assumes), references from the registry added as
 * schemas under their reference name, and `$ref` lookup for the checker.
 *
 * ajv 8 has no draft-04 class of its own: a draft-04 schema is compiled after
 * rewriting its two differences that matter to a compiler (`id` → `$id`,
 * boolean `exclusiveMinimum`/`exclusiveMaximum` → numeric bounds).
 *
 * Identity: the author's JSON without insignificant whitespace; normalize=true
 * also sorts object keys.
 */
import { Ajv, type AnySchema } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { ParsedSchema, ResolvedReference } from './types.ts';
import { SchemaParseError } from './types.ts';

/** A JSON value that is a schema: an object or a boolean. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A parsed JSON Schema: its root document and each referenced document by reference name. */
export interface JsonSchemaModel {
  root: Json;
  docs: Map<string, Json>;
}

export type Draft = '4' | '6' | '7' | '2019-09' | '2020-12';

/** Which draft a schema document declares. */
export function draftOf(schema: Json): Draft {
  const s = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.$schema : undefined;
  if (typeof s !== 'string') return '7';
  if (s.includes('draft-04')) return '4';
  if (s.includes('draft-06')) return '6';
  if (s.includes('2019-09')) return '2019-09';
  if (s.includes('2020-12')) return '2020-12';
  return '7';
}

/** Rewrites draft-04 spellings to their draft-06 equivalents (which ajv compiles). */
export function fromDraft4(node: Json): Json {
  if (Array.isArray(node)) return node.map(fromDraft4);
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema') out[k] = 'http://json-schema.org/draft-06/schema#';
    else if (k === 'id' && typeof v === 'string') out.$id = v;
    else if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') continue;
    else if (k === 'minimum' && node.exclusiveMinimum === true) out.exclusiveMinimum = v;
    else if (k === 'maximum' && node.exclusiveMaximum === true) out.exclusiveMaximum = v;
    else out[k] = fromDraft4(v);
  }
  return out;
}

function newAjv(draft: Draft): Ajv {
  // Meta-schema validation runs separately (checkMeta) so that a few things
  // Confluent accepts, such as an empty enum, are not rejected.
  const opts = { strict: false, validateFormats: false, validateSchema: false } as const;
  if (draft === '2019-09') return new Ajv2019(opts);
  if (draft === '2020-12') return new Ajv2020(opts);
  const ajv = new Ajv(opts);
  ajv.addMetaSchema(draft06);
  return ajv;
}

const SHARED = new Map<Draft, Ajv>();

function sharedAjv(draft: Draft): Ajv {
  let ajv = SHARED.get(draft);
  if (!ajv) SHARED.set(draft, (ajv = newAjv(draft)));
  return ajv;
}

function parseJson(text: string, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new SchemaParseError(`Invalid schema ${what}: not valid JSON (${(e as Error).message})`);
  }
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
  return out;
}

/** Parses and compiles a JSON Schema with its references; throws SchemaParseError saying what is wrong. */
export function parseJsonSchema(
  text: string,
  refs: ResolvedReference[],
): { model: JsonSchemaModel; parsed: ParsedSchema } {
  const root = parseJson(text, 'text');
  if (typeof root !== 'boolean' && (typeof root !== 'object' || root === null || Array.isArray(root))) {
    throw new SchemaParseError('Invalid schema: a JSON Schema must be an object or a boolean');
  }
  const draft = draftOf(root);
  // A new instance costs ~15 ms (it compiles its meta-schemas): schemas without
  // references share one per draft and are removed from it after compiling.
  const shared = refs.length === 0;
  const ajv = shared ? sharedAjv(draft) : newAjv(draft);
  const prep = (s: Json): Json => (draftOf(s) === '4' ? forAjv(fromDraft4(s)) : forAjv(s));
  const docs = new Map<string, Json>();
  const base = typeof root === 'object' && typeof root.$id === 'string' ? root.$id : undefined;
  for (const ref of refs) {
    const doc = parseJson(ref.schema, `reference '${ref.name}'`);
    docs.set(ref.name, doc);
    try {
      const prepared = prep(doc) as AnySchema;
      checkMeta(ajv, prepared);
      const id = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc.$id : undefined;
      // Registered under its reference name, and under that name resolved
      // against the root's $id, so either spelling of the $ref finds it.
      if (typeof id === 'string') ajv.addSchema(prepared);
      if (id !== ref.name) ajv.addSchema(stripId(prepared), ref.name);
      if (base !== undefined) {
        const resolved = resolveUrl(ref.name, base);
        if (resolved !== undefined && resolved !== ref.name && resolved !== id)
          ajv.addSchema(stripId(prepared), resolved);
      }
    } catch (e) {
      throw new SchemaParseError(
        `Either the input schema or one its references is invalid: reference '${ref.name}': ${(e as Error).message}`,
      );
    }
  }
  try {
    const prepared = prep(root) as AnySchema;
    checkMeta(ajv, prepared);
    try {
      ajv.compile(prepared);
    } finally {
      if (shared && typeof prepared === 'object') ajv.removeSchema(prepared);
    }
  } catch (e) {
    const msg = (e as Error).message;
    const prefix = /can't resolve reference/i.test(msg)
      ? 'Either the input schema or one its references is invalid'
      : 'Invalid schema';
    throw new SchemaParseError(`${prefix}: ${msg}`);
  }
  return {
    model: { root, docs },
    parsed: { type: 'JSON', canonical: JSON.stringify(root), normalized: JSON.stringify(sortKeys(root)) },
  };
}

/** Validates a schema against its draft's meta-schema, tolerating an empty `enum`. */
function checkMeta(ajv: Ajv, schema: AnySchema): void {
  if (typeof schema === 'boolean') return;
  ajv.validateSchema(schema);
  const errors = (ajv.errors ?? []).filter((e) => !(e.keyword === 'minItems' && e.instancePath.endsWith('/enum')));
  // The meta-schema's own anyOf/oneOf wrappers report once more for the tolerated error.
  const real = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  if (real.length > 0) throw new Error(`schema is invalid: ${ajv.errorsText(real)}`);
}

/**
 * Spells two things ajv refuses in their equivalent form: draft-04's `id` in a
 * later draft (only an unknown keyword there) is dropped, and an empty `enum`
 * (which accepts nothing) becomes `not: {}`.
 */
function forAjv(v: Json): Json {
  if (Array.isArray(v)) return v.map(forAjv);
  if (typeof v !== 'object' || v === null) return v;
  const out: JsonObject = {};
  let acceptsNothing = false;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'id' && typeof x === 'string') continue;
    if (k === 'enum' && Array.isArray(x) && x.length === 0) acceptsNothing = true;
    else out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'examples' ? x : forAjv(x);
  }
  if (acceptsNothing) out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), { not: {} }];
  return out;
}

function stripId(s: AnySchema): AnySchema {
  if (typeof s !== 'object' || s === null) return s;
  const { $id: _, ...rest } = s as Record<string, unknown>;
  return rest;
}

function resolveUrl(name: string, base: string): string | undefined {
  try {
    return new URL(name, base).href;
  } catch {
    return undefined;
  }
}
