/**
 * The contract between schema formats (this folder) and the registry's REST
 * and storage layer. The registry resolves references to schema text; formats
 * parse, canonicalize and compare schemas, and know nothing of subjects or ids.
 */

/** The three schema formats Confluent's registry serves. */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

/** A reference as registered: `name` is how the schema refers to it (Avro full name, JSON $ref/$id, .proto import path). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A reference resolved by the registry to the referenced schema's text. */
export interface ResolvedReference {
  name: string;
  schema: string;
  schemaType: SchemaType;
}

/** The outcome of a successful parse. */
export interface ParsedSchema {
  type: SchemaType;
  /** canonical text used for identity (same text → same id) */
  canonical: string;
  /** with normalize=true */
  normalized: string;
}

/** A malformed schema or reference: the registry answers HTTP 422, error_code 42201, with this message. */
export class SchemaParseError extends Error {
  override name = 'SchemaParseError';
}

/** Confluent's compatibility levels. */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** A schema with its resolved references, as compatibility checks take it. */
export interface SchemaWithRefs {
  schema: string;
  refs: ResolvedReference[];
}
