/**
 * Helpers shared by the route files: Confluent's content type, version and
 * boolean parameters, request bodies and the schema response shape.
 */
import type { Context } from 'hono';
import { errors } from '../errors.ts';
import type { SchemaReference, SchemaType } from '../formats/index.ts';
import { descriptorToProto, protoToDescriptor } from '../formats/protobuf-descriptor.ts';
import { type Registry, SCHEMA_TYPES, type SchemaInput } from '../registry.ts';
import type { SchemaValue } from '../state.ts';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** A JSON answer with the registry's content type. */
export function reply(c: Context, body: unknown, status: 200 | 201 = 200): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': CONTENT_TYPE });
}

/** The schema text itself as the body (the `/schema` endpoints). */
export function replyRaw(c: Context, text: string): Response {
  return c.body(text, 200, { 'Content-Type': CONTENT_TYPE });
}

/** A query flag: `?x`, `?x=true` → true. */
export function flag(c: Context, name: string): boolean {
  const v = c.req.query(name);
  return v !== undefined && v.toLowerCase() !== 'false';
}

/** A path version: 1..2^31-1, `latest` or -1 (→ -1); 42202 otherwise. */
export function parseVersion(text: string): number {
  if (text === 'latest' || text === '-1') return -1;
  if (!/^\d+$/.test(text)) throw errors.invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > 2 ** 31 - 1) throw errors.invalidVersion(text);
  return n;
}

/** The request body as JSON whatever its content type (Confluent reads octet-stream and none as JSON). */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the body must be a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw errors.badRequest(`Unrecognized request body: ${(err as Error).message}`);
  }
}

/** A register/lookup/compatibility body; 42201 when the shape is wrong. */
export async function schemaBody(c: Context): Promise<SchemaInput> {
  const b = await jsonBody(c);
  if (typeof b.schema !== 'string' || b.schema === '') throw errors.invalidSchema('the body has no "schema" string');
  const type = (b.schemaType ?? 'AVRO') as SchemaType;
  if (!SCHEMA_TYPES.includes(type)) throw errors.invalidSchema(`unknown schemaType ${JSON.stringify(b.schemaType)}`);
  const refs = b.references ?? [];
  if (!Array.isArray(refs)) throw errors.invalidSchema('"references" must be an array');
  const references: SchemaReference[] = refs.map((r: unknown) => {
    const x = r as Partial<SchemaReference>;
    if (typeof x?.name !== 'string' || typeof x.subject !== 'string' || !Number.isInteger(x.version)) {
      throw errors.invalidSchema(`a reference needs name, subject and version: ${JSON.stringify(r)}`);
    }
    return { name: x.name, subject: x.subject, version: x.version as number };
  });
  // Confluent's Protobuf serdes may send a base64 FileDescriptorProto instead of .proto text
  const schema = (type === 'PROTOBUF' && descriptorToProto(b.schema)) || b.schema;
  const out: SchemaInput = { schema, schemaType: type, references };
  if (b.metadata !== undefined && b.metadata !== null) out.metadata = b.metadata;
  if (b.ruleSet !== undefined && b.ruleSet !== null) out.ruleSet = b.ruleSet;
  if (typeof b.id === 'number') out.id = b.id;
  if (typeof b.version === 'number') out.version = b.version;
  return out;
}

const serialized = new WeakMap<SchemaValue, string>();

/**
 * The schema text a read answers for `?format=`: `serialized` turns PROTOBUF
 * into the base64 FileDescriptorProto Confluent's Protobuf serdes ask for;
 * anything else (and other types) is the stored text.
 */
export function schemaText(reg: Registry, v: SchemaValue, format: string | undefined): string {
  if (format !== 'serialized' || v.schemaType !== 'PROTOBUF') return v.schema;
  let text = serialized.get(v);
  if (text === undefined) {
    text = protoToDescriptor(v.schema, reg.resolveRefs(v.references)).toString('base64');
    serialized.set(v, text);
  }
  return text;
}

/** `{subject, version, id, schemaType?, schema, references?, metadata?, ruleSet?}` (schemaType left out for AVRO). */
export function schemaResponse(v: SchemaValue, schema: string = v.schema): Record<string, unknown> {
  return {
    subject: v.subject,
    version: v.version,
    id: v.id,
    ...(v.schemaType !== 'AVRO' && { schemaType: v.schemaType }),
    schema,
    ...(v.references.length > 0 && { references: v.references }),
    ...(v.metadata !== undefined && { metadata: v.metadata }),
    ...(v.ruleSet !== undefined && { ruleSet: v.ruleSet }),
  };
}
