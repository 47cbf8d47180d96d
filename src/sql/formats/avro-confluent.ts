/**
 * Flink's `avro-confluent` format and Confluent Cloud's `avro-registry`: Avro in Confluent's wire format
 * (magic byte 0, schema id) through a schema registry, with ../../serde's Serializer and Deserializer, so
 * the subject's data-contract rules run (a failing WRITE condition fails the INSERT job with the rule's
 * message; READ rules run on the consumer side).
 *
 * Writing: the writer schema is the `schema` option or the schema derived from the row type (see
 * avro-schema.ts: Flink's AvroSchemaConverter); it is registered under the subject (`subject`, default
 * `<topic>-value` / `<topic>-key`) on the first record unless `auto.register.schemas` = false, and every row is
 * encoded with that schema's id.
 *
 * Reading: any writer schema id; the record is decoded with its writer schema (rules applied), then
 * resolved into the reader schema (the `schema` option or the derived one) with Avro's resolution rules
 * (fields by name, writer-only fields dropped, reader-only nullable fields NULL, promotions int→long→float→
 * double, string↔bytes), then converted into the row. A record that is not in the wire format, has an
 * unknown id or does not resolve fails the job ("Failed to deserialize Avro record …"), or is skipped with
 * `ignore-parse-errors` = true.
 *
 * `avro-confluent` follows Flink's legacy timestamp mapping (TIMESTAMP → timestamp-millis; set
 * `timestamp_mapping.legacy` = false for local-timestamp-millis); `avro-registry` maps like Confluent Cloud:
 * TIMESTAMP → local-timestamp-millis, TIMESTAMP_LTZ → timestamp-millis.
 */
import avro from 'avsc';
import { AvroSchema } from '../../serde/formats/index.ts';
import { compile, decodeFrame, type SchemaSource } from '../../serde/index.ts';
import { ConnectorOptionError } from '../connectors/connector.ts';
import type { Field, Row } from '../runtime/changelog.ts';
import { SqlRuntimeError, T } from '../types/index.ts';
import { alignNames, avroDecoder, avroEncoder, deriveAvroSchema } from './avro-schema.ts';
import { type Format, type FormatContext, registerFormat } from './format.ts';
import { messageOf, REGISTRY_OPTION_PREFIXES, REGISTRY_OPTIONS, RegistrySerde, registrySettings } from './registry.ts';

// biome-ignore lint/suspicious/noExplicitAny: avsc types
type AvscType = any;

function create(
  id: 'avro-confluent' | 'avro-registry',
  fields: Field[],
  options: Record<string, string>,
  ctx?: FormatContext,
): Format {
  const settings = registrySettings(id, options, ctx);
  const legacyOpt = options['timestamp_mapping.legacy'];
  if (legacyOpt !== undefined && legacyOpt !== 'true' && legacyOpt !== 'false')
    throw new ConnectorOptionError(`Could not parse value '${legacyOpt}' for key 'timestamp_mapping.legacy'.`);
  const legacyTimestamps = id === 'avro-confluent' ? legacyOpt !== 'false' : false;
  let readerJson: unknown;
  if (options.schema !== undefined) {
    try {
      readerJson = JSON.parse(options.schema);
      avro.Type.forSchema(readerJson as never);
    } catch (err) {
      throw new ConnectorOptionError(`Option '${id}.schema' is not a valid Avro schema: ${messageOf(err)}`);
    }
  } else readerJson = deriveAvroSchema(fields, { legacyTimestamps });
  const rowType = T.row(
    fields.map((f) => ({ name: f.name, type: f.type })),
    false,
  );
  const toAvro = avroEncoder(readerJson, rowType);
  const fromAvro = avroDecoder(readerJson, rowType);
  const schemaText = JSON.stringify(readerJson);
  const serde = new RegistrySerde('AVRO', schemaText, settings);
  const readerType: AvscType = avro.Type.forSchema(readerJson as never);
  /** Per writer schema id: null when the writer's schema equals the reader's, else reader type + resolver. */
  const resolvers = new Map<number, { reader: AvscType; resolver: AvscType; writer: AvscType } | null>();

  async function resolverFor(source: SchemaSource, writerId: number) {
    if (resolvers.has(writerId)) return resolvers.get(writerId)!;
    const writer = await compile(source, await source.byId(writerId));
    if (!(writer instanceof AvroSchema))
      throw new SqlRuntimeError(`schema id ${writerId} is a ${writer.info.schemaType} schema, not AVRO`);
    let entry: { reader: AvscType; resolver: AvscType; writer: AvscType } | null = null;
    if (!readerType.equals(writer.type)) {
      const aligned = alignNames(readerJson, JSON.parse(writer.info.schema));
      const reader = avro.Type.forSchema(aligned as never);
      try {
        entry = { reader, resolver: reader.createResolver(writer.type), writer: writer.type };
      } catch (err) {
        throw new SqlRuntimeError(
          `the writer schema (id ${writerId}) cannot be read with the table's schema: ${messageOf(err)}`,
        );
      }
    }
    resolvers.set(writerId, entry);
    return entry;
  }

  const what = settings.isKey ? 'key' : 'value';
  return {
    deserialize(): Row | null {
      throw new SqlRuntimeError(`The '${id}' format decodes asynchronously (deserializeAsync).`);
    },
    serialize(): Buffer {
      throw new SqlRuntimeError(`The '${id}' format encodes asynchronously (serializeAsync).`);
    },
    async deserializeAsync(bytes: Buffer, topic: string): Promise<Row | null> {
      try {
        const frame = decodeFrame(bytes);
        const { source, de } = serde.of(topic);
        const msg = await de.deserialize(topic, bytes);
        if (msg === null) return null;
        const r = await resolverFor(source, frame.id);
        const resolved = r ? r.reader.fromBuffer(r.writer.toBuffer(msg), r.resolver) : msg;
        return fromAvro(resolved) as Row;
      } catch (err) {
        if (settings.ignoreParseErrors) return null;
        throw new SqlRuntimeError(
          `Failed to deserialize Avro record (${what} of topic '${topic}', subject '${serde.subjectOf(topic)}'): ${messageOf(err)}`,
        );
      }
    },
    async serializeAsync(row: Row, topic: string): Promise<Buffer> {
      return serde.serialize(topic, toAvro(row), `a ${what} row`);
    },
  };
}

const options = [...REGISTRY_OPTIONS, 'timestamp_mapping.legacy'];

registerFormat({
  identifier: 'avro-confluent',
  options,
  optionPrefixes: REGISTRY_OPTION_PREFIXES,
  create: (fields, opts, ctx) => create('avro-confluent', fields, opts, ctx),
});

registerFormat({
  identifier: 'avro-registry',
  options: REGISTRY_OPTIONS,
  optionPrefixes: REGISTRY_OPTION_PREFIXES,
  create: (fields, opts, ctx) => create('avro-registry', fields, opts, ctx),
});
