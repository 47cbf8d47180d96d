/**
 * Compiles a registered schema into its format's CompiledSchema, resolving
 * references transitively through the SchemaSource (deepest first), and
 * caches the result per source and schema id (or schema text when there is
 * no id yet), so nothing is parsed twice.
 */
import { SerdeError } from '../errors.ts';
import type { SchemaSource } from '../source.ts';
import type { RegisteredSchema, SchemaReference } from '../types.ts';
import { AvroSchema } from './avro.ts';
import { JsonSchema } from './json.ts';
import { ProtobufSchema } from './protobuf.ts';
import type { CompiledSchema } from './types.ts';

export type { CompiledSchema, FieldInfo, FieldType, FieldVisitor } from './types.ts';
export { AvroSchema, JsonSchema, ProtobufSchema };

interface Ref {
  name: string;
  schema: string;
}

/** The referenced schemas' text, transitively, dependencies before dependents; each name once. */
export async function resolveReferences(source: SchemaSource, refs: SchemaReference[], depth = 0): Promise<Ref[]> {
  if (depth > 32) throw new SerdeError('INVALID_PAYLOAD', 'Schema references nest too deeply (a cycle?)');
  const out: Ref[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const s = await source.version(ref.subject, ref.version);
    for (const inner of await resolveReferences(source, s.references ?? [], depth + 1)) {
      if (!seen.has(inner.name)) {
        seen.add(inner.name);
        out.push(inner);
      }
    }
    if (!seen.has(ref.name)) {
      seen.add(ref.name);
      out.push({ name: ref.name, schema: s.schema });
    }
  }
  return out;
}

function build(info: RegisteredSchema, refs: Ref[]): CompiledSchema {
  switch (info.schemaType) {
    case 'AVRO':
      return new AvroSchema(info, refs);
    case 'JSON':
      return new JsonSchema(info, refs);
    case 'PROTOBUF':
      return new ProtobufSchema(info, refs);
    default:
      throw new SerdeError('INVALID_PAYLOAD', `Unsupported schema type ${String(info.schemaType)}`);
  }
}

const MAX_ENTRIES = 10_000;
const pending = new WeakMap<SchemaSource, Map<string, Promise<CompiledSchema>>>();
const ready = new WeakMap<SchemaSource, Map<string, CompiledSchema>>();

function keyOf(info: RegisteredSchema): string {
  if (info.id >= 0) return `#${info.id}`;
  return JSON.stringify([info.schemaType, info.schema, info.references ?? []]);
}

/** An already compiled schema for this source and id, if any (no await: checkRecord's fast path). */
export function compiledById(source: SchemaSource, id: number): CompiledSchema | undefined {
  return ready.get(source)?.get(`#${id}`);
}

/** The compiled schema for `info`, built once per source and id. */
export function compile(source: SchemaSource, info: RegisteredSchema): Promise<CompiledSchema> {
  const key = keyOf(info);
  const done = ready.get(source)?.get(key);
  if (done) return Promise.resolve(done);
  let inFlight = pending.get(source);
  if (!inFlight) {
    inFlight = new Map();
    pending.set(source, inFlight);
  }
  const hit = inFlight.get(key);
  if (hit) return hit;
  const p = (async () => {
    const refs = await resolveReferences(source, info.references ?? []);
    const compiled = build(info, refs);
    let r = ready.get(source);
    if (!r) {
      r = new Map();
      ready.set(source, r);
    }
    if (r.size >= MAX_ENTRIES) r.clear();
    r.set(key, compiled);
    return compiled;
  })();
  inFlight.set(key, p);
  p.then(
    () => inFlight.delete(key),
    () => inFlight.delete(key),
  );
  return p;
}
