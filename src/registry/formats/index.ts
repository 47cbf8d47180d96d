/**
 * Schema formats: parsing, canonical identity and compatibility for AVRO,
 * JSON Schema and PROTOBUF. The registry imports only from here.
 *
 * | file                | what                                                         |
 * |---------------------|--------------------------------------------------------------|
 * | types.ts            | the interface the registry compiles against                  |
 * | avro.ts             | Avro parsing (avsc), canonical and normalized text           |
 * | avro-compat.ts      | Avro reader/writer resolution rules                          |
 * | json-schema.ts      | JSON Schema parsing (ajv, drafts 4 to 2020-12)               |
 * | json-compat.ts      | JSON Schema content-model rules (is every old doc still valid) |
 * | json-keywords.ts    | $ref lookup, allOf merging, bounds and content-model helpers  |
 * | protobuf.ts         | .proto parsing (protobufjs) with imports from references     |
 * | protobuf-compat.ts  | Protobuf field number, wire type and message/enum rules      |
 * | parse.ts            | one parse entry over the three formats, with their models    |
 * | compat.ts           | compatibility levels: direction and transitivity             |
 */
import { checkLevel } from './compat.ts';
import { parseAny } from './parse.ts';
import type { CompatibilityLevel, ParsedSchema, ResolvedReference, SchemaType, SchemaWithRefs } from './types.ts';

export type {
  CompatibilityLevel,
  ParsedSchema,
  ResolvedReference,
  SchemaReference,
  SchemaType,
  SchemaWithRefs,
} from './types.ts';
export { SchemaParseError } from './types.ts';

/** Parses `schema` of `type` with its resolved references; throws SchemaParseError saying what is wrong. */
export function parseSchema(type: SchemaType, schema: string, refs: ResolvedReference[]): ParsedSchema {
  return parseAny(type, schema, refs).parsed;
}

/**
 * Checks `candidate` against `existing` (oldest first) at `level`; [] when compatible, else Confluent-style messages. Transitive levels check all, others only the latest.
 * Throws SchemaParseError when a schema does not parse. `oldSchemaVersion` in a message is the 1-based position in `existing`.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: SchemaWithRefs,
  existing: SchemaWithRefs[],
  type: SchemaType,
): string[] {
  return checkLevel(level, candidate, existing, type);
}
