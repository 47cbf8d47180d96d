/**
 * AVRO with avsc: referenced schemas are parsed first into one shared avsc
 * registry so the main schema can use their named types (as the registry's
 * own parser does). Values are avsc's: records as objects, longs as numbers,
 * bytes as Buffers, unions of null and one type unwrapped, other unions
 * wrapped as `{branch: value}` — the same as Confluent's JS AvroSerializer.
 * Inline field tags come from `confluent:tags` on field definitions.
 */
import avro from 'avsc';
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

// biome-ignore lint/suspicious/noExplicitAny: avsc's typings leave most of Type untyped
type AnyType = any;

export interface ResolvedRef {
  name: string;
  schema: string;
}

function fieldType(t: AnyType): FieldType {
  switch (t.typeName as string) {
    case 'record':
    case 'error':
      return 'RECORD';
    case 'enum':
      return 'ENUM';
    case 'array':
      return 'ARRAY';
    case 'map':
      return 'MAP';
    case 'union:unwrapped':
    case 'union:wrapped':
      return 'COMBINED';
    case 'fixed':
      return 'FIXED';
    case 'string':
      return 'STRING';
    case 'bytes':
      return 'BYTES';
    case 'int':
      return 'INT';
    case 'long':
    case 'abstract:long':
      return 'LONG';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'NULL';
  }
}

/** `recordFullName.field` → tags, from `confluent:tags` in the schema JSON (Confluent's getInlineTags). */
function collectInlineTags(node: unknown, ns: string, out: Map<string, string[]>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) collectInlineTags(n, ns, out);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.type === 'array') collectInlineTags(o.items, ns, out);
  else if (o.type === 'map') collectInlineTags(o.values, ns, out);
  else if (o.type === 'record' || o.type === 'error') {
    const name = String(o.name ?? '');
    const recordNs =
      typeof o.namespace === 'string' ? o.namespace : name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ns;
    const full = name.includes('.') || recordNs === '' ? name : `${recordNs}.${name}`;
    for (const f of (o.fields as Array<Record<string, unknown>>) ?? []) {
      const tags = f['confluent:tags'];
      if (Array.isArray(tags) && typeof f.name === 'string') out.set(`${full}.${f.name}`, tags.map(String));
      collectInlineTags(f.type, recordNs, out);
    }
  } else if (typeof o.type === 'object') collectInlineTags(o.type, ns, out);
}

const NO_TAGS: readonly string[] = [];

export class AvroSchema implements CompiledSchema {
  readonly info: RegisteredSchema;
  readonly type: AnyType;
  readonly recordName: string;
  readonly #inlineTags = new Map<string, string[]>();
  readonly #resolvers = new WeakMap<object, AnyType>();
  readonly #plans = new Map<AnyType, Plan>();

