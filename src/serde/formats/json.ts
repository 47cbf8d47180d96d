/**
 * JSON Schema with ajv: the payload is JSON text; values are validated on
 * serialize and on deserialize. The draft is picked from `$schema` like the
 * registry's parser does (draftOf/fromDraft4 from src/registry/formats);
 * referenced schemas are added to the same ajv instance under their
 * reference name (and their `$id`). The field walk follows Confluent's JS
 * JsonSerializer: fullName is `$.a.b`, `$ref`s are followed, combined
 * schemas (allOf/anyOf/oneOf, type arrays) pick the subschemas the value
 * matches, and `confluent:tags` on a property are its inline tags.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { type Draft, draftOf, fromDraft4, type Json } from '../../registry/formats/json-schema.ts';
import { SerdeError } from '../errors.ts';
import type { RegisteredSchema } from '../types.ts';
import {
  type CompiledSchema,
  type FieldCtx,
  type FieldType,
  type FieldVisitor,
  PRIMITIVE_TYPES,
  visitLeaf,
} from './types.ts';

export interface ResolvedRef {
  name: string;
  schema: string;
}

type Obj = Record<string, unknown>;

function newAjv(draft: Draft): Ajv {
  const opts = { strict: false, validateFormats: false, validateSchema: false, allErrors: false } as const;
  if (draft === '2019-09') return new Ajv2019(opts);
  if (draft === '2020-12') return new Ajv2020(opts);
  const ajv = new Ajv(opts);
  ajv.addMetaSchema(draft06);
  return ajv;
}

/** Drops draft-04 `id`s ajv would reject in later drafts. */
function prep(doc: Json): Json {
  return draftOf(doc) === '4' ? fromDraft4(doc) : doc;
}

function stripId(s: Json): Json {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return s;
  const { $id: _, ...rest } = s;
  return rest;
}

function typeOf(s: unknown): FieldType {
  if (typeof s !== 'object' || s === null) return 'NULL';
  const o = s as Obj;
  if (o.type === undefined) {
    return o.properties && Object.keys(o.properties as Obj).length > 0 ? 'RECORD' : 'NULL';
  }
  if (Array.isArray(o.type)) return 'COMBINED';
  if (o.const !== undefined || o.enum !== undefined) return 'ENUM';
  switch (o.type) {
    case 'object':
      return o.properties && Object.keys(o.properties as Obj).length > 0 ? 'RECORD' : 'MAP';
    case 'array':
      return 'ARRAY';
    case 'string':
      return 'STRING';
    case 'integer':
      return 'INT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'NULL';
  }
}

function jsonTypeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return false;
  }
}

const NO_TAGS: readonly string[] = [];

type Plan =
  | { kind: 'record'; fields: Array<{ name: string; fullName: string; inlineTags: readonly string[]; plan: Plan }> }
  | { kind: 'array'; inner: Plan }
  | { kind: 'leaf'; type: FieldType }
  | { kind: 'dynamic'; schema: Obj; doc: Json; path: string }
  | { kind: 'none' };

const NONE: Plan = { kind: 'none' };

export class JsonSchema implements CompiledSchema {
  readonly info: RegisteredSchema;
  readonly recordName: string;
  readonly root: Json;
  readonly #validate: ValidateFunction;
  readonly #ajv: Ajv;
  readonly #docs = new Map<string, Json>();
  readonly #subValidators = new WeakMap<object, ValidateFunction | null>();
  readonly #plans = new Map<object, Map<string, Plan>>();
  #rootPlan: Plan | undefined;

