/**
 * The serde's public entry: Confluent wire-format serializer and
 * deserializer with data-contract rules, the schema sources (REST and
 * in-process), the wire helpers, and checkRecord for the broker.
 */
export { type CheckResult, checkRecord } from './check.ts';
export { Deserializer, migrationsBetween } from './deserializer.ts';
export { SerdeError, type SerdeErrorCode } from './errors.ts';
export { type CompiledSchema, compile, type FieldInfo, type FieldType } from './formats/index.ts';
export { RegistrySchemaSource } from './registry-source.ts';
export type { DlqRecord } from './rules/actions.ts';
export { wildcardToRegExp } from './rules/cel-field.ts';
export { type SerdeContext, type SerdeOptions, Serializer } from './serializer.ts';
export { RegistryHttpError, RestSchemaSource, type SchemaSource } from './source.ts';
export { subjectName } from './subject.ts';
export type {
  Metadata,
  RegisteredSchema,
  Rule,
  RuleSet,
  SchemaReference,
  SchemaType,
  SubjectNameStrategy,
} from './types.ts';
export { decodeFrame, encodeFrame, MAGIC_BYTE, readMessageIndexes, writeMessageIndexes } from './wire.ts';