  constructor(info: RegisteredSchema, refs: ResolvedRef[]) {
    this.info = info;
    const registry: Record<string, unknown> = {};
    // References may depend on one another in any order: retry until no progress.
    let pending = refs;
    while (pending.length > 0) {
      const failed: ResolvedRef[] = [];
      let lastError = '';
      for (const ref of pending) {
        try {
          const json = JSON.parse(ref.schema);
          avro.Type.forSchema(json, { registry } as never);
          collectInlineTags(json, '', this.#inlineTags);
        } catch (e) {
          failed.push(ref);
          lastError = (e as Error).message;
        }
      }
      if (failed.length === pending.length) {
        throw new SerdeError('INVALID_PAYLOAD', `Avro reference '${failed[0]?.name}' does not parse: ${lastError}`);
      }
      pending = failed;
    }
    try {
      const json = JSON.parse(info.schema);
      this.type = avro.Type.forSchema(json, { registry } as never);
      collectInlineTags(json, '', this.#inlineTags);
    } catch (e) {
      throw new SerdeError('INVALID_PAYLOAD', `Schema ${info.id} is not a valid Avro schema: ${(e as Error).message}`);
    }
    this.recordName = this.type.typeName === 'record' ? (this.type.name ?? '') : '';
  }

  encode(value: unknown): { payload: Buffer } {
    if (!this.type.isValid(value)) {
      let problem = 'invalid value';
      this.type.isValid(value, {
        errorHook: (path: string[], any: unknown, type: AnyType) => {
          if (problem === 'invalid value') {
            problem = `Invalid message at ${path.join('.') || '(root)'}, expected ${type.typeName ?? type}, got ${safeJson(any)}`;
          }
        },
      });
      throw new SerdeError('INVALID_PAYLOAD', problem);
    }
    return { payload: this.type.toBuffer(value) as Buffer };
  }

  decode(payload: Buffer): unknown {
    try {
      return this.type.fromBuffer(payload);
    } catch (e) {
      throw new SerdeError(
        'INVALID_PAYLOAD',
        `Payload does not decode as Avro schema ${this.info.id}: ${(e as Error).message}`,
      );
    }
  }

  decodeAs(writer: CompiledSchema, payload: Buffer): unknown {
    const w = (writer as AvroSchema).type;
    if (w === this.type || this.type.equals(w)) return this.decode(payload);
    let resolver = this.#resolvers.get(w);
    try {
      if (!resolver) {
        resolver = this.type.createResolver(w);
        this.#resolvers.set(w, resolver);
      }
      return this.type.fromBuffer(payload, resolver);
    } catch (e) {
      throw new SerdeError(
        'INVALID_PAYLOAD',
        `Payload written with schema ${writer.info.id} does not decode as schema ${this.info.id}: ${(e as Error).message}`,
      );
    }
  }

  plain(value: unknown): unknown {
    return toPlain(value);
  }

  walk(value: unknown, visit: FieldVisitor, write: boolean): unknown {
    return walkPlan(this.#planOf(this.type), value, null, visit, write);
  }

  /** The walk plan of a type: avsc's getters (fields, names) read once, recursion-safe. */
  #planOf(type: AnyType): Plan {
    const hit = this.#plans.get(type);
    if (hit) return hit;
    const typeName = type.typeName as string;
    switch (typeName) {
      case 'record':
      case 'error': {
        const plan: Plan = { kind: 'record', fields: [] };
        this.#plans.set(type, plan);
        for (const f of type.fields as Array<{ name: string; type: AnyType }>) {
          const fullName = `${type.name}.${f.name}`;
          plan.fields.push({
            name: f.name,
            fullName,
            inlineTags: this.#inlineTags.get(fullName) ?? NO_TAGS,
            plan: this.#planOf(f.type),
          });
        }
        return plan;
      }
      case 'array':
      case 'map': {
        const plan: Plan = { kind: typeName, inner: LEAF_NONE };
        this.#plans.set(type, plan);
        plan.inner = this.#planOf(typeName === 'array' ? type.itemsType : type.valuesType);
        return plan;
      }
      case 'union:unwrapped':
      case 'union:wrapped': {
        const plan: Plan = { kind: typeName === 'union:wrapped' ? 'wrapped' : 'union', branches: [] };
        this.#plans.set(type, plan);
        for (const t of type.types as AnyType[]) {
          plan.branches.push({ type: t, branchName: t.branchName as string, plan: this.#planOf(t) });
        }
        return plan;
      }
      default: {
        const t = fieldType(type);
        const plan: Plan = PRIMITIVE_TYPES.has(t) ? { kind: 'leaf', type: t } : LEAF_NONE;
        this.#plans.set(type, plan);
        return plan;
      }
    }
  }
}

interface FieldPlan {
  name: string;
  fullName: string;
  inlineTags: readonly string[];
  plan: Plan;
}

type Plan =
  | { kind: 'record'; fields: FieldPlan[] }
  | { kind: 'array' | 'map'; inner: Plan }
  | { kind: 'union' | 'wrapped'; branches: Array<{ type: AnyType; branchName: string; plan: Plan }> }
  | { kind: 'leaf'; type: FieldType }
  | { kind: 'none' };

const LEAF_NONE: Plan = { kind: 'none' };

function walkPlan(plan: Plan, value: unknown, field: FieldCtx | null, visit: FieldVisitor, write: boolean): unknown {
  if (value === null || value === undefined) return value;
  switch (plan.kind) {
    case 'leaf':
      return visitLeaf(field, plan.type, value, visit);
    case 'record': {
      const rec = value as Record<string, unknown>;
      for (const f of plan.fields) {
        if (!(f.name in rec)) continue;
        const ctx = { name: f.name, fullName: f.fullName, inlineTags: f.inlineTags, containing: rec };
        const out = walkPlan(f.plan, rec[f.name], ctx, visit, write);
        if (write) rec[f.name] = out;
      }
      return rec;
    }
    case 'array': {
      const arr = value as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const out = walkPlan(plan.inner, arr[i], field, visit, write);
        if (write) arr[i] = out;
      }
      return arr;
    }
    case 'map': {
      const m = value as Record<string, unknown>;
      for (const k of Object.keys(m)) {
        const out = walkPlan(plan.inner, m[k], field, visit, write);
        if (write) m[k] = out;
      }
      return m;
    }
    case 'union': {
      for (const b of plan.branches) {
        if (b.type.isValid(value)) return walkPlan(b.plan, value, field, visit, write);
      }
      return value;
    }
    case 'wrapped': {
      if (typeof value !== 'object') return value;
      const keys = Object.keys(value as object);
      if (keys.length !== 1) return value;
      const k = keys[0] as string;
      const b = plan.branches.find((x) => x.branchName === k);
      if (!b) return value;
      const inner = (value as Record<string, unknown>)[k];
      const out = walkPlan(b.plan, inner, field, visit, write);
      if (write && out !== inner) (value as Record<string, unknown>)[k] = out;
      return value;
    }
    default:
      return value;
  }
}

/** Records (class instances) as plain objects, deeply; Buffers and other leaves kept. */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = toPlain((v as Record<string, unknown>)[k]);
  return out;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
