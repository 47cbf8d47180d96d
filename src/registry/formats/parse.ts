/**
 * One entry point over the three format parsers, returning both the
 * identity texts and the format's own model for the compatibility checkers.
 */
import type { AvroSchema } from './avro.ts';
import { parseAvro } from './avro.ts';
import type { JsonSchemaModel } from './json-schema.ts';
import { parseJsonSchema } from './json-schema.ts';
import type { ProtoModel } from './protobuf.ts';
import { parseProtobuf } from './protobuf.ts';
import type { ParsedSchema, ResolvedReference, SchemaType } from './types.ts';
import { SchemaParseError } from './types.ts';

/** A parsed schema with its format's model. */
export type AnyParsed =
  | { type: 'AVRO'; parsed: ParsedSchema; model: AvroSchema }
  | { type: 'JSON'; parsed: ParsedSchema; model: JsonSchemaModel }
  | { type: 'PROTOBUF'; parsed: ParsedSchema; model: ProtoModel };

/** Parses a schema of any supported type; throws SchemaParseError. */
export function parseAny(type: SchemaType, schema: string, refs: ResolvedReference[]): AnyParsed {
  if (typeof schema !== 'string' || schema.trim() === '') throw new SchemaParseError('Invalid schema: empty schema');
  switch (type) {
    case 'AVRO': {
      const { schema: model, parsed } = parseAvro(schema, refs);
      return { type, parsed, model };
    }
    case 'JSON': {
      const { model, parsed } = parseJsonSchema(schema, refs);
      return { type, parsed, model };
    }
    case 'PROTOBUF': {
      const { model, parsed } = parseProtobuf(schema, refs);
      return { type, parsed, model };
    }
    default:
      throw new SchemaParseError(`Invalid schema type ${String(type)}: expected AVRO, JSON or PROTOBUF`);
  }
}