  constructor(info: RegisteredSchema, refs: ResolvedRef[]) {
    this.info = info;
    try {
      this.root = JSON.parse(info.schema) as Json;
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Schema ${info.id} is not valid JSON: ${(e as Error).message}`);
    }
    const base =
      typeof this.root === 'object' &&
      this.root !== null &&
      !Array.isArray(this.root) &&
      typeof this.root.$id === 'string'
        ? this.root.$id
        : undefined;
    this.#ajv = newAjv(draftOf(this.root));
    try {
      for (const ref of refs) {
        const doc = prep(JSON.parse(ref.schema) as Json);
        this.#docs.set(ref.name, doc);
        const id = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc.$id : undefined;
        if (typeof id === 'string') {
          this.#docs.set(id, doc);
          this.#ajv.addSchema(doc as AnySchema);
        }
        if (id !== ref.name) this.#ajv.addSchema(stripId(doc) as AnySchema, ref.name);
        if (base !== undefined) {
          try {
            const resolved = new URL(ref.name, base).href;
            if (resolved !== ref.name && resolved !== id) {
              this.#ajv.addSchema(stripId(doc) as AnySchema, resolved);
              this.#docs.set(resolved, doc);
            }
          } catch {
            // not a URL: registered under its name only
          }
        }
      }
      this.#validate = this.#ajv.compile(prep(this.root) as AnySchema);
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Schema ${info.id} does not compile: ${(e as Error).message}`);
    }
    const title =
      typeof this.root === 'object' && this.root !== null && !Array.isArray(this.root) ? this.root.title : undefined;
    this.recordName = typeof title === 'string' ? title : '';
  }

  validate(value: unknown): string | null {
    if (this.#validate(value)) return null;
    return `Invalid message: ${this.#ajv.errorsText(this.#validate.errors, { dataVar: '$' })}`;
  }

  encode(value: unknown): { payload: Buffer } {
    const problem = this.validate(value);
    if (problem !== null) throw new SerdeError('INVALID_PAYLOAD', problem);
    return { payload: Buffer.from(JSON.stringify(value)) };
  }

  decode(payload: Buffer): unknown {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Payload is not JSON: ${(e as Error).message}`);
    }
    const problem = this.validate(value);
    if (problem !== null) throw new SerdeError('INVALID_PAYLOAD', problem);
    return value;
  }

  plain(value: unknown): unknown {
    return value;
  }

  walk(value: unknown, visit: FieldVisitor, write: boolean): unknown {
    if (!this.#rootPlan) this.#rootPlan = this.#planOf(this.root, this.root, '$', 0);
    return this.#run(this.#rootPlan, value, null, visit, write);
  }

  /**
   * The walk plan of a schema node at a path: properties, `$ref`s and types read once. Combined
   * schemas (type arrays, allOf/anyOf/oneOf) depend on the value and stay dynamic.
   */
  #planOf(schema: unknown, doc: Json, path: string, depth: number): Plan {
    if (typeof schema !== 'object' || schema === null) return NONE;
    const s = schema as Obj;
    if (depth > 32) return { kind: 'dynamic', schema: s, doc, path };
    let byPath = this.#plans.get(s);
    const hit = byPath?.get(path);
    if (hit) return hit;
    if (!byPath) {
      byPath = new Map();
      this.#plans.set(s, byPath);
    }
    const combined =
      Array.isArray(s.type) ||
      (Array.isArray(s.allOf) && s.allOf.length > 0) ||
      (Array.isArray(s.anyOf) && s.anyOf.length > 0) ||
      (Array.isArray(s.oneOf) && s.oneOf.length > 0);
    let plan: Plan;
    if (combined) plan = { kind: 'dynamic', schema: s, doc, path };
    else if (s.items !== undefined) {
      const arr: Plan = { kind: 'array', inner: NONE };
      byPath.set(path, arr);
      arr.inner = this.#planOf(s.items, doc, path, depth + 1);
      return arr;
    } else if (typeof s.$ref === 'string') {
      const target = this.#deref(s.$ref, doc);
      plan = target ? this.#planOf(target.schema, target.doc, path, depth + 1) : NONE;
    } else {
      const t = typeOf(s);
      if (t === 'RECORD') {
        const rec: Plan = { kind: 'record', fields: [] };
        byPath.set(path, rec);
        for (const [name, prop] of Object.entries((s.properties as Obj) ?? {})) {
          const fullName = `${path}.${name}`;
          const tags = (prop as Obj | null)?.['confluent:tags'];
          rec.fields.push({
            name,
            fullName,
            inlineTags: Array.isArray(tags) ? (tags as string[]) : NO_TAGS,
            plan: this.#planOf(prop, doc, fullName, depth + 1),
          });
        }
        return rec;
      }
      plan = PRIMITIVE_TYPES.has(t) ? { kind: 'leaf', type: t } : NONE;
    }
    byPath.set(path, plan);
    return plan;
  }

  #run(plan: Plan, value: unknown, field: FieldCtx | null, visit: FieldVisitor, write: boolean): unknown {
    if (value === null || value === undefined) return value;
    switch (plan.kind) {
      case 'leaf':
        return visitLeaf(field, plan.type, value, visit);
      case 'record': {
        if (typeof value !== 'object' || Array.isArray(value)) return value;
        const obj = value as Obj;
        for (const f of plan.fields) {
          const v = obj[f.name];
          if (v === null || v === undefined) continue;
          const ctx = { name: f.name, fullName: f.fullName, inlineTags: f.inlineTags, containing: obj };
          const out = this.#run(f.plan, v, ctx, visit, write);
          if (write) obj[f.name] = out;
        }
        return obj;
      }
      case 'array': {
        if (!Array.isArray(value)) return value;
        for (let i = 0; i < value.length; i++) {
          const out = this.#run(plan.inner, value[i], field, visit, write);
          if (write) value[i] = out;
        }
        return value;
      }
      case 'dynamic':
        return this.#walk(plan.schema, plan.doc, value, plan.path, field, visit, write, 0);
      default:
        return value;
    }
  }

  /** Follows a `$ref` from within `doc`; returns the target and the document it lives in. */
  #deref(ref: string, doc: Json): { schema: unknown; doc: Json } | undefined {
    const hash = ref.indexOf('#');
    const uri = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    const target = uri === '' ? doc : this.#docs.get(uri);
    if (target === undefined) return undefined;
    let node: unknown = target;
    if (pointer !== '') {
      for (const raw of pointer.split('/').slice(1)) {
        const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
        if (typeof node !== 'object' || node === null) return undefined;
        node = (node as Obj)[part];
      }
    }
    return { schema: node, doc: target };
  }

  #matches(schema: unknown, value: unknown): boolean {
    if (typeof schema !== 'object' || schema === null) return schema !== false;
    let v = this.#subValidators.get(schema);
    if (v === undefined) {
      try {
        v = this.#ajv.compile(schema as AnySchema);
      } catch {
        v = null;
      }
      this.#subValidators.set(schema, v);
    }
    return v === null ? false : v(value) === true;
  }

  #walk(
    schema: unknown,
    doc: Json,
    value: unknown,
    path: string,
    field: { name: string; fullName: string; inlineTags: readonly string[]; containing: unknown } | null,
    visit: FieldVisitor,
    write: boolean,
    depth: number,
  ): unknown {
    if (value === null || value === undefined || typeof schema !== 'object' || schema === null || depth > 64) {
      return value;
    }
    const s = schema as Obj;
    if (Array.isArray(s.type) && s.type.length > 0) {
      const t = (s.type as string[]).find((x) => jsonTypeMatches(x, value));
      if (t === undefined) return value;
      return this.#walk({ ...s, type: t }, doc, value, path, field, visit, write, depth + 1);
    }
    const allOf = Array.isArray(s.allOf) && s.allOf.length > 0 ? (s.allOf as unknown[]) : undefined;
    const anyOf = Array.isArray(s.anyOf) && s.anyOf.length > 0 ? (s.anyOf as unknown[]) : undefined;
    const oneOf = Array.isArray(s.oneOf) && s.oneOf.length > 0 ? (s.oneOf as unknown[]) : undefined;
    if (allOf || anyOf || oneOf) {
      let v: unknown = value;
      if (allOf) for (const sub of allOf) v = this.#walk(sub, doc, v, path, field, visit, write, depth + 1);
      else if (oneOf) {
        const sub = oneOf.find((x) => this.#matches(x, v));
        if (sub !== undefined) v = this.#walk(sub, doc, v, path, field, visit, write, depth + 1);
      } else if (anyOf) {
        for (const sub of anyOf) {
          if (this.#matches(sub, v)) v = this.#walk(sub, doc, v, path, field, visit, write, depth + 1);
        }
      }
      if (s.properties && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        this.#properties(s.properties as Obj, doc, v as Obj, path, visit, write, depth);
      }
      if (s.items && Array.isArray(v)) this.#items(s.items, doc, v, path, field, visit, write, depth);
      return v;
    }
    if (s.items !== undefined && Array.isArray(value)) {
      this.#items(s.items, doc, value, path, field, visit, write, depth);
      return value;
    }
    if (typeof s.$ref === 'string') {
      const target = this.#deref(s.$ref, doc);
      if (!target) return value;
      return this.#walk(target.schema, target.doc, value, path, field, visit, write, depth + 1);
    }
    const t = typeOf(s);
    if (t === 'RECORD') {
      if (s.properties && typeof value === 'object' && !Array.isArray(value)) {
        this.#properties(s.properties as Obj, doc, value as Obj, path, visit, write, depth);
      }
      return value;
    }
    // Enum/const values are not primitive fields (Confluent's CEL_FIELD skips them too).
    if (field !== null && PRIMITIVE_TYPES.has(t)) return visit({ ...field, type: t }, value);
    return value;
  }

  #properties(props: Obj, doc: Json, obj: Obj, path: string, visit: FieldVisitor, write: boolean, depth: number): void {
    for (const [name, propSchema] of Object.entries(props)) {
      const fullName = `${path}.${name}`;
      const v = obj[name];
      if (v === null || v === undefined) continue;
      const tags = (propSchema as Obj | null)?.['confluent:tags'];
      const field = {
        name,
        fullName,
        inlineTags: Array.isArray(tags) ? (tags as string[]) : NO_TAGS,
        containing: obj,
      };
      const out = this.#walk(propSchema, doc, v, fullName, field, visit, write, depth + 1);
      if (write) obj[name] = out;
    }
  }

  #items(
    items: unknown,
    doc: Json,
    arr: unknown[],
    path: string,
    field: { name: string; fullName: string; inlineTags: readonly string[]; containing: unknown } | null,
    visit: FieldVisitor,
    write: boolean,
    depth: number,
  ): void {
    for (let i = 0; i < arr.length; i++) {
      const out = this.#walk(items, doc, arr[i], path, field, visit, write, depth + 1);
      if (write) arr[i] = out;
    }
  }
}
