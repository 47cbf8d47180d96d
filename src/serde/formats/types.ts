/**
 * What the serializer, deserializer, rule executors and checkRecord need from
 * a schema format: encode/decode one payload, the record name (for the
 * RecordName strategies), and a walk over the primitive fields of a value
 * for field-level rules (CEL_FIELD), in Confluent's field-walk shape.
 */
import type { RegisteredSchema } from '../types.ts';

/** Confluent's field types (FieldType in its serdes); typeName in CEL_FIELD rules. */
export type FieldType =
  | 'RECORD'
  | 'ENUM'
  | 'ARRAY'
  | 'MAP'
  | 'COMBINED'
  | 'FIXED'
  | 'STRING'
  | 'BYTES'
  | 'INT'
  | 'LONG'
  | 'FLOAT'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'NULL';

export const PRIMITIVE_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'STRING',
  'BYTES',
  'INT',
  'LONG',
  'FLOAT',
  'DOUBLE',
  'BOOLEAN',
  'NULL',
]);

/** The field a primitive value sits in: `fullName` is `<record full name>.<field>` (Avro, Protobuf) or `$.a.b` (JSON). */
export interface FieldInfo {
  name: string;
  fullName: string;
  /** Type of the value itself (after union resolution), e.g. STRING. */
  type: FieldType;
  /** Tags written in the schema (`confluent:tags`). */
  inlineTags: readonly string[];
  /** The object holding the field. */
  containing: unknown;
}

/**
 * Called for each non-null primitive value inside a field (array items and
 * map values of a field count as that field). Returns the new value; the walk
 * writes it back when `write` is set.
 */
export type FieldVisitor = (field: FieldInfo, value: unknown) => unknown;

/** A field as a walk reaches it, before its value's type is known. */
export type FieldCtx = Omit<FieldInfo, 'type'>;

/** Visits a primitive value of `field`; a top-level value (no field) is left as it is. */
export function visitLeaf(field: FieldCtx | null, type: FieldType, value: unknown, visit: FieldVisitor): unknown {
  return field === null ? value : visit({ ...field, type }, value);
}

/** A schema made ready for encoding and decoding (cached per schema id). */
export interface CompiledSchema {
  readonly info: RegisteredSchema;
  /** Avro record full name, JSON Schema `title`, Protobuf first message's full name; '' when none. */
  readonly recordName: string;
  /** Validates and encodes; throws SerdeError INVALID_PAYLOAD. `messageIndexes` only for PROTOBUF. */
  encode(value: unknown): { payload: Buffer; messageIndexes?: number[] };
  /** Decodes (and for JSON validates); throws SerdeError INVALID_PAYLOAD. */
  decode(payload: Buffer, messageIndexes?: number[]): unknown;
  /** Decodes data written with `writer` as this (reader) schema, where the format resolves schemas (Avro). */
  decodeAs?(writer: CompiledSchema, payload: Buffer, messageIndexes?: number[]): unknown;
  /** Validates a value without encoding (JSON Schema after migrations); returns an error message or null. */
  validate?(value: unknown): string | null;
  /**
   * The value as plain data for CEL (cel-js refuses class instances such as
   * avsc records); the value itself when it already is plain.
   */
  plain(value: unknown): unknown;
  /** Walks primitive fields; returns the (possibly replaced) value. */
  walk(value: unknown, visit: FieldVisitor, write: boolean): unknown;
}
